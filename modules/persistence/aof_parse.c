/*
 * aof_parse.c - see aof_parse.h.
 */
#include "aof_parse.h"

#include <stdio.h>
#include <string.h>

/* Redis's own limits for one logged command. */
#define MAX_ARGUMENTS (1024 * 1024)
#define MAX_ARGUMENT_LENGTH (512ULL * 1024 * 1024)

void aof_parser_init(aof_parser *parser, const unsigned char *data, size_t length, size_t start)
{
    memset(parser, 0, sizeof(*parser));
    parser->data = data;
    parser->length = length;
    parser->position = start;
}

void aof_parser_release(aof_parser *parser)
{
    dblite_free(parser->argv);
    parser->argv = NULL;
    parser->argv_capacity = 0;
}

/* "<prefix><digits>\r\n" at *at.  Returns AOF_PARSE_COMMAND when read. */
static aof_parse_status read_header(aof_parser *parser, size_t *at, char prefix,
                                    unsigned long long limit, unsigned long long *value)
{
    size_t p = *at;
    if (p >= parser->length)
        return AOF_PARSE_TRUNCATED;
    if (parser->data[p] != prefix) {
        snprintf(parser->error, sizeof(parser->error), "expected '%c', found byte 0x%02x", prefix,
                 parser->data[p]);
        return AOF_PARSE_MALFORMED;
    }
    p++;
    unsigned long long number = 0;
    size_t digits = 0;
    while (p < parser->length && parser->data[p] >= '0' && parser->data[p] <= '9') {
        number = number * 10 + (unsigned long long)(parser->data[p] - '0');
        if (number > limit) {
            snprintf(parser->error, sizeof(parser->error), "count or length out of range");
            return AOF_PARSE_MALFORMED;
        }
        p++;
        digits++;
    }
    if (p >= parser->length)
        return AOF_PARSE_TRUNCATED;
    if (digits == 0 || parser->data[p] != '\r') {
        snprintf(parser->error, sizeof(parser->error), "malformed '%c' header", prefix);
        return AOF_PARSE_MALFORMED;
    }
    if (p + 1 >= parser->length)
        return AOF_PARSE_TRUNCATED;
    if (parser->data[p + 1] != '\n') {
        snprintf(parser->error, sizeof(parser->error), "malformed '%c' header", prefix);
        return AOF_PARSE_MALFORMED;
    }
    *at = p + 2;
    *value = number;
    return AOF_PARSE_COMMAND;
}

static int reserve_arguments(aof_parser *parser, int count)
{
    if (count <= parser->argv_capacity)
        return 0;
    dblite_bytes *grown = dblite_realloc(parser->argv, sizeof(dblite_bytes) * (size_t)count);
    if (grown == NULL)
        return -1;
    parser->argv = grown;
    parser->argv_capacity = count;
    return 0;
}

aof_parse_status aof_parser_next(aof_parser *parser, int *argc)
{
    size_t at = parser->position;
    /* Annotation lines ("#TS:...") carry no command. */
    while (at < parser->length && parser->data[at] == '#') {
        const unsigned char *newline = memchr(parser->data + at, '\n', parser->length - at);
        if (newline == NULL)
            return AOF_PARSE_TRUNCATED;
        at = (size_t)(newline - parser->data) + 1;
        parser->position = at;
    }
    if (at >= parser->length)
        return AOF_PARSE_END;
    unsigned long long count;
    aof_parse_status status = read_header(parser, &at, '*', MAX_ARGUMENTS, &count);
    if (status != AOF_PARSE_COMMAND)
        return status;
    if (count < 1) {
        snprintf(parser->error, sizeof(parser->error), "a command with no arguments");
        return AOF_PARSE_MALFORMED;
    }
    if (reserve_arguments(parser, (int)count) != 0) {
        snprintf(parser->error, sizeof(parser->error), "out of memory");
        return AOF_PARSE_MALFORMED;
    }
    for (unsigned long long i = 0; i < count; i++) {
        unsigned long long length;
        status = read_header(parser, &at, '$', MAX_ARGUMENT_LENGTH, &length);
        if (status != AOF_PARSE_COMMAND)
            return status;
        if (length + 2 > parser->length - at)
            return AOF_PARSE_TRUNCATED;
        if (parser->data[at + length] != '\r' || parser->data[at + length + 1] != '\n') {
            snprintf(parser->error, sizeof(parser->error), "an argument is not followed by CRLF");
            return AOF_PARSE_MALFORMED;
        }
        parser->argv[i].ptr = (const char *)parser->data + at;
        parser->argv[i].len = (size_t)length;
        at += (size_t)length + 2;
    }
    *argc = (int)count;
    parser->position = at;
    return AOF_PARSE_COMMAND;
}
