/*
 * ttl_index.h - the deadlines of one database: key -> absolute deadline in
 * Unix milliseconds, with the earliest deadline at hand.
 *
 * A hash table answers "what is this key's deadline" for lazy expiry, and a
 * binary min-heap over the same records answers "which key dies next" for
 * active expiry.  Each record knows its heap slot, so rewriting or removing a
 * TTL is O(log n) and the heap never holds stale entries: memory stays
 * proportional to the keys that have a TTL, however often TTLs are rewritten.
 */
#ifndef DBLITE_TTL_INDEX_H
#define DBLITE_TTL_INDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct ttl_record {
    uint64_t hash;
    long long deadline;
    size_t heap_index;
    uint32_t key_length;
    char key[];
} ttl_record;

typedef struct ttl_index {
    ttl_record **slots;     /* open addressing, linear probing, power of two */
    size_t slot_count;
    size_t count;
    ttl_record **heap;      /* min-heap by deadline, count entries */
    size_t heap_capacity;
    uint64_t seed;
    __int128 deadline_sum;  /* for the exact average TTL in INFO */
} ttl_index;

void ttl_index_init(ttl_index *index, uint64_t seed);
void ttl_index_clear(ttl_index *index);
/* The deadline, or -1 when the key has none. */
long long ttl_index_get(const ttl_index *index, const char *key, size_t length);
/* Adds or rewrites a deadline; 0, or -1 when out of memory (index unchanged). */
int ttl_index_set(ttl_index *index, const char *key, size_t length, long long deadline);
/* 1 when the key had a deadline. */
int ttl_index_remove(ttl_index *index, const char *key, size_t length);
/* The record with the earliest deadline, NULL when empty. */
const ttl_record *ttl_index_earliest(const ttl_index *index);
size_t ttl_index_count(const ttl_index *index);
size_t ttl_index_memory(const ttl_index *index);
long long ttl_index_average_ttl(const ttl_index *index, long long now_ms);
void ttl_index_swap(ttl_index *a, ttl_index *b);

#endif
