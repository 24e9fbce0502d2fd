/*
 * timer_index.c - the id -> timer table of the event loop (see the header).
 *
 * Removal shifts later entries of the probe run back (no tombstones), so a
 * table under constant add/remove churn, as blocked-client timeouts are,
 * never fills up with dead slots.
 */
#include "event/timer_index.h"

#include <stdlib.h>

#define INITIAL_CAPACITY 16

static size_t home_slot(const timer_index *index, uint64_t id)
{
    return (size_t)((id * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & (index->capacity - 1);
}

void timer_index_init(timer_index *index)
{
    index->slots = NULL;
    index->capacity = 0;
    index->used = 0;
    index->probes = 0;
}

void timer_index_free(timer_index *index)
{
    free(index->slots);
    timer_index_init(index);
}

static void place(timer_index *index, uint64_t id, void *timer)
{
    size_t mask = index->capacity - 1;
    size_t at = home_slot(index, id);
    while (index->slots[at].id != 0)
        at = (at + 1) & mask;
    index->slots[at].id = id;
    index->slots[at].timer = timer;
}

static int rehash(timer_index *index, size_t capacity)
{
    timer_index_slot *slots = calloc(capacity, sizeof(*slots));
    if (!slots)
        return -1;
    timer_index_slot *old = index->slots;
    size_t old_capacity = index->capacity;
    index->slots = slots;
    index->capacity = capacity;
    for (size_t i = 0; i < old_capacity; i++)
        if (old[i].id != 0)
            place(index, old[i].id, old[i].timer);
    free(old);
    return 0;
}

int timer_index_add(timer_index *index, uint64_t id, void *timer)
{
    if ((index->used + 1) * 2 > index->capacity &&
        rehash(index, index->capacity ? index->capacity * 2 : INITIAL_CAPACITY) != 0)
        return -1;
    place(index, id, timer);
    index->used++;
    return 0;
}

/* The slot holding id, or capacity when absent. */
static size_t slot_of(timer_index *index, uint64_t id)
{
    if (index->capacity == 0)
        return 0;
    size_t mask = index->capacity - 1;
    for (size_t at = home_slot(index, id);; at = (at + 1) & mask) {
        index->probes++;
        if (index->slots[at].id == id)
            return at;
        if (index->slots[at].id == 0)
            return index->capacity;
    }
}

void *timer_index_find(timer_index *index, uint64_t id)
{
    size_t at = slot_of(index, id);
    return at < index->capacity ? index->slots[at].timer : NULL;
}

void timer_index_remove(timer_index *index, uint64_t id)
{
    size_t hole = slot_of(index, id);
    if (hole >= index->capacity)
        return;
    size_t mask = index->capacity - 1;
    /* Backward shift: move up each later entry of the run whose home slot
     * does not lie between the hole and its own position. */
    for (size_t at = (hole + 1) & mask; index->slots[at].id != 0; at = (at + 1) & mask) {
        size_t home = home_slot(index, index->slots[at].id);
        int stays = hole <= at ? (home > hole && home <= at) : (home > hole || home <= at);
        if (stays)
            continue;
        index->slots[hole] = index->slots[at];
        hole = at;
    }
    index->slots[hole].id = 0;
    index->slots[hole].timer = NULL;
    index->used--;
    /* Shrinking is best effort: a failed rehash leaves a valid, larger table. */
    if (index->capacity > INITIAL_CAPACITY && index->used * 8 < index->capacity)
        (void)rehash(index, index->capacity / 2);
}
