/*
 * test_hooks.c - every hook the core offers modules, proven end to end: the
 * real server loads strings.so plus the test module hooktest.so (and
 * hookpeer.so for services), and the tests drive it over loopback with
 * hiredis, reading back what the hooks saw through HOOKTEST.* and INFO.
 *
 * Covered: keyspace events (and key calls plus propagation from inside the
 * lookup hook, as expiry does), write propagation (replace, extra, db index,
 * what is not propagated), timers, services between two modules, module
 * settings from ini / command line / CONFIG, blocking on keys (FIFO,
 * signal, timeouts, disconnects), loading progress, a custom type with
 * WRONGTYPE, TYPE and COPY, INFO extensions and keyspace figures, and the
 * STARTED / BEFORE_SLEEP / BEFORE_COUNT / SHUTDOWN events.
 * Each test gets its own server; teardown requires a clean exit status,
 * so a leak or crash at shutdown (sanitizer builds) fails the test.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hooks_support.h"
#include "reply_checks.h"

#define WRONGTYPE_TEXT "WRONGTYPE Operation against a key holding the wrong kind of value"
#define MAX_CLIENTS 4

typedef struct fixture {
    server_process *server;
    redisContext *clients[MAX_CLIENTS]; /* clients[0] is the main one */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    *state = f;
    return f != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (f->clients[i] != NULL)
            redisFree(f->clients[i]);
    int status = f->server != NULL ? server_stop(f->server) : 0;
    free(f);
    if (status != 0)
        fprintf(stderr, "server exit status %d (expected a clean 0)\n", status);
    return status == 0 ? 0 : -1;
}

static const char *const hooktest_only[] = {"hooktest", NULL};

/* Starts the server with modules and opens `clients` connections. */
static redisContext *start(fixture *f, const char *config, const char *const *modules,
                           const char *const *extra, int clients)
{
    f->server = start_with_modules(config, modules, extra);
    assert_non_null(f->server);
    for (int i = 0; i < clients; i++) {
        f->clients[i] = server_connect(f->server);
        assert_non_null(f->clients[i]);
    }
    return f->clients[0];
}

static redisContext *start_default(fixture *f, int clients)
{
    return start(f, "minimal.ini", hooktest_only, NULL, clients);
}

static void expect_popped(redisContext *waiter, const char *key, const char *value)
{
    redisReply *reply = reply_read(waiter);
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2)
        fail_msg("blocked client got type %d (%s), expected [%s, %s]", reply->type,
                 reply->str ? reply->str : "", key, value);
    assert_string_equal(reply->element[0]->str, key);
    assert_string_equal(reply->element[1]->str, value);
    freeReplyObject(reply);
}

/* ---- keyspace events ---------------------------------------------------- */

static void events_of_core_key_commands(void **state)
{
    redisContext *c = start_default(*state, 1);
    reply_expect_status(c, "OK", "CONFIG SET hooktest.log-lookups no");
    REPLY_EXPECT_EMPTY(c, "HOOKTEST.EVENTS");

    reply_expect_status(c, "OK", "SET a 1");
    REPLY_EXPECT_EMPTY(c, "HOOKTEST.EVENTS");
    reply_expect_status(c, "OK", "SET a 2");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.EVENTS", "overwritten 0 a");

    reply_expect_status(c, "OK", "RENAME a b");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.EVENTS", "renamed 0 a 0 b");
    reply_expect_status(c, "OK", "SET c 1");
    reply_expect_status(c, "OK", "RENAME b c");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.EVENTS", "deleted 0 c", "renamed 0 b 0 c");

    reply_expect_integer(c, 1, "MOVE c 3");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.EVENTS", "moved 0 c 3");

    reply_expect_status(c, "OK", "SELECT 3");
    reply_expect_integer(c, 1, "COPY c d DB 2");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.EVENTS", "copied 3 c 2 d");
    reply_expect_integer(c, 1, "COPY c d DB 2 REPLACE");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.EVENTS", "deleted 2 d", "copied 3 c 2 d");

    reply_expect_integer(c, 1, "DEL c");
    reply_expect_integer(c, 0, "DEL c");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.EVENTS", "deleted 3 c");

    reply_expect_status(c, "OK", "SET e 1");
    reply_expect_status(c, "OK", "FLUSHDB");
    reply_expect_status(c, "OK", "FLUSHALL");
    reply_expect_status(c, "OK", "SWAPDB 0 1");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.EVENTS", "flushed 3", "flushed -1", "swapped 0 1");
    reply_expect_integer(c, 0, "DBSIZE");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.EVENTS", "count 3");

    /* Every handler ran with the event's database selected in its context. */
    assert_int_equal(reply_info_number(c, "hooktest", "hooktest_event_context_mismatches"), 0);
}

static void lookup_events_follow_the_setting(void **state)
{
    redisContext *c = start_default(*state, 1);
    REPLY_EXPECT_EMPTY(c, "HOOKTEST.EVENTS");
    reply_expect_nil(c, "GET x");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.EVENTS", "lookup 0 x");
    reply_expect_status(c, "OK", "SELECT 5");
    reply_expect_integer(c, 0, "EXISTS y z");
    reply_expect_status(c, "none", "TYPE w");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.EVENTS", "lookup 5 y", "lookup 5 z", "lookup 5 w");
    reply_expect_integer(c, 1, "HOOKTEST.PUSH q v");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.EVENTS", "lookup 5 q");

    reply_expect_status(c, "OK", "CONFIG SET hooktest.log-lookups no");
    reply_expect_nil(c, "GET x");
    REPLY_EXPECT_EMPTY(c, "HOOKTEST.EVENTS");
    reply_expect_status(c, "OK", "CONFIG SET hooktest.log-lookups yes");
    reply_expect_nil(c, "GET x");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.EVENTS", "lookup 5 x");
    assert_int_equal(reply_info_number(c, "hooktest", "hooktest_event_context_mismatches"), 0);
}

static void module_type_overwritten_and_deleted(void **state)
{
    redisContext *c = start_default(*state, 1);
    reply_expect_status(c, "OK", "CONFIG SET hooktest.log-lookups no");
    reply_expect_integer(c, 2, "HOOKTEST.PUSH q a b");
    reply_expect_status(c, "OK", "SET q text"); /* the queue's free method runs */
    reply_expect_status(c, "string", "TYPE q");
    reply_expect_integer(c, 1, "HOOKTEST.PUSH r a");
    reply_expect_integer(c, 1, "DEL r");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.EVENTS", "overwritten 0 q", "deleted 0 r");
}

static void lookup_without_hook(void **state)
{
    redisContext *c = start_default(*state, 1);
    reply_expect_integer(c, 2, "HOOKTEST.PUSH q a b");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.EVENTS", "lookup 0 q");
    reply_expect_integer(c, 2, "HOOKTEST.LEN q");
    REPLY_EXPECT_EMPTY(c, "HOOKTEST.EVENTS");
}

/* The lookup hook deletes "hookdel:" keys and propagates a DEL, as expiry
 * does with dead keys: the reader sees no key, and the DEL goes out before
 * the command (even a read) in the database the hook ran in. */
static void lookup_hook_deletes_and_propagates(void **state)
{
    redisContext *c = start_default(*state, 1);
    reply_expect_status(c, "OK", "CONFIG SET hooktest.log-lookups no");
    reply_expect_status(c, "OK", "set hookdel:a v");
    reply_expect_nil(c, "get hookdel:a");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.EVENTS", "deleted 0 hookdel:a");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.PROPAGATED", "0 set hookdel:a v", "0 del hookdel:a");

    /* COPY looks the destination up in the target database: the hook's DEL
     * belongs to that database, not to the client's. */
    reply_expect_status(c, "OK", "select 3");
    reply_expect_status(c, "OK", "set hookdel:c in-3");
    reply_expect_status(c, "OK", "select 0");
    reply_expect_status(c, "OK", "set hookdel:c in-0");
    reply_expect_status(c, "OK", "set plain x");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.PROPAGATED", "3 set hookdel:c in-3", "0 set hookdel:c in-0",
                         "0 set plain x");
    reply_expect_integer(c, 1, "copy plain hookdel:c db 3");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.PROPAGATED", "3 del hookdel:c",
                         "0 copy plain hookdel:c db 3");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.EVENTS", "deleted 3 hookdel:c", "copied 0 plain 3 hookdel:c");
}

/* ---- write propagation ------------------------------------------------- */

static void propagation_of_writes_only(void **state)
{
    redisContext *c = start_default(*state, 1);
    REPLY_EXPECT_EMPTY(c, "HOOKTEST.PROPAGATED");

    reply_expect_status(c, "OK", "set k v");
    reply_expect_bulk(c, "v", "get k");
    reply_expect_error(c, "ERR value is not an integer or out of range", "incr k");
    reply_expect_error(c, "ERR hooktest.failwrite always fails", "hooktest.failwrite k");
    reply_expect_integer(c, 0, "del nosuchkey");
    reply_expect_status(c, "OK", "select 4");
    reply_expect_status(c, "OK", "set k2 v2");
    reply_expect_integer(c, 1, "incr counter");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.PROPAGATED", "0 set k v", "4 set k2 v2", "4 incr counter");
}

static void propagation_replace_and_extra(void **state)
{
    redisContext *c = start_default(*state, 1);
    reply_expect_status(c, "OK", "select 7");
    reply_expect_integer(c, 1, "hooktest.pushrewrite q x");
    reply_expect_integer(c, 1, "hooktest.pushrewrite q y");
    /* A read-only command's extra goes out even though the command does not. */
    reply_expect_status(c, "OK", "hooktest.note hello world");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.PROPAGATED", "7 hooktest.note before-push q",
                         "7 hooktest.push q x", "7 hooktest.note before-push q",
                         "7 hooktest.push q y", "7 hooktest.note hello world");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.RANGE q", "x", "y");
}

static void propagation_of_served_blocked_client(void **state)
{
    fixture *f = *state;
    redisContext *c = start_default(f, 2);
    redisContext *waiter = f->clients[1];
    REPLY_EXPECT_EMPTY(c, "HOOKTEST.PROPAGATED");
    reply_send(waiter, "hooktest.bpop q 0");
    assert_true(wait_for_info(c, "clients", "blocked_clients", 1, 5000));
    reply_expect_integer(c, 1, "hooktest.push q v");
    expect_popped(waiter, "q", "v");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.PROPAGATED", "0 hooktest.push q v", "0 hooktest.pop q");

    /* Popping at once (no blocking) is propagated as the same pop. */
    reply_expect_integer(c, 1, "hooktest.push q w");
    REPLY_EXPECT_STRINGS(waiter, "hooktest.bpop q 0", "q", "w");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.PROPAGATED", "0 hooktest.push q w", "0 hooktest.pop q");
}

/* ---- timers ------------------------------------------------------------ */

/* Collects HOOKTEST.FIRED lines until `count` arrived or timeout_ms passed. */
static size_t collect_fired(redisContext *c, char lines[][64], size_t count, int timeout_ms)
{
    size_t got = 0;
    long long deadline = now_ms() + timeout_ms;
    while (got < count && now_ms() < deadline) {
        redisReply *reply = reply_command(c, "HOOKTEST.FIRED");
        assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
        for (size_t i = 0; i < reply->elements && got < count; i++)
            snprintf(lines[got++], 64, "%s", reply->element[i]->str);
        freeReplyObject(reply);
        if (got < count)
            sleep_ms(5);
    }
    return got;
}

static void repeating_timer_runs_exactly_its_count(void **state)
{
    redisContext *c = start_default(*state, 1);
    long long started = now_ms();
    redisReply *reply = reply_command(c, "HOOKTEST.TIMER rep 40 3");
    assert_int_equal(reply->type, REDIS_REPLY_INTEGER);
    assert_true(reply->integer > 0);
    freeReplyObject(reply);
    char lines[4][64];
    assert_int_equal(collect_fired(c, lines, 3, 5000), 3);
    long long elapsed = now_ms() - started;
    assert_string_equal(lines[0], "rep:1");
    assert_string_equal(lines[1], "rep:2");
    assert_string_equal(lines[2], "rep:3");
    assert_true(elapsed >= 110); /* three runs 40 ms apart, the first after 40 ms */
    sleep_ms(200);
    REPLY_EXPECT_EMPTY(c, "HOOKTEST.FIRED");
    assert_int_equal(reply_info_number(c, "hooktest", "hooktest_live_timers"), 0);
}

static void cancelled_timer_never_runs(void **state)
{
    redisContext *c = start_default(*state, 1);
    long long id = reply_integer(c, "HOOKTEST.TIMER late 300 1");
    long long other = reply_integer(c, "HOOKTEST.TIMER other 300 1");
    assert_int_not_equal(id, other);
    reply_expect_integer(c, 1, "HOOKTEST.TIMER.CANCEL %lld", id);
    reply_expect_integer(c, 0, "HOOKTEST.TIMER.CANCEL %lld", id);
    reply_expect_integer(c, 0, "HOOKTEST.TIMER.CANCEL 987654321");
    char lines[2][64];
    assert_int_equal(collect_fired(c, lines, 1, 5000), 1);
    assert_string_equal(lines[0], "other:1");
    sleep_ms(100);
    REPLY_EXPECT_EMPTY(c, "HOOKTEST.FIRED");
    /* A finished timer is gone too. */
    reply_expect_integer(c, 0, "HOOKTEST.TIMER.CANCEL %lld", other);
}

static void repeating_timer_cancelled_between_runs(void **state)
{
    redisContext *c = start_default(*state, 1);
    long long id = reply_integer(c, "HOOKTEST.TIMER r 30 100000");
    char lines[2][64];
    assert_int_equal(collect_fired(c, lines, 2, 5000), 2);
    reply_expect_integer(c, 1, "HOOKTEST.TIMER.CANCEL %lld", id);
    freeReplyObject(
        reply_command(c, "HOOKTEST.FIRED")); /* a run may have slipped in before the cancel */
    sleep_ms(150);
    REPLY_EXPECT_EMPTY(c, "HOOKTEST.FIRED");
    assert_int_equal(reply_info_number(c, "hooktest", "hooktest_live_timers"), 0);
}

static void timer_cancelling_itself(void **state)
{
    redisContext *c = start_default(*state, 1);
    freeReplyObject(reply_command(c, "HOOKTEST.TIMER self 10 5 SELFCANCEL"));
    char lines[2][64];
    assert_int_equal(collect_fired(c, lines, 2, 5000), 2);
    assert_string_equal(lines[0], "self:1");
    assert_string_equal(lines[1], "self:selfcancel:0");
    sleep_ms(100);
    REPLY_EXPECT_EMPTY(c, "HOOKTEST.FIRED");
    reply_expect_status(c, "PONG", "PING");
}

static void timer_writes_propagate_and_wake_blocked_clients(void **state)
{
    fixture *f = *state;
    redisContext *c = start_default(f, 2);
    redisContext *waiter = f->clients[1];
    reply_send(waiter, "HOOKTEST.BPOP tq 10");
    assert_true(wait_for_info(c, "clients", "blocked_clients", 1, 5000));
    REPLY_EXPECT_EMPTY(c, "HOOKTEST.PROPAGATED");
    freeReplyObject(reply_command(c, "HOOKTEST.TIMER feeder 20 1 tq"));
    redisReply *reply = reply_read(waiter);
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 2);
    assert_string_equal(reply->element[0]->str, "tq");
    assert_string_equal(reply->element[1]->str, "feeder");
    freeReplyObject(reply);
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.PROPAGATED", "0 hooktest.push tq feeder",
                         "0 hooktest.pop tq");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.FIRED", "feeder:1");
}

/* ---- services ---------------------------------------------------------- */

static void service_called_across_modules(void **state)
{
    static const char *const peer_first[] = {"hookpeer", "hooktest", NULL};
    redisContext *c = start(*state, "minimal.ini", peer_first, NULL, 1);
    /* Loaded before hooktest: not there at init, there once STARTED fired. */
    redisReply *reply = reply_command(c, "HOOKPEER.REPORT");
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 3);
    assert_int_equal(reply->element[0]->integer, 0);
    assert_int_equal(reply->element[1]->integer, 1);
    assert_int_equal(reply->element[2]->integer, 1); /* a missing service is NULL */
    freeReplyObject(reply);
    reply_expect_integer(c, 5, "HOOKPEER.ADD 5");
    reply_expect_integer(c, 3, "HOOKPEER.ADD -2");
    assert_int_equal(reply_info_number(c, "hooktest", "hooktest_counter"), 3);
}

static void service_seen_at_init_when_loaded_after(void **state)
{
    static const char *const peer_last[] = {"hooktest", "hookpeer", NULL};
    redisContext *c = start(*state, "minimal.ini", peer_last, NULL, 1);
    redisReply *reply = reply_command(c, "HOOKPEER.REPORT");
    assert_int_equal(reply->element[0]->integer, 1);
    assert_int_equal(reply->element[1]->integer, 1);
    freeReplyObject(reply);
    reply_expect_integer(c, 1, "HOOKPEER.ADD 1");
}

static void service_missing_is_null(void **state)
{
    static const char *const peer_alone[] = {"hookpeer", NULL};
    redisContext *c = start(*state, "minimal.ini", peer_alone, NULL, 1);
    redisReply *reply = reply_command(c, "HOOKPEER.REPORT");
    assert_int_equal(reply->element[0]->integer, 0);
    assert_int_equal(reply->element[1]->integer, 0);
    assert_int_equal(reply->element[2]->integer, 1);
    freeReplyObject(reply);
    reply_expect_error(c, "ERR service hooktest.counter/1 is not exported by any module",
                       "HOOKPEER.ADD 1");
}

/* ---- module settings --------------------------------------------------- */

#define SETTING_COUNT 7

static void expect_settings(redisContext *c, const char *int_setting, const char *fixed_int,
                            const char *log_lookups, const char *greeting, const char *mode,
                            const char *label, const char *keyspace_info)
{
    const char *expected[2 * SETTING_COUNT] = {
        "int-setting", int_setting, "fixed-int",     fixed_int,    "log-lookups",
        log_lookups,   "greeting",  greeting,        "mode",       mode,
        "label",       label,       "keyspace-info", keyspace_info};
    reply_expect_strings(c, expected, 2 * SETTING_COUNT, "HOOKTEST.CONFIG");
    /* CONFIG GET shows the same values under the module's prefix. */
    redisReply *reply = reply_command(c, "CONFIG GET hooktest.*");
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 2 * SETTING_COUNT);
    for (size_t i = 0; i < 2 * SETTING_COUNT; i += 2) {
        const char *name = reply->element[i]->str;
        assert_true(strncmp(name, "hooktest.", 9) == 0);
        size_t k;
        for (k = 0; k < 2 * SETTING_COUNT && strcmp(expected[k], name + 9) != 0; k += 2) {
        }
        assert_true(k < 2 * SETTING_COUNT);
        assert_string_equal(reply->element[i + 1]->str, expected[k + 1]);
    }
    freeReplyObject(reply);
}

static void settings_defaults(void **state)
{
    redisContext *c = start_default(*state, 1);
    expect_settings(c, "10", "5", "yes", "hello", "safe", "none", "no");
}

static void settings_from_ini_section(void **state)
{
    char config[4096];
    test_config_file(config, sizeof(config), "hooktest_settings.ini");
    redisContext *c = start(*state, config, hooktest_only, NULL, 1);
    expect_settings(c, "42", "-7", "no", "hi from ini", "paranoid", "ini-label", "no");
}

static void settings_command_line_overrides_ini(void **state)
{
    char config[4096];
    test_config_file(config, sizeof(config), "hooktest_settings.ini");
    static const char *const extra[] = {"--hooktest.int-setting",
                                        "77",
                                        "--hooktest.greeting",
                                        "two",
                                        "words",
                                        "--hooktest.mode",
                                        "FAST",
                                        "--hooktest.label",
                                        "cli-label",
                                        "--hooktest.keyspace-info",
                                        "yes",
                                        NULL};
    redisContext *c = start(*state, config, hooktest_only, extra, 1);
    expect_settings(c, "77", "-7", "no", "two words", "fast", "cli-label", "yes");
}

static void settings_changed_with_config_set(void **state)
{
    redisContext *c = start_default(*state, 1);
    reply_expect_status(c, "OK", "CONFIG SET hooktest.int-setting 99");
    reply_expect_status(c, "OK", "CONFIG SET hooktest.greeting %s", "changed at runtime");
    reply_expect_status(c, "OK", "CONFIG SET hooktest.mode paranoid hooktest.log-lookups no");
    expect_settings(c, "99", "5", "no", "changed at runtime", "paranoid", "none", "no");

    reply_expect_error(
        c,
        "ERR CONFIG SET failed (possibly related to argument 'hooktest.int-setting') - "
        "argument must be between 0 and 1000 inclusive",
        "CONFIG SET hooktest.int-setting 1001");
    reply_expect_error(
        c,
        "ERR CONFIG SET failed (possibly related to argument 'hooktest.int-setting') - "
        "argument couldn't be parsed into an integer",
        "CONFIG SET hooktest.int-setting abc");
    reply_expect_error(c,
                       "ERR CONFIG SET failed (possibly related to argument 'hooktest.mode') - "
                       "argument(s) must be one of the following: fast safe paranoid",
                       "CONFIG SET hooktest.mode reckless");
    reply_expect_error(
        c,
        "ERR CONFIG SET failed (possibly related to argument 'hooktest.log-lookups') - "
        "argument must be 'yes' or 'no'",
        "CONFIG SET hooktest.log-lookups maybe");
    reply_expect_error(
        c,
        "ERR CONFIG SET failed (possibly related to argument 'hooktest.fixed-int') - "
        "can't set immutable config",
        "CONFIG SET hooktest.fixed-int 1");
    reply_expect_error(c,
                       "ERR CONFIG SET failed (possibly related to argument 'hooktest.label') - "
                       "can't set immutable config",
                       "CONFIG SET hooktest.label other");
    /* One refused pair means nothing changes. */
    reply_expect_error(
        c,
        "ERR CONFIG SET failed (possibly related to argument 'hooktest.fixed-int') - "
        "can't set immutable config",
        "CONFIG SET hooktest.int-setting 1 hooktest.fixed-int 1");
    reply_expect_error(
        c, "ERR Unknown option or number of arguments for CONFIG SET - 'hooktest.nosuch'",
        "CONFIG SET hooktest.nosuch 1");
    expect_settings(c, "99", "5", "no", "changed at runtime", "paranoid", "none", "no");
}

/* ---- custom type ------------------------------------------------------- */

static void custom_type_enforced_against_strings(void **state)
{
    redisContext *c = start_default(*state, 1);
    reply_expect_integer(c, 2, "HOOKTEST.PUSH q a b");
    reply_expect_status(c, "hookqueue", "TYPE q");
    /* Methods of API version 1 have no encoding method: Redis's answer for
     * module types. */
    reply_expect_bulk(c, "raw", "OBJECT ENCODING q");
    reply_expect_error(c, WRONGTYPE_TEXT, "GET q");
    reply_expect_error(c, WRONGTYPE_TEXT, "APPEND q x");
    reply_expect_error(c, WRONGTYPE_TEXT, "INCR q");
    reply_expect_error(c, WRONGTYPE_TEXT, "STRLEN q");
    reply_expect_status(c, "OK", "SET s v");
    reply_expect_error(c, WRONGTYPE_TEXT, "HOOKTEST.PUSH s x");
    reply_expect_error(c, WRONGTYPE_TEXT, "HOOKTEST.BPOP s 0");
    reply_expect_bulk(c, "v", "GET s");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.RANGE q", "a", "b");
    redisReply *reply = reply_command(c, "SCAN 0 TYPE hookqueue COUNT 100");
    assert_int_equal(reply->element[1]->elements, 1);
    assert_string_equal(reply->element[1]->element[0]->str, "q");
    freeReplyObject(reply);
}

static void copy_uses_the_type_copy_method(void **state)
{
    redisContext *c = start_default(*state, 1);
    reply_expect_integer(c, 2, "HOOKTEST.PUSH q a b");
    reply_expect_integer(c, 1, "COPY q q2");
    assert_int_equal(reply_info_number(c, "hooktest", "hooktest_copies"), 1);
    reply_expect_integer(c, 3, "HOOKTEST.PUSH q2 c");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.RANGE q", "a", "b");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.RANGE q2", "a", "b", "c");
    reply_expect_integer(c, 1, "COPY q2 q3 DB 1");
    reply_expect_integer(c, 0, "COPY q q2");
    reply_expect_integer(c, 1, "COPY q q2 REPLACE");
    assert_int_equal(reply_info_number(c, "hooktest", "hooktest_copies"), 3);
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.RANGE q2", "a", "b");
    reply_expect_status(c, "OK", "SELECT 1");
    reply_expect_status(c, "hookqueue", "TYPE q3");
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.RANGE q3", "a", "b", "c");
}

/* ---- blocking on keys -------------------------------------------------- */

static void blocked_clients_served_in_fifo_order(void **state)
{
    fixture *f = *state;
    redisContext *c = start_default(f, 3);
    redisContext *first = f->clients[1], *second = f->clients[2];
    reply_send(first, "HOOKTEST.BPOP q 0");
    assert_true(wait_for_info(c, "clients", "blocked_clients", 1, 5000));
    reply_send(second, "HOOKTEST.BPOP other q 0");
    assert_true(wait_for_info(c, "clients", "blocked_clients", 2, 5000));
    reply_expect_integer(c, 1, "HOOKTEST.PUSH q x1");
    expect_popped(first, "q", "x1");
    assert_false(reply_arrives_within(second, 100));
    reply_expect_integer(c, 1, "HOOKTEST.PUSH q x2");
    expect_popped(second, "q", "x2");

    /* Two items at once serve both waiters, oldest first. */
    reply_send(second, "HOOKTEST.BPOP q 0");
    assert_true(wait_for_info(c, "clients", "blocked_clients", 1, 5000));
    reply_send(first, "HOOKTEST.BPOP q 0");
    assert_true(wait_for_info(c, "clients", "blocked_clients", 2, 5000));
    reply_expect_integer(c, 2, "HOOKTEST.PUSH q y1 y2");
    expect_popped(second, "q", "y1");
    expect_popped(first, "q", "y2");
    assert_int_equal(reply_info_number(c, "hooktest", "hooktest_served"), 4);
    assert_int_equal(reply_info_number(c, "hooktest", "hooktest_blocks"), 4);
    assert_int_equal(reply_info_number(c, "hooktest", "hooktest_block_frees"), 4);
}

static void signal_ready_wakes_and_spurious_signals_do_not(void **state)
{
    fixture *f = *state;
    redisContext *c = start_default(f, 2);
    redisContext *waiter = f->clients[1];
    reply_expect_integer(c, 1, "HOOKTEST.PUSH q seed");
    reply_expect_bulk(c, "seed", "HOOKTEST.POP q"); /* q stays, empty */
    reply_send(waiter, "HOOKTEST.BPOP q 0");
    assert_true(wait_for_info(c, "clients", "blocked_clients", 1, 5000));
    reply_expect_status(c, "OK", "HOOKTEST.SIGNAL q"); /* ready but empty: keeps waiting */
    reply_expect_integer(c, 1, "HOOKTEST.PUSHQUIET q quiet");
    assert_false(reply_arrives_within(waiter, 150));
    assert_int_equal(reply_info_number(c, "clients", "blocked_clients"), 1);
    reply_expect_status(c, "OK", "HOOKTEST.SIGNAL q");
    expect_popped(waiter, "q", "quiet");
}

static void blocked_client_times_out_after_fractional_timeout(void **state)
{
    fixture *f = *state;
    redisContext *c = start_default(f, 1);
    long long started = now_ms();
    redisReply *reply = reply_command(c, "HOOKTEST.BPOP nothing 0.25");
    long long elapsed = now_ms() - started;
    assert_int_equal(reply->type, REDIS_REPLY_NIL); /* RESP2 null array */
    freeReplyObject(reply);
    assert_true(elapsed >= 240);
    assert_true(elapsed < 3000);
    assert_int_equal(reply_info_number(c, "hooktest", "hooktest_timeouts"), 1);
    assert_int_equal(reply_info_number(c, "hooktest", "hooktest_block_frees"), 1);
    assert_int_equal(reply_info_number(c, "clients", "blocked_clients"), 0);
    reply_expect_error(c, "ERR timeout is negative", "HOOKTEST.BPOP q -1");
    reply_expect_error(c, "ERR timeout is not a float or out of range", "HOOKTEST.BPOP q soon");
}

static void disconnected_waiter_does_not_swallow_the_next_serve(void **state)
{
    fixture *f = *state;
    redisContext *c = start_default(f, 3);
    reply_send(f->clients[1], "HOOKTEST.BPOP q 0");
    assert_true(wait_for_info(c, "clients", "blocked_clients", 1, 5000));
    redisFree(f->clients[1]);
    f->clients[1] = NULL;
    assert_true(wait_for_info(c, "clients", "blocked_clients", 0, 5000));
    reply_send(f->clients[2], "HOOKTEST.BPOP q 0");
    assert_true(wait_for_info(c, "clients", "blocked_clients", 1, 5000));
    reply_expect_integer(c, 1, "HOOKTEST.PUSH q v");
    expect_popped(f->clients[2], "q", "v");
    REPLY_EXPECT_EMPTY(c, "HOOKTEST.RANGE q");
    assert_int_equal(reply_info_number(c, "hooktest", "hooktest_block_frees"), 2);
}

/* The close of a blocked client and a write that serves its key arrive in
 * the same event-loop turn (the server is held busy meanwhile): the item
 * must go to the live waiter, not to the one that is gone. */
static void disconnect_and_serve_in_one_loop_turn(void **state)
{
    fixture *f = *state;
    redisContext *c = start_default(f, 4);
    redisContext *gone = f->clients[1], *live = f->clients[2], *pusher = f->clients[3];
    reply_send(gone, "HOOKTEST.BPOP q 0");
    assert_true(wait_for_info(c, "clients", "blocked_clients", 1, 5000));
    reply_send(live, "HOOKTEST.BPOP q 0");
    assert_true(wait_for_info(c, "clients", "blocked_clients", 2, 5000));
    reply_send(c, "HOOKTEST.SLEEP 300");
    sleep_ms(50); /* the server is now inside the sleep */
    redisFree(gone);
    f->clients[1] = NULL;
    reply_send(pusher, "HOOKTEST.PUSH q v");
    redisReply *reply = reply_read(c);
    assert_int_equal(reply->type, REDIS_REPLY_STATUS);
    freeReplyObject(reply);
    reply = reply_read(pusher);
    assert_int_equal(reply->integer, 1);
    freeReplyObject(reply);
    expect_popped(live, "q", "v");
    assert_true(wait_for_info(c, "clients", "blocked_clients", 0, 5000));
}

static void waiting_on_a_string_key_served_by_set(void **state)
{
    fixture *f = *state;
    redisContext *c = start_default(f, 3);
    reply_send(f->clients[1], "HOOKTEST.WAITKEY sk 0");
    reply_send(f->clients[2], "HOOKTEST.WAITKEY qk 5");
    assert_true(wait_for_info(c, "clients", "blocked_clients", 2, 5000));
    reply_expect_status(c, "OK", "SET sk value");
    redisReply *reply = reply_read(f->clients[1]);
    assert_int_equal(reply->type, REDIS_REPLY_STRING);
    assert_string_equal(reply->str, "string");
    freeReplyObject(reply);
    reply_expect_integer(c, 1, "HOOKTEST.PUSH qk item");
    reply = reply_read(f->clients[2]);
    assert_string_equal(reply->str, "hookqueue");
    freeReplyObject(reply);
    reply_expect_bulk(c, "string", "HOOKTEST.WAITKEY sk 1"); /* exists: no blocking */
}

static void waiters_in_other_databases_are_not_served(void **state)
{
    fixture *f = *state;
    redisContext *c = start_default(f, 2);
    redisContext *waiter = f->clients[1];
    reply_expect_status(waiter, "OK", "SELECT 2");
    reply_send(waiter, "HOOKTEST.BPOP q 0");
    reply_send(waiter, "PING"); /* pipelined behind the blocked command */
    assert_true(wait_for_info(c, "clients", "blocked_clients", 1, 5000));
    reply_expect_integer(c, 1, "HOOKTEST.PUSH q in-db-0");
    assert_false(reply_arrives_within(waiter, 100));
    reply_expect_status(c, "OK", "SELECT 2");
    reply_expect_integer(c, 1, "HOOKTEST.PUSH q in-db-2");
    expect_popped(waiter, "q", "in-db-2");
    redisReply *reply = reply_read(waiter);
    assert_string_equal(reply->str, "PONG");
    freeReplyObject(reply);
}

/* ---- loading progress -------------------------------------------------- */

static void loading_answers_other_clients(void **state)
{
    fixture *f = *state;
    redisContext *c = start_default(f, 2);
    redisContext *loader = f->clients[1];
    reply_expect_status(c, "OK", "SET k v");
    long long started = now_ms();
    reply_send(loader, "HOOKTEST.LOAD 1000 1000000");
    sleep_ms(250);
    reply_expect_error(c, "LOADING Redis is loading the dataset in memory", "GET k");
    reply_expect_status(c, "PONG", "PING");
    char *text = reply_info_text(c, "persistence");
    assert_non_null(strstr(text, "loading:1\r\n"));
    assert_non_null(strstr(text, "loading_total_bytes:1000000\r\n"));
    free(text);
    long long percent_seen = reply_info_number(c, "persistence", "loading_loaded_perc");
    assert_true(percent_seen >= 1 && percent_seen < 100);

    redisReply *reply = reply_read(loader);
    assert_int_equal(reply->type, REDIS_REPLY_INTEGER);
    assert_true(reply->integer > 10);
    freeReplyObject(reply);
    assert_true(now_ms() - started >= 1000);
    reply_expect_bulk(c, "v", "GET k");
    assert_int_equal(reply_info_number(c, "persistence", "loading"), 0);
}

/* The loading client sends its next command while its load still runs:
 * the server keeps serving sockets from inside the load, but must not run
 * (or re-run) that client's requests before the load has returned. */
static void command_sent_during_own_load_runs_after_it(void **state)
{
    fixture *f = *state;
    redisContext *c = start_default(f, 1);
    reply_send(c, "HOOKTEST.LOAD 600 100");
    sleep_ms(200);
    reply_send(c, "HOOKTEST.PUSH sent-during-load after");
    redisReply *reply = reply_read(c);
    assert_int_equal(reply->type, REDIS_REPLY_INTEGER);
    freeReplyObject(reply);
    reply = reply_read(c);
    assert_int_equal(reply->type, REDIS_REPLY_INTEGER);
    assert_int_equal(reply->integer, 1);
    freeReplyObject(reply);
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.RANGE sent-during-load", "after");
    reply_expect_status(c, "PONG", "PING");
}

/* ---- INFO and lifecycle events ----------------------------------------- */

static void info_section_and_stats_extension(void **state)
{
    redisContext *c = start_default(*state, 1);
    char *text = reply_info_text(c, "hooktest");
    assert_true(strncmp(text, "# Hooktest\r\n", 12) == 0);
    assert_non_null(strstr(text, "\r\nhooktest_started_events:1\r\n"));
    assert_null(strstr(text, "# Server"));
    free(text);

    long long first = reply_info_number(c, "stats", "hooktest_stats_calls");
    long long second = reply_info_number(c, "stats", "hooktest_stats_calls");
    assert_int_equal(second, first + 1);
    text = reply_info_text(c, "stats");
    assert_non_null(strstr(text, "# Stats\r\n"));
    assert_non_null(strstr(text, "total_commands_processed:"));
    assert_null(strstr(text, "# Hooktest"));
    free(text);

    text = reply_info_text(c, "default");
    assert_non_null(strstr(text, "\r\n# Hooktest\r\n"));
    assert_non_null(strstr(text, "hooktest_stats_calls:"));
    free(text);
    text = reply_info_text(c, "server");
    assert_null(strstr(text, "hooktest_"));
    free(text);

    long long sleeps = reply_info_number(c, "hooktest", "hooktest_before_sleep_calls");
    reply_expect_status(c, "PONG", "PING");
    assert_true(reply_info_number(c, "hooktest", "hooktest_before_sleep_calls") > sleeps);
}

static void keyspace_figures_from_a_module(void **state)
{
    static const char *const extra[] = {"--hooktest.keyspace-info", "yes", NULL};
    redisContext *c = start(*state, "minimal.ini", hooktest_only, extra, 1);
    assert_int_equal(reply_info_number(c, "hooktest", "hooktest_keyspace_provider"), 1);
    reply_expect_status(c, "OK", "SELECT 3");
    reply_expect_status(c, "OK", "SET k v");
    REPLY_EXPECT_EMPTY(c, "HOOKTEST.EVENTS");
    char *text = reply_info_text(c, "keyspace");
    assert_non_null(strstr(text, "\r\ndb3:keys=1,expires=103,avg_ttl=10\r\n"));
    free(text);
    /* Every database is announced before it is counted. */
    REPLY_EXPECT_STRINGS(c, "HOOKTEST.EVENTS", "count 0", "count 1", "count 2", "count 3",
                         "count 4", "count 5", "count 6", "count 7", "count 8", "count 9",
                         "count 10", "count 11", "count 12", "count 13", "count 14", "count 15");
    reply_expect_status(c, "OK", "CONFIG SET hooktest.int-setting 250");
    text = reply_info_text(c, "keyspace");
    assert_non_null(strstr(text, "db3:keys=1,expires=103,avg_ttl=250\r\n"));
    free(text);
}

static void keyspace_figures_default_to_zero(void **state)
{
    redisContext *c = start_default(*state, 1);
    assert_int_equal(reply_info_number(c, "hooktest", "hooktest_keyspace_provider"), 0);
    reply_expect_status(c, "OK", "SET k v");
    char *text = reply_info_text(c, "keyspace");
    assert_non_null(strstr(text, "db0:keys=1,expires=0,avg_ttl=0\r\n"));
    free(text);
}

static void shutdown_hook_runs_on_clean_exit(void **state)
{
    fixture *f = *state;
    redisContext *c = start_default(f, 2);
    reply_expect_integer(c, 4, "HOOKTEST.PUSH q a b c d");
    freeReplyObject(reply_command(c, "HOOKTEST.TIMER pending 60000 1")); /* still pending at exit */
    reply_send(f->clients[1], "HOOKTEST.BPOP never 0");                  /* still blocked at exit */
    assert_true(wait_for_info(c, "clients", "blocked_clients", 1, 5000));
    assert_int_equal(server_shutdown(f->server), 0);
    char *log = read_server_log(f->server);
    assert_non_null(strstr(log, "<hooktest> shutdown hook ran"));
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        TEST(events_of_core_key_commands),
        TEST(lookup_events_follow_the_setting),
        TEST(module_type_overwritten_and_deleted),
        TEST(lookup_without_hook),
        TEST(lookup_hook_deletes_and_propagates),
        TEST(propagation_of_writes_only),
        TEST(propagation_replace_and_extra),
        TEST(propagation_of_served_blocked_client),
        TEST(repeating_timer_runs_exactly_its_count),
        TEST(cancelled_timer_never_runs),
        TEST(repeating_timer_cancelled_between_runs),
        TEST(timer_cancelling_itself),
        TEST(timer_writes_propagate_and_wake_blocked_clients),
        TEST(service_called_across_modules),
        TEST(service_seen_at_init_when_loaded_after),
        TEST(service_missing_is_null),
        TEST(settings_defaults),
        TEST(settings_from_ini_section),
        TEST(settings_command_line_overrides_ini),
        TEST(settings_changed_with_config_set),
        TEST(custom_type_enforced_against_strings),
        TEST(copy_uses_the_type_copy_method),
        TEST(blocked_clients_served_in_fifo_order),
        TEST(signal_ready_wakes_and_spurious_signals_do_not),
        TEST(blocked_client_times_out_after_fractional_timeout),
        TEST(disconnected_waiter_does_not_swallow_the_next_serve),
        TEST(disconnect_and_serve_in_one_loop_turn),
        TEST(waiting_on_a_string_key_served_by_set),
        TEST(waiters_in_other_databases_are_not_served),
        TEST(loading_answers_other_clients),
        TEST(command_sent_during_own_load_runs_after_it),
        TEST(info_section_and_stats_extension),
        TEST(keyspace_figures_from_a_module),
        TEST(keyspace_figures_default_to_zero),
        TEST(shutdown_hook_runs_on_clean_exit),
#undef TEST
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
