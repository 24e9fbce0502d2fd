/*
 * rate_limit_commands.c - HELLO.RATELIMIT and HELLO.RATELIMIT.RESTORE.
 *
 * HELLO.RATELIMIT key max-requests [period-seconds [cost]] counts cost
 * requests (default 1) against a limit of max-requests per period (default:
 * the [hello] default-period setting) and answers a map:
 *
 *     allowed          true/false (RESP3 boolean, 1/0 in RESP2)
 *     limit            max-requests
 *     remaining        requests still admitted right now
 *     retry-after-ms   when a refused request would pass; -1 when allowed
 *                      (or never, for a cost above max-requests)
 *     reset-after-ms   when the limiter is idle again (full burst available)
 *
 * The map is a RESP3 map, or a flat name/value array in RESP2: the server
 * encodes it for each client's protocol.  A refused request leaves the key
 * as it was, so clients hammering a closed limiter do not push it further.
 */
#include <stdio.h>

#include "hello_commands.h"
#include "hello_state.h"
#include "rate_limit_type.h"
#include "rate_limiter.h"

/* Parses argument as an integer in [min, max]; replies an error naming the
 * argument and returns 0 when it is not one. */
static int parse_bounded(dblite_ctx *ctx, dblite_bytes argument, const char *what,
                         long long min, long long max, long long *value)
{
    if (dblite_parse_long_long(argument, value) != DBLITE_OK || *value < min || *value > max) {
        dblite_reply_error_format(ctx, "ERR %s must be an integer between %lld and %lld", what,
                                  min, max);
        return 0;
    }
    return 1;
}

/* Microseconds to whole milliseconds, rounding up so "retry after" is never
 * a moment too early; negative means "not applicable" and stays -1. */
static long long ceiling_milliseconds(long long microseconds)
{
    if (microseconds < 0)
        return -1;
    return (microseconds + 999) / 1000;
}

/* Looks key up as a rate limiter.  Returns 1 with *limiter set (NULL for a
 * missing key), or 0 after replying an error (WRONGTYPE for other types). */
static int lookup_limiter(dblite_ctx *ctx, dblite_bytes key, rate_limit_value **limiter)
{
    void *found = NULL;
    int status = dblite_key_lookup(ctx, key, hello_state_get()->rate_limit_type,
                                   DBLITE_LOOKUP_WRITE, &found);
    if (status == DBLITE_ERR_WRONGTYPE) {
        dblite_reply_wrongtype(ctx);
        return 0;
    }
    if (status != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR could not look the key up");
        return 0;
    }
    *limiter = found;
    return 1;
}

/* Stores a TAT under key, in the existing value when there is one.  Returns
 * 1, or 0 after replying an error. */
static int store_arrival_time(dblite_ctx *ctx, dblite_bytes key, rate_limit_value *limiter,
                              long long arrival_time_us)
{
    if (limiter != NULL) {
        limiter->arrival_time_us = arrival_time_us;
        dblite_key_modified(ctx, key);
        return 1;
    }
    rate_limit_value *value = rate_limit_value_create(arrival_time_us);
    if (value == NULL) {
        dblite_reply_error(ctx, "OOM out of memory creating the rate limiter");
        return 0;
    }
    /* The server owns value from here on, also when this fails. */
    if (dblite_key_set(ctx, key, hello_state_get()->rate_limit_type, value,
                       DBLITE_SET_DEFAULT) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR could not store the rate limiter");
        return 0;
    }
    return 1;
}

/* Replicas and the append-only log must end with the same TAT, but replaying
 * HELLO.RATELIMIT later would read another clock and could decide otherwise:
 * they get HELLO.RATELIMIT.RESTORE with the resulting TAT instead. */
static int propagate_as_restore(dblite_ctx *ctx, dblite_bytes key, long long arrival_time_us)
{
    char arrival_text[32];
    int length = snprintf(arrival_text, sizeof(arrival_text), "%lld", arrival_time_us);
    dblite_bytes replay[3] = {
        {HELLO_RESTORE_COMMAND_NAME, sizeof(HELLO_RESTORE_COMMAND_NAME) - 1},
        key,
        {arrival_text, (size_t)length},
    };
    if (dblite_propagate_replace(ctx, 3, replay) != DBLITE_OK) {
        dblite_reply_error(ctx, "OOM out of memory recording the rate limiter change");
        return 0;
    }
    return 1;
}

static void reply_decision(dblite_ctx *ctx, const rate_limit_request *request,
                           const rate_limit_decision *decision)
{
    dblite_reply_map(ctx, 5);
    dblite_reply_bulk_cstring(ctx, "allowed");
    dblite_reply_bool(ctx, decision->allowed);
    dblite_reply_bulk_cstring(ctx, "limit");
    dblite_reply_integer(ctx, request->max_requests);
    dblite_reply_bulk_cstring(ctx, "remaining");
    dblite_reply_integer(ctx, decision->remaining);
    dblite_reply_bulk_cstring(ctx, "retry-after-ms");
    dblite_reply_integer(ctx, ceiling_milliseconds(decision->retry_after_us));
    dblite_reply_bulk_cstring(ctx, "reset-after-ms");
    dblite_reply_integer(ctx, ceiling_milliseconds(decision->reset_after_us));
}

void hello_ratelimit_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (argc > 5) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    rate_limit_request request;
    long long period_seconds = hello_state_get()->default_period_seconds;
    request.cost = 1;
    if (!parse_bounded(ctx, argv[2], "max-requests", 1, RATE_LIMIT_MAX_REQUESTS,
                       &request.max_requests))
        return;
    if (argc > 3 && !parse_bounded(ctx, argv[3], "period-seconds", 1,
                                   RATE_LIMIT_MAX_PERIOD_SECONDS, &period_seconds))
        return;
    if (argc > 4 && !parse_bounded(ctx, argv[4], "cost", 0, RATE_LIMIT_MAX_REQUESTS,
                                   &request.cost))
        return;
    request.period_us = period_seconds * RATE_LIMIT_MICROSECONDS_PER_SECOND;

    rate_limit_value *limiter;
    if (!lookup_limiter(ctx, argv[1], &limiter))
        return;
    long long now_us = dblite_time_ms() * 1000;
    rate_limit_decision decision;
    rate_limit_decide(&request, limiter != NULL, limiter != NULL ? limiter->arrival_time_us : 0,
                      now_us, &decision);
    if (decision.changed) {
        if (!propagate_as_restore(ctx, argv[1], decision.arrival_time_us))
            return;
        if (!store_arrival_time(ctx, argv[1], limiter, decision.arrival_time_us))
            return;
    }
    reply_decision(ctx, &request, &decision);
}

void hello_ratelimit_restore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    long long arrival_time_us;
    if (!parse_bounded(ctx, argv[2], "arrival-time-us", 0, RATE_LIMIT_MAX_ARRIVAL_US,
                       &arrival_time_us))
        return;
    rate_limit_value *limiter;
    if (!lookup_limiter(ctx, argv[1], &limiter))
        return;
    if (!store_arrival_time(ctx, argv[1], limiter, arrival_time_us))
        return;
    dblite_reply_ok(ctx);
}
