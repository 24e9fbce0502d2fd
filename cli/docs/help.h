/*
 * help.h - the "help" command handled inside the client, in redis-cli's
 * layout (bold name, grey arguments, yellow labels, CRLF line ends):
 *
 *   help              a short guide
 *   help <command>    summary, arguments, since and group of every command
 *                     whose name starts with those words ("help config"
 *                     lists CONFIG and all its subcommands)
 *   help @<group>     every command of a group
 */
#ifndef DBLITE_CLI_HELP_H
#define DBLITE_CLI_HELP_H

#include <stddef.h>

#include "docs/command_docs.h"
#include "util/byte_buffer.h"

/* Appends the help for the words after "help" to out. */
int help_format(byte_buffer *out, const command_docs *docs, size_t word_count, char *const *words);
/* "GET key" style one-line usage for hints; appends nothing for unknown
 * names.  Returns -1 only on ENOMEM. */
int help_format_usage_line(byte_buffer *out, const command_doc *doc);

#endif
