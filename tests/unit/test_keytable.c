/*
 * test_keytable.c - unit tests of the keyspace hash table and its keyed hash.
 *
 * The table is checked against a plain array model over many random
 * operations, the SCAN guarantee while the table grows and shrinks between
 * calls, and memory and failure handling through an interposed allocator
 * (linked with --wrap=dblite_alloc,--wrap=dblite_free): it counts live bytes
 * and can refuse allocations from a chosen size up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dblite_module.h"
#include "util/siphash.h"
#include "keyspace/keytable.h"

#define SEED0 UINT64_C(0x0123456789abcdef)
#define SEED1 UINT64_C(0xfedcba9876543210)

/* ---- Allocator interposition ------------------------------------------------ */

void *__real_dblite_alloc(size_t size);
void __real_dblite_free(void *ptr);
void *__wrap_dblite_alloc(size_t size);
void __wrap_dblite_free(void *ptr);

/* Process-wide because the linker-level wrapper has nowhere else to look. */
static size_t live_bytes;
static size_t fail_allocations_from_size = SIZE_MAX;

void *__wrap_dblite_alloc(size_t size)
{
    if (size >= fail_allocations_from_size)
        return NULL;
    void *ptr = __real_dblite_alloc(size);
    if (ptr)
        live_bytes += dblite_alloc_size(ptr);
    return ptr;
}

void __wrap_dblite_free(void *ptr)
{
    if (ptr)
        live_bytes -= dblite_alloc_size(ptr);
    __real_dblite_free(ptr);
}

/* ---- Helpers -------------------------------------------------------------------- */

typedef struct test_random {
    uint64_t state;
} test_random;

/* xorshift64*: enough to drive the tests, deterministic per seed. */
static uint64_t random_next(test_random *random)
{
    random->state ^= random->state >> 12;
    random->state ^= random->state << 25;
    random->state ^= random->state >> 27;
    return random->state * UINT64_C(0x2545f4914f6cdd1d);
}

static size_t format_key(char *buffer, size_t size, const char *prefix, size_t number)
{
    int length = snprintf(buffer, size, "%s%zu", prefix, number);
    assert_true(length > 0 && (size_t)length < size);
    return (size_t)length;
}

/* The number after prefix in entry's key, or SIZE_MAX for other keys. */
static size_t key_number(const keytable_entry *entry, const char *prefix)
{
    size_t prefix_length = strlen(prefix);
    if (entry->key_length <= prefix_length || memcmp(entry->key, prefix, prefix_length) != 0)
        return SIZE_MAX;
    return (size_t)strtoull(entry->key + prefix_length, NULL, 10);
}

static keytable_entry *insert_numbered(keytable *table, const char *prefix, size_t number,
                                       int *created)
{
    char key[64];
    size_t length = format_key(key, sizeof(key), prefix, number);
    return keytable_insert(table, key, length, created);
}

static keytable_entry *find_numbered(keytable *table, const char *prefix, size_t number)
{
    char key[64];
    size_t length = format_key(key, sizeof(key), prefix, number);
    return keytable_find(table, key, length);
}

/* Removes and frees; returns whether the key was there. */
static int remove_numbered(keytable *table, const char *prefix, size_t number)
{
    char key[64];
    size_t length = format_key(key, sizeof(key), prefix, number);
    keytable_entry *entry = keytable_remove(table, key, length);
    keytable_entry_free(entry);
    return entry != NULL;
}

static void finish_rehashing(keytable *table)
{
    while (keytable_rehash_for(table, 100000))
        ;
}

/* ---- Hash function ---------------------------------------------------------------- */

/* SipHash-2-4 of the bytes 0, 1, ..., n-1 under the key 00 01 ... 0f, for
 * n = 0..63: the test vectors published with the SipHash paper. */
static const uint64_t siphash_2_4_vectors[64] = {
    0x726fdb47dd0e0e31, 0x74f839c593dc67fd, 0x0d6c8009d9a94f5a, 0x85676696d7fb7e2d,
    0xcf2794e0277187b7, 0x18765564cd99a68d, 0xcbc9466e58fee3ce, 0xab0200f58b01d137,
    0x93f5f5799a932462, 0x9e0082df0ba9e4b0, 0x7a5dbbc594ddb9f3, 0xf4b32f46226bada7,
    0x751e8fbc860ee5fb, 0x14ea5627c0843d90, 0xf723ca908e7af2ee, 0xa129ca6149be45e5,
    0x3f2acc7f57c29bdb, 0x699ae9f52cbe4794, 0x4bc1b3f0968dd39c, 0xbb6dc91da77961bd,
    0xbed65cf21aa2ee98, 0xd0f2cbb02e3b67c7, 0x93536795e3a33e88, 0xa80c038ccd5ccec8,
    0xb8ad50c6f649af94, 0xbce192de8a85b8ea, 0x17d835b85bbb15f3, 0x2f2e6163076bcfad,
    0xde4daaaca71dc9a5, 0xa6a2506687956571, 0xad87a3535c49ef28, 0x32d892fad841c342,
    0x7127512f72f27cce, 0xa7f32346f95978e3, 0x12e0b01abb051238, 0x15e034d40fa197ae,
    0x314dffbe0815a3b4, 0x027990f029623981, 0xcadcd4e59ef40c4d, 0x9abfd8766a33735c,
    0x0e3ea96b5304a7d0, 0xad0c42d6fc585992, 0x187306c89bc215a9, 0xd4a60abcf3792b95,
    0xf935451de4f21df2, 0xa9538f0419755787, 0xdb9acddff56ca510, 0xd06c98cd5c0975eb,
    0xe612a3cb9ecba951, 0xc766e62cfcadaf96, 0xee64435a9752fe72, 0xa192d576b245165a,
    0x0a8787bf8ecb74b2, 0x81b3e73d20b49b6f, 0x7fa8220ba3b2ecea, 0x245731c13ca42499,
    0xb78dbfaf3a8d83bd, 0xea1ad565322a1a0b, 0x60e61c23a3795013, 0x6606d7e446282b93,
    0x6ca4ecb15c5f91e1, 0x9f626da15c9625f3, 0xe51b38608ef25f57, 0x958a324ceb064572,
};

static void test_siphash_reference_vectors(void **state)
{
    (void)state;
    unsigned char message[64];
    for (int i = 0; i < 64; i++)
        message[i] = (unsigned char)i;
    const uint64_t seed0 = UINT64_C(0x0706050403020100);
    const uint64_t seed1 = UINT64_C(0x0f0e0d0c0b0a0908);
    for (size_t length = 0; length < 64; length++)
        assert_int_equal(siphash_2_4(message, length, seed0, seed1), siphash_2_4_vectors[length]);
}

static int count_bits(uint64_t value)
{
    return __builtin_popcountll(value);
}

/* SipHash-1-2 has no published vectors; check the properties the table
 * relies on: it is its own function, the seeds matter, and one input bit
 * changes about half the output bits. */
static void test_siphash_1_2_is_keyed_and_mixes(void **state)
{
    (void)state;
    const char *key = "user:1000:profile";
    size_t length = strlen(key);
    uint64_t hash = siphash_1_2(key, length, SEED0, SEED1);
    assert_int_equal(hash, siphash_1_2(key, length, SEED0, SEED1));
    assert_int_not_equal(hash, siphash_2_4(key, length, SEED0, SEED1));
    assert_int_not_equal(hash, siphash_1_2(key, length, SEED0 ^ 1, SEED1));
    assert_int_not_equal(hash, siphash_1_2(key, length, SEED0, SEED1 ^ ((uint64_t)1 << 63)));
    /* The length is part of the hash: trailing zero bytes count. */
    assert_int_not_equal(siphash_1_2("ab\0", 2, SEED0, SEED1),
                         siphash_1_2("ab\0", 3, SEED0, SEED1));

    char mutated[32];
    long total_flipped = 0;
    int trials = 0;
    for (size_t byte = 0; byte < length; byte++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(mutated, key, length);
            mutated[byte] ^= (char)(1 << bit);
            total_flipped += count_bits(hash ^ siphash_1_2(mutated, length, SEED0, SEED1));
            trials++;
        }
    }
    double average = (double)total_flipped / trials;
    assert_true(average > 28.0 && average < 36.0);
}

static void test_keytable_hash_uses_its_seeds(void **state)
{
    (void)state;
    keytable *first = keytable_create(SEED0, SEED1);
    keytable *second = keytable_create(SEED1, SEED0);
    assert_non_null(first);
    assert_non_null(second);
    assert_int_equal(keytable_hash(first, "key", 3), siphash_1_2("key", 3, SEED0, SEED1));
    assert_int_not_equal(keytable_hash(first, "key", 3), keytable_hash(second, "key", 3));
    keytable_destroy(first, NULL, NULL);
    keytable_destroy(second, NULL, NULL);
}

/* ---- Against a model ------------------------------------------------------------ */

#define MODEL_KEYS 100000

static void check_model_entry(keytable_entry *entry, size_t number)
{
    char key[64];
    size_t length = format_key(key, sizeof(key), "key:", number);
    assert_non_null(entry);
    assert_int_equal(entry->key_length, length);
    assert_memory_equal(entry->key, key, length);
    assert_int_equal(entry->key[length], '\0');
    assert_ptr_equal(entry->value, (void *)(uintptr_t)(number + 1));
}

static void test_matches_reference_model(void **state)
{
    (void)state;
    keytable *table = keytable_create(SEED0, SEED1);
    assert_non_null(table);
    unsigned char *present = calloc(2 * MODEL_KEYS, 1);
    assert_non_null(present);
    size_t present_count = 0;
    test_random random = {UINT64_C(0x9e3779b97f4a7c15)};
    int created;

    for (size_t number = 0; number < MODEL_KEYS; number++) {
        keytable_entry *entry = insert_numbered(table, "key:", number, &created);
        assert_non_null(entry);
        assert_int_equal(created, 1);
        assert_null(entry->value);
        assert_int_equal(entry->type_index, 0);
        assert_int_equal(entry->flags, 0);
        entry->value = (void *)(uintptr_t)(number + 1);
        present[number] = 1;
        present_count++;
    }
    assert_int_equal(keytable_size(table), MODEL_KEYS);

    for (int operation = 0; operation < 400000; operation++) {
        size_t number = (size_t)(random_next(&random) % (2 * MODEL_KEYS));
        switch (random_next(&random) % 3) {
            case 0: {
                keytable_entry *entry = find_numbered(table, "key:", number);
                if (present[number])
                    check_model_entry(entry, number);
                else
                    assert_null(entry);
                break;
            }
            case 1: {
                keytable_entry *entry = insert_numbered(table, "key:", number, &created);
                assert_non_null(entry);
                assert_int_equal(created, !present[number]);
                if (created) {
                    entry->value = (void *)(uintptr_t)(number + 1);
                    present[number] = 1;
                    present_count++;
                }
                check_model_entry(entry, number);
                break;
            }
            default: {
                char key[64];
                size_t length = format_key(key, sizeof(key), "key:", number);
                keytable_entry *entry = keytable_remove(table, key, length);
                if (present[number]) {
                    check_model_entry(entry, number);
                    assert_null(entry->next);
                    keytable_entry_free(entry);
                    present[number] = 0;
                    present_count--;
                } else {
                    assert_null(entry);
                }
                break;
            }
        }
        if (operation % 1000 == 0)
            assert_int_equal(keytable_size(table), present_count);
    }
    assert_int_equal(keytable_size(table), present_count);

    /* The iterator sees exactly the model. */
    unsigned char *seen = calloc(2 * MODEL_KEYS, 1);
    assert_non_null(seen);
    size_t iterated = 0;
    keytable_iterator iterator;
    keytable_iterator_init(&iterator, table);
    for (keytable_entry *entry; (entry = keytable_iterator_next(&iterator)) != NULL;) {
        size_t number = key_number(entry, "key:");
        assert_true(number < 2 * MODEL_KEYS);
        assert_true(present[number]);
        assert_false(seen[number]);
        seen[number] = 1;
        iterated++;
    }
    keytable_iterator_finish(&iterator);
    assert_int_equal(iterated, present_count);

    for (int draw = 0; draw < 1000; draw++) {
        keytable_entry *entry = keytable_random(table);
        assert_non_null(entry);
        size_t number = key_number(entry, "key:");
        assert_true(number < 2 * MODEL_KEYS && present[number]);
    }

    /* Emptied key by key, the table shrinks back to its initial size. */
    for (size_t number = 0; number < 2 * MODEL_KEYS; number++)
        assert_int_equal(remove_numbered(table, "key:", number), present[number]);
    assert_int_equal(keytable_size(table), 0);
    finish_rehashing(table);
    assert_int_equal(keytable_bucket_count(table), 4);
    assert_null(keytable_random(table));

    free(seen);
    free(present);
    keytable_destroy(table, NULL, NULL);
}

/* ---- Binary keys -------------------------------------------------------------------- */

typedef struct binary_key {
    const char *bytes;
    size_t length;
} binary_key;

static const binary_key binary_keys[] = {
    {"", 0},         {"\0", 1},         {"\0\0", 2},       {"a", 1},    {"a\0", 2},
    {"a\0b", 3},     {"a\0c", 3},       {"\0a", 2},        {"\xff", 1}, {"\xff\0\xfe", 3},
    {"abcdefgh", 8}, {"abcdefgh\0", 9}, {"abcdefg\0h", 9},
};
#define BINARY_KEY_COUNT (sizeof(binary_keys) / sizeof(binary_keys[0]))

static void test_binary_keys_are_distinct(void **state)
{
    (void)state;
    keytable *table = keytable_create(SEED0, SEED1);
    assert_non_null(table);
    int created;
    for (size_t i = 0; i < BINARY_KEY_COUNT; i++) {
        keytable_entry *entry =
            keytable_insert(table, binary_keys[i].bytes, binary_keys[i].length, &created);
        assert_non_null(entry);
        assert_int_equal(created, 1);
        entry->value = (void *)(uintptr_t)(i + 1);
    }
    assert_int_equal(keytable_size(table), BINARY_KEY_COUNT);
    for (size_t i = 0; i < BINARY_KEY_COUNT; i++) {
        keytable_entry *entry = keytable_find(table, binary_keys[i].bytes, binary_keys[i].length);
        assert_non_null(entry);
        assert_ptr_equal(entry->value, (void *)(uintptr_t)(i + 1));
        assert_int_equal(entry->key_length, binary_keys[i].length);
        assert_memory_equal(entry->key, binary_keys[i].bytes, binary_keys[i].length);
        assert_int_equal(entry->key[entry->key_length], '\0');
    }
    assert_null(keytable_find(table, "a\0d", 3));
    assert_null(keytable_find(table, "\0\0\0", 3));

    keytable_entry *removed = keytable_remove(table, "a\0b", 3);
    assert_non_null(removed);
    assert_ptr_equal(removed->value, (void *)(uintptr_t)6);
    keytable_entry_free(removed);
    assert_null(keytable_find(table, "a\0b", 3));
    assert_non_null(keytable_find(table, "a\0c", 3));
    assert_non_null(keytable_find(table, "a\0", 2));
    assert_non_null(keytable_find(table, "", 0));
    keytable_destroy(table, NULL, NULL);
}

static void test_over_long_keys_are_refused(void **state)
{
    (void)state;
#if SIZE_MAX > UINT32_MAX
    keytable *table = keytable_create(SEED0, SEED1);
    assert_non_null(table);
    char byte = 'x';
    size_t too_long = (size_t)UINT32_MAX + 1;
    int created = 1;
    /* The length is checked before any byte is read. */
    assert_null(keytable_insert(table, &byte, too_long, &created));
    assert_int_equal(created, 0);
    assert_null(keytable_find(table, &byte, too_long));
    assert_null(keytable_remove(table, &byte, too_long));
    assert_null(keytable_entry_create(&byte, too_long));
    assert_int_equal(keytable_size(table), 0);
    keytable_destroy(table, NULL, NULL);
#endif
}

/* ---- SCAN ------------------------------------------------------------------------------ */

#define STABLE_KEYS 300

typedef struct scan_tracker {
    unsigned visit_counts[STABLE_KEYS];
    size_t visits;
} scan_tracker;

static void record_visit(keytable_entry *entry, void *privdata)
{
    scan_tracker *tracker = privdata;
    tracker->visits++;
    size_t number = key_number(entry, "stable:");
    if (number != SIZE_MAX) {
        assert_true(number < STABLE_KEYS);
        tracker->visit_counts[number]++;
    }
}

static void insert_stable_keys(keytable *table)
{
    int created;
    for (size_t number = 0; number < STABLE_KEYS; number++) {
        assert_non_null(insert_numbered(table, "stable:", number, &created));
        assert_int_equal(created, 1);
    }
}

static void assert_every_stable_key_visited(const scan_tracker *tracker)
{
    for (size_t number = 0; number < STABLE_KEYS; number++) {
        if (tracker->visit_counts[number] == 0)
            fail_msg("stable:%zu was present throughout the scan but never returned", number);
    }
}

/* What happened to the table during one scan. */
typedef struct scan_history {
    size_t calls;
    size_t calls_while_rehashing;
    size_t smallest_bucket_count;
    size_t largest_bucket_count;
} scan_history;

static void note_table_state(scan_history *history, const keytable *table)
{
    size_t buckets = keytable_bucket_count(table);
    history->calls++;
    if (keytable_is_rehashing(table))
        history->calls_while_rehashing++;
    if (buckets < history->smallest_bucket_count)
        history->smallest_bucket_count = buckets;
    if (buckets > history->largest_bucket_count)
        history->largest_bucket_count = buckets;
}

/* Volatile keys numbered [first, next) are in the table. */
typedef struct volatile_range {
    size_t first;
    size_t next;
} volatile_range;

static void add_volatile(keytable *table, volatile_range *range, size_t count)
{
    int created;
    for (size_t i = 0; i < count; i++)
        assert_non_null(insert_numbered(table, "volatile:", range->next++, &created));
}

static void remove_volatile(keytable *table, volatile_range *range, size_t count)
{
    for (size_t i = 0; i < count && range->first < range->next; i++)
        assert_true(remove_numbered(table, "volatile:", range->first++));
}

/* One scan while the table grows from ~300 to ~30k keys and shrinks back. */
static void test_scan_guarantee_through_growth_and_shrink(void **state)
{
    (void)state;
    keytable *table = keytable_create(SEED0, SEED1);
    assert_non_null(table);
    insert_stable_keys(table);
    scan_tracker *tracker = calloc(1, sizeof(*tracker));
    assert_non_null(tracker);
    scan_history history = {.smallest_bucket_count = SIZE_MAX};
    volatile_range range = {0, 0};
    size_t initial_buckets = keytable_bucket_count(table);

    uint64_t cursor = 0;
    do {
        cursor = keytable_scan(table, cursor, record_visit, tracker);
        if (history.calls < 300)
            add_volatile(table, &range, 100);
        else
            remove_volatile(table, &range, 150);
        note_table_state(&history, table);
    } while (cursor != 0);

    assert_every_stable_key_visited(tracker);
    assert_true(history.largest_bucket_count >= initial_buckets * 32);
    assert_true(history.calls > 300);
    assert_true(keytable_bucket_count(table) < history.largest_bucket_count);
    assert_true(history.calls_while_rehashing > 0);
    free(tracker);
    keytable_destroy(table, NULL, NULL);
}

/* One scan while a large table is emptied down to the stable keys, with
 * timer-driven rehashing in between as the server's cron would do. */
static void test_scan_guarantee_through_shrink(void **state)
{
    (void)state;
    keytable *table = keytable_create(SEED0, SEED1);
    assert_non_null(table);
    volatile_range range = {0, 0};
    add_volatile(table, &range, 60000);
    insert_stable_keys(table);
    finish_rehashing(table);
    scan_tracker *tracker = calloc(1, sizeof(*tracker));
    assert_non_null(tracker);
    scan_history history = {.smallest_bucket_count = SIZE_MAX};
    size_t initial_buckets = keytable_bucket_count(table);

    uint64_t cursor = 0;
    do {
        cursor = keytable_scan(table, cursor, record_visit, tracker);
        remove_volatile(table, &range, 2000);
        if (history.calls % 3 == 0)
            (void)keytable_rehash_for(table, 50);
        note_table_state(&history, table);
    } while (cursor != 0);

    assert_every_stable_key_visited(tracker);
    assert_true(history.smallest_bucket_count * 16 <= initial_buckets);
    assert_true(history.calls_while_rehashing > 0);
    free(tracker);
    keytable_destroy(table, NULL, NULL);
}

/* Many scans with random growth, shrink and rehashing between calls. */
static void test_scan_guarantee_random_interleavings(void **state)
{
    (void)state;
    size_t total_rehashing_calls = 0;
    for (uint64_t trial = 1; trial <= 40; trial++) {
        test_random random = {trial * UINT64_C(0x9e3779b97f4a7c15)};
        keytable *table = keytable_create(random_next(&random), random_next(&random));
        assert_non_null(table);
        volatile_range range = {0, 0};
        add_volatile(table, &range, (size_t)(random_next(&random) % 5000));
        insert_stable_keys(table);
        scan_tracker *tracker = calloc(1, sizeof(*tracker));
        assert_non_null(tracker);
        scan_history history = {.smallest_bucket_count = SIZE_MAX};

        uint64_t cursor = 0;
        do {
            cursor = keytable_scan(table, cursor, record_visit, tracker);
            /* Bounded changes, so the scan still ends: growth without
             * limit could keep the cursor space expanding. */
            if (history.calls < 400) {
                size_t amount = (size_t)(random_next(&random) % 400);
                if (random_next(&random) % 2)
                    add_volatile(table, &range, amount);
                else
                    remove_volatile(table, &range, amount);
                if (random_next(&random) % 4 == 0)
                    (void)keytable_rehash_for(table, (long long)(random_next(&random) % 20));
            }
            note_table_state(&history, table);
        } while (cursor != 0);

        assert_every_stable_key_visited(tracker);
        total_rehashing_calls += history.calls_while_rehashing;
        free(tracker);
        keytable_destroy(table, NULL, NULL);
    }
    assert_true(total_rehashing_calls > 0);
}

/* With no change between calls every entry comes back exactly once, also
 * when the scan runs in the middle of a grow or a shrink. */
static void scan_expecting_each_once(keytable *table)
{
    scan_tracker *tracker = calloc(1, sizeof(*tracker));
    assert_non_null(tracker);
    uint64_t cursor = 0;
    do {
        cursor = keytable_scan(table, cursor, record_visit, tracker);
    } while (cursor != 0);
    for (size_t number = 0; number < STABLE_KEYS; number++)
        assert_int_equal(tracker->visit_counts[number], 1);
    assert_int_equal(tracker->visits, keytable_size(table));
    free(tracker);
}

static void test_scan_of_unchanged_table_returns_each_entry_once(void **state)
{
    (void)state;
    keytable *table = keytable_create(SEED0, SEED1);
    assert_non_null(table);
    assert_int_equal(keytable_scan(table, 0, record_visit, NULL), 0);

    insert_stable_keys(table);
    finish_rehashing(table);
    scan_expecting_each_once(table);

    /* Caught in the middle of growing. */
    volatile_range range = {0, 0};
    while (!keytable_is_rehashing(table))
        add_volatile(table, &range, 1);
    add_volatile(table, &range, 3);
    assert_true(keytable_is_rehashing(table));
    scan_expecting_each_once(table);
    assert_true(keytable_is_rehashing(table));

    /* Caught in the middle of shrinking. */
    add_volatile(table, &range, 20000);
    finish_rehashing(table);
    while (!keytable_is_rehashing(table))
        remove_volatile(table, &range, 1);
    assert_true(keytable_is_rehashing(table));
    scan_expecting_each_once(table);
    keytable_destroy(table, NULL, NULL);
}

/* ---- Iterator ------------------------------------------------------------------------ */

static void test_iterator_pauses_rehashing(void **state)
{
    (void)state;
    keytable *table = keytable_create(SEED0, SEED1);
    assert_non_null(table);
    int created;
    size_t count = 0;
    while (!keytable_is_rehashing(table) || count < 4000)
        assert_non_null(insert_numbered(table, "key:", count++, &created));
    assert_true(keytable_is_rehashing(table));
    size_t buckets = keytable_bucket_count(table);

    unsigned char *seen = calloc(count, 1);
    assert_non_null(seen);
    size_t iterated = 0;
    keytable_iterator iterator;
    keytable_iterator_init(&iterator, table);
    for (keytable_entry *entry; (entry = keytable_iterator_next(&iterator)) != NULL;) {
        size_t number = key_number(entry, "key:");
        assert_true(number < count);
        assert_false(seen[number]);
        seen[number] = 1;
        iterated++;
        /* Lookups would each move a bucket if rehashing were not paused. */
        for (int lookup = 0; lookup < 4; lookup++)
            assert_non_null(find_numbered(table, "key:", (number * 7 + (size_t)lookup) % count));
    }
    assert_null(keytable_iterator_next(&iterator));
    assert_int_equal(iterated, count);
    assert_true(keytable_is_rehashing(table));
    assert_int_equal(keytable_rehash_for(table, 100000), 1);
    assert_int_equal(keytable_bucket_count(table), buckets);
    keytable_iterator_finish(&iterator);

    finish_rehashing(table);
    assert_false(keytable_is_rehashing(table));
    assert_int_equal(keytable_size(table), count);
    free(seen);
    keytable_destroy(table, NULL, NULL);
}

static void test_iterator_allows_removing_current_entry(void **state)
{
    (void)state;
    keytable *table = keytable_create(SEED0, SEED1);
    assert_non_null(table);
    int created;
    size_t count = 0;
    while (!keytable_is_rehashing(table) || count < 3000)
        assert_non_null(insert_numbered(table, "key:", count++, &created));

    size_t removed = 0;
    keytable_iterator iterator;
    keytable_iterator_init(&iterator, table);
    for (keytable_entry *entry; (entry = keytable_iterator_next(&iterator)) != NULL;) {
        if (key_number(entry, "key:") % 3 == 0)
            continue;
        keytable_entry *unlinked = keytable_remove(table, entry->key, entry->key_length);
        assert_ptr_equal(unlinked, entry);
        keytable_entry_free(unlinked);
        removed++;
    }
    keytable_iterator_finish(&iterator);

    assert_int_equal(keytable_size(table), count - removed);
    for (size_t number = 0; number < count; number++) {
        keytable_entry *entry = find_numbered(table, "key:", number);
        if (number % 3 == 0)
            assert_non_null(entry);
        else
            assert_null(entry);
    }
    keytable_destroy(table, NULL, NULL);
}

static void test_iterator_over_empty_table(void **state)
{
    (void)state;
    keytable *table = keytable_create(SEED0, SEED1);
    assert_non_null(table);
    keytable_iterator iterator;
    keytable_iterator_init(&iterator, table);
    assert_null(keytable_iterator_next(&iterator));
    keytable_iterator_finish(&iterator);
    keytable_destroy(table, NULL, NULL);
}

/* ---- Swap and detached entries --------------------------------------------------------- */

static void test_swap_exchanges_contents(void **state)
{
    (void)state;
    keytable *first = keytable_create(SEED0, SEED1);
    keytable *second = keytable_create(SEED1, SEED0);
    assert_non_null(first);
    assert_non_null(second);
    int created;
    for (size_t number = 0; number < 1000; number++)
        assert_non_null(insert_numbered(first, "first:", number, &created));
    for (size_t number = 0; number < 10; number++)
        assert_non_null(insert_numbered(second, "second:", number, &created));
    size_t first_memory = keytable_memory_usage(first);
    size_t second_memory = keytable_memory_usage(second);

    keytable_swap(first, second);
    assert_int_equal(keytable_size(first), 10);
    assert_int_equal(keytable_size(second), 1000);
    assert_int_equal(keytable_memory_usage(first), second_memory);
    assert_int_equal(keytable_memory_usage(second), first_memory);
    for (size_t number = 0; number < 1000; number++) {
        assert_non_null(find_numbered(second, "first:", number));
        assert_null(find_numbered(first, "first:", number));
    }
    for (size_t number = 0; number < 10; number++)
        assert_non_null(find_numbered(first, "second:", number));
    /* Both keep working after the swap. */
    assert_non_null(insert_numbered(first, "first:", 5, &created));
    assert_int_equal(created, 1);
    assert_true(remove_numbered(second, "first:", 5));
    keytable_destroy(first, NULL, NULL);
    keytable_destroy(second, NULL, NULL);
}

static void test_detached_entries_move_and_rename(void **state)
{
    (void)state;
    keytable *source = keytable_create(SEED0, SEED1);
    keytable *target = keytable_create(SEED1, SEED0);
    assert_non_null(source);
    assert_non_null(target);
    int created;
    int marker;
    keytable_entry *entry = keytable_insert(source, "moving", 6, &created);
    assert_non_null(entry);
    entry->value = &marker;
    entry->type_index = 7;
    entry->flags = 3;

    /* MOVE: unlink from one table, link into the other, no copy. */
    keytable_entry *detached = keytable_remove(source, "moving", 6);
    assert_ptr_equal(detached, entry);
    assert_int_equal(keytable_insert_entry(target, detached), KEYTABLE_OK);
    assert_ptr_equal(keytable_find(target, "moving", 6), entry);
    assert_null(keytable_find(source, "moving", 6));

    /* Linking over an existing key is refused and the entry stays ours. */
    keytable_entry *duplicate = keytable_entry_create("moving", 6);
    assert_non_null(duplicate);
    assert_int_equal(keytable_insert_entry(target, duplicate), KEYTABLE_EXISTS);
    assert_int_equal(keytable_size(target), 1);
    keytable_entry_free(duplicate);

    /* RENAME: re-key the detached entry, keeping value, type and flags. */
    detached = keytable_remove(target, "moving", 6);
    keytable_entry *renamed = keytable_entry_rekey(detached, "a-much-longer-name-than-before", 30);
    assert_non_null(renamed);
    assert_ptr_equal(renamed->value, &marker);
    assert_int_equal(renamed->type_index, 7);
    assert_int_equal(renamed->flags, 3);
    assert_int_equal(renamed->key_length, 30);
    assert_memory_equal(renamed->key, "a-much-longer-name-than-before", 31);
    assert_int_equal(keytable_insert_entry(target, renamed), KEYTABLE_OK);
    assert_null(keytable_find(target, "moving", 6));
    assert_ptr_equal(keytable_find(target, "a-much-longer-name-than-before", 30), renamed);

    /* The new key may be a piece of the old one. */
    detached = keytable_remove(target, "a-much-longer-name-than-before", 30);
    renamed = keytable_entry_rekey(detached, detached->key + 2, 4);
    assert_non_null(renamed);
    assert_memory_equal(renamed->key, "much", 5);

    /* A failed rekey leaves the original intact. */
    fail_allocations_from_size = 1;
    assert_null(keytable_entry_rekey(renamed, "other", 5));
    fail_allocations_from_size = SIZE_MAX;
    assert_memory_equal(renamed->key, "much", 5);
    assert_ptr_equal(renamed->value, &marker);
    keytable_entry_free(renamed);

    keytable_destroy(source, NULL, NULL);
    keytable_destroy(target, NULL, NULL);
}

/* ---- Random picks ---------------------------------------------------------------------- */

static void test_random_is_reasonably_fair(void **state)
{
    (void)state;
    keytable *table = keytable_create(SEED0, SEED1);
    assert_non_null(table);
    assert_null(keytable_random(table));
    enum { KEYS = 200, DRAWS = 200000 };
    int created;
    for (size_t number = 0; number < KEYS; number++)
        assert_non_null(insert_numbered(table, "key:", number, &created));
    finish_rehashing(table);

    size_t *counts = calloc(KEYS, sizeof(*counts));
    assert_non_null(counts);
    for (int draw = 0; draw < DRAWS; draw++) {
        keytable_entry *entry = keytable_random(table);
        assert_non_null(entry);
        size_t number = key_number(entry, "key:");
        assert_true(number < KEYS);
        counts[number]++;
    }
    size_t expected = DRAWS / KEYS;
    for (size_t number = 0; number < KEYS; number++) {
        if (counts[number] < expected / 3 || counts[number] > expected * 3)
            fail_msg("key:%zu drawn %zu times, expected about %zu", number, counts[number],
                     expected);
    }
    free(counts);
    keytable_destroy(table, NULL, NULL);
}

static void test_random_and_sample_while_rehashing(void **state)
{
    (void)state;
    keytable *table = keytable_create(SEED0, SEED1);
    assert_non_null(table);
    int created;
    size_t count = 0;
    while (!keytable_is_rehashing(table) || count < 5000)
        assert_non_null(insert_numbered(table, "key:", count++, &created));

    keytable_entry *sample[32];
    for (int round = 0; round < 200; round++) {
        assert_non_null(keytable_random(table));
        size_t found = keytable_sample(table, sample, 32);
        assert_true(found <= 32);
        for (size_t i = 0; i < found; i++) {
            size_t number = key_number(sample[i], "key:");
            assert_true(number < count);
            assert_ptr_equal(find_numbered(table, "key:", number), sample[i]);
        }
    }
    /* A request bigger than the table is cut to its size. */
    keytable *small = keytable_create(SEED0, SEED1);
    assert_non_null(small);
    for (size_t number = 0; number < 3; number++)
        assert_non_null(insert_numbered(small, "key:", number, &created));
    assert_true(keytable_sample(small, sample, 32) <= 3);
    keytable_destroy(small, NULL, NULL);
    keytable_destroy(table, NULL, NULL);
}

/* ---- Memory ------------------------------------------------------------------------------ */

static void free_counted_value(keytable_entry *entry, void *privdata)
{
    size_t *freed = privdata;
    dblite_free(entry->value);
    (*freed)++;
}

static void test_memory_accounting_matches_allocator(void **state)
{
    (void)state;
    size_t baseline = live_bytes;
    keytable *table = keytable_create(SEED0, SEED1);
    assert_non_null(table);
    size_t empty_usage = keytable_memory_usage(table);
    assert_true(empty_usage <= live_bytes - baseline);

    enum { KEYS = 20000 };
    int created;
    for (size_t number = 0; number < KEYS; number++)
        assert_non_null(insert_numbered(table, "key:", number, &created));
    size_t allocated = live_bytes - baseline;
    size_t reported = keytable_memory_usage(table);
    /* Bucket arrays are counted as requested, entries as allocated. */
    assert_true(reported <= allocated);
    assert_true(reported >= allocated - allocated / 50);
    /* Compactness: keys of 5-9 bytes cost less than Redis's 24-byte
     * dictEntry + sds key + 16-byte object (~64 bytes) plus buckets. */
    size_t per_key = reported / KEYS;
    print_message("bytes per key (9-byte keys, buckets included): %zu\n", per_key);
    assert_true(per_key >= offsetof(keytable_entry, key) + 5 + 1 + sizeof(void *) / 2);
    assert_true(per_key <= 80);

    /* Removals are accounted too. */
    for (size_t number = 0; number < KEYS; number += 2)
        assert_true(remove_numbered(table, "key:", number));
    allocated = live_bytes - baseline;
    reported = keytable_memory_usage(table);
    assert_true(reported <= allocated);
    assert_true(reported >= allocated - allocated / 50);

    /* Values freed through the callback; clearing returns the table to the
     * empty state and it stays usable. */
    keytable_iterator iterator;
    keytable_iterator_init(&iterator, table);
    for (keytable_entry *entry; (entry = keytable_iterator_next(&iterator)) != NULL;) {
        entry->value = dblite_alloc(16);
        assert_non_null(entry->value);
    }
    keytable_iterator_finish(&iterator);
    size_t freed = 0;
    keytable_clear(table, free_counted_value, &freed);
    assert_int_equal(freed, KEYS / 2);
    assert_int_equal(keytable_size(table), 0);
    assert_int_equal(keytable_memory_usage(table), empty_usage);
    assert_true(live_bytes - baseline <= empty_usage + 64);
    assert_non_null(insert_numbered(table, "key:", 1, &created));
    assert_int_equal(created, 1);

    keytable_destroy(table, NULL, NULL);
    assert_int_equal(live_bytes, baseline);
}

/* keytable_clear_step frees a table in slices: never more than the work it
 * is given (an empty bucket counting as work), every entry and value once,
 * both arrays of a table caught mid-rehash, and all memory once destroyed. */
static void test_clear_in_slices(void **state)
{
    (void)state;
    size_t baseline = live_bytes;
    keytable *table = keytable_create(SEED0, SEED1);
    assert_non_null(table);
    enum { KEYS = 5000 };
    int created;
    for (size_t number = 0; number < KEYS; number++) {
        keytable_entry *entry = insert_numbered(table, "key:", number, &created);
        assert_non_null(entry);
        entry->value = dblite_alloc(16);
        assert_non_null(entry->value);
    }
    /* Remove most keys so the table shrinks: a rehash starts, and the
     * sparse arrays have long runs of empty buckets. */
    for (size_t number = 0; number < KEYS; number++)
        if (number % 10 != 0) {
            char key[64];
            size_t length = format_key(key, sizeof(key), "key:", number);
            keytable_entry *entry = keytable_remove(table, key, length);
            assert_non_null(entry);
            dblite_free(entry->value);
            keytable_entry_free(entry);
        }
    assert_true(keytable_rehash_for(table, 0) || keytable_is_rehashing(table));
    size_t remaining = keytable_size(table);
    assert_int_equal(remaining, KEYS / 10);

    size_t freed = 0, steps = 0;
    enum { WORK = 7 };
    for (;;) {
        size_t before = freed;
        int more = keytable_clear_step(table, free_counted_value, &freed, WORK);
        steps++;
        assert_true(freed - before <= WORK);
        assert_int_equal(keytable_size(table), remaining - freed);
        if (!more)
            break;
        assert_true(steps < 1000000);
    }
    assert_int_equal(freed, remaining);
    assert_true(steps > remaining / WORK); /* it really went in slices */
    keytable_destroy(table, NULL, NULL);
    assert_int_equal(live_bytes, baseline);
}

static void test_bucket_allocation_failure_keeps_table_usable(void **state)
{
    (void)state;
    keytable *table = keytable_create(SEED0, SEED1);
    assert_non_null(table);
    int created;
    assert_non_null(insert_numbered(table, "key:", 0, &created));
    assert_int_equal(keytable_bucket_count(table), 4);

    /* Arrays of 8 buckets and more fail; entries of short keys still fit. */
    fail_allocations_from_size = 8 * sizeof(keytable_entry *);
    for (size_t number = 1; number < 200; number++) {
        keytable_entry *entry = insert_numbered(table, "key:", number, &created);
        assert_non_null(entry);
        assert_int_equal(created, 1);
    }
    assert_int_equal(keytable_bucket_count(table), 4);
    assert_false(keytable_is_rehashing(table));
    for (size_t number = 0; number < 200; number++)
        assert_non_null(find_numbered(table, "key:", number));
    for (size_t number = 0; number < 200; number += 2)
        assert_true(remove_numbered(table, "key:", number));
    assert_int_equal(keytable_size(table), 100);

    /* Memory is back: the next insert grows the table. */
    fail_allocations_from_size = SIZE_MAX;
    assert_non_null(insert_numbered(table, "key:", 1000, &created));
    assert_true(keytable_bucket_count(table) > 4);
    finish_rehashing(table);
    assert_true(keytable_bucket_count(table) >= keytable_size(table));
    for (size_t number = 1; number < 200; number += 2)
        assert_non_null(find_numbered(table, "key:", number));

    /* An entry that cannot be allocated leaves the table unchanged. */
    fail_allocations_from_size = 1;
    assert_null(insert_numbered(table, "key:", 5000, &created));
    assert_int_equal(created, 0);
    fail_allocations_from_size = SIZE_MAX;
    assert_int_equal(keytable_size(table), 101);
    assert_null(find_numbered(table, "key:", 5000));
    keytable_destroy(table, NULL, NULL);

    /* A table that cannot get its first array refuses inserts cleanly. */
    table = keytable_create(SEED0, SEED1);
    assert_non_null(table);
    keytable_entry *entry = keytable_entry_create("key", 3);
    assert_non_null(entry);
    fail_allocations_from_size = 1;
    assert_null(keytable_insert(table, "key", 3, &created));
    assert_int_equal(keytable_insert_entry(table, entry), KEYTABLE_NOMEM);
    assert_int_equal(keytable_reserve(table, 100), -1);
    assert_null(keytable_create(SEED0, SEED1));
    fail_allocations_from_size = SIZE_MAX;
    assert_int_equal(keytable_size(table), 0);
    assert_int_equal(keytable_insert_entry(table, entry), KEYTABLE_OK);
    assert_ptr_equal(keytable_find(table, "key", 3), entry);
    keytable_destroy(table, NULL, NULL);
}

/* ---- Resizing ---------------------------------------------------------------------------- */

static void test_growth_and_timed_rehash(void **state)
{
    (void)state;
    keytable *table = keytable_create(SEED0, SEED1);
    assert_non_null(table);
    int created;
    /* Growth starts when keys reach the bucket count (load factor 1). */
    size_t count = 0;
    while (count < 65536)
        assert_non_null(insert_numbered(table, "key:", count++, &created));
    finish_rehashing(table);
    assert_int_equal(keytable_bucket_count(table), 65536);
    assert_non_null(insert_numbered(table, "key:", count++, &created));
    assert_true(keytable_is_rehashing(table));
    assert_int_equal(keytable_bucket_count(table), 65536 + 131072);

    /* No time budget still moves a first batch, and reports the rest. */
    assert_int_equal(keytable_rehash_for(table, 0), 1);
    assert_int_equal(keytable_rehash_for(table, 1000000), 0);
    assert_false(keytable_is_rehashing(table));
    assert_int_equal(keytable_bucket_count(table), 131072);
    for (size_t number = 0; number < count; number++)
        assert_non_null(find_numbered(table, "key:", number));
    keytable_destroy(table, NULL, NULL);
}

static void test_shrink_after_mass_removal(void **state)
{
    (void)state;
    keytable *table = keytable_create(SEED0, SEED1);
    assert_non_null(table);
    int created;
    enum { KEYS = 100000, KEPT = 1000 };
    for (size_t number = 0; number < KEYS; number++)
        assert_non_null(insert_numbered(table, "key:", number, &created));
    finish_rehashing(table);
    assert_int_equal(keytable_bucket_count(table), 131072);
    for (size_t number = KEPT; number < KEYS; number++)
        assert_true(remove_numbered(table, "key:", number));
    finish_rehashing(table);
    /* Under 10% full shrinks to the smallest power of two holding the keys. */
    assert_int_equal(keytable_bucket_count(table), 1024);
    for (size_t number = 0; number < KEPT; number++)
        assert_non_null(find_numbered(table, "key:", number));
    keytable_destroy(table, NULL, NULL);
}

static void test_reserve_presizes(void **state)
{
    (void)state;
    keytable *table = keytable_create(SEED0, SEED1);
    assert_non_null(table);
    assert_int_equal(keytable_reserve(table, 1000), 0);
    assert_int_equal(keytable_bucket_count(table), 1024);
    int created;
    for (size_t number = 0; number < 1000; number++)
        assert_non_null(insert_numbered(table, "key:", number, &created));
    assert_false(keytable_is_rehashing(table));
    assert_int_equal(keytable_bucket_count(table), 1024);
    /* Reserving more on a filled table starts an ordinary rehash. */
    assert_int_equal(keytable_reserve(table, 5000), 0);
    assert_true(keytable_is_rehashing(table));
    finish_rehashing(table);
    assert_int_equal(keytable_bucket_count(table), 8192);
    for (size_t number = 0; number < 1000; number++)
        assert_non_null(find_numbered(table, "key:", number));
    keytable_destroy(table, NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_siphash_reference_vectors),
        cmocka_unit_test(test_siphash_1_2_is_keyed_and_mixes),
        cmocka_unit_test(test_keytable_hash_uses_its_seeds),
        cmocka_unit_test(test_matches_reference_model),
        cmocka_unit_test(test_binary_keys_are_distinct),
        cmocka_unit_test(test_over_long_keys_are_refused),
        cmocka_unit_test(test_scan_guarantee_through_growth_and_shrink),
        cmocka_unit_test(test_scan_guarantee_through_shrink),
        cmocka_unit_test(test_scan_guarantee_random_interleavings),
        cmocka_unit_test(test_scan_of_unchanged_table_returns_each_entry_once),
        cmocka_unit_test(test_iterator_pauses_rehashing),
        cmocka_unit_test(test_iterator_allows_removing_current_entry),
        cmocka_unit_test(test_iterator_over_empty_table),
        cmocka_unit_test(test_swap_exchanges_contents),
        cmocka_unit_test(test_detached_entries_move_and_rename),
        cmocka_unit_test(test_random_is_reasonably_fair),
        cmocka_unit_test(test_clear_in_slices),
        cmocka_unit_test(test_random_and_sample_while_rehashing),
        cmocka_unit_test(test_memory_accounting_matches_allocator),
        cmocka_unit_test(test_bucket_allocation_failure_keeps_table_usable),
        cmocka_unit_test(test_growth_and_timed_rehash),
        cmocka_unit_test(test_shrink_after_mass_removal),
        cmocka_unit_test(test_reserve_presizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
