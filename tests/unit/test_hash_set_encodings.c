/*
 * test_hash_set_encodings.c - unit tests of the encodings behind the hashes
 * and sets modules: integer sets, the element table (dense entries +
 * open-addressing index), random draws, and the hash and set values that
 * switch between encodings at the configured limits, and the hash and set
 * types' snapshot and rewrite methods (over a recording stream).  The
 * packed lists they use are tested in test_packed_list.c.
 *
 * Most checks run random operations against a simple model and compare the
 * whole structure after each step.  The allocator is the test's own: it
 * counts live blocks, so leaks show, and can fail the n-th allocation, so
 * the out-of-memory paths run too: a failed edit must leave the value as it
 * was (same content, nothing leaked).
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/element_table.h"
#include "common/random_sample.h"
#include "common/random_source.h"
#include "common/value_holder.h"
#include "dblite_module.h"
#include "hashes/hash_type.h"
#include "hashes/hash_value.h"
#include "hashes/hashes.h"
#include "sets/int_set.h"
#include "sets/set_type.h"
#include "sets/set_value.h"
#include "sets/sets.h"

/* ---- The allocator the encodings link against ---------------------------- */

/* Process-wide: the encodings call these symbols directly, there is no
 * handle to hang state on. */
static long long live_blocks;
static long long allocations_before_failure = -1; /* -1: never fail */

static int allocation_fails(void)
{
    if (allocations_before_failure < 0)
        return 0;
    if (allocations_before_failure == 0)
        return 1;
    allocations_before_failure--;
    return 0;
}

void *dblite_alloc(size_t size)
{
    if (allocation_fails())
        return NULL;
    void *ptr = malloc(size ? size : 1);
    if (ptr != NULL)
        live_blocks++;
    return ptr;
}

void *dblite_realloc(void *ptr, size_t size)
{
    if (ptr == NULL)
        return dblite_alloc(size);
    if (allocation_fails())
        return NULL;
    return realloc(ptr, size ? size : 1);
}

void dblite_free(void *ptr)
{
    if (ptr != NULL)
        live_blocks--;
    free(ptr);
}

size_t dblite_alloc_size(const void *ptr)
{
    return ptr ? malloc_usable_size((void *)ptr) : 0;
}

/* Fail every allocation after the next n (n < 0: never). */
static void fail_after(long long n)
{
    allocations_before_failure = n;
}

static dblite_bytes text(const char *s)
{
    dblite_bytes bytes = {s, strlen(s)};
    return bytes;
}

static int bytes_equal(dblite_bytes a, dblite_bytes b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static uint64_t test_random_state = 42;

static uint64_t test_random(void)
{
    /* xorshift64: the test's own generator, independent of random_source */
    test_random_state ^= test_random_state << 13;
    test_random_state ^= test_random_state >> 7;
    test_random_state ^= test_random_state << 17;
    return test_random_state;
}

/* ---- integer sets ---------------------------------------------------------- */

static int compare_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int_set *add_integer(int_set *set, int64_t value, int expect_added)
{
    int added;
    int_set *updated = int_set_add(set, value, &added);
    assert_non_null(updated);
    assert_int_equal(added, expect_added);
    if (updated != set)
        int_set_free(set);
    return updated;
}

static void int_set_widths(void **state)
{
    (void)state;
    int_set *set = int_set_create(3, 0, 2);
    assert_non_null(set);
    set = add_integer(set, 5, 1);
    set = add_integer(set, INT16_MAX, 1);
    set = add_integer(set, INT16_MIN, 1);
    set = add_integer(set, 5, 0);
    assert_int_equal(int_set_width(set), 2);
    assert_false(int_set_contains(set, INT16_MAX + 1));
    set = add_integer(set, INT16_MAX + 1, 1);
    assert_int_equal(int_set_width(set), 4);
    set = add_integer(set, INT32_MIN, 1);
    assert_int_equal(int_set_width(set), 4);
    assert_false(int_set_contains(set, (int64_t)INT32_MIN - 1));
    set = add_integer(set, (int64_t)INT32_MIN - 1, 1);
    assert_int_equal(int_set_width(set), 8);
    set = add_integer(set, INT64_MAX, 1);
    set = add_integer(set, INT64_MIN, 1);
    static const int64_t expected[] = {INT64_MIN, (int64_t)INT32_MIN - 1, INT32_MIN, INT16_MIN, 5,
                                       INT16_MAX, INT16_MAX + 1,          INT64_MAX};
    assert_int_equal(int_set_count(set), 8);
    for (size_t i = 0; i < 8; i++) {
        assert_true(int_set_get(set, i) == expected[i]);
        assert_true(int_set_contains(set, expected[i]));
    }
    assert_int_equal(*(const unsigned char *)set, 3); /* the owner's tag */
    assert_true(int_set_remove(set, INT16_MIN));
    assert_false(int_set_remove(set, INT16_MIN));
    int_set_remove_at(set, 0);
    assert_int_equal(int_set_count(set), 6);
    assert_true(int_set_get(set, 0) == (int64_t)INT32_MIN - 1);
    assert_int_equal(int_set_width_for(-32769), 4);
    assert_int_equal(int_set_width_for(2147483648LL), 8);
    int_set_free(set);
    assert_int_equal(live_blocks, 0);
}

static void int_set_matches_a_sorted_model(void **state)
{
    (void)state;
    enum { OPERATIONS = 20000, RANGE = 3000 };
    int64_t *model = malloc(OPERATIONS * sizeof(int64_t));
    assert_non_null(model);
    size_t model_count = 0;
    int_set *set = int_set_create(1, 0, 2);
    for (int op = 0; op < OPERATIONS; op++) {
        /* Values mostly small, sometimes of each wider width. */
        int64_t value = (int64_t)(test_random() % RANGE) - RANGE / 2;
        uint64_t scale = test_random() % 10;
        if (scale == 0)
            value *= 100000;
        else if (scale == 1)
            value *= INT64_C(10000000000000);
        int present = bsearch(&value, model, model_count, sizeof(int64_t), compare_int64) != NULL;
        if (test_random() % 3 != 0) {
            set = add_integer(set, value, !present);
            if (!present) {
                model[model_count++] = value;
                qsort(model, model_count, sizeof(int64_t), compare_int64);
            }
        } else {
            assert_int_equal(int_set_remove(set, value), present);
            if (present) {
                int64_t *at = bsearch(&value, model, model_count, sizeof(int64_t), compare_int64);
                memmove(at, at + 1, (size_t)(model + model_count - at - 1) * sizeof(int64_t));
                model_count--;
            }
        }
        if (op % 500 == 0 || op == OPERATIONS - 1) {
            assert_int_equal(int_set_count(set), model_count);
            for (size_t i = 0; i < model_count; i++)
                assert_true(int_set_get(set, i) == model[i]);
        }
    }
    int_set_free(set);
    free(model);
    assert_int_equal(live_blocks, 0);
}

static void int_set_out_of_memory_leaves_it_unchanged(void **state)
{
    (void)state;
    int_set *set = int_set_create(1, 0, 2);
    for (int i = 0; i < 3; i++)
        set = add_integer(set, i, 1);
    int_set *full = set;
    /* Fill the block's spare room so the next add has to move. */
    while (dblite_alloc_size(full) >= 8 + (int_set_count(full) + 1) * 2)
        full = add_integer(full, (int64_t)int_set_count(full), 1);
    size_t count = int_set_count(full);
    int added = 7;
    fail_after(0);
    assert_null(int_set_add(full, 1000, &added));
    assert_null(int_set_add(full, 100000, &added)); /* would widen */
    assert_null(int_set_copy(full));
    fail_after(-1);
    assert_int_equal(int_set_count(full), count);
    assert_int_equal(int_set_width(full), 2);
    assert_false(int_set_contains(full, 1000));
    int_set_free(full);
    assert_int_equal(live_blocks, 0);
}

/* ---- element tables ------------------------------------------------------- */

static table_entry *make_entry(element_table *table, const char *key)
{
    size_t length = strlen(key);
    table_entry *entry = table_entry_create(key, length, element_table_hash(table, key, length), 0);
    assert_non_null(entry);
    return entry;
}

static size_t find_key(const element_table *table, const char *key)
{
    size_t length = strlen(key);
    return element_table_find(table, key, length, element_table_hash(table, key, length));
}

static size_t plain_entry_size(const table_entry *entry)
{
    return sizeof(table_entry) + entry->key_length;
}

/* Every model key is found at a position holding it; count agrees. */
static void check_table(const element_table *table, char (*keys)[16], const char *present,
                        size_t universe)
{
    size_t count = 0;
    for (size_t i = 0; i < universe; i++) {
        size_t position = find_key(table, keys[i]);
        if (!present[i]) {
            assert_true(position == ELEMENT_TABLE_ABSENT);
            continue;
        }
        count++;
        assert_true(position < element_table_count(table));
        const table_entry *entry = element_table_entry(table, position);
        assert_int_equal(entry->key_length, strlen(keys[i]));
        assert_memory_equal(entry->bytes, keys[i], entry->key_length);
    }
    assert_int_equal(element_table_count(table), count);
    /* The memory tally matches a full recount. */
    size_t bytes = dblite_alloc_size(table->entries) + dblite_alloc_size(table->slots) +
                   dblite_alloc_size(table->old_slots) + dblite_alloc_size(table->next_slots);
    for (size_t i = 0; i < count; i++)
        bytes += dblite_alloc_size(element_table_entry(table, i));
    assert_int_equal(element_table_memory(table), bytes);
}

static void element_table_matches_a_model(void **state)
{
    (void)state;
    enum { UNIVERSE = 5000, OPERATIONS = 60000 };
    char(*keys)[16] = malloc(UNIVERSE * sizeof *keys);
    char *present = calloc(UNIVERSE, 1);
    assert_non_null(keys);
    assert_non_null(present);
    for (size_t i = 0; i < UNIVERSE; i++)
        snprintf(keys[i], sizeof keys[i], "key:%zu", i);
    element_table table;
    assert_int_equal(element_table_init(&table, 0), DBLITE_OK);
    for (int op = 0; op < OPERATIONS; op++) {
        size_t i = (size_t)(test_random() % UNIVERSE);
        /* Phases: mostly inserting, then mostly deleting, so the index
         * grows and shrinks several times. */
        int inserting = (op / 15000) % 2 == 0 ? test_random() % 4 != 0 : test_random() % 4 == 0;
        if (inserting && !present[i]) {
            assert_int_equal(element_table_add(&table, make_entry(&table, keys[i])), DBLITE_OK);
            present[i] = 1;
        } else if (!inserting && present[i]) {
            size_t position = find_key(&table, keys[i]);
            table_entry *removed = element_table_remove(&table, position);
            assert_memory_equal(removed->bytes, keys[i], removed->key_length);
            dblite_free(removed);
            present[i] = 0;
        }
        if (op % 2000 == 0)
            check_table(&table, keys, present, UNIVERSE);
    }
    check_table(&table, keys, present, UNIVERSE);

    element_table copy;
    assert_int_equal(element_table_copy(&copy, &table, plain_entry_size), DBLITE_OK);
    check_table(&copy, keys, present, UNIVERSE);
    element_table_destroy(&copy);

    /* Empty it entirely: the index shrinks back and still works. */
    while (element_table_count(&table) > 0)
        dblite_free(element_table_remove(&table, element_table_count(&table) - 1));
    memset(present, 0, UNIVERSE);
    check_table(&table, keys, present, UNIVERSE);
    assert_true(element_table_memory(&table) < 1024);
    element_table_destroy(&table);
    free(keys);
    free(present);
    assert_int_equal(live_blocks, 0);
}

/* Large enough for the step-by-step resizes (preparing the next index,
 * then migrating slots a few per edit) in both directions, with lookups,
 * removals and position moves landing in both indexes meanwhile. */
static void element_table_resizes_step_by_step(void **state)
{
    (void)state;
    enum { UNIVERSE = 60000 };
    char(*keys)[16] = malloc(UNIVERSE * sizeof *keys);
    char *present = calloc(UNIVERSE, 1);
    for (size_t i = 0; i < UNIVERSE; i++)
        snprintf(keys[i], sizeof keys[i], "k%zu", i);
    element_table table;
    assert_int_equal(element_table_init(&table, 0), DBLITE_OK);
    size_t count = 0;
    int saw_migration = 0, saw_preparation = 0;
    for (int phase = 0; phase < 2; phase++) {
        for (int op = 0; op < 200000; op++) {
            size_t i = (size_t)(test_random() % UNIVERSE);
            int grow = phase == 0 ? test_random() % 4 != 0 : test_random() % 4 == 0;
            if (grow && !present[i]) {
                assert_int_equal(element_table_add(&table, make_entry(&table, keys[i])), DBLITE_OK);
                present[i] = 1;
                count++;
            } else if (!grow && present[i]) {
                dblite_free(element_table_remove(&table, find_key(&table, keys[i])));
                present[i] = 0;
                count--;
            }
            saw_migration |= table.old_slots != NULL;
            saw_preparation |= table.next_slots != NULL;
            /* Spot checks every step: one random key, present or not. */
            size_t probe = (size_t)(test_random() % UNIVERSE);
            size_t position = find_key(&table, keys[probe]);
            assert_int_equal(position != ELEMENT_TABLE_ABSENT, present[probe]);
            if (position != ELEMENT_TABLE_ABSENT)
                assert_memory_equal(element_table_entry(&table, position)->bytes, keys[probe],
                                    strlen(keys[probe]));
            assert_int_equal(element_table_count(&table), count);
            if (op % 20000 == 0)
                check_table(&table, keys, present, UNIVERSE);
        }
        check_table(&table, keys, present, UNIVERSE);
    }
    assert_true(saw_migration);
    assert_true(saw_preparation);
    element_table_destroy(&table);
    free(keys);
    free(present);
    assert_int_equal(live_blocks, 0);
}

/* The SCAN guarantee the modules build on: walking positions from the end
 * towards 0, with removals and additions between steps, meets every entry
 * that was present for the whole walk. */
static void element_table_backward_walk_sees_every_survivor(void **state)
{
    (void)state;
    enum { INITIAL = 3000, STEP = 7 };
    element_table table;
    assert_int_equal(element_table_init(&table, 0), DBLITE_OK);
    char key[32];
    for (int i = 0; i < INITIAL; i++) {
        snprintf(key, sizeof key, "m%d", i);
        assert_int_equal(element_table_add(&table, make_entry(&table, key)), DBLITE_OK);
    }
    char *removed = calloc(INITIAL, 1);
    char *seen = calloc(INITIAL, 1);
    int added = 0;
    size_t resume = element_table_count(&table);
    while (resume > 0) {
        size_t stop = resume > STEP ? resume - STEP : 0;
        for (size_t position = resume; position > stop; position--) {
            const table_entry *entry = element_table_entry(&table, position - 1);
            if (entry->bytes[0] == 'm') {
                char name[32];
                memcpy(name, entry->bytes + 1, entry->key_length - 1);
                name[entry->key_length - 1] = '\0';
                seen[atoi(name)] = 1;
            }
        }
        resume = stop;
        /* Between steps: remove two random entries, add one new one. */
        for (int r = 0; r < 2 && element_table_count(&table) > 0; r++) {
            size_t position = (size_t)(test_random() % element_table_count(&table));
            table_entry *entry = element_table_remove(&table, position);
            if (entry->bytes[0] == 'm') {
                char name[32];
                memcpy(name, entry->bytes + 1, entry->key_length - 1);
                name[entry->key_length - 1] = '\0';
                removed[atoi(name)] = 1;
            }
            dblite_free(entry);
        }
        snprintf(key, sizeof key, "n%d", added++);
        assert_int_equal(element_table_add(&table, make_entry(&table, key)), DBLITE_OK);
        if (resume > element_table_count(&table))
            resume = element_table_count(&table);
    }
    for (int i = 0; i < INITIAL; i++)
        if (!removed[i])
            assert_true(seen[i]);
    element_table_destroy(&table);
    free(removed);
    free(seen);
    assert_int_equal(live_blocks, 0);
}

static void element_table_out_of_memory(void **state)
{
    (void)state;
    element_table table;
    fail_after(0);
    assert_int_equal(element_table_init(&table, 0), DBLITE_ERR_NOMEM);
    fail_after(1);
    assert_int_equal(element_table_init(&table, 0), DBLITE_ERR_NOMEM);
    fail_after(-1);
    assert_int_equal(live_blocks, 0);
    assert_int_equal(element_table_init(&table, 0), DBLITE_OK);
    /* Add until the next add has to grow the entries or the index, making
     * every growth fail: the add must report it and change nothing. */
    char key[32];
    int failures = 0;
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "k%d", i);
        table_entry *entry = make_entry(&table, key);
        size_t before = element_table_count(&table);
        fail_after(0);
        int status = element_table_add(&table, entry);
        fail_after(-1);
        if (status != DBLITE_OK) {
            failures++;
            assert_int_equal(status, DBLITE_ERR_NOMEM);
            assert_int_equal(element_table_count(&table), before);
            assert_true(find_key(&table, key) == ELEMENT_TABLE_ABSENT);
            assert_int_equal(element_table_add(&table, entry), DBLITE_OK);
        }
        assert_true(find_key(&table, key) != ELEMENT_TABLE_ABSENT);
    }
    assert_true(failures > 0);
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_true(find_key(&table, key) != ELEMENT_TABLE_ABSENT);
    }
    element_table copy;
    fail_after(5);
    assert_int_equal(element_table_copy(&copy, &table, plain_entry_size), DBLITE_ERR_NOMEM);
    fail_after(-1);
    element_table_destroy(&table);
    assert_int_equal(live_blocks, 0);
}

/* Each table draws its own secret: the same member hashes differently in
 * two tables (a 2^-32 chance of a false failure), and a copy keeps the
 * secret its entries' hashes were made with. */
static void element_tables_have_their_own_secret(void **state)
{
    (void)state;
    element_table first, second, copy;
    assert_int_equal(element_table_init(&first, 0), DBLITE_OK);
    assert_int_equal(element_table_init(&second, 0), DBLITE_OK);
    assert_true(element_table_hash(&first, "member", 6) !=
                element_table_hash(&second, "member", 6));
    assert_int_equal(element_table_add(&first, make_entry(&first, "member")), DBLITE_OK);
    assert_int_equal(element_table_copy(&copy, &first, plain_entry_size), DBLITE_OK);
    assert_true(element_table_hash(&copy, "member", 6) == element_table_hash(&first, "member", 6));
    assert_true(find_key(&copy, "member") != ELEMENT_TABLE_ABSENT);
    element_table_destroy(&first);
    element_table_destroy(&second);
    element_table_destroy(&copy);
    assert_int_equal(live_blocks, 0);
}

/* ---- random draws --------------------------------------------------------- */

static void random_below_is_uniform(void **state)
{
    (void)state;
    random_source random = {12345};
    enum { BINS = 10, DRAWS = 100000 };
    long counts[BINS] = {0};
    for (int i = 0; i < DRAWS; i++) {
        uint64_t value = random_below(&random, BINS);
        assert_true(value < BINS);
        counts[value]++;
    }
    double chi_square = 0;
    for (int i = 0; i < BINS; i++) {
        double expected = (double)DRAWS / BINS;
        chi_square += (counts[i] - expected) * (counts[i] - expected) / expected;
    }
    /* 9 degrees of freedom: mean 9, so 60 is far out in the tail. */
    assert_true(chi_square < 60);
    /* Bounds near the top of the range still stay inside it. */
    for (int i = 0; i < 1000; i++)
        assert_true(random_below(&random, UINT64_MAX - 1) < UINT64_MAX - 1);
    assert_int_equal(random_below(&random, 1), 0);
}

static void distinct_positions_are_distinct_and_fair(void **state)
{
    (void)state;
    random_source random = {777};
    /* Both strategies: count well below a third of total, and above. */
    static const size_t shapes[][2] = {{1000, 10}, {1000, 333}, {1000, 334}, {30, 29}, {5, 5}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t total = shapes[s][0], count = shapes[s][1];
        long *hits = calloc(total, sizeof(long));
        size_t *picks = malloc(count * sizeof(size_t));
        char *taken = malloc(total);
        int rounds = 3000;
        for (int round = 0; round < rounds; round++) {
            assert_int_equal(random_distinct_positions(&random, total, count, picks), DBLITE_OK);
            memset(taken, 0, total);
            for (size_t i = 0; i < count; i++) {
                assert_true(picks[i] < total);
                assert_false(taken[picks[i]]);
                taken[picks[i]] = 1;
                hits[picks[i]]++;
            }
        }
        /* Each position is picked with probability count/total per round. */
        double expected = (double)rounds * (double)count / (double)total;
        double chi_square = 0;
        for (size_t i = 0; i < total; i++)
            chi_square += (hits[i] - expected) * (hits[i] - expected) / expected;
        /* total-1 degrees of freedom, sd sqrt(2(total-1)); 8 sd is far out. */
        double limit = (double)(total - 1) + 8 * __builtin_sqrt(2.0 * (double)(total - 1)) + 10;
        if (count < total)
            assert_true(chi_square < limit);
        free(hits);
        free(picks);
        free(taken);
    }
    fail_after(0);
    size_t picks[10];
    assert_int_equal(random_distinct_positions(&random, 1000, 10, picks), DBLITE_ERR_NOMEM);
    assert_int_equal(random_distinct_positions(&random, 12, 10, picks), DBLITE_ERR_NOMEM);
    fail_after(-1);
    assert_int_equal(live_blocks, 0);
}

/* ---- hash values ------------------------------------------------------------ */

static const hash_limits small_hash_limits = {4, 8};

static hash_value *new_hash(void)
{
    hash_value *value = hash_value_create(&small_hash_limits, 0, 0, 0);
    assert_non_null(value);
    return value;
}

static void hash_set(value_holder *holder, const char *field, const char *content, int expected)
{
    assert_int_equal(hash_value_set(holder, &small_hash_limits, text(field), text(content)),
                     expected);
}

static void expect_hash_pairs(const hash_value *value, const char *const *pairs, size_t count)
{
    assert_int_equal(hash_value_length(value), count);
    hash_iterator iterator;
    hash_iterator_init(&iterator, value);
    dblite_bytes field, content;
    for (size_t i = 0; i < count; i++) {
        assert_true(hash_iterator_next(&iterator, &field, &content));
        assert_true(bytes_equal(field, text(pairs[2 * i])));
        assert_true(bytes_equal(content, text(pairs[2 * i + 1])));
        dblite_bytes at_field, at_content;
        hash_value_pair_at(value, i, &at_field, &at_content);
        assert_true(bytes_equal(at_field, field));
        assert_true(bytes_equal(at_content, content));
        dblite_bytes found;
        assert_true(hash_value_get(value, field, &found));
        assert_true(bytes_equal(found, content));
    }
    assert_false(hash_iterator_next(&iterator, &field, &content));
}

static void hash_converts_at_the_pair_limit(void **state)
{
    (void)state;
    value_holder holder;
    value_holder_init(&holder, NULL, hash_value_free);
    holder.current = new_hash();
    hash_set(&holder, "a", "1", HASH_VALUE_ADDED);
    hash_set(&holder, "b", "2", HASH_VALUE_ADDED);
    hash_set(&holder, "c", "3", HASH_VALUE_ADDED);
    hash_set(&holder, "d", "4", HASH_VALUE_ADDED);
    hash_set(&holder, "b", "22", HASH_VALUE_UPDATED);
    assert_int_equal(hash_value_encoding(holder.current), HASH_ENCODING_PACKED);
    static const char *const four[] = {"a", "1", "b", "22", "c", "3", "d", "4"};
    expect_hash_pairs(holder.current, four, 4);
    /* Packed deletion keeps the order. */
    assert_true(hash_value_delete(holder.current, text("b")));
    assert_false(hash_value_delete(holder.current, text("b")));
    hash_set(&holder, "b", "2", HASH_VALUE_ADDED);
    static const char *const reordered[] = {"a", "1", "c", "3", "d", "4", "b", "2"};
    expect_hash_pairs(holder.current, reordered, 4);
    /* The fifth pair passes max_packed_pairs. */
    hash_set(&holder, "e", "5", HASH_VALUE_ADDED);
    assert_int_equal(hash_value_encoding(holder.current), HASH_ENCODING_TABLE);
    static const char *const five[] = {"a", "1", "c", "3", "d", "4", "b", "2", "e", "5"};
    expect_hash_pairs(holder.current, five, 5);
    /* Table deletion moves the last pair into the hole. */
    assert_true(hash_value_delete(holder.current, text("c")));
    static const char *const after_delete[] = {"a", "1", "e", "5", "d", "4", "b", "2"};
    expect_hash_pairs(holder.current, after_delete, 4);
    /* A table never goes back, even when it gets small again. */
    size_t memory_before = hash_value_memory_usage(holder.current);
    char long_value[300];
    memset(long_value, 'L', sizeof long_value - 1);
    long_value[sizeof long_value - 1] = '\0';
    hash_set(&holder, "a", long_value, HASH_VALUE_UPDATED);
    assert_true(hash_value_memory_usage(holder.current) >= memory_before + 250);
    hash_set(&holder, "a", "x", HASH_VALUE_UPDATED);
    assert_true(hash_value_memory_usage(holder.current) < memory_before + 64);
    assert_true(hash_value_delete(holder.current, text("e")));
    assert_int_equal(hash_value_encoding(holder.current), HASH_ENCODING_TABLE);
    static const char *const small_again[] = {"a", "x", "b", "2", "d", "4"};
    expect_hash_pairs(holder.current, small_again, 3);
    void *copy = hash_value_copy(holder.current);
    assert_non_null(copy);
    expect_hash_pairs(copy, small_again, 3);
    assert_true(hash_value_memory_usage(copy) > 0);
    hash_value_free(copy);
    hash_value_free(holder.current);
    assert_int_equal(live_blocks, 0);
}

static void hash_converts_at_the_length_limit(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"12345678", "12345678"}, /* exactly at the limit: stays packed */
        {"123456789", "v"},       /* long field */
        {"f", "123456789"},       /* long value */
    };
    for (size_t c = 0; c < 3; c++) {
        value_holder holder;
        value_holder_init(&holder, NULL, hash_value_free);
        holder.current = new_hash();
        hash_set(&holder, "first", "1", HASH_VALUE_ADDED);
        hash_set(&holder, cases[c][0], cases[c][1], HASH_VALUE_ADDED);
        assert_int_equal(hash_value_encoding(holder.current),
                         c == 0 ? HASH_ENCODING_PACKED : HASH_ENCODING_TABLE);
        const char *const pairs[] = {"first", "1", cases[c][0], cases[c][1]};
        expect_hash_pairs(holder.current, pairs, 2);
        hash_value_free(holder.current);
    }
    /* Updating an existing packed field to a long value converts too. */
    value_holder holder;
    value_holder_init(&holder, NULL, hash_value_free);
    holder.current = new_hash();
    hash_set(&holder, "f", "short", HASH_VALUE_ADDED);
    hash_set(&holder, "f", "123456789", HASH_VALUE_UPDATED);
    assert_int_equal(hash_value_encoding(holder.current), HASH_ENCODING_TABLE);
    static const char *const updated[] = {"f", "123456789"};
    expect_hash_pairs(holder.current, updated, 1);
    hash_value_free(holder.current);
    /* A new hash sized for what is coming starts in the right encoding. */
    hash_value *big = hash_value_create(&small_hash_limits, 5, 1, 10);
    assert_int_equal(hash_value_encoding(big), HASH_ENCODING_TABLE);
    hash_value_free(big);
    hash_value *wide = hash_value_create(&small_hash_limits, 2, 9, 10);
    assert_int_equal(hash_value_encoding(wide), HASH_ENCODING_TABLE);
    hash_value_free(wide);
    assert_int_equal(live_blocks, 0);
}

static void hash_holder_frees_only_intermediate_blocks(void **state)
{
    (void)state;
    /* The stored block (the keyspace's) must survive moves; the blocks made
     * in between must not leak. */
    hash_value *stored = new_hash();
    value_holder holder;
    value_holder_init(&holder, stored, hash_value_free);
    long long before = live_blocks;
    char field[8];
    for (int i = 0; i < 4; i++) {
        snprintf(field, sizeof field, "f%d", i);
        hash_set(&holder, field, "12345678", HASH_VALUE_ADDED);
    }
    /* The stored block took the first pairs in place while it had room,
     * then stayed as it was once the hash moved out. */
    assert_ptr_not_equal(holder.current, stored);
    size_t stored_length = hash_value_length(stored);
    assert_true(stored_length < 4);
    assert_int_equal(hash_value_length(holder.current), 4);
    assert_int_equal(live_blocks, before + 1);         /* only the current block */
    hash_set(&holder, "fifth", "5", HASH_VALUE_ADDED); /* converts */
    assert_int_equal(hash_value_encoding(holder.current), HASH_ENCODING_TABLE);
    value_holder_discard(&holder);
    assert_ptr_equal(holder.current, stored);
    assert_int_equal(hash_value_length(stored), stored_length);
    assert_int_equal(live_blocks, before);
    hash_value_free(stored);
    assert_int_equal(live_blocks, 0);
}

/* Runs edit on a fresh copy of a hash with fail_after(n) for n = 0, 1, ...
 * until it succeeds: each failure must leave the content unchanged. */
static void hash_edits_survive_out_of_memory(void **state)
{
    (void)state;
    static const char *const start[] = {"a", "1", "b", "2", "c", "3", "d", "4"};
    for (int start_encoding = 0; start_encoding < 2; start_encoding++) {
        static const char *const edits[][2] = {
            {"b", "a longer value"}, /* update that converts (length) */
            {"e", "5"},              /* add that converts (count) */
            {"a", "12345678"},       /* update that grows in place or moves */
        };
        for (size_t e = 0; e < 3; e++) {
            for (long long n = 0;; n++) {
                value_holder holder;
                value_holder_init(&holder, NULL, hash_value_free);
                holder.current = new_hash();
                for (int i = 0; i < 4; i++)
                    hash_set(&holder, start[2 * i], start[2 * i + 1], HASH_VALUE_ADDED);
                if (start_encoding == 1)
                    hash_set(&holder, "long field name", "x", HASH_VALUE_ADDED);
                hash_value *before = hash_value_copy(holder.current);
                assert_non_null(before);
                fail_after(n);
                int result = hash_value_set(&holder, &small_hash_limits, text(edits[e][0]),
                                            text(edits[e][1]));
                fail_after(-1);
                if (result == DBLITE_ERR_NOMEM) {
                    /* Same pairs as before, in the same order. */
                    hash_iterator expected, got;
                    hash_iterator_init(&expected, before);
                    hash_iterator_init(&got, holder.current);
                    dblite_bytes f1, v1, f2, v2;
                    while (hash_iterator_next(&expected, &f1, &v1)) {
                        assert_true(hash_iterator_next(&got, &f2, &v2));
                        assert_true(bytes_equal(f1, f2) && bytes_equal(v1, v2));
                    }
                    assert_false(hash_iterator_next(&got, &f2, &v2));
                }
                hash_value_free(before);
                hash_value_free(holder.current);
                assert_int_equal(live_blocks, 0);
                if (result != DBLITE_ERR_NOMEM)
                    break;
            }
        }
    }
}

/* ---- set values ----------------------------------------------------------- */

static const set_limits small_set_limits = {4, 3, 5};

static set_value *new_set(void)
{
    set_shape shape = {.all_integers = 1};
    set_value *set = set_value_create(&small_set_limits, &shape);
    assert_non_null(set);
    return set;
}

static void set_add(value_holder *holder, const char *member, int expected)
{
    assert_int_equal(set_value_add(holder, &small_set_limits, text(member)), expected);
}

static void expect_members(const set_value *set, const char *const *members, size_t count)
{
    assert_int_equal(set_value_length(set), count);
    set_iterator iterator;
    set_iterator_init(&iterator, set);
    set_member member;
    for (size_t i = 0; i < count; i++) {
        assert_true(set_iterator_next(&iterator, &member));
        if (!bytes_equal(member.bytes, text(members[i])))
            fail_msg("member %zu: got '%.*s', expected '%s'", i, (int)member.bytes.len,
                     member.bytes.ptr, members[i]);
        set_member at;
        set_value_member_at(set, i, &at);
        assert_true(bytes_equal(at.bytes, member.bytes));
        assert_true(set_value_contains(set, member.bytes));
        assert_true(set_value_contains_member(set, &member));
    }
    assert_false(set_iterator_next(&iterator, &member));
}

static value_holder holder_for(set_value *set)
{
    value_holder holder;
    value_holder_init(&holder, NULL, set_value_free);
    holder.current = set;
    return holder;
}

static void set_integers_stay_sorted_until_the_limit(void **state)
{
    (void)state;
    value_holder holder = holder_for(new_set());
    set_add(&holder, "30", 1);
    set_add(&holder, "-7", 1);
    set_add(&holder, "100000", 1);
    set_add(&holder, "30", 0);
    set_add(&holder, "9223372036854775807", 1);
    assert_int_equal(set_value_encoding(holder.current), SET_ENCODING_INTEGERS);
    static const char *const sorted[] = {"-7", "30", "100000", "9223372036854775807"};
    expect_members(holder.current, sorted, 4);
    /* Only canonical integers are integers: these are different strings. */
    assert_false(set_value_contains(holder.current, text("030")));
    assert_false(set_value_contains(holder.current, text("+30")));
    assert_false(set_value_contains(holder.current, text(" 30")));
    assert_false(set_value_contains(holder.current, text("9223372036854775808")));
    assert_false(set_value_remove(holder.current, text("030")));
    /* The fifth integer passes max_intset_entries (4); the packed encoding
     * cannot take five either (3), so the set becomes a table. */
    set_add(&holder, "1", 1);
    assert_int_equal(set_value_encoding(holder.current), SET_ENCODING_TABLE);
    assert_true(set_value_contains(holder.current, text("100000")));
    assert_false(set_value_contains(holder.current, text("030")));
    set_value_free(holder.current);
    assert_int_equal(live_blocks, 0);
}

static void set_integers_become_packed_for_a_string(void **state)
{
    (void)state;
    value_holder holder = holder_for(new_set());
    set_add(&holder, "2", 1);
    set_add(&holder, "1", 1);
    set_add(&holder, "007", 1); /* not canonical: a string */
    assert_int_equal(set_value_encoding(holder.current), SET_ENCODING_PACKED);
    static const char *const packed[] = {"1", "2", "007"};
    expect_members(holder.current, packed, 3);
    set_add(&holder, "1", 0);
    set_add(&holder, "7", 1); /* fourth member passes max_packed_entries (3) */
    assert_int_equal(set_value_encoding(holder.current), SET_ENCODING_TABLE);
    static const char *const table[] = {"1", "2", "007", "7"};
    expect_members(holder.current, table, 4);
    set_value_free(holder.current);

    /* Integers longer than max_packed_length (5) cannot go packed. */
    holder = holder_for(new_set());
    set_add(&holder, "123456", 1);
    set_add(&holder, "x", 1);
    assert_int_equal(set_value_encoding(holder.current), SET_ENCODING_TABLE);
    set_value_free(holder.current);

    /* A long member goes straight to a table. */
    holder = holder_for(new_set());
    set_add(&holder, "1", 1);
    set_add(&holder, "longer", 1);
    assert_int_equal(set_value_encoding(holder.current), SET_ENCODING_TABLE);
    set_value_free(holder.current);

    /* A packed set past its length limit. */
    holder = holder_for(new_set());
    set_add(&holder, "a", 1);
    assert_int_equal(set_value_encoding(holder.current), SET_ENCODING_PACKED);
    set_add(&holder, "abcde", 1);
    assert_int_equal(set_value_encoding(holder.current), SET_ENCODING_PACKED);
    set_add(&holder, "abcdef", 1);
    assert_int_equal(set_value_encoding(holder.current), SET_ENCODING_TABLE);
    static const char *const long_member[] = {"a", "abcde", "abcdef"};
    expect_members(holder.current, long_member, 3);
    set_value_free(holder.current);
    assert_int_equal(live_blocks, 0);
}

static void set_intersection_helpers_cross_encodings(void **state)
{
    (void)state;
    value_holder integers = holder_for(new_set());
    set_add(&integers, "5", 1);
    set_add(&integers, "6", 1);
    value_holder packed = holder_for(new_set());
    set_add(&packed, "6", 1);
    set_add(&packed, "x", 1);
    /* An integer read from an integer set is found in a packed set holding
     * its text, and the other way round. */
    set_member member;
    set_value_member_at(integers.current, 1, &member);
    assert_true(member.is_integer);
    assert_true(set_value_contains_member(packed.current, &member));
    set_value_member_at(packed.current, 0, &member);
    assert_false(member.is_integer);
    assert_true(set_value_contains_member(integers.current, &member));
    value_holder result = holder_for(new_set());
    set_value_member_at(integers.current, 0, &member);
    assert_int_equal(set_value_add_member(&result, &small_set_limits, &member), 1);
    assert_int_equal(set_value_encoding(result.current), SET_ENCODING_INTEGERS);
    set_value_free(result.current);
    set_value_free(integers.current);
    set_value_free(packed.current);
    assert_int_equal(live_blocks, 0);
}

static void set_removals_in_every_encoding(void **state)
{
    (void)state;
    static const char *const members[3][4] = {
        {"1", "2", "3", "4"}, {"a", "b", "c", NULL}, {"a", "b", "c", "d"}};
    static const int encodings[3] = {SET_ENCODING_INTEGERS, SET_ENCODING_PACKED,
                                     SET_ENCODING_TABLE};
    for (int e = 0; e < 3; e++) {
        value_holder holder = holder_for(new_set());
        size_t count = 0;
        for (; count < 4 && members[e][count] != NULL; count++)
            set_add(&holder, members[e][count], 1);
        assert_int_equal(set_value_encoding(holder.current), encodings[e]);
        assert_true(set_value_remove(holder.current, text(members[e][1])));
        assert_false(set_value_remove(holder.current, text(members[e][1])));
        assert_false(set_value_remove(holder.current, text("zz")));
        set_value_remove_at(holder.current, 0);
        assert_int_equal(set_value_length(holder.current), count - 2);
        assert_false(set_value_contains(holder.current, text(members[e][0])));
        while (set_value_length(holder.current) > 0)
            set_value_remove_at(holder.current, set_value_length(holder.current) - 1);
        set_value_trim(&holder);
        void *copy = set_value_copy(holder.current);
        assert_non_null(copy);
        assert_int_equal(set_value_length(copy), 0);
        set_value_free(copy);
        set_value_free(holder.current);
    }
    assert_int_equal(live_blocks, 0);
}

static void set_matches_a_model_with_default_limits(void **state)
{
    (void)state;
    /* Redis's default limits, a mix of integer and string members: the set
     * walks through all three encodings. */
    set_limits limits = set_default_limits();
    enum { UNIVERSE = 2000, OPERATIONS = 20000 };
    char(*names)[24] = malloc(UNIVERSE * sizeof *names);
    char *present = calloc(UNIVERSE, 1);
    for (int i = 0; i < UNIVERSE; i++)
        snprintf(names[i], sizeof names[i], i < UNIVERSE * 3 / 4 ? "%d" : "s%d", i - 100);
    set_shape shape = {.all_integers = 1};
    value_holder holder = holder_for(set_value_create(&limits, &shape));
    int saw[4] = {0};
    size_t count = 0;
    for (int op = 0; op < OPERATIONS; op++) {
        /* Integers only at first, strings join after a while. */
        int limit = op < 3000 ? UNIVERSE * 3 / 4 : UNIVERSE;
        int i = (int)(test_random() % (uint64_t)limit);
        if (test_random() % 3 != 0) {
            int added = set_value_add(&holder, &limits, text(names[i]));
            assert_int_equal(added, !present[i]);
            count += (size_t)added;
            present[i] = 1;
        } else {
            int removed = set_value_remove(holder.current, text(names[i]));
            assert_int_equal(removed, present[i]);
            count -= (size_t)removed;
            present[i] = 0;
        }
        saw[set_value_encoding(holder.current)] = 1;
        if (op % 1000 == 0) {
            assert_int_equal(set_value_length(holder.current), count);
            for (int j = 0; j < UNIVERSE; j++)
                assert_int_equal(set_value_contains(holder.current, text(names[j])), present[j]);
        }
    }
    assert_true(saw[SET_ENCODING_INTEGERS] && saw[SET_ENCODING_TABLE]);
    set_value_free(holder.current);
    free(names);
    free(present);
    assert_int_equal(live_blocks, 0);
}

static void set_edits_survive_out_of_memory(void **state)
{
    (void)state;
    static const char *const additions[] = {"4", "x", "123456", "abcdef", "9"};
    for (size_t a = 0; a < sizeof additions / sizeof additions[0]; a++) {
        for (long long n = 0;; n++) {
            value_holder holder = holder_for(new_set());
            set_add(&holder, "1", 1);
            set_add(&holder, "2", 1);
            set_add(&holder, "3", 1);
            if (a == 4) {
                set_add(&holder, "4", 1); /* the fifth integer converts to a table */
            }
            size_t before = set_value_length(holder.current);
            fail_after(n);
            int result = set_value_add(&holder, &small_set_limits, text(additions[a]));
            fail_after(-1);
            if (result == DBLITE_ERR_NOMEM) {
                assert_int_equal(set_value_length(holder.current), before);
                assert_false(set_value_contains(holder.current, text(additions[a])));
                assert_true(set_value_contains(holder.current, text("2")));
            } else {
                assert_int_equal(result, 1);
                assert_true(set_value_contains(holder.current, text(additions[a])));
            }
            set_value_free(holder.current);
            assert_int_equal(live_blocks, 0);
            if (result != DBLITE_ERR_NOMEM)
                break;
        }
    }
}

/* ---- snapshots and rewrites ------------------------------------------------ */

/* The module API the type methods call, supplied here: a stream that
 * records what is written and replays it, a rewriter that keeps the
 * commands, and registration that hands the methods to the test. */
typedef struct stream_record {
    int is_string;
    uint64_t number;
    char *bytes;
    size_t length;
} stream_record;

struct dblite_io {
    stream_record *records;
    size_t count, capacity, next;
    void *module_data; /* the settings a load should follow; NULL: none */
    int failed;
};

struct dblite_rewriter {
    int commands;
    int max_argc;
    value_holder *replay_hash; /* HSET arguments are applied here... */
    value_holder *replay_set;  /* ...and SADD arguments here */
    dblite_bytes key;
};

static const dblite_type_methods *registered_hash_methods, *registered_set_methods;
static int registered_hash_code = -1, registered_set_code = -1;
static int registered_type_dummy;

dblite_type *dblite_type_register(dblite_module *module, const char *public_name,
                                  const char *snapshot_name, int encoding_version,
                                  int native_snapshot_code, const dblite_type_methods *methods)
{
    (void)module;
    assert_int_equal(strlen(snapshot_name), 9);
    assert_int_equal(encoding_version, 0);
    if (strcmp(public_name, "hash") == 0) {
        registered_hash_methods = methods;
        registered_hash_code = native_snapshot_code;
    } else if (strcmp(public_name, "set") == 0) {
        registered_set_methods = methods;
        registered_set_code = native_snapshot_code;
    } else {
        fail_msg("unexpected type '%s'", public_name);
    }
    return (dblite_type *)&registered_type_dummy;
}

void dblite_module_fail(dblite_module *module, const char *format, ...)
{
    (void)module;
    fail_msg("module failed: %s", format);
}

static int stream_push(dblite_io *io, stream_record record)
{
    if (io->failed)
        return DBLITE_ERR_IO;
    if (io->count == io->capacity) {
        io->capacity = io->capacity ? io->capacity * 2 : 64;
        io->records = realloc(io->records, io->capacity * sizeof(stream_record));
    }
    io->records[io->count++] = record;
    return DBLITE_OK;
}

int dblite_io_write_unsigned(dblite_io *io, uint64_t value)
{
    stream_record record = {0, value, NULL, 0};
    return stream_push(io, record);
}

int dblite_io_write_string(dblite_io *io, const char *ptr, size_t len)
{
    stream_record record = {1, 0, malloc(len ? len : 1), len};
    memcpy(record.bytes, ptr, len);
    return stream_push(io, record);
}

int dblite_io_read_unsigned(dblite_io *io, uint64_t *value)
{
    if (io->failed || io->next >= io->count || io->records[io->next].is_string)
        return DBLITE_ERR_IO;
    *value = io->records[io->next++].number;
    return DBLITE_OK;
}

int dblite_io_read_string(dblite_io *io, char **ptr, size_t *len)
{
    if (io->failed || io->next >= io->count || !io->records[io->next].is_string)
        return DBLITE_ERR_IO;
    const stream_record *record = &io->records[io->next];
    /* Owned by the caller and released with dblite_free, as the real
     * stream's strings are: counts as a live block until then. */
    *ptr = dblite_alloc(record->length ? record->length : 1);
    if (*ptr == NULL)
        return DBLITE_ERR_NOMEM;
    memcpy(*ptr, record->bytes, record->length);
    *len = record->length;
    io->next++;
    return DBLITE_OK;
}

/* The module behind a stream: the stream stands in for the module, whose
 * data is the settings the test put in it. */
dblite_module *dblite_io_module(const dblite_io *io)
{
    return io->module_data != NULL ? (dblite_module *)io : NULL;
}

void *dblite_module_get_data(const dblite_module *module)
{
    return module != NULL ? ((const dblite_io *)module)->module_data : NULL;
}

void dblite_io_fail(dblite_io *io, const char *reason)
{
    (void)reason;
    io->failed = 1;
}

int dblite_rewriter_emit(dblite_rewriter *rewriter, int argc, const dblite_bytes *argv)
{
    rewriter->commands++;
    if (argc > rewriter->max_argc)
        rewriter->max_argc = argc;
    assert_true(argc >= 3);
    assert_true(bytes_equal(argv[1], rewriter->key));
    if (bytes_equal(argv[0], text("HSET"))) {
        hash_limits limits = hash_default_limits();
        assert_int_equal(argc % 2, 0);
        for (int i = 2; i < argc; i += 2)
            assert_int_equal(hash_value_set(rewriter->replay_hash, &limits, argv[i], argv[i + 1]),
                             HASH_VALUE_ADDED);
    } else if (bytes_equal(argv[0], text("SADD"))) {
        set_limits limits = set_default_limits();
        for (int i = 2; i < argc; i++)
            assert_int_equal(set_value_add(rewriter->replay_set, &limits, argv[i]), 1);
    } else {
        fail_msg("unexpected rewrite command");
    }
    return DBLITE_OK;
}

static void stream_reset(dblite_io *io)
{
    for (size_t i = 0; i < io->count; i++)
        free(io->records[i].bytes);
    free(io->records);
    memset(io, 0, sizeof *io);
}

static void register_types(void)
{
    if (registered_hash_methods != NULL)
        return;
    assert_non_null(hash_type_register(NULL));
    assert_non_null(set_type_register(NULL));
    assert_int_equal(registered_hash_code, 4);
    assert_int_equal(registered_set_code, 2);
}

/* Both hashes hold the same pairs (in any order). */
static void assert_same_hash(const hash_value *a, const hash_value *b)
{
    assert_int_equal(hash_value_length(a), hash_value_length(b));
    hash_iterator iterator;
    hash_iterator_init(&iterator, a);
    dblite_bytes field, content, other;
    while (hash_iterator_next(&iterator, &field, &content)) {
        assert_true(hash_value_get(b, field, &other));
        assert_true(bytes_equal(content, other));
    }
}

static void assert_same_set(const set_value *a, const set_value *b)
{
    assert_int_equal(set_value_length(a), set_value_length(b));
    set_iterator iterator;
    set_iterator_init(&iterator, a);
    set_member member;
    while (set_iterator_next(&iterator, &member))
        assert_true(set_value_contains(b, member.bytes));
}

static hash_value *hash_with_pairs(size_t pairs)
{
    hash_limits limits = hash_default_limits();
    value_holder holder;
    value_holder_init(&holder, NULL, hash_value_free);
    holder.current = hash_value_create(&limits, 0, 0, 0);
    char field[32], content[32];
    for (size_t i = 0; i < pairs; i++) {
        snprintf(field, sizeof field, "field:%zu", i);
        snprintf(content, sizeof content, "%zu", i * 7);
        assert_int_equal(hash_value_set(&holder, &limits, text(field), text(content)),
                         HASH_VALUE_ADDED);
    }
    dblite_bytes binary_field = {"\0bin\r\n", 6};
    assert_int_equal(hash_value_set(&holder, &limits, binary_field, text("")), HASH_VALUE_ADDED);
    return holder.current;
}

static void hash_snapshots_and_rewrites_round_trip(void **state)
{
    (void)state;
    register_types();
    static const size_t sizes[] = {3, 600}; /* packed, and past 512 pairs */
    for (size_t s = 0; s < 2; s++) {
        hash_value *original = hash_with_pairs(sizes[s]);
        assert_int_equal(hash_value_encoding(original),
                         s == 0 ? HASH_ENCODING_PACKED : HASH_ENCODING_TABLE);
        dblite_io io = {0};
        assert_int_equal(registered_hash_methods->save(&io, original), DBLITE_OK);
        /* Redis's RDB hash payload: the pair count, then field, value... */
        assert_int_equal(io.count, 1 + 2 * (sizes[s] + 1));
        assert_false(io.records[0].is_string);
        assert_int_equal(io.records[0].number, sizes[s] + 1);
        for (size_t i = 1; i < io.count; i++)
            assert_true(io.records[i].is_string);

        hash_value *loaded = registered_hash_methods->load(&io, 0);
        assert_non_null(loaded);
        assert_false(io.failed);
        assert_int_equal(io.next, io.count);
        assert_int_equal(hash_value_encoding(loaded), hash_value_encoding(original));
        assert_same_hash(original, loaded);
        hash_value_free(loaded);

        /* Loading follows the module's settings: under a limit of 2 pairs
         * the small hash loads as a table, over 1000 the large one packed. */
        hashes_state settings = {.max_packed_entries = s == 0 ? 2 : 1000, .max_packed_value = 64};
        io.module_data = &settings;
        io.next = 0;
        loaded = registered_hash_methods->load(&io, 0);
        assert_non_null(loaded);
        assert_int_equal(hash_value_encoding(loaded),
                         s == 0 ? HASH_ENCODING_TABLE : HASH_ENCODING_PACKED);
        assert_same_hash(original, loaded);
        hash_value_free(loaded);
        io.module_data = NULL;

        /* A stream cut short, an unknown version, no memory: NULL, the
         * stream marked failed, nothing leaked. */
        long long live = live_blocks;
        io.next = 0;
        io.count--;
        assert_null(registered_hash_methods->load(&io, 0));
        assert_true(io.failed);
        io.count++;
        io.failed = 0;
        io.next = 0;
        assert_null(registered_hash_methods->load(&io, 1));
        assert_true(io.failed);
        for (long long n = 0;; n++) {
            io.failed = 0;
            io.next = 0;
            fail_after(n);
            loaded = registered_hash_methods->load(&io, 0);
            fail_after(-1);
            if (loaded != NULL)
                break;
            assert_true(io.failed);
            assert_int_equal(live_blocks, live);
        }
        hash_value_free(loaded);
        assert_int_equal(live_blocks, live);

        /* A duplicated field is a corrupt snapshot. */
        stream_reset(&io);
        dblite_io_write_unsigned(&io, 2);
        dblite_io_write_string(&io, "f", 1);
        dblite_io_write_string(&io, "1", 1);
        dblite_io_write_string(&io, "f", 1);
        dblite_io_write_string(&io, "2", 1);
        assert_null(registered_hash_methods->load(&io, 0));
        assert_true(io.failed);
        stream_reset(&io);

        /* Rewriting emits HSETs of at most 64 pairs that rebuild it. */
        hash_limits limits = hash_default_limits();
        value_holder replay;
        value_holder_init(&replay, NULL, hash_value_free);
        replay.current = hash_value_create(&limits, 0, 0, 0);
        dblite_rewriter rewriter = {0, 0, &replay, NULL, text("key")};
        assert_int_equal(registered_hash_methods->rewrite(&rewriter, text("key"), original),
                         DBLITE_OK);
        assert_int_equal(rewriter.commands, (int)((sizes[s] + 1 + 63) / 64));
        assert_true(rewriter.max_argc <= 2 + 2 * 64);
        assert_same_hash(original, replay.current);
        hash_value_free(replay.current);

        void *copy = registered_hash_methods->copy(original);
        assert_same_hash(original, copy);
        assert_true(registered_hash_methods->memory_usage(copy) >= hash_value_length(copy) * 4);
        registered_hash_methods->free(copy);
        hash_value_free(original);
    }
    assert_int_equal(live_blocks, 0);
}

static void set_snapshots_and_rewrites_round_trip(void **state)
{
    (void)state;
    register_types();
    /* An integer set, a packed one, and two tables (strings; integers past
     * set-max-intset-entries). */
    static const struct {
        size_t size;
        const char *format;
        int encoding;
    } cases[] = {{5, "%zu", SET_ENCODING_INTEGERS},
                 {5, "s%zu", SET_ENCODING_PACKED},
                 {300, "s%zu", SET_ENCODING_TABLE},
                 {600, "%zu", SET_ENCODING_TABLE}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        set_limits limits = set_default_limits();
        set_shape shape = {.all_integers = 1};
        value_holder holder;
        value_holder_init(&holder, NULL, set_value_free);
        holder.current = set_value_create(&limits, &shape);
        char member[32];
        for (size_t i = 0; i < cases[c].size; i++) {
            snprintf(member, sizeof member, cases[c].format, i * 3);
            assert_int_equal(set_value_add(&holder, &limits, text(member)), 1);
        }
        set_value *original = holder.current;
        assert_int_equal(set_value_encoding(original), cases[c].encoding);

        dblite_io io = {0};
        assert_int_equal(registered_set_methods->save(&io, original), DBLITE_OK);
        assert_int_equal(io.count, 1 + cases[c].size);
        assert_int_equal(io.records[0].number, cases[c].size);
        set_value *loaded = registered_set_methods->load(&io, 0);
        assert_non_null(loaded);
        assert_int_equal(set_value_encoding(loaded), cases[c].encoding);
        assert_same_set(original, loaded);
        set_value_free(loaded);

        /* Loading follows the module's settings: with no packed encodings
         * allowed every set loads as a table. */
        sets_state settings = {
            .max_intset_entries = 0, .max_packed_entries = 0, .max_packed_value = 0};
        io.module_data = &settings;
        io.next = 0;
        loaded = registered_set_methods->load(&io, 0);
        assert_non_null(loaded);
        assert_int_equal(set_value_encoding(loaded), SET_ENCODING_TABLE);
        assert_same_set(original, loaded);
        set_value_free(loaded);
        io.module_data = NULL;

        long long live = live_blocks;
        for (long long n = 0;; n++) {
            io.failed = 0;
            io.next = 0;
            fail_after(n);
            loaded = registered_set_methods->load(&io, 0);
            fail_after(-1);
            if (loaded != NULL)
                break;
            assert_true(io.failed);
            assert_int_equal(live_blocks, live);
        }
        set_value_free(loaded);
        io.failed = 0;
        io.next = 0;
        io.count--;
        assert_null(registered_set_methods->load(&io, 0));
        assert_true(io.failed);
        io.count++;
        stream_reset(&io);
        dblite_io_write_unsigned(&io, 2);
        dblite_io_write_string(&io, "7", 1);
        dblite_io_write_string(&io, "7", 1);
        assert_null(registered_set_methods->load(&io, 0));
        assert_true(io.failed);
        stream_reset(&io);
        assert_int_equal(live_blocks, live);

        value_holder replay;
        value_holder_init(&replay, NULL, set_value_free);
        replay.current = set_value_create(&limits, &shape);
        dblite_rewriter rewriter = {0, 0, NULL, &replay, text("key")};
        assert_int_equal(registered_set_methods->rewrite(&rewriter, text("key"), original),
                         DBLITE_OK);
        assert_int_equal(rewriter.commands, (int)((cases[c].size + 63) / 64));
        assert_true(rewriter.max_argc <= 2 + 64);
        assert_same_set(original, replay.current);
        set_value_free(replay.current);

        void *copy = registered_set_methods->copy(original);
        assert_same_set(original, copy);
        assert_true(registered_set_methods->memory_usage(copy) > 0);
        registered_set_methods->free(copy);
        set_value_free(original);
    }
    assert_int_equal(live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(int_set_widths),
        cmocka_unit_test(int_set_matches_a_sorted_model),
        cmocka_unit_test(int_set_out_of_memory_leaves_it_unchanged),
        cmocka_unit_test(element_table_matches_a_model),
        cmocka_unit_test(element_table_resizes_step_by_step),
        cmocka_unit_test(element_table_backward_walk_sees_every_survivor),
        cmocka_unit_test(element_table_out_of_memory),
        cmocka_unit_test(element_tables_have_their_own_secret),
        cmocka_unit_test(random_below_is_uniform),
        cmocka_unit_test(distinct_positions_are_distinct_and_fair),
        cmocka_unit_test(hash_converts_at_the_pair_limit),
        cmocka_unit_test(hash_converts_at_the_length_limit),
        cmocka_unit_test(hash_holder_frees_only_intermediate_blocks),
        cmocka_unit_test(hash_edits_survive_out_of_memory),
        cmocka_unit_test(set_integers_stay_sorted_until_the_limit),
        cmocka_unit_test(set_integers_become_packed_for_a_string),
        cmocka_unit_test(set_intersection_helpers_cross_encodings),
        cmocka_unit_test(set_removals_in_every_encoding),
        cmocka_unit_test(set_matches_a_model_with_default_limits),
        cmocka_unit_test(set_edits_survive_out_of_memory),
        cmocka_unit_test(hash_snapshots_and_rewrites_round_trip),
        cmocka_unit_test(set_snapshots_and_rewrites_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
