/*
 * bloom_access.c - lookup, parameter parsing and error replies shared by
 * the BF.* commands (see bloom_access.h).  Error texts follow RedisBloom's
 * where it has one, so clients written for it read them the same way.
 */
#include "bloom_access.h"

#include <stdio.h>
#include <string.h>

int bloom_lookup(dblite_ctx *ctx, bloom_state *state, dblite_bytes key, int flags,
                 bloom_filter **filter)
{
    void *found = NULL;
    int status = dblite_key_lookup(ctx, key, state->type, flags, &found);
    if (status == DBLITE_ERR_WRONGTYPE) {
        dblite_reply_wrongtype(ctx);
        return 0;
    }
    if (status != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR could not look the key up");
        return 0;
    }
    *filter = found;
    return 1;
}

static int error_rate_in_range(double error_rate)
{
    return error_rate > 0.0 && error_rate < 1.0;
}

int bloom_parse_error_rate(dblite_ctx *ctx, dblite_bytes argument, double *error_rate)
{
    if (dblite_parse_double(argument, error_rate) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR bad error rate");
        return 0;
    }
    if (!error_rate_in_range(*error_rate)) {
        dblite_reply_error(ctx, "ERR (0 < error rate range < 1)");
        return 0;
    }
    return 1;
}

int bloom_parse_capacity(dblite_ctx *ctx, dblite_bytes argument, long long *capacity)
{
    if (dblite_parse_long_long(argument, capacity) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR bad capacity");
        return 0;
    }
    if (*capacity <= 0) {
        dblite_reply_error(ctx, "ERR (capacity should be larger than 0)");
        return 0;
    }
    if ((unsigned long long)*capacity > BLOOM_MAX_CAPACITY) {
        dblite_reply_error_format(ctx, "ERR capacity too large (at most %llu)",
                                  (unsigned long long)BLOOM_MAX_CAPACITY);
        return 0;
    }
    return 1;
}

int bloom_parse_expansion(dblite_ctx *ctx, dblite_bytes argument, long long *expansion)
{
    if (dblite_parse_long_long(argument, expansion) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR bad expansion");
        return 0;
    }
    if (*expansion < 1) {
        dblite_reply_error(ctx, "ERR expansion should be greater or equal to 1");
        return 0;
    }
    if (*expansion > BLOOM_MAX_EXPANSION) {
        dblite_reply_error_format(ctx, "ERR expansion too large (at most %d)", BLOOM_MAX_EXPANSION);
        return 0;
    }
    return 1;
}

int bloom_parse_error_rate_text(const char *text, double *error_rate)
{
    dblite_bytes argument = {text != NULL ? text : "", text != NULL ? strlen(text) : 0};
    return dblite_parse_double(argument, error_rate) == DBLITE_OK &&
           error_rate_in_range(*error_rate);
}

int bloom_default_error_rate(dblite_ctx *ctx, const bloom_state *state, double *error_rate)
{
    /* The setting is text (the config API has no doubles), so CONFIG SET
     * cannot check it: a bad value is reported when it is used. */
    if (!bloom_parse_error_rate_text(state->settings.default_error_rate, error_rate)) {
        dblite_reply_error(ctx, "ERR bloom.default-error-rate is not a number between 0 and 1");
        return 0;
    }
    return 1;
}

int bloom_create(dblite_ctx *ctx, const bloom_params *params, bloom_filter **filter)
{
    int status = bloom_filter_create(params->error_rate, (uint64_t)params->capacity,
                                     (uint32_t)params->expansion, filter);
    if (status != BLOOM_OK) {
        bloom_reply_status(ctx, status);
        return 0;
    }
    return 1;
}

int bloom_store(dblite_ctx *ctx, bloom_state *state, dblite_bytes key, bloom_filter *filter)
{
    if (dblite_key_set(ctx, key, state->type, filter, DBLITE_SET_DEFAULT) != DBLITE_OK) {
        dblite_reply_error(ctx, "OOM out of memory storing the filter");
        return 0;
    }
    state->counters.filters_created++;
    return 1;
}

int bloom_format_error_rate(char *buffer, size_t size, double error_rate)
{
    /* 17 significant digits round-trip any double. */
    return snprintf(buffer, size, "%.17g", error_rate);
}

void bloom_reply_status(dblite_ctx *ctx, int status)
{
    if (status == BLOOM_ERR_NOMEM)
        dblite_reply_error(ctx, "OOM out of memory");
    else
        dblite_reply_error_format(ctx, "ERR %s", bloom_status_message(status));
}

void bloom_reply_not_found(dblite_ctx *ctx)
{
    dblite_reply_error(ctx, "ERR not found");
}
