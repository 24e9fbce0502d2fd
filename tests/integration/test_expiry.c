/*
 * test_expiry.c - the expiry module over real sockets, where differential
 * cases cannot go because the clock matters: lazy expiry (a key past its
 * deadline is gone the moment any command touches it), active expiry (100k
 * keys vanish with no client touching them), INFO's expires= and the
 * module's own counters staying exact across RENAME, MOVE, COPY, FLUSHDB,
 * FLUSHALL and SWAPDB, bounded bookkeeping under heavy TTL rewriting,
 * millisecond resolution, what replicas and the append-only log are sent,
 * and the deployment without the module (config/minimal.ini).
 *
 * Every timing assertion is one-sided and derived from client-side clock
 * readings taken around the requests, so a slow or loaded machine can make
 * a check inconclusive (it is then retried) but never makes it fail.
 */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "reply_checks.h"
#include "server_process.h"

typedef struct fixture {
    server_process *server;
    redisContext *context;
} fixture;

static int start_server_with(void **state, const char *config, const char *const *extra_args)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    *state = f;
    f->server = server_start(config, extra_args);
    if (f->server == NULL)
        return -1;
    f->context = server_connect(f->server);
    return f->context != NULL ? 0 : -1;
}

static int start_server(void **state)
{
    return start_server_with(state, "dblite.ini", NULL);
}

/* Active expiry once a second only, so keys past their deadline stay in
 * memory long enough for commands to meet them. */
static int start_server_with_slow_active_expiry(void **state)
{
    static const char *const args[] = {"--expiry.active-expire-interval-ms", "1000", NULL};
    return start_server_with(state, "dblite.ini", args);
}

static int start_minimal_server(void **state)
{
    return start_server_with(state, "minimal.ini", NULL);
}

/* With hooktest.so (tests/modules), whose HOOKTEST.PROPAGATED returns the
 * commands propagated so far as "DB arg arg...". */
static int start_server_with_propagation_log(void **state)
{
    static char module_path[4096];
    const char *binary_dir = getenv("DBLITE_BINARY_DIR");
    if (binary_dir == NULL)
        return -1;
    snprintf(module_path, sizeof module_path, "%s/test-modules/hooktest.so", binary_dir);
    const char *const args[] = {"--load-module", module_path, NULL};
    return start_server_with(state, "dblite.ini", args);
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

/* ---- Clock --------------------------------------------------------------- */

static long long monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static long long wall_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void sleep_ms(long long milliseconds)
{
    if (milliseconds <= 0)
        return;
    struct timespec pause = {milliseconds / 1000, (milliseconds % 1000) * 1000000};
    while (nanosleep(&pause, &pause) != 0) {
    }
}

static void sleep_until(long long monotonic_deadline)
{
    sleep_ms(monotonic_deadline - monotonic_ms());
}

/* ---- INFO ---------------------------------------------------------------- */

typedef struct keyspace_line {
    long long keys, expires, average_ttl; /* all -1 when the db is not listed */
} keyspace_line;

/* INFO keyspace, which (like DBSIZE) leaves out keys past their deadline
 * without removing them. */
static keyspace_line keyspace(redisContext *context, int db)
{
    keyspace_line line = {-1, -1, -1};
    redisReply *reply = reply_command(context, "INFO keyspace");
    assert_int_equal(reply->type, REDIS_REPLY_STRING);
    char pattern[32];
    snprintf(pattern, sizeof pattern, "\ndb%d:", db);
    const char *found = strstr(reply->str, pattern);
    if (found != NULL && sscanf(found + strlen(pattern), "keys=%lld,expires=%lld,avg_ttl=%lld",
                                &line.keys, &line.expires, &line.average_ttl) != 3)
        fail_msg("unreadable keyspace line: %s", found + 1);
    freeReplyObject(reply);
    return line;
}

static long long keys_with_ttl(redisContext *context)
{
    return reply_info_number(context, "expiry", "expiry_keys_with_ttl");
}

static long long bookkeeping_bytes(redisContext *context)
{
    return reply_info_number(context, "expiry", "expiry_bookkeeping_bytes");
}

static long long expired_keys(redisContext *context)
{
    return reply_info_number(context, "stats", "expired_keys");
}

/* Same field in the text of an INFO reply already read. */
static long long field_in(const redisReply *reply, const char *name)
{
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\n%s:", name);
    const char *found = strstr(reply->str, pattern);
    if (found == NULL)
        fail_msg("no %s in INFO reply", name);
    return strtoll(found + strlen(pattern), NULL, 10);
}

/* ---- Lazy expiry ----------------------------------------------------------- */

typedef void (*reply_check)(redisContext *context, const redisReply *reply);

static void expect_nil(redisContext *context, const redisReply *reply)
{
    (void)context;
    assert_int_equal(reply->type, REDIS_REPLY_NIL);
}

static void expect_zero(redisContext *context, const redisReply *reply)
{
    (void)context;
    assert_int_equal(reply->type, REDIS_REPLY_INTEGER);
    assert_int_equal(reply->integer, 0);
}

static void expect_minus_two(redisContext *context, const redisReply *reply)
{
    (void)context;
    assert_int_equal(reply->type, REDIS_REPLY_INTEGER);
    assert_int_equal(reply->integer, -2);
}

static void expect_none(redisContext *context, const redisReply *reply)
{
    (void)context;
    assert_int_equal(reply->type, REDIS_REPLY_STATUS);
    assert_string_equal(reply->str, "none");
}

/* Only the live key "alive" may be listed. */
static void expect_only_alive(redisContext *context, const redisReply *reply)
{
    (void)context;
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 1);
    assert_string_equal(reply->element[0]->str, "alive");
}

static void expect_scan_only_alive(redisContext *context, const redisReply *reply)
{
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 2);
    assert_string_equal(reply->element[0]->str, "0");
    expect_only_alive(context, reply->element[1]);
}

static void expect_scan_nothing(redisContext *context, const redisReply *reply)
{
    (void)context;
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 2);
    assert_string_equal(reply->element[0]->str, "0");
    assert_int_equal(reply->element[1]->elements, 0);
}

static void expect_alive_name(redisContext *context, const redisReply *reply)
{
    (void)context;
    assert_int_equal(reply->type, REDIS_REPLY_STRING);
    assert_string_equal(reply->str, "alive");
}

static void expect_one(redisContext *context, const redisReply *reply)
{
    (void)context;
    assert_int_equal(reply->type, REDIS_REPLY_INTEGER);
    assert_int_equal(reply->integer, 1);
}

static void expect_mget_nil_then_alive(redisContext *context, const redisReply *reply)
{
    (void)context;
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 2);
    assert_int_equal(reply->element[0]->type, REDIS_REPLY_NIL);
    assert_string_equal(reply->element[1]->str, "yes");
}

/* Writes meet the key as missing: it comes back new, without a TTL. */
static void expect_one_and_persistent(redisContext *context, const redisReply *reply)
{
    expect_one(context, reply);
    assert_int_equal(reply_integer(context, "TTL victim"), -1);
}

static void expect_new_value_persistent(redisContext *context, const redisReply *reply)
{
    (void)reply;
    reply_expect_bulk(context, "fresh", "GET victim");
    assert_int_equal(reply_integer(context, "TTL victim"), -1);
}

static void expect_no_such_key(redisContext *context, const redisReply *reply)
{
    (void)context;
    assert_int_equal(reply->type, REDIS_REPLY_ERROR);
    assert_string_equal(reply->str, "ERR no such key");
}

typedef struct probe {
    const char *command;
    reply_check check; /* NULL: an empty array */
    int meets_the_key; /* 0 when the command may answer without removing it */
} probe;

static const probe lazy_probes[] = {
    {"GET victim", expect_nil, 1},
    {"EXISTS victim", expect_zero, 1},
    {"TYPE victim", expect_none, 1},
    {"TTL victim", expect_minus_two, 1},
    {"PTTL victim", expect_minus_two, 1},
    {"EXPIRETIME victim", expect_minus_two, 1},
    {"STRLEN victim", expect_zero, 1},
    {"MGET victim alive", expect_mget_nil_then_alive, 1},
    {"KEYS *", expect_only_alive, 1},
    {"KEYS vic*", NULL, 1},
    {"SCAN 0 COUNT 1000", expect_scan_only_alive, 1},
    {"SCAN 0 MATCH vic* COUNT 1000", expect_scan_nothing, 1},
    {"RANDOMKEY", expect_alive_name, 0},
    {"DBSIZE", expect_one, 0}, /* leaves the dead key out without removing it */
    {"PERSIST victim", expect_zero, 1},
    {"EXPIRE victim 100", expect_zero, 1},
    {"RENAME victim other", expect_no_such_key, 1},
    {"COPY victim other", expect_zero, 1},
    {"MOVE victim 1", expect_zero, 1},
    {"DEL victim", expect_zero, 1},
    {"SETNX victim fresh", expect_one_and_persistent, 1},
    {"INCR victim", expect_one_and_persistent, 1},
    {"APPEND victim x", expect_one_and_persistent, 1},
    {"SET victim fresh NX", expect_new_value_persistent, 1},
};

static void expect_empty_array(const redisReply *reply)
{
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 0);
}

/* A key past its deadline but still in memory (the active cycle runs once
 * a second here) must be invisible to every command, and the command that
 * meets it removes it.  A try counts when INFO, sent in the same pipeline
 * just before the probe, still showed the key's TTL record: then the probe
 * itself is what met the key. */
static void lazy_expiry_hides_keys_from_every_command(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    reply_expect_success(context, "SET alive yes");
    for (size_t p = 0; p < sizeof lazy_probes / sizeof lazy_probes[0]; p++) {
        const probe *probe = &lazy_probes[p];
        int conclusive = 0;
        for (int attempt = 0; attempt < 20 && !conclusive; attempt++) {
            reply_expect_success(context, "DEL victim other");
            reply_expect_success(context, "SET victim value");
            assert_int_equal(reply_integer(context, "PEXPIRE victim 20"), 1);
            /* The deadline is at most 20 ms after the reply (+1 for the
             * server's millisecond truncation). */
            sleep_until(monotonic_ms() + 25);
            redisAppendCommand(context, "INFO expiry");
            redisAppendCommand(context, "INFO stats");
            redisAppendCommand(context, probe->command);
            redisAppendCommand(context, "INFO expiry");
            redisAppendCommand(context, "INFO stats");
            redisReply *info_before = reply_read(context);
            redisReply *stats_before = reply_read(context);
            redisReply *reply = reply_read(context);
            redisReply *info_after = reply_read(context);
            redisReply *stats_after = reply_read(context);
            if (field_in(info_before, "expiry_keys_with_ttl") == 1) {
                conclusive = 1;
                if (probe->meets_the_key) {
                    assert_int_equal(field_in(info_after, "expiry_keys_with_ttl"), 0);
                    assert_int_equal(field_in(stats_after, "expired_keys"),
                                     field_in(stats_before, "expired_keys") + 1);
                }
            }
            /* Whatever happened in between, the probe never shows the key
             * (checks may send more commands: the pipeline is drained). */
            if (probe->check != NULL)
                probe->check(context, reply);
            else
                expect_empty_array(reply);
            freeReplyObject(info_before);
            freeReplyObject(stats_before);
            freeReplyObject(reply);
            freeReplyObject(info_after);
            freeReplyObject(stats_after);
        }
        if (!conclusive)
            fail_msg("'%s': the active cycle always removed the key first", probe->command);
    }
    /* RANDOMKEY in a database holding nothing but an expired key. */
    reply_expect_success(context, "SELECT 2");
    reply_expect_success(context, "SET only v");
    assert_int_equal(reply_integer(context, "PEXPIRE only 20"), 1);
    sleep_ms(40);
    reply_expect_nil(context, "RANDOMKEY");
    assert_int_equal(reply_integer(context, "DBSIZE"), 0);
    reply_expect_success(context, "SELECT 0");
    /* "alive" was never touched by any of it. */
    reply_expect_bulk(context, "yes", "GET alive");
    assert_int_equal(reply_integer(context, "TTL alive"), -1);
}

/* ---- Active expiry ----------------------------------------------------------- */

#define WAVE_KEYS 100000

/* Loads count keys "prefix:N" with PX ttl_ms through a pipeline. */
static void load_keys_with_ttl(redisContext *context, const char *prefix, long count, long ttl_ms)
{
    const long batch = 1000;
    for (long first = 0; first < count; first += batch) {
        long last = first + batch < count ? first + batch : count;
        for (long i = first; i < last; i++)
            redisAppendCommand(context, "SET %s:%ld value-%ld PX %ld", prefix, i, i, ttl_ms);
        for (long i = first; i < last; i++) {
            redisReply *reply = reply_read(context);
            if (reply->type != REDIS_REPLY_STATUS)
                fail_msg("SET in the pipeline answered %s", reply->str ? reply->str : "?");
            freeReplyObject(reply);
        }
    }
}

/* 100k keys with a 200 ms TTL disappear although no client touches them:
 * only INFO stats / expiry / memory are read, which count nothing. */
static void active_expiry_removes_untouched_keys(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    reply_expect_success(context, "SET persistent:1 a");
    reply_expect_success(context, "SET persistent:2 b");
    reply_expect_success(context, "SELECT 7");
    reply_expect_success(context, "SET persistent:7 c");
    long long memory_before = reply_info_number(context, "memory", "used_memory");
    long long expired_before = expired_keys(context);

    /* Most keys in db 0, some in db 7 and 15: the cycle visits every db. */
    load_keys_with_ttl(context, "wave", 5000, 200);
    reply_expect_success(context, "SELECT 15");
    load_keys_with_ttl(context, "wave", 5000, 200);
    reply_expect_success(context, "SELECT 0");
    long long loaded_at = monotonic_ms();
    load_keys_with_ttl(context, "wave", WAVE_KEYS - 10000, 200);
    long long load_ms = monotonic_ms() - loaded_at;
    long long memory_loaded = reply_info_number(context, "memory", "used_memory");

    long long started = monotonic_ms(), slowest_poll = 0;
    long long remaining = -1, expired = 0;
    while (monotonic_ms() - started < 60000) {
        long long asked = monotonic_ms();
        remaining = keys_with_ttl(context);
        expired = expired_keys(context) - expired_before;
        long long took = monotonic_ms() - asked;
        if (took > slowest_poll)
            slowest_poll = took;
        if (remaining == 0)
            break;
        sleep_ms(20);
    }
    long long drained_ms = monotonic_ms() - started;
    print_message("active expiry: %d keys loaded in %lld ms, all gone %lld ms after the load; "
                  "slowest INFO poll during the wave %lld ms\n",
                  WAVE_KEYS, load_ms, drained_ms, slowest_poll);
    assert_int_equal(remaining, 0);
    assert_int_equal(expired, WAVE_KEYS);
    assert_int_equal(bookkeeping_bytes(context), 0);
    /* The keyspace table shrinks incrementally (a step per access plus the
     * server's cron): give it up to 5 s to finish before measuring. */
    long long memory_after = reply_info_number(context, "memory", "used_memory");
    for (long long waited = monotonic_ms();
         memory_after - memory_before >= 1024 * 1024 && monotonic_ms() - waited < 5000;) {
        sleep_ms(50);
        memory_after = reply_info_number(context, "memory", "used_memory");
    }
    print_message("used_memory: %lld before, %lld loaded, %lld after\n", memory_before,
                  memory_loaded, memory_after);
    /* The keys' memory went back: 100k keys take well over 5 MB (some of
     * them expire while others still load, so the figure read after loading
     * varies); tables may keep a little slack. */
    assert_true(memory_after - memory_before < 1024 * 1024);

    /* Only now count keys: the persistent ones are all that is left. */
    keyspace_line db0 = keyspace(context, 0);
    assert_int_equal(db0.keys, 2);
    assert_int_equal(db0.expires, 0);
    keyspace_line db7 = keyspace(context, 7);
    assert_int_equal(db7.keys, 1);
    assert_int_equal(db7.expires, 0);
    assert_int_equal(keyspace(context, 15).keys, -1);
    assert_int_equal(reply_integer(context, "DBSIZE"), 2);
    /* Counting found nothing left to purge. */
    assert_int_equal(expired_keys(context) - expired_before, WAVE_KEYS);
}

/* ---- INFO counters -------------------------------------------------------------- */

/* INFO stats reports the active cycle as Redis does: the time it took in
 * total and how often its budget cut it short (with a 10 us budget,
 * 20k keys dying at once cannot go in one cycle). */
static void info_reports_the_active_cycle(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    assert_int_equal(reply_info_number(context, "stats", "expired_time_cap_reached_count"), 0);
    reply_expect_status(context, "OK", "CONFIG SET expiry.active-expire-budget-us 10");
    load_keys_with_ttl(context, "capped", 20000, 100);
    long long started = monotonic_ms();
    while (keys_with_ttl(context) > 0 && monotonic_ms() - started < 30000)
        sleep_ms(20);
    assert_int_equal(keys_with_ttl(context), 0);
    assert_true(reply_info_number(context, "stats", "expired_time_cap_reached_count") > 0);
    assert_true(reply_info_number(context, "stats", "expire_cycle_cpu_milliseconds") > 0);
    assert_int_equal(expired_keys(context), 20000);
    char *stats = reply_info_text(context, "stats");
    if (strstr(stats, "\r\nexpired_stale_perc:0.00\r\n") == NULL)
        fail_msg("nothing is left to reclaim, yet:\n%s", stats);
    free(stats);
}

static void info_counts_keys_with_ttl(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    assert_int_equal(keys_with_ttl(context), 0);
    assert_int_equal(bookkeeping_bytes(context), 0);
    for (int i = 0; i < 10; i++)
        reply_expect_success(context, "SET ttl:%d v EX 100", i);
    for (int i = 0; i < 5; i++)
        reply_expect_success(context, "SET plain:%d v", i);
    keyspace_line db0 = keyspace(context, 0);
    assert_int_equal(db0.keys, 15);
    assert_int_equal(db0.expires, 10);
    assert_true(db0.average_ttl > 90000 && db0.average_ttl <= 100000);
    assert_int_equal(keys_with_ttl(context), 10);
    long long bytes = bookkeeping_bytes(context);
    assert_true(bytes > 10 * 16);

    reply_expect_success(context, "SELECT 3");
    reply_expect_success(context, "SET ttl:x v PX 50000");
    reply_expect_success(context, "SET ttl:y v");
    assert_int_equal(reply_integer(context, "EXPIRE ttl:y 50"), 1);
    keyspace_line db3 = keyspace(context, 3);
    assert_int_equal(db3.keys, 2);
    assert_int_equal(db3.expires, 2);
    assert_true(db3.average_ttl > 40000 && db3.average_ttl <= 50000);
    assert_int_equal(keys_with_ttl(context), 12);
    reply_expect_success(context, "SELECT 0");

    /* Each way of losing a TTL counts once. */
    assert_int_equal(reply_integer(context, "PERSIST ttl:0"), 1);
    assert_int_equal(keyspace(context, 0).expires, 9);
    assert_int_equal(reply_integer(context, "DEL ttl:1"), 1);
    assert_int_equal(keyspace(context, 0).expires, 8);
    reply_expect_success(context, "SET ttl:2 overwritten");
    assert_int_equal(keyspace(context, 0).expires, 7);
    reply_expect_success(context, "SET ttl:3 kept KEEPTTL");
    assert_int_equal(keyspace(context, 0).expires, 7);
    reply_expect_bulk(context, "v", "GETEX ttl:4 PERSIST");
    assert_int_equal(keyspace(context, 0).expires, 6);
    assert_int_equal(reply_integer(context, "EXPIRE ttl:5 -1"), 1);
    assert_int_equal(keyspace(context, 0).expires, 5);
    reply_expect_success(context, "MSET ttl:6 a ttl:7 b");
    assert_int_equal(keyspace(context, 0).expires, 3);
    reply_expect_bulk(context, "v", "GETSET ttl:8 new");
    assert_int_equal(keyspace(context, 0).expires, 2);
    reply_expect_bulk(context, "v", "GETDEL ttl:9");
    assert_int_equal(keyspace(context, 0).expires, 1);
    /* Gaining one. */
    assert_int_equal(reply_integer(context, "EXPIRE plain:0 100"), 1);
    reply_expect_success(context, "SETEX plain:1 100 v");
    reply_expect_success(context, "PSETEX plain:2 100000 v");
    reply_expect_bulk(context, "v", "GETEX plain:3 EX 100");
    keyspace_line after = keyspace(context, 0);
    assert_int_equal(after.keys, 12);
    assert_int_equal(after.expires, 5);
    assert_int_equal(keys_with_ttl(context), 7);
    /* SELECT 3 still holds its two. */
    assert_int_equal(keyspace(context, 3).expires, 2);
}

/* ---- Counting keys ------------------------------------------------------------------ */

/* DBSIZE, INFO keyspace and KEYS-free counts leave out keys past their
 * deadline that the active cycle (once a second here) has not removed yet,
 * and counting removes nothing: the records are still there afterwards.  A
 * try counts when INFO expiry, pipelined just before, shows every dead key
 * still recorded. */
#define DEAD_KEYS 200
static void counts_leave_out_dead_keys_without_removing_them(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    reply_expect_success(context, "SET alive:1 a");
    reply_expect_success(context, "SET alive:2 b EX 1000");
    int conclusive = 0;
    for (int attempt = 0; attempt < 20 && !conclusive; attempt++) {
        for (int i = 0; i < DEAD_KEYS; i++)
            reply_expect_success(context, "SET dead:%d v PX 20", i);
        sleep_until(monotonic_ms() + 25);
        redisAppendCommand(context, "INFO expiry");
        redisAppendCommand(context, "DBSIZE");
        redisAppendCommand(context, "INFO keyspace");
        redisAppendCommand(context, "INFO stats");
        redisAppendCommand(context, "INFO expiry");
        redisReply *before = reply_read(context);
        redisReply *dbsize = reply_read(context);
        redisReply *keyspace_reply = reply_read(context);
        redisReply *stats = reply_read(context);
        redisReply *after = reply_read(context);
        assert_int_equal(dbsize->type, REDIS_REPLY_INTEGER);
        assert_int_equal(dbsize->integer, 2);
        const char *db0 = strstr(keyspace_reply->str, "\ndb0:");
        assert_non_null(db0);
        assert_true(strncmp(db0 + 1, "db0:keys=2,expires=1,", 21) == 0);
        if (field_in(before, "expiry_keys_with_ttl") == DEAD_KEYS + 1) {
            conclusive = 1;
            assert_int_equal(field_in(after, "expiry_keys_with_ttl"), DEAD_KEYS + 1);
            /* The share of keys with a TTL that are dead, as Redis reports it. */
            char stale[64];
            snprintf(stale, sizeof stale, "\r\nexpired_stale_perc:%.2f\r\n",
                     100.0 * DEAD_KEYS / (DEAD_KEYS + 1));
            if (strstr(stats->str, stale) == NULL)
                fail_msg("INFO stats lacks%s:\n%s", stale, stats->str);
        }
        freeReplyObject(before);
        freeReplyObject(dbsize);
        freeReplyObject(keyspace_reply);
        freeReplyObject(stats);
        freeReplyObject(after);
        /* Touching them removes them, each counted as expired. */
        long long expired_before = expired_keys(context);
        for (int i = 0; i < DEAD_KEYS; i++)
            assert_int_equal(reply_integer(context, "EXISTS dead:%d", i), 0);
        assert_int_equal(keys_with_ttl(context), 1);
        assert_true(expired_keys(context) - expired_before <= DEAD_KEYS);
    }
    if (!conclusive)
        fail_msg("the active cycle always removed the dead keys before they were counted");
}

/* SET with a time already past answers OK and the key is gone at once,
 * counted in expired_keys as Redis counts it (there it expires on first
 * access); GETEX and EXPIRE with a past time delete without counting. */
static void set_with_a_past_time_counts_as_expired(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    long long expired_before = expired_keys(context);
    reply_expect_status(context, "OK", "SET gone v PXAT 1");
    reply_expect_status(context, "OK", "SET gone2 v EXAT 1");
    assert_int_equal(reply_integer(context, "EXISTS gone gone2"), 0);
    assert_int_equal(expired_keys(context) - expired_before, 2);
    assert_int_equal(keys_with_ttl(context), 0);
    reply_expect_success(context, "SET k1 v");
    reply_expect_success(context, "SET k2 v");
    reply_expect_bulk(context, "v", "GETEX k1 PXAT 1");
    assert_int_equal(reply_integer(context, "EXPIRE k2 -1"), 1);
    assert_int_equal(reply_integer(context, "EXISTS k1 k2"), 0);
    assert_int_equal(expired_keys(context) - expired_before, 2);
    assert_int_equal(reply_integer(context, "DBSIZE"), 0);
}

/* ---- TTL through RENAME / MOVE / COPY ----------------------------------------------- */

static void ttl_follows_rename_move_copy_exactly(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    long long deadline = wall_ms() + 3600 * 1000 + 123;
    reply_expect_success(context, "SET source v");
    assert_int_equal(reply_integer(context, "PEXPIREAT source %lld", deadline), 1);

    reply_expect_success(context, "RENAME source renamed");
    assert_int_equal(reply_integer(context, "PEXPIRETIME source"), -2);
    assert_int_equal(reply_integer(context, "PEXPIRETIME renamed"), deadline);
    assert_int_equal(keyspace(context, 0).expires, 1);

    assert_int_equal(reply_integer(context, "RENAMENX renamed again"), 1);
    assert_int_equal(reply_integer(context, "PEXPIRETIME again"), deadline);

    assert_int_equal(reply_integer(context, "MOVE again 5"), 1);
    assert_int_equal(reply_integer(context, "PEXPIRETIME again"), -2);
    assert_int_equal(keyspace(context, 0).expires, -1);
    keyspace_line db5 = keyspace(context, 5);
    assert_int_equal(db5.keys, 1);
    assert_int_equal(db5.expires, 1);
    reply_expect_success(context, "SELECT 5");
    assert_int_equal(reply_integer(context, "PEXPIRETIME again"), deadline);

    assert_int_equal(reply_integer(context, "COPY again copied"), 1);
    assert_int_equal(reply_integer(context, "COPY again elsewhere DB 6"), 1);
    assert_int_equal(reply_integer(context, "PEXPIRETIME again"), deadline);
    assert_int_equal(reply_integer(context, "PEXPIRETIME copied"), deadline);
    assert_int_equal(keyspace(context, 5).expires, 2);
    assert_int_equal(keyspace(context, 6).expires, 1);
    assert_int_equal(keys_with_ttl(context), 3);
    reply_expect_success(context, "SELECT 6");
    assert_int_equal(reply_integer(context, "PEXPIRETIME elsewhere"), deadline);
    /* The copies are independent: changing one leaves the others. */
    assert_int_equal(reply_integer(context, "PERSIST elsewhere"), 1);
    reply_expect_success(context, "SELECT 5");
    assert_int_equal(reply_integer(context, "PEXPIRETIME copied"), deadline);

    /* A persistent source replacing a key with a TTL leaves no TTL. */
    reply_expect_success(context, "SET plain v");
    assert_int_equal(reply_integer(context, "COPY plain copied REPLACE"), 1);
    assert_int_equal(reply_integer(context, "TTL copied"), -1);
    reply_expect_success(context, "SET other v EX 500");
    reply_expect_success(context, "RENAME plain other");
    assert_int_equal(reply_integer(context, "TTL other"), -1);
    assert_int_equal(keys_with_ttl(context), 1);

    /* A short TTL carried to another db expires there, not here. */
    reply_expect_success(context, "SELECT 0");
    reply_expect_success(context, "SET short v");
    reply_expect_success(context, "SET keeper v");
    assert_int_equal(reply_integer(context, "PEXPIRE short 2000"), 1);
    assert_int_equal(reply_integer(context, "MOVE short 9"), 1);
    reply_expect_success(context, "SET short persistent-here");
    reply_expect_success(context, "SELECT 9");
    reply_expect_success(context, "RENAME short shorter");
    sleep_ms(2500);
    assert_int_equal(reply_integer(context, "EXISTS shorter"), 0);
    reply_expect_success(context, "SELECT 0");
    reply_expect_bulk(context, "persistent-here", "GET short");
    assert_int_equal(reply_integer(context, "TTL short"), -1);
    assert_int_equal(reply_integer(context, "TTL keeper"), -1);
}

/* ---- FLUSHDB / FLUSHALL / SWAPDB ---------------------------------------------------- */

static void flush_and_swapdb_keep_the_index_exact(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    for (int i = 0; i < 100; i++)
        reply_expect_success(context, "SET a:%d v EX 1000", i);
    reply_expect_success(context, "SET a:plain v");
    reply_expect_success(context, "SELECT 1");
    for (int i = 0; i < 50; i++)
        reply_expect_success(context, "SET b:%d v EX 2000", i);
    assert_int_equal(keys_with_ttl(context), 150);

    reply_expect_success(context, "SWAPDB 0 1");
    keyspace_line db0 = keyspace(context, 0), db1 = keyspace(context, 1);
    assert_int_equal(db0.keys, 50);
    assert_int_equal(db0.expires, 50);
    assert_true(db0.average_ttl > 1900000);
    assert_int_equal(db1.keys, 101);
    assert_int_equal(db1.expires, 100);
    assert_true(db1.average_ttl < 1000001);
    assert_int_equal(keys_with_ttl(context), 150);
    /* We are in db 1, which now holds the a: keys. */
    assert_true(reply_integer(context, "TTL a:0") > 900);
    assert_int_equal(reply_integer(context, "TTL b:0"), -2);

    reply_expect_success(context, "FLUSHDB");
    assert_int_equal(keyspace(context, 1).keys, -1);
    assert_int_equal(keyspace(context, 0).expires, 50);
    assert_int_equal(keys_with_ttl(context), 50);

    /* A recreated key does not inherit a flushed TTL. */
    reply_expect_success(context, "SET a:0 again");
    assert_int_equal(reply_integer(context, "TTL a:0"), -1);

    reply_expect_success(context, "FLUSHALL");
    assert_int_equal(keys_with_ttl(context), 0);
    assert_int_equal(bookkeeping_bytes(context), 0);
    assert_int_equal(keyspace(context, 0).keys, -1);

    /* A short TTL swapped into another db expires there; the persistent
     * key of the same name swapped the other way stays. */
    reply_expect_success(context, "SELECT 0");
    reply_expect_success(context, "SET same short-lived PX 600");
    reply_expect_success(context, "SET ghost v PX 600");
    reply_expect_success(context, "FLUSHDB");
    reply_expect_success(context, "SET ghost v"); /* no TTL may survive the flush */
    long long expired_before = expired_keys(context);
    reply_expect_success(context, "SET same short-lived PX 600");
    reply_expect_success(context, "SELECT 1");
    reply_expect_success(context, "SET same persistent");
    reply_expect_success(context, "SWAPDB 0 1");
    sleep_ms(600 + 500);
    /* Active expiry, no client touching: wait until it counted one. */
    long long waited = monotonic_ms();
    while (expired_keys(context) == expired_before && monotonic_ms() - waited < 10000)
        sleep_ms(20);
    assert_int_equal(expired_keys(context), expired_before + 1);
    assert_int_equal(keys_with_ttl(context), 0);
    /* db 1 now has what db 0 had: the short-lived key went, ghost stayed. */
    assert_int_equal(reply_integer(context, "EXISTS same"), 0);
    reply_expect_bulk(context, "v", "GET ghost");
    reply_expect_success(context, "SELECT 0");
    reply_expect_bulk(context, "persistent", "GET same");
    assert_int_equal(reply_integer(context, "TTL same"), -1);

    /* Same through FLUSHALL. */
    reply_expect_success(context, "SET flushed v PX 100");
    reply_expect_success(context, "FLUSHALL");
    reply_expect_success(context, "SET flushed v");
    sleep_ms(300);
    reply_expect_bulk(context, "v", "GET flushed");
    assert_int_equal(keys_with_ttl(context), 0);
}

/* ---- Rewrite churn ---------------------------------------------------------------- */

#define CHURN_KEYS 1000
#define CHURN_REWRITES 200000

static void ttl_rewrite_churn_keeps_bookkeeping_bounded(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    for (int i = 0; i < CHURN_KEYS; i++)
        reply_expect_success(context, "SET churn:%d v", i);
    for (int i = 0; i < CHURN_KEYS; i++)
        assert_int_equal(reply_integer(context, "EXPIRE churn:%d %d", i, 1000 + i), 1);
    long long first_round = bookkeeping_bytes(context);
    assert_true(first_round > 0);
    long long peak = first_round;

    /* Every form of rewrite: EXPIRE family, SET with a TTL (overwrite then
     * set), GETEX, and PERSIST followed by a new TTL. */
    uint64_t random = 88172645463325252ULL;
    const long batch = 1000;
    for (long done = 0; done < CHURN_REWRITES; done += batch) {
        for (long i = 0; i < batch; i++) {
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            int key = (int)(random % CHURN_KEYS);
            long ttl = 100 + (long)((random >> 20) % 100000);
            switch ((done + i) % 6) {
                case 0:
                    redisAppendCommand(context, "EXPIRE churn:%d %ld", key, ttl);
                    break;
                case 1:
                    redisAppendCommand(context, "PEXPIRE churn:%d %ld", key, ttl * 1000);
                    break;
                case 2:
                    redisAppendCommand(context, "PEXPIREAT churn:%d %lld", key,
                                       wall_ms() + ttl * 1000);
                    break;
                case 3:
                    redisAppendCommand(context, "SET churn:%d v EX %ld", key, ttl);
                    break;
                case 4:
                    redisAppendCommand(context, "GETEX churn:%d PX %ld", key, ttl * 1000);
                    break;
                default:
                    redisAppendCommand(context, "PERSIST churn:%d", key);
                    break;
            }
        }
        for (long i = 0; i < batch; i++) {
            redisReply *reply = reply_read(context);
            if (reply->type == REDIS_REPLY_ERROR)
                fail_msg("churn command failed: %s", reply->str);
            freeReplyObject(reply);
        }
        /* PERSIST leaves keys without TTL: give them all one back now and
         * then so the index stays near full. */
        if (done % 20000 == 0) {
            for (int k = 0; k < CHURN_KEYS; k++)
                redisAppendCommand(context, "EXPIRE churn:%d 5000 NX", k);
            for (int k = 0; k < CHURN_KEYS; k++)
                freeReplyObject(reply_read(context));
            long long bytes = bookkeeping_bytes(context);
            if (bytes > peak)
                peak = bytes;
        }
    }
    for (int k = 0; k < CHURN_KEYS; k++)
        redisAppendCommand(context, "EXPIRE churn:%d 5000 NX", k);
    for (int k = 0; k < CHURN_KEYS; k++)
        freeReplyObject(reply_read(context));
    long long final_bytes = bookkeeping_bytes(context);
    if (final_bytes > peak)
        peak = final_bytes;
    print_message("TTL bookkeeping for %d keys: %lld bytes after the first round, peak %lld, "
                  "final %lld after %d rewrites\n",
                  CHURN_KEYS, first_round, peak, final_bytes, CHURN_REWRITES);
    assert_true(peak < 2 * first_round);
    assert_int_equal(keys_with_ttl(context), CHURN_KEYS);
    assert_int_equal(keyspace(context, 0).expires, CHURN_KEYS);
    assert_int_equal(keyspace(context, 0).keys, CHURN_KEYS);
    /* Per key: a record (hash, deadline, slot, length, name) plus a slot
     * and a heap entry; nothing near a kilobyte. */
    assert_true(final_bytes / CHURN_KEYS < 128);
}

/* ---- Millisecond resolution --------------------------------------------------------- */

/* PEXPIRE 50: present at any request answered within 50 ms of sending the
 * PEXPIRE, gone for any request sent more than 50 ms after its reply.
 * Tries until the presence check lands early enough (a loaded machine may
 * delay it), and always checks absence. */
static void millisecond_resolution(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    int early_checks = 0;
    for (int attempt = 0; attempt < 30 && early_checks < 3; attempt++) {
        reply_expect_success(context, "SET ms v");
        long long sent = monotonic_ms();
        assert_int_equal(reply_integer(context, "PEXPIRE ms 50"), 1);
        long long answered = monotonic_ms();
        long long pttl = reply_integer(context, "PTTL ms");
        long long exists = reply_integer(context, "EXISTS ms");
        long long checked = monotonic_ms();
        if (checked - sent < 45) {
            /* Both answered before the deadline could pass. */
            assert_true(pttl > 0 && pttl <= 50);
            assert_int_equal(exists, 1);
            early_checks++;
        }
        sleep_until(answered + 55);
        assert_int_equal(reply_integer(context, "EXISTS ms"), 0);
        assert_int_equal(reply_integer(context, "PTTL ms"), -2);
    }
    assert_true(early_checks > 0);

    /* Gone around 100 ms, untouched, through active expiry. */
    long long expired_before = expired_keys(context);
    reply_expect_success(context, "SET untouched v");
    long long answered = 0;
    assert_int_equal(reply_integer(context, "PEXPIRE untouched 50"), 1);
    answered = monotonic_ms();
    long long gone_after = -1;
    while (monotonic_ms() - answered < 10000) {
        if (keys_with_ttl(context) == 0) {
            gone_after = monotonic_ms() - answered;
            break;
        }
        sleep_ms(5);
    }
    print_message("a key with PEXPIRE 50 left the index %lld ms after the reply\n", gone_after);
    assert_true(gone_after >= 0);
    assert_int_equal(expired_keys(context), expired_before + 1);

    /* PEXPIREAT one millisecond ahead of a deadline already past. */
    reply_expect_success(context, "SET at v");
    assert_int_equal(reply_integer(context, "PEXPIREAT at %lld", wall_ms() - 1), 1);
    assert_int_equal(reply_integer(context, "EXISTS at"), 0);
}

/* ---- Propagation ----------------------------------------------------------------- */

static void expect_propagated(redisContext *context, const char *const *expected)
{
    redisReply *reply = reply_command(context, "HOOKTEST.PROPAGATED");
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    size_t count = 0;
    while (expected[count] != NULL)
        count++;
    for (size_t i = 0; i < reply->elements || i < count; i++) {
        const char *got = i < reply->elements ? reply->element[i]->str : "(nothing)";
        const char *want = i < count ? expected[i] : "(nothing)";
        /* "text*" matches every line starting with text. */
        size_t length = strlen(want);
        int matches = length > 0 && want[length - 1] == '*' ? strncmp(got, want, length - 1) == 0
                                                            : strcmp(got, want) == 0;
        if (!matches)
            fail_msg("propagated #%zu: got '%s', expected '%s'", i, got, want);
    }
    freeReplyObject(reply);
}

#define EXPECT_PROPAGATED(context, ...)                             \
    do {                                                            \
        static const char *const expected_[] = {__VA_ARGS__, NULL}; \
        expect_propagated(context, expected_);                      \
    } while (0)

/* What replicas and the append-only log get: every relative TTL as an
 * absolute PEXPIREAT, a DEL for each key expired lazily or actively, and
 * nothing for commands that changed nothing. */
static void expiry_propagates_absolute_deadlines_and_deletes(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    freeReplyObject(reply_command(context, "HOOKTEST.PROPAGATED"));
    reply_expect_success(context, "SET k v");
    long long before = wall_ms();
    assert_int_equal(reply_integer(context, "EXPIRE k 100"), 1);
    long long after = wall_ms();
    long long deadline = reply_integer(context, "PEXPIRETIME k");
    assert_true(deadline >= before + 100000 && deadline <= after + 100000);
    char expected_pexpireat[64];
    snprintf(expected_pexpireat, sizeof expected_pexpireat, "0 PEXPIREAT k %lld", deadline);
    {
        const char *const expected[] = {"0 SET k v", expected_pexpireat, NULL};
        expect_propagated(context, expected);
    }

    assert_int_equal(reply_integer(context, "PEXPIREAT k 4102444800000"), 1);
    assert_int_equal(reply_integer(context, "EXPIRE k 100 GT"), 0);
    assert_int_equal(reply_integer(context, "EXPIRE missing 100"), 0);
    assert_int_equal(reply_integer(context, "PERSIST k"), 1);
    assert_int_equal(reply_integer(context, "PERSIST k"), 0);
    EXPECT_PROPAGATED(context, "0 PEXPIREAT k 4102444800000", "0 PERSIST k");

    /* A deadline in the past is a DEL. */
    assert_int_equal(reply_integer(context, "EXPIREAT k 1"), 1);
    EXPECT_PROPAGATED(context, "0 DEL k");

    /* SET with a past time: the key expires at once (a DEL) and the SET
     * goes out as sent, so a replay ends the same way. */
    reply_expect_status(context, "OK", "SET past v PXAT 1");
    EXPECT_PROPAGATED(context, "0 DEL past", "0 SET past v PXAT 1");

    /* Expired keys: one DEL each, before the command that met the key
     * (lazy) or on its own (active: the cycle may beat the command). */
    reply_expect_success(context, "SELECT 2");
    reply_expect_success(context, "SET lazy v");
    assert_int_equal(reply_integer(context, "PEXPIRE lazy 30"), 1);
    sleep_ms(60);
    reply_expect_success(context, "SET lazy new");
    EXPECT_PROPAGATED(context, "2 SET lazy v", "2 PEXPIREAT lazy *", "2 DEL lazy",
                      "2 SET lazy new");

    /* Active: a DEL in the key's own database, with no command running;
     * SET's relative TTL goes out as an absolute one too. */
    reply_expect_success(context, "SELECT 4");
    reply_expect_success(context, "SET active v PX 30");
    long long waited = monotonic_ms();
    while (keys_with_ttl(context) > 0 && monotonic_ms() - waited < 10000)
        sleep_ms(10);
    EXPECT_PROPAGATED(context, "4 SET active v PXAT *", "4 DEL active");
}

/* ---- Deployment without the module ---------------------------------------------------- */

static void minimal_deployment_has_no_ttls(void **state)
{
    redisContext *context = ((fixture *)*state)->context;
    const char *missing = "ERR TTL options need the expiry module, which is not loaded";
    reply_expect_status(context, "OK", "SET k v");
    reply_expect_bulk(context, "v", "GET k");
    reply_expect_error(context, "ERR unknown command 'EXPIRE', with args beginning with: 'k' '10' ",
                       "EXPIRE k 10");
    reply_expect_error(context, "ERR unknown command 'TTL', with args beginning with: 'k' ",
                       "TTL k");
    reply_expect_error(context, "ERR unknown command 'PERSIST', with args beginning with: 'k' ",
                       "PERSIST k");
    reply_expect_error(context,
                       "ERR unknown command 'PEXPIREAT', with args beginning with: 'k' '1' ",
                       "PEXPIREAT k 1");
    reply_expect_error(context, missing, "SET k v EX 10");
    reply_expect_error(context, missing, "SET k2 v PX 100");
    reply_expect_error(context, missing, "SET k2 v EXAT 4102444800");
    reply_expect_error(context, missing, "SET k2 v PXAT 4102444800000");
    reply_expect_error(context, missing, "SETEX k2 10 v");
    reply_expect_error(context, missing, "PSETEX k2 10000 v");
    reply_expect_error(context, missing, "GETEX k EX 10");
    /* A refused TTL option changed nothing. */
    reply_expect_bulk(context, "v", "GET k");
    assert_int_equal(reply_integer(context, "EXISTS k2"), 0);
    /* Options that set no TTL work. */
    reply_expect_status(context, "OK", "SET k w KEEPTTL");
    reply_expect_bulk(context, "w", "GETEX k PERSIST");
    reply_expect_bulk(context, "w", "GETEX k");
    keyspace_line db0 = keyspace(context, 0);
    assert_int_equal(db0.keys, 1);
    assert_int_equal(db0.expires, 0);
    redisReply *reply = reply_command(context, "INFO expiry");
    assert_int_equal(reply->type, REDIS_REPLY_STRING);
    assert_null(strstr(reply->str, "expiry_keys_with_ttl"));
    freeReplyObject(reply);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(lazy_expiry_hides_keys_from_every_command,
                                        start_server_with_slow_active_expiry, stop_server),
        cmocka_unit_test_setup_teardown(active_expiry_removes_untouched_keys, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(info_counts_keys_with_ttl, start_server, stop_server),
        cmocka_unit_test_setup_teardown(info_reports_the_active_cycle, start_server, stop_server),
        cmocka_unit_test_setup_teardown(counts_leave_out_dead_keys_without_removing_them,
                                        start_server_with_slow_active_expiry, stop_server),
        cmocka_unit_test_setup_teardown(set_with_a_past_time_counts_as_expired, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(ttl_follows_rename_move_copy_exactly, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(flush_and_swapdb_keep_the_index_exact, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(ttl_rewrite_churn_keeps_bookkeeping_bounded, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(millisecond_resolution, start_server, stop_server),
        cmocka_unit_test_setup_teardown(expiry_propagates_absolute_deadlines_and_deletes,
                                        start_server_with_propagation_log, stop_server),
        cmocka_unit_test_setup_teardown(minimal_deployment_has_no_ttls, start_minimal_server,
                                        stop_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
