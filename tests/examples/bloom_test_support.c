/*
 * bloom_test_support.c - see bloom_test_support.h.  Checks use cmocka's
 * assertions, so they may only be called from inside a running test.
 */
#define _GNU_SOURCE
#include "bloom_test_support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "reply_checks.h"

#define BATCH_ITEMS 1000
#define ITEM_TEXT_SIZE 64

char *bloom_ini_path(void)
{
    const char *source = getenv("DBLITE_SOURCE_DIR");
    if (source == NULL) {
        fprintf(stderr, "DBLITE_SOURCE_DIR is not set (run through ctest)\n");
        return NULL;
    }
    char *path = NULL;
    if (asprintf(&path, "%s/examples/bloom/bloom.ini", source) < 0)
        return NULL;
    return path;
}

int bloom_module_available(const char *name)
{
    const char *module_path = getenv("DBLITE_MODULE_PATH");
    if (module_path == NULL)
        return 0;
    char *path = NULL;
    if (asprintf(&path, "%s/%s.so", module_path, name) < 0)
        return 0;
    int found = access(path, R_OK) == 0;
    free(path);
    return found;
}

bloom_test_server *bloom_server_start(const char *const *extra_args)
{
    char *config = bloom_ini_path();
    if (config == NULL)
        return NULL;
    bloom_test_server *test = calloc(1, sizeof(*test));
    if (test != NULL)
        test->server = server_start(config, extra_args);
    free(config);
    if (test != NULL && test->server != NULL)
        test->context = server_connect(test->server);
    if (test == NULL || test->context == NULL) {
        if (test != NULL)
            server_stop(test->server);
        free(test);
        return NULL;
    }
    return test;
}

int bloom_server_reconnect(bloom_test_server *test)
{
    if (test->context != NULL)
        redisFree(test->context);
    test->context = server_connect(test->server);
    return test->context != NULL ? 0 : -1;
}

int bloom_server_stop(bloom_test_server *test)
{
    if (test == NULL)
        return -1;
    if (test->context != NULL)
        redisFree(test->context);
    int status = server_stop(test->server);
    free(test);
    return status;
}

void bloom_expect_integers(redisContext *context, const long long *expected, size_t count,
                           const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    redisReply *reply = reply_vcommand(context, format, arguments);
    va_end(arguments);
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != count)
        fail_msg("'%s': expected an array of %zu, got type %d with %zu elements (%s)", format,
                 count, reply->type, reply->elements, reply->str != NULL ? reply->str : "");
    for (size_t index = 0; index < count; index++) {
        const redisReply *element = reply->element[index];
        if (expected[index] < 0) {
            if (element->type != REDIS_REPLY_ERROR)
                fail_msg("'%s': element %zu should be an error", format, index);
        } else if (element->type != REDIS_REPLY_INTEGER || element->integer != expected[index]) {
            fail_msg("'%s': element %zu should be %lld (type %d, value %lld)", format, index,
                     expected[index], element->type, element->integer);
        }
    }
    freeReplyObject(reply);
}

static long long info_value(const redisReply *reply, const char *title)
{
    for (size_t index = 0; index + 1 < reply->elements; index += 2) {
        if (strcmp(reply->element[index]->str, title) != 0)
            continue;
        const redisReply *value = reply->element[index + 1];
        if (value->type == REDIS_REPLY_NIL)
            return -1;
        assert_int_equal(value->type, REDIS_REPLY_INTEGER);
        return value->integer;
    }
    fail_msg("BF.INFO has no '%s'", title);
    return 0;
}

bloom_info bloom_get_info(redisContext *context, const char *key)
{
    redisReply *reply = reply_command(context, "BF.INFO %s", key);
    if (reply->type != REDIS_REPLY_ARRAY)
        fail_msg("BF.INFO %s: %s", key, reply->str != NULL ? reply->str : "not an array");
    assert_int_equal(reply->elements, 10);
    bloom_info info = {
        .capacity = info_value(reply, "Capacity"),
        .size = info_value(reply, "Size"),
        .filters = info_value(reply, "Number of filters"),
        .items = info_value(reply, "Number of items inserted"),
        .expansion = info_value(reply, "Expansion rate"),
    };
    freeReplyObject(reply);
    return info;
}

bloom_dump bloom_get_dump(redisContext *context, const char *key)
{
    bloom_dump dump = {NULL, 0};
    long long iterator = 0;
    for (;;) {
        redisReply *reply = reply_command(context, "BF.SCANDUMP %s %lld", key, iterator);
        if (reply->type != REDIS_REPLY_ARRAY)
            fail_msg("BF.SCANDUMP %s %lld: %s", key, iterator,
                     reply->str != NULL ? reply->str : "not an array");
        assert_int_equal(reply->elements, 2);
        assert_int_equal(reply->element[0]->type, REDIS_REPLY_INTEGER);
        assert_int_equal(reply->element[1]->type, REDIS_REPLY_STRING);
        long long next = reply->element[0]->integer;
        if (next == 0) {
            assert_int_equal(reply->element[1]->len, 0);
            freeReplyObject(reply);
            return dump;
        }
        /* Iterators only move forward: a scan always ends. */
        assert_true(next > iterator);
        bloom_chunk *grown = realloc(dump.chunks, sizeof(*grown) * (dump.count + 1));
        assert_non_null(grown);
        dump.chunks = grown;
        bloom_chunk *chunk = &dump.chunks[dump.count++];
        chunk->iterator = next;
        chunk->length = reply->element[1]->len;
        chunk->data = malloc(chunk->length + 1);
        assert_non_null(chunk->data);
        memcpy(chunk->data, reply->element[1]->str, chunk->length);
        iterator = next;
        freeReplyObject(reply);
    }
}

void bloom_dump_free(bloom_dump *dump)
{
    for (size_t index = 0; index < dump->count; index++)
        free(dump->chunks[index].data);
    free(dump->chunks);
    dump->chunks = NULL;
    dump->count = 0;
}

void bloom_expect_same_dump(const bloom_dump *expected, const bloom_dump *actual)
{
    assert_true(expected->count > 0);
    assert_int_equal(actual->count, expected->count);
    for (size_t index = 0; index < expected->count; index++) {
        const bloom_chunk *want = &expected->chunks[index];
        const bloom_chunk *got = &actual->chunks[index];
        assert_int_equal(got->iterator, want->iterator);
        assert_int_equal(got->length, want->length);
        if (memcmp(got->data, want->data, want->length) != 0)
            fail_msg("chunk %zu (iterator %lld) differs", index, want->iterator);
    }
}

void bloom_load_dump(redisContext *context, const char *key, const bloom_dump *dump)
{
    for (size_t index = 0; index < dump->count; index++) {
        const bloom_chunk *chunk = &dump->chunks[index];
        reply_expect_status(context, "OK", "BF.LOADCHUNK %s %lld %b", key, chunk->iterator,
                            chunk->data, chunk->length);
    }
}

/* Sends BF.MADD or BF.MEXISTS over ranges of items, pipelined, and counts
 * the answers that are 1. */
static long long run_batches(redisContext *context, const char *command, const char *key,
                             const char *prefix, long long first, long long count)
{
    const char **argv = malloc(sizeof(*argv) * (BATCH_ITEMS + 2));
    size_t *lengths = malloc(sizeof(*lengths) * (BATCH_ITEMS + 2));
    char *texts = malloc((size_t)BATCH_ITEMS * ITEM_TEXT_SIZE);
    assert_non_null(argv);
    assert_non_null(lengths);
    assert_non_null(texts);
    long long batches = 0;
    for (long long start = 0; start < count; start += BATCH_ITEMS) {
        int items = (int)(count - start < BATCH_ITEMS ? count - start : BATCH_ITEMS);
        argv[0] = command;
        lengths[0] = strlen(command);
        argv[1] = key;
        lengths[1] = strlen(key);
        for (int index = 0; index < items; index++) {
            char *text = texts + (size_t)index * ITEM_TEXT_SIZE;
            int length = snprintf(text, ITEM_TEXT_SIZE, "%s%lld", prefix, first + start + index);
            argv[index + 2] = text;
            lengths[index + 2] = (size_t)length;
        }
        /* hiredis copies the arguments into its output buffer. */
        assert_int_equal(redisAppendCommandArgv(context, items + 2, argv, lengths), REDIS_OK);
        batches++;
    }
    long long ones = 0;
    for (long long batch = 0; batch < batches; batch++) {
        void *opaque = NULL;
        assert_int_equal(redisGetReply(context, &opaque), REDIS_OK);
        redisReply *reply = opaque;
        if (reply->type != REDIS_REPLY_ARRAY)
            fail_msg("%s %s: %s", command, key, reply->str != NULL ? reply->str : "not an array");
        for (size_t index = 0; index < reply->elements; index++) {
            assert_int_equal(reply->element[index]->type, REDIS_REPLY_INTEGER);
            ones += reply->element[index]->integer;
        }
        freeReplyObject(reply);
    }
    free(texts);
    free(lengths);
    free(argv);
    return ones;
}

long long bloom_add_range(redisContext *context, const char *key, const char *prefix,
                          long long first, long long count)
{
    return run_batches(context, "BF.MADD", key, prefix, first, count);
}

long long bloom_count_present(redisContext *context, const char *key, const char *prefix,
                              long long first, long long count)
{
    return run_batches(context, "BF.MEXISTS", key, prefix, first, count);
}
