/*
 * split_args.h - splits a typed command line into arguments with exactly
 * the rules redis-cli applies (its sdssplitargs):
 *
 *   - arguments are separated by runs of white space;
 *   - "double quotes" understand \n \r \t \b \a, \xHH (two hex digits) and
 *     a backslash before any other byte meaning that byte (\" \\);
 *   - 'single quotes' take bytes literally, except \' for a quote;
 *   - a closing quote must be followed by white space or the end of the
 *     line, and an unclosed quote is an error ("Invalid argument(s)").
 *
 * Arguments are binary-safe ("\x00" gives a NUL byte), so each comes with
 * its length.
 */
#ifndef DBLITE_CLI_SPLIT_ARGS_H
#define DBLITE_CLI_SPLIT_ARGS_H

#include <stddef.h>

typedef struct argument_list {
    char **values; /* each NUL-terminated after its length bytes */
    size_t *lengths;
    size_t count;
    size_t capacity;
} argument_list;

enum {
    SPLIT_OUT_OF_MEMORY = -1,
    SPLIT_OK = 0,
    SPLIT_INVALID = 1 /* unbalanced quotes, or a quote followed by text */
};

/* Splits the NUL-terminated line into *out (initialised here).  On any
 * result other than SPLIT_OK, out holds nothing that needs freeing. */
int split_arguments(const char *line, argument_list *out);
/* Appends a copy of value to list (used to build argument lists by hand). */
int argument_list_append(argument_list *list, const char *value, size_t length);
void argument_list_free(argument_list *list);

#endif
