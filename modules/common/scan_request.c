/*
 * scan_request.c - parsing HSCAN/SSCAN arguments.
 */
#include "scan_request.h"

#include <stdio.h>

#include "glob_match.h"

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Redis checks the text with strtoul, which stops at a NUL byte: a cursor
 * argument is read up to its end or its first NUL, whichever comes first. */
int scan_parse_cursor(dblite_ctx *ctx, dblite_bytes argument, unsigned long long *cursor)
{
    const char *text = argument.ptr;
    size_t length = argument.len;
    size_t at = 0;
    int negative = 0;
    if (length > 0 && is_space(text[0]))
        goto invalid;
    if (at < length && (text[at] == '+' || text[at] == '-')) {
        negative = text[at] == '-';
        at++;
    }
    size_t digits_start = at;
    unsigned long long value = 0;
    for (; at < length && text[at] >= '0' && text[at] <= '9'; at++) {
        unsigned digit = (unsigned)(text[at] - '0');
        if (value > (~0ULL - digit) / 10)
            goto invalid; /* strtoul's ERANGE */
        value = value * 10 + digit;
    }
    if (at == digits_start) {
        /* No digits: strtoul points back at the start, so only an empty
         * text (or one starting with NUL) is accepted, as cursor 0. */
        if (length == 0 || text[0] == '\0') {
            *cursor = 0;
            return DBLITE_OK;
        }
        goto invalid;
    }
    if (at < length && text[at] != '\0')
        goto invalid;
    *cursor = negative ? 0ULL - value : value;
    return DBLITE_OK;
invalid:
    dblite_reply_error(ctx, "ERR invalid cursor");
    return DBLITE_ERR;
}

int scan_parse_options(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int first,
                       scan_request *request)
{
    request->count = 10;
    request->use_pattern = 0;
    request->pattern.ptr = NULL;
    request->pattern.len = 0;
    for (int i = first; i < argc; i += 2) {
        int has_value = i + 1 < argc;
        if (has_value && dblite_bytes_equal_nocase(argv[i], "count")) {
            long long count;
            if (dblite_parse_long_long(argv[i + 1], &count) != DBLITE_OK) {
                dblite_reply_not_integer(ctx);
                return DBLITE_ERR;
            }
            if (count < 1) {
                dblite_reply_syntax_error(ctx);
                return DBLITE_ERR;
            }
            request->count = count;
        } else if (has_value && dblite_bytes_equal_nocase(argv[i], "match")) {
            request->pattern = argv[i + 1];
            request->use_pattern = !(argv[i + 1].len == 1 && argv[i + 1].ptr[0] == '*');
        } else {
            dblite_reply_syntax_error(ctx);
            return DBLITE_ERR;
        }
    }
    return DBLITE_OK;
}

int scan_request_accepts(const scan_request *request, const char *ptr, size_t length)
{
    return !request->use_pattern ||
           glob_match(request->pattern.ptr, request->pattern.len, ptr, length);
}

void scan_reply_empty(dblite_ctx *ctx)
{
    dblite_reply_array(ctx, 2);
    dblite_reply_bulk(ctx, "0", 1);
    dblite_reply_array(ctx, 0);
}

void *scan_reply_begin(dblite_ctx *ctx, unsigned long long next_cursor)
{
    char text[32];
    int length = snprintf(text, sizeof text, "%llu", next_cursor);
    dblite_reply_array(ctx, 2);
    dblite_reply_bulk(ctx, text, (size_t)length);
    return dblite_reply_deferred(ctx, DBLITE_AGGREGATE_ARRAY);
}
