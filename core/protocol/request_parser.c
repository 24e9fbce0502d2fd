/*
 * request_parser.c - incremental parser of client requests (RESP arrays of
 * bulk strings, and inline lines), matching Redis 7.0's networking.c rule for
 * rule, error texts included, because clients and proxies depend on exactly
 * which inputs are accepted and which close the connection.
 *
 * Everything is tracked as offsets from the request start: the caller may
 * move its buffer between calls, and a request arriving in many pieces must
 * cost time linear in its size (each line end is searched once, bulk data is
 * never scanned, argument pointers are made once at completion).
 */
#include "protocol/request_parser.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/numbers.h"

enum request_parser_state {
    PARSER_START = 0,          /* nothing seen: the first byte decides the form */
    PARSER_INLINE,             /* waiting for the end of an inline line */
    PARSER_MULTIBULK_COUNT,    /* waiting for the "*<count>\r\n" line */
    PARSER_MULTIBULK_ELEMENTS, /* reading element headers and bulk data */
    PARSER_COMPLETE_INLINE,
    PARSER_COMPLETE_MULTIBULK,
    PARSER_FAILED,
};

/* Argument arrays every parser keeps, so that common requests never
 * allocate; arrays grown beyond the retained size are released on reset so
 * that one huge request does not pin memory for the connection's lifetime. */
#define INITIAL_ARGUMENT_CAPACITY 8
#define RETAINED_ARGUMENT_CAPACITY 64
#define RETAINED_UNESCAPED_CAPACITY (16 * 1024)
/* Redis preallocates at most this many argument slots from an announced
 * count, so a "*1000000" header alone cannot make us allocate much. */
#define PREALLOCATED_ARGUMENTS_MAX 1024
/* Redis's limits for clients that have not authenticated yet. */
#define UNAUTHENTICATED_MAX_COUNT 10
#define UNAUTHENTICATED_MAX_BULK 16384

static const char ERROR_INVALID_MULTIBULK[] = "ERR Protocol error: invalid multibulk length";
static const char ERROR_INVALID_BULK[] = "ERR Protocol error: invalid bulk length";
static const char ERROR_TOO_BIG_MULTIBULK[] = "ERR Protocol error: too big mbulk count string";
static const char ERROR_TOO_BIG_BULK[] = "ERR Protocol error: too big bulk count string";
static const char ERROR_TOO_BIG_INLINE[] = "ERR Protocol error: too big inline request";
static const char ERROR_UNBALANCED_QUOTES[] = "ERR Protocol error: unbalanced quotes in request";
static const char ERROR_UNAUTHENTICATED_MULTIBULK[] =
    "ERR Protocol error: unauthenticated multibulk length";
static const char ERROR_UNAUTHENTICATED_BULK[] = "ERR Protocol error: unauthenticated bulk length";
/* Our dialect extension has no Redis wording; this follows its style. */
static const char ERROR_INVALID_INTEGER[] = "ERR Protocol error: invalid integer element";
static const char ERROR_OUT_OF_MEMORY[] = "ERR out of memory";

void request_limits_set_defaults(request_limits *limits)
{
    limits->max_bulk_length = REQUEST_DEFAULT_MAX_BULK_LENGTH;
    limits->max_multibulk_count = REQUEST_DEFAULT_MAX_MULTIBULK_COUNT;
    limits->max_inline_length = REQUEST_DEFAULT_MAX_INLINE_LENGTH;
    limits->accept_integer_elements = 0;
}

void request_parser_require_authentication(request_parser *parser, int required)
{
    parser->authentication_required = required != 0;
}

/* ---- Small helpers ------------------------------------------------------ */

/* Redis looks for line ends with strchr() on its NUL-terminated query
 * buffer, so a NUL byte before the terminator hides it and the request just
 * waits until a "too big" limit closes the connection.  We reproduce that
 * rather than complete lines Redis would never see.  Returns 1 with *stop at
 * the '\r' found; otherwise 0 with *stop where the next search resumes (the
 * NUL, which is found again at once, or the end of the data). */
static int find_header_end(const char *buffer, size_t from, size_t length, size_t *stop)
{
    size_t index = from;
    while (index < length && buffer[index] != '\r' && buffer[index] != '\0')
        index++;
    *stop = index;
    return index < length && buffer[index] == '\r';
}

/* The same search for an inline line's '\n'; inline lines may be long, so
 * this one lets memchr do the scanning. */
static int find_inline_end(const char *buffer, size_t from, size_t length, size_t *stop)
{
    /* A request stuck behind a NUL resumes on it: answer without rescanning
     * what follows, which could otherwise make byte-by-byte input quadratic. */
    if (from < length && buffer[from] == '\0') {
        *stop = from;
        return 0;
    }
    const char *start = buffer + from;
    size_t span = length - from;
    const char *newline = memchr(start, '\n', span);
    size_t searched = newline != NULL ? (size_t)(newline - start) : span;
    const char *nul = memchr(start, '\0', searched);
    if (nul != NULL) {
        *stop = (size_t)(nul - buffer);
        return 0;
    }
    *stop = from + searched;
    return newline != NULL;
}

static request_status fail(request_parser *parser, const char *error)
{
    parser->state = PARSER_FAILED;
    parser->error = error;
    parser->argc = 0;
    parser->consumed = 0;
    return REQUEST_ERROR;
}

static request_status fail_expected_dollar(request_parser *parser, char got)
{
    /* Redis's addReplyErrorFormat turns CR and LF into spaces so the error
     * line stays one line; the client sees the same here. */
    char shown = (got == '\r' || got == '\n') ? ' ' : got;
    snprintf(parser->error_text, sizeof parser->error_text,
             "ERR Protocol error: expected '$', got '%c'", shown);
    return fail(parser, parser->error_text);
}

/* Makes room for at least capacity arguments in the three parallel arrays.
 * The recorded capacity only grows once all three succeeded, so a failure
 * halfway leaves a consistent (if partly larger) set. */
static int reserve_arguments(request_parser *parser, long long capacity)
{
    if (capacity <= parser->argument_capacity)
        return DBLITE_OK;
    if (capacity > INT_MAX || (unsigned long long)capacity > SIZE_MAX / sizeof(dblite_bytes))
        return DBLITE_ERR_NOMEM;
    size_t count = (size_t)capacity;
    dblite_bytes *argv = realloc(parser->argv, count * sizeof *argv);
    if (argv == NULL)
        return DBLITE_ERR_NOMEM;
    parser->argv = argv;
    size_t *offsets = realloc(parser->argument_offsets, count * sizeof *offsets);
    if (offsets == NULL)
        return DBLITE_ERR_NOMEM;
    parser->argument_offsets = offsets;
    unsigned char *flags = realloc(parser->argument_is_integer, count);
    if (flags == NULL)
        return DBLITE_ERR_NOMEM;
    parser->argument_is_integer = flags;
    parser->argument_capacity = (int)capacity;
    return DBLITE_OK;
}

/* Room for one more argument.  Doubling, but (as Redis does) never past
 * what the announced count still allows, so the last growth is exact. */
static int reserve_next_argument(request_parser *parser, long long announced_remaining)
{
    if (parser->argc < parser->argument_capacity)
        return DBLITE_OK;
    long long doubled =
        parser->argument_capacity > 0 ? 2LL * parser->argument_capacity : INITIAL_ARGUMENT_CAPACITY;
    long long capacity = doubled;
    if (announced_remaining > 0 && parser->argc + announced_remaining < capacity)
        capacity = parser->argc + announced_remaining;
    if (capacity > INT_MAX)
        capacity = INT_MAX;
    if (capacity <= parser->argc)
        return DBLITE_ERR_NOMEM; /* INT_MAX arguments: nothing left to give */
    return reserve_arguments(parser, capacity);
}

/* ---- Inline requests --------------------------------------------------- */

/* Byte classes of sdssplitargs.  BLANK is isspace() in the C locale, used
 * between arguments and after a closing quote; WORD_END is the narrower set
 * that ends an unquoted argument (a vertical tab or form feed inside a word
 * is part of it); QUOTE opens a quoted part.  A table keeps the per-byte
 * loop of long inline lines to one load and test. */
#define CLASS_BLANK 1
#define CLASS_WORD_END 2
#define CLASS_QUOTE 4
static const unsigned char INLINE_BYTE_CLASS[256] = {
    ['\t'] = CLASS_BLANK | CLASS_WORD_END,
    ['\n'] = CLASS_BLANK | CLASS_WORD_END,
    ['\v'] = CLASS_BLANK,
    ['\f'] = CLASS_BLANK,
    ['\r'] = CLASS_BLANK | CLASS_WORD_END,
    [' '] = CLASS_BLANK | CLASS_WORD_END,
    ['"'] = CLASS_QUOTE,
    ['\''] = CLASS_QUOTE,
};

static int is_blank(char c)
{
    return INLINE_BYTE_CLASS[(unsigned char)c] & CLASS_BLANK;
}

static int ends_bare_word(char c)
{
    return INLINE_BYTE_CLASS[(unsigned char)c] & CLASS_WORD_END;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static char escaped_byte(char c)
{
    switch (c) {
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
            return c;
    }
}

/* Unescapes the quoted part of an argument starting just after its opening
 * quote at line[*index]; appends to out.  Returns 0 on unbalanced quotes
 * (no closing quote, or one followed by something other than a blank). */
static int unescape_quoted(const char *line, size_t length, size_t *index, char quote, char *out,
                           size_t *out_length)
{
    size_t at = *index;
    size_t written = *out_length;
    for (;;) {
        if (at >= length)
            return 0;
        char c = line[at];
        if (quote == '"' && c == '\\' && at + 3 < length && line[at + 1] == 'x' &&
            hex_value(line[at + 2]) >= 0 && hex_value(line[at + 3]) >= 0) {
            out[written++] = (char)(hex_value(line[at + 2]) * 16 + hex_value(line[at + 3]));
            at += 4;
        } else if (quote == '"' && c == '\\' && at + 1 < length) {
            out[written++] = escaped_byte(line[at + 1]);
            at += 2;
        } else if (quote == '\'' && c == '\\' && at + 1 < length && line[at + 1] == '\'') {
            out[written++] = '\'';
            at += 2;
        } else if (c == quote) {
            if (at + 1 < length && !is_blank(line[at + 1]))
                return 0;
            at++;
            break;
        } else {
            out[written++] = c;
            at++;
        }
    }
    *index = at;
    *out_length = written;
    return 1;
}

/* Quoted arguments are unescaped into parser memory sized for the whole
 * line (unescaping never lengthens), reserved once per line so pointers
 * already handed out for this line stay valid. */
static int reserve_unescaped(request_parser *parser, size_t length)
{
    if (parser->unescaped_capacity >= length)
        return DBLITE_OK;
    char *memory = malloc(length);
    if (memory == NULL)
        return DBLITE_ERR_NOMEM;
    free(parser->unescaped);
    parser->unescaped = memory;
    parser->unescaped_capacity = length;
    return DBLITE_OK;
}

static int add_inline_argument(request_parser *parser, const char *ptr, size_t length)
{
    if (reserve_next_argument(parser, 0) != DBLITE_OK)
        return DBLITE_ERR_NOMEM;
    parser->argv[parser->argc].ptr = ptr;
    parser->argv[parser->argc].len = length;
    parser->argument_is_integer[parser->argc] = 0;
    parser->argc++;
    return DBLITE_OK;
}

/* sdssplitargs over one line: words separated by blanks; a word may end in
 * one "double quoted" part (with \n \r \t \b \a \xHH and \<any> escapes) or
 * 'single quoted' part (only \' escaped).  Plain words point into the line. */
static request_status split_inline_line(request_parser *parser, const char *line, size_t length)
{
    size_t index = 0;
    size_t unescaped_used = 0;
    parser->argc = 0;
    for (;;) {
        while (index < length && is_blank(line[index]))
            index++;
        if (index == length)
            return REQUEST_COMPLETE;
        size_t start = index;
        while (index < length &&
               !(INLINE_BYTE_CLASS[(unsigned char)line[index]] & (CLASS_WORD_END | CLASS_QUOTE)))
            index++;
        if (index == length || ends_bare_word(line[index])) {
            if (add_inline_argument(parser, line + start, index - start) != DBLITE_OK)
                return fail(parser, ERROR_OUT_OF_MEMORY);
            if (index < length)
                index++;
            continue;
        }
        if (reserve_unescaped(parser, length) != DBLITE_OK)
            return fail(parser, ERROR_OUT_OF_MEMORY);
        char *out = parser->unescaped + unescaped_used;
        size_t out_length = index - start;
        memcpy(out, line + start, out_length);
        char quote = line[index++];
        if (!unescape_quoted(line, length, &index, quote, out, &out_length))
            return fail(parser, ERROR_UNBALANCED_QUOTES);
        if (add_inline_argument(parser, out, out_length) != DBLITE_OK)
            return fail(parser, ERROR_OUT_OF_MEMORY);
        unescaped_used += out_length;
    }
}

static request_status finish_inline(request_parser *parser, const char *buffer)
{
    size_t line_length = parser->line_end;
    if (line_length > 0 && buffer[line_length - 1] == '\r')
        line_length--;
    request_status status = split_inline_line(parser, buffer, line_length);
    if (status != REQUEST_COMPLETE)
        return status;
    parser->consumed = parser->line_end + 1;
    parser->state = PARSER_COMPLETE_INLINE;
    return REQUEST_COMPLETE;
}

static request_status parse_inline(request_parser *parser, const char *buffer, size_t length,
                                   const request_limits *limits)
{
    size_t stop;
    int found = find_inline_end(buffer, parser->scan_position, length, &stop);
    parser->scan_position = stop;
    if (!found) {
        if (length > limits->max_inline_length)
            return fail(parser, ERROR_TOO_BIG_INLINE);
        return REQUEST_INCOMPLETE;
    }
    parser->line_end = stop;
    return finish_inline(parser, buffer);
}

/* ---- RESP arrays --------------------------------------------------------- */

static request_status finish_multibulk(request_parser *parser, const char *buffer)
{
    for (int index = 0; index < parser->argc; index++)
        parser->argv[index].ptr = buffer + parser->argument_offsets[index];
    parser->consumed = parser->position;
    parser->state = PARSER_COMPLETE_MULTIBULK;
    return REQUEST_COMPLETE;
}

static int add_multibulk_argument(request_parser *parser, size_t offset, size_t length,
                                  unsigned char is_integer)
{
    if (reserve_next_argument(parser, parser->elements_remaining) != DBLITE_OK)
        return DBLITE_ERR_NOMEM;
    parser->argument_offsets[parser->argc] = offset;
    parser->argv[parser->argc].ptr = NULL;
    parser->argv[parser->argc].len = length;
    parser->argument_is_integer[parser->argc] = is_integer;
    parser->argc++;
    parser->elements_remaining--;
    return DBLITE_OK;
}

/* Waits for the header line at parser->position ("*<count>", "$<length>"):
 * REQUEST_COMPLETE with *line_end at its '\r' once the line and the byte
 * after the '\r' have arrived (Redis only asks for that byte and skips it
 * unread), REQUEST_INCOMPLETE before, or too_big's error when the line has
 * outgrown the inline limit without ending. */
static request_status await_header_line(request_parser *parser, const char *buffer, size_t length,
                                        const request_limits *limits, const char *too_big,
                                        size_t *line_end)
{
    int found = find_header_end(buffer, parser->scan_position, length, line_end);
    parser->scan_position = *line_end;
    if (!found)
        return length - parser->position > limits->max_inline_length ? fail(parser, too_big)
                                                                     : REQUEST_INCOMPLETE;
    return *line_end + 2 > length ? REQUEST_INCOMPLETE : REQUEST_COMPLETE;
}

static request_status parse_multibulk_count(request_parser *parser, const char *buffer,
                                            size_t length, const request_limits *limits)
{
    size_t line_end;
    request_status line =
        await_header_line(parser, buffer, length, limits, ERROR_TOO_BIG_MULTIBULK, &line_end);
    if (line != REQUEST_COMPLETE)
        return line;
    long long count;
    /* string2ll's rules, as Redis: "*01" or "* 3" must fail as there. */
    if (!parse_long_long(buffer + 1, line_end - 1, &count) || count > INT_MAX ||
        count > limits->max_multibulk_count)
        return fail(parser, ERROR_INVALID_MULTIBULK);
    if (count > UNAUTHENTICATED_MAX_COUNT && parser->authentication_required)
        return fail(parser, ERROR_UNAUTHENTICATED_MULTIBULK);
    parser->position = parser->scan_position = line_end + 2;
    parser->argc = 0;
    if (count <= 0) /* "*0" and "*-1": an empty request the caller skips */
        return finish_multibulk(parser, buffer);
    long long preallocated =
        count < PREALLOCATED_ARGUMENTS_MAX ? count : PREALLOCATED_ARGUMENTS_MAX;
    if (reserve_arguments(parser, preallocated) != DBLITE_OK)
        return fail(parser, ERROR_OUT_OF_MEMORY);
    parser->elements_remaining = count;
    parser->bulk_length = -1;
    parser->state = PARSER_MULTIBULK_ELEMENTS;
    return REQUEST_INCOMPLETE;
}

/* Reads the "$<length>" (or ":<integer>") line of the next element.
 * Returns REQUEST_COMPLETE when it was consumed. */
static request_status parse_element_header(request_parser *parser, const char *buffer,
                                           size_t length, const request_limits *limits)
{
    size_t line_end;
    request_status line =
        await_header_line(parser, buffer, length, limits, ERROR_TOO_BIG_BULK, &line_end);
    if (line != REQUEST_COMPLETE)
        return line;
    char kind = buffer[parser->position];
    /* kind is '$' or ':' from here, so the line holds at least that byte */
    size_t digits_offset = parser->position + 1;
    size_t digits_length = line_end - digits_offset;
    long long value;
    if (kind == '$') {
        if (!parse_long_long(buffer + digits_offset, digits_length, &value) || value < 0 ||
            value > limits->max_bulk_length)
            return fail(parser, ERROR_INVALID_BULK);
        if (value > UNAUTHENTICATED_MAX_BULK && parser->authentication_required)
            return fail(parser, ERROR_UNAUTHENTICATED_BULK);
        parser->bulk_length = value;
    } else if (kind == ':' && limits->accept_integer_elements) {
        if (!parse_long_long(buffer + digits_offset, digits_length, &value))
            return fail(parser, ERROR_INVALID_INTEGER);
        if (add_multibulk_argument(parser, digits_offset, digits_length, 1) != DBLITE_OK)
            return fail(parser, ERROR_OUT_OF_MEMORY);
    } else {
        return fail_expected_dollar(parser, kind);
    }
    parser->position = parser->scan_position = line_end + 2;
    return REQUEST_COMPLETE;
}

static request_status parse_multibulk_elements(request_parser *parser, const char *buffer,
                                               size_t length, const request_limits *limits)
{
    while (parser->elements_remaining > 0) {
        if (parser->bulk_length < 0) {
            request_status status = parse_element_header(parser, buffer, length, limits);
            if (status != REQUEST_COMPLETE)
                return status;
            continue; /* an integer element is already an argument */
        }
        /* The two bytes after the data are skipped unchecked, as in Redis. */
        unsigned long long needed = (unsigned long long)parser->bulk_length + 2;
        if ((unsigned long long)(length - parser->position) < needed)
            return REQUEST_INCOMPLETE;
        if (add_multibulk_argument(parser, parser->position, (size_t)parser->bulk_length, 0) !=
            DBLITE_OK)
            return fail(parser, ERROR_OUT_OF_MEMORY);
        parser->position += (size_t)needed;
        parser->scan_position = parser->position;
        parser->bulk_length = -1;
    }
    return finish_multibulk(parser, buffer);
}

/* ---- Public interface -------------------------------------------------- */

request_status request_parse(request_parser *parser, const char *buffer, size_t length,
                             const request_limits *limits)
{
    switch (parser->state) {
        case PARSER_COMPLETE_INLINE:
            return finish_inline(parser, buffer);
        case PARSER_COMPLETE_MULTIBULK:
            return finish_multibulk(parser, buffer);
        case PARSER_FAILED:
            return REQUEST_ERROR;
        default:
            break;
    }
    /* Bytes are only ever appended; a shorter buffer has nothing new (and
     * scan_position is never behind position). */
    if (length < parser->scan_position)
        return REQUEST_INCOMPLETE;
    if (parser->state == PARSER_START) {
        if (length == 0)
            return REQUEST_INCOMPLETE;
        parser->state = buffer[0] == '*' ? PARSER_MULTIBULK_COUNT : PARSER_INLINE;
    }
    if (parser->state == PARSER_INLINE)
        return parse_inline(parser, buffer, length, limits);
    if (parser->state == PARSER_MULTIBULK_COUNT) {
        request_status status = parse_multibulk_count(parser, buffer, length, limits);
        if (parser->state != PARSER_MULTIBULK_ELEMENTS)
            return status;
    }
    return parse_multibulk_elements(parser, buffer, length, limits);
}

size_t request_parser_wanted_length(const request_parser *parser)
{
    if (parser->state != PARSER_MULTIBULK_ELEMENTS || parser->bulk_length < 0)
        return 0;
    return parser->position + (size_t)parser->bulk_length + 2;
}

int request_parser_init(request_parser *parser)
{
    memset(parser, 0, sizeof *parser);
    parser->bulk_length = -1;
    if (reserve_arguments(parser, INITIAL_ARGUMENT_CAPACITY) != DBLITE_OK) {
        request_parser_free(parser);
        return DBLITE_ERR_NOMEM;
    }
    return DBLITE_OK;
}

void request_parser_free(request_parser *parser)
{
    free(parser->argv);
    free(parser->argument_offsets);
    free(parser->argument_is_integer);
    free(parser->unescaped);
    memset(parser, 0, sizeof *parser);
    parser->bulk_length = -1;
}

void request_parser_reset(request_parser *parser)
{
    if (parser->argument_capacity > RETAINED_ARGUMENT_CAPACITY) {
        free(parser->argv);
        free(parser->argument_offsets);
        free(parser->argument_is_integer);
        parser->argv = NULL;
        parser->argument_offsets = NULL;
        parser->argument_is_integer = NULL;
        parser->argument_capacity = 0;
    }
    if (parser->unescaped_capacity > RETAINED_UNESCAPED_CAPACITY) {
        free(parser->unescaped);
        parser->unescaped = NULL;
        parser->unescaped_capacity = 0;
    }
    parser->argc = 0;
    parser->consumed = 0;
    parser->error = NULL;
    parser->state = PARSER_START;
    parser->position = 0;
    parser->scan_position = 0;
    parser->line_end = 0;
    parser->elements_remaining = 0;
    parser->bulk_length = -1;
}
