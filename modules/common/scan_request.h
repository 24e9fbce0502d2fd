/*
 * scan_request.h - the arguments of HSCAN and SSCAN: the cursor and the
 * MATCH and COUNT options, parsed and rejected exactly as Redis 7.0 does.
 */
#ifndef DBLITE_COMMON_SCAN_REQUEST_H
#define DBLITE_COMMON_SCAN_REQUEST_H

#include <stddef.h>

#include "dblite_module.h"

typedef struct scan_request {
    unsigned long long cursor;
    long long count;      /* COUNT, default 10 */
    dblite_bytes pattern; /* MATCH, meaningful when use_pattern */
    int use_pattern;      /* 0 without MATCH or for MATCH * */
} scan_request;

/* The cursor as Redis reads it (strtoul: an optional sign, digits, and
 * nothing after them; an empty argument is 0).  DBLITE_OK, or DBLITE_ERR
 * after replying "ERR invalid cursor". */
int scan_parse_cursor(dblite_ctx *ctx, dblite_bytes argument, unsigned long long *cursor);

/* Options from argv[first] on.  DBLITE_OK, or DBLITE_ERR after replying. */
int scan_parse_options(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int first,
                       scan_request *request);

/* Whether an element passes the MATCH filter. */
int scan_request_accepts(const scan_request *request, const char *ptr, size_t length);

/* Replies the empty result a missing key gets: cursor 0 and no elements. */
void scan_reply_empty(dblite_ctx *ctx);

/* Starts the reply [cursor, [elements...]]: returns the deferred handle the
 * caller completes with dblite_reply_set_length after the elements. */
void *scan_reply_begin(dblite_ctx *ctx, unsigned long long next_cursor);

#endif
