/*
 * bloom_access.h - what the BF.* commands share: finding a filter under a
 * key (with WRONGTYPE for other types), parsing creation parameters, and
 * turning filter errors into replies.
 *
 * Every function that can fail replies the error itself and returns 0, so
 * a command handler only has to return.
 */
#ifndef BLOOM_ACCESS_H
#define BLOOM_ACCESS_H

#include "bloom_filter.h"
#include "bloom_state.h"
#include "dblite_module.h"

/* How a filter is created; expansion is BLOOM_NON_SCALING for NONSCALING. */
typedef struct bloom_params {
    double error_rate;
    long long capacity;
    long long expansion;
} bloom_params;

/* Looks key up as a filter (flags: DBLITE_LOOKUP_READ or _WRITE).  1 with
 * *filter set, NULL when the key does not exist; 0 after replying
 * WRONGTYPE when it holds another type. */
int bloom_lookup(dblite_ctx *ctx, bloom_state *state, dblite_bytes key, int flags,
                 bloom_filter **filter);

/* 1 when text (NUL-terminated, may be NULL) is an error rate in (0, 1),
 * which is then stored; replies nothing. */
int bloom_parse_error_rate_text(const char *text, double *error_rate);

/* The [bloom] default-error-rate setting, checked (the others are integers
 * the server checked when they were set). */
int bloom_default_error_rate(dblite_ctx *ctx, const bloom_state *state, double *error_rate);

int bloom_parse_error_rate(dblite_ctx *ctx, dblite_bytes argument, double *error_rate);
int bloom_parse_capacity(dblite_ctx *ctx, dblite_bytes argument, long long *capacity);
int bloom_parse_expansion(dblite_ctx *ctx, dblite_bytes argument, long long *expansion);

/* A new filter for params, not yet in the keyspace. */
int bloom_create(dblite_ctx *ctx, const bloom_params *params, bloom_filter **filter);

/* Stores a new filter under key and counts it in INFO (the server owns it
 * from here on, also when this fails). */
int bloom_store(dblite_ctx *ctx, bloom_state *state, dblite_bytes key, bloom_filter *filter);

/* Formats an error rate so that parsing the text gives the same double:
 * what propagated commands carry.  Returns the length. */
int bloom_format_error_rate(char *buffer, size_t size, double error_rate);

/* Replies "ERR <what the status means>". */
void bloom_reply_status(dblite_ctx *ctx, int status);

/* Replies the error for a missing filter. */
void bloom_reply_not_found(dblite_ctx *ctx);

#endif
