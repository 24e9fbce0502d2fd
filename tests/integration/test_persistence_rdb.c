/*
 * test_persistence_rdb.c - RDB snapshots of persistence.so against the real
 * thing: files dblite writes pass redis-check-rdb and load into a stock
 * redis-server with every key, value, deadline and database intact; files
 * redis-server writes (ziplist/listpack/intset encodings, integer and LZF
 * strings) load into dblite intact; BGSAVE keeps serving while a child
 * writes; kill -9 during BGSAVE leaves the previous snapshot untouched; a
 * damaged snapshot stops startup and is never replaced; save points,
 * shutdown saves, DUMP / RESTORE between dblite and Redis, and module
 * types stored as Redis module values.  (DBLite's SAVE <file> / RESTORE
 * <file> are the dialect's, tested in tests/compat and tests/hardening.)
 *
 * Datasets are compared through dataset_describe(): every key of the 16
 * databases read back over the wire from each server.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "persistence_test_support.h"
#include "reply_checks.h"

typedef struct fixture {
    server_process *server;
    redisContext *context;
    redis_process *redis;
    redisContext *redis_context;
    char redis_dir[4096];
    int last_start_fails; /* the test ends with a server that refused to start */
} fixture;

static int start_fixture(void **state, const char *const *extra)
{
    fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    *state = f;
    f->server = start_dblite(extra);
    if (f->server == NULL)
        return -1;
    f->context = server_connect(f->server);
    return f->context != NULL ? 0 : -1;
}

static int setup(void **state)
{
    return start_fixture(state, NULL);
}

static int setup_save_points(void **state)
{
    static const char *const extra[] = {"--persistence.save", "1 1", NULL};
    return start_fixture(state, extra);
}

static void remove_dir(const char *dir)
{
    if (dir[0] == '\0')
        return;
    const char *argv[] = {"rm", "-rf", dir, NULL};
    char output[256];
    run_program(argv, NULL, output, sizeof(output));
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (f == NULL)
        return 0;
    if (f->context != NULL)
        redisFree(f->context);
    if (f->redis_context != NULL)
        redisFree(f->redis_context);
    redis_stop(f->redis);
    remove_dir(f->redis_dir);
    /* A clean exit (no sanitizer report, no crash) is part of every test. */
    int status = server_stop(f->server);
    int expected_stop = f->last_start_fails || status == 0;
    free(f);
    return expected_stop ? 0 : -1;
}

static void reconnect(fixture *f)
{
    if (f->context != NULL)
        redisFree(f->context);
    f->context = server_connect(f->server);
    assert_non_null(f->context);
}

static void start_redis(fixture *f, const char *dir)
{
    if (dir == NULL) {
        snprintf(f->redis_dir, sizeof(f->redis_dir), "%s/dblite-redis-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        assert_non_null(mkdtemp(f->redis_dir));
        dir = f->redis_dir;
    }
    f->redis = redis_start(dir, NULL);
    assert_non_null(f->redis);
    f->redis_context = connect_port(f->redis->port);
    assert_non_null(f->redis_context);
}

static void check_rdb(const char *dir, const char *name)
{
    const char *argv[] = {"redis-check-rdb", name, NULL};
    static char output[65536];
    int status = run_program(argv, dir, output, sizeof(output));
    if (status != 0 || strstr(output, "RDB looks OK") == NULL)
        fail_msg("redis-check-rdb %s/%s failed (%d):\n%s", dir, name, status, output);
}

/* ---- dblite -> Redis ---- */

static void test_dblite_snapshot_loads_in_redis(void **state)
{
    fixture *f = *state;
    assert_int_equal(fill_dataset(f->context), 0);
    char *expected = dataset_describe_or_fail(f->context);
    reply_expect_status(f->context, "OK", "SAVE");
    check_rdb(server_dir(f->server), "dump.rdb");
    start_redis(f, server_dir(f->server));
    char *actual = dataset_describe_or_fail(f->redis_context);
    assert_same_dataset(expected, actual);
    free(expected);
    free(actual);
}

/* ---- Redis -> dblite ---- */

static void expect_encoding(redisContext *context, const char *key, const char *encoding)
{
    redisReply *reply = redisCommand(context, "OBJECT ENCODING %s", key);
    assert_non_null(reply);
    if (reply->type != REDIS_REPLY_STRING || strcmp(reply->str, encoding) != 0)
        fail_msg("redis-server stores %s as %s, the test expects %s", key,
                 reply->str ? reply->str : "?", encoding);
    freeReplyObject(reply);
}

static void test_redis_snapshot_loads_in_dblite(void **state)
{
    fixture *f = *state;
    start_redis(f, NULL);
    assert_int_equal(fill_dataset(f->redis_context), 0);
    /* The compact forms the loader must decode really are in the file. */
    expect_encoding(f->redis_context, "int:3", "int");
    expect_encoding(f->redis_context, "list:small", "quicklist");
    expect_encoding(f->redis_context, "hash:small", "listpack");
    expect_encoding(f->redis_context, "set:ints", "intset");
    expect_encoding(f->redis_context, "set:bigints", "intset");
    char *expected = dataset_describe_or_fail(f->redis_context);
    reply_expect_success(f->redis_context, "SAVE");
    char from[4200], to[4200];
    assert_int_equal(copy_file(path_in(f->redis_dir, "dump.rdb", from, sizeof(from)),
                               path_in(server_dir(f->server), "dump.rdb", to, sizeof(to))),
                     0);
    assert_non_null(server_restart(f->server));
    reconnect(f);
    char *actual = dataset_describe_or_fail(f->context);
    assert_same_dataset(expected, actual);
    free(expected);
    free(actual);
}

/* An RDB of Redis 7.0 with an old ziplist-encoded list (type 10), a
 * ziplist hash (13), a zipmap hash (9) and a quicklist of ziplists (14),
 * written by hand from the formats' description, checksum 0. */
static size_t put_ziplist(unsigned char *out, const char *const *entries, size_t count)
{
    size_t at = 10;
    size_t previous = 0;
    for (size_t i = 0; i < count; i++) {
        size_t start = at;
        out[at++] = (unsigned char)previous;
        size_t length = strlen(entries[i]);
        char *end;
        long value = strtol(entries[i], &end, 10);
        if (*end == '\0' && length > 0 && value >= 0 && value <= 12) {
            out[at++] = (unsigned char)(0xF1 + value);
        } else if (*end == '\0' && length > 0 && value >= -128 && value <= 127) {
            out[at++] = 0xFE;
            out[at++] = (unsigned char)(int8_t)value;
        } else {
            out[at++] = (unsigned char)length;
            memcpy(out + at, entries[i], length);
            at += length;
        }
        previous = at - start;
    }
    out[at++] = 0xFF;
    uint32_t bytes = (uint32_t)at;
    memcpy(out, &bytes, 4);
    uint32_t tail = 0;
    memcpy(out + 4, &tail, 4);
    uint16_t count16 = (uint16_t)count;
    memcpy(out + 8, &count16, 2);
    return at;
}

static void test_old_compact_encodings_load(void **state)
{
    fixture *f = *state;
    if (!module_available("lists") || !module_available("hashes"))
        skip();
    unsigned char file[4096];
    size_t at = 0;
    memcpy(file, "REDIS0006", 9);
    at = 9;
    file[at++] = 0xFE; /* SELECTDB 0 */
    file[at++] = 0;
    /* list as ziplist (type 10) */
    static const char *const list_items[] = {"alpha", "5", "-100", "beta"};
    unsigned char blob[512];
    size_t blob_length = put_ziplist(blob, list_items, 4);
    file[at++] = 10;
    file[at++] = 6;
    memcpy(file + at, "zllist", 6);
    at += 6;
    file[at++] = (unsigned char)blob_length;
    memcpy(file + at, blob, blob_length);
    at += blob_length;
    /* hash as ziplist (type 13) */
    static const char *const hash_items[] = {"f1", "v1", "f2", "12"};
    blob_length = put_ziplist(blob, hash_items, 4);
    file[at++] = 13;
    file[at++] = 6;
    memcpy(file + at, "zlhash", 6);
    at += 6;
    file[at++] = (unsigned char)blob_length;
    memcpy(file + at, blob, blob_length);
    at += blob_length;
    /* hash as zipmap (type 9): count, then len key len free value */
    static const unsigned char zipmap[] = {2, 1,   'a', 3, 0,   'o', 'n', 'e',
                                           1, 'b', 1,   2, '2', 'x', 'x', 0xFF};
    file[at++] = 9;
    file[at++] = 6;
    memcpy(file + at, "zmhash", 6);
    at += 6;
    file[at++] = sizeof(zipmap);
    memcpy(file + at, zipmap, sizeof(zipmap));
    at += sizeof(zipmap);
    /* list as quicklist of two ziplists (type 14) */
    file[at++] = 14;
    file[at++] = 6;
    memcpy(file + at, "qlist1", 6);
    at += 6;
    file[at++] = 2;
    static const char *const node1[] = {"n1", "n2"};
    static const char *const node2[] = {"7", "n4"};
    blob_length = put_ziplist(blob, node1, 2);
    file[at++] = (unsigned char)blob_length;
    memcpy(file + at, blob, blob_length);
    at += blob_length;
    blob_length = put_ziplist(blob, node2, 2);
    file[at++] = (unsigned char)blob_length;
    memcpy(file + at, blob, blob_length);
    at += blob_length;
    file[at++] = 0xFF;
    memset(file + at, 0, 8); /* no checksum */
    at += 8;
    char path[4200];
    /* Loaded at startup: the Redis port's RESTORE takes no file name. */
    assert_int_equal(
        write_file(path_in(server_dir(f->server), "dump.rdb", path, sizeof(path)), file, at), 0);
    server_kill(f->server);
    assert_non_null(server_restart(f->server));
    reconnect(f);
    redisReply *reply = redisCommand(f->context, "LRANGE zllist 0 -1");
    assert_non_null(reply);
    assert_int_equal(reply->elements, 4);
    assert_string_equal(reply->element[0]->str, "alpha");
    assert_string_equal(reply->element[1]->str, "5");
    assert_string_equal(reply->element[2]->str, "-100");
    freeReplyObject(reply);
    reply = redisCommand(f->context, "HGET zlhash f2");
    assert_string_equal(reply->str, "12");
    freeReplyObject(reply);
    reply = redisCommand(f->context, "HGET zmhash b");
    assert_string_equal(reply->str, "2");
    freeReplyObject(reply);
    reply = redisCommand(f->context, "HGET zmhash a");
    assert_string_equal(reply->str, "one");
    freeReplyObject(reply);
    reply = redisCommand(f->context, "LRANGE qlist1 0 -1");
    assert_int_equal(reply->elements, 4);
    assert_string_equal(reply->element[2]->str, "7");
    assert_string_equal(reply->element[3]->str, "n4");
    freeReplyObject(reply);
}

/* ---- BGSAVE ---- */

static void test_bgsave_serves_while_child_writes(void **state)
{
    fixture *f = *state;
    assert_int_equal(fill_dataset(f->context), 0);
    assert_int_equal(add_filler_keys(f->context, 20000), 0);
    char *expected = dataset_describe_or_fail(f->context);
    redisReply *reply = command_ok(f->context, "LASTSAVE");
    assert_non_null(reply);
    long long lastsave_before = reply->integer;
    freeReplyObject(reply);
    sleep_milliseconds(1100); /* LASTSAVE has one-second resolution */
    /* 50 us per key: about a second of writing in the child. */
    reply_expect_success(f->context, "CONFIG SET persistence.rdb-key-save-delay 50");
    reply_expect_status(f->context, "Background saving started", "BGSAVE");
    assert_int_equal(info_number(f->context, "rdb_bgsave_in_progress"), 1);
    reply_expect_error_prefix(f->context, "ERR Background save already in progress", "BGSAVE");
    reply_expect_error_prefix(f->context, "ERR Background save already in progress", "SAVE");
    /* The server answers quickly while the child writes. */
    int served = 0;
    while (info_number(f->context, "rdb_bgsave_in_progress") == 1) {
        long long started = now_milliseconds();
        reply_expect_success(f->context, "SET during:bgsave %d", served);
        reply = command_ok(f->context, "GET during:bgsave");
        assert_non_null(reply);
        freeReplyObject(reply);
        assert_true(now_milliseconds() - started < 200);
        served++;
        sleep_milliseconds(5);
    }
    assert_true(served > 10);
    assert_int_equal(wait_info_field(f->context, "rdb_last_bgsave_status", "ok", 1000), 0);
    reply = command_ok(f->context, "LASTSAVE");
    assert_true(reply->integer > lastsave_before);
    freeReplyObject(reply);
    reply_expect_success(f->context, "CONFIG SET persistence.rdb-key-save-delay 0");
    check_rdb(server_dir(f->server), "dump.rdb");
    /* The snapshot is the dataset as of the fork. */
    assert_non_null(server_restart(f->server));
    reconnect(f);
    char *actual = dataset_describe_or_fail(f->context);
    assert_same_dataset(expected, actual);
    free(expected);
    free(actual);
}

static pid_t child_of(pid_t parent)
{
    char path[128];
    snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)parent, (int)parent);
    size_t length;
    char *text = read_file(path, &length);
    if (text == NULL)
        return 0;
    pid_t child = (pid_t)atoi(text);
    free(text);
    return child;
}

static void test_kill9_during_bgsave_keeps_old_snapshot(void **state)
{
    fixture *f = *state;
    assert_int_equal(fill_dataset(f->context), 0);
    reply_expect_status(f->context, "OK", "SAVE");
    char *expected = dataset_describe_or_fail(f->context);
    char path[4200];
    path_in(server_dir(f->server), "dump.rdb", path, sizeof(path));
    size_t old_length;
    char *old_bytes = read_file(path, &old_length);
    assert_non_null(old_bytes);
    assert_int_equal(add_filler_keys(f->context, 20000), 0);
    reply_expect_success(f->context, "CONFIG SET persistence.rdb-key-save-delay 100");
    reply_expect_status(f->context, "Background saving started", "BGSAVE");
    sleep_milliseconds(300);
    pid_t child = child_of(server_pid(f->server));
    assert_true(child > 0);
    server_kill(f->server);
    kill(child, SIGKILL);
    sleep_milliseconds(100);
    size_t new_length;
    char *new_bytes = read_file(path, &new_length);
    assert_non_null(new_bytes);
    assert_int_equal(new_length, old_length);
    assert_memory_equal(new_bytes, old_bytes, old_length);
    free(new_bytes);
    free(old_bytes);
    assert_non_null(server_restart(f->server));
    reconnect(f);
    char *actual = dataset_describe_or_fail(f->context);
    assert_same_dataset(expected, actual);
    free(expected);
    free(actual);
}

/* ---- damaged files ---- */

static int log_mentions(server_process *server, const char *text)
{
    size_t length;
    char *log = read_file(server_log_path(server), &length);
    int found = log != NULL && memmem(log, length, text, strlen(text)) != NULL;
    free(log);
    return found;
}

static void damage_and_expect_refusal(fixture *f, size_t cut_to, long flip_at, const char *message)
{
    char path[4200];
    path_in(server_dir(f->server), "dump.rdb", path, sizeof(path));
    size_t length;
    char *bytes = read_file(path, &length);
    assert_non_null(bytes);
    if (flip_at >= 0)
        bytes[flip_at] ^= 0x20;
    size_t damaged_length = cut_to ? cut_to : length;
    assert_int_equal(write_file(path, bytes, damaged_length), 0);
    assert_null(server_restart(f->server));
    if (!log_mentions(f->server, message))
        fail_msg("the startup failure does not say '%s'", message);
    size_t after_length;
    char *after = read_file(path, &after_length);
    assert_non_null(after);
    assert_int_equal(after_length, damaged_length);
    assert_memory_equal(after, bytes, damaged_length);
    free(after);
    /* Put the good file back: the server starts again. */
    if (flip_at >= 0)
        bytes[flip_at] ^= 0x20;
    assert_int_equal(write_file(path, bytes, length), 0);
    free(bytes);
    assert_non_null(server_restart(f->server));
    reconnect(f);
}

static void test_damaged_snapshot_stops_startup(void **state)
{
    fixture *f = *state;
    assert_int_equal(fill_dataset(f->context), 0);
    reply_expect_status(f->context, "OK", "SAVE");
    char *expected = dataset_describe_or_fail(f->context);
    char path[4200];
    size_t length;
    char *bytes =
        read_file(path_in(server_dir(f->server), "dump.rdb", path, sizeof(path)), &length);
    assert_non_null(bytes);
    free(bytes);
    damage_and_expect_refusal(f, 0, (long)(length / 2), "checksum mismatch");
    damage_and_expect_refusal(f, length / 3, -1, "unexpected end of data");
    damage_and_expect_refusal(f, 0, 1, "not an RDB file");
    char *actual = dataset_describe_or_fail(f->context);
    assert_same_dataset(expected, actual);
    free(expected);
    free(actual);
}

/* ---- save points and shutdown ---- */

static void test_save_points_and_shutdown_save(void **state)
{
    fixture *f = *state;
    char path[4200];
    path_in(server_dir(f->server), "dump.rdb", path, sizeof(path));
    assert_int_not_equal(access(path, F_OK), 0);
    reply_expect_success(f->context, "SET saved:by save-point");
    /* "save 1 1": one change and more than a second since the last save. */
    long long deadline = now_milliseconds() + 5000;
    while (access(path, F_OK) != 0 && now_milliseconds() < deadline)
        sleep_milliseconds(50);
    assert_int_equal(access(path, F_OK), 0);
    assert_int_equal(wait_info_field(f->context, "rdb_bgsave_in_progress", "0", 5000), 0);
    assert_int_equal(info_number(f->context, "rdb_changes_since_last_save"), 0);
    /* A write just before a clean shutdown is in the final snapshot. */
    reply_expect_success(f->context, "SET saved:at shutdown");
    assert_int_equal(server_shutdown(f->server), 0);
    assert_non_null(server_restart(f->server));
    reconnect(f);
    redisReply *reply = command_ok(f->context, "GET saved:at");
    assert_non_null(reply);
    assert_string_equal(reply->str, "shutdown");
    freeReplyObject(reply);
}

static int setup_rare_save_points(void **state)
{
    static const char *const extra[] = {"--persistence.save", "3600 1", NULL};
    return start_fixture(state, extra);
}

/* Encoding limits raised past the defaults, as users tune them to save
 * memory: hashes of up to 1000 pairs and integer sets of up to 2000
 * members stay packed, list nodes hold 4 elements. */
static int setup_raised_limits(void **state)
{
    static const char *const extra[] = {"--hashes.hash-max-listpack-entries",
                                        "1000",
                                        "--sets.set-max-intset-entries",
                                        "2000",
                                        "--lists.list-max-listpack-size",
                                        "4",
                                        NULL};
    return start_fixture(state, extra);
}

/* Within a quarter of each other. */
static int about_the_same(long long measured, long long expected)
{
    return measured * 4 <= expected * 5 && measured * 5 >= expected * 4;
}

/* Values come back from a snapshot and from RESTORE in the encodings the
 * settings in force give them, as in Redis, not the defaults: MEMORY USAGE
 * stays within a quarter of what it was (buffers may grow in other steps).
 * With the defaults, the hash and the set would take several times more as
 * tables, and the list about half as much in one 8 KB node. */
static void test_loading_follows_the_encoding_settings(void **state)
{
    fixture *f = *state;
    static const char *const keys[] = {"packed-hash", "integer-set", "short-nodes"};
    for (int i = 0; i < 600; i++)
        reply_expect_integer(f->context, 1, "HSET packed-hash field:%d %d", i, i);
    for (int i = 0; i < 1000; i++)
        reply_expect_integer(f->context, 1, "SADD integer-set %d", i * 7);
    for (int i = 0; i < 100; i++)
        reply_expect_integer(f->context, i + 1, "RPUSH short-nodes element-%d", i);
    long long before[3];
    for (int k = 0; k < 3; k++) {
        before[k] = reply_integer(f->context, "MEMORY USAGE %s", keys[k]);
        redisReply *dump = reply_command(f->context, "DUMP %s", keys[k]);
        assert_int_equal(dump->type, REDIS_REPLY_STRING);
        reply_expect_status(f->context, "OK", "RESTORE restored-%s 0 %b", keys[k], dump->str,
                            dump->len);
        freeReplyObject(dump);
        long long restored = reply_integer(f->context, "MEMORY USAGE restored-%s", keys[k]);
        if (!about_the_same(restored, before[k]))
            fail_msg("RESTORE of %s: MEMORY USAGE %lld, the original %lld", keys[k], restored,
                     before[k]);
    }
    reply_expect_status(f->context, "OK", "SAVE");
    server_kill(f->server);
    assert_non_null(server_restart(f->server));
    reconnect(f);
    for (int k = 0; k < 3; k++) {
        long long loaded = reply_integer(f->context, "MEMORY USAGE %s", keys[k]);
        if (!about_the_same(loaded, before[k]))
            fail_msg("%s after a restart: MEMORY USAGE %lld, before %lld", keys[k], loaded,
                     before[k]);
    }
}

/* Sends SHUTDOWN with its arguments and waits for the process to end. */
static void shutdown_with(fixture *f, const char *command)
{
    redisReply *reply = redisCommand(f->context, command);
    freeReplyObject(reply);
    assert_int_equal(server_shutdown(f->server), 0);
}

/* GET key answers value, or nil when value is NULL. */
static void expect_key_string(redisContext *context, const char *key, const char *value)
{
    if (value == NULL)
        reply_expect_nil(context, "GET %s", key);
    else
        reply_expect_bulk(context, value, "GET %s", key);
}

/* Save points configured but not due: SHUTDOWN saves, SHUTDOWN NOSAVE does
 * not; without save points only SHUTDOWN SAVE does. */
/* Redis 7.0's text, byte for byte: clients match on it. */
static const char snapshot_misconf[] =
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that "
    "may modify the data set are disabled, because this instance is configured to report errors during writes if RDB "
    "snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB "
    "error.";

/* A failed background save (here: dump.rdb is a directory, so the rename
 * onto it fails, even for root) refuses writes and PING with MISCONF while
 * save points are set and stop-writes-on-bgsave-error is on, as in Redis;
 * reads go on; a successful save opens the gate again. */
static void test_failed_bgsave_refuses_writes(void **state)
{
    fixture *f = *state;
    reply_expect_status(f->context, "OK", "SET before-failure 1");
    char path[4200];
    assert_int_equal(mkdir(path_in(server_dir(f->server), "dump.rdb", path, sizeof(path)), 0700),
                     0);
    reply_expect_status(f->context, "Background saving started", "BGSAVE");
    assert_int_equal(wait_info_field(f->context, "rdb_last_bgsave_status", "err", 10000), 0);

    reply_expect_error(f->context, snapshot_misconf, "SET refused 1");
    reply_expect_error(f->context, snapshot_misconf, "DEL before-failure");
    reply_expect_error(f->context, snapshot_misconf, "FLUSHALL");
    reply_expect_error(f->context, snapshot_misconf, "PING");
    reply_expect_bulk(f->context, "1", "GET before-failure");
    reply_expect_integer(f->context, 0, "EXISTS refused");

    /* Redis's ways out: no save points, or the option off. */
    reply_expect_status(f->context, "OK", "CONFIG SET save %s", "");
    reply_expect_status(f->context, "OK", "SET without-save-points 1");
    reply_expect_status(f->context, "OK", "CONFIG SET save %s", "3600 1");
    reply_expect_error(f->context, snapshot_misconf, "SET refused 1");
    reply_expect_status(f->context, "OK", "CONFIG SET stop-writes-on-bgsave-error no");
    reply_expect_status(f->context, "OK", "SET option-off 1");
    reply_expect_status(f->context, "OK", "CONFIG SET stop-writes-on-bgsave-error yes");
    reply_expect_error(f->context, snapshot_misconf, "SET refused 1");

    /* The disk is fixed: the next save succeeds and writes work again. */
    assert_int_equal(rmdir(path), 0);
    reply_expect_status(f->context, "Background saving started", "BGSAVE");
    assert_int_equal(wait_info_field(f->context, "rdb_last_bgsave_status", "ok", 10000), 0);
    reply_expect_status(f->context, "OK", "SET after-recovery 1");
    reply_expect_status(f->context, "PONG", "PING");
}

static void test_shutdown_save_flags(void **state)
{
    fixture *f = *state;
    reply_expect_success(f->context, "SET first 1");
    shutdown_with(f, "SHUTDOWN");
    assert_non_null(server_restart(f->server));
    reconnect(f);
    expect_key_string(f->context, "first", "1");
    reply_expect_success(f->context, "SET second 2");
    shutdown_with(f, "SHUTDOWN NOSAVE");
    assert_non_null(server_restart(f->server));
    reconnect(f);
    expect_key_string(f->context, "second", NULL);
    reply_expect_success(f->context, "CONFIG SET persistence.save \"\"");
    reply_expect_success(f->context, "SET third 3");
    shutdown_with(f, "SHUTDOWN");
    assert_non_null(server_restart(f->server));
    reconnect(f);
    expect_key_string(f->context, "third", NULL);
    reply_expect_success(f->context, "CONFIG SET persistence.save \"\"");
    reply_expect_success(f->context, "SET fourth 4");
    shutdown_with(f, "SHUTDOWN SAVE");
    assert_non_null(server_restart(f->server));
    reconnect(f);
    expect_key_string(f->context, "fourth", "4");
}

/* ---- DUMP / RESTORE between servers ---- */

static void copy_key(redisContext *from, redisContext *to, const char *key, const char *new_key)
{
    redisReply *dump = redisCommand(from, "DUMP %s", key);
    assert_non_null(dump);
    assert_int_equal(dump->type, REDIS_REPLY_STRING);
    redisReply *pttl = redisCommand(from, "PTTL %s", key);
    long long ttl = pttl->integer > 0 ? pttl->integer : 0;
    freeReplyObject(pttl);
    redisReply *restored =
        redisCommand(to, "RESTORE %s %lld %b REPLACE", new_key, ttl, dump->str, dump->len);
    assert_non_null(restored);
    if (restored->type != REDIS_REPLY_STATUS)
        fail_msg("RESTORE of %s failed: %s", key, restored->str);
    freeReplyObject(restored);
    freeReplyObject(dump);
}

static void test_dump_restore_interoperate(void **state)
{
    fixture *f = *state;
    start_redis(f, NULL);
    assert_int_equal(fill_dataset(f->redis_context), 0);
    char *expected = dataset_describe_or_fail(f->redis_context);
    /* Every key of db 0 travels Redis -> dblite -> Redis under a new name,
     * and the originals are replaced by their round trip. */
    redisReply *keys = redisCommand(f->redis_context, "KEYS *");
    assert_non_null(keys);
    for (size_t i = 0; i < keys->elements; i++) {
        const char *key = keys->element[i]->str;
        if (keys->element[i]->len != strlen(key))
            continue; /* the binary key: covered by the snapshot tests */
        copy_key(f->redis_context, f->context, key, key);
        reply_expect_success(f->redis_context, "DEL %s", key);
        copy_key(f->context, f->redis_context, key, key);
    }
    freeReplyObject(keys);
    char *actual = dataset_describe_or_fail(f->redis_context);
    /* Deadlines moved by a few ms in transit: compare without them. */
    for (char *p = expected; (p = strstr(p, "deadline=")) != NULL; p++)
        if (p[9] != '-')
            memset(p + 9, 'x', strcspn(p + 9, "\n"));
    for (char *p = actual; (p = strstr(p, "deadline=")) != NULL; p++)
        if (p[9] != '-')
            memset(p + 9, 'x', strcspn(p + 9, "\n"));
    /* The same text lengths are needed for the x-masking to line up. */
    char *line_e = expected, *line_a = actual;
    while (*line_e && *line_a) {
        size_t le = strcspn(line_e, "\n"), la = strcspn(line_a, "\n");
        char *de = memmem(line_e, le, "deadline=x", 10), *da = memmem(line_a, la, "deadline=x", 10);
        if (de != NULL && da != NULL) {
            assert_int_equal(de - line_e, da - line_a);
            assert_memory_equal(line_e, line_a, (size_t)(de - line_e));
        } else {
            assert_int_equal(le, la);
            assert_memory_equal(line_e, line_a, le);
        }
        line_e += le + (line_e[le] == '\n');
        line_a += la + (line_a[la] == '\n');
    }
    assert_true(*line_e == '\0' && *line_a == '\0');
    free(expected);
    free(actual);
    /* Errors as Redis words them. */
    reply_expect_success(f->context, "SET busy 1");
    redisReply *dump = redisCommand(f->context, "DUMP busy");
    assert_non_null(dump);
    reply_expect_error_prefix(f->context, "BUSYKEY Target key name already exists.",
                              "RESTORE busy 0 %b", dump->str, dump->len);
    reply_expect_error_prefix(f->context, "ERR Invalid TTL value, must be >= 0",
                              "RESTORE fresh -5 %b", dump->str, dump->len);
    dump->str[0] ^= 1;
    reply_expect_error_prefix(f->context, "ERR DUMP payload version or checksum are wrong",
                              "RESTORE fresh 0 %b", dump->str, dump->len);
    freeReplyObject(dump);
}

/* ---- module types ---- */

static void test_module_type_round_trip(void **state)
{
    fixture *f = *state;
    redisReply *reply =
        redisCommand(f->context, "PROBE.SET thing 18446744073709551615 -42 3.25 payload");
    assert_non_null(reply);
    int available = reply->type == REDIS_REPLY_STATUS;
    freeReplyObject(reply);
    if (!available)
        skip();
    reply_expect_success(f->context, "PROBE.SET other 7 9223372036854775807 -1e-300 %b", "a\0b",
                         (size_t)3);
    reply_expect_success(f->context, "SET plain value");
    reply_expect_status(f->context, "OK", "SAVE");
    /* redis-check-rdb walks module values by their opcodes; redis-server
     * decodes the 64-bit type id back to our type's name to refuse it. */
    check_rdb(server_dir(f->server), "dump.rdb");
    char socket_path[4200], redis_output[16384];
    path_in(server_dir(f->server), "redis.sock", socket_path, sizeof(socket_path));
    const char *redis_argv[] = {
        "timeout",   "20",    "redis-server",        "--port", "0", "--unixsocket",
        socket_path, "--dir", server_dir(f->server), "--save", "",  NULL};
    int redis_status = run_program(redis_argv, NULL, redis_output, sizeof(redis_output));
    if (redis_status == 124) /* still running: it accepted the file */
        fail_msg("redis-server answered %d:\n%s", redis_status, redis_output);
    if (strstr(redis_output, "no matching module type 'probetype'") == NULL)
        fail_msg("redis-server did not name the module type:\n%s", redis_output);
    assert_non_null(server_restart(f->server));
    reconnect(f);
    reply = command_ok(f->context, "PROBE.GET other");
    assert_non_null(reply);
    assert_int_equal(reply->elements, 4);
    assert_string_equal(reply->element[0]->str, "7");
    assert_int_equal(reply->element[1]->integer, INT64_MAX);
    assert_string_equal(reply->element[2]->str, "-1e-300");
    assert_int_equal(reply->element[3]->len, 3);
    assert_memory_equal(reply->element[3]->str, "a\0b", 3);
    freeReplyObject(reply);
    reply = command_ok(f->context, "PROBE.GET thing");
    assert_string_equal(reply->element[0]->str, "18446744073709551615");
    assert_int_equal(reply->element[1]->integer, -42);
    assert_string_equal(reply->element[2]->str, "3.25");
    freeReplyObject(reply);
    /* A server without the module refuses the file, naming the type. */
    server_shutdown(f->server);
    char output[8192];
    char port[16];
    snprintf(port, sizeof(port), "%d", server_port(f->server));
    const char *args[] = {"--port",
                          port,
                          "--dir",
                          server_dir(f->server),
                          "--module-path",
                          getenv("DBLITE_MODULE_PATH"),
                          NULL};
    int status = server_start_expect_failure(persistence_config_path_without_probe(), args, output,
                                             sizeof(output));
    assert_true(status > 0);
    if (strstr(output, "module type 'probetype'") == NULL)
        fail_msg("the refusal does not name the module type:\n%s", output);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dblite_snapshot_loads_in_redis, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redis_snapshot_loads_in_dblite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_old_compact_encodings_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bgsave_serves_while_child_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill9_during_bgsave_keeps_old_snapshot, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_damaged_snapshot_stops_startup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_save_points_and_shutdown_save, setup_save_points,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_shutdown_save_flags, setup_rare_save_points, teardown),
        cmocka_unit_test_setup_teardown(test_failed_bgsave_refuses_writes, setup_rare_save_points,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_loading_follows_the_encoding_settings,
                                        setup_raised_limits, teardown),
        cmocka_unit_test_setup_teardown(test_dump_restore_interoperate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_module_type_round_trip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
