/*
 * scan_request.c - parsing HSCAN/SSCAN arguments.  The cursor rules and
 * MATCH's glob are the server's (dblite_parse_scan_cursor, dblite_glob_match,
 * the same as SCAN and KEYS use); this file adds the replies and options.
 */
#include "scan_request.h"

#include <stdio.h>

int scan_parse_cursor(dblite_ctx *ctx, dblite_bytes argument, unsigned long long *cursor)
{
    if (dblite_parse_scan_cursor(argument, cursor) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR invalid cursor");
        return DBLITE_ERR;
    }
    return DBLITE_OK;
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
           dblite_glob_match(request->pattern.ptr, request->pattern.len, ptr, length, 0);
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
