/*
 * test_bitmaps.c - the bitmap commands over real sockets, where the
 * differential cases cannot go: the 512 MB edge (SETBIT at 2^32 - 1 is
 * allowed and makes a 512 MB string, 2^32 is refused), bitmaps grown by
 * tens of thousands of SETBITs and BITFIELD writes at rising offsets
 * (which would take hours if each growth copied the value), bitmaps
 * surviving SAVE and a restart as the plain strings they are, and WATCH
 * seeing a SETBIT that changes a bit but not one that leaves it as it was.
 *
 * Each test starts its own server with the default config (persistence
 * loaded).  argv[1] names another config ("-" for none), which lets the
 * test be checked against a stock redis-server
 * (DBLITE_SERVER=redis-server, no DBLITE_MODULE_PATH, config "-").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "reply_checks.h"
#include "server_process.h"

static const char *config_name = "dblite.ini";

typedef struct fixture {
    server_process *server;
    redisContext *context;
} fixture;

static int start_server(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    *state = f;
    f->server = server_start(config_name, NULL);
    if (f->server == NULL)
        return -1;
    f->context = server_connect(f->server);
    return f->context != NULL ? 0 : -1;
}

static int stop_server(void **state)
{
    fixture *f = *state;
    if (f == NULL)
        return 0;
    if (f->context != NULL)
        redisFree(f->context);
    int status = server_stop(f->server);
    free(f);
    return status == 0 ? 0 : -1;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Reads count integer replies of a pipeline, each equal to expected. */
static void expect_pipelined_integers(redisContext *context, int count, long long expected)
{
    for (int i = 0; i < count; i++) {
        redisReply *reply;
        assert_int_equal(redisGetReply(context, (void **)&reply), REDIS_OK);
        if (reply->type != REDIS_REPLY_INTEGER || reply->integer != expected)
            fail_msg("reply %d: type %d integer %lld (expected %lld)", i, reply->type,
                     reply->integer, expected);
        freeReplyObject(reply);
    }
}

#define OFFSET_ERROR "ERR bit offset is not an integer or out of range"
#define LAST_OFFSET 4294967295LL /* 2^32 - 1: the last bit of 512 MB */

static void offsets_at_the_size_limit(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    reply_expect_error(context, OFFSET_ERROR, "SETBIT edge 4294967296 1");
    reply_expect_error(context, OFFSET_ERROR, "GETBIT edge 4294967296");
    reply_expect_error(context, OFFSET_ERROR, "BITFIELD edge SET u8 #536870912 1");
    reply_expect_integer(context, 0, "EXISTS edge");

    reply_expect_integer(context, 0, "SETBIT edge %lld 1", LAST_OFFSET);
    reply_expect_integer(context, 512LL * 1024 * 1024, "STRLEN edge");
    reply_expect_integer(context, 1, "GETBIT edge %lld", LAST_OFFSET);
    reply_expect_integer(context, 0, "GETBIT edge %lld", LAST_OFFSET - 1);
    reply_expect_integer(context, 1, "BITCOUNT edge");
    reply_expect_integer(context, LAST_OFFSET, "BITPOS edge 1");
    reply_expect_integer(context, 0, "BITPOS edge 0");
    reply_expect_integer(context, -1, "BITPOS edge 0 -1 -1 BIT");
    reply_expect_bulk_bytes(context, "\0\0\x01", 3, "GETRANGE edge -3 -1");
    reply_expect_integer(context, 1, "SETBIT edge %lld 0", LAST_OFFSET);
    reply_expect_integer(context, 0, "BITCOUNT edge");
    reply_expect_integer(context, -1, "BITPOS edge 1");

    /* BITFIELD may write the last byte; its value then fills the string. */
    redisReply *reply =
        reply_command(context, "BITFIELD edge SET u8 #536870911 255 GET u4 %lld", LAST_OFFSET - 3);
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 2);
    assert_int_equal(reply->element[0]->integer, 0);
    assert_int_equal(reply->element[1]->integer, 15);
    freeReplyObject(reply);
    reply_expect_integer(context, 512LL * 1024 * 1024, "STRLEN edge");
    reply_expect_integer(context, 8, "BITCOUNT edge");

    /* BITOP over the big value makes another of the same size. */
    reply_expect_integer(context, 512LL * 1024 * 1024, "BITOP NOT inverse edge");
    reply_expect_integer(context, LAST_OFFSET + 1 - 8, "BITCOUNT inverse");
    reply_expect_integer(context, LAST_OFFSET - 7, "BITPOS inverse 0");
    reply_expect_integer(context, 2, "DEL edge inverse");

    /* A smaller proto-max-bulk-len moves the limit with it. */
    reply_expect_status(context, "OK", "CONFIG SET proto-max-bulk-len 1mb");
    reply_expect_integer(context, 0, "SETBIT small %lld 1", 8LL * 1024 * 1024 - 1);
    reply_expect_error(context, OFFSET_ERROR, "SETBIT small %lld 1", 8LL * 1024 * 1024);
    reply_expect_integer(context, 1024 * 1024, "STRLEN small");
}

/* SETBITs at rising offsets, each growing the bitmap by a kilobyte, to
 * 100 MB: with geometric growth a few seconds at most; with a copy per
 * growth about 5 TB of copying.  The bound is generous on purpose. */
static void setbit_growth_is_not_quadratic(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    enum { STEPS = 100000, STEP_BITS = 8 * 1024, DEPTH = 1000 };
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int sent = 0; sent < STEPS; sent += DEPTH) {
        for (int i = sent; i < sent + DEPTH; i++)
            assert_int_equal(
                redisAppendCommand(context, "SETBIT grow %lld 1", (long long)i * STEP_BITS + 3),
                REDIS_OK);
        expect_pipelined_integers(context, DEPTH, 0);
    }
    double elapsed = seconds_since(&start);
    if (elapsed > 120)
        fail_msg("%d growing SETBITs took %.1f s", STEPS, elapsed);
    reply_expect_integer(context, (long long)(STEPS - 1) * 1024 + 1, "STRLEN grow");
    reply_expect_integer(context, STEPS, "BITCOUNT grow");
    reply_expect_integer(context, 3, "BITPOS grow 1");
    for (long long i = 0; i < STEPS; i += 9973) {
        reply_expect_integer(context, 1, "GETBIT grow %lld", i * STEP_BITS + 3);
        reply_expect_integer(context, 0, "GETBIT grow %lld", i * STEP_BITS + 4);
    }
    reply_expect_integer(context, STEPS / 2, "BITCOUNT grow 0 %lld",
                         (long long)STEPS / 2 * 1024 - 1);

    /* BITFIELD writes grow a value the same way. */
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int sent = 0; sent < STEPS; sent += DEPTH) {
        for (int i = sent; i < sent + DEPTH; i++)
            assert_int_equal(
                redisAppendCommand(context, "BITFIELD field SET u16 #%d %d", i * 512, i % 65536),
                REDIS_OK);
        for (int i = 0; i < DEPTH; i++) {
            redisReply *reply;
            assert_int_equal(redisGetReply(context, (void **)&reply), REDIS_OK);
            assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
            assert_int_equal(reply->element[0]->integer, 0);
            freeReplyObject(reply);
        }
    }
    elapsed = seconds_since(&start);
    if (elapsed > 120)
        fail_msg("%d growing BITFIELD writes took %.1f s", STEPS, elapsed);
    reply_expect_integer(context, (long long)(STEPS - 1) * 1024 + 2, "STRLEN field");
    redisReply *reply = reply_command(context, "BITFIELD_RO field GET u16 #%d GET u16 #%d",
                                      77777 * 512, 77777 * 512 + 1);
    assert_int_equal(reply->element[0]->integer, 77777 % 65536);
    assert_int_equal(reply->element[1]->integer, 0);
    freeReplyObject(reply);
}

/* Bitmaps are plain strings: SAVE and a restart bring back the same bytes,
 * read the same by every bitmap command. */
static void bitmaps_survive_a_restart(void **state)
{
    fixture *f = *state;
    reply_expect_integer(f->context, 0, "SETBIT sparse 1000000 1");
    reply_expect_integer(f->context, 0, "SETBIT sparse 7 1");
    reply_expect_integer(f->context, 0, "SETBIT tiny 2 1");
    redisReply *reply =
        reply_command(f->context, "BITFIELD counters INCRBY u8 #3 200 INCRBY i5 100 -7");
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    freeReplyObject(reply);
    reply_expect_integer(f->context, 0, "SETBIT number 0 0");
    reply_expect_status(f->context, "OK", "SET counter 12345");
    reply_expect_integer(f->context, 125001, "BITOP OR merged sparse tiny");

    reply = reply_command(f->context, "GET counters");
    assert_int_equal(reply->type, REDIS_REPLY_STRING);
    size_t counters_length = reply->len;
    char counters[64];
    assert_true(counters_length <= sizeof counters);
    memcpy(counters, reply->str, counters_length);
    freeReplyObject(reply);

    reply_expect_status(f->context, "OK", "SAVE");
    redisFree(f->context);
    f->context = NULL;
    assert_non_null(server_restart(f->server));
    f->context = server_connect(f->server);
    assert_non_null(f->context);

    reply_expect_integer(f->context, 125001, "STRLEN sparse");
    reply_expect_integer(f->context, 2, "BITCOUNT sparse");
    reply_expect_integer(f->context, 7, "BITPOS sparse 1");
    reply_expect_integer(f->context, 1000000, "BITPOS sparse 1 1");
    reply_expect_integer(f->context, 1, "GETBIT sparse 1000000");
    reply_expect_bulk_bytes(f->context, " ", 1, "GET tiny");
    reply_expect_bulk_bytes(f->context, counters, counters_length, "GET counters");
    reply = reply_command(f->context, "BITFIELD_RO counters GET u8 #3 GET i5 100");
    assert_int_equal(reply->element[0]->integer, 200);
    assert_int_equal(reply->element[1]->integer, -7);
    freeReplyObject(reply);
    reply_expect_integer(f->context, 3, "BITCOUNT merged");
    reply_expect_integer(f->context, 1, "STRLEN number");
    reply_expect_integer(f->context, 1, "GETBIT counter 2");
    reply_expect_integer(f->context, 1, "SETBIT counter 7 0");
    reply_expect_bulk(f->context, "02345", "GET counter");
    reply_expect_status(f->context, "string", "TYPE sparse");
}

/* WATCH is the core's: a SETBIT that changes a bit aborts the transaction,
 * one that leaves every bit and the length as they were does not (as in
 * Redis 7.0, which neither signals nor replicates it). */
static void watch_sees_changing_bits_only(void **state)
{
    fixture *f = *state;
    redisContext *other = server_connect(f->server);
    assert_non_null(other);
    reply_expect_integer(f->context, 0, "SETBIT w 5 1");

    reply_expect_status(f->context, "OK", "WATCH w");
    reply_expect_integer(other, 1, "SETBIT w 5 1");
    reply_expect_status(f->context, "OK", "MULTI");
    reply_expect_status(f->context, "QUEUED", "GETBIT w 5");
    redisReply *reply = reply_command(f->context, "EXEC");
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 1);
    freeReplyObject(reply);

    reply_expect_status(f->context, "OK", "WATCH w");
    reply_expect_integer(other, 0, "SETBIT w 6 1");
    reply_expect_status(f->context, "OK", "MULTI");
    reply_expect_status(f->context, "QUEUED", "GETBIT w 6");
    reply_expect_nil(f->context, "EXEC");

    reply_expect_status(f->context, "OK", "WATCH w");
    reply = reply_command(other, "BITFIELD w SET u8 0 0");
    freeReplyObject(reply);
    reply_expect_status(f->context, "OK", "MULTI");
    reply_expect_status(f->context, "QUEUED", "GET w");
    reply_expect_nil(f->context, "EXEC");

    reply_expect_status(f->context, "OK", "WATCH w");
    reply_expect_integer(other, 1, "BITOP OR w2 w");
    reply_expect_status(f->context, "OK", "MULTI");
    reply_expect_status(f->context, "QUEUED", "GET w");
    reply = reply_command(f->context, "EXEC");
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    freeReplyObject(reply);
    redisFree(other);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        config_name = strcmp(argv[1], "-") == 0 ? NULL : argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(offsets_at_the_size_limit, start_server, stop_server),
        cmocka_unit_test_setup_teardown(setbit_growth_is_not_quadratic, start_server, stop_server),
        cmocka_unit_test_setup_teardown(bitmaps_survive_a_restart, start_server, stop_server),
        cmocka_unit_test_setup_teardown(watch_sees_changing_bits_only, start_server, stop_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
