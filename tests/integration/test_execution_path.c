/*
 * test_execution_path.c - everything the core runs on behalf of someone
 * (a client's command, a blocked client served by another's push or by a
 * timer's, a block's timeout, a module timer, a hook, the pipelined
 * requests of an unblocked client) goes through one execution path
 * (core/commands/context.c), so the append-only file must receive what
 * each of them propagated in the order it happened, and replaying the file
 * after kill -9 must rebuild the same dataset.
 *
 * The server runs persistence (appendonly yes, appendfsync always), the
 * data modules, expiry and hooktest.so (tests/modules): its lookup hook
 * deletes "hookdel:" keys and propagates a DEL, its timers push onto a
 * hookqueue, HOOKTEST.BPOP blocks on one.  The log is read back command by
 * command and compared whole.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "persistence_test_support.h"
#include "reply_checks.h"

typedef struct fixture {
    server_process *server;
    redisContext *context;
    redisContext *waiters[5];
} fixture;

static int setup(void **state)
{
    static char hooktest_path[4096];
    const char *binary_dir = getenv("DBLITE_BINARY_DIR");
    if (binary_dir == NULL || !module_available("lists"))
        return -1;
    snprintf(hooktest_path, sizeof(hooktest_path), "%s/test-modules/hooktest.so", binary_dir);
    const char *const extra[] = {"--persistence.appendonly",
                                 "yes",
                                 "--persistence.appendfsync",
                                 "always",
                                 "--load-module",
                                 hooktest_path,
                                 NULL};
    fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    *state = f;
    f->server = start_dblite(extra);
    if (f->server == NULL)
        return -1;
    f->context = server_connect(f->server);
    for (size_t i = 0; i < sizeof(f->waiters) / sizeof(f->waiters[0]); i++)
        if ((f->waiters[i] = server_connect(f->server)) == NULL)
            return -1;
    return f->context != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (f == NULL)
        return 0;
    if (f->context != NULL)
        redisFree(f->context);
    for (size_t i = 0; i < sizeof(f->waiters) / sizeof(f->waiters[0]); i++)
        if (f->waiters[i] != NULL)
            redisFree(f->waiters[i]);
    int status = server_stop(f->server);
    free(f);
    return status == 0 ? 0 : -1;
}

/* Polls INFO until field of section equals expected (up to 5 s). */
static void wait_for_info_number(redisContext *c, const char *section, const char *field,
                                 long long expected)
{
    long long deadline = now_milliseconds() + 5000;
    long long seen;
    while ((seen = reply_info_number(c, section, field)) != expected &&
           now_milliseconds() < deadline)
        sleep_milliseconds(5);
    if (seen != expected)
        fail_msg("INFO %s %s stayed %lld, expected %lld", section, field, seen, expected);
}

static void expect_popped(redisContext *waiter, const char *key, const char *item)
{
    redisReply *reply = reply_read(waiter);
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 2);
    assert_string_equal(reply->element[0]->str, key);
    assert_string_equal(reply->element[1]->str, item);
    freeReplyObject(reply);
}

static void expect_bulk_reply(redisContext *waiter, const char *item)
{
    redisReply *reply = reply_read(waiter);
    assert_int_equal(reply->type, REDIS_REPLY_STRING);
    assert_string_equal(reply->str, item);
    freeReplyObject(reply);
}

/* ---- The log, command by command ---------------------------------------- */

#define LOG_LINES_MAX 64

typedef struct log_lines {
    char line[LOG_LINES_MAX][320]; /* a db number and up to 255 bytes of arguments */
    size_t count;
} log_lines;

/* A decimal number ending in CRLF at *at; -1 when malformed. */
static long long read_number(const char *data, size_t length, size_t *at)
{
    long long value = 0;
    size_t start = *at;
    while (*at < length && data[*at] >= '0' && data[*at] <= '9')
        value = value * 10 + (data[(*at)++] - '0');
    if (*at == start || *at + 2 > length || data[*at] != '\r' || data[*at + 1] != '\n')
        return -1;
    *at += 2;
    return value;
}

/* The commands of the append-only file as "db arg arg..." lines, SELECT
 * folded into the db of the commands after it. */
static void read_log(fixture *f, log_lines *lines)
{
    char path[4096];
    size_t length;
    char *data =
        read_file(path_in(server_dir(f->server), "appendonly.aof", path, sizeof(path)), &length);
    assert_non_null(data);
    lines->count = 0;
    int db = 0;
    size_t at = 0;
    while (at < length) {
        if (data[at++] != '*')
            fail_msg("not a command at byte %zu of the log", at - 1);
        long long argc = read_number(data, length, &at);
        assert_true(argc > 0);
        char line[256];
        size_t used = 0;
        char first[32] = "";
        char second[32] = "";
        for (long long i = 0; i < argc; i++) {
            assert_true(at < length && data[at] == '$');
            at++;
            long long size = read_number(data, length, &at);
            assert_true(size >= 0 && at + (size_t)size + 2 <= length);
            if (i == 0)
                snprintf(first, sizeof(first), "%.*s", (int)size, data + at);
            if (i == 1)
                snprintf(second, sizeof(second), "%.*s", (int)size, data + at);
            if (used < sizeof(line))
                used += (size_t)snprintf(line + used, sizeof(line) - used, " %.*s", (int)size,
                                         data + at);
            at += (size_t)size + 2;
        }
        if (strcasecmp(first, "select") == 0) {
            db = atoi(second);
            continue;
        }
        assert_true(lines->count < LOG_LINES_MAX);
        snprintf(lines->line[lines->count++], sizeof(lines->line[0]), "%d%s", db, line);
    }
    free(data);
}

/* The log must be exactly expected; a line ending in '*' matches any line
 * starting with what comes before the '*', in any case (a command the
 * module rewrote, with a deadline in milliseconds). */
static void expect_log(fixture *f, const char *const *expected, size_t count)
{
    log_lines lines;
    read_log(f, &lines);
    for (size_t i = 0; i < lines.count || i < count; i++) {
        const char *want = i < count ? expected[i] : "(nothing)";
        const char *got = i < lines.count ? lines.line[i] : "(nothing)";
        size_t want_length = strlen(want);
        int matches = want_length > 0 && want[want_length - 1] == '*'
                          ? strncasecmp(want, got, want_length - 1) == 0
                          : strcmp(want, got) == 0;
        if (!matches) {
            for (size_t j = 0; j < lines.count; j++)
                fprintf(stderr, "log line %zu: %s\n", j, lines.line[j]);
            fail_msg("log line %zu is '%s', expected '%s'", i, got, want);
        }
    }
}

/* ---- The test ------------------------------------------------------------ */

static void every_path_reaches_the_log_in_order_and_replays(void **state)
{
    fixture *f = *state;
    redisContext *c = f->context;

    /* A hook: the lookup of a "hookdel:" key deletes it and propagates a
     * DEL from inside GET, which is not logged itself. */
    reply_expect_status(c, "OK", "set hookdel:a v");
    reply_expect_nil(c, "get hookdel:a");

    /* Blocked clients served by a push, one serving the next: BLMOVE's
     * move makes mid ready for the second waiter. */
    reply_send(f->waiters[0], "BLMOVE src mid LEFT RIGHT 0");
    reply_send(f->waiters[1], "BLMOVE mid dst LEFT RIGHT 0");
    wait_for_info_number(c, "clients", "blocked_clients", 2);
    reply_expect_integer(c, 2, "rpush src x y");
    expect_bulk_reply(f->waiters[0], "x");
    expect_bulk_reply(f->waiters[1], "x");

    /* A client blocked in db 3 with a request pipelined behind its BLPOP:
     * the request runs once the client layer takes the client back. */
    reply_send(f->waiters[2], "SELECT 3");
    reply_send(f->waiters[2], "BLPOP q3 0");
    reply_send(f->waiters[2], "rpush after-unblock z");
    wait_for_info_number(c, "clients", "blocked_clients", 1);
    reply_expect_status(c, "OK", "SELECT 3");
    reply_expect_integer(c, 1, "lpush q3 v");
    reply_expect_status(c, "OK", "SELECT 0");
    freeReplyObject(reply_read(f->waiters[2]));
    expect_popped(f->waiters[2], "q3", "v");
    redisReply *reply = reply_read(f->waiters[2]);
    assert_int_equal(reply->type, REDIS_REPLY_INTEGER);
    assert_int_equal(reply->integer, 1);
    freeReplyObject(reply);

    /* A timeout propagates nothing. */
    reply_send(f->waiters[3], "BLPOP never 0.05");
    reply = reply_read(f->waiters[3]);
    assert_int_equal(reply->type, REDIS_REPLY_NIL);
    freeReplyObject(reply);

    /* A module timer's writes: its first push serves a blocked client, its
     * second stays in the queue. */
    reply_send(f->waiters[4], "HOOKTEST.BPOP tq 10");
    wait_for_info_number(c, "clients", "blocked_clients", 1);
    freeReplyObject(reply_command(c, "HOOKTEST.TIMER feeder 20 2 tq"));
    expect_popped(f->waiters[4], "tq", "feeder");
    wait_for_info_number(c, "hooktest", "hooktest_live_timers", 0);

    /* Active expiry: expiry's own timer deletes the key nobody reads. */
    reply_expect_status(c, "OK", "set short v PX 30");
    wait_for_info_number(c, "stats", "expired_keys", 1);

    static const char *const expected[] = {
        "0 set hookdel:a v",
        "0 del hookdel:a",
        "0 rpush src x y",
        "0 LMOVE src mid LEFT RIGHT",
        "0 LMOVE mid dst LEFT RIGHT",
        "3 lpush q3 v",
        "3 LPOP q3",
        "3 rpush after-unblock z",
        "0 hooktest.push tq feeder",
        "0 hooktest.pop tq",
        "0 hooktest.push tq feeder",
        "0 set short v PXAT *",
        "0 DEL short",
    };
    expect_log(f, expected, sizeof(expected) / sizeof(expected[0]));

    char *before = dataset_describe(c);
    assert_non_null(before);
    server_kill(f->server);
    assert_non_null(server_restart(f->server));
    redisFree(f->context);
    c = f->context = server_connect(f->server);
    assert_non_null(c);
    char *after = dataset_describe(c);
    assert_non_null(after);
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* The hookqueue is "?" to dataset_describe: its content is checked here. */
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.RANGE tq", "feeder");
    REPLY_EXPECT_STRINGS(c, "LRANGE dst 0 -1", "x");
    REPLY_EXPECT_STRINGS(c, "LRANGE src 0 -1", "y");
    reply_expect_integer(c, 0, "EXISTS mid hookdel:a short");
    reply_expect_status(c, "OK", "SELECT 3");
    REPLY_EXPECT_STRINGS(c, "LRANGE after-unblock 0 -1", "z");
    reply_expect_integer(c, 0, "EXISTS q3");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_path_reaches_the_log_in_order_and_replays, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
