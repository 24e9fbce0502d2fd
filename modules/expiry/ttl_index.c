/*
 * ttl_index.c - hash table plus heap over shared records (see ttl_index.h).
 *
 * Deletion in the linear-probing table shifts later entries back instead of
 * leaving tombstones, so lookups stay short under heavy churn.
 */
#include "ttl_index.h"

#include <string.h>

#include "dblite_module.h"

#define INITIAL_SLOTS 16

static uint64_t key_hash(uint64_t seed, const char *key, size_t length) {
    uint64_t hash = seed ^ (length * 0x9E3779B97F4A7C15ULL);
    size_t i = 0;
    for (; i + 8 <= length; i += 8) {
        uint64_t chunk;
        memcpy(&chunk, key + i, 8);
        hash = (hash ^ chunk) * 0xFF51AFD7ED558CCDULL;
        hash ^= hash >> 32;
    }
    uint64_t tail = 0;
    memcpy(&tail, key + i, length - i);
    hash = (hash ^ tail) * 0xC4CEB9FE1A85EC53ULL;
    hash ^= hash >> 29;
    hash *= 0x9E3779B97F4A7C15ULL;
    return hash ^ (hash >> 32);
}

void ttl_index_init(ttl_index *index, uint64_t seed) {
    memset(index, 0, sizeof(*index));
    index->seed = seed;
}

void ttl_index_clear(ttl_index *index) {
    for (size_t i = 0; i < index->count; i++) dblite_free(index->heap[i]);
    dblite_free(index->slots);
    dblite_free(index->heap);
    uint64_t seed = index->seed;
    ttl_index_init(index, seed);
}

static size_t find_slot(const ttl_index *index, uint64_t hash, const char *key, size_t length) {
    size_t mask = index->slot_count - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        ttl_record *record = index->slots[i];
        if (!record) return i;
        if (record->hash == hash && record->key_length == length && memcmp(record->key, key, length) == 0) return i;
    }
}

long long ttl_index_get(const ttl_index *index, const char *key, size_t length) {
    if (index->count == 0) return -1;
    ttl_record *record = index->slots[find_slot(index, key_hash(index->seed, key, length), key, length)];
    return record ? record->deadline : -1;
}

static int resize_slots(ttl_index *index, size_t slot_count) {
    ttl_record **slots = dblite_alloc(slot_count * sizeof(*slots));
    if (!slots) return -1;
    memset(slots, 0, slot_count * sizeof(*slots));
    size_t mask = slot_count - 1;
    for (size_t h = 0; h < index->count; h++) {
        ttl_record *record = index->heap[h];
        size_t i = record->hash & mask;
        while (slots[i]) i = (i + 1) & mask;
        slots[i] = record;
    }
    dblite_free(index->slots);
    index->slots = slots;
    index->slot_count = slot_count;
    return 0;
}

static void heap_place(ttl_index *index, size_t at, ttl_record *record) {
    index->heap[at] = record;
    record->heap_index = at;
}

static void heap_up(ttl_index *index, size_t at) {
    ttl_record *record = index->heap[at];
    while (at > 0) {
        size_t parent = (at - 1) / 2;
        if (index->heap[parent]->deadline <= record->deadline) break;
        heap_place(index, at, index->heap[parent]);
        at = parent;
    }
    heap_place(index, at, record);
}

static void heap_down(ttl_index *index, size_t at) {
    ttl_record *record = index->heap[at];
    for (;;) {
        size_t child = at * 2 + 1;
        if (child >= index->count) break;
        if (child + 1 < index->count && index->heap[child + 1]->deadline < index->heap[child]->deadline) child++;
        if (index->heap[child]->deadline >= record->deadline) break;
        heap_place(index, at, index->heap[child]);
        at = child;
    }
    heap_place(index, at, record);
}

int ttl_index_set(ttl_index *index, const char *key, size_t length, long long deadline) {
    uint64_t hash = key_hash(index->seed, key, length);
    if (index->count > 0) {
        size_t slot = find_slot(index, hash, key, length);
        ttl_record *record = index->slots[slot];
        if (record) {
            index->deadline_sum += (__int128)deadline - record->deadline;
            long long old = record->deadline;
            record->deadline = deadline;
            if (deadline < old) heap_up(index, record->heap_index);
            else heap_down(index, record->heap_index);
            return 0;
        }
    }
    /* Grow before inserting: at most 3/4 full. */
    if ((index->count + 1) * 4 > index->slot_count * 3) {
        size_t wanted = index->slot_count ? index->slot_count * 2 : INITIAL_SLOTS;
        if (resize_slots(index, wanted) != 0) return -1;
    }
    if (index->count == index->heap_capacity) {
        size_t capacity = index->heap_capacity ? index->heap_capacity * 2 : INITIAL_SLOTS;
        ttl_record **heap = dblite_realloc(index->heap, capacity * sizeof(*heap));
        if (!heap) return -1;
        index->heap = heap;
        index->heap_capacity = capacity;
    }
    ttl_record *record = dblite_alloc(sizeof(*record) + length);
    if (!record) return -1;
    record->hash = hash;
    record->deadline = deadline;
    record->key_length = (uint32_t)length;
    memcpy(record->key, key, length);
    index->slots[find_slot(index, hash, key, length)] = record;
    index->count++;
    index->deadline_sum += deadline;
    heap_place(index, index->count - 1, record);
    heap_up(index, index->count - 1);
    return 0;
}

/* Backward-shift deletion keeps every probe chain unbroken. */
static void slots_delete(ttl_index *index, size_t hole) {
    size_t mask = index->slot_count - 1;
    index->slots[hole] = NULL;
    for (size_t i = (hole + 1) & mask; index->slots[i]; i = (i + 1) & mask) {
        size_t home = index->slots[i]->hash & mask;
        /* Move the entry back if its home is not in (hole, i]. */
        int between = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
        if (!between) {
            index->slots[hole] = index->slots[i];
            index->slots[i] = NULL;
            hole = i;
        }
    }
}

int ttl_index_remove(ttl_index *index, const char *key, size_t length) {
    if (index->count == 0) return 0;
    size_t slot = find_slot(index, key_hash(index->seed, key, length), key, length);
    ttl_record *record = index->slots[slot];
    if (!record) return 0;
    slots_delete(index, slot);
    size_t at = record->heap_index;
    index->count--;
    index->deadline_sum -= record->deadline;
    if (at != index->count) {
        ttl_record *moved = index->heap[index->count];
        heap_place(index, at, moved);
        heap_down(index, at);
        heap_up(index, moved->heap_index);
    }
    dblite_free(record);
    if (index->count == 0) {
        ttl_index_clear(index);
    } else if (index->slot_count > INITIAL_SLOTS && index->count * 8 < index->slot_count) {
        /* Shrink; if that fails the bigger table keeps working. */
        (void)resize_slots(index, index->slot_count / 2);
        if (index->heap_capacity > INITIAL_SLOTS && index->count * 4 < index->heap_capacity) {
            ttl_record **heap = dblite_realloc(index->heap, index->heap_capacity / 2 * sizeof(*heap));
            if (heap) {
                index->heap = heap;
                index->heap_capacity /= 2;
            }
        }
    }
    return 1;
}

const ttl_record *ttl_index_earliest(const ttl_index *index) { return index->count ? index->heap[0] : NULL; }
size_t ttl_index_count(const ttl_index *index) { return index->count; }

size_t ttl_index_memory(const ttl_index *index) {
    size_t bytes = dblite_alloc_size(index->slots) + dblite_alloc_size(index->heap);
    for (size_t i = 0; i < index->count; i++) bytes += dblite_alloc_size(index->heap[i]);
    return bytes;
}

long long ttl_index_average_ttl(const ttl_index *index, long long now_ms) {
    if (index->count == 0) return 0;
    long long average = (long long)(index->deadline_sum / (__int128)index->count) - now_ms;
    return average > 0 ? average : 0;
}

void ttl_index_swap(ttl_index *a, ttl_index *b) {
    ttl_index saved = *a;
    *a = *b;
    *b = saved;
}
