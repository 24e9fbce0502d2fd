/*
 * sets_commands_intersection.c - SINTER, SINTERCARD and SINTERSTORE.
 *
 * The smallest set is walked and each member looked up in the others,
 * smallest first, so a member that is missing somewhere is usually dropped
 * after one lookup: O(N * M) with N the smallest set's size, as Redis.  Any
 * missing key makes the intersection empty, but every key is still checked
 * for its type first (Redis 7.0's order).
 */
#include <stdlib.h>

#include "common/collection_access.h"
#include "set_access.h"
#include "sets.h"

typedef struct sized_set {
    const set_value *set;
    size_t length;
} sized_set;

static int by_length(const void *a, const void *b)
{
    size_t left = ((const sized_set *)a)->length, right = ((const sized_set *)b)->length;
    return left < right ? -1 : left > right;
}

/* What to do with each member of the intersection; returns nonzero to stop. */
typedef int (*member_visitor)(const set_member *member, void *privdata);

/* Visits the intersection of sets[0..count) (none NULL) in the order of the
 * smallest set.  DBLITE_OK or DBLITE_ERR_NOMEM. */
static int intersect(set_value *const *sets, int count, member_visitor visit, void *privdata)
{
    sized_set *sorted = dblite_alloc((size_t)count * sizeof(sized_set));
    if (sorted == NULL)
        return DBLITE_ERR_NOMEM;
    for (int i = 0; i < count; i++) {
        sorted[i].set = sets[i];
        sorted[i].length = set_value_length(sets[i]);
    }
    qsort(sorted, (size_t)count, sizeof(sized_set), by_length);
    set_iterator iterator;
    set_iterator_init(&iterator, sorted[0].set);
    set_member member;
    while (set_iterator_next(&iterator, &member)) {
        int everywhere = 1;
        for (int i = 1; i < count && everywhere; i++)
            if (sorted[i].set != sorted[0].set)
                everywhere = set_value_contains_member(sorted[i].set, &member);
        if (everywhere && visit(&member, privdata))
            break;
    }
    dblite_free(sorted);
    return DBLITE_OK;
}

/* The keys' sets, or NULL after replying (a type error or no memory);
 * *any_missing says whether a key was missing. */
static set_value **lookup_sets(dblite_ctx *ctx, const dblite_bytes *keys, int count, int flags,
                               int *any_missing)
{
    set_value **sets = dblite_alloc((size_t)count * sizeof(set_value *));
    if (sets == NULL) {
        collection_reply_out_of_memory(ctx);
        return NULL;
    }
    if (set_lookup_all_or_reply(ctx, keys, count, flags, sets) != DBLITE_OK) {
        dblite_free(sets);
        return NULL;
    }
    *any_missing = 0;
    for (int i = 0; i < count; i++)
        if (sets[i] == NULL)
            *any_missing = 1;
    return sets;
}

/* ---- SINTER ---------------------------------------------------------------- */

typedef struct reply_state {
    dblite_ctx *ctx;
    long long replied;
} reply_state;

static int reply_member(const set_member *member, void *privdata)
{
    reply_state *state = privdata;
    dblite_reply_bulk(state->ctx, member->bytes.ptr, member->bytes.len);
    state->replied++;
    return 0;
}

void sets_sinter_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    int count = argc - 1, any_missing;
    set_value **sets = lookup_sets(ctx, argv + 1, count, DBLITE_LOOKUP_READ, &any_missing);
    if (sets == NULL)
        return;
    if (any_missing) {
        dblite_reply_set(ctx, 0);
    } else {
        /* The scratch array of intersect() is taken before replying, so an
         * allocation failure cannot leave a half-written reply. */
        reply_state state = {ctx, 0};
        void *deferred = dblite_reply_deferred(ctx, DBLITE_AGGREGATE_SET);
        if (intersect(sets, count, reply_member, &state) != DBLITE_OK) {
            dblite_reply_set_length(ctx, deferred, 0);
        } else {
            dblite_reply_set_length(ctx, deferred, state.replied);
        }
    }
    dblite_free(sets);
}

/* ---- SINTERCARD -------------------------------------------------------------- */

typedef struct count_state {
    long long counted;
    long long limit; /* 0 for no limit */
} count_state;

static int count_member(const set_member *member, void *privdata)
{
    (void)member;
    count_state *state = privdata;
    state->counted++;
    return state->limit > 0 && state->counted >= state->limit;
}

void sets_sintercard_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    long long keys;
    if (dblite_parse_long_long(argv[1], &keys) != DBLITE_OK || keys < 1) {
        dblite_reply_error(ctx, "ERR numkeys should be greater than 0");
        return;
    }
    if (keys > argc - 2) {
        dblite_reply_error(ctx, "ERR Number of keys can't be greater than number of args");
        return;
    }
    count_state state = {0, 0};
    for (int i = 2 + (int)keys; i < argc; i++) {
        if (dblite_bytes_equal_nocase(argv[i], "limit") && i + 1 < argc) {
            i++;
            if (dblite_parse_long_long(argv[i], &state.limit) != DBLITE_OK || state.limit < 0) {
                dblite_reply_error(ctx, "ERR LIMIT can't be negative");
                return;
            }
        } else {
            dblite_reply_syntax_error(ctx);
            return;
        }
    }
    int any_missing;
    set_value **sets = lookup_sets(ctx, argv + 2, (int)keys, DBLITE_LOOKUP_READ, &any_missing);
    if (sets == NULL)
        return;
    if (!any_missing && intersect(sets, (int)keys, count_member, &state) != DBLITE_OK)
        collection_reply_out_of_memory(ctx);
    else
        dblite_reply_integer(ctx, state.counted);
    dblite_free(sets);
}

/* ---- SINTERSTORE ------------------------------------------------------------- */

typedef struct collect_state {
    value_holder holder;
    set_limits limits;
    int failed;
} collect_state;

static int collect_member(const set_member *member, void *privdata)
{
    collect_state *state = privdata;
    if (set_value_add_member(&state->holder, &state->limits, member) < 0) {
        state->failed = 1;
        return 1;
    }
    return 0;
}

void sets_sinterstore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    int count = argc - 2, any_missing;
    /* The sources are read as Redis 7.0 reads them (a missing one is a
     * keymiss), only the destination is written. */
    set_value **sets = lookup_sets(ctx, argv + 2, count, DBLITE_LOOKUP_READ, &any_missing);
    if (sets == NULL)
        return;
    set_value *result = set_create_result_or_reply(ctx);
    if (result == NULL) {
        dblite_free(sets);
        return;
    }
    collect_state state = {.limits = sets_limits(sets_state_of(ctx)), .failed = 0};
    value_holder_init(&state.holder, NULL, set_value_free);
    state.holder.current = result;
    if (!any_missing && intersect(sets, count, collect_member, &state) != DBLITE_OK)
        state.failed = 1;
    dblite_free(sets);
    if (state.failed) {
        set_value_free(state.holder.current);
        collection_reply_out_of_memory(ctx);
        return;
    }
    set_store_result(ctx, argv[1], state.holder.current, "sinterstore", any_missing);
}
