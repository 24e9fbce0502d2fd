/*
 * test_ttl_index.c - unit tests of the expiry module's TTL index
 * (modules/expiry/ttl_index.c): key handle -> deadline in paged records, a
 * chained hash table that rehashes incrementally, and a min-heap.
 *
 * Random churn (add, rewrite up and down, remove, pop the earliest, count
 * what is due, idle rehash steps) runs against a plain array model; after
 * every step the earliest deadline must be the model's minimum, and at
 * intervals the whole structure is audited: pages, heap order, each record
 * knowing its heap slot, every record reached exactly once from the buckets
 * (none left behind the rehash cursor) and found by a lookup, the deadline
 * sum.  The test supplies the allocator the index links against: it counts
 * live blocks and bytes (memory must return to its baseline and match what
 * the index reports), remembers the largest blocks asked for (no call may
 * allocate more than a page or a bucket array), and can fail the n-th
 * allocation, so every out-of-memory path is taken.
 *
 * Handles are fake pointers (never dereferenced by the index): key number i
 * is (const void *)(16 * i + 16).
 */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "dblite_module.h"
#include "ttl_index.h"

#define SEED UINT64_C(0x5eed5eed12345678)
#define FULL_PAGE_BYTES (TTL_INDEX_PAGE_RECORDS * (sizeof(ttl_record) + sizeof(uint32_t)))

/* ---- The allocator the index links against ------------------------------- */

/* Process-wide: the index calls these symbols directly. */
static long long live_blocks;
static long long live_bytes;
static long long allocation_calls;
static long long allocations_before_failure = -1; /* -1: never fail */
static long long failures_injected;
static size_t largest_plain_request;  /* dblite_alloc and dblite_realloc */
static size_t largest_zeroed_request; /* dblite_calloc */
static long long odd_zeroed_requests; /* calloc sizes that are no bucket array */

static int allocation_fails(void)
{
    allocation_calls++;
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

static void *counted(void *block)
{
    if (block) {
        live_blocks++;
        live_bytes += (long long)malloc_usable_size(block);
    }
    return block;
}

void *dblite_alloc(size_t size)
{
    if (size > largest_plain_request)
        largest_plain_request = size;
    if (allocation_fails())
        return NULL;
    return counted(malloc(size ? size : 1));
}

void *dblite_calloc(size_t size)
{
    if (size > largest_zeroed_request)
        largest_zeroed_request = size;
    /* Bucket arrays: a power of two count of 32-bit entries. */
    if (size < 4 || (size & (size - 1)) != 0)
        odd_zeroed_requests++;
    if (allocation_fails())
        return NULL;
    return counted(calloc(1, size ? size : 1));
}

void *dblite_realloc(void *ptr, size_t size)
{
    if (ptr == NULL)
        return dblite_alloc(size);
    if (size > largest_plain_request)
        largest_plain_request = size;
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

static const void *handle_of(size_t number)
{
    return (const void *)(uintptr_t)(number * 16 + 16);
}

static size_t number_of(const void *handle)
{
    return ((size_t)(uintptr_t)handle - 16) / 16;
}

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static ttl_record *record_at(const ttl_index *index, size_t number)
{
    return &index->pages[number / TTL_INDEX_PAGE_RECORDS].records[number % TTL_INDEX_PAGE_RECORDS];
}

static uint32_t heap_at(const ttl_index *index, size_t position)
{
    return index->pages[position / TTL_INDEX_PAGE_RECORDS].heap[position % TTL_INDEX_PAGE_RECORDS];
}

static int is_power_of_two(size_t value)
{
    return value != 0 && (value & (value - 1)) == 0;
}

static long long earliest_deadline(const ttl_index *index)
{
    const void *handle = NULL;
    long long deadline = 0;
    if (!ttl_index_earliest(index, &handle, &deadline))
        return -1;
    assert_non_null(handle);
    return deadline;
}

/* Walks one bucket array, marking each record reached; returns how many. */
static size_t walk_buckets(const ttl_index *index, const uint32_t *buckets, size_t bucket_count,
                           size_t first, unsigned char *reached)
{
    size_t found = 0;
    for (size_t bucket = first; bucket < bucket_count; bucket++) {
        for (uint32_t link = buckets[bucket]; link != 0; link = record_at(index, link - 1)->next) {
            assert_true(link - 1 < index->count);
            assert_int_equal(reached[link - 1], 0); /* once only: no cycle, no sharing */
            reached[link - 1] = 1;
            found++;
        }
    }
    return found;
}

/* Checks every structural rule of the index.  The final lookups may move a
 * bucket of a rehash, as any lookup does. */
static void audit(ttl_index *index)
{
    size_t count = index->count;
    const void *handle;
    long long deadline;
    if (count == 0) {
        assert_int_equal(ttl_index_earliest(index, &handle, &deadline), 0);
        assert_null(index->pages);
        assert_null(index->spare_page);
        assert_null(index->buckets[0]);
        assert_null(index->buckets[1]);
        assert_int_equal(ttl_index_memory(index), 0);
        assert_true(index->deadline_sum == 0);
        return;
    }
    /* Pages: page 0 grows alone, then every page is full-size. */
    size_t pages = (count - 1) / TTL_INDEX_PAGE_RECORDS + 1;
    assert_non_null(index->pages);
    assert_true(index->page_slots >= pages);
    assert_true(is_power_of_two(index->first_page_records));
    assert_true(index->first_page_records <= TTL_INDEX_PAGE_RECORDS);
    assert_true(count <= index->first_page_records ||
                index->first_page_records == TTL_INDEX_PAGE_RECORDS);
    for (size_t page = 0; page < pages; page++) {
        size_t capacity = page == 0 ? index->first_page_records : TTL_INDEX_PAGE_RECORDS;
        assert_non_null(index->pages[page].records);
        assert_ptr_equal((void *)index->pages[page].heap,
                         (void *)(index->pages[page].records + capacity));
    }
    assert_true(index->spare_page != index->pages[pages - 1].records);

    /* Heap: order, positions, a permutation of the record numbers. */
    unsigned char *reached = calloc(count, 1);
    assert_non_null(reached);
    __int128 sum = 0;
    for (size_t position = 0; position < count; position++) {
        uint32_t number = heap_at(index, position);
        assert_true(number < count);
        assert_int_equal(reached[number], 0);
        reached[number] = 1;
        const ttl_record *record = record_at(index, number);
        assert_int_equal(record->heap_position, position);
        assert_non_null(record->handle);
        if (position > 0)
            assert_true(record_at(index, heap_at(index, (position - 1) / 2))->deadline <=
                        record->deadline);
        sum += record->deadline;
    }
    assert_true(sum == index->deadline_sum);
    memset(reached, 0, count);

    /* Buckets: during a rehash the old array is empty below the cursor. */
    assert_true(is_power_of_two(index->bucket_count[0]));
    assert_non_null(index->buckets[0]);
    size_t found = 0;
    if (index->buckets[1] != NULL) {
        assert_true(is_power_of_two(index->bucket_count[1]));
        assert_true(index->rehash_cursor < index->bucket_count[0]);
        for (size_t bucket = 0; bucket < index->rehash_cursor; bucket++)
            assert_int_equal(index->buckets[0][bucket], 0);
        found += walk_buckets(index, index->buckets[1], index->bucket_count[1], 0, reached);
    } else {
        assert_int_equal(index->bucket_count[1], 0);
        assert_int_equal(index->rehash_cursor, 0);
    }
    found += walk_buckets(index, index->buckets[0], index->bucket_count[0], index->rehash_cursor,
                          reached);
    assert_int_equal(found, count);
    free(reached);

    /* The earliest is the heap's top. */
    assert_int_equal(ttl_index_earliest(index, &handle, &deadline), 1);
    assert_ptr_equal(handle, record_at(index, heap_at(index, 0))->handle);
    assert_int_equal(deadline, record_at(index, heap_at(index, 0))->deadline);

    /* Each record sits in the bucket a lookup searches.  Collect the pairs
     * first: lookups move buckets, never records, but stay safe anyway. */
    const void **handles = malloc(count * sizeof(*handles));
    long long *deadlines = malloc(count * sizeof(*deadlines));
    assert_non_null(handles);
    assert_non_null(deadlines);
    for (size_t number = 0; number < count; number++) {
        handles[number] = record_at(index, number)->handle;
        deadlines[number] = record_at(index, number)->deadline;
    }
    for (size_t number = 0; number < count; number++)
        assert_int_equal(ttl_index_get(index, handles[number]), deadlines[number]);
    free(handles);
    free(deadlines);
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

static size_t model_due(const model *m, long long now)
{
    size_t due = 0;
    for (size_t i = 0; i < m->key_count; i++)
        if (m->deadlines[i] >= 0 && m->deadlines[i] < now)
            due++;
    return due;
}

static void model_set(model *m, size_t number, long long deadline)
{
    if (m->deadlines[number] < 0)
        m->with_ttl++;
    m->deadlines[number] = deadline;
}

static void model_remove(model *m, size_t number)
{
    if (m->deadlines[number] >= 0)
        m->with_ttl--;
    m->deadlines[number] = -1;
}

static void compare_with_model(ttl_index *index, const model *m)
{
    assert_int_equal(ttl_index_count(index), m->with_ttl);
    for (size_t i = 0; i < m->key_count; i++)
        assert_int_equal(ttl_index_get(index, handle_of(i)), m->deadlines[i]);
}

/* ---- Tests --------------------------------------------------------------- */

static void test_set_get_remove_rewrite(void **state)
{
    (void)state;
    long long baseline = live_blocks;
    ttl_index index;
    ttl_index_init(&index, SEED);
    const void *a = handle_of(1), *b = handle_of(2);
    const void *earliest_handle = NULL;
    long long earliest_value = 0;
    assert_int_equal(ttl_index_get(&index, a), -1);
    assert_int_equal(ttl_index_remove(&index, a), 0);
    assert_int_equal(earliest_deadline(&index), -1);
    assert_int_equal(ttl_index_count(&index), 0);
    assert_int_equal(ttl_index_count_due(&index, 1000), 0);
    assert_int_equal(ttl_index_memory(&index), 0);
    assert_int_equal(ttl_index_rehash_step(&index, 100), 0);
    assert_int_equal(live_blocks, baseline); /* init and queries allocate nothing */

    assert_int_equal(ttl_index_set(&index, a, 1000), 0);
    assert_int_equal(ttl_index_get(&index, a), 1000);
    assert_int_equal(ttl_index_get(&index, b), -1);
    assert_int_equal(ttl_index_count(&index), 1);
    assert_true(ttl_index_memory(&index) > 0);
    assert_true(ttl_index_memory(&index) < 1024); /* one TTL costs little */

    /* Rewrites keep one record, later and earlier. */
    assert_int_equal(ttl_index_set(&index, a, 5000), 0);
    assert_int_equal(ttl_index_get(&index, a), 5000);
    assert_int_equal(ttl_index_set(&index, a, 10), 0);
    assert_int_equal(ttl_index_get(&index, a), 10);
    assert_int_equal(ttl_index_count(&index), 1);
    /* A later deadline, even by one, moves a record down the heap. */
    assert_int_equal(ttl_index_set(&index, b, 11), 0);
    assert_int_equal(earliest_deadline(&index), 10);
    assert_int_equal(ttl_index_set(&index, a, 12), 0);
    assert_int_equal(earliest_deadline(&index), 11);
    /* Tied at the top: one step later must give way to the other. */
    assert_int_equal(ttl_index_set(&index, a, 10), 0);
    assert_int_equal(ttl_index_set(&index, b, 10), 0);
    assert_int_equal(ttl_index_set(&index, a, 11), 0);
    assert_int_equal(ttl_index_earliest(&index, &earliest_handle, &earliest_value), 1);
    assert_ptr_equal(earliest_handle, b);
    assert_int_equal(earliest_value, 10);
    assert_int_equal(ttl_index_set(&index, a, 10), 0);
    assert_int_equal(ttl_index_remove(&index, b), 1);

    /* Handles are compared by identity: neighbours are other keys. */
    const void *odd = (const void *)(uintptr_t)17, *high = (const void *)UINTPTR_MAX;
    assert_int_equal(ttl_index_set(&index, odd, 7), 0);
    assert_int_equal(ttl_index_set(&index, high, 8), 0);
    assert_int_equal(ttl_index_get(&index, odd), 7);
    assert_int_equal(ttl_index_get(&index, high), 8);
    assert_int_equal(ttl_index_get(&index, (const void *)(uintptr_t)18), -1);
    const void *earliest = NULL;
    long long deadline = 0;
    assert_int_equal(ttl_index_earliest(&index, &earliest, &deadline), 1);
    assert_ptr_equal(earliest, odd);
    assert_int_equal(deadline, 7);
    audit(&index);

    assert_int_equal(ttl_index_remove(&index, odd), 1);
    assert_int_equal(ttl_index_remove(&index, odd), 0);
    assert_int_equal(ttl_index_get(&index, high), 8);
    assert_int_equal(ttl_index_count(&index), 2);
    audit(&index);

    /* 0, negative and extreme deadlines are ordinary values. */
    assert_int_equal(ttl_index_set(&index, handle_of(3), 0), 0);
    assert_int_equal(ttl_index_set(&index, handle_of(4), INT64_MAX), 0);
    assert_int_equal(ttl_index_get(&index, handle_of(3)), 0);
    assert_int_equal(ttl_index_get(&index, handle_of(4)), INT64_MAX);
    assert_int_equal(earliest_deadline(&index), 0);
    assert_int_equal(ttl_index_set(&index, handle_of(5), INT64_MIN), 0);
    assert_int_equal(ttl_index_earliest(&index, &earliest, &deadline), 1);
    assert_ptr_equal(earliest, handle_of(5));
    assert_true(deadline == INT64_MIN);
    assert_int_equal(ttl_index_count_due(&index, INT64_MIN), 0);
    assert_int_equal(ttl_index_count_due(&index, 0), 1);
    assert_int_equal(ttl_index_count_due(&index, 1), 2);
    assert_int_equal(ttl_index_count_due(&index, INT64_MAX), 4);
    audit(&index);

    ttl_index_clear(&index);
    assert_int_equal(ttl_index_count(&index), 0);
    assert_int_equal(ttl_index_get(&index, a), -1);
    assert_int_equal(ttl_index_memory(&index), 0);
    assert_int_equal(live_blocks, baseline);
    assert_int_equal(index.seed, SEED); /* clear keeps the seed */
    /* A cleared index is usable again. */
    assert_int_equal(ttl_index_set(&index, a, 42), 0);
    assert_int_equal(ttl_index_get(&index, a), 42);
    assert_int_equal(ttl_index_remove(&index, a), 1);
    assert_int_equal(ttl_index_memory(&index), 0);
    assert_int_equal(live_blocks, baseline);
}

static void test_earliest_on_empty_and_single(void **state)
{
    (void)state;
    ttl_index index;
    ttl_index_init(&index, SEED);
    const void *handle = handle_of(99);
    long long deadline = 1234;
    assert_int_equal(ttl_index_earliest(&index, &handle, &deadline), 0);
    /* Nothing written when there is nothing to report. */
    assert_ptr_equal(handle, handle_of(99));
    assert_int_equal(deadline, 1234);
    assert_int_equal(ttl_index_set(&index, handle_of(7), 55), 0);
    assert_int_equal(ttl_index_earliest(&index, &handle, &deadline), 1);
    assert_ptr_equal(handle, handle_of(7));
    assert_int_equal(deadline, 55);
    assert_int_equal(ttl_index_remove(&index, handle_of(7)), 1);
    assert_int_equal(ttl_index_earliest(&index, &handle, &deadline), 0);
    assert_int_equal(ttl_index_memory(&index), 0);
}

/* One random operation of the churn tests, checked against the model. */
static void churn_step(ttl_index *index, model *m, random_source *random, int growing,
                       long long deadline_range)
{
    uint64_t choice = next_random(random) % 100;
    size_t number = next_random(random) % m->key_count;
    /* Few distinct deadlines, so ties are common. */
    long long deadline = (long long)(next_random(random) % (uint64_t)deadline_range);
    if (choice < (growing ? 55u : 10u)) {
        assert_int_equal(ttl_index_set(index, handle_of(number), deadline), 0);
        model_set(m, number, deadline);
    } else if (choice < (growing ? 75u : 45u)) {
        assert_int_equal(ttl_index_remove(index, handle_of(number)), m->deadlines[number] >= 0);
        model_remove(m, number);
    } else if (choice < 88) {
        /* What active expiry does: take the earliest away. */
        const void *handle;
        long long earliest;
        if (!ttl_index_earliest(index, &handle, &earliest)) {
            assert_int_equal(m->with_ttl, 0);
            return;
        }
        assert_int_equal(m->deadlines[number_of(handle)], earliest);
        assert_int_equal(ttl_index_remove(index, handle), 1);
        model_remove(m, number_of(handle));
    } else if (choice < 96) {
        /* Rewrite an existing TTL, later or earlier. */
        if (m->deadlines[number] < 0)
            return;
        long long rewritten = m->deadlines[number] + (long long)(next_random(random) % 2001) - 1000;
        if (rewritten < 0)
            rewritten = 0;
        assert_int_equal(ttl_index_set(index, handle_of(number), rewritten), 0);
        m->deadlines[number] = rewritten;
    } else if (choice < 98) {
        assert_int_equal(ttl_index_get(index, handle_of(number)), m->deadlines[number]);
    } else {
        /* Idle time: this is where shrinks start. */
        (void)ttl_index_rehash_step(index, 1 + next_random(random) % 8);
    }
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
    size_t peak_buckets = 0, due_checks = 0;
    for (long step = 0; step < STEPS; step++) {
        /* Phases grow and shrink the population so the table resizes both
         * ways many times. */
        churn_step(&index, &m, &random, (step / 20000) % 2 == 0, 5000);
        assert_int_equal(earliest_deadline(&index), model_minimum(&m));
        assert_int_equal(ttl_index_count(&index), m.with_ttl);
        if (index.bucket_count[0] > peak_buckets)
            peak_buckets = index.bucket_count[0];
        if (step % 97 == 0) {
            long long now = (long long)(next_random(&random) % 5200);
            assert_int_equal(ttl_index_count_due(&index, now), model_due(&m, now));
            due_checks++;
        }
        if (step % 5000 == 0) {
            audit(&index);
            compare_with_model(&index, &m);
            assert_int_equal((long long)ttl_index_memory(&index), live_bytes - baseline_bytes);
        }
    }
    audit(&index);
    compare_with_model(&index, &m);
    assert_true(peak_buckets >= 2048); /* the churn did grow the table */
    assert_true(due_checks > 1000);

    /* Draining through earliest() yields every deadline in order. */
    long long previous = -1;
    size_t drained = 0;
    const void *handle;
    long long deadline;
    while (ttl_index_earliest(&index, &handle, &deadline)) {
        assert_true(deadline >= previous);
        previous = deadline;
        assert_int_equal(ttl_index_remove(&index, handle), 1);
        drained++;
    }
    assert_int_equal(drained, m.with_ttl);
    assert_int_equal(ttl_index_memory(&index), 0);
    assert_int_equal(live_blocks, baseline_blocks);
    assert_int_equal(live_bytes, baseline_bytes);
    free(m.deadlines);
}

/* The population swings between a few keys and many, again and again, so
 * growths and shrinks overlap with lookups, rewrites and removals that land
 * in the middle of a rehash; audits run while rehashing too. */
static void test_grow_shrink_cycles_while_rehashing(void **state)
{
    (void)state;
    long long baseline_bytes = live_bytes;
    enum { KEYS = 20000, CYCLES = 6 };
    random_source random = {4242};
    model m;
    model_init(&m, KEYS);
    ttl_index index;
    ttl_index_init(&index, SEED ^ 1);
    size_t grows = 0, shrinks = 0, audits_while_rehashing = 0, steps = 0;
    size_t previous_target = 0;
    for (int cycle = 0; cycle < CYCLES; cycle++) {
        /* Up to 9000 keys (random sets would level off near 11000), then down
         * to a handful. */
        int growing = 1;
        for (;;) {
            if (growing && m.with_ttl >= 9000)
                growing = 0;
            if (!growing && m.with_ttl <= 20)
                break;
            churn_step(&index, &m, &random, growing, 100000);
            steps++;
            if (index.buckets[1] != NULL && index.bucket_count[1] != previous_target) {
                if (index.bucket_count[1] > index.bucket_count[0])
                    grows++;
                else
                    shrinks++;
                previous_target = index.bucket_count[1];
            }
            if (index.buckets[1] == NULL)
                previous_target = 0;
            if (steps % 1500 == 0) {
                if (index.buckets[1] != NULL)
                    audits_while_rehashing++;
                audit(&index);
                long long now = (long long)(next_random(&random) % 100000);
                assert_int_equal(ttl_index_count_due(&index, now), model_due(&m, now));
                assert_int_equal((long long)ttl_index_memory(&index), live_bytes - baseline_bytes);
            }
            assert_int_equal(ttl_index_count(&index), m.with_ttl);
        }
        compare_with_model(&index, &m);
        audit(&index);
    }
    print_message(
        "grow/shrink cycles: %zu steps, %zu growths, %zu shrinks, %zu audits mid-rehash\n", steps,
        grows, shrinks, audits_while_rehashing);
    assert_true(grows >= CYCLES * 5);   /* up to 16384 buckets each cycle */
    assert_true(shrinks >= CYCLES - 1); /* and back down */
    assert_true(audits_while_rehashing > 0);
    ttl_index_clear(&index);
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
    for (size_t i = 0; i < KEYS; i++) {
        /* Around "now" in Unix milliseconds, like real deadlines. */
        long long deadline = 1700000000000LL + (long long)(next_random(&random) % 100000000);
        expected[i] = deadline;
        assert_int_equal(ttl_index_set(&index, handle_of(i), deadline), 0);
    }
    audit(&index);
    qsort(expected, KEYS, sizeof(*expected), compare_deadlines);
    /* count_due agrees with the sorted deadlines at every boundary. */
    for (size_t i = 0; i < KEYS; i += 997) {
        size_t earlier = i;
        while (earlier > 0 && expected[earlier - 1] == expected[i])
            earlier--;
        assert_int_equal(ttl_index_count_due(&index, expected[i]), earlier);
    }
    assert_int_equal(ttl_index_count_due(&index, expected[KEYS - 1] + 1), KEYS);
    for (size_t i = 0; i < KEYS; i++) {
        const void *handle;
        long long deadline;
        assert_int_equal(ttl_index_earliest(&index, &handle, &deadline), 1);
        assert_int_equal(deadline, expected[i]);
        assert_int_equal(ttl_index_remove(&index, handle), 1);
    }
    assert_int_equal(earliest_deadline(&index), -1);
    assert_int_equal(ttl_index_memory(&index), 0);
    free(expected);
}

static void test_count_due(void **state)
{
    (void)state;
    ttl_index index;
    ttl_index_init(&index, SEED);
    /* Deadlines 0, 10, ..., 9990, inserted in a scrambled order. */
    enum { KEYS = 1000 };
    for (size_t i = 0; i < KEYS; i++) {
        size_t scrambled = (i * 7919) % KEYS;
        assert_int_equal(ttl_index_set(&index, handle_of(scrambled), (long long)scrambled * 10), 0);
    }
    assert_int_equal(ttl_index_count_due(&index, 0), 0); /* a deadline equal to now is not due */
    assert_int_equal(ttl_index_count_due(&index, 1), 1);
    assert_int_equal(ttl_index_count_due(&index, 10), 1);
    assert_int_equal(ttl_index_count_due(&index, 11), 2);
    assert_int_equal(ttl_index_count_due(&index, 5000), 500);
    assert_int_equal(ttl_index_count_due(&index, 9990), 999);
    assert_int_equal(ttl_index_count_due(&index, 9991), KEYS);
    assert_int_equal(ttl_index_count_due(&index, INT64_MAX), KEYS);
    assert_int_equal(ttl_index_count_due(&index, INT64_MIN), 0);
    /* Many equal deadlines, all due or none. */
    for (size_t i = 0; i < KEYS; i++)
        assert_int_equal(ttl_index_set(&index, handle_of(i), 777), 0);
    assert_int_equal(ttl_index_count_due(&index, 777), 0);
    assert_int_equal(ttl_index_count_due(&index, 778), KEYS);
    /* No allocation, whatever the count. */
    long long calls = allocation_calls;
    assert_int_equal(ttl_index_count_due(&index, 778), KEYS);
    assert_int_equal(allocation_calls, calls);
    ttl_index_clear(&index);
    assert_int_equal(ttl_index_count_due(&index, 778), 0);
}

static void test_shrink_and_memory_back_to_baseline(void **state)
{
    (void)state;
    long long baseline_blocks = live_blocks, baseline_bytes = live_bytes;
    enum { KEYS = 200000 };
    ttl_index index;
    ttl_index_init(&index, SEED);
    for (size_t i = 0; i < KEYS; i++)
        assert_int_equal(ttl_index_set(&index, handle_of(i), (long long)(i * 7919 % 100003)), 0);
    size_t full_memory = ttl_index_memory(&index);
    assert_true(index.bucket_count[0] >= KEYS / 2);
    /* ttl_index_memory() is what INFO reports: it must be what the index
     * really holds. */
    assert_int_equal((long long)full_memory, live_bytes - baseline_bytes);

    /* Down to 100 keys.  Removals only free (pages as they empty); the
     * buckets and page 0 shrink in idle-time steps. */
    long long calls = allocation_calls;
    for (size_t i = 100; i < KEYS; i++)
        assert_int_equal(ttl_index_remove(&index, handle_of(i)), 1);
    assert_int_equal(allocation_calls, calls);
    assert_true(ttl_index_memory(&index) < full_memory / 4);
    audit(&index);
    /* A shrink starts from a mostly empty array: each step still passes
     * a bounded number of buckets, so it takes many steps. */
    size_t steps = 0;
    for (;;) {
        size_t cursor = index.rehash_cursor;
        int more = ttl_index_rehash_step(&index, 64);
        if (index.buckets[1] != NULL)
            assert_true(index.rehash_cursor - cursor <= 64 * 16);
        if (!more)
            break;
        steps++;
        assert_true(steps < 100000);
        if (steps % 64 == 0)
            audit(&index);
    }
    assert_true(steps >= ((size_t)1 << 18) / (64 * 16));
    audit(&index);
    assert_int_equal(ttl_index_count(&index), 100);
    assert_true(index.bucket_count[0] <= 128);
    assert_null(index.buckets[1]);
    assert_true(index.first_page_records <= 512);
    assert_null(index.spare_page);
    assert_true(ttl_index_memory(&index) * 100 < full_memory);
    assert_true(ttl_index_memory(&index) < 8192);
    assert_int_equal((long long)ttl_index_memory(&index), live_bytes - baseline_bytes);
    for (size_t i = 0; i < 100; i++)
        assert_int_equal(ttl_index_get(&index, handle_of(i)), (long long)(i * 7919 % 100003));

    /* The last removal gives everything back. */
    for (size_t i = 0; i < 100; i++)
        assert_int_equal(ttl_index_remove(&index, handle_of(i)), 1);
    assert_int_equal(ttl_index_count(&index), 0);
    assert_int_equal(ttl_index_memory(&index), 0);
    assert_int_equal(live_blocks, baseline_blocks);
    assert_int_equal(live_bytes, baseline_bytes);
    audit(&index);

    /* So does removing everything with no idle steps at all, mid-rehash. */
    for (size_t i = 0; i < 70000; i++)
        assert_int_equal(ttl_index_set(&index, handle_of(i), 5), 0);
    assert_non_null(index.buckets[1]); /* 65536 -> 131072 under way */
    for (size_t i = 0; i < 70000; i++)
        assert_int_equal(ttl_index_remove(&index, handle_of(70000 - 1 - i)), 1);
    assert_int_equal(live_blocks, baseline_blocks);
    assert_int_equal(live_bytes, baseline_bytes);

    /* clear() on a full index also returns everything. */
    for (size_t i = 0; i < 5000; i++)
        assert_int_equal(ttl_index_set(&index, handle_of(i), 1), 0);
    ttl_index_clear(&index);
    assert_int_equal(live_blocks, baseline_blocks);
    assert_int_equal(live_bytes, baseline_bytes);
}

/* A count hovering at a page boundary neither allocates nor frees. */
static void test_page_boundary_does_not_flap(void **state)
{
    (void)state;
    long long bytes_before = live_bytes, blocks_before = live_blocks;
    ttl_index index;
    ttl_index_init(&index, SEED);
    size_t boundary = 2 * TTL_INDEX_PAGE_RECORDS;
    for (size_t i = 0; i < boundary; i++)
        assert_int_equal(ttl_index_set(&index, handle_of(i), (long long)i), 0);
    assert_int_equal(ttl_index_set(&index, handle_of(boundary), 1), 0); /* opens a third page */
    while (ttl_index_rehash_step(&index, 1000))
        ;
    long long blocks = live_blocks, calls = allocation_calls;
    for (int round = 0; round < 1000; round++) {
        assert_int_equal(ttl_index_remove(&index, handle_of(boundary)), 1);
        assert_int_equal(ttl_index_set(&index, handle_of(boundary), round), 0);
    }
    assert_int_equal(allocation_calls, calls);
    assert_int_equal(live_blocks, blocks);
    audit(&index);
    /* clear() gives back the spare too. */
    assert_int_equal(ttl_index_remove(&index, handle_of(boundary)), 1);
    assert_non_null(index.spare_page);
    ttl_index_clear(&index);
    assert_int_equal(live_bytes, bytes_before);
    assert_int_equal(live_blocks, blocks_before);
}

static void test_rewrite_churn_keeps_memory_flat(void **state)
{
    (void)state;
    enum { KEYS = 1000, REWRITES = 200000 };
    random_source random = {777};
    ttl_index index;
    ttl_index_init(&index, SEED);
    for (size_t i = 0; i < KEYS; i++)
        assert_int_equal(ttl_index_set(&index, handle_of(i), 1000), 0);
    while (ttl_index_rehash_step(&index, 1000))
        ;
    long long blocks = live_blocks, bytes = live_bytes, calls = allocation_calls;
    size_t memory = ttl_index_memory(&index);
    for (long i = 0; i < REWRITES; i++) {
        size_t number = next_random(&random) % KEYS;
        assert_int_equal(ttl_index_set(&index, handle_of(number), 1000 + i), 0);
    }
    /* Rewriting touches no allocation at all. */
    assert_int_equal(allocation_calls, calls);
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
    long long baseline_bytes = live_bytes;
    ttl_index first, second;
    ttl_index_init(&first, SEED);
    ttl_index_init(&second, SEED ^ 2);
    assert_int_equal(ttl_index_set(&first, handle_of(1), 10), 0);
    assert_int_equal(ttl_index_set(&first, handle_of(2), 20), 0);
    assert_int_equal(ttl_index_set(&second, handle_of(3), 30), 0);
    size_t first_memory = ttl_index_memory(&first);
    ttl_index_swap(&first, &second);
    assert_int_equal(ttl_index_memory(&second), first_memory);
    assert_int_equal(ttl_index_get(&first, handle_of(3)), 30);
    assert_int_equal(ttl_index_get(&first, handle_of(1)), -1);
    assert_int_equal(ttl_index_get(&second, handle_of(1)), 10);
    assert_int_equal(ttl_index_get(&second, handle_of(2)), 20);
    assert_int_equal(ttl_index_count(&first), 1);
    assert_int_equal(ttl_index_count(&second), 2);
    assert_int_equal(earliest_deadline(&first), 30);
    assert_int_equal(earliest_deadline(&second), 10);
    /* Both keep working after the swap, seeds travelling with contents. */
    assert_int_equal(first.seed, SEED ^ 2);
    assert_int_equal(ttl_index_set(&first, handle_of(4), 5), 0);
    assert_int_equal(ttl_index_remove(&second, handle_of(1)), 1);
    assert_int_equal(earliest_deadline(&first), 5);
    assert_int_equal(earliest_deadline(&second), 20);
    audit(&first);
    audit(&second);
    /* Big indexes in the middle of a rehash swap just as well. */
    for (size_t i = 100; i < 20000; i++)
        assert_int_equal(ttl_index_set(&second, handle_of(i), (long long)i), 0);
    assert_non_null(second.buckets[1]);
    ttl_index_swap(&first, &second);
    audit(&first);
    audit(&second);
    assert_int_equal(ttl_index_count(&first), 20000 - 100 + 1);
    assert_int_equal(ttl_index_get(&first, handle_of(19999)), 19999);
    /* Swapping with an empty index. */
    ttl_index empty;
    ttl_index_init(&empty, SEED);
    ttl_index_swap(&first, &empty);
    assert_int_equal(ttl_index_count(&first), 0);
    assert_int_equal(ttl_index_memory(&first), 0);
    assert_int_equal(ttl_index_get(&empty, handle_of(2)), 20);
    assert_int_equal((long long)(ttl_index_memory(&empty) + ttl_index_memory(&second)),
                     live_bytes - baseline_bytes);
    ttl_index_clear(&empty);
    ttl_index_clear(&second);
    ttl_index_clear(&first);
    assert_int_equal(live_bytes, baseline_bytes);
}

static void test_average_ttl(void **state)
{
    (void)state;
    ttl_index index;
    ttl_index_init(&index, SEED);
    const void *a = handle_of(1), *b = handle_of(2);
    assert_int_equal(ttl_index_average_ttl(&index, 1000), 0);
    assert_int_equal(ttl_index_set(&index, a, 2000), 0);
    assert_int_equal(ttl_index_set(&index, b, 4000), 0);
    assert_int_equal(ttl_index_average_ttl(&index, 1000), 2000);
    /* Rewrites and removals keep the sum exact. */
    assert_int_equal(ttl_index_set(&index, b, 6000), 0);
    assert_int_equal(ttl_index_average_ttl(&index, 1000), 3000);
    assert_int_equal(ttl_index_remove(&index, a), 1);
    assert_int_equal(ttl_index_average_ttl(&index, 1000), 5000);
    /* All deadlines past: never negative. */
    assert_int_equal(ttl_index_average_ttl(&index, 100000), 0);
    /* Deadlines near the top of the range do not overflow the sum. */
    assert_int_equal(ttl_index_set(&index, handle_of(3), INT64_MAX), 0);
    assert_int_equal(ttl_index_set(&index, handle_of(4), INT64_MAX - 2), 0);
    assert_int_equal(ttl_index_set(&index, b, INT64_MAX - 4), 0);
    assert_int_equal(ttl_index_average_ttl(&index, 0), INT64_MAX - 2);
    assert_int_equal(ttl_index_average_ttl(&index, INT64_MAX - 12), 10);
    /* Many records: the exact mean of 1..N is (N+1)/2. */
    ttl_index_clear(&index);
    for (size_t i = 1; i <= 10001; i++)
        assert_int_equal(ttl_index_set(&index, handle_of(i), 1000000 + (long long)i), 0);
    assert_int_equal(ttl_index_average_ttl(&index, 1000000), 5001);
    ttl_index_clear(&index);
}

/* Every allocation an insert makes, failed in turn: a failed insert leaves
 * the index byte for byte as it was (and holds no more memory); a failed
 * bucket growth is no error, the insert succeeds and growth is retried. */
static void test_allocation_failures_leave_index_intact(void **state)
{
    (void)state;
    long long baseline_blocks = live_blocks, baseline_bytes = live_bytes;
    enum { KEYS = 20000 };
    ttl_index index;
    ttl_index_init(&index, SEED);
    long long failed_inserts = 0, failed_growths = 0;
    for (size_t i = 0; i < KEYS; i++) {
        long long deadline = (long long)(1000 - i % 1000);
        int inserted = 0;
        for (long long n = 0; !inserted; n++) {
            ttl_index before;
            memcpy(&before, &index, sizeof(index));
            long long bytes = live_bytes, injected = failures_injected;
            allocations_before_failure = n;
            int status = ttl_index_set(&index, handle_of(i), deadline);
            allocations_before_failure = -1;
            if (failures_injected == injected) {
                /* The insert needed fewer allocations: it succeeded. */
                assert_int_equal(status, 0);
                inserted = 1;
            } else if (status == 0) {
                /* Only the bucket array's growth failed. */
                failed_growths++;
                assert_null(index.buckets[1]);
                assert_true(index.count > index.bucket_count[0]);
                inserted = 1;
                /* Idle time tries the growth again. */
                assert_int_equal(ttl_index_rehash_step(&index, 1), 1);
                assert_non_null(index.buckets[1]);
            } else {
                assert_int_equal(status, -1);
                failed_inserts++;
                assert_memory_equal(&index, &before, sizeof(index));
                assert_int_equal(live_bytes, bytes);
                assert_int_equal(ttl_index_get(&index, handle_of(i)), -1);
            }
        }
        assert_int_equal(ttl_index_get(&index, handle_of(i)), deadline);
        assert_int_equal(ttl_index_count(&index), i + 1);
        if (i % 2500 == 0)
            audit(&index);
    }
    print_message("out of memory: %lld inserts refused, %lld bucket growths refused\n",
                  failed_inserts, failed_growths);
    /* First record (3 blocks), page 0 doublings (16 -> 4096), new pages
     * (4), the pages array (once); and bucket growths (32 -> 32768). */
    assert_true(failed_inserts >= 3 + 8 + 4 + 1);
    assert_true(failed_growths >= 11);
    audit(&index);
    for (size_t i = 0; i < KEYS; i++)
        assert_int_equal(ttl_index_get(&index, handle_of(i)), (long long)(1000 - i % 1000));

    /* Rewrites, lookups and removals never allocate, so they cannot fail;
     * an idle step that cannot allocate reports no work left. */
    long long calls = allocation_calls;
    assert_int_equal(ttl_index_set(&index, handle_of(5), 1), 0);
    assert_int_equal(ttl_index_get(&index, handle_of(5)), 1);
    for (size_t i = 0; i < KEYS - 10; i++)
        assert_int_equal(ttl_index_remove(&index, handle_of(i)), 1);
    assert_int_equal(allocation_calls, calls);
    audit(&index);
    allocations_before_failure = 0;
    assert_int_equal(ttl_index_rehash_step(&index, 1), 0);
    allocations_before_failure = -1;
    audit(&index);
    while (ttl_index_rehash_step(&index, 16))
        ;
    audit(&index);
    for (size_t i = KEYS - 10; i < KEYS; i++)
        assert_int_equal(ttl_index_remove(&index, handle_of(i)), 1);
    assert_int_equal(ttl_index_count(&index), 0);
    assert_int_equal(live_blocks, baseline_blocks);
    assert_int_equal(live_bytes, baseline_bytes);
}

/* The record limit is 32-bit record numbers; reaching it for real would
 * take 100 GB, so the count is forced for one call. */
static void test_full_index_refuses_new_records(void **state)
{
    (void)state;
    ttl_index index;
    ttl_index_init(&index, SEED);
    assert_int_equal(ttl_index_set(&index, handle_of(1), 10), 0);
    size_t real_count = index.count;
    index.count = TTL_INDEX_MAX_RECORDS;
    long long calls = allocation_calls;
    assert_int_equal(ttl_index_set(&index, handle_of(2), 20), -1);
    assert_int_equal(allocation_calls, calls);
    /* A rewrite needs no new record (an earlier deadline, so the heap
     * does not look below the only real slot). */
    assert_int_equal(ttl_index_set(&index, handle_of(1), 5), 0);
    index.count = real_count;
    assert_int_equal(ttl_index_get(&index, handle_of(1)), 5);
    assert_int_equal(ttl_index_get(&index, handle_of(2)), -1);
    audit(&index);
    ttl_index_clear(&index);
}

/* A million TTLs: memory per record, the largest blocks, bounded rehash
 * work per call, and the time of a million inserts and removals. */
static void test_million_records(void **state)
{
    (void)state;
    enum { KEYS = 1000000 };
    long long baseline_bytes = live_bytes, baseline_blocks = live_blocks;
    random_source random = {99};
    size_t *order = malloc(KEYS * sizeof(*order));
    assert_non_null(order);
    for (size_t i = 0; i < KEYS; i++)
        order[i] = i;
    for (size_t i = KEYS - 1; i > 0; i--) {
        size_t j = next_random(&random) % (i + 1), saved = order[i];
        order[i] = order[j];
        order[j] = saved;
    }
    largest_plain_request = largest_zeroed_request = 0;
    odd_zeroed_requests = 0;
    ttl_index index;
    ttl_index_init(&index, SEED);
    size_t largest_cursor_advance = 0, sets_while_rehashing = 0;
    double memory_at_100k = 0;
    double start = seconds_now();
    for (size_t i = 0; i < KEYS; i++) {
        size_t cursor = index.rehash_cursor;
        int was_rehashing = index.buckets[1] != NULL;
        assert_int_equal(
            ttl_index_set(&index, handle_of(order[i]), 1700000000000LL + (long long)order[i]), 0);
        if (was_rehashing && index.buckets[1] != NULL) {
            sets_while_rehashing++;
            if (index.rehash_cursor - cursor > largest_cursor_advance)
                largest_cursor_advance = index.rehash_cursor - cursor;
        }
        if (i + 1 == KEYS / 10)
            memory_at_100k = (double)ttl_index_memory(&index) / (double)(KEYS / 10);
    }
    double inserted = seconds_now();
    double memory_per_record = (double)ttl_index_memory(&index) / KEYS;
    assert_int_equal((long long)ttl_index_memory(&index), live_bytes - baseline_bytes);
    long long due = 1700000000000LL + 1000;
    assert_int_equal(ttl_index_count_due(&index, due), 1000);
    for (size_t i = 0; i < KEYS; i++)
        assert_int_equal(ttl_index_remove(&index, handle_of(order[i])), 1);
    double removed = seconds_now();
    print_message(
        "1M records: %.2f bytes/record (%.2f at 100k); 1M sets %.0f ms, 1M removes %.0f ms\n",
        memory_per_record, memory_at_100k, (inserted - start) * 1e3, (removed - inserted) * 1e3);
    print_message(
        "largest blocks: %zu bytes plain, %zu bytes zeroed; at most %zu buckets passed per set\n",
        largest_plain_request, largest_zeroed_request, largest_cursor_advance);
    assert_true(memory_per_record <= 40.0);
    assert_true(memory_at_100k <= 40.0);
    /* Only pages (or smaller) are allocated plainly; only bucket arrays,
     * at most the million's 2^20 entries, come zeroed. */
    assert_true(largest_plain_request <= FULL_PAGE_BYTES);
    assert_int_equal(largest_zeroed_request, ((size_t)1 << 20) * sizeof(uint32_t));
    assert_int_equal(odd_zeroed_requests, 0);
    /* Growth went incrementally, a few buckets per call. */
    assert_true(sets_while_rehashing > KEYS / 4);
    assert_true(largest_cursor_advance <= 16);
    assert_int_equal(ttl_index_memory(&index), 0);
    assert_int_equal(live_bytes, baseline_bytes);
    assert_int_equal(live_blocks, baseline_blocks);
    free(order);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_get_remove_rewrite),
        cmocka_unit_test(test_earliest_on_empty_and_single),
        cmocka_unit_test(test_earliest_under_random_churn),
        cmocka_unit_test(test_grow_shrink_cycles_while_rehashing),
        cmocka_unit_test(test_pop_order_matches_sorted_deadlines),
        cmocka_unit_test(test_count_due),
        cmocka_unit_test(test_shrink_and_memory_back_to_baseline),
        cmocka_unit_test(test_page_boundary_does_not_flap),
        cmocka_unit_test(test_rewrite_churn_keeps_memory_flat),
        cmocka_unit_test(test_swap),
        cmocka_unit_test(test_average_ttl),
        cmocka_unit_test(test_allocation_failures_leave_index_intact),
        cmocka_unit_test(test_full_index_refuses_new_records),
        cmocka_unit_test(test_million_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
