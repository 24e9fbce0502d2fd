/*
 * test_persistence_aof_dir.c - Redis 7.0's multi-part append-only file
 * (appendonlydir/ with a manifest, an RDB base and incr files) against
 * the real server and a stock redis-server 7.0: a directory redis-server
 * wrote (several databases, every type, a transaction, an RDB-preamble
 * base from BGREWRITEAOF plus an incr file) loads into dblite with the
 * same dataset; dblite's writes go on into the last incr file and survive
 * kill -9; BGREWRITEAOF makes a new incr file, then a new base and
 * manifest, removing the old files, as Redis 7.0; after kill -9 the
 * result loads into dblite and into redis-server; a malformed
 * manifest or a missing file stops startup with the file and line named,
 * never an empty start.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    int last_start_fails;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    *state = f;
    static const char *const extra[] = {"--persistence.appendonly", "yes",
                                        "--persistence.appendfsync", "always", NULL};
    f->server = start_dblite(extra);
    if (f->server == NULL)
        return -1;
    f->context = server_connect(f->server);
    return f->context != NULL ? 0 : -1;
}

static void remove_tree(const char *path)
{
    const char *argv[] = {"rm", "-rf", path, NULL};
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
    if (f->redis_dir[0] != '\0')
        remove_tree(f->redis_dir);
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

static void make_temp_dir(char *buffer, size_t size)
{
    snprintf(buffer, size, "%s/dblite-redis-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(buffer));
}

static int log_mentions(server_process *server, const char *text)
{
    size_t length;
    char *log = read_file(server_log_path(server), &length);
    int found = log != NULL && memmem(log, length, text, strlen(text)) != NULL;
    free(log);
    return found;
}

/* A whole file as a NUL-terminated string (read_file does not end it). */
static char *read_text(const char *path)
{
    size_t length;
    char *data = read_file(path, &length);
    assert_non_null(data);
    char *text = malloc(length + 1);
    assert_non_null(text);
    memcpy(text, data, length);
    text[length] = '\0';
    free(data);
    return text;
}

/* cp -a from/appendonlydir into to/ (replacing what is there). */
static void copy_aof_dir(const char *from, const char *to)
{
    char source[4200], target[4200];
    path_in(from, "appendonlydir", source, sizeof(source));
    path_in(to, "appendonlydir", target, sizeof(target));
    remove_tree(target);
    const char *argv[] = {"cp", "-a", source, target, NULL};
    char output[1024];
    if (run_program(argv, NULL, output, sizeof(output)) != 0)
        fail_msg("cp -a %s %s: %s", source, target, output);
}

static void wait_rewrite_done(redisContext *c)
{
    long long deadline = now_milliseconds() + 30000;
    while ((info_number(c, "aof_rewrite_in_progress") != 0 ||
            info_number(c, "aof_rewrite_scheduled") != 0) &&
           now_milliseconds() < deadline)
        sleep_milliseconds(20);
    assert_int_equal(info_number(c, "aof_rewrite_in_progress"), 0);
}

/* Writes after the rewrite, into the incr file: several databases, a
 * transaction, deadlines, deletions. */
static void incr_writes(redisContext *c, const char *tag)
{
    reply_expect_success(c, "SELECT 2");
    reply_expect_success(c, "SET %s:db2 two", tag);
    reply_expect_success(c, "MULTI");
    reply_expect_success(c, "SET %s:tx:a 1", tag);
    reply_expect_success(c, "INCRBY %s:tx:n 41", tag);
    reply_expect_success(c, "SELECT 7");
    reply_expect_success(c, "SET %s:tx:db7 seven", tag);
    reply_expect_success(c, "EXEC");
    reply_expect_success(c, "SELECT 0");
    reply_expect_success(c, "SET %s:volatile v EX 5000", tag);
    reply_expect_success(c, "DEL int:0");
    if (module_available("lists"))
        reply_expect_success(c, "RPUSH %s:list a b c", tag);
    if (module_available("hashes"))
        reply_expect_success(c, "HSET %s:hash f v g w", tag);
    if (module_available("sets"))
        reply_expect_success(c, "SADD %s:set x y z", tag);
}

/* redis-server 7.0 writes its directory: base RDB (after BGREWRITEAOF)
 * plus an incr file, shut down; the dataset it had is returned. */
static char *redis_writes_directory(fixture *f)
{
    make_temp_dir(f->redis_dir, sizeof(f->redis_dir));
    static const char *const extra[] = {"--appendonly", "yes", "--aof-use-rdb-preamble", "yes",
                                        NULL};
    f->redis = redis_start(f->redis_dir, extra);
    assert_non_null(f->redis);
    f->redis_context = connect_port(f->redis->port);
    assert_non_null(f->redis_context);
    assert_int_equal(fill_dataset(f->redis_context), 0);
    reply_expect_success(f->redis_context, "BGREWRITEAOF");
    wait_rewrite_done(f->redis_context);
    incr_writes(f->redis_context, "redis");
    char *expected = dataset_describe_or_fail(f->redis_context);
    redisFree(f->redis_context);
    f->redis_context = NULL;
    redis_stop(f->redis);
    f->redis = NULL;
    char manifest[4200];
    path_in(f->redis_dir, "appendonlydir/appendonly.aof.manifest", manifest, sizeof(manifest));
    char *text = read_text(manifest);
    /* The layout this test is about: an RDB base and an incr file. */
    assert_non_null(strstr(text, "file appendonly.aof.2.base.rdb seq 2 type b\n"));
    assert_non_null(strstr(text, "file appendonly.aof.2.incr.aof seq 2 type i\n"));
    free(text);
    return expected;
}

static void test_directory_from_redis_loads_and_goes_on(void **state)
{
    fixture *f = *state;
    reply_expect_success(f->context, "SET dblite-only before");
    char *expected = redis_writes_directory(f);
    server_kill(f->server);
    copy_aof_dir(f->redis_dir, server_dir(f->server));
    /* The single-file log dblite made at its first start must not win. */
    assert_non_null(server_restart(f->server));
    reconnect(f);
    char *actual = dataset_describe_or_fail(f->context);
    assert_same_dataset(expected, actual);
    free(actual);
    free(expected);
    assert_true(log_mentions(f->server, "DB loaded from base file appendonly.aof.2.base.rdb"));
    assert_true(log_mentions(f->server, "DB loaded from incr file appendonly.aof.2.incr.aof"));

    /* dblite's writes go to the last incr file and survive kill -9. */
    incr_writes(f->context, "dblite");
    reply_expect_success(f->context, "SET last written");
    expected = dataset_describe_or_fail(f->context);
    server_kill(f->server);
    assert_non_null(server_restart(f->server));
    reconnect(f);
    actual = dataset_describe_or_fail(f->context);
    assert_same_dataset(expected, actual);
    free(actual);
    free(expected);
    char incr_path[4200];
    path_in(server_dir(f->server), "appendonlydir/appendonly.aof.2.incr.aof", incr_path,
            sizeof(incr_path));
    size_t incr_length;
    char *incr = read_file(incr_path, &incr_length);
    assert_non_null(incr);
    assert_non_null(memmem(incr, incr_length, "dblite:tx:db7", 13));
    free(incr);

    /* BGREWRITEAOF as Redis 7.0 does it: a new incr file takes the writes
     * made while the child runs (slowed down so some are), then a new
     * base replaces the old base and incr files, which are removed. */
    reply_expect_success(f->context, "CONFIG SET persistence.rdb-key-save-delay 2000");
    reply_expect_success(f->context, "BGREWRITEAOF");
    for (int i = 0; i < 20; i++)
        reply_expect_success(f->context, "SET during:%d %d", i, i);
    wait_rewrite_done(f->context);
    reply_expect_success(f->context, "CONFIG SET persistence.rdb-key-save-delay 0");
    assert_int_equal(wait_info_field(f->context, "aof_last_bgrewrite_status", "ok", 30000), 0);
    incr_writes(f->context, "after");
    expected = dataset_describe_or_fail(f->context);
    char manifest_path[4200];
    path_in(server_dir(f->server), "appendonlydir/appendonly.aof.manifest", manifest_path,
            sizeof(manifest_path));
    char *manifest = read_text(manifest_path);
    assert_string_equal(manifest, "file appendonly.aof.3.base.aof seq 3 type b\n"
                                  "file appendonly.aof.3.incr.aof seq 3 type i\n");
    free(manifest);
    char gone[4200];
    assert_int_equal(access(path_in(server_dir(f->server),
                                    "appendonlydir/appendonly.aof.2.base.rdb", gone, sizeof(gone)),
                            F_OK),
                     -1);
    assert_int_equal(access(incr_path, F_OK), -1);
    server_kill(f->server);
    assert_non_null(server_restart(f->server));
    reconnect(f);
    actual = dataset_describe_or_fail(f->context);
    assert_same_dataset(expected, actual);
    free(actual);
    free(expected);

    /* The log grown past twice its base: the automatic rewrite, the same
     * way (base 4, incr 4). */
    reply_expect_success(f->context, "CONFIG SET persistence.auto-aof-rewrite-min-size 1kb");
    long long base = info_number(f->context, "aof_base_size");
    assert_true(base > 0);
    char value[1000];
    memset(value, 'v', sizeof(value));
    for (long long written = 0; written <= base + 1000; written += (long long)sizeof(value))
        reply_expect_success(f->context, "SET grow:%lld %b", written, value, sizeof(value));
    long long deadline = now_milliseconds() + 30000;
    while (access(path_in(server_dir(f->server), "appendonlydir/appendonly.aof.4.base.aof", gone,
                          sizeof(gone)),
                  F_OK) != 0 &&
           now_milliseconds() < deadline)
        sleep_milliseconds(20);
    wait_rewrite_done(f->context);
    manifest = read_text(manifest_path);
    assert_string_equal(manifest, "file appendonly.aof.4.base.aof seq 4 type b\n"
                                  "file appendonly.aof.4.incr.aof seq 4 type i\n");
    free(manifest);
    reply_expect_success(f->context, "SET after-auto yes");
    expected = dataset_describe_or_fail(f->context);
    server_kill(f->server);
    assert_non_null(server_restart(f->server));
    reconnect(f);
    actual = dataset_describe_or_fail(f->context);
    assert_same_dataset(expected, actual);
    free(actual);

    /* ... and redis-server 7.0 reads the directory with them. */
    server_kill(f->server);
    char back[4096];
    make_temp_dir(back, sizeof(back));
    copy_aof_dir(server_dir(f->server), back);
    static const char *const extra[] = {"--appendonly", "yes", NULL};
    f->redis = redis_start(back, extra);
    assert_non_null(f->redis);
    f->redis_context = connect_port(f->redis->port);
    assert_non_null(f->redis_context);
    actual = dataset_describe_or_fail(f->redis_context);
    assert_same_dataset(expected, actual);
    free(actual);
    free(expected);
    redisFree(f->redis_context);
    f->redis_context = NULL;
    redis_stop(f->redis);
    f->redis = NULL;
    remove_tree(back);
    assert_non_null(server_restart(f->server));
    reconnect(f);
}

static void write_manifest(fixture *f, const char *text)
{
    char path[4200];
    path_in(server_dir(f->server), "appendonlydir/appendonly.aof.manifest", path, sizeof(path));
    assert_int_equal(write_file(path, text, strlen(text)), 0);
}

/* A damaged manifest or a file it names gone: startup stops, naming it. */
static void test_bad_manifest_stops_startup(void **state)
{
    fixture *f = *state;
    free(redis_writes_directory(f));
    server_kill(f->server);
    copy_aof_dir(f->redis_dir, server_dir(f->server));
    struct {
        const char *manifest, *logged;
    } cases[] = {
        {"file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 1\n",
         "at line 2"},
        {"file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 1 "
         "type x\n",
         "Unknown AOF file type"},
        {"file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.3.base.rdb seq 3 "
         "type b\n",
         "Found duplicate base file information"},
        {"file appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.9.incr.aof seq 1 "
         "type i\n",
         "Found a non-monotonic sequence number"},
        {"file ../dump.rdb seq 1 type b\n", "File can't be a path, just a filename"},
        {"", "Found an empty AOF manifest"},
        {"file \"appendonly.aof.2.base.rdb seq 2 type b\n", "Invalid AOF manifest file format"},
        {"file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.5.incr.aof seq 5 "
         "type i\n",
         "Unable to obtain the AOF file appendonly.aof.5.incr.aof length"},
    };
    f->last_start_fails = 1;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        write_manifest(f, cases[i].manifest);
        assert_int_equal(write_file(server_log_path(f->server), "", 0), 0);
        assert_null(server_restart(f->server));
        if (!log_mentions(f->server, cases[i].logged))
            fail_msg("case %zu: the log does not say '%s'", i, cases[i].logged);
    }
    /* A quoted name and a history line (ignored) load. */
    write_manifest(f, "file \"appendonly.aof.2.base.rdb\" seq 2 type b\n"
                      "file appendonly.aof.0.base.rdb seq 3 type h\n"
                      "file 'appendonly.aof.2.incr.aof' seq 2 type i\n");
    f->last_start_fails = 0;
    assert_non_null(server_restart(f->server));
    reconnect(f);
    reply_expect_success(f->context, "SELECT 2");
    redisReply *reply = redisCommand(f->context, "GET redis:db2");
    assert_non_null(reply);
    assert_int_equal(reply->type, REDIS_REPLY_STRING);
    assert_string_equal(reply->str, "two");
    freeReplyObject(reply);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_directory_from_redis_loads_and_goes_on, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_manifest_stops_startup, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
