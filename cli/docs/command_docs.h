/*
 * command_docs.h - the server's COMMAND DOCS, flattened into one sorted
 * table that completion, usage hints and "help" read.
 *
 * Subcommands become entries of their own named by both words ("CONFIG
 * GET"), as redis-cli's help lists them.  Usage text is rendered from the
 * argument tree with the conventions of the Redis documentation:
 * [optional], a|b for one-of, "TOKEN value" for tokens, and "x [x ...]"
 * for repeated arguments ("TOKEN x [TOKEN x ...]" when the token repeats).
 */
#ifndef DBLITE_CLI_COMMAND_DOCS_H
#define DBLITE_CLI_COMMAND_DOCS_H

#include <stddef.h>

#include "protocol/reply.h"
#include "util/byte_buffer.h"

typedef struct command_doc {
    char *name;    /* upper case; "CONFIG GET" for a subcommand */
    char *summary; /* "" when the server gave none */
    char *since;
    char *group;
    char *usage; /* arguments only: "key value [NX|XX] ..." */
    int is_subcommand;
} command_doc;

typedef struct command_docs {
    command_doc *entries; /* sorted by name */
    size_t count;
} command_docs;

/* Builds the table from a COMMAND DOCS reply (RESP2 arrays or RESP3
 * maps).  0 on success, -1 on ENOMEM (docs left empty). */
int command_docs_load(command_docs *docs, const reply *docs_reply);
void command_docs_free(command_docs *docs);
/* Entry by full name, case-insensitive ("get", "config get"), or NULL. */
const command_doc *command_docs_find(const command_docs *docs, const char *name);
/* Appends the usage text for an "arguments" array reply. */
int command_docs_render_arguments(byte_buffer *out, const reply *arguments);

#endif
