/*
 * random_sample.c - distinct uniform positions.
 *
 * When the sample is a large part of the range (more than a third, Redis's
 * threshold too), a partial Fisher-Yates shuffle of all positions costs
 * O(total) and never retries.  Otherwise positions are drawn and duplicates
 * rejected with a small open-addressing set, which costs O(count) expected
 * because each draw is new with probability above 2/3.
 */
#include "random_sample.h"

#include <stdint.h>
#include <string.h>

#include "dblite_module.h"

static int shuffle_prefix(random_source *random, size_t total, size_t count, size_t *picks)
{
    size_t *all = dblite_alloc(total * sizeof(size_t));
    if (all == NULL)
        return DBLITE_ERR_NOMEM;
    for (size_t i = 0; i < total; i++)
        all[i] = i;
    for (size_t i = 0; i < count; i++) {
        size_t chosen = i + (size_t)random_below(random, total - i);
        size_t swap = all[i];
        all[i] = all[chosen];
        all[chosen] = swap;
        picks[i] = all[i];
    }
    dblite_free(all);
    return DBLITE_OK;
}

static int draw_with_rejection(random_source *random, size_t total, size_t count, size_t *picks)
{
    size_t capacity = 16;
    while (capacity < count * 2)
        capacity *= 2;
    /* Slots hold position + 1, so zero marks an empty slot. */
    size_t *seen = dblite_alloc(capacity * sizeof(size_t));
    if (seen == NULL)
        return DBLITE_ERR_NOMEM;
    memset(seen, 0, capacity * sizeof(size_t));
    size_t mask = capacity - 1;
    size_t drawn = 0;
    while (drawn < count) {
        size_t position = (size_t)random_below(random, total);
        /* Fibonacci hashing spreads consecutive positions over the set. */
        size_t slot = (size_t)(((uint64_t)position * UINT64_C(0x9e3779b97f4a7c15)) >> 20) & mask;
        int duplicate = 0;
        while (seen[slot] != 0) {
            if (seen[slot] == position + 1) {
                duplicate = 1;
                break;
            }
            slot = (slot + 1) & mask;
        }
        if (duplicate)
            continue;
        seen[slot] = position + 1;
        picks[drawn++] = position;
    }
    dblite_free(seen);
    return DBLITE_OK;
}

int random_distinct_positions(random_source *random, size_t total, size_t count, size_t *picks)
{
    if (count == 0)
        return DBLITE_OK;
    if (count * 3 > total)
        return shuffle_prefix(random, total, count, picks);
    return draw_with_rejection(random, total, count, picks);
}
