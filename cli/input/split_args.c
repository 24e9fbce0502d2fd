/*
 * split_args.c - redis-cli's command-line splitting rules (see
 * split_args.h), written as a small state machine over the line.
 */
#include "input/split_args.h"

#include <stdlib.h>
#include <string.h>

#include "util/byte_buffer.h"

void argument_list_free(argument_list *list)
{
    for (size_t index = 0; index < list->count; index++)
        free(list->values[index]);
    free(list->values);
    free(list->lengths);
    memset(list, 0, sizeof(*list));
}

int argument_list_append(argument_list *list, const char *value, size_t length)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 8;
        char **values = realloc(list->values, capacity * sizeof(*values));
        if (!values)
            return -1;
        list->values = values;
        size_t *lengths = realloc(list->lengths, capacity * sizeof(*lengths));
        if (!lengths)
            return -1;
        list->lengths = lengths;
        list->capacity = capacity;
    }
    char *copy = malloc(length + 1);
    if (!copy)
        return -1;
    if (length)
        memcpy(copy, value, length);
    copy[length] = '\0';
    list->values[list->count] = copy;
    list->lengths[list->count] = length;
    list->count++;
    return 0;
}

/* isspace() in the C locale, which is what separates arguments. */
static int is_blank(char byte)
{
    return byte == ' ' || byte == '\t' || byte == '\n' || byte == '\r' || byte == '\v' ||
           byte == '\f';
}

/* An unquoted argument ends only at these (not at \v or \f). */
static int ends_unquoted(char byte)
{
    return byte == ' ' || byte == '\n' || byte == '\r' || byte == '\t' || byte == '\0';
}

static int hex_value(char byte)
{
    if (byte >= '0' && byte <= '9')
        return byte - '0';
    if (byte >= 'a' && byte <= 'f')
        return byte - 'a' + 10;
    if (byte >= 'A' && byte <= 'F')
        return byte - 'A' + 10;
    return -1;
}

static char escaped_byte(char byte)
{
    switch (byte) {
        case 'n':
            return '\n';
        case 'r':
            return '\r';
        case 't':
            return '\t';
        case 'b':
            return '\b';
        case 'a':
            return '\a';
        default:
            return byte;
    }
}

enum quote_state { UNQUOTED, IN_DOUBLE_QUOTES, IN_SINGLE_QUOTES };

/* Reads one argument starting at *cursor into current.  Returns SPLIT_OK
 * with *cursor after it, SPLIT_INVALID, or SPLIT_OUT_OF_MEMORY. */
static int read_argument(const char **cursor, byte_buffer *current)
{
    const char *p = *cursor;
    enum quote_state state = UNQUOTED;
    for (;;) {
        char byte = *p;
        if (state == IN_DOUBLE_QUOTES) {
            if (byte == '\0')
                return SPLIT_INVALID;
            if (byte == '\\' && p[1] == 'x' && hex_value(p[2]) >= 0 && hex_value(p[3]) >= 0) {
                byte = (char)(hex_value(p[2]) * 16 + hex_value(p[3]));
                p += 3;
            } else if (byte == '\\' && p[1] != '\0') {
                p++;
                byte = escaped_byte(*p);
            } else if (byte == '"') {
                if (p[1] != '\0' && !is_blank(p[1]))
                    return SPLIT_INVALID;
                *cursor = p + 1;
                return SPLIT_OK;
            }
            if (byte_buffer_append_char(current, byte) != 0)
                return SPLIT_OUT_OF_MEMORY;
        } else if (state == IN_SINGLE_QUOTES) {
            if (byte == '\0')
                return SPLIT_INVALID;
            if (byte == '\\' && p[1] == '\'') {
                p++;
                byte = '\'';
            } else if (byte == '\'') {
                if (p[1] != '\0' && !is_blank(p[1]))
                    return SPLIT_INVALID;
                *cursor = p + 1;
                return SPLIT_OK;
            }
            if (byte_buffer_append_char(current, byte) != 0)
                return SPLIT_OUT_OF_MEMORY;
        } else {
            if (ends_unquoted(byte)) {
                *cursor = byte == '\0' ? p : p + 1;
                return SPLIT_OK;
            }
            if (byte == '"')
                state = IN_DOUBLE_QUOTES;
            else if (byte == '\'')
                state = IN_SINGLE_QUOTES;
            else if (byte_buffer_append_char(current, byte) != 0)
                return SPLIT_OUT_OF_MEMORY;
        }
        p++;
    }
}

int split_arguments(const char *line, argument_list *out)
{
    memset(out, 0, sizeof(*out));
    byte_buffer current;
    byte_buffer_init(&current);
    const char *cursor = line;
    int result = SPLIT_OK;
    for (;;) {
        while (is_blank(*cursor))
            cursor++;
        if (*cursor == '\0')
            break;
        byte_buffer_truncate(&current, 0);
        result = read_argument(&cursor, &current);
        if (result != SPLIT_OK)
            break;
        if (argument_list_append(out, current.data ? current.data : "", current.length) != 0) {
            result = SPLIT_OUT_OF_MEMORY;
            break;
        }
    }
    byte_buffer_free(&current);
    if (result != SPLIT_OK)
        argument_list_free(out);
    return result;
}
