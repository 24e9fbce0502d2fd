/*
 * sets_commands_union_diff.c - SUNION, SUNIONSTORE, SDIFF and SDIFFSTORE.
 *
 * The result is built as a new set (starting as an integer set and
 * converting as members arrive, so an all-integer result comes back sorted,
 * as Redis's does) and then replied or stored.  Missing keys count as empty
 * sets; any key of another type is an error.
 *
 * SDIFF picks between two strategies by their expected work, as Redis
 * does: checking each member of the first set against the others
 * (first-set size x number of sets, halved since a miss stops early), or
 * copying the first set and removing every member of the others (the sum of
 * all sizes).
 */
#include <stdlib.h>

#include "common/collection_access.h"
#include "set_access.h"
#include "sets.h"

static int add_all(value_holder *holder, const set_limits *limits, const set_value *set)
{
    set_iterator iterator;
    set_iterator_init(&iterator, set);
    set_member member;
    while (set_iterator_next(&iterator, &member))
        if (set_value_add_member(holder, limits, &member) < 0)
            return DBLITE_ERR_NOMEM;
    return DBLITE_OK;
}

static int build_union(value_holder *holder, const set_limits *limits, set_value *const *sets,
                       int count)
{
    for (int i = 0; i < count; i++)
        if (sets[i] != NULL && add_all(holder, limits, sets[i]) != DBLITE_OK)
            return DBLITE_ERR_NOMEM;
    return DBLITE_OK;
}

static int by_length_descending(const void *a, const void *b)
{
    size_t left = set_value_length(*(set_value *const *)a);
    size_t right = set_value_length(*(set_value *const *)b);
    return left > right ? -1 : left < right;
}

/* Each member of the first set that no other set has.  others holds the
 * non-missing other sets, largest first (the likeliest to hold a member). */
static int diff_by_lookup(value_holder *holder, const set_limits *limits, const set_value *first,
                          set_value *const *others, int other_count)
{
    set_iterator iterator;
    set_iterator_init(&iterator, first);
    set_member member;
    while (set_iterator_next(&iterator, &member)) {
        int elsewhere = 0;
        for (int i = 0; i < other_count && !elsewhere; i++)
            elsewhere = set_value_contains_member(others[i], &member);
        if (!elsewhere && set_value_add_member(holder, limits, &member) < 0)
            return DBLITE_ERR_NOMEM;
    }
    return DBLITE_OK;
}

/* The first set, minus every member of the others. */
static int diff_by_removal(value_holder *holder, const set_limits *limits, const set_value *first,
                           set_value *const *others, int other_count)
{
    if (add_all(holder, limits, first) != DBLITE_OK)
        return DBLITE_ERR_NOMEM;
    for (int i = 0; i < other_count && set_value_length(holder->current) > 0; i++) {
        set_iterator iterator;
        set_iterator_init(&iterator, others[i]);
        set_member member;
        while (set_iterator_next(&iterator, &member) && set_value_length(holder->current) > 0)
            set_value_remove(holder->current, member.bytes);
    }
    return DBLITE_OK;
}

static int build_difference(value_holder *holder, const set_limits *limits, set_value *const *sets,
                            int count)
{
    const set_value *first = sets[0];
    if (first == NULL)
        return DBLITE_OK;
    set_value **others = dblite_alloc((size_t)count * sizeof(set_value *));
    if (others == NULL)
        return DBLITE_ERR_NOMEM;
    int other_count = 0;
    size_t lookup_work = 0, removal_work = set_value_length(first);
    for (int i = 1; i < count; i++) {
        if (sets[i] == first) {
            /* A set minus itself: nothing can be left. */
            dblite_free(others);
            return DBLITE_OK;
        }
        if (sets[i] == NULL)
            continue;
        others[other_count++] = sets[i];
        lookup_work += set_value_length(first);
        removal_work += set_value_length(sets[i]);
    }
    int status;
    if (lookup_work / 2 <= removal_work) {
        qsort(others, (size_t)other_count, sizeof(set_value *), by_length_descending);
        status = diff_by_lookup(holder, limits, first, others, other_count);
    } else {
        status = diff_by_removal(holder, limits, first, others, other_count);
    }
    dblite_free(others);
    return status;
}

#define OPERATION_UNION 0
#define OPERATION_DIFFERENCE 1

/* Computes the operation over keys[0..count) and either replies the members
 * (store_key NULL) or stores them under *store_key. */
static void combine(dblite_ctx *ctx, const dblite_bytes *keys, int count,
                    const dblite_bytes *store_key, int operation)
{
    set_value **sets = dblite_alloc((size_t)count * sizeof(set_value *));
    if (sets == NULL) {
        collection_reply_out_of_memory(ctx);
        return;
    }
    /* Sources are read (a missing one is a keymiss) also when storing, as
     * in Redis 7.0. */
    if (set_lookup_all_or_reply(ctx, keys, count, DBLITE_LOOKUP_READ, sets) != DBLITE_OK) {
        dblite_free(sets);
        return;
    }
    set_value *result = set_create_result_or_reply(ctx);
    if (result == NULL) {
        dblite_free(sets);
        return;
    }
    set_limits limits = sets_limits(sets_state_of(ctx));
    value_holder holder;
    value_holder_init(&holder, NULL, set_value_free);
    holder.current = result;
    int status = operation == OPERATION_UNION ? build_union(&holder, &limits, sets, count)
                                              : build_difference(&holder, &limits, sets, count);
    dblite_free(sets);
    if (status != DBLITE_OK) {
        set_value_free(holder.current);
        collection_reply_out_of_memory(ctx);
        return;
    }
    if (store_key != NULL) {
        set_store_result(ctx, *store_key, holder.current,
                         operation == OPERATION_UNION ? "sunionstore" : "sdiffstore", 0);
        return;
    }
    set_reply_members(ctx, holder.current);
    set_value_free(holder.current);
}

void sets_sunion_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    combine(ctx, argv + 1, argc - 1, NULL, OPERATION_UNION);
}

void sets_sunionstore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    combine(ctx, argv + 2, argc - 2, &argv[1], OPERATION_UNION);
}

void sets_sdiff_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    combine(ctx, argv + 1, argc - 1, NULL, OPERATION_DIFFERENCE);
}

void sets_sdiffstore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    combine(ctx, argv + 2, argc - 2, &argv[1], OPERATION_DIFFERENCE);
}
