/*
 * bloom_check_commands.c - the read-only questions:
 *
 *   BF.EXISTS key item              -> 1 may be there, 0 certainly not
 *   BF.MEXISTS key item [item ...]  -> one such answer per item
 *   BF.CARD key                     -> items added (0 for a missing key)
 *
 * A missing key is an empty filter: nothing is in it.  Answers are
 * booleans (#t/#f in RESP3, 1/0 in RESP2).
 */
#include "bloom_access.h"
#include "bloom_commands.h"

/* Looks the filter up for reading; 0 after replying WRONGTYPE. */
static int lookup_for_reading(dblite_ctx *ctx, bloom_state *state, dblite_bytes key,
                              bloom_filter **filter)
{
    return bloom_lookup(ctx, state, key, DBLITE_LOOKUP_READ, filter);
}

static int check_item(bloom_state *state, const bloom_filter *filter, dblite_bytes item)
{
    int found = filter != NULL && bloom_filter_contains(filter, item.ptr, item.len);
    state->counters.items_checked++;
    state->counters.items_found += found;
    return found;
}

void bloom_exists_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    bloom_state *state = bloom_state_of(ctx);
    bloom_filter *filter;
    if (!lookup_for_reading(ctx, state, argv[1], &filter))
        return;
    dblite_reply_bool(ctx, check_item(state, filter, argv[2]));
}

void bloom_mexists_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    bloom_state *state = bloom_state_of(ctx);
    bloom_filter *filter;
    if (!lookup_for_reading(ctx, state, argv[1], &filter))
        return;
    dblite_reply_array(ctx, argc - 2);
    for (int index = 2; index < argc; index++)
        dblite_reply_bool(ctx, check_item(state, filter, argv[index]));
}

void bloom_card_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    bloom_state *state = bloom_state_of(ctx);
    bloom_filter *filter;
    if (!lookup_for_reading(ctx, state, argv[1], &filter))
        return;
    dblite_reply_integer(ctx, filter != NULL ? (long long)bloom_filter_items(filter) : 0);
}
