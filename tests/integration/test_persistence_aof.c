/*
 * test_persistence_aof.c - the append-only file of persistence.so against
 * the real server: every write is logged and replayed after kill -9; the
 * file passes redis-check-aof and loads into a stock redis-server; with
 * appendfsync always no acknowledged write is lost when the server is
 * killed mid-stream; a cut-off tail is loaded and truncated with a warning
 * while damage in the middle stops startup; BGREWRITEAOF keeps the writes
 * made while it runs; the log rewrites itself when it grows; appendonly
 * can be switched on and off at runtime; the log wins over the RDB file;
 * an RDB-preamble log written by redis-server loads.
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
#include <sys/resource.h>
#include <sys/stat.h>
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

static int setup_always(void **state)
{
    static const char *const extra[] = {"--persistence.appendonly", "yes",
                                        "--persistence.appendfsync", "always", NULL};
    return start_fixture(state, extra);
}

static int setup_everysec(void **state)
{
    static const char *const extra[] = {"--persistence.appendonly", "yes",
                                        "--persistence.appendfsync", "everysec", NULL};
    return start_fixture(state, extra);
}

static int setup_off(void **state)
{
    return start_fixture(state, NULL);
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
    if (f->redis_dir[0] != '\0') {
        const char *argv[] = {"rm", "-rf", f->redis_dir, NULL};
        char output[256];
        run_program(argv, NULL, output, sizeof(output));
    }
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

static void make_redis_dir(fixture *f)
{
    snprintf(f->redis_dir, sizeof(f->redis_dir), "%s/dblite-redis-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(f->redis_dir));
}

static const char *aof_path(fixture *f, char *buffer, size_t size)
{
    return path_in(server_dir(f->server), "appendonly.aof", buffer, size);
}

static void check_aof(const char *dir, const char *name)
{
    const char *argv[] = {"redis-check-aof", name, NULL};
    static char output[65536];
    int status = run_program(argv, dir, output, sizeof(output));
    if (status != 0 || strstr(output, "is valid") == NULL)
        fail_msg("redis-check-aof %s/%s failed (%d):\n%s", dir, name, status, output);
}

static int log_mentions(server_process *server, const char *text)
{
    size_t length;
    char *log = read_file(server_log_path(server), &length);
    int found = log != NULL && memmem(log, length, text, strlen(text)) != NULL;
    free(log);
    return found;
}

/* Writes of many kinds beyond plain SET, so the log carries rewritten
 * commands (SET EX -> PXAT, EXPIRE -> PEXPIREAT, RESTORE -> ABSTTL). */
static void mixed_writes(redisContext *c)
{
    reply_expect_success(c, "SET counter 10");
    for (int i = 0; i < 50; i++)
        reply_expect_success(c, "INCR counter");
    reply_expect_success(c, "SET volatile v EX 5000");
    reply_expect_success(c, "SET gone soon");
    reply_expect_success(c, "DEL gone");
    reply_expect_success(c, "SET renamed-from x");
    reply_expect_success(c, "RENAME renamed-from renamed-to");
    reply_expect_success(c, "SET expiring y");
    reply_expect_success(c, "EXPIRE expiring 8000");
    reply_expect_success(c, "SELECT 5");
    reply_expect_success(c, "SET in-db-5 five");
    reply_expect_success(c, "MOVE in-db-5 6");
    reply_expect_success(c, "SELECT 0");
    redisReply *dump = redisCommand(c, "DUMP counter");
    assert_non_null(dump);
    assert_int_equal(dump->type, REDIS_REPLY_STRING);
    reply_expect_success(c, "RESTORE restored-copy 900000 %b", dump->str, dump->len);
    freeReplyObject(dump);
    if (module_available("lists")) {
        reply_expect_success(c, "RPUSH queue a b c d");
        reply_expect_success(c, "LPOP queue");
    }
}

/* ---- logging and replay ---- */

static void test_log_replays_after_kill(void **state)
{
    fixture *f = *state;
    assert_int_equal(fill_dataset(f->context), 0);
    mixed_writes(f->context);
    char *expected = dataset_describe_or_fail(f->context);
    server_kill(f->server);
    check_aof(server_dir(f->server), "appendonly.aof");
    assert_non_null(server_restart(f->server));
    reconnect(f);
    char *actual = dataset_describe_or_fail(f->context);
    assert_same_dataset(expected, actual);
    free(expected);
    free(actual);
}

static void test_log_loads_in_redis(void **state)
{
    fixture *f = *state;
    assert_int_equal(fill_dataset(f->context), 0);
    mixed_writes(f->context);
    char *expected = dataset_describe_or_fail(f->context);
    make_redis_dir(f);
    char from[4200], to[4200];
    assert_int_equal(copy_file(aof_path(f, from, sizeof(from)),
                               path_in(f->redis_dir, "appendonly.aof", to, sizeof(to))),
                     0);
    static const char *const extra[] = {"--appendonly", "yes", "--appendfilename", "appendonly.aof",
                                        NULL};
    f->redis = redis_start(f->redis_dir, extra);
    assert_non_null(f->redis);
    f->redis_context = connect_port(f->redis->port);
    assert_non_null(f->redis_context);
    char *actual = dataset_describe_or_fail(f->redis_context);
    assert_same_dataset(expected, actual);
    free(expected);
    free(actual);
}

/* ---- appendfsync always ---- */

static void test_always_keeps_every_acknowledged_write(void **state)
{
    fixture *f = *state;
    enum { SENT = 30000, KILL_AFTER = 12000 };
    for (int i = 0; i < SENT; i++)
        redisAppendCommand(f->context, "SET ack:%d value-%d", i, i);
    int acknowledged = 0;
    while (acknowledged < KILL_AFTER) {
        redisReply *reply;
        assert_int_equal(redisGetReply(f->context, (void **)&reply), REDIS_OK);
        assert_int_equal(reply->type, REDIS_REPLY_STATUS);
        freeReplyObject(reply);
        acknowledged++;
    }
    /* Writes are still in flight: some executed but not acknowledged. */
    server_kill(f->server);
    for (;;) {
        redisReply *reply;
        if (redisGetReply(f->context, (void **)&reply) != REDIS_OK || reply == NULL)
            break;
        if (reply->type == REDIS_REPLY_STATUS)
            acknowledged++;
        freeReplyObject(reply);
    }
    assert_true(acknowledged < SENT);
    assert_non_null(server_restart(f->server));
    reconnect(f);
    for (int i = 0; i < acknowledged; i++)
        redisAppendCommand(f->context, "GET ack:%d", i);
    for (int i = 0; i < acknowledged; i++) {
        redisReply *reply;
        assert_int_equal(redisGetReply(f->context, (void **)&reply), REDIS_OK);
        char wanted[32];
        snprintf(wanted, sizeof(wanted), "value-%d", i);
        if (reply->type != REDIS_REPLY_STRING || strcmp(reply->str, wanted) != 0)
            fail_msg("acknowledged write ack:%d was lost (%d acknowledged)", i, acknowledged);
        freeReplyObject(reply);
    }
}

/* ---- damaged logs ---- */

static void test_truncated_tail_is_cut_and_loaded(void **state)
{
    fixture *f = *state;
    reply_expect_success(f->context, "SET kept 1");
    reply_expect_success(f->context, "SET kept2 2");
    assert_int_equal(server_shutdown(f->server), 0);
    char path[4200];
    aof_path(f, path, sizeof(path));
    long long complete = path_size(path);
    FILE *file = fopen(path, "ab");
    assert_non_null(file);
    fputs("*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$5\r\nval", file);
    fclose(file);
    /* Refused when truncated logs must not load... */
    server_process *strict = f->server;
    char output[8192], port[16];
    snprintf(port, sizeof(port), "%d", server_port(strict));
    const char *args[] = {"--port",
                          port,
                          "--dir",
                          server_dir(strict),
                          "--module-path",
                          getenv("DBLITE_MODULE_PATH"),
                          "--persistence.appendonly",
                          "yes",
                          "--persistence.aof-load-truncated",
                          "no",
                          NULL};
    assert_true(
        server_start_expect_failure(persistence_config_path(), args, output, sizeof(output)) > 0);
    if (strstr(output, "Unexpected end of file reading the append only file") == NULL)
        fail_msg("no clear refusal:\n%s", output);
    /* ...and loaded up to the last complete command by default. */
    assert_non_null(server_restart(f->server));
    reconnect(f);
    assert_true(log_mentions(f->server, "!!! Truncating the AOF appendonly.aof at offset"));
    assert_int_equal(path_size(path), complete);
    redisReply *reply = redisCommand(f->context, "MGET kept kept2 half");
    assert_non_null(reply);
    assert_string_equal(reply->element[0]->str, "1");
    assert_string_equal(reply->element[1]->str, "2");
    assert_int_equal(reply->element[2]->type, REDIS_REPLY_NIL);
    freeReplyObject(reply);
    /* The log goes on after the cut. */
    reply_expect_success(f->context, "SET after cut");
    server_kill(f->server);
    check_aof(server_dir(f->server), "appendonly.aof");
    assert_non_null(server_restart(f->server));
    reconnect(f);
    reply = redisCommand(f->context, "GET after");
    assert_string_equal(reply->str, "cut");
    freeReplyObject(reply);
}

static void test_damage_in_the_middle_stops_startup(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 100; i++)
        reply_expect_success(f->context, "SET key:%d %d", i, i);
    assert_int_equal(server_shutdown(f->server), 0);
    char path[4200];
    size_t length;
    char *bytes = read_file(aof_path(f, path, sizeof(path)), &length);
    assert_non_null(bytes);
    char *star = memchr(bytes + length / 2, '*', length / 2);
    assert_non_null(star);
    *star = '!';
    assert_int_equal(write_file(path, bytes, length), 0);
    f->last_start_fails = 1;
    assert_null(server_restart(f->server));
    assert_true(log_mentions(f->server, "bad file format"));
    size_t after_length;
    char *after = read_file(path, &after_length);
    assert_int_equal(after_length, length);
    assert_memory_equal(after, bytes, length);
    free(after);
    free(bytes);
}

/* ---- rewriting ---- */

static void test_bgrewriteaof_keeps_concurrent_writes(void **state)
{
    fixture *f = *state;
    assert_int_equal(fill_dataset(f->context), 0);
    assert_int_equal(add_filler_keys(f->context, 20000), 0);
    /* Redundant history the rewrite drops: 30000 INCRs of one key. */
    for (int i = 0; i < 30000; i++)
        redisAppendCommand(f->context, "INCR hot");
    for (int i = 0; i < 30000; i++) {
        redisReply *reply;
        assert_int_equal(redisGetReply(f->context, (void **)&reply), REDIS_OK);
        freeReplyObject(reply);
    }
    char path[4200];
    aof_path(f, path, sizeof(path));
    long long before = path_size(path);
    reply_expect_success(f->context, "CONFIG SET persistence.rdb-key-save-delay 40");
    redisReply *reply = redisCommand(f->context, "BGREWRITEAOF");
    assert_string_equal(reply->str, "Background append only file rewriting started");
    freeReplyObject(reply);
    reply = redisCommand(f->context, "BGREWRITEAOF");
    assert_string_equal(reply->str,
                        "ERR Background append only file rewriting already in progress");
    freeReplyObject(reply);
    int writes = 0;
    while (info_number(f->context, "aof_rewrite_in_progress") == 1) {
        if (writes >= 300) {
            sleep_milliseconds(20);
            continue;
        }
        reply_expect_success(f->context, "INCR during");
        reply_expect_success(f->context, "SET during:%d %d", writes, writes);
        reply_expect_success(f->context, "DEL filler:%d", writes);
        reply_expect_success(f->context, "SELECT %d", 1 + writes % 15);
        reply_expect_success(f->context, "SET other-db %d", writes);
        reply_expect_success(f->context, "SELECT 0");
        writes++;
    }
    assert_true(writes > 10);
    assert_int_equal(wait_info_field(f->context, "aof_last_bgrewrite_status", "ok", 1000), 0);
    reply_expect_success(f->context, "CONFIG SET persistence.rdb-key-save-delay 0");
    reply_expect_success(f->context, "SET after rewrite");
    char *expected = dataset_describe_or_fail(f->context);
    assert_true(path_size(path) < before);
    server_kill(f->server);
    check_aof(server_dir(f->server), "appendonly.aof");
    assert_non_null(server_restart(f->server));
    reconnect(f);
    char *actual = dataset_describe_or_fail(f->context);
    assert_same_dataset(expected, actual);
    free(expected);
    free(actual);
}

static void test_log_rewrites_itself_when_grown(void **state)
{
    fixture *f = *state;
    reply_expect_success(f->context, "CONFIG SET persistence.auto-aof-rewrite-min-size 64kb");
    reply_expect_success(f->context, "CONFIG SET persistence.auto-aof-rewrite-percentage 100");
    long long rewrites = info_number(f->context, "aof_rewrites");
    for (int i = 0; i < 5000; i++)
        reply_expect_success(f->context, "INCR grows");
    long long deadline = now_milliseconds() + 5000;
    while (info_number(f->context, "aof_rewrites") == rewrites && now_milliseconds() < deadline)
        sleep_milliseconds(20);
    assert_true(info_number(f->context, "aof_rewrites") > rewrites);
    assert_int_equal(wait_info_field(f->context, "aof_rewrite_in_progress", "0", 5000), 0);
    char path[4200];
    assert_true(path_size(aof_path(f, path, sizeof(path))) < 64 * 1024);
    server_kill(f->server);
    assert_non_null(server_restart(f->server));
    reconnect(f);
    redisReply *reply = redisCommand(f->context, "GET grows");
    assert_string_equal(reply->str, "5000");
    freeReplyObject(reply);
}

/* ---- switching, precedence ---- */

/* A config of the test's own, rewritten between restarts. */
typedef struct own_config {
    char dir[4096];
    char path[4200];
} own_config;

static void own_config_write(own_config *config, const char *lines)
{
    if (config->dir[0] == '\0') {
        snprintf(config->dir, sizeof(config->dir), "%s/dblite-config-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        assert_non_null(mkdtemp(config->dir));
        path_in(config->dir, "test.ini", config->path, sizeof(config->path));
    }
    assert_int_equal(persistence_config_write(config->path, 0, lines), 0);
}

static void own_config_remove(own_config *config)
{
    unlink(config->path);
    rmdir(config->dir);
}

/* GET key answers value, or nil when value is NULL. */
static void expect_key_value(redisContext *c, const char *key, const char *value)
{
    if (value == NULL)
        reply_expect_nil(c, "GET %s", key);
    else
        reply_expect_bulk(c, value, "GET %s", key);
}

static void test_switch_on_and_off_at_runtime(void **state)
{
    fixture *f = *state;
    own_config config = {0};
    own_config_write(&config, "appendonly = no\n");
    server_stop(f->server);
    redisFree(f->context);
    f->context = NULL;
    f->server = server_start(config.path, NULL);
    assert_non_null(f->server);
    reconnect(f);
    assert_int_equal(fill_dataset(f->context), 0);
    char path[4200];
    aof_path(f, path, sizeof(path));
    assert_int_equal(path_size(path), -1);
    /* Switched on: the log starts as a rewrite of the dataset. */
    reply_expect_success(f->context, "CONFIG SET persistence.appendonly yes");
    assert_int_equal(wait_info_field(f->context, "aof_enabled", "1", 5000), 0);
    reply_expect_success(f->context, "SET written-after switch-on");
    mixed_writes(f->context);
    char *expected = dataset_describe_or_fail(f->context);
    server_kill(f->server);
    own_config_write(&config, "appendonly = yes\n");
    assert_non_null(server_restart(f->server));
    reconnect(f);
    char *actual = dataset_describe_or_fail(f->context);
    assert_same_dataset(expected, actual);
    free(actual);
    free(expected);
    /* Switched off: nothing more is appended. */
    reply_expect_success(f->context, "CONFIG SET persistence.appendonly no");
    assert_int_equal(wait_info_field(f->context, "aof_enabled", "0", 5000), 0);
    long long size = path_size(path);
    reply_expect_success(f->context, "SET not-logged 1");
    sleep_milliseconds(300);
    assert_int_equal(path_size(path), size);
    own_config_remove(&config);
}

/* The server's file size limit (ulimit -f): writes past it fail with EFBIG,
 * a real failed write() to the log without filling a disk. */
static void limit_server_file_size(fixture *f, rlim_t bytes)
{
    struct rlimit limit;
    assert_int_equal(prlimit(server_pid(f->server), RLIMIT_FSIZE, NULL, &limit), 0);
    limit.rlim_cur = bytes; /* the soft limit only: raising it back needs no privilege */
    assert_int_equal(prlimit(server_pid(f->server), RLIMIT_FSIZE, &limit, NULL), 0);
}

/* When the log cannot be written, writes and PING answer MISCONF with the
 * reason, as in Redis; the write that met the failure stays buffered and
 * reaches the file once writing works again, so kill -9 then loses
 * nothing that was acknowledged. */
static void test_write_error_refuses_writes_until_the_log_works(void **state)
{
    fixture *f = *state;
    reply_expect_status(f->context, "OK", "SET logged 1");
    sleep_milliseconds(100); /* written before the reply, but leave no doubt */
    char path[4200];
    aof_path(f, path, sizeof(path));
    long long size = path_size(path);
    assert_true(size > 0);
    limit_server_file_size(f, (rlim_t)size);

    reply_expect_status(f->context, "OK",
                        "SET buffered 2"); /* its append fails after the command ran */
    const char *misconf = "MISCONF Errors writing to the AOF file: File too large";
    reply_expect_error(f->context, misconf, "SET refused 3");
    reply_expect_error(f->context, misconf, "PING");
    assert_int_equal(wait_info_field(f->context, "aof_last_write_status", "err", 1000), 0);
    reply_expect_bulk(f->context, "2", "GET buffered");
    assert_int_equal(path_size(path), size);

    limit_server_file_size(f, RLIM_INFINITY);
    assert_int_equal(wait_info_field(f->context, "aof_last_write_status", "ok", 5000), 0);
    reply_expect_status(f->context, "PONG", "PING");
    reply_expect_status(f->context, "OK", "SET accepted 4");
    server_kill(f->server);
    assert_non_null(server_restart(f->server));
    reconnect(f);
    expect_key_value(f->context, "logged", "1");
    expect_key_value(f->context, "buffered", "2");
    expect_key_value(f->context, "refused", NULL);
    expect_key_value(f->context, "accepted", "4");
}

static void test_log_wins_over_snapshot(void **state)
{
    fixture *f = *state;
    own_config config = {0};
    own_config_write(&config, "appendonly = no\n");
    server_stop(f->server);
    redisFree(f->context);
    f->context = NULL;
    f->server = server_start(config.path, NULL);
    assert_non_null(f->server);
    reconnect(f);
    /* Only a snapshot: with appendonly on it is loaded and becomes the log. */
    reply_expect_success(f->context, "SET source snapshot");
    reply_expect_success(f->context, "SAVE");
    server_kill(f->server);
    own_config_write(&config, "appendonly = yes\n");
    assert_non_null(server_restart(f->server));
    reconnect(f);
    expect_key_value(f->context, "source", "snapshot");
    char path[4200];
    assert_true(path_size(aof_path(f, path, sizeof(path))) > 0);
    /* Both: the log is newer and wins. */
    reply_expect_success(f->context, "SET source log");
    server_kill(f->server);
    assert_non_null(server_restart(f->server));
    reconnect(f);
    expect_key_value(f->context, "source", "log");
    /* appendonly off again: the snapshot is what loads. */
    server_kill(f->server);
    own_config_write(&config, "appendonly = no\n");
    assert_non_null(server_restart(f->server));
    reconnect(f);
    expect_key_value(f->context, "source", "snapshot");
    own_config_remove(&config);
}

/* redis-server 7.0 keeps its log as an RDB base file plus command files:
 * their concatenation is an RDB-preamble log, which older Redis wrote as
 * one file and which dblite loads. */
static void test_rdb_preamble_log_from_redis(void **state)
{
    fixture *f = *state;
    make_redis_dir(f);
    static const char *const extra[] = {"--appendonly", "yes", "--aof-use-rdb-preamble", "yes",
                                        NULL};
    f->redis = redis_start(f->redis_dir, extra);
    assert_non_null(f->redis);
    f->redis_context = connect_port(f->redis->port);
    assert_non_null(f->redis_context);
    assert_int_equal(fill_dataset(f->redis_context), 0);
    reply_expect_success(f->redis_context, "BGREWRITEAOF");
    long long deadline = now_milliseconds() + 10000;
    while ((info_number(f->redis_context, "aof_rewrite_in_progress") != 0 ||
            info_number(f->redis_context, "aof_rewrite_scheduled") != 0) &&
           now_milliseconds() < deadline)
        sleep_milliseconds(20);
    mixed_writes(f->redis_context);
    char *expected = dataset_describe_or_fail(f->redis_context);
    /* The manifest lists the base file (an RDB) and the command files, in
     * order: "file NAME seq N type b|i". */
    char dir[4200], manifest_path[4500];
    path_in(f->redis_dir, "appendonlydir", dir, sizeof(dir));
    snprintf(manifest_path, sizeof(manifest_path), "%s/appendonly.aof.manifest", dir);
    size_t manifest_length;
    char *manifest = read_file(manifest_path, &manifest_length);
    assert_non_null(manifest);
    manifest[manifest_length ? manifest_length - 1 : 0] = '\0';
    char *joined = NULL;
    size_t joined_length = 0;
    int parts = 0;
    for (char *line = strtok(manifest, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        char name[256];
        if (sscanf(line, "file %255s", name) != 1)
            continue;
        char part_path[4500];
        snprintf(part_path, sizeof(part_path), "%s/%s", dir, name);
        size_t part_length;
        char *part = read_file(part_path, &part_length);
        assert_non_null(part);
        if (parts == 0)
            assert_true(part_length > 9 && memcmp(part, "REDIS", 5) == 0);
        joined = realloc(joined, joined_length + part_length + 1);
        assert_non_null(joined);
        memcpy(joined + joined_length, part, part_length);
        joined_length += part_length;
        free(part);
        parts++;
    }
    free(manifest);
    assert_true(parts >= 2);
    char path[4200];
    assert_int_equal(write_file(aof_path(f, path, sizeof(path)), joined, joined_length), 0);
    free(joined);
    assert_non_null(server_restart(f->server));
    reconnect(f);
    char *actual = dataset_describe_or_fail(f->context);
    assert_same_dataset(expected, actual);
    free(expected);
    free(actual);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_log_replays_after_kill, setup_always, teardown),
        cmocka_unit_test_setup_teardown(test_log_loads_in_redis, setup_everysec, teardown),
        cmocka_unit_test_setup_teardown(test_always_keeps_every_acknowledged_write, setup_always,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_truncated_tail_is_cut_and_loaded, setup_everysec,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_damage_in_the_middle_stops_startup, setup_everysec,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bgrewriteaof_keeps_concurrent_writes, setup_everysec,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_log_rewrites_itself_when_grown, setup_always,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_switch_on_and_off_at_runtime, setup_off, teardown),
        cmocka_unit_test_setup_teardown(test_log_wins_over_snapshot, setup_off, teardown),
        cmocka_unit_test_setup_teardown(test_write_error_refuses_writes_until_the_log_works,
                                        setup_everysec, teardown),
        cmocka_unit_test_setup_teardown(test_rdb_preamble_log_from_redis, setup_everysec, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
