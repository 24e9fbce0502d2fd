/*
 * timer_index.h - finds a timer by its id, for the event loop's O(log n)
 * removal: the index gives the timer, the timer knows its heap slot.
 *
 * An open-addressing table with linear probing, keyed by the 64-bit id
 * (ids are handed out in sequence and never reused, so a multiplicative
 * hash spreads them well).  It stays at most half full and shrinks when it
 * falls below an eighth, so memory follows the number of live timers.
 */
#ifndef DBLITE_TIMER_INDEX_H
#define DBLITE_TIMER_INDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct timer_index_slot {
    uint64_t id; /* 0: empty (0 is never a timer id) */
    void *timer;
} timer_index_slot;

typedef struct timer_index {
    timer_index_slot *slots;
    size_t capacity; /* 0 or a power of two */
    size_t used;
    uint64_t probes; /* slots inspected by lookups and removals, for tests */
} timer_index;

void timer_index_init(timer_index *index);
void timer_index_free(timer_index *index);
/* Adds id (not present yet, nonzero); 0, or -1 when memory runs out. */
int timer_index_add(timer_index *index, uint64_t id, void *timer);
/* The timer stored under id, or NULL. */
void *timer_index_find(timer_index *index, uint64_t id);
/* Removes id if present. */
void timer_index_remove(timer_index *index, uint64_t id);

#endif
