/*
 * command_line.c - classifies an input line (see command_line.h).  The
 * command view shares the split words' storage: it is a window onto them
 * that skips the repeat count, so it must not be freed on its own.
 */
#include "input/command_line.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void command_line_parse(const char *line, command_line *parsed)
{
    memset(parsed, 0, sizeof(*parsed));
    int split = split_arguments(line, &parsed->words);
    if (split == SPLIT_OUT_OF_MEMORY) {
        parsed->kind = LINE_OUT_OF_MEMORY;
        return;
    }
    if (split == SPLIT_INVALID) {
        parsed->kind = LINE_INVALID;
        return;
    }
    argument_list *words = &parsed->words;
    if (words->count == 0) {
        parsed->kind = LINE_EMPTY;
        return;
    }
    if (!strcasecmp(words->values[0], "quit") || !strcasecmp(words->values[0], "exit")) {
        parsed->kind = LINE_QUIT;
        return;
    }
    size_t skipped = 0;
    parsed->repeat = 1;
    if (words->count > 1) {
        char *end;
        errno = 0;
        long repeat = strtol(words->values[0], &end, 10);
        if (*end == '\0') {
            if (errno != 0 || repeat <= 0) {
                parsed->kind = LINE_BAD_REPEAT;
                return;
            }
            parsed->repeat = repeat;
            skipped = 1;
        }
    }
    parsed->kind = LINE_COMMAND;
    parsed->command.values = words->values + skipped;
    parsed->command.lengths = words->lengths + skipped;
    parsed->command.count = words->count - skipped;
}

void command_line_free(command_line *parsed)
{
    argument_list_free(&parsed->words);
    memset(parsed, 0, sizeof(*parsed));
}
