/*
 * test_ttl_index.c - unit tests of the expiry module's TTL index
 * (modules/expiry/ttl_index.c): the per-database hash table of deadlines
 * plus the min-heap over the same records.
 *
 * Random churn (add, rewrite up and down, remove, pop the earliest) runs
 * against a plain array model; after every step the earliest deadline must
 * be the model's minimum, and at intervals the whole structure is audited:
 * heap order, each record knowing its heap slot, every record reachable
 * through its probe chain, no stray slots.  The test supplies the allocator
 * the index links against: it counts live blocks and bytes, so memory must
 * return to its baseline, and it can fail the n-th allocation, so every
 * out-of-memory path is taken and must leave the index as it was.
 */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dblite_module.h"
#include "ttl_index.h"

#define SEED UINT64_C(0x5eed5eed12345678)

/* ---- The allocator the index links against ------------------------------- */

/* Process-wide: the index calls these symbols directly. */
static long long live_blocks;
static long long live_bytes;
static long long allocations_before_failure = -1; /* -1: never fail */
static long long failures_injected;

static int allocation_fails(void)
{
    if (allocations_before_failure < 0)
        return 0;
    if (allocations_before_failure == 0) {
        allocations_before_failure = -1;
        failures_injected++;
        return 1;
    }
    allocations_before_failure--;
    return 0;
}

void *dblite_alloc(size_t size)
{
    if (allocation_fails())
        return NULL;
    void *block = malloc(size ? size : 1);
    if (block) {
        live_blocks++;
        live_bytes += (long long)malloc_usable_size(block);
    }
    return block;
}

void *dblite_realloc(void *ptr, size_t size)
{
    if (ptr == NULL)
        return dblite_alloc(size);
    if (allocation_fails())
        return NULL;
    long long before = (long long)malloc_usable_size(ptr);
    void *block = realloc(ptr, size ? size : 1);
    if (block)
        live_bytes += (long long)malloc_usable_size(block) - before;
    return block;
}

void dblite_free(void *ptr)
{
    if (ptr == NULL)
        return;
    live_blocks--;
    live_bytes -= (long long)malloc_usable_size(ptr);
    free(ptr);
}

size_t dblite_alloc_size(const void *ptr)
{
    return ptr ? malloc_usable_size((void *)ptr) : 0;
}

/* ---- Helpers ------------------------------------------------------------- */

/* Deterministic pseudo-random numbers (xorshift64*), so failures reproduce. */
typedef struct random_source {
    uint64_t state;
} random_source;

static uint64_t next_random(random_source *source)
{
    uint64_t x = source->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    source->state = x;
    return x * UINT64_C(2685821657736338717);
}

static size_t key_name(char *buffer, size_t size, size_t number)
{
    /* Names of varied lengths cross the hash's 8-byte chunk boundary. */
    int length = snprintf(buffer, size, "key:%zu%.*s", number, (int)(number % 13), "-------------");
    return (size_t)length;
}

static long long get(const ttl_index *index, const char *key)
{
    return ttl_index_get(index, key, strlen(key));
}

static int set(ttl_index *index, const char *key, long long deadline)
{
    return ttl_index_set(index, key, strlen(key), deadline);
}

static int remove_key(ttl_index *index, const char *key)
{
    return ttl_index_remove(index, key, strlen(key));
}

/* Checks every structural rule of the index. */
static void audit(const ttl_index *index)
{
    if (index->count == 0) {
        assert_null(ttl_index_earliest(index));
        return;
    }
    assert_true(index->count <= index->heap_capacity);
    assert_true(index->slot_count > 0);
    assert_int_equal(index->slot_count & (index->slot_count - 1), 0);
    assert_true(index->count * 4 <= index->slot_count * 3);
    __int128 sum = 0;
    for (size_t i = 0; i < index->count; i++) {
        const ttl_record *record = index->heap[i];
        assert_non_null(record);
        assert_int_equal(record->heap_index, i);
        if (i > 0)
            assert_true(index->heap[(i - 1) / 2]->deadline <= record->deadline);
        sum += record->deadline;
        /* Reachable from its home slot without crossing an empty slot. */
        size_t mask = index->slot_count - 1;
        size_t slot = record->hash & mask;
        size_t steps = 0;
        while (index->slots[slot] != record) {
            assert_non_null(index->slots[slot]);
            slot = (slot + 1) & mask;
            assert_true(++steps < index->slot_count);
        }
        assert_int_equal(ttl_index_get(index, record->key, record->key_length), record->deadline);
    }
    assert_true(sum == index->deadline_sum);
    size_t used = 0;
    for (size_t i = 0; i < index->slot_count; i++)
        if (index->slots[i])
            used++;
    assert_int_equal(used, index->count);
    assert_ptr_equal(ttl_index_earliest(index), index->heap[0]);
}

/* ---- A reference model: key number -> deadline or -1 ----------------------- */

typedef struct model {
    long long *deadlines;
    size_t key_count;
    size_t with_ttl;
} model;

static void model_init(model *m, size_t key_count)
{
    m->deadlines = malloc(key_count * sizeof(*m->deadlines));
    assert_non_null(m->deadlines);
    for (size_t i = 0; i < key_count; i++)
        m->deadlines[i] = -1;
    m->key_count = key_count;
    m->with_ttl = 0;
}

static long long model_minimum(const model *m)
{
    long long minimum = -1;
    for (size_t i = 0; i < m->key_count; i++)
        if (m->deadlines[i] >= 0 && (minimum < 0 || m->deadlines[i] < minimum))
            minimum = m->deadlines[i];
    return minimum;
}

static void compare_with_model(const ttl_index *index, const model *m)
{
    assert_int_equal(ttl_index_count(index), m->with_ttl);
    char key[64];
    for (size_t i = 0; i < m->key_count; i++) {
        size_t length = key_name(key, sizeof key, i);
        assert_int_equal(ttl_index_get(index, key, length), m->deadlines[i]);
    }
}

/* ---- Tests --------------------------------------------------------------- */

static void test_set_get_remove_rewrite(void **state)
{
    (void)state;
    long long baseline = live_blocks;
    ttl_index index;
    ttl_index_init(&index, SEED);
    assert_int_equal(get(&index, "a"), -1);
    assert_int_equal(remove_key(&index, "a"), 0);
    assert_null(ttl_index_earliest(&index));
    assert_int_equal(ttl_index_count(&index), 0);
    assert_int_equal(ttl_index_memory(&index), 0);

    assert_int_equal(set(&index, "a", 1000), 0);
    assert_int_equal(get(&index, "a"), 1000);
    assert_int_equal(get(&index, "b"), -1);
    assert_int_equal(ttl_index_count(&index), 1);
    assert_true(ttl_index_memory(&index) > 0);

    /* Rewrites keep one record, later and earlier. */
    assert_int_equal(set(&index, "a", 5000), 0);
    assert_int_equal(get(&index, "a"), 5000);
    assert_int_equal(set(&index, "a", 10), 0);
    assert_int_equal(get(&index, "a"), 10);
    assert_int_equal(ttl_index_count(&index), 1);

    /* Binary keys: an empty key, embedded NULs, a prefix of another key. */
    assert_int_equal(ttl_index_set(&index, "", 0, 7), 0);
    assert_int_equal(ttl_index_set(&index, "x\0y", 3, 8), 0);
    assert_int_equal(ttl_index_set(&index, "x\0z", 3, 9), 0);
    assert_int_equal(ttl_index_set(&index, "x", 1, 11), 0);
    assert_int_equal(ttl_index_get(&index, "", 0), 7);
    assert_int_equal(ttl_index_get(&index, "x\0y", 3), 8);
    assert_int_equal(ttl_index_get(&index, "x\0z", 3), 9);
    assert_int_equal(ttl_index_get(&index, "x", 1), 11);
    assert_int_equal(ttl_index_get(&index, "x\0", 2), -1);
    assert_int_equal(ttl_index_count(&index), 5);
    assert_int_equal(ttl_index_earliest(&index)->deadline, 7);
    assert_int_equal(ttl_index_earliest(&index)->key_length, 0);
    audit(&index);

    /* Long keys hash every 8-byte chunk and the tail. */
    char long_key[300];
    memset(long_key, 'q', sizeof long_key);
    assert_int_equal(ttl_index_set(&index, long_key, sizeof long_key, 123), 0);
    long_key[sizeof long_key - 1] = 'r';
    assert_int_equal(ttl_index_get(&index, long_key, sizeof long_key), -1);
    long_key[sizeof long_key - 1] = 'q';
    assert_int_equal(ttl_index_get(&index, long_key, sizeof long_key), 123);
    assert_int_equal(ttl_index_get(&index, long_key, sizeof long_key - 1), -1);

    assert_int_equal(ttl_index_remove(&index, "x\0y", 3), 1);
    assert_int_equal(ttl_index_remove(&index, "x\0y", 3), 0);
    assert_int_equal(ttl_index_get(&index, "x\0z", 3), 9);
    assert_int_equal(ttl_index_count(&index), 5);
    audit(&index);

    /* A deadline of 0 and very large deadlines are ordinary values. */
    assert_int_equal(set(&index, "zero", 0), 0);
    assert_int_equal(set(&index, "max", INT64_MAX), 0);
    assert_int_equal(get(&index, "zero"), 0);
    assert_int_equal(get(&index, "max"), INT64_MAX);
    assert_int_equal(ttl_index_earliest(&index)->deadline, 0);
    audit(&index);

    ttl_index_clear(&index);
    assert_int_equal(ttl_index_count(&index), 0);
    assert_int_equal(get(&index, "a"), -1);
    assert_int_equal(live_blocks, baseline);
    /* A cleared index is usable again. */
    assert_int_equal(set(&index, "again", 42), 0);
    assert_int_equal(get(&index, "again"), 42);
    assert_int_equal(remove_key(&index, "again"), 1);
    assert_int_equal(live_blocks, baseline);
}

static void test_earliest_under_random_churn(void **state)
{
    (void)state;
    long long baseline_blocks = live_blocks, baseline_bytes = live_bytes;
    enum { KEYS = 3000, STEPS = 200000 };
    random_source random = {UINT64_C(0x9e3779b97f4a7c15)};
    model m;
    model_init(&m, KEYS);
    ttl_index index;
    ttl_index_init(&index, SEED);
    char key[64];
    size_t peak = 0;
    for (long step = 0; step < STEPS; step++) {
        uint64_t choice = next_random(&random) % 100;
        /* Phases grow and shrink the population so the table resizes both
         * ways many times. */
        int growing = (step / 20000) % 2 == 0;
        size_t number = next_random(&random) % KEYS;
        size_t length = key_name(key, sizeof key, number);
        /* Few distinct deadlines, so ties are common. */
        long long deadline = (long long)(next_random(&random) % 5000);
        if (choice < (growing ? 55u : 25u)) {
            assert_int_equal(ttl_index_set(&index, key, length, deadline), 0);
            if (m.deadlines[number] < 0)
                m.with_ttl++;
            m.deadlines[number] = deadline;
        } else if (choice < (growing ? 75u : 70u)) {
            int removed = ttl_index_remove(&index, key, length);
            assert_int_equal(removed, m.deadlines[number] >= 0);
            if (removed)
                m.with_ttl--;
            m.deadlines[number] = -1;
        } else if (choice < 90) {
            /* What active expiry does: take the earliest away. */
            const ttl_record *earliest = ttl_index_earliest(&index);
            if (earliest == NULL) {
                assert_int_equal(m.with_ttl, 0);
                continue;
            }
            char copy[64];
            size_t copy_length = earliest->key_length;
            memcpy(copy, earliest->key, copy_length);
            copy[copy_length] = '\0';
            unsigned long parsed = strtoul(copy + 4, NULL, 10);
            assert_int_equal(m.deadlines[parsed], earliest->deadline);
            assert_int_equal(ttl_index_remove(&index, copy, copy_length), 1);
            m.deadlines[parsed] = -1;
            m.with_ttl--;
        } else {
            /* Rewrite an existing TTL, later or earlier. */
            if (m.deadlines[number] < 0)
                continue;
            long long rewritten = m.deadlines[number] + (long long)(next_random(&random) % 2001) - 1000;
            if (rewritten < 0)
                rewritten = 0;
            assert_int_equal(ttl_index_set(&index, key, length, rewritten), 0);
            m.deadlines[number] = rewritten;
        }
        long long minimum = model_minimum(&m);
        const ttl_record *earliest = ttl_index_earliest(&index);
        if (minimum < 0)
            assert_null(earliest);
        else
            assert_int_equal(earliest->deadline, minimum);
        assert_int_equal(ttl_index_count(&index), m.with_ttl);
        if (index.slot_count > peak)
            peak = index.slot_count;
        if (step % 5000 == 0) {
            audit(&index);
            compare_with_model(&index, &m);
        }
    }
    audit(&index);
    compare_with_model(&index, &m);
    assert_true(peak >= 2048); /* the churn did grow the table */

    /* Draining through earliest() yields every deadline in order. */
    long long previous = -1;
    size_t drained = 0;
    while (ttl_index_earliest(&index) != NULL) {
        const ttl_record *earliest = ttl_index_earliest(&index);
        assert_true(earliest->deadline >= previous);
        previous = earliest->deadline;
        char copy[64];
        size_t copy_length = earliest->key_length;
        memcpy(copy, earliest->key, copy_length);
        assert_int_equal(ttl_index_remove(&index, copy, copy_length), 1);
        drained++;
    }
    assert_int_equal(drained, m.with_ttl);
    assert_int_equal(live_blocks, baseline_blocks);
    assert_int_equal(live_bytes, baseline_bytes);
    free(m.deadlines);
}

static int compare_deadlines(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static void test_pop_order_matches_sorted_deadlines(void **state)
{
    (void)state;
    enum { KEYS = 50000 };
    random_source random = {12345};
    long long *expected = malloc(KEYS * sizeof(*expected));
    assert_non_null(expected);
    ttl_index index;
    ttl_index_init(&index, SEED);
    char key[64];
    for (size_t i = 0; i < KEYS; i++) {
        /* Around "now" in Unix milliseconds, like real deadlines. */
        long long deadline = 1700000000000LL + (long long)(next_random(&random) % 100000000);
        expected[i] = deadline;
        size_t length = key_name(key, sizeof key, i);
        assert_int_equal(ttl_index_set(&index, key, length, deadline), 0);
    }
    audit(&index);
    qsort(expected, KEYS, sizeof(*expected), compare_deadlines);
    for (size_t i = 0; i < KEYS; i++) {
        const ttl_record *earliest = ttl_index_earliest(&index);
        assert_non_null(earliest);
        assert_int_equal(earliest->deadline, expected[i]);
        char copy[64];
        size_t copy_length = earliest->key_length;
        memcpy(copy, earliest->key, copy_length);
        assert_int_equal(ttl_index_remove(&index, copy, copy_length), 1);
    }
    assert_null(ttl_index_earliest(&index));
    free(expected);
}

static void test_shrink_and_memory_back_to_baseline(void **state)
{
    (void)state;
    long long baseline_blocks = live_blocks, baseline_bytes = live_bytes;
    enum { KEYS = 200000 };
    ttl_index index;
    ttl_index_init(&index, SEED);
    char key[64];
    for (size_t i = 0; i < KEYS; i++) {
        size_t length = key_name(key, sizeof key, i);
        assert_int_equal(ttl_index_set(&index, key, length, (long long)(i * 7919 % 100003)), 0);
    }
    size_t full_slots = index.slot_count, full_heap = index.heap_capacity;
    size_t full_memory = ttl_index_memory(&index);
    assert_true(full_slots >= KEYS);
    assert_true(full_heap >= KEYS);
    /* ttl_index_memory() is what INFO reports: it must be what the index
     * really holds. */
    assert_int_equal((long long)full_memory, live_bytes - baseline_bytes);

    /* Down to 100 keys: the table and the heap shrink with the count. */
    for (size_t i = 100; i < KEYS; i++) {
        size_t length = key_name(key, sizeof key, i);
        assert_int_equal(ttl_index_remove(&index, key, length), 1);
    }
    audit(&index);
    assert_int_equal(ttl_index_count(&index), 100);
    assert_true(index.slot_count <= 1024);
    assert_true(index.heap_capacity <= 512);
    assert_true(ttl_index_memory(&index) * 100 < full_memory);
    assert_int_equal((long long)ttl_index_memory(&index), live_bytes - baseline_bytes);
    for (size_t i = 0; i < 100; i++) {
        size_t length = key_name(key, sizeof key, i);
        assert_int_equal(ttl_index_get(&index, key, length), (long long)(i * 7919 % 100003));
    }

    /* The last removal gives everything back. */
    for (size_t i = 0; i < 100; i++) {
        size_t length = key_name(key, sizeof key, i);
        assert_int_equal(ttl_index_remove(&index, key, length), 1);
    }
    assert_int_equal(ttl_index_count(&index), 0);
    assert_int_equal(ttl_index_memory(&index), 0);
    assert_int_equal(live_blocks, baseline_blocks);
    assert_int_equal(live_bytes, baseline_bytes);

    /* clear() on a full index also returns everything. */
    for (size_t i = 0; i < 5000; i++) {
        size_t length = key_name(key, sizeof key, i);
        assert_int_equal(ttl_index_set(&index, key, length, 1), 0);
    }
    ttl_index_clear(&index);
    assert_int_equal(live_blocks, baseline_blocks);
    assert_int_equal(live_bytes, baseline_bytes);
}

static void test_rewrite_churn_keeps_memory_flat(void **state)
{
    (void)state;
    enum { KEYS = 1000, REWRITES = 200000 };
    random_source random = {777};
    ttl_index index;
    ttl_index_init(&index, SEED);
    char key[64];
    for (size_t i = 0; i < KEYS; i++) {
        size_t length = key_name(key, sizeof key, i);
        assert_int_equal(ttl_index_set(&index, key, length, 1000), 0);
    }
    long long blocks = live_blocks, bytes = live_bytes;
    size_t memory = ttl_index_memory(&index);
    for (long i = 0; i < REWRITES; i++) {
        size_t number = next_random(&random) % KEYS;
        size_t length = key_name(key, sizeof key, number);
        assert_int_equal(ttl_index_set(&index, key, length, 1000 + i), 0);
    }
    /* Rewriting touches no allocation at all. */
    assert_int_equal(live_blocks, blocks);
    assert_int_equal(live_bytes, bytes);
    assert_int_equal(ttl_index_memory(&index), memory);
    assert_int_equal(ttl_index_count(&index), KEYS);
    audit(&index);
    ttl_index_clear(&index);
}

static void test_swap(void **state)
{
    (void)state;
    ttl_index first, second;
    ttl_index_init(&first, SEED);
    ttl_index_init(&second, SEED);
    assert_int_equal(set(&first, "a", 10), 0);
    assert_int_equal(set(&first, "b", 20), 0);
    assert_int_equal(set(&second, "c", 30), 0);
    ttl_index_swap(&first, &second);
    assert_int_equal(get(&first, "c"), 30);
    assert_int_equal(get(&first, "a"), -1);
    assert_int_equal(get(&second, "a"), 10);
    assert_int_equal(get(&second, "b"), 20);
    assert_int_equal(ttl_index_count(&first), 1);
    assert_int_equal(ttl_index_count(&second), 2);
    assert_int_equal(ttl_index_earliest(&first)->deadline, 30);
    assert_int_equal(ttl_index_earliest(&second)->deadline, 10);
    /* Both keep working after the swap (heap slots travel with records). */
    assert_int_equal(set(&first, "d", 5), 0);
    assert_int_equal(remove_key(&second, "a"), 1);
    assert_int_equal(ttl_index_earliest(&first)->deadline, 5);
    assert_int_equal(ttl_index_earliest(&second)->deadline, 20);
    audit(&first);
    audit(&second);
    /* Swapping with an empty index. */
    ttl_index empty;
    ttl_index_init(&empty, SEED);
    ttl_index_swap(&first, &empty);
    assert_int_equal(ttl_index_count(&first), 0);
    assert_int_equal(get(&empty, "d"), 5);
    ttl_index_clear(&empty);
    ttl_index_clear(&second);
    ttl_index_clear(&first);
}

static void test_average_ttl(void **state)
{
    (void)state;
    ttl_index index;
    ttl_index_init(&index, SEED);
    assert_int_equal(ttl_index_average_ttl(&index, 1000), 0);
    assert_int_equal(set(&index, "a", 2000), 0);
    assert_int_equal(set(&index, "b", 4000), 0);
    assert_int_equal(ttl_index_average_ttl(&index, 1000), 2000);
    /* Rewrites and removals keep the sum exact. */
    assert_int_equal(set(&index, "b", 6000), 0);
    assert_int_equal(ttl_index_average_ttl(&index, 1000), 3000);
    assert_int_equal(remove_key(&index, "a"), 1);
    assert_int_equal(ttl_index_average_ttl(&index, 1000), 5000);
    /* All deadlines past: never negative. */
    assert_int_equal(ttl_index_average_ttl(&index, 100000), 0);
    /* Deadlines near the top of the range do not overflow the sum. */
    assert_int_equal(set(&index, "big1", INT64_MAX), 0);
    assert_int_equal(set(&index, "big2", INT64_MAX - 2), 0);
    assert_int_equal(set(&index, "b", INT64_MAX - 4), 0);
    assert_int_equal(ttl_index_average_ttl(&index, 0), INT64_MAX - 2);
    assert_int_equal(ttl_index_average_ttl(&index, INT64_MAX - 12), 10);
    /* Many records: the exact mean of 1..N is (N+1)/2. */
    ttl_index_clear(&index);
    char key[64];
    for (size_t i = 1; i <= 10001; i++) {
        size_t length = key_name(key, sizeof key, i);
        assert_int_equal(ttl_index_set(&index, key, length, 1000000 + (long long)i), 0);
    }
    assert_int_equal(ttl_index_average_ttl(&index, 1000000), 5001);
    ttl_index_clear(&index);
}

/* Every allocation of an insert, fail in turn: the index must read as if
 * the insert never happened, and keep working. */
static void test_allocation_failures_leave_index_intact(void **state)
{
    (void)state;
    long long baseline_blocks = live_blocks, baseline_bytes = live_bytes;
    ttl_index index;
    ttl_index_init(&index, SEED);
    char key[64];
    size_t inserted = 0;
    long long failed_inserts = 0;
    /* Insert 3000 keys, failing the n-th allocation of each insert for
     * n = 0, 1, 2 in turn before letting it succeed: this hits the first
     * table, every table growth, every heap growth and the record. */
    for (size_t i = 0; i < 3000; i++) {
        size_t length = key_name(key, sizeof key, i);
        for (long long n = 0; n < 3; n++) {
            long long injected = failures_injected;
            allocations_before_failure = n;
            int status = ttl_index_set(&index, key, length, (long long)(1000 - i % 1000));
            allocations_before_failure = -1;
            if (failures_injected == injected) {
                /* The insert needed fewer allocations: it succeeded. */
                assert_int_equal(status, 0);
                break;
            }
            assert_int_equal(status, -1);
            failed_inserts++;
            assert_int_equal(ttl_index_get(&index, key, length), -1);
            assert_int_equal(ttl_index_count(&index), inserted);
        }
        if (ttl_index_get(&index, key, length) < 0)
            assert_int_equal(ttl_index_set(&index, key, length, (long long)(1000 - i % 1000)), 0);
        inserted++;
        if (i % 250 == 0)
            audit(&index);
    }
    assert_true(failed_inserts >= 3000);
    audit(&index);
    for (size_t i = 0; i < 3000; i++) {
        size_t length = key_name(key, sizeof key, i);
        assert_int_equal(ttl_index_get(&index, key, length), (long long)(1000 - i % 1000));
    }
    /* Rewrites never allocate, so they cannot fail. */
    size_t rewritten_length = key_name(key, sizeof key, 5);
    allocations_before_failure = 0;
    assert_int_equal(ttl_index_set(&index, key, rewritten_length, 1), 0);
    allocations_before_failure = -1;
    assert_int_equal(ttl_index_get(&index, key, rewritten_length), 1);
    failures_injected = 0;

    /* Removals whose shrink fails still remove, and the table stays sound. */
    for (size_t i = 0; i < 3000; i++) {
        size_t length = key_name(key, sizeof key, i);
        allocations_before_failure = 0;
        assert_int_equal(ttl_index_remove(&index, key, length), 1);
        allocations_before_failure = -1;
        assert_int_equal(ttl_index_get(&index, key, length), -1);
        if (i % 250 == 0)
            audit(&index);
    }
    assert_true(failures_injected > 0); /* some shrink was refused */
    assert_int_equal(ttl_index_count(&index), 0);
    assert_int_equal(live_blocks, baseline_blocks);
    assert_int_equal(live_bytes, baseline_bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_get_remove_rewrite),
        cmocka_unit_test(test_earliest_under_random_churn),
        cmocka_unit_test(test_pop_order_matches_sorted_deadlines),
        cmocka_unit_test(test_shrink_and_memory_back_to_baseline),
        cmocka_unit_test(test_rewrite_churn_keeps_memory_flat),
        cmocka_unit_test(test_swap),
        cmocka_unit_test(test_average_ttl),
        cmocka_unit_test(test_allocation_failures_leave_index_intact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
