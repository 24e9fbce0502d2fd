/*
 * test_string_growth.c - unit test of how a string value grows under edits
 * (modules/strings/string_value.c), issue 19 item 10.
 *
 * The value code is compiled into the test, which supplies the allocator:
 * it counts the blocks requested (alloc or realloc) and the ones alive, so
 * the growth policy is checked by a deterministic count, not a clock.  A
 * run of appends must cost O(log n) allocations (geometric room); before
 * the fix every 1 MB step past 1 MB reallocated (200+ for 200 MB).  The
 * content is compared with a model after every edit, across the edges of
 * the layouts: inline text (7 bytes), the short header (254 bytes), the
 * doubling limit (1 MB).  A failed allocation must leave the value intact.
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
#include "strings/string_value.h"

static long long live_blocks;
static long long block_requests;
static int fail_next;

void *dblite_alloc(size_t size)
{
    if (fail_next) {
        fail_next = 0;
        return NULL;
    }
    block_requests++;
    void *ptr = malloc(size ? size : 1);
    if (ptr != NULL)
        live_blocks++;
    return ptr;
}

void *dblite_realloc(void *ptr, size_t size)
{
    if (ptr == NULL)
        return dblite_alloc(size);
    if (fail_next) {
        fail_next = 0;
        return NULL;
    }
    block_requests++;
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

/* The value's bytes equal model[0..length). */
static void assert_value_is(const void *value, const char *model, size_t length)
{
    char scratch[STRING_VALUE_SCRATCH_SIZE];
    dblite_bytes bytes = string_value_bytes(value, scratch);
    assert_int_equal(bytes.len, length);
    assert_int_equal(string_value_length(value), length);
    assert_memory_equal(bytes.ptr, model, length);
}

static void test_append_run_grows_geometrically(void **state)
{
    (void)state;
    enum { APPENDS = 20000, CHUNK = 10240 };
    char *chunk = malloc(CHUNK);
    assert_non_null(chunk);
    void *value = string_value_create("", 0);
    block_requests = 0;
    size_t length = 0;
    for (int i = 0; i < APPENDS; i++) {
        memset(chunk, 'a' + i % 26, CHUNK);
        value = string_value_splice(value, length, chunk, CHUNK);
        assert_non_null(value);
        length += CHUNK;
        assert_int_equal(string_value_length(value), length);
    }
    /* About 7 doublings to 1 MB, then steps of 1/8: log(200)/log(1.125) = 45. */
    assert_true(block_requests <= 60);
    size_t usage = string_value_memory_usage(value);
    assert_true(usage >= length);
    assert_true(usage <= length + length / 8 + 4096);
    char scratch[STRING_VALUE_SCRATCH_SIZE];
    dblite_bytes bytes = string_value_bytes(value, scratch);
    for (int i = 0; i < APPENDS; i++)
        assert_int_equal(bytes.ptr[(size_t)i * CHUNK + CHUNK - 1], 'a' + i % 26);
    string_value_free(value);
    assert_int_equal(live_blocks, 0);
    free(chunk);
}

/* SETRANGE far past the end grows the same way (one step per edit). */
static void test_setrange_run_grows_geometrically(void **state)
{
    (void)state;
    void *value = string_value_create("seed", 4);
    block_requests = 0;
    size_t length = 4;
    for (int i = 0; i < 4000; i++) {
        value = string_value_splice(value, length + 50000, "z", 1);
        assert_non_null(value);
        length += 50001;
    }
    assert_true(block_requests <= 60);
    char scratch[STRING_VALUE_SCRATCH_SIZE];
    dblite_bytes bytes = string_value_bytes(value, scratch);
    assert_int_equal(bytes.len, length);
    assert_memory_equal(bytes.ptr, "seed", 4);
    assert_int_equal(bytes.ptr[4 + 50000], 'z');
    assert_int_equal(bytes.ptr[4 + 49999], 0);
    string_value_free(value);
    assert_int_equal(live_blocks, 0);
}

/* Edits of every size around the layout edges, checked against a model. */
static void test_edits_across_layout_edges(void **state)
{
    (void)state;
    static const size_t edges[] = {0,   1,    6,    7,       8,       9,       253,     254,    255,
                                   256, 4095, 4096, 1048575, 1048576, 1048577, 1179648, 2400000};
    enum { MODEL_SIZE = 2500000 };
    char *model = calloc(1, MODEL_SIZE);
    char *pristine = malloc(MODEL_SIZE);
    char *patch = malloc(MODEL_SIZE);
    assert_non_null(model);
    assert_non_null(pristine);
    assert_non_null(patch);
    for (size_t i = 0; i < MODEL_SIZE; i++) {
        pristine[i] = (char)('A' + i % 23);
        patch[i] = (char)('a' + i % 26);
    }
    for (size_t a = 0; a < sizeof edges / sizeof edges[0]; a++) {
        for (size_t b = 0; b < sizeof edges / sizeof edges[0]; b++) {
            /* Start at length edges[a], then write up to end edges[b]: an
             * APPEND when it is past the end, an overwrite inside. */
            size_t start = edges[a], end = edges[b];
            memcpy(model, pristine, start);
            void *value = string_value_create(model, start);
            assert_non_null(value);
            size_t offset = end > start ? start : end / 2;
            size_t len = end > offset ? end - offset : 1;
            if (offset + len > MODEL_SIZE)
                len = MODEL_SIZE - offset;
            value = string_value_splice(value, offset, patch, len);
            assert_non_null(value);
            memcpy(model + offset, patch, len);
            size_t length = offset + len > start ? offset + len : start;
            assert_value_is(value, model, length);
            /* A second edit into the new spare room (in place or grown). */
            value = string_value_splice(value, length + 3, "tail", 4);
            assert_non_null(value);
            memset(model + length, 0, 3);
            memcpy(model + length + 3, "tail", 4);
            assert_value_is(value, model, length + 7);
            string_value_free(value);
            assert_int_equal(live_blocks, 0);
        }
    }
    free(model);
    free(pristine);
    free(patch);
}

/* Out of memory while growing: NULL, and the value is untouched. */
static void test_failed_growth_keeps_the_value(void **state)
{
    (void)state;
    static const size_t sizes[] = {5, 200, 300, 2000000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t size = sizes[s];
        char *model = malloc(size);
        assert_non_null(model);
        memset(model, 'q', size);
        void *value = string_value_create(model, size);
        assert_non_null(value);
        /* 2 MB past the end is past any spare room: the edit must allocate. */
        size_t length = size;
        fail_next = 1;
        void *grown = string_value_splice(value, length + 2 * 1024 * 1024, "x", 1);
        fail_next = 0;
        assert_null(grown);
        assert_value_is(value, model, length);
        string_value_free(value);
        assert_int_equal(live_blocks, 0);
        free(model);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_run_grows_geometrically),
        cmocka_unit_test(test_setrange_run_grows_geometrically),
        cmocka_unit_test(test_edits_across_layout_edges),
        cmocka_unit_test(test_failed_growth_keeps_the_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
