/*
 * hello_plugin_test.c - the hello example plugin (examples/hello) against
 * the real server started with examples/hello/hello.ini, over loopback with
 * hiredis: greeting and settings from the [hello] section, the rate
 * limiter's arithmetic and timing, argument errors, WRONGTYPE in both
 * directions, the command metadata COMMAND INFO shows, and the RESP3 shape
 * of the rate limiter's reply (read raw, as this hiredis speaks RESP2 only).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "reply_checks.h"
#include "server_process.h"

/* hello.ini sets default-period to 10 (the plugin's own default is 60). */
#define INI_DEFAULT_PERIOD_MS 10000

typedef struct test_server {
    server_process *server;
    redisContext *context;
} test_server;

static char *hello_ini_path(void)
{
    const char *source = getenv("DBLITE_SOURCE_DIR");
    if (source == NULL) {
        fprintf(stderr, "DBLITE_SOURCE_DIR is not set (run through ctest)\n");
        return NULL;
    }
    char *path = NULL;
    if (asprintf(&path, "%s/examples/hello/hello.ini", source) < 0)
        return NULL;
    return path;
}

static test_server *test_server_start(const char *const *extra_args)
{
    char *config = hello_ini_path();
    if (config == NULL)
        return NULL;
    test_server *test = calloc(1, sizeof(*test));
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

static int test_server_stop(test_server *test)
{
    if (test == NULL)
        return -1;
    redisFree(test->context);
    int status = server_stop(test->server);
    free(test);
    return status;
}

static int group_setup(void **state)
{
    *state = test_server_start(NULL);
    return *state != NULL ? 0 : -1;
}

static int group_teardown(void **state)
{
    return test_server_stop(*state) == 0 ? 0 : -1;
}

static redisContext *context_of(void **state)
{
    return ((test_server *)*state)->context;
}

/* One HELLO.RATELIMIT answer, as read from its RESP2 name/value array. */
typedef struct limit_answer {
    long long allowed, limit, remaining, retry_after_ms, reset_after_ms;
} limit_answer;

static long long field(const redisReply *reply, const char *name)
{
    for (size_t index = 0; index + 1 < reply->elements; index += 2) {
        const redisReply *key = reply->element[index];
        const redisReply *value = reply->element[index + 1];
        assert_int_equal(key->type, REDIS_REPLY_STRING);
        if (strcmp(key->str, name) == 0) {
            assert_int_equal(value->type, REDIS_REPLY_INTEGER);
            return value->integer;
        }
    }
    fail_msg("no field '%s' in the reply", name);
    return 0;
}

static limit_answer ratelimit(redisContext *context, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    redisReply *reply = reply_vcommand(context, format, arguments);
    va_end(arguments);
    if (reply->type == REDIS_REPLY_ERROR)
        fail_msg("unexpected error: %s", reply->str);
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 10);
    limit_answer answer = {
        .allowed = field(reply, "allowed"),
        .limit = field(reply, "limit"),
        .remaining = field(reply, "remaining"),
        .retry_after_ms = field(reply, "retry-after-ms"),
        .reset_after_ms = field(reply, "reset-after-ms"),
    };
    freeReplyObject(reply);
    return answer;
}

static long long wall_clock_us(void)
{
    struct timeval now;
    gettimeofday(&now, NULL);
    return (long long)now.tv_sec * 1000000 + now.tv_usec;
}

static void sleep_ms(long long milliseconds)
{
    struct timespec delay = {milliseconds / 1000, (milliseconds % 1000) * 1000000};
    while (nanosleep(&delay, &delay) != 0)
        ;
}

/* ---- HELLO.GREET and the [hello] settings ----------------------------- */

static void greet_uses_the_configured_greeting(void **state)
{
    redisContext *context = context_of(state);
    reply_expect_bulk(context, "Hello, world!", "HELLO.GREET");
    reply_expect_bulk(context, "Hello, Ada Lovelace!", "HELLO.GREET %s", "Ada Lovelace");
    reply_expect_error_prefix(context, "ERR syntax error", "HELLO.GREET a b");

    /* Names are bytes: a NUL inside comes back intact. */
    redisReply *reply = reply_command(context, "HELLO.GREET %b", "x\0y", (size_t)3);
    assert_int_equal(reply->type, REDIS_REPLY_STRING);
    assert_int_equal(reply->len, 11);
    assert_memory_equal(reply->str, "Hello, x\0y!", 11);
    freeReplyObject(reply);

    reply_expect_status(context, "OK", "CONFIG SET hello.greeting %s", "Good morning");
    reply_expect_bulk(context, "Good morning, world!", "HELLO.GREET");
    reply_expect_status(context, "OK", "CONFIG SET hello.greeting Hello");
}

static void ini_section_sets_the_default_period(void **state)
{
    redisContext *context = context_of(state);
    redisReply *reply = reply_command(context, "CONFIG GET hello.default-period");
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 2);
    assert_string_equal(reply->element[1]->str, "10");
    freeReplyObject(reply);

    /* One request per (default) period: the limiter resets a period later. */
    limit_answer answer = ratelimit(context, "HELLO.RATELIMIT period:ini 1");
    assert_int_equal(answer.allowed, 1);
    assert_true(answer.reset_after_ms > INI_DEFAULT_PERIOD_MS - 1000);
    assert_true(answer.reset_after_ms <= INI_DEFAULT_PERIOD_MS);

    reply_expect_status(context, "OK", "CONFIG SET hello.default-period 2");
    answer = ratelimit(context, "HELLO.RATELIMIT period:set 1");
    assert_true(answer.reset_after_ms > 1000 && answer.reset_after_ms <= 2000);
    reply_expect_error_prefix(context, "ERR", "CONFIG SET hello.default-period 0");
    reply_expect_status(context, "OK", "CONFIG SET hello.default-period 10");
}

static void command_line_overrides_the_ini(void **state)
{
    (void)state;
    const char *const args[] = {"--hello.greeting", "Ahoy", "--hello.default-period", "3", NULL};
    test_server *test = test_server_start(args);
    assert_non_null(test);
    reply_expect_bulk(test->context, "Ahoy, world!", "HELLO.GREET");
    limit_answer answer = ratelimit(test->context, "HELLO.RATELIMIT k 1");
    assert_true(answer.reset_after_ms > 2000 && answer.reset_after_ms <= 3000);
    assert_int_equal(test_server_stop(test), 0);
}

static void unknown_setting_stops_startup(void **state)
{
    (void)state;
    char *config = hello_ini_path();
    assert_non_null(config);
    const char *module_path = getenv("DBLITE_MODULE_PATH");
    assert_non_null(module_path);
    const char *const args[] = {
        "--port", "0", "--module-path", module_path, "--hello.no-such-setting", "1", NULL};
    char output[4096];
    int status = server_start_expect_failure(config, args, output, sizeof(output));
    free(config);
    assert_true(status > 0);
    assert_non_null(strstr(output, "no-such-setting"));
}

/* ---- HELLO.RATELIMIT ---------------------------------------------------- */

static void burst_then_refusal(void **state)
{
    redisContext *context = context_of(state);
    for (long long request = 1; request <= 5; request++) {
        limit_answer answer = ratelimit(context, "HELLO.RATELIMIT burst 5 100");
        assert_int_equal(answer.allowed, 1);
        assert_int_equal(answer.limit, 5);
        assert_int_equal(answer.remaining, 5 - request);
        assert_int_equal(answer.retry_after_ms, -1);
        /* Each request takes 100 s / 5 = 20 s of the period. */
        assert_true(answer.reset_after_ms > request * 20000 - 1000);
        assert_true(answer.reset_after_ms <= request * 20000);
    }
    limit_answer refused = ratelimit(context, "HELLO.RATELIMIT burst 5 100");
    assert_int_equal(refused.allowed, 0);
    assert_int_equal(refused.remaining, 0);
    assert_true(refused.retry_after_ms > 19000 && refused.retry_after_ms <= 20000);

    /* A refused request does not push the limiter further. */
    limit_answer again = ratelimit(context, "HELLO.RATELIMIT burst 5 100");
    assert_int_equal(again.allowed, 0);
    assert_true(again.retry_after_ms <= refused.retry_after_ms);
    assert_true(again.reset_after_ms <= refused.reset_after_ms);
}

static void tokens_come_back_with_time(void **state)
{
    redisContext *context = context_of(state);
    assert_int_equal(ratelimit(context, "HELLO.RATELIMIT refill 2 1").allowed, 1);
    assert_int_equal(ratelimit(context, "HELLO.RATELIMIT refill 2 1").allowed, 1);
    limit_answer refused = ratelimit(context, "HELLO.RATELIMIT refill 2 1");
    assert_int_equal(refused.allowed, 0);
    assert_true(refused.retry_after_ms > 0 && refused.retry_after_ms <= 500);

    sleep_ms(refused.retry_after_ms + 20);
    limit_answer later = ratelimit(context, "HELLO.RATELIMIT refill 2 1");
    assert_int_equal(later.allowed, 1);
    assert_int_equal(later.remaining, 0);

    /* A whole period after the last request the full burst is back. */
    sleep_ms(later.reset_after_ms + 20);
    limit_answer idle = ratelimit(context, "HELLO.RATELIMIT refill 2 1 0");
    assert_int_equal(idle.allowed, 1);
    assert_int_equal(idle.remaining, 2);
    assert_int_equal(idle.reset_after_ms, 0);
}

static void cost_counts_several_requests(void **state)
{
    redisContext *context = context_of(state);
    limit_answer answer = ratelimit(context, "HELLO.RATELIMIT cost 10 60 4");
    assert_int_equal(answer.allowed, 1);
    assert_int_equal(answer.remaining, 6);

    /* Cost 0 only asks: the answer is the same and nothing is used up. */
    limit_answer peek = ratelimit(context, "HELLO.RATELIMIT cost 10 60 0");
    assert_int_equal(peek.allowed, 1);
    assert_int_equal(peek.remaining, 6);
    assert_int_equal(ratelimit(context, "HELLO.RATELIMIT cost 10 60 0").remaining, 6);

    limit_answer too_much = ratelimit(context, "HELLO.RATELIMIT cost 10 60 7");
    assert_int_equal(too_much.allowed, 0);
    assert_true(too_much.retry_after_ms > 0);

    /* More than a whole burst never passes, however long one waits. */
    limit_answer never = ratelimit(context, "HELLO.RATELIMIT cost 10 60 11");
    assert_int_equal(never.allowed, 0);
    assert_int_equal(never.retry_after_ms, -1);

    assert_int_equal(ratelimit(context, "HELLO.RATELIMIT cost 10 60 6").remaining, 0);

    /* Asking about a key never used does not create it. */
    assert_int_equal(ratelimit(context, "HELLO.RATELIMIT cost:new 10 60 0").remaining, 10);
    redisReply *exists = reply_command(context, "EXISTS cost:new");
    assert_int_equal(exists->integer, 0);
    freeReplyObject(exists);
}

static void bad_arguments_are_errors(void **state)
{
    redisContext *context = context_of(state);
    reply_expect_error_prefix(context, "ERR max-requests must be an integer",
                              "HELLO.RATELIMIT bad 0");
    reply_expect_error_prefix(context, "ERR max-requests must be an integer",
                              "HELLO.RATELIMIT bad abc");
    reply_expect_error_prefix(context, "ERR max-requests must be an integer",
                              "HELLO.RATELIMIT bad 1000001");
    reply_expect_error_prefix(context, "ERR period-seconds must be an integer",
                              "HELLO.RATELIMIT bad 1 0");
    reply_expect_error_prefix(context, "ERR period-seconds must be an integer",
                              "HELLO.RATELIMIT bad 1 1.5");
    reply_expect_error_prefix(context, "ERR cost must be an integer", "HELLO.RATELIMIT bad 1 1 -1");
    reply_expect_error_prefix(context, "ERR syntax error", "HELLO.RATELIMIT bad 1 1 1 extra");
    reply_expect_error_prefix(context, "ERR wrong number of arguments for 'hello.ratelimit'",
                              "HELLO.RATELIMIT bad");
    reply_expect_error_prefix(context, "ERR arrival-time-us must be an integer",
                              "HELLO.RATELIMIT.RESTORE bad -5");
    reply_expect_error_prefix(context, "ERR wrong number of arguments",
                              "HELLO.RATELIMIT.RESTORE bad");
    redisReply *exists = reply_command(context, "EXISTS bad");
    assert_int_equal(exists->integer, 0);
    freeReplyObject(exists);
}

static void wrong_types_are_refused_both_ways(void **state)
{
    redisContext *context = context_of(state);
    reply_expect_status(context, "OK", "SET text value");
    reply_expect_error_prefix(context,
                              "WRONGTYPE Operation against a key holding the wrong kind of value",
                              "HELLO.RATELIMIT text 5 10");
    reply_expect_error_prefix(context, "WRONGTYPE", "HELLO.RATELIMIT text 5 10 0");
    reply_expect_error_prefix(context, "WRONGTYPE", "HELLO.RATELIMIT.RESTORE text 5");
    reply_expect_bulk(context, "value", "GET text");

    assert_int_equal(ratelimit(context, "HELLO.RATELIMIT limiter 5 10").allowed, 1);
    reply_expect_status(context, "ratelimit", "TYPE limiter");
    reply_expect_error_prefix(context, "WRONGTYPE", "GET limiter");
    reply_expect_error_prefix(context, "WRONGTYPE", "APPEND limiter x");

    /* SET replaces any type, after which the key is a string again. */
    reply_expect_status(context, "OK", "SET limiter now-a-string");
    reply_expect_error_prefix(context, "WRONGTYPE", "HELLO.RATELIMIT limiter 5 10");
}

static void restore_sets_the_state(void **state)
{
    redisContext *context = context_of(state);
    long long arrival = wall_clock_us() + 30 * 1000000LL;
    reply_expect_status(context, "OK", "HELLO.RATELIMIT.RESTORE restored %lld", arrival);
    reply_expect_status(context, "ratelimit", "TYPE restored");
    /* 30 s of a 60 s single-request window are taken: wait about 30 s (one
     * ms more at most, as the server's clock counts whole milliseconds). */
    limit_answer answer = ratelimit(context, "HELLO.RATELIMIT restored 1 60");
    assert_int_equal(answer.allowed, 0);
    assert_in_range(answer.retry_after_ms, 28000, 30001);

    /* A state in the past is an idle limiter. */
    reply_expect_status(context, "OK", "HELLO.RATELIMIT.RESTORE restored 1");
    assert_int_equal(ratelimit(context, "HELLO.RATELIMIT restored 3 60").remaining, 2);
}

static void copy_rename_and_delete_work_on_limiters(void **state)
{
    redisContext *context = context_of(state);
    ratelimit(context, "HELLO.RATELIMIT original 4 100");
    redisReply *reply = reply_command(context, "COPY original copied");
    assert_int_equal(reply->type, REDIS_REPLY_INTEGER);
    assert_int_equal(reply->integer, 1);
    freeReplyObject(reply);
    reply_expect_status(context, "ratelimit", "TYPE copied");

    /* The copy is a value of its own. */
    assert_int_equal(ratelimit(context, "HELLO.RATELIMIT copied 4 100").remaining, 2);
    assert_int_equal(ratelimit(context, "HELLO.RATELIMIT original 4 100 0").remaining, 3);

    reply = reply_command(context, "RENAME copied renamed");
    assert_int_equal(reply->type, REDIS_REPLY_STATUS);
    freeReplyObject(reply);
    reply_expect_status(context, "ratelimit", "TYPE renamed");
    assert_int_equal(ratelimit(context, "HELLO.RATELIMIT renamed 4 100 0").remaining, 2);

    reply = reply_command(context, "DEL original renamed");
    assert_int_equal(reply->integer, 2);
    freeReplyObject(reply);
    assert_int_equal(ratelimit(context, "HELLO.RATELIMIT original 4 100 0").remaining, 4);
}

/* ---- Metadata and protocol ---------------------------------------------- */

static int has_flag(const redisReply *flags, const char *name)
{
    for (size_t index = 0; index < flags->elements; index++)
        if (strcmp(flags->element[index]->str, name) == 0)
            return 1;
    return 0;
}

static void command_info_shows_flags_and_keys(void **state)
{
    redisContext *context = context_of(state);
    redisReply *reply =
        reply_command(context, "COMMAND INFO hello.ratelimit hello.greet hello.ratelimit.restore");
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 3);

    const redisReply *limit = reply->element[0];
    assert_string_equal(limit->element[0]->str, "hello.ratelimit");
    assert_int_equal(limit->element[1]->integer, -3);
    assert_true(has_flag(limit->element[2], "write"));
    assert_true(has_flag(limit->element[2], "denyoom"));
    assert_false(has_flag(limit->element[2], "readonly"));
    assert_int_equal(limit->element[3]->integer, 1);
    assert_int_equal(limit->element[4]->integer, 1);
    assert_int_equal(limit->element[5]->integer, 1);

    const redisReply *greet = reply->element[1];
    assert_int_equal(greet->element[1]->integer, -1);
    assert_false(has_flag(greet->element[2], "write"));
    assert_int_equal(greet->element[3]->integer, 0);

    const redisReply *restore = reply->element[2];
    assert_int_equal(restore->element[1]->integer, 3);
    assert_true(has_flag(restore->element[2], "write"));
    assert_int_equal(restore->element[3]->integer, 1);
    freeReplyObject(reply);
}

static void resp2_reply_is_a_flat_array(void **state)
{
    redisContext *context = context_of(state);
    redisReply *reply = reply_command(context, "HELLO.RATELIMIT resp2 3 10");
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 10);
    assert_string_equal(reply->element[0]->str, "allowed");
    assert_int_equal(reply->element[1]->type, REDIS_REPLY_INTEGER);
    assert_int_equal(reply->element[1]->integer, 1);
    freeReplyObject(reply);
}

static void resp3_reply_is_a_map_with_a_boolean(void **state)
{
    test_server *test = *state;
    redisContext *raw = server_connect(test->server);
    assert_non_null(raw);
    static const char request[] = "HELLO 3\r\nHELLO.RATELIMIT resp3 3 10\r\n"
                                  "HELLO.RATELIMIT resp3 1 10\r\n";
    char buffer[8192];
    /* The second call is refused: 1 per 10 s after one request was made. */
    reply_raw_exchange(raw, request, buffer, sizeof(buffer), "#f\r\n$5\r\nlimit\r\n:1\r\n");
    redisFree(raw);
    const char *allowed = strstr(buffer, "%5\r\n$7\r\nallowed\r\n#t\r\n$5\r\nlimit\r\n:3\r\n"
                                         "$9\r\nremaining\r\n:2\r\n$14\r\nretry-after-ms\r\n:-1\r\n"
                                         "$14\r\nreset-after-ms\r\n:");
    assert_non_null(allowed);
    const char *refused = strstr(allowed + 1, "%5\r\n$7\r\nallowed\r\n#f\r\n");
    assert_non_null(refused);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(greet_uses_the_configured_greeting),
        cmocka_unit_test(ini_section_sets_the_default_period),
        cmocka_unit_test(command_line_overrides_the_ini),
        cmocka_unit_test(unknown_setting_stops_startup),
        cmocka_unit_test(burst_then_refusal),
        cmocka_unit_test(tokens_come_back_with_time),
        cmocka_unit_test(cost_counts_several_requests),
        cmocka_unit_test(bad_arguments_are_errors),
        cmocka_unit_test(wrong_types_are_refused_both_ways),
        cmocka_unit_test(restore_sets_the_state),
        cmocka_unit_test(copy_rename_and_delete_work_on_limiters),
        cmocka_unit_test(command_info_shows_flags_and_keys),
        cmocka_unit_test(resp2_reply_is_a_flat_array),
        cmocka_unit_test(resp3_reply_is_a_map_with_a_boolean),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
