/*
 * command_line.h - what a line typed (or piped) at the client means, by
 * redis-cli's rules: empty, invalid quoting, "quit"/"exit", or a command
 * with an optional leading repeat count ("3 INCR hits" runs INCR 3 times).
 */
#ifndef DBLITE_CLI_COMMAND_LINE_H
#define DBLITE_CLI_COMMAND_LINE_H

#include "input/split_args.h"

typedef enum line_kind {
    LINE_EMPTY,
    LINE_INVALID,    /* print "Invalid argument(s)" */
    LINE_BAD_REPEAT, /* a repeat count that is zero, negative or huge */
    LINE_QUIT,
    LINE_COMMAND,
    LINE_OUT_OF_MEMORY
} line_kind;

typedef struct command_line {
    line_kind kind;
    argument_list words;   /* all words, as split */
    long repeat;           /* LINE_COMMAND: times to run it */
    argument_list command; /* LINE_COMMAND: words without the count */
} command_line;

/* Parses line; always fills *parsed, to be released with
 * command_line_free whatever the kind. */
void command_line_parse(const char *line, command_line *parsed);
void command_line_free(command_line *parsed);

#endif
