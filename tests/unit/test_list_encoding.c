/*
 * test_list_encoding.c - unit tests of the lists module's encoding: packed
 * lists as lists use them (every integer width and string length class,
 * walking both ways, head room; the format itself is tested in
 * test_packed_list.c), the chain of packed lists, and the list value that
 * converts between them at the fill budget.
 *
 * Most checks run random operations against a plain array model and compare
 * the whole list after each one, in both directions, together with the
 * structural rules (counts add up, links agree, every node within budget).
 * The allocator is the test's own: it counts live blocks, so leaks show, and
 * can fail the n-th allocation, so every out-of-memory path is exercised:
 * a failed operation must leave the list exactly as it was.
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

#include "dblite_module.h"
#include "list_fill.h"
#include "list_value.h"
#include "common/packed_list.h"

/* ---- The allocator the encoding links against -------------------------- */

/* Process-wide: the encoding calls these symbols directly, there is no
 * handle to hang state on. */
static long long live_blocks;
static long long allocations_before_failure = -1; /* -1: never fail */
static long long failures_injected;
static long long reallocations;

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
    if (block)
        live_blocks++;
    return block;
}

void *dblite_realloc(void *ptr, size_t size)
{
    if (ptr == NULL)
        return dblite_alloc(size);
    if (allocation_fails())
        return NULL;
    reallocations++;
    return realloc(ptr, size ? size : 1);
}

void dblite_free(void *ptr)
{
    if (ptr == NULL)
        return;
    live_blocks--;
    free(ptr);
}

size_t dblite_alloc_size(const void *ptr)
{
    return ptr ? malloc_usable_size((void *)ptr) : 0;
}

/* ---- A reference model: an array of byte strings ----------------------- */

typedef struct model {
    char **items;
    size_t *lengths;
    size_t count, capacity;
} model;

static void model_insert(model *m, size_t index, const char *bytes, size_t length)
{
    if (m->count == m->capacity) {
        m->capacity = m->capacity ? m->capacity * 2 : 16;
        m->items = realloc(m->items, m->capacity * sizeof(*m->items));
        m->lengths = realloc(m->lengths, m->capacity * sizeof(*m->lengths));
        assert_non_null(m->items);
        assert_non_null(m->lengths);
    }
    memmove(m->items + index + 1, m->items + index, (m->count - index) * sizeof(*m->items));
    memmove(m->lengths + index + 1, m->lengths + index, (m->count - index) * sizeof(*m->lengths));
    m->items[index] = malloc(length + 1);
    assert_non_null(m->items[index]);
    memcpy(m->items[index], bytes, length);
    m->lengths[index] = length;
    m->count++;
}

static void model_delete(model *m, size_t index, size_t count)
{
    if (count == 0)
        return;
    for (size_t i = index; i < index + count; i++)
        free(m->items[i]);
    memmove(m->items + index, m->items + index + count,
            (m->count - index - count) * sizeof(*m->items));
    memmove(m->lengths + index, m->lengths + index + count,
            (m->count - index - count) * sizeof(*m->lengths));
    m->count -= count;
}

static void model_replace(model *m, size_t index, const char *bytes, size_t length)
{
    model_delete(m, index, 1);
    model_insert(m, index, bytes, length);
}

static void model_free(model *m)
{
    model_delete(m, 0, m->count);
    free(m->items);
    free(m->lengths);
    memset(m, 0, sizeof(*m));
}

static void model_copy(model *to, const model *from)
{
    memset(to, 0, sizeof(*to));
    for (size_t i = 0; i < from->count; i++)
        model_insert(to, i, from->items[i], from->lengths[i]);
}

static size_t random_below(size_t bound);

/* ---- Checking a list against the model --------------------------------- */

/* A list's packed lists walk both ways: tag, flags, count, end, start. */
#define LIST_PACK_HEADER_SIZE ((size_t)12)

/* The element's text (integers printed back). */
static size_t entry_text(const packed_entry *entry, char *buffer, size_t size, const char **text)
{
    if (entry->string) {
        *text = (const char *)entry->string;
        return entry->length;
    }
    int length = snprintf(buffer, size, "%lld", entry->integer);
    *text = buffer;
    return (size_t)length;
}

static void assert_entry_is(const list_value *list, const list_position *position, const model *m,
                            size_t index)
{
    packed_entry entry;
    list_value_read(list, position, &entry);
    char buffer[32];
    const char *text;
    size_t length = entry_text(&entry, buffer, sizeof(buffer), &text);
    if (length != m->lengths[index] || memcmp(text, m->items[index], length) != 0)
        fail_msg("element %zu: got '%.*s' (%zu bytes), expected '%.*s' (%zu bytes)", index,
                 (int)(length > 40 ? 40 : length), text, length,
                 (int)(m->lengths[index] > 40 ? 40 : m->lengths[index]), m->items[index],
                 m->lengths[index]);
}

/* Walks a packed list by its own structure: entries end exactly at its
 * byte count, the count matches, and walking back retraces the same
 * offsets. */
static void assert_packed_consistent(const packed_list *pack, long long fill)
{
    size_t walked = 0;
    size_t offsets[64];
    size_t offset = packed_list_first(pack);
    size_t last = 0;
    while (offset != 0) {
        if (walked < 64)
            offsets[walked] = offset;
        last = offset;
        walked++;
        offset = packed_list_next(pack, offset);
    }
    assert_int_equal(walked, packed_list_count(pack));
    assert_int_equal(last, packed_list_last(pack));
    if (walked > 0 && walked <= 64) {
        offset = packed_list_last(pack);
        for (size_t i = walked; i-- > 0;) {
            assert_int_equal(offset, offsets[i]);
            offset = packed_list_prev(pack, offset);
        }
        assert_int_equal(offset, 0);
    }
    assert_true(pack->flags & PACKED_LIST_BOTH_WAYS);
    assert_true(pack->start[0] >= LIST_PACK_HEADER_SIZE && pack->start[0] <= pack->end);
    assert_true(packed_list_allocated(pack) >= pack->end);
    assert_int_equal(packed_list_bytes(pack), LIST_PACK_HEADER_SIZE + pack->end - pack->start[0]);
    assert_true(list_fill_allows(fill, packed_list_bytes(pack), packed_list_count(pack)));
}

static void assert_structure(const list_value *list, long long fill)
{
    assert_true((list->packed == NULL) != (list->chain == NULL));
    if (list->packed) {
        assert_packed_consistent(list->packed, fill);
        return;
    }
    const list_chain *chain = list->chain;
    size_t nodes = 0, elements = 0;
    const list_node *prev = NULL;
    for (const list_node *node = chain->head; node; node = node->next) {
        assert_ptr_equal(node->prev, prev);
        assert_true(packed_list_count(node->pack) > 0);
        assert_packed_consistent(node->pack, fill);
        elements += packed_list_count(node->pack);
        nodes++;
        prev = node;
    }
    assert_ptr_equal(chain->tail, prev);
    assert_int_equal(nodes, chain->node_count);
    assert_int_equal(elements, chain->count);
}

/* list_value_walk checks each element it is given against the model. */
typedef struct walk_check {
    const model *m;
    size_t next_index;
} walk_check;

static void check_walked_entry(const packed_entry *entry, void *privdata)
{
    walk_check *check = privdata;
    char buffer[32];
    const char *text;
    size_t length = entry_text(entry, buffer, sizeof(buffer), &text);
    size_t index = check->next_index++;
    assert_true(index < check->m->count);
    assert_int_equal(length, check->m->lengths[index]);
    assert_memory_equal(text, check->m->items[index], length);
}

static void assert_walk_matches(const list_value *list, const model *m, size_t start, size_t count)
{
    walk_check check = {m, start};
    list_value_walk(list, start, count, check_walked_entry, &check);
    assert_int_equal(check.next_index, start + count);
}

static void assert_list_matches(const list_value *list, const model *m, long long fill)
{
    assert_structure(list, fill);
    assert_int_equal(list_value_length(list), m->count);
    list_position position;
    size_t index = 0;
    int more = list_value_seek(list, 0, &position);
    while (more) {
        assert_true(index < m->count);
        assert_entry_is(list, &position, m, index);
        index++;
        more = list_value_next(list, &position);
    }
    assert_int_equal(index, m->count);
    more = list_value_seek(list, -1, &position);
    while (more) {
        index--;
        assert_entry_is(list, &position, m, index);
        more = list_value_prev(list, &position);
    }
    assert_int_equal(index, 0);
    assert_false(list_value_seek(list, (long long)m->count, &position));
    assert_false(list_value_seek(list, -(long long)m->count - 1, &position));
    assert_walk_matches(list, m, 0, m->count);
    if (m->count > 0) {
        size_t start = random_below(m->count);
        assert_walk_matches(list, m, start, random_below(m->count - start + 1));
    }
}

/* ---- Random elements ---------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static size_t random_below(size_t bound)
{
    return bound ? (size_t)(next_random() % bound) : 0;
}

/* Fills buffer (at least 6000 bytes) with an element of a random class. */
static size_t random_element(char *buffer)
{
    static const char *const awkward[] = {"",
                                          "0",
                                          "-0",
                                          "01",
                                          "+1",
                                          " 1",
                                          "1 ",
                                          "-",
                                          "9223372036854775807",
                                          "9223372036854775808",
                                          "-9223372036854775808",
                                          "-9223372036854775809",
                                          "00",
                                          "1e3",
                                          "0x10"};
    switch (random_below(8)) {
        case 0:
            return (size_t)sprintf(buffer, "%u", (unsigned)random_below(128));
        case 1:
            return (size_t)sprintf(buffer, "%lld", (long long)random_below(20000) - 10000);
        case 2:
            return (size_t)sprintf(buffer, "%lld", (long long)next_random());
        case 3: {
            const char *text = awkward[random_below(sizeof(awkward) / sizeof(awkward[0]))];
            size_t length = strlen(text);
            memcpy(buffer, text, length);
            return length;
        }
        case 4: {
            size_t length = 64 + random_below(5000);
            for (size_t i = 0; i < length; i++)
                buffer[i] = (char)('a' + i % 26);
            buffer[0] = (char)('A' + random_below(26));
            return length;
        }
        default: {
            size_t length = random_below(70);
            for (size_t i = 0; i < length; i++)
                buffer[i] = (char)random_below(256);
            return length;
        }
    }
}

static void prepare(packed_value *value, const char *bytes, size_t length)
{
    assert_int_equal(packed_value_prepare(value, bytes, length), DBLITE_OK);
}

/* Bytes value takes in a list's packed list (tag, payload, back-size). */
static size_t encoded_size(const packed_value *value)
{
    packed_list *pack = list_pack_create();
    assert_non_null(pack);
    size_t size = packed_list_value_size(pack, value);
    packed_list_free(pack);
    return size;
}

/* ---- Tests -------------------------------------------------------------- */

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
                                    "9223372036854775808",
                                    "-9223372036854775809",
                                    "99999999999999999999",
                                    "123456789012345678901"};
    for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++)
        assert_false(packed_parse_integer(rejected[i], strlen(rejected[i]), &value));
}

/* Each integer width and string length class at its boundaries: the size
 * chosen, and the value read back from either end of the list. */
static void test_encoding_classes_round_trip(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t encoded_size;
    } integers[] = {
        {"0", 2},
        {"127", 2},
        {"128", 3},
        {"-1", 3},
        {"4095", 3},
        {"-4096", 3},
        {"4096", 4},
        {"-4097", 4},
        {"32767", 4},
        {"-32768", 4},
        {"32768", 5},
        {"-32769", 5},
        {"8388607", 5},
        {"-8388608", 5},
        {"8388608", 6},
        {"-8388609", 6},
        {"2147483647", 6},
        {"-2147483648", 6},
        {"2147483648", 10},
        {"-2147483649", 10},
        {"9223372036854775807", 10},
        {"-9223372036854775808", 10},
    };
    static char big[70000];
    memset(big, 'x', sizeof(big));
    /* 64 bytes has a one-byte tag of its own (see packed_list.c). */
    const size_t string_lengths[] = {0, 1, 63, 64, 65, 125, 126, 4095, 4096, 16378, 16379, 70000};
    const size_t string_sizes[] = {2, 3, 65, 66, 68, 128, 130, 4099, 4103, 16385, 16387, 70008};

    model m = {0};
    list_value *list = list_value_create();
    assert_non_null(list);
    for (size_t i = 0; i < sizeof(integers) / sizeof(integers[0]); i++) {
        packed_value value;
        prepare(&value, integers[i].text, strlen(integers[i].text));
        assert_true(value.is_integer);
        if (encoded_size(&value) != integers[i].encoded_size)
            fail_msg("%s: encoded in %zu bytes, expected %zu", integers[i].text,
                     encoded_size(&value), integers[i].encoded_size);
        assert_int_equal(list_value_push(list, LIST_TAIL, &value, -5), 0);
        model_insert(&m, m.count, integers[i].text, strlen(integers[i].text));
    }
    for (size_t i = 0; i < sizeof(string_lengths) / sizeof(string_lengths[0]); i++) {
        packed_value value;
        prepare(&value, big, string_lengths[i]);
        assert_false(value.is_integer);
        if (encoded_size(&value) != string_sizes[i])
            fail_msg("string of %zu: encoded in %zu bytes, expected %zu", string_lengths[i],
                     encoded_size(&value), string_sizes[i]);
        assert_int_equal(list_value_push(list, LIST_HEAD, &value, -5), 0);
        model_insert(&m, 0, big, string_lengths[i]);
    }
    assert_list_matches(list, &m, -5);
    /* Equality sees through the encoding: an integer entry equals its
     * canonical text only. */
    list_position position;
    assert_true(list_value_seek(list, -1, &position));
    packed_value probe;
    prepare(&probe, "-9223372036854775808", 20);
    assert_true(list_value_equals(list, &position, &probe));
    prepare(&probe, "9223372036854775807", 19);
    assert_false(list_value_equals(list, &position, &probe));
    list_value_free(list);
    model_free(&m);
    assert_int_equal(live_blocks, 0);
}

/* Pushing fixed-size entries under a 4 KB budget: the list stays packed
 * while it fits exactly, becomes a chain with the first entry past the
 * budget, and goes back to packed only at half the budget. */
static void test_conversion_boundary_bytes(void **state)
{
    (void)state;
    const long long fill = -1;           /* 4096 bytes */
    const char element[] = "abcdefghij"; /* 1 tag + 10 + 1 back-size = 12 bytes */
    packed_value value;
    prepare(&value, element, 10);
    assert_int_equal(encoded_size(&value), 12);
    const size_t fitting = (4096 - LIST_PACK_HEADER_SIZE) / 12;
    list_value *list = list_value_create();
    assert_non_null(list);
    for (size_t i = 0; i < fitting; i++) {
        assert_int_equal(list_value_push(list, LIST_TAIL, &value, fill), 0);
        assert_true(list_value_is_packed(list));
    }
    assert_true(packed_list_bytes(list->packed) <= 4096);
    assert_true(packed_list_bytes(list->packed) + 12 > 4096);
    assert_int_equal(list_value_push(list, LIST_TAIL, &value, fill), 0);
    assert_false(list_value_is_packed(list));
    assert_int_equal(list->chain->node_count, 2);
    assert_int_equal(list_value_length(list), fitting + 1);

    /* Shrink: packed again only once the one node left is at most 2048
     * bytes.  Popping the tail empties the second node first. */
    const size_t half = (2048 - LIST_PACK_HEADER_SIZE) / 12;
    size_t length = fitting + 1;
    while (length > half + 1) {
        list_value_pop(list, LIST_TAIL, 1, fill);
        length--;
        assert_false(list_value_is_packed(list));
    }
    list_value_pop(list, LIST_TAIL, 1, fill);
    assert_true(list_value_is_packed(list));
    assert_int_equal(list_value_length(list), half);
    list_value_free(list);
    assert_int_equal(live_blocks, 0);
}

/* A positive fill counts entries. */
static void test_conversion_boundary_count(void **state)
{
    (void)state;
    packed_value value;
    prepare(&value, "17", 2);
    list_value *list = list_value_create();
    assert_non_null(list);
    for (int i = 0; i < 4; i++)
        assert_int_equal(list_value_push(list, LIST_TAIL, &value, 4), 0);
    assert_true(list_value_is_packed(list));
    assert_int_equal(list_value_push(list, LIST_TAIL, &value, 4), 0);
    assert_false(list_value_is_packed(list));
    for (int i = 0; i < 20; i++)
        assert_int_equal(list_value_push(list, LIST_TAIL, &value, 4), 0);
    for (const list_node *node = list->chain->head; node; node = node->next)
        assert_true(packed_list_count(node->pack) <= 4);
    assert_int_equal(list->chain->node_count, 7); /* 25 entries, 4 a node */
    list_value_pop(list, LIST_TAIL, 22, 4);
    assert_false(list_value_is_packed(list)); /* 3 left in one node: over half of 4 */
    assert_int_equal(list->chain->node_count, 1);
    list_value_pop(list, LIST_TAIL, 1, 4);
    assert_true(list_value_is_packed(list));
    list_value_free(list);

    /* Fill 0: one entry a node. */
    list = list_value_create();
    assert_non_null(list);
    for (int i = 0; i < 5; i++)
        assert_int_equal(list_value_push(list, LIST_TAIL, &value, 0), 0);
    assert_false(list_value_is_packed(list));
    assert_int_equal(list->chain->node_count, 5);
    list_value_free(list);
    assert_int_equal(live_blocks, 0);
}

/* One random operation applied to both the list and the model.  Returns
 * the list's status (0, or -1 for a refused allocation). */
static int random_operation(list_value *list, model *m, long long fill, char *buffer)
{
    size_t length = random_element(buffer);
    packed_value value;
    prepare(&value, buffer, length);
    size_t count = m->count;
    int status = 0;
    switch (random_below(10)) {
        case 0:
        case 1:
            status = list_value_push(list, LIST_HEAD, &value, fill);
            if (status == 0)
                model_insert(m, 0, buffer, length);
            break;
        case 2:
        case 3:
            status = list_value_push(list, LIST_TAIL, &value, fill);
            if (status == 0)
                model_insert(m, m->count, buffer, length);
            break;
        case 4: {
            size_t popped = random_below(4);
            int where = random_below(2) ? LIST_HEAD : LIST_TAIL;
            list_value_pop(list, where, popped, fill);
            if (popped > count)
                popped = count;
            model_delete(m, where == LIST_HEAD ? 0 : count - popped, popped);
            break;
        }
        case 5: {
            if (count == 0)
                break;
            size_t index = random_below(count);
            int after = (int)random_below(2);
            list_position position;
            assert_true(list_value_seek(list, (long long)index, &position));
            status = list_value_insert(list, &position, after, &value, fill);
            if (status == 0)
                model_insert(m, index + (size_t)after, buffer, length);
            break;
        }
        case 6: {
            if (count == 0)
                break;
            size_t index = random_below(count);
            list_position position;
            assert_true(list_value_seek(list, (long long)index - (long long)count, &position));
            status = list_value_replace(list, &position, &value, fill);
            if (status == 0)
                model_replace(m, index, buffer, length);
            break;
        }
        case 7: {
            /* Delete a few entries walking in one direction, as LREM does. */
            if (count == 0)
                break;
            size_t index = random_below(count);
            int toward_tail = (int)random_below(2);
            size_t deletions = 1 + random_below(5);
            list_position position;
            assert_true(list_value_seek(list, (long long)index, &position));
            while (deletions-- > 0 && position.offset != 0) {
                list_value_delete_at(list, &position, toward_tail);
                model_delete(m, index, 1);
                if (!toward_tail) {
                    if (index == 0)
                        break;
                    index--;
                }
            }
            list_value_settle(list, fill);
            break;
        }
        case 8: {
            if (count == 0 || random_below(4) != 0)
                break;
            size_t start = random_below(count);
            size_t end = start + random_below(count - start);
            list_value_trim(list, start, end, fill);
            model_delete(m, end + 1, count - end - 1);
            model_delete(m, 0, start);
            break;
        }
        default: {
            /* Read a random index directly. */
            if (count == 0)
                break;
            size_t index = random_below(count);
            list_position position;
            assert_true(list_value_seek(list, (long long)index, &position));
            assert_entry_is(list, &position, m, index);
            break;
        }
    }
    return status;
}

static void run_random_operations(long long fill, int operations)
{
    static char buffer[6000];
    model m = {0};
    list_value *list = list_value_create();
    assert_non_null(list);
    for (int i = 0; i < operations; i++) {
        assert_int_equal(random_operation(list, &m, fill, buffer), 0);
        assert_list_matches(list, &m, fill);
        /* Keep lists in a range where both encodings and many nodes occur. */
        if (m.count > 1500) {
            list_value_trim(list, 0, 199, fill);
            model_delete(&m, 200, m.count - 200);
        }
    }
    list_value *copy = list_value_copy(list);
    assert_non_null(copy);
    assert_list_matches(copy, &m, fill);
    list_value_free(copy);
    list_value_free(list);
    model_free(&m);
}

static void test_random_operations_against_model(void **state)
{
    (void)state;
    const long long fills[] = {-2, -1, -5, -9, 1, 2, 7, 0, 128};
    for (size_t i = 0; i < sizeof(fills) / sizeof(fills[0]); i++)
        run_random_operations(fills[i], 3000);
}

/* Copies are deep, and memory usage counts every block. */
static void test_copy_and_memory_usage(void **state)
{
    (void)state;
    char buffer[6000];
    list_value *list = list_value_create();
    assert_non_null(list);
    size_t packed_usage = list_value_memory_usage(list);
    assert_true(packed_usage >= sizeof(list_value) + LIST_PACK_HEADER_SIZE);
    for (int i = 0; i < 5000; i++) {
        size_t length = (size_t)sprintf(buffer, "element-%d", i);
        packed_value value;
        prepare(&value, buffer, length);
        assert_int_equal(list_value_push(list, LIST_TAIL, &value, -2), 0);
    }
    assert_false(list_value_is_packed(list));
    size_t usage = list_value_memory_usage(list);
    size_t expected = dblite_alloc_size(list) + dblite_alloc_size(list->chain);
    for (const list_node *node = list->chain->head; node; node = node->next)
        expected += dblite_alloc_size(node) + dblite_alloc_size(node->pack);
    assert_int_equal(usage, expected);
    /* Entries of ~14 bytes: the list should cost little over that. */
    assert_true(usage < 5000 * 14 * 12 / 10);

    list_value *copy = list_value_copy(list);
    assert_non_null(copy);
    assert_ptr_not_equal(copy->chain->head, list->chain->head);
    list_value_pop(list, LIST_HEAD, 5000, -2);
    assert_int_equal(list_value_length(copy), 5000);
    list_position position;
    assert_true(list_value_seek(copy, 4999, &position));
    packed_entry entry;
    list_value_read(copy, &position, &entry);
    assert_int_equal(entry.length, strlen("element-4999"));
    assert_memory_equal(entry.string, "element-4999", entry.length);
    list_value_free(copy);
    list_value_free(list);
    assert_int_equal(live_blocks, 0);
}

/* Every allocation an operation makes is failed in turn: the operation
 * must report it and leave the list exactly as it was; deletions (which
 * only ever try to shrink blocks) must still succeed. */
static void test_allocation_failures_leave_list_intact(void **state)
{
    (void)state;
    static char buffer[6000];
    const long long fills[] = {-1, 3};
    for (size_t f = 0; f < sizeof(fills) / sizeof(fills[0]); f++) {
        long long fill = fills[f];
        model m = {0};
        list_value *list = list_value_create();
        assert_non_null(list);
        for (int round = 0; round < 1500; round++) {
            model before;
            model_copy(&before, &m);
            uint64_t saved_rng = rng_state;
            allocations_before_failure = (long long)random_below(4);
            int status = random_operation(list, &m, fill, buffer);
            int injected = allocations_before_failure < 0;
            allocations_before_failure = -1;
            if (status != 0) {
                assert_true(injected);
                assert_list_matches(list, &before, fill);
                /* The model was left alone too; replay without failures. */
                rng_state = saved_rng;
                assert_int_equal(random_operation(list, &m, fill, buffer), 0);
            }
            assert_list_matches(list, &m, fill);
            model_free(&before);
            if (m.count > 600) {
                list_value_trim(list, 0, 99, fill);
                model_delete(&m, 100, m.count - 100);
            }
        }
        list_value_free(list);
        model_free(&m);
    }
    assert_true(failures_injected > 100);
    assert_int_equal(live_blocks, 0);

    /* Creation itself. */
    allocations_before_failure = 0;
    assert_null(list_value_create());
    allocations_before_failure = 1;
    assert_null(list_value_create());
    allocations_before_failure = -1;
    assert_int_equal(live_blocks, 0);
}

/* Splitting a full node to insert in its middle, at scale: order holds and
 * nodes stay within budget (the random test covers this with short lists). */
static void test_inserts_into_full_nodes(void **state)
{
    (void)state;
    char buffer[64];
    model m = {0};
    list_value *list = list_value_create();
    assert_non_null(list);
    const long long fill = -1;
    for (int i = 0; i < 4000; i++) {
        size_t length = (size_t)sprintf(buffer, "v%d", i);
        packed_value value;
        prepare(&value, buffer, length);
        assert_int_equal(list_value_push(list, LIST_TAIL, &value, fill), 0);
        model_insert(&m, m.count, buffer, length);
    }
    for (int i = 0; i < 2000; i++) {
        size_t index = random_below(m.count);
        size_t length = (size_t)sprintf(buffer, "inserted-%d", i);
        packed_value value;
        prepare(&value, buffer, length);
        list_position position;
        assert_true(list_value_seek(list, (long long)index, &position));
        assert_int_equal(list_value_insert(list, &position, 0, &value, fill), 0);
        model_insert(&m, index, buffer, length);
    }
    assert_list_matches(list, &m, fill);
    /* Nodes were merged back where they fit: on average well over half full. */
    size_t bytes = 0;
    for (const list_node *node = list->chain->head; node; node = node->next)
        bytes += packed_list_bytes(node->pack);
    assert_true(bytes / list->chain->node_count > 4096 / 2);
    list_value_free(list);
    model_free(&m);
    assert_int_equal(live_blocks, 0);
}

/* Pushes and pops at the head reuse the room before the first entry: a
 * long run of head pushes reallocates the block a few dozen times, not
 * once per push, and a push after a pop does not reallocate at all. */
static void test_head_pushes_reuse_room(void **state)
{
    (void)state;
    model m = {0};
    packed_list *pack = list_pack_create();
    assert_non_null(pack);
    packed_value value;
    prepare(&value, "abc", 3);
    reallocations = 0;
    for (int i = 0; i < 4000; i++) {
        assert_int_equal(packed_list_push_head(&pack, &value), 0);
        model_insert(&m, 0, "abc", 3);
    }
    assert_true(reallocations < 150); /* per push would be 4000 */
    packed_value other;
    prepare(&other, "xyz", 3);
    reallocations = 0;
    for (int i = 0; i < 1000; i++) {
        size_t next = packed_list_delete(&pack, packed_list_first(pack), 1);
        assert_int_equal(next, packed_list_first(pack));
        assert_int_equal(packed_list_push_head(&pack, &other), 0);
        model_replace(&m, 0, "xyz", 3);
    }
    assert_int_equal(reallocations, 0);
    /* Pops from the head only move entries when the block is compacted. */
    list_value list = {pack, NULL};
    for (int i = 0; i < 3990; i++) {
        (void)packed_list_delete(&list.packed, packed_list_first(list.packed), 1);
        model_delete(&m, 0, 1);
        if (i % 97 == 0)
            assert_list_matches(&list, &m, -5);
    }
    assert_list_matches(&list, &m, -5);
    assert_true(packed_list_allocated(list.packed) < 200);
    packed_list_free(list.packed);
    model_free(&m);
    assert_int_equal(live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integer_parsing_is_canonical),
        cmocka_unit_test(test_encoding_classes_round_trip),
        cmocka_unit_test(test_conversion_boundary_bytes),
        cmocka_unit_test(test_conversion_boundary_count),
        cmocka_unit_test(test_random_operations_against_model),
        cmocka_unit_test(test_copy_and_memory_usage),
        cmocka_unit_test(test_allocation_failures_leave_list_intact),
        cmocka_unit_test(test_inserts_into_full_nodes),
        cmocka_unit_test(test_head_pushes_reuse_room),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
