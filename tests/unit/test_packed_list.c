/*
 * test_packed_list.c - unit tests of the one packed encoding shared by
 * lists, hashes, sets and (next) sorted sets (modules/common/packed_list.c).
 *
 * Every check runs in the four flag combinations the format offers (walked
 * both ways or forwards only, reallocated or copied on growth): entry sizes
 * of each integer width and string length class, random edits against an
 * array model compared in both directions after each step, search with a
 * stride (fields of pairs), head room, splitting and joining, limits, and
 * sorted-set style member/score pairs.  The allocator is the test's own: it
 * counts live blocks, so leaks show, and fails the n-th allocation on
 * demand: a failed edit must leave the list exactly as it was and, for
 * copy-on-grow lists, a successful one must leave the old block intact.
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

#include "common/packed_list.h"
#include "dblite_module.h"

/* ---- The allocator the encoding links against ---------------------------- */

static long long live_blocks;
static long long allocations_before_failure = -1; /* -1: never fail */
static long long block_moves;

static int allocation_fails(void)
{
    if (allocations_before_failure < 0)
        return 0;
    if (allocations_before_failure == 0) {
        allocations_before_failure = -1;
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
    if (block)
        live_blocks++;
    block_moves++;
    return block;
}

void *dblite_realloc(void *ptr, size_t size)
{
    if (ptr == NULL)
        return dblite_alloc(size);
    if (allocation_fails())
        return NULL;
    block_moves++;
    return realloc(ptr, size ? size : 1);
}

void dblite_free(void *ptr)
{
    if (ptr)
        live_blocks--;
    free(ptr);
}

size_t dblite_alloc_size(const void *ptr)
{
    return ptr ? malloc_usable_size((void *)ptr) : 0;
}

/* ---- Helpers ------------------------------------------------------------- */

static const unsigned flag_sets[] = {
    0,
    PACKED_LIST_BOTH_WAYS,
    PACKED_LIST_COPY_ON_GROW,
    PACKED_LIST_BOTH_WAYS | PACKED_LIST_COPY_ON_GROW,
};
#define FLAG_SET_COUNT (sizeof(flag_sets) / sizeof(flag_sets[0]))

static uint64_t random_state = 0x9E3779B97F4A7C15ULL;

static size_t random_below(size_t bound)
{
    random_state ^= random_state << 13;
    random_state ^= random_state >> 7;
    random_state ^= random_state << 17;
    return bound ? (size_t)(random_state % bound) : 0;
}

static packed_value prepared(const char *bytes, size_t length)
{
    packed_value value;
    assert_int_equal(packed_value_prepare(&value, bytes, length), DBLITE_OK);
    return value;
}

static packed_value text_value(const char *text)
{
    packed_value value;
    packed_value_text(&value, text, strlen(text));
    return value;
}

/* The entry's text (integers printed back) in buffer. */
static size_t entry_text(const packed_entry *entry, char *buffer, size_t size)
{
    if (entry->string) {
        memcpy(buffer, entry->string, entry->length);
        return entry->length;
    }
    return (size_t)snprintf(buffer, size, "%lld", entry->integer);
}

/* The model: the elements' texts in order. */
typedef struct model {
    char **items;
    size_t *lengths;
    size_t count;
} model;

static void model_insert(model *m, size_t index, const char *bytes, size_t length)
{
    m->items = realloc(m->items, (m->count + 1) * sizeof(*m->items));
    m->lengths = realloc(m->lengths, (m->count + 1) * sizeof(*m->lengths));
    assert_non_null(m->items);
    assert_non_null(m->lengths);
    memmove(m->items + index + 1, m->items + index, (m->count - index) * sizeof(*m->items));
    memmove(m->lengths + index + 1, m->lengths + index, (m->count - index) * sizeof(*m->lengths));
    m->items[index] = malloc(length ? length : 1);
    assert_non_null(m->items[index]);
    memcpy(m->items[index], bytes, length);
    m->lengths[index] = length;
    m->count++;
}

static void model_delete(model *m, size_t index, size_t count)
{
    for (size_t i = index; i < index + count; i++)
        free(m->items[i]);
    memmove(m->items + index, m->items + index + count,
            (m->count - index - count) * sizeof(*m->items));
    memmove(m->lengths + index, m->lengths + index + count,
            (m->count - index - count) * sizeof(*m->lengths));
    m->count -= count;
}

static void model_free(model *m)
{
    model_delete(m, 0, m->count);
    free(m->items);
    free(m->lengths);
    memset(m, 0, sizeof(*m));
}

static void assert_entry_is(const packed_list *list, size_t position, const model *m, size_t index)
{
    static char buffer[70000];
    packed_entry entry;
    packed_list_read(list, position, &entry);
    size_t length = entry_text(&entry, buffer, sizeof(buffer));
    if (length != m->lengths[index] || memcmp(buffer, m->items[index], length) != 0)
        fail_msg("entry %zu: got '%.*s' (%zu bytes), expected %zu bytes", index,
                 (int)(length > 40 ? 40 : length), buffer, length, m->lengths[index]);
}

/* The whole list against the model: forwards, by seeking from either end,
 * and backwards when the list keeps back-sizes; the byte accounting too. */
static void assert_matches(const packed_list *list, const model *m)
{
    assert_int_equal(packed_list_count(list), m->count);
    size_t position = packed_list_first(list);
    size_t last = 0;
    for (size_t i = 0; i < m->count; i++) {
        assert_true(position != 0);
        assert_entry_is(list, position, m, i);
        assert_int_equal(position, packed_list_seek(list, (long long)i));
        assert_int_equal(position, packed_list_seek(list, (long long)i - (long long)m->count));
        last = position;
        packed_entry entry;
        size_t next = packed_list_read_next(list, position, &entry);
        assert_int_equal(next, packed_list_next(list, position));
        position = next;
    }
    assert_int_equal(position, 0);
    assert_int_equal(packed_list_last(list), last);
    assert_int_equal(packed_list_seek(list, (long long)m->count), 0);
    if (list->flags & PACKED_LIST_BOTH_WAYS) {
        position = packed_list_last(list);
        for (size_t i = m->count; i-- > 0;) {
            assert_entry_is(list, position, m, i);
            position = packed_list_prev(list, position);
        }
        assert_int_equal(position, 0);
    }
    assert_true(packed_list_start(list) >= packed_list_header_size(list));
    assert_true(packed_list_allocated(list) >= list->end);
    assert_int_equal(packed_list_bytes(list),
                     packed_list_header_size(list) + list->end - packed_list_start(list));
}

/* Adopts an edited list: a copy-on-grow list that moved must have left the
 * old block exactly as it was, which the caller then frees. */
static void adopt(packed_list **list, packed_list *edited, const unsigned char *snapshot,
                  size_t snapshot_bytes)
{
    if (edited == *list)
        return;
    if ((*list)->flags & PACKED_LIST_COPY_ON_GROW) {
        assert_memory_equal(*list, snapshot, snapshot_bytes);
        packed_list_free(*list);
    }
    *list = edited;
}

/* ---- Tests --------------------------------------------------------------- */

static void test_integer_parsing_is_canonical(void **state)
{
    (void)state;
    long long value;
    assert_true(packed_parse_integer("0", 1, &value) && value == 0);
    assert_true(packed_parse_integer("-1", 2, &value) && value == -1);
    assert_true(packed_parse_integer("9223372036854775807", 19, &value) && value == INT64_MAX);
    assert_true(packed_parse_integer("-9223372036854775808", 20, &value) && value == INT64_MIN);
    const char *const rejected[] = {"",
                                    "-",
                                    "-0",
                                    "01",
                                    "+1",
                                    " 1",
                                    "1 ",
                                    "1e3",
                                    "0x1",
                                    "1.5",
                                    "9223372036854775808",
                                    "-9223372036854775809"};
    for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++)
        assert_false(packed_parse_integer(rejected[i], strlen(rejected[i]), &value));
}

/* Entry sizes: a forwards-only list pays no back-size; text entries cost
 * one byte of overhead up to 64 bytes (the hashes' and sets' old
 * length-prefixed format did the same up to 127). */
static void test_entry_sizes(void **state)
{
    (void)state;
    packed_list *one_way = packed_list_create(0, 0, 0);
    packed_list *both_ways = packed_list_create(0, PACKED_LIST_BOTH_WAYS, 0);
    assert_non_null(one_way);
    assert_non_null(both_ways);
    assert_int_equal(packed_list_header_size(one_way), 8);
    assert_int_equal(packed_list_header_size(both_ways), 12);
    assert_int_equal(packed_list_bytes(one_way), 8);
    static const struct {
        size_t length;
        size_t one_way, both_ways;
    } strings[] = {{0, 1, 2},          {1, 2, 3},
                   {63, 64, 65},       {64, 65, 66},
                   {65, 67, 68},       {126, 128, 130},
                   {127, 129, 131},    {4095, 4097, 4099},
                   {4096, 4101, 4103}, {70000, 70005, 70008}};
    static char big[70000];
    memset(big, 'q', sizeof(big));
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        packed_value value = prepared(big, strings[i].length);
        assert_false(value.is_integer);
        assert_int_equal(packed_list_text_size(strings[i].length), strings[i].one_way);
        assert_int_equal(packed_list_value_size(one_way, &value), strings[i].one_way);
        assert_int_equal(packed_list_value_size(both_ways, &value), strings[i].both_ways);
    }
    static const struct {
        const char *text;
        size_t body;
    } integers[] = {{"0", 1},          {"127", 1},
                    {"128", 2},        {"-1", 2},
                    {"4095", 2},       {"-4096", 2},
                    {"4096", 3},       {"-32768", 3},
                    {"32768", 4},      {"8388607", 4},
                    {"-8388609", 5},   {"2147483647", 5},
                    {"2147483648", 9}, {"-9223372036854775808", 9}};
    for (size_t i = 0; i < sizeof(integers) / sizeof(integers[0]); i++) {
        packed_value value = prepared(integers[i].text, strlen(integers[i].text));
        assert_true(value.is_integer);
        assert_int_equal(packed_list_value_size(one_way, &value), integers[i].body);
        assert_int_equal(packed_list_value_size(both_ways, &value), integers[i].body + 1);
        /* As text the same bytes are a string entry. */
        packed_value text = text_value(integers[i].text);
        assert_false(text.is_integer);
        assert_int_equal(packed_list_value_size(one_way, &text), 1 + strlen(integers[i].text));
    }
    packed_list_free(one_way);
    packed_list_free(both_ways);
    assert_int_equal(live_blocks, 0);
}

/* Every length class and integer width written, read back and walked, in
 * each flag combination. */
static void test_round_trip_every_class(void **state)
{
    (void)state;
    static char big[70000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)('a' + i % 26);
    static const char *const integers[] = {"0",
                                           "127",
                                           "128",
                                           "-1",
                                           "4095",
                                           "-4096",
                                           "4096",
                                           "32767",
                                           "-32768",
                                           "32768",
                                           "8388607",
                                           "-8388608",
                                           "8388608",
                                           "2147483647",
                                           "-2147483648",
                                           "2147483648",
                                           "9223372036854775807",
                                           "-9223372036854775808"};
    static const size_t lengths[] = {0, 1, 63, 64, 65, 127, 128, 4095, 4096, 16383, 16384, 70000};
    for (size_t f = 0; f < FLAG_SET_COUNT; f++) {
        packed_list *list = packed_list_create(0x5A, flag_sets[f], 0);
        assert_non_null(list);
        model m = {0};
        for (size_t i = 0; i < sizeof(integers) / sizeof(integers[0]); i++) {
            packed_value value = prepared(integers[i], strlen(integers[i]));
            packed_list *edited = list;
            assert_int_equal(packed_list_push_tail(&edited, &value), DBLITE_OK);
            if (edited != list && (flag_sets[f] & PACKED_LIST_COPY_ON_GROW))
                packed_list_free(list);
            list = edited;
            model_insert(&m, m.count, integers[i], strlen(integers[i]));
        }
        for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
            packed_value value = prepared(big, lengths[i]);
            packed_list *edited = list;
            assert_int_equal(packed_list_push_head(&edited, &value), DBLITE_OK);
            if (edited != list && (flag_sets[f] & PACKED_LIST_COPY_ON_GROW))
                packed_list_free(list);
            list = edited;
            model_insert(&m, 0, big, lengths[i]);
        }
        assert_int_equal(list->tag, 0x5A);
        assert_matches(list, &m);
        packed_list *copy = packed_list_copy(list);
        assert_non_null(copy);
        assert_int_equal(packed_list_allocated(copy) < packed_list_bytes(copy) + 32, 1);
        assert_matches(copy, &m);
        packed_list_free(copy);
        packed_list_free(list);
        model_free(&m);
    }
    assert_int_equal(live_blocks, 0);
}

/* Search: strides over pairs, text and integers kept apart, a start
 * position to continue from. */
static void test_find_with_stride(void **state)
{
    (void)state;
    for (size_t f = 0; f < FLAG_SET_COUNT; f++) {
        packed_list *list = packed_list_create(1, flag_sets[f], 256);
        assert_non_null(list);
        static const char *const entries[] = {"f1", "v1", "v1", "f1", "f2", "", "", "x", "12"};
        for (size_t i = 0; i < 9; i++) {
            packed_value value = text_value(entries[i]);
            assert_int_equal(packed_list_push_tail(&list, &value), DBLITE_OK);
        }
        packed_value twelve = prepared("12", 2); /* an integer: not the text "12" */
        assert_int_equal(packed_list_push_tail(&list, &twelve), DBLITE_OK);
        packed_value probe = text_value("f1");
        assert_int_equal(packed_list_find(list, 0, &probe, 0), packed_list_first(list));
        assert_int_equal(
            packed_list_find(list, packed_list_next(list, packed_list_first(list)), &probe, 0),
            packed_list_seek(list, 3));
        probe = text_value("v1");
        assert_int_equal(packed_list_find(list, 0, &probe, 1), packed_list_seek(list, 2));
        probe = text_value("x");
        assert_int_equal(packed_list_find(list, 0, &probe, 1), 0);
        assert_int_equal(packed_list_find(list, 0, &probe, 0), packed_list_seek(list, 7));
        probe = text_value("");
        assert_int_equal(packed_list_find(list, 0, &probe, 1), packed_list_seek(list, 6));
        probe = text_value("12");
        assert_int_equal(packed_list_find(list, 0, &probe, 0), packed_list_seek(list, 8));
        assert_int_equal(packed_list_find(list, 0, &twelve, 0), packed_list_seek(list, 9));
        assert_true(packed_list_entry_equals(list, packed_list_seek(list, 9), &twelve));
        assert_false(packed_list_entry_equals(list, packed_list_seek(list, 8), &twelve));
        probe = text_value("nope");
        assert_int_equal(packed_list_find(list, 0, &probe, 0), 0);
        packed_list_free(list);
    }
    assert_int_equal(live_blocks, 0);
}

/* Sorted sets keep member/score pairs: an integral score is stored as an
 * integer entry, another as its text, and member lookup strides over the
 * scores. */
static void test_member_score_pairs(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"alice", "3"}, {"bob", "1.5"}, {"3", "-7"}, {"carol", "1e+20"}, {"dave", "0"}};
    packed_list *list = packed_list_create(4, PACKED_LIST_BOTH_WAYS | PACKED_LIST_COPY_ON_GROW, 0);
    assert_non_null(list);
    for (size_t i = 0; i < 5; i++) {
        packed_value pair[2];
        packed_value_text(&pair[0], pairs[i][0], strlen(pairs[i][0]));
        pair[1] = prepared(pairs[i][1], strlen(pairs[i][1]));
        packed_list *edited = list;
        assert_int_equal(packed_list_insert_all(&edited, 0, pair, 2), DBLITE_OK);
        if (edited != list)
            packed_list_free(list);
        list = edited;
    }
    assert_int_equal(packed_list_count(list), 10);
    packed_value member;
    packed_value_text(&member, "3", 1);
    size_t position = packed_list_find(list, 0, &member, 1);
    assert_int_equal(position, packed_list_seek(list, 4)); /* not bob's score entry */
    packed_entry score;
    packed_list_read(list, packed_list_next(list, position), &score);
    assert_null(score.string);
    assert_int_equal(score.integer, -7);
    packed_value_text(&member, "bob", 3);
    position = packed_list_find(list, 0, &member, 1);
    packed_list_read(list, packed_list_next(list, position), &score);
    assert_non_null(score.string);
    assert_int_equal(score.length, 3);
    assert_memory_equal(score.string, "1.5", 3);
    /* Walking back from the end reads the pairs in reverse (ZREVRANGE). */
    position = packed_list_last(list);
    packed_list_read(list, position, &score);
    assert_int_equal(score.integer, 0);
    packed_entry name;
    packed_list_read(list, packed_list_prev(list, position), &name);
    assert_memory_equal(name.string, "dave", 4);
    packed_list_free(list);
    assert_int_equal(live_blocks, 0);
}

/* A copy-on-grow list leaves its old block intact when it moves, and a
 * failed edit leaves it as it was; deleting never moves it. */
static void test_copy_on_grow_keeps_the_old_block(void **state)
{
    (void)state;
    packed_list *list = packed_list_create(2, PACKED_LIST_COPY_ON_GROW, 0);
    assert_non_null(list);
    packed_value values[2] = {text_value("alpha"), text_value("beta")};
    packed_list *edited = list;
    assert_int_equal(packed_list_insert_all(&edited, 0, values, 2), DBLITE_OK);
    if (edited != list)
        packed_list_free(list);
    list = edited;
    unsigned char snapshot[64];
    size_t used = list->end;
    memcpy(snapshot, list, used);
    char big[500];
    memset(big, 'b', sizeof(big));
    packed_value large = prepared(big, sizeof(big));
    edited = list;
    assert_int_equal(packed_list_push_tail(&edited, &large), DBLITE_OK);
    assert_ptr_not_equal(edited, list);
    assert_memory_equal(list, snapshot, used);
    assert_int_equal(packed_list_count(edited), 3);
    packed_list_free(edited);
    edited = list;
    assert_int_equal(packed_list_replace(&edited, packed_list_first(list), &large), DBLITE_OK);
    assert_ptr_not_equal(edited, list);
    assert_memory_equal(list, snapshot, used);
    packed_list_free(edited);

    allocations_before_failure = 0;
    edited = list;
    assert_int_equal(packed_list_push_tail(&edited, &large), DBLITE_ERR_NOMEM);
    assert_ptr_equal(edited, list);
    allocations_before_failure = 0;
    assert_int_equal(packed_list_replace(&edited, packed_list_first(list), &large),
                     DBLITE_ERR_NOMEM);
    assert_ptr_equal(edited, list);
    allocations_before_failure = 0;
    assert_null(packed_list_copy(list));
    allocations_before_failure = -1;
    assert_memory_equal(list, snapshot, used);

    /* Grown large, then emptied: delete never moves, the owner shrinks. */
    packed_value filler = prepared(big, 100);
    for (int i = 0; i < 40; i++) {
        edited = list;
        assert_int_equal(packed_list_push_tail(&edited, &filler), DBLITE_OK);
        if (edited != list)
            packed_list_free(list);
        list = edited;
    }
    edited = list;
    size_t next = packed_list_delete(&edited, packed_list_first(list), 40);
    assert_ptr_equal(edited, list);
    assert_int_equal(next, packed_list_first(list));
    assert_int_equal(packed_list_count(list), 2);
    packed_list_shrink_if_sparse(&edited);
    assert_ptr_not_equal(edited, list);
    assert_true(packed_list_allocated(edited) < packed_list_allocated(list));
    packed_list_free(list);
    list = edited;
    packed_list_shrink_if_sparse(&edited);
    assert_ptr_equal(edited, list); /* nothing to gain now */
    packed_list_free(list);
    assert_int_equal(live_blocks, 0);
}

/* Limits: the count and byte checks, and an insert past the count refused. */
static void test_limits(void **state)
{
    (void)state;
    packed_list *list = packed_list_create(1, 0, 0);
    assert_non_null(list);
    assert_true(packed_list_fits(list, PACKED_LIST_MAX_COUNT, 10));
    assert_false(packed_list_fits(list, PACKED_LIST_MAX_COUNT + 1, 10));
    assert_false(packed_list_fits(list, 1, PACKED_LIST_MAX_BYTES));
    packed_value small = prepared("7", 1);
    static packed_value batch[4096];
    for (size_t i = 0; i < 4096; i++)
        batch[i] = small;
    for (size_t pushed = 0; pushed < PACKED_LIST_MAX_COUNT;) {
        size_t count =
            PACKED_LIST_MAX_COUNT - pushed < 4096 ? PACKED_LIST_MAX_COUNT - pushed : 4096;
        assert_int_equal(packed_list_insert_all(&list, 0, batch, count), DBLITE_OK);
        pushed += count;
    }
    assert_int_equal(packed_list_count(list), PACKED_LIST_MAX_COUNT);
    assert_int_equal(packed_list_push_tail(&list, &small), DBLITE_ERR_NOMEM);
    assert_int_equal(packed_list_insert_all(&list, 0, &small, 1), DBLITE_ERR_NOMEM);
    assert_int_equal(packed_list_count(list), PACKED_LIST_MAX_COUNT);
    packed_value too_large;
    assert_int_equal(packed_value_prepare(&too_large, "x", PACKED_LIST_MAX_ELEMENT + 1),
                     DBLITE_ERR_INVALID);
    packed_list_free(list);
    assert_int_equal(live_blocks, 0);
}

/* Head pushes in a both-ways list reuse the room before the first entry:
 * a long run moves the block a few dozen times, not once per push, and a
 * push after a pop moves nothing. */
static void test_head_room(void **state)
{
    (void)state;
    packed_list *list = packed_list_create(0, PACKED_LIST_BOTH_WAYS, 0);
    assert_non_null(list);
    packed_value value = prepared("abc", 3);
    block_moves = 0;
    for (int i = 0; i < 4000; i++)
        assert_int_equal(packed_list_push_head(&list, &value), DBLITE_OK);
    assert_true(block_moves < 150);
    packed_value other = prepared("xyz", 3);
    block_moves = 0;
    for (int i = 0; i < 1000; i++) {
        size_t next = packed_list_delete(&list, packed_list_first(list), 1);
        assert_int_equal(next, packed_list_first(list));
        assert_int_equal(packed_list_push_head(&list, &other), DBLITE_OK);
    }
    assert_int_equal(block_moves, 0);
    assert_true(packed_list_start(list) > packed_list_header_size(list) ||
                packed_list_count(list) == 4000);
    packed_list_free(list);
    assert_int_equal(live_blocks, 0);
}

/* Splitting at every position and putting back, then appending. */
static void test_split_rejoin_append(void **state)
{
    (void)state;
    for (size_t f = 0; f < FLAG_SET_COUNT; f++) {
        if (flag_sets[f] & PACKED_LIST_COPY_ON_GROW)
            continue; /* the chains that split are lists: reallocated */
        packed_list *list = packed_list_create(0, flag_sets[f], 0);
        assert_non_null(list);
        model m = {0};
        char text[16];
        for (int i = 0; i < 30; i++) {
            size_t length = (size_t)snprintf(text, sizeof(text), i % 3 ? "e%d" : "%d", i * 37);
            packed_value value = prepared(text, length);
            assert_int_equal(packed_list_push_tail(&list, &value), DBLITE_OK);
            model_insert(&m, m.count, text, length);
        }
        for (long long at = 0; at <= 30; at++) {
            packed_list *tail;
            size_t position = packed_list_seek(list, at);
            assert_int_equal(packed_list_split(&list, position, &tail), DBLITE_OK);
            assert_int_equal(packed_list_count(list) + packed_list_count(tail), 30);
            assert_int_equal(packed_list_count(list), (size_t)at);
            assert_int_equal(tail->flags, list->flags);
            packed_list_rejoin(list, tail);
            assert_matches(list, &m);
        }
        packed_list *copy = packed_list_copy(list);
        assert_non_null(copy);
        assert_int_equal(packed_list_append(&list, copy), DBLITE_OK);
        for (size_t i = 0; i < 30; i++)
            model_insert(&m, m.count, m.items[i], m.lengths[i]);
        assert_matches(list, &m);
        packed_list_free(copy);
        packed_list_free(list);
        model_free(&m);
    }
    assert_int_equal(live_blocks, 0);
}

static size_t random_element(char *buffer)
{
    switch (random_below(6)) {
        case 0:
            return (size_t)snprintf(buffer, 32, "%lld", (long long)random_below(300) - 150);
        case 1:
            return (size_t)snprintf(
                buffer, 32, "%lld",
                (long long)(random_below(UINT32_MAX) * random_below(UINT32_MAX)));
        case 2:
            return (size_t)snprintf(buffer, 32, "-%zu", random_below(100000) + 1);
        case 3: {
            size_t length = 60 + random_below(10); /* around the 64-byte code */
            memset(buffer, 'm', length);
            return length;
        }
        case 4: {
            size_t length = random_below(300);
            memset(buffer, 'L', length);
            return length;
        }
        default: {
            size_t length = random_below(20);
            for (size_t i = 0; i < length; i++)
                buffer[i] = (char)random_below(256);
            return length;
        }
    }
}

/* Random edits against the model in every flag combination, with every
 * tenth edit given an allocation failure: a failed edit changes nothing. */
static void test_random_edits(void **state)
{
    (void)state;
    char buffer[400];
    for (size_t f = 0; f < FLAG_SET_COUNT; f++) {
        unsigned flags = flag_sets[f];
        packed_list *list = packed_list_create(9, flags, 0);
        assert_non_null(list);
        model m = {0};
        for (int step = 0; step < 3000; step++) {
            size_t length = random_element(buffer);
            packed_value value = prepared(buffer, length);
            int fail = random_below(10) == 0;
            size_t bytes = list->end;
            unsigned char *snapshot = malloc(bytes);
            assert_non_null(snapshot);
            memcpy(snapshot, list, bytes);
            if (fail)
                allocations_before_failure = 0;
            packed_list *edited = list;
            int status = DBLITE_OK;
            size_t count = m.count;
            switch (random_below(m.count > 200 ? 8 : 6)) {
                case 0:
                    status = packed_list_push_head(&edited, &value);
                    if (status == DBLITE_OK)
                        model_insert(&m, 0, buffer, length);
                    break;
                case 1:
                    status = packed_list_push_tail(&edited, &value);
                    if (status == DBLITE_OK)
                        model_insert(&m, m.count, buffer, length);
                    break;
                case 2: {
                    size_t index = random_below(count + 1);
                    status = packed_list_insert(
                        &edited, index == count ? 0 : packed_list_seek(list, (long long)index),
                        &value);
                    if (status == DBLITE_OK)
                        model_insert(&m, index, buffer, length);
                    break;
                }
                case 3: {
                    if (count == 0)
                        break;
                    size_t index = random_below(count);
                    status = packed_list_replace(&edited, packed_list_seek(list, (long long)index),
                                                 &value);
                    if (status == DBLITE_OK) {
                        model_delete(&m, index, 1);
                        model_insert(&m, index, buffer, length);
                    }
                    break;
                }
                case 4: {
                    /* A pair anywhere, as a sorted set inserts member and score. */
                    packed_value pair[2] = {value, prepared("-2.5", 4)};
                    size_t index = random_below(count + 1);
                    status = packed_list_insert_all(
                        &edited, index == count ? 0 : packed_list_seek(list, (long long)index),
                        pair, 2);
                    if (status == DBLITE_OK) {
                        model_insert(&m, index, buffer, length);
                        model_insert(&m, index + 1, "-2.5", 4);
                    }
                    break;
                }
                default: {
                    if (count == 0)
                        break;
                    size_t index = random_below(count);
                    size_t removed = 1 + random_below(count - index < 20 ? count - index : 20);
                    size_t next = packed_list_delete(
                        &edited, packed_list_seek(list, (long long)index), removed);
                    model_delete(&m, index, removed);
                    assert_int_equal(
                        next, index < m.count ? packed_list_seek(edited, (long long)index) : 0);
                    if (flags & PACKED_LIST_COPY_ON_GROW)
                        assert_ptr_equal(edited, list);
                    break;
                }
            }
            allocations_before_failure = -1;
            if (status != DBLITE_OK) {
                assert_true(fail);
                assert_ptr_equal(edited, list);
                assert_memory_equal(list, snapshot, bytes);
            } else if (flags & PACKED_LIST_COPY_ON_GROW) {
                adopt(&list, edited, snapshot, bytes);
            } else {
                list = edited;
            }
            free(snapshot);
            assert_matches(list, &m);
            if (flags & PACKED_LIST_COPY_ON_GROW && random_below(20) == 0) {
                edited = list;
                packed_list_shrink_if_sparse(&edited);
                if (edited != list) {
                    packed_list_free(list);
                    list = edited;
                }
                assert_matches(list, &m);
            }
        }
        packed_list_free(list);
        model_free(&m);
    }
    assert_int_equal(live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integer_parsing_is_canonical),
        cmocka_unit_test(test_entry_sizes),
        cmocka_unit_test(test_round_trip_every_class),
        cmocka_unit_test(test_find_with_stride),
        cmocka_unit_test(test_member_score_pairs),
        cmocka_unit_test(test_copy_on_grow_keeps_the_old_block),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_head_room),
        cmocka_unit_test(test_split_rejoin_append),
        cmocka_unit_test(test_random_edits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
