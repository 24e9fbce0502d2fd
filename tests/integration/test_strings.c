/*
 * test_strings.c - the strings module over real sockets: binary-safe values
 * (NUL and every byte value), megabyte values through SET/APPEND/SETRANGE,
 * long INCR sequences across the inline-integer boundary and the 64-bit
 * limits, APPEND growth, MSET with many pairs, a pipelined burst whose
 * replies must come back complete and in order, FLUSHALL/FLUSHDB ASYNC
 * freeing in the background, and the answers to TTL
 * options when no expiry module is loaded (which no Redis can be compared
 * with, so the differential cases cannot cover it).
 *
 * Each test starts its own server with the strings-only config, so a test
 * never sees another's keys.  argv[1] names another config ("-" for none),
 * which lets the test itself be checked against a stock redis-server
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
#include <unistd.h>

#include <cmocka.h>

#include "reply_checks.h"
#include "server_process.h"

#define MEGABYTE (1024 * 1024)

static const char *config_name = "minimal.ini";

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

/* Deterministic bytes (xorshift), so a failure reproduces. */
static void fill_pseudo_random(char *buffer, size_t length, uint64_t seed)
{
    uint64_t x = seed | 1;
    for (size_t i = 0; i < length; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buffer[i] = (char)(x >> 24);
    }
}

/* GET key must answer exactly length bytes equal to expected. */
static void assert_stored_value(redisContext *context, const char *key, const char *expected,
                                size_t length)
{
    reply_expect_bulk_bytes(context, expected, length, "GET %s", key);
}

static void binary_values_round_trip(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    char every_byte[256];
    for (int i = 0; i < 256; i++)
        every_byte[i] = (char)i;

    /* Every length from 0 to 40 crosses the inline (<= 7 bytes) and heap
     * forms; each value starts with NUL so nothing may stop at it. */
    for (size_t length = 0; length <= 40; length++) {
        char key[32];
        snprintf(key, sizeof key, "bin:%zu", length);
        reply_expect_status(context, "OK", "SET %s %b", key, every_byte, length);
        assert_stored_value(context, key, every_byte, length);
        reply_expect_integer(context, (long long)length, "STRLEN %s", key);
    }

    reply_expect_status(context, "OK", "SET %b %b", "k\0ey", (size_t)4, every_byte,
                        sizeof every_byte);
    assert_stored_value(context, "bin:0", "", 0);
    redisReply *reply = reply_command(context, "GET %b", "k\0ey", (size_t)4);
    assert_int_equal(reply->type, REDIS_REPLY_STRING);
    assert_int_equal(reply->len, 256);
    assert_memory_equal(reply->str, every_byte, 256);
    freeReplyObject(reply);

    reply = reply_command(context, "GETRANGE %b 250 -1", "k\0ey", (size_t)4);
    assert_int_equal(reply->len, 6);
    assert_memory_equal(reply->str, every_byte + 250, 6);
    freeReplyObject(reply);

    reply_expect_integer(context, 3, "APPEND nul %b", "\0\0\0", (size_t)3);
    reply_expect_integer(context, 5, "APPEND nul %b", "\xff\0", (size_t)2);
    assert_stored_value(context, "nul", "\0\0\0\xff\0", 5);
    reply_expect_integer(context, 7, "SETRANGE nul 6 %b", "\0", (size_t)1);
    assert_stored_value(context, "nul", "\0\0\0\xff\0\0\0", 7);

    /* Text that merely looks numeric keeps its exact bytes. */
    const char *texts[] = {"007",
                           "-0",
                           "+1",
                           "1 ",
                           "0x1f",
                           "9223372036854775808",
                           "-9223372036854775809",
                           "2305843009213693952"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        reply_expect_status(context, "OK", "SET numeric %s", texts[i]);
        assert_stored_value(context, "numeric", texts[i], strlen(texts[i]));
    }
}

static void megabyte_values(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    char *first = malloc(MEGABYTE);
    char *second = malloc(MEGABYTE);
    assert_non_null(first);
    assert_non_null(second);
    fill_pseudo_random(first, MEGABYTE, 1);
    fill_pseudo_random(second, MEGABYTE, 2);

    reply_expect_status(context, "OK", "SET big %b", first, (size_t)MEGABYTE);
    assert_stored_value(context, "big", first, MEGABYTE);
    reply_expect_integer(context, 2 * MEGABYTE, "APPEND big %b", second, (size_t)MEGABYTE);
    reply_expect_integer(context, 2 * MEGABYTE, "STRLEN big");

    redisReply *reply = reply_command(context, "GETRANGE big %d %d", MEGABYTE - 5, MEGABYTE + 4);
    assert_int_equal(reply->len, 10);
    assert_memory_equal(reply->str, first + MEGABYTE - 5, 5);
    assert_memory_equal(reply->str + 5, second, 5);
    freeReplyObject(reply);

    /* Writing past the end zero-fills the gap. */
    reply_expect_integer(context, 3 * MEGABYTE + 3, "SETRANGE big %d end", 3 * MEGABYTE);
    reply = reply_command(context, "GETRANGE big %d -1", 2 * MEGABYTE - 1);
    assert_int_equal(reply->len, MEGABYTE + 4);
    assert_int_equal(reply->str[0], second[MEGABYTE - 1]);
    for (size_t i = 1; i <= MEGABYTE; i++)
        assert_int_equal(reply->str[i], 0);
    assert_memory_equal(reply->str + MEGABYTE + 1, "end", 3);
    freeReplyObject(reply);

    reply = reply_command(context, "GETSET big small");
    assert_int_equal(reply->len, 3 * MEGABYTE + 3);
    assert_memory_equal(reply->str, first, MEGABYTE);
    freeReplyObject(reply);
    assert_stored_value(context, "big", "small", 5);

    reply_expect_status(context, "OK", "MSET a %b b %b", first, (size_t)MEGABYTE, second,
                        (size_t)MEGABYTE);
    reply = reply_command(context, "MGET a b missing");
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 3);
    assert_memory_equal(reply->element[0]->str, first, MEGABYTE);
    assert_memory_equal(reply->element[1]->str, second, MEGABYTE);
    assert_int_equal(reply->element[2]->type, REDIS_REPLY_NIL);
    freeReplyObject(reply);

    reply = reply_command(context, "GETDEL a");
    assert_int_equal(reply->len, MEGABYTE);
    assert_memory_equal(reply->str, first, MEGABYTE);
    freeReplyObject(reply);
    reply_expect_integer(context, 0, "EXISTS a");
    free(first);
    free(second);
}

static void long_increment_sequences(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    enum { COUNT = 100000 };
    for (int i = 0; i < COUNT; i++)
        assert_int_equal(redisAppendCommand(context, "INCR counter"), REDIS_OK);
    for (long long i = 1; i <= COUNT; i++) {
        redisReply *reply;
        assert_int_equal(redisGetReply(context, (void **)&reply), REDIS_OK);
        assert_int_equal(reply->type, REDIS_REPLY_INTEGER);
        assert_int_equal(reply->integer, i);
        freeReplyObject(reply);
    }
    assert_stored_value(context, "counter", "100000", 6);

    /* Across the largest integer held inside the pointer (2^61 - 1) and back. */
    long long value = 2305843009213693951LL - 20;
    reply_expect_status(context, "OK", "SET counter %lld", value);
    for (int step = 0; step < 40; step++) {
        reply_expect_integer(context, ++value, "INCR counter");
        char text[32];
        int length = snprintf(text, sizeof text, "%lld", value);
        assert_stored_value(context, "counter", text, (size_t)length);
    }
    for (int step = 0; step < 40; step++)
        reply_expect_integer(context, --value, "DECRBY counter 1");

    value = -2305843009213693952LL + 10;
    reply_expect_status(context, "OK", "SET counter %lld", value);
    for (int step = 0; step < 30; step++)
        reply_expect_integer(context, --value, "DECR counter");
    reply_expect_integer(context, value + 1000, "INCRBY counter 1000");

    reply_expect_status(context, "OK", "SET counter 9223372036854775800");
    for (long long expected = 9223372036854775801LL; expected < 9223372036854775807LL; expected++)
        reply_expect_integer(context, expected, "INCR counter");
    reply_expect_integer(context, 9223372036854775807LL, "INCR counter");
    reply_expect_error(context, "ERR increment or decrement would overflow", "INCR counter");
    assert_stored_value(context, "counter", "9223372036854775807", 19);
    reply_expect_integer(context, -1, "INCRBY counter -9223372036854775808");
    reply_expect_error(context, "ERR decrement would overflow",
                       "DECRBY counter -9223372036854775808");
    reply_expect_error(context, "ERR value is not an integer or out of range",
                       "INCRBY counter 1e3");

    reply_expect_status(context, "OK", "SET counter 007");
    reply_expect_error(context, "ERR value is not an integer or out of range", "INCR counter");
    assert_stored_value(context, "counter", "007", 3);
}

static void append_growth_keeps_every_byte(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    enum { APPENDS = 20000 };
    size_t capacity = (size_t)APPENDS * 16;
    char *expected = malloc(capacity);
    assert_non_null(expected);
    size_t length = 0;
    for (int i = 0; i < APPENDS; i++) {
        char chunk[16];
        size_t chunk_length = (size_t)(i % 13);
        fill_pseudo_random(chunk, chunk_length, (uint64_t)i + 7);
        assert_int_equal(redisAppendCommand(context, "APPEND grow %b", chunk, chunk_length),
                         REDIS_OK);
        memcpy(expected + length, chunk, chunk_length);
        length += chunk_length;
    }
    size_t running = 0;
    for (int i = 0; i < APPENDS; i++) {
        redisReply *reply;
        running += (size_t)(i % 13);
        assert_int_equal(redisGetReply(context, (void **)&reply), REDIS_OK);
        assert_int_equal(reply->type, REDIS_REPLY_INTEGER);
        assert_int_equal(reply->integer, running);
        freeReplyObject(reply);
    }
    assert_stored_value(context, "grow", expected, length);

    /* SETRANGE inside the grown value edits it where it is. */
    reply_expect_integer(context, (long long)length, "SETRANGE grow 1000 %b", "XYZ", (size_t)3);
    memcpy(expected + 1000, "XYZ", 3);
    assert_stored_value(context, "grow", expected, length);
    free(expected);
}

/* Loads count keys "prefix:N" in MSET batches of 1000. */
static void load_keys(redisContext *context, const char *prefix, int count)
{
    enum { BATCH = 1000 };
    const char *argv[1 + 2 * BATCH];
    size_t lengths[1 + 2 * BATCH];
    static char names[BATCH][32];
    for (int first = 0; first < count; first += BATCH) {
        int argc = 1;
        argv[0] = "MSET";
        lengths[0] = 4;
        for (int i = first; i < count && i < first + BATCH; i++) {
            char *name = names[i - first];
            lengths[argc] = (size_t)snprintf(name, sizeof names[0], "%s:%d", prefix, i);
            argv[argc++] = name;
            argv[argc] = "a value of some length";
            lengths[argc] = strlen(argv[argc]);
            argc++;
        }
        redisReply *reply = redisCommandArgv(context, argc, argv, lengths);
        assert_non_null(reply);
        assert_int_equal(reply->type, REDIS_REPLY_STATUS);
        freeReplyObject(reply);
    }
}

/* Waits (up to 30 s) until INFO memory shows nothing left to free. */
static void wait_until_freed(redisContext *context)
{
    time_t started = time(NULL);
    while (reply_info_number(context, "memory", "lazyfree_pending_objects") > 0 &&
           time(NULL) - started < 30)
        usleep(10000);
    assert_int_equal(reply_info_number(context, "memory", "lazyfree_pending_objects"), 0);
}

/* FLUSHALL ASYNC and FLUSHDB ASYNC empty the databases at once and free the
 * old keys afterwards, a slice at a time: the keys are gone for clients
 * immediately, writes made meanwhile land in the new tables, and INFO
 * memory counts the keys still to free (lazyfree_pending_objects) and those
 * freed (lazyfreed_objects) until used_memory is back where it started. */
static void flush_async_frees_in_the_background(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    enum { KEYS_DB0 = 200000, KEYS_DB1 = 50000 };
    long long empty_memory = reply_info_number(context, "memory", "used_memory");
    long long freed_before = reply_info_number(context, "memory", "lazyfreed_objects");
    load_keys(context, "db0", KEYS_DB0);
    reply_expect_status(context, "OK", "SELECT 1");
    load_keys(context, "db1", KEYS_DB1);
    reply_expect_status(context, "OK", "SELECT 0");

    /* One pipeline: nothing can have been freed before the INFO runs. */
    redisAppendCommand(context, "FLUSHALL ASYNC");
    redisAppendCommand(context, "SET written-while-freeing yes");
    redisAppendCommand(context, "INFO memory");
    redisReply *flush = reply_read(context);
    assert_int_equal(flush->type, REDIS_REPLY_STATUS);
    assert_string_equal(flush->str, "OK");
    freeReplyObject(flush);
    freeReplyObject(reply_read(context));
    redisReply *info = reply_read(context);
    const char *pending_field = "\r\nlazyfree_pending_objects:";
    const char *pending = strstr(info->str, pending_field);
    assert_non_null(pending);
    assert_true(strtoll(pending + strlen(pending_field), NULL, 10) > 0);
    freeReplyObject(info);
    reply_expect_integer(context, 1, "DBSIZE");
    reply_expect_nil(context, "GET db0:7");
    reply_expect_integer(context, 0, "EXISTS db0:199999");

    wait_until_freed(context);
    assert_int_equal(reply_info_number(context, "memory", "lazyfreed_objects") - freed_before,
                     KEYS_DB0 + KEYS_DB1);
    reply_expect_bulk(context, "yes", "GET written-while-freeing");

    /* FLUSHDB ASYNC empties only its own database. */
    reply_expect_status(context, "OK", "SELECT 1");
    load_keys(context, "again", 1000);
    reply_expect_status(context, "OK", "FLUSHDB ASYNC");
    reply_expect_integer(context, 0, "DBSIZE");
    reply_expect_status(context, "OK", "SELECT 0");
    reply_expect_integer(context, 1, "DBSIZE");
    wait_until_freed(context);
    assert_int_equal(reply_info_number(context, "memory", "lazyfreed_objects") - freed_before,
                     KEYS_DB0 + KEYS_DB1 + 1000);
    long long memory_after = reply_info_number(context, "memory", "used_memory");
    if (memory_after - empty_memory > 1024 * 1024)
        fail_msg("used_memory %lld after the frees, %lld before the keys were loaded", memory_after,
                 empty_memory);
}

static void mset_with_many_pairs(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    enum { PAIRS = 1000 };
    const char **argv = calloc(2 * PAIRS + 2, sizeof *argv);
    size_t *lengths = calloc(2 * PAIRS + 2, sizeof *lengths);
    char(*texts)[32] = calloc(2 * PAIRS + 2, sizeof *texts);
    assert_non_null(argv);
    assert_non_null(lengths);
    assert_non_null(texts);
    argv[0] = "MSET";
    lengths[0] = 4;
    for (int i = 0; i < PAIRS; i++) {
        snprintf(texts[1 + 2 * i], 32, "many:%d", i);
        snprintf(texts[2 + 2 * i], 32, i % 2 ? "%d" : "value-%d", i);
        argv[1 + 2 * i] = texts[1 + 2 * i];
        argv[2 + 2 * i] = texts[2 + 2 * i];
        lengths[1 + 2 * i] = strlen(texts[1 + 2 * i]);
        lengths[2 + 2 * i] = strlen(texts[2 + 2 * i]);
    }
    redisReply *reply = redisCommandArgv(context, 2 * PAIRS + 1, argv, lengths);
    assert_non_null(reply);
    assert_int_equal(reply->type, REDIS_REPLY_STATUS);
    freeReplyObject(reply);

    const char **keys = calloc(PAIRS + 1, sizeof *keys);
    size_t *key_lengths = calloc(PAIRS + 1, sizeof *key_lengths);
    assert_non_null(keys);
    assert_non_null(key_lengths);
    keys[0] = "MGET";
    key_lengths[0] = 4;
    for (int i = 0; i < PAIRS; i++) {
        keys[1 + i] = argv[1 + 2 * i];
        key_lengths[1 + i] = lengths[1 + 2 * i];
    }
    reply = redisCommandArgv(context, PAIRS + 1, keys, key_lengths);
    assert_non_null(reply);
    assert_int_equal(reply->elements, PAIRS);
    for (int i = 0; i < PAIRS; i++)
        assert_string_equal(reply->element[i]->str, texts[2 + 2 * i]);
    freeReplyObject(reply);

    /* MSETNX with one existing key among many new ones sets nothing. */
    argv[0] = "MSETNX";
    lengths[0] = 6;
    for (int i = 0; i < PAIRS; i++) {
        snprintf(texts[1 + 2 * i], 32, "fresh:%d", i);
        lengths[1 + 2 * i] = strlen(texts[1 + 2 * i]);
    }
    argv[1 + 2 * (PAIRS - 1)] = "many:5";
    lengths[1 + 2 * (PAIRS - 1)] = 6;
    reply = redisCommandArgv(context, 2 * PAIRS + 1, argv, lengths);
    assert_non_null(reply);
    assert_int_equal(reply->type, REDIS_REPLY_INTEGER);
    assert_int_equal(reply->integer, 0);
    freeReplyObject(reply);
    reply_expect_integer(context, 0, "EXISTS fresh:0 fresh:1 fresh:500");
    free(keys);
    free(key_lengths);
    free(argv);
    free(lengths);
    free(texts);
}

static void pipelined_burst_replies_in_order(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    enum { KEYS = 20000 };
    for (int i = 0; i < KEYS; i++) {
        assert_int_equal(redisAppendCommand(context, "SET burst:%d value-%d", i, i), REDIS_OK);
        assert_int_equal(redisAppendCommand(context, "GET burst:%d", i), REDIS_OK);
        assert_int_equal(redisAppendCommand(context, "INCRBY total %d", i), REDIS_OK);
        assert_int_equal(redisAppendCommand(context, "GETSET burst:%d %d", i, i), REDIS_OK);
    }
    long long total = 0;
    for (int i = 0; i < KEYS; i++) {
        char expected[32];
        snprintf(expected, sizeof expected, "value-%d", i);
        redisReply *reply;
        assert_int_equal(redisGetReply(context, (void **)&reply), REDIS_OK);
        assert_int_equal(reply->type, REDIS_REPLY_STATUS);
        freeReplyObject(reply);
        assert_int_equal(redisGetReply(context, (void **)&reply), REDIS_OK);
        assert_int_equal(reply->type, REDIS_REPLY_STRING);
        assert_string_equal(reply->str, expected);
        freeReplyObject(reply);
        total += i;
        assert_int_equal(redisGetReply(context, (void **)&reply), REDIS_OK);
        assert_int_equal(reply->integer, total);
        freeReplyObject(reply);
        assert_int_equal(redisGetReply(context, (void **)&reply), REDIS_OK);
        assert_string_equal(reply->str, expected);
        freeReplyObject(reply);
    }
    reply_expect_integer(context, KEYS + 1, "DBSIZE");
    assert_stored_value(context, "burst:12345", "12345", 5);
    reply_expect_integer(context, 6, "INCR burst:5");
}

/* minimal.ini loads no expiry module: TTL options are refused with their own
 * error, after Redis's own argument checks, and nothing is written. */
static void ttl_options_without_the_expiry_module(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    const char *refused = "ERR TTL options need the expiry module, which is not loaded";
    reply_expect_error(context, refused, "SET k v EX 10");
    reply_expect_error(context, refused, "SET k v PX 10000 NX");
    reply_expect_error(context, refused, "SET k v EXAT 4102444800 GET");
    reply_expect_error(context, refused, "SET k v PXAT 4102444800000");
    reply_expect_error(context, refused, "SETEX k 10 v");
    reply_expect_error(context, refused, "PSETEX k 10000 v");
    reply_expect_integer(context, 0, "EXISTS k");

    /* Redis's argument errors still come first. */
    reply_expect_error(context, "ERR invalid expire time in 'set' command", "SET k v EX 0");
    reply_expect_error(context, "ERR invalid expire time in 'setex' command", "SETEX k -1 v");
    reply_expect_error(context, "ERR value is not an integer or out of range", "SET k v PX x");
    reply_expect_error(context, "ERR syntax error", "SET k v EX 10 KEEPTTL");

    /* KEEPTTL and PERSIST have nothing to keep or remove, and are accepted. */
    reply_expect_status(context, "OK", "SET k v KEEPTTL");
    assert_stored_value(context, "k", "v", 1);
    redisReply *reply = reply_command(context, "GETEX k PERSIST");
    assert_int_equal(reply->type, REDIS_REPLY_STRING);
    assert_string_equal(reply->str, "v");
    freeReplyObject(reply);
    reply_expect_error(context, refused, "GETEX k EX 10");
    reply_expect_error(context, "ERR invalid expire time in 'getex' command", "GETEX k EX 0");
    /* GETEX looks the key up before it reads the time, as Redis does. */
    reply = reply_command(context, "GETEX missing EX 10");
    assert_int_equal(reply->type, REDIS_REPLY_NIL);
    freeReplyObject(reply);
    assert_stored_value(context, "k", "v", 1);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        config_name = strcmp(argv[1], "-") == 0 ? NULL : argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(binary_values_round_trip, start_server, stop_server),
        cmocka_unit_test_setup_teardown(megabyte_values, start_server, stop_server),
        cmocka_unit_test_setup_teardown(long_increment_sequences, start_server, stop_server),
        cmocka_unit_test_setup_teardown(append_growth_keeps_every_byte, start_server, stop_server),
        cmocka_unit_test_setup_teardown(mset_with_many_pairs, start_server, stop_server),
        cmocka_unit_test_setup_teardown(flush_async_frees_in_the_background, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(pipelined_burst_replies_in_order, start_server,
                                        stop_server),
    };
    const struct CMUnitTest strings_only_tests[] = {
        cmocka_unit_test_setup_teardown(ttl_options_without_the_expiry_module, start_server,
                                        stop_server),
    };
    int failures = cmocka_run_group_tests(tests, NULL, NULL);
    /* Only meaningful against the strings-only config. */
    if (config_name != NULL && strcmp(config_name, "minimal.ini") == 0)
        failures += cmocka_run_group_tests(strings_only_tests, NULL, NULL);
    return failures;
}
