/*
 * bloom_reserve_command.c - BF.RESERVE key error_rate capacity
 * [EXPANSION expansion] [NONSCALING]: creates an empty filter.
 *
 * Without EXPANSION the [bloom] default-expansion setting applies, which
 * may differ when the log is replayed, so the command is propagated with
 * every parameter spelled out.
 */
#include <stdio.h>

#include "bloom_access.h"
#include "bloom_commands.h"

/* Parses the options after the capacity into params.  1, or 0 after
 * replying an error. */
static int parse_options(dblite_ctx *ctx, const bloom_state *state, int argc,
                         const dblite_bytes *argv, bloom_params *params)
{
    int expansion_given = 0, non_scaling = 0;
    params->expansion = state->settings.default_expansion;
    for (int index = 4; index < argc; index++) {
        if (dblite_bytes_equal_nocase(argv[index], "expansion") && index + 1 < argc) {
            if (!bloom_parse_expansion(ctx, argv[++index], &params->expansion))
                return 0;
            expansion_given = 1;
        } else if (dblite_bytes_equal_nocase(argv[index], "nonscaling")) {
            non_scaling = 1;
        } else {
            dblite_reply_syntax_error(ctx);
            return 0;
        }
    }
    if (non_scaling && expansion_given) {
        dblite_reply_error(ctx, "ERR nonscaling filters cannot expand");
        return 0;
    }
    if (non_scaling)
        params->expansion = BLOOM_NON_SCALING;
    return 1;
}

/* BF.RESERVE key rate capacity (EXPANSION n | NONSCALING). */
static int propagate_explicitly(dblite_ctx *ctx, dblite_bytes key, const bloom_params *params)
{
    char rate_text[32], capacity_text[24], expansion_text[24];
    int rate_length = bloom_format_error_rate(rate_text, sizeof(rate_text), params->error_rate);
    int capacity_length = snprintf(capacity_text, sizeof(capacity_text), "%lld", params->capacity);
    int expansion_length =
        snprintf(expansion_text, sizeof(expansion_text), "%lld", params->expansion);
    dblite_bytes command[6] = {
        {"bf.reserve", 10},
        key,
        {rate_text, (size_t)rate_length},
        {capacity_text, (size_t)capacity_length},
        {"expansion", 9},
        {expansion_text, (size_t)expansion_length},
    };
    int argc = 6;
    if (params->expansion == BLOOM_NON_SCALING) {
        command[4] = (dblite_bytes){"nonscaling", 10};
        argc = 5;
    }
    return dblite_propagate_replace(ctx, argc, command) == DBLITE_OK;
}

void bloom_reserve_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    bloom_state *state = bloom_state_of(ctx);
    bloom_params params;
    if (!bloom_parse_error_rate(ctx, argv[2], &params.error_rate) ||
        !bloom_parse_capacity(ctx, argv[3], &params.capacity) ||
        !parse_options(ctx, state, argc, argv, &params))
        return;
    bloom_filter *existing;
    if (!bloom_lookup(ctx, state, argv[1], DBLITE_LOOKUP_WRITE, &existing))
        return;
    if (existing != NULL) {
        dblite_reply_error(ctx, "ERR item exists");
        return;
    }
    bloom_filter *filter;
    if (!bloom_create(ctx, &params, &filter))
        return;
    if (!propagate_explicitly(ctx, argv[1], &params)) {
        bloom_filter_free(filter);
        dblite_reply_error(ctx, "OOM out of memory recording the new filter");
        return;
    }
    if (!bloom_store(ctx, state, argv[1], filter))
        return;
    dblite_reply_ok(ctx);
}
