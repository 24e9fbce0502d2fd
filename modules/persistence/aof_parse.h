/*
 * aof_parse.h - reading commands back from an append-only file in memory:
 * RESP arrays of bulk strings ("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"), with
 * the "#..." annotation lines Redis may add skipped.
 *
 * The parser tells a file that simply ends early (a crash mid-write: the
 * rest can be cut off) from one that is malformed where data should be.
 */
#ifndef PERSISTENCE_AOF_PARSE_H
#define PERSISTENCE_AOF_PARSE_H

#include <stddef.h>

#include "dblite_module.h"

typedef enum aof_parse_status {
    AOF_PARSE_COMMAND = 0, /* one command parsed */
    AOF_PARSE_END,         /* no more data */
    AOF_PARSE_TRUNCATED,   /* the data ends inside a command */
    AOF_PARSE_MALFORMED,   /* not a command where one should start or continue */
} aof_parse_status;

typedef struct aof_parser {
    const unsigned char *data;
    size_t length;
    size_t position;    /* start of the next command */
    dblite_bytes *argv; /* dblite_alloc'd, pointing into data */
    int argv_capacity;
    char error[160];
} aof_parser;

void aof_parser_init(aof_parser *parser, const unsigned char *data, size_t length, size_t start);
void aof_parser_release(aof_parser *parser);
/* Parse the command at parser->position.  On AOF_PARSE_COMMAND, *argc and
 * parser->argv hold it and position moves past it; otherwise position stays
 * at the start of the incomplete or malformed command. */
aof_parse_status aof_parser_next(aof_parser *parser, int *argc);

#endif
