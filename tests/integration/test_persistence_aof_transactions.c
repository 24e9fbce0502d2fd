/*
 * test_persistence_aof_transactions.c - transactions in the append-only
 * file of persistence.so, against the real server killed with SIGKILL:
 * EXEC reaches the log as MULTI ... EXEC and replays whole; a hand-written
 * MULTI ... EXEC replays as live (an error reply of one command does not
 * stop the others); a transaction cut off at the file's tail (after its
 * MULTI, inside a command, before or inside its EXEC) is dropped whole
 * with Redis 7.0's messages and the file cut before its MULTI, or startup
 * is refused with aof-load-truncated no, and redis-server 7.0 loads the
 * same torn file into the same dataset; BGREWRITEAOF between transactions,
 * while they run and inside one (scheduled, as Redis) loses nothing and
 * applies nothing twice.
 */
#define _GNU_SOURCE
#include <setjmp.h>
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

static const char MULTI_RESP[] = "*1\r\n$5\r\nMULTI\r\n";
static const char EXEC_RESP[] = "*1\r\n$4\r\nEXEC\r\n";

typedef struct fixture {
    server_process *server;
    redisContext *context;
    int last_start_fails;
} fixture;

static int start_fixture(void **state, const char *fsync_policy)
{
    fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    *state = f;
    const char *const extra[] = {"--persistence.appendonly", "yes", "--persistence.appendfsync",
                                 fsync_policy, NULL};
    f->server = start_dblite(extra);
    if (f->server == NULL)
        return -1;
    f->context = server_connect(f->server);
    return f->context != NULL ? 0 : -1;
}

static int setup_always(void **state)
{
    return start_fixture(state, "always");
}

static int setup_everysec(void **state)
{
    return start_fixture(state, "everysec");
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (f == NULL)
        return 0;
    if (f->context != NULL)
        redisFree(f->context);
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

static const char *aof_path(fixture *f, char *buffer, size_t size)
{
    return path_in(server_dir(f->server), "appendonly.aof", buffer, size);
}

static void check_aof(const char *dir)
{
    const char *argv[] = {"redis-check-aof", "appendonly.aof", NULL};
    static char output[65536];
    int status = run_program(argv, dir, output, sizeof(output));
    if (status != 0 || strstr(output, "is valid") == NULL)
        fail_msg("redis-check-aof %s/appendonly.aof failed (%d):\n%s", dir, status, output);
}

/* Whether the server's log, from byte since on, holds text (the log
 * collects every start of the server). */
static int log_mentions_since(server_process *server, size_t since, const char *text)
{
    size_t length;
    char *log = read_file(server_log_path(server), &length);
    int found = log != NULL && length >= since &&
                memmem(log + since, length - since, text, strlen(text)) != NULL;
    free(log);
    return found;
}

static size_t log_length(server_process *server)
{
    long long size = path_size(server_log_path(server));
    return size > 0 ? (size_t)size : 0;
}

/* How many times needle occurs in the bytes; the last offset in *last. */
static int count_occurrences(const char *bytes, size_t length, const char *needle, size_t *last)
{
    int count = 0;
    size_t needle_length = strlen(needle);
    const char *at = bytes;
    while ((at = memmem(at, length - (size_t)(at - bytes), needle, needle_length)) != NULL) {
        if (last != NULL)
            *last = (size_t)(at - bytes);
        count++;
        at += needle_length;
    }
    return count;
}

/* MULTI, the commands (each a printf-style format with no arguments),
 * EXEC: every command answers QUEUED; the EXEC reply is returned. */
static redisReply *transaction(redisContext *c, const char *const *commands)
{
    reply_expect_status(c, "OK", "MULTI");
    int count = 0;
    for (; commands[count] != NULL; count++)
        reply_expect_status(c, "QUEUED", commands[count]);
    redisReply *reply = redisCommand(c, "EXEC");
    assert_non_null(reply);
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != (size_t)count)
        fail_msg("EXEC of %d commands answered type %d with %zu elements", count, reply->type,
                 reply->elements);
    return reply;
}

static void run_transaction(redisContext *c, const char *const *commands)
{
    redisReply *reply = transaction(c, commands);
    for (size_t i = 0; i < reply->elements; i++)
        if (reply->element[i]->type == REDIS_REPLY_ERROR)
            fail_msg("'%s' in EXEC failed: %s", commands[i], reply->element[i]->str);
    freeReplyObject(reply);
}

/* The writes of a transaction of several kinds, in two databases (the
 * connection is back in database 0 after it). */
static void several_writes(redisContext *c, int round)
{
    char set[64], incr[64], push[96], hash[96];
    snprintf(set, sizeof(set), "SET tx:%d:string value-%d", round, round);
    snprintf(incr, sizeof(incr), "INCRBY tx:counter %d", round + 1);
    if (module_available("lists"))
        snprintf(push, sizeof(push), "RPUSH tx:list item-%d", round);
    else
        snprintf(push, sizeof(push), "APPEND tx:list item-%d", round);
    if (module_available("hashes"))
        snprintf(hash, sizeof(hash), "HSET tx:hash field-%d %d", round, round);
    else
        snprintf(hash, sizeof(hash), "SET tx:hash-%d %d", round, round);
    const char *const commands[] = {set,        incr,        push,       hash, "DEL tx:gone",
                                    "SELECT 7", "INCR tx:7", "SELECT 0", NULL};
    run_transaction(c, commands);
}

/* ---- transactions logged and replayed ---- */

static void test_transactions_reach_the_log_and_replay_after_kill(void **state)
{
    fixture *f = *state;
    assert_int_equal(fill_dataset(f->context), 0);
    reply_expect_status(f->context, "OK", "SET tx:gone soon");
    long long changes = info_number(f->context, "rdb_changes_since_last_save");
    for (int round = 0; round < 5; round++)
        several_writes(f->context, round);
    /* Counted as Redis counts them: the writes, not MULTI and EXEC (the
     * DEL of a missing key changes nothing after the first round). */
    assert_int_equal(info_number(f->context, "rdb_changes_since_last_save"), changes + 5 * 5 + 1);
    /* One write alone goes out unwrapped, a read-only one not at all, a
     * failed command is not logged while the others are. */
    const char *const single[] = {"SET tx:single 1", "GET tx:single", NULL};
    run_transaction(f->context, single);
    const char *const read_only[] = {"GET tx:single", "EXISTS tx:counter", NULL};
    run_transaction(f->context, read_only);
    const char *const failing[] = {"SET tx:text abc", "INCR tx:text", "SET tx:after-error 1", NULL};
    redisReply *reply = transaction(f->context, failing);
    assert_int_equal(reply->element[1]->type, REDIS_REPLY_ERROR);
    assert_string_equal(reply->element[1]->str, "ERR value is not an integer or out of range");
    freeReplyObject(reply);
    char *expected = dataset_describe_or_fail(f->context);
    server_kill(f->server);

    check_aof(server_dir(f->server));
    char path[4200];
    size_t length;
    char *bytes = read_file(aof_path(f, path, sizeof(path)), &length);
    assert_non_null(bytes);
    assert_int_equal(count_occurrences(bytes, length, MULTI_RESP, NULL), 6);
    assert_int_equal(count_occurrences(bytes, length, EXEC_RESP, NULL), 6);
    assert_null(memmem(bytes, length, "$4\r\nINCR\r\n$7\r\ntx:text", 21));
    free(bytes);

    assert_non_null(server_restart(f->server));
    reconnect(f);
    char *actual = dataset_describe_or_fail(f->context);
    assert_same_dataset(expected, actual);
    free(expected);
    free(actual);
}

/* A log written by hand: the MULTI ... EXEC block replays as live, one
 * command's error reply (INCR of text, LPUSH on a string) leaving the
 * others applied, SELECT inside it included. */
static void test_hand_written_transaction_replays_as_live(void **state)
{
    fixture *f = *state;
    assert_int_equal(server_shutdown(f->server), 0);
    static const char log[] = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
                              "*3\r\n$3\r\nSET\r\n$4\r\nbase\r\n$3\r\none\r\n"
                              "*1\r\n$5\r\nMULTI\r\n"
                              "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n1\r\n"
                              "*2\r\n$4\r\nINCR\r\n$4\r\nbase\r\n"
                              "*3\r\n$6\r\nAPPEND\r\n$4\r\nbase\r\n$4\r\n-two\r\n"
                              "*2\r\n$6\r\nSELECT\r\n$1\r\n4\r\n"
                              "*3\r\n$3\r\nSET\r\n$1\r\ny\r\n$1\r\n2\r\n"
                              "*1\r\n$4\r\nEXEC\r\n"
                              "*3\r\n$3\r\nSET\r\n$5\r\nlater\r\n$1\r\n3\r\n";
    char path[4200];
    assert_int_equal(write_file(aof_path(f, path, sizeof(path)), log, sizeof(log) - 1), 0);
    assert_non_null(server_restart(f->server));
    reconnect(f);
    reply_expect_bulk(f->context, "1", "GET x");
    reply_expect_bulk(f->context, "one-two", "GET base");
    reply_expect_nil(f->context, "GET y");
    reply_expect_nil(f->context, "GET later");
    reply_expect_status(f->context, "OK", "SELECT 4");
    reply_expect_bulk(f->context, "2", "GET y");
    reply_expect_bulk(f->context, "3", "GET later");
    assert_true(log_mentions_since(f->server, 0,
                                   "a 'INCR' command from the append only file replied an error"));
    assert_int_equal(path_size(path), (long long)sizeof(log) - 1);
}

/* ---- a transaction torn at the tail ---- */

typedef struct cut_point {
    const char *where;
    size_t offset; /* into the file */
    int reverts;   /* MULTI itself is complete: a transaction is reverted */
} cut_point;

/* redis-server 7.0 given the torn file (as an old-style appendonly.aof it
 * upgrades) with aof-load-truncated yes: its dataset. */
static char *dataset_in_redis(const char *bytes, size_t length)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/dblite-redis-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(dir));
    char path[4200];
    assert_int_equal(write_file(path_in(dir, "appendonly.aof", path, sizeof(path)), bytes, length),
                     0);
    static const char *const extra[] = {
        "--appendonly", "yes", "--appendfilename", "appendonly.aof", "--aof-load-truncated",
        "yes",          NULL};
    redis_process *redis = redis_start(dir, extra);
    assert_non_null(redis);
    redisContext *context = connect_port(redis->port);
    assert_non_null(context);
    char *text = dataset_describe_or_fail(context);
    redisFree(context);
    redis_stop(redis);
    const char *argv[] = {"rm", "-rf", dir, NULL};
    char output[256];
    run_program(argv, NULL, output, sizeof(output));
    return text;
}

static void expect_refusal(fixture *f, int reverts)
{
    char output[16384], port[16];
    snprintf(port, sizeof(port), "%d", server_port(f->server));
    const char *args[] = {"--port",
                          port,
                          "--dir",
                          server_dir(f->server),
                          "--module-path",
                          getenv("DBLITE_MODULE_PATH"),
                          "--persistence.appendonly",
                          "yes",
                          "--persistence.aof-load-truncated",
                          "no",
                          NULL};
    assert_true(
        server_start_expect_failure(persistence_config_path(), args, output, sizeof(output)) > 0);
    const char *revert = "Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof";
    if ((strstr(output, revert) != NULL) != reverts ||
        strstr(output, "Unexpected end of file reading the append only file appendonly.aof. You "
                       "can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix "
                       "<filename>. 2) Alternatively you can set the 'aof-load-truncated' "
                       "configuration option to yes and restart the server.") == NULL)
        fail_msg("no refusal with Redis's messages:\n%s", output);
}

static void test_torn_transaction_is_dropped_whole(void **state)
{
    fixture *f = *state;
    assert_int_equal(fill_dataset(f->context), 0);
    several_writes(f->context, 0);
    reply_expect_status(f->context, "OK", "SET tx:gone again");
    char *before = dataset_describe_or_fail(f->context);
    several_writes(f->context, 1);
    char *after = dataset_describe_or_fail(f->context);
    server_kill(f->server);

    char path[4200];
    size_t length;
    char *full = read_file(aof_path(f, path, sizeof(path)), &length);
    assert_non_null(full);
    size_t multi = 0, exec = 0;
    assert_int_equal(count_occurrences(full, length, MULTI_RESP, &multi), 2);
    assert_int_equal(count_occurrences(full, length, EXEC_RESP, &exec), 2);
    assert_int_equal(exec + strlen(EXEC_RESP), length);
    size_t first_command = multi + strlen(MULTI_RESP);
    size_t second_command =
        (size_t)((char *)memmem(full + first_command + 1, length - first_command - 1, "*", 1) -
                 full);
    const cut_point cuts[] = {
        {"inside MULTI itself", multi + 7, 0},
        {"right after MULTI", first_command, 1},
        {"inside the first command's header", first_command + 2, 1},
        {"inside the first command's argument", first_command + 20, 1},
        {"between the first two commands", second_command, 1},
        {"just before EXEC", exec, 1},
        {"inside EXEC", exec + 9, 1},
        {"before EXEC's last byte", length - 1, 1},
    };
    /* The whole file is the later dataset (the control). */
    char *whole = dataset_in_redis(full, length);
    assert_same_dataset(after, whole);
    free(whole);
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        print_message("cut %s (byte %zu of %zu)\n", cuts[i].where, cuts[i].offset, length);
        assert_int_equal(write_file(path, full, cuts[i].offset), 0);
        expect_refusal(f, cuts[i].reverts);
        assert_int_equal(path_size(path), (long long)cuts[i].offset);

        size_t since = log_length(f->server);
        assert_non_null(server_restart(f->server));
        reconnect(f);
        char *actual = dataset_describe_or_fail(f->context);
        assert_same_dataset(before, actual);
        free(actual);
        assert_int_equal(path_size(path), (long long)multi);
        assert_int_equal(log_mentions_since(
                             f->server, since,
                             "Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof"),
                         cuts[i].reverts);
        char truncating[128];
        snprintf(truncating, sizeof(truncating),
                 "!!! Truncating the AOF appendonly.aof at offset %zu !!!", multi);
        assert_true(log_mentions_since(f->server, since, truncating));
        assert_true(log_mentions_since(
            f->server, since,
            "AOF appendonly.aof loaded anyway because aof-load-truncated is enabled"));

        /* redis-server 7.0 drops the same transaction. */
        char *in_redis = dataset_in_redis(full, cuts[i].offset);
        assert_same_dataset(before, in_redis);
        free(in_redis);

        /* What is logged after the cut survives the next crash (Redis 7.0,
         * which cuts a tail torn inside a command after the last complete
         * one, would queue it behind the dangling MULTI and drop it). */
        char value[16];
        snprintf(value, sizeof(value), "%zu", i);
        reply_expect_status(f->context, "OK", "SET after-cut %s", value);
        server_kill(f->server);
        check_aof(server_dir(f->server));
        assert_non_null(server_restart(f->server));
        reconnect(f);
        reply_expect_bulk(f->context, value, "GET after-cut");
        server_kill(f->server);
    }
    free(full);
    free(before);
    free(after);
    assert_non_null(server_restart(f->server));
    reconnect(f);
}

/* ---- rewriting ---- */

static void wait_rewrites(fixture *f, long long count)
{
    long long deadline = now_milliseconds() + 60000;
    while ((info_number(f->context, "aof_rewrites") < count ||
            info_number(f->context, "aof_rewrite_in_progress") != 0) &&
           now_milliseconds() < deadline)
        sleep_milliseconds(20);
    assert_true(info_number(f->context, "aof_rewrites") >= count);
    assert_int_equal(wait_info_field(f->context, "aof_rewrite_in_progress", "0", 1000), 0);
    assert_int_equal(wait_info_field(f->context, "aof_last_bgrewrite_status", "ok", 1000), 0);
}

static int log_holds_transaction(fixture *f)
{
    char path[4200];
    size_t length;
    char *bytes = read_file(aof_path(f, path, sizeof(path)), &length);
    assert_non_null(bytes);
    int count = count_occurrences(bytes, length, MULTI_RESP, NULL);
    free(bytes);
    return count;
}

/* BGREWRITEAOF between transactions, inside one (scheduled until EXEC is
 * over, as Redis 7.0: a fork in the middle would keep the first INCR in the
 * rewritten data and log both again after it) and while transactions run
 * (they reach the rewritten file whole, from the buffer of writes made
 * meanwhile): replayed after kill -9, every transaction counts exactly
 * once. */
static void test_rewrite_around_and_inside_transactions(void **state)
{
    fixture *f = *state;
    assert_int_equal(fill_dataset(f->context), 0);
    assert_int_equal(add_filler_keys(f->context, 20000), 0);
    int round = 0;
    for (; round < 3; round++)
        several_writes(f->context, round);
    long long rewrites = info_number(f->context, "aof_rewrites");
    reply_expect_status(f->context, "Background append only file rewriting started",
                        "BGREWRITEAOF");
    wait_rewrites(f, ++rewrites);
    assert_int_equal(log_holds_transaction(f), 0);
    for (; round < 5; round++)
        several_writes(f->context, round);
    assert_int_equal(log_holds_transaction(f), 2);

    long long saves = info_number(f->context, "rdb_saves");
    const char *const inside[] = {"INCR tx:rw", "BGREWRITEAOF", "BGSAVE", "INCR tx:rw", NULL};
    redisReply *reply = transaction(f->context, inside);
    assert_int_equal(reply->element[0]->integer, 1);
    assert_string_equal(reply->element[1]->str, "Background append only file rewriting scheduled");
    assert_string_equal(reply->element[2]->str, "Background saving scheduled");
    assert_int_equal(reply->element[3]->integer, 2);
    freeReplyObject(reply);
    wait_rewrites(f, ++rewrites);
    long long deadline = now_milliseconds() + 60000;
    while (info_number(f->context, "rdb_saves") <= saves && now_milliseconds() < deadline)
        sleep_milliseconds(20);
    assert_true(info_number(f->context, "rdb_saves") > saves);

    /* Transactions while a slow rewrite runs. */
    reply_expect_success(f->context, "CONFIG SET persistence.rdb-key-save-delay 40");
    reply_expect_status(f->context, "Background append only file rewriting started",
                        "BGREWRITEAOF");
    int during = 0;
    while (info_number(f->context, "aof_rewrite_in_progress") == 1) {
        if (during >= 200) {
            sleep_milliseconds(20);
            continue;
        }
        several_writes(f->context, round++);
        const char *const counted[] = {"INCR tx:during", "INCR tx:during", NULL};
        run_transaction(f->context, counted);
        during++;
    }
    assert_true(during > 3);
    wait_rewrites(f, ++rewrites);
    reply_expect_success(f->context, "CONFIG SET persistence.rdb-key-save-delay 0");
    assert_int_equal(log_holds_transaction(f), 2 * during);
    several_writes(f->context, round++);
    reply_expect_bulk(f->context, "2", "GET tx:rw");
    char expected_during[32];
    snprintf(expected_during, sizeof(expected_during), "%d", 2 * during);
    reply_expect_bulk(f->context, expected_during, "GET tx:during");
    char *expected = dataset_describe_or_fail(f->context);
    server_kill(f->server);
    check_aof(server_dir(f->server));
    /* redis-server 7.0 reads the rewritten log the same way. */
    char path[4200];
    size_t length;
    char *bytes = read_file(aof_path(f, path, sizeof(path)), &length);
    assert_non_null(bytes);
    char *in_redis = dataset_in_redis(bytes, length);
    assert_same_dataset(expected, in_redis);
    free(in_redis);
    free(bytes);
    assert_non_null(server_restart(f->server));
    reconnect(f);
    char *actual = dataset_describe_or_fail(f->context);
    assert_same_dataset(expected, actual);
    free(expected);
    free(actual);
}

/* ---- crashes while transactions stream in ---- */

/* Transactions pipelined (MULTI, INCR a, INCR b, EXEC), the server killed
 * with acknowledged ones behind and more in flight: after the restart a
 * and b are equal (no transaction half applied) and count at least every
 * acknowledged EXEC (appendfsync always). */
static void test_kill_during_a_stream_of_transactions(void **state)
{
    fixture *f = *state;
    enum { SENT = 8000, KILL_AFTER = 3000 };
    for (int i = 0; i < SENT; i++) {
        redisAppendCommand(f->context, "MULTI");
        redisAppendCommand(f->context, "INCR stream:a");
        redisAppendCommand(f->context, "SET stream:last %d", i);
        redisAppendCommand(f->context, "INCR stream:b");
        redisAppendCommand(f->context, "EXEC");
    }
    int acknowledged = 0, killed = 0;
    for (;;) {
        if (acknowledged == KILL_AFTER && !killed) {
            server_kill(f->server);
            killed = 1;
        }
        redisReply *reply;
        if (redisGetReply(f->context, (void **)&reply) != REDIS_OK || reply == NULL)
            break;
        if (reply->type == REDIS_REPLY_ARRAY) {
            assert_int_equal(reply->elements, 3);
            acknowledged++;
        }
        freeReplyObject(reply);
    }
    assert_true(acknowledged >= KILL_AFTER && acknowledged < SENT);
    assert_non_null(server_restart(f->server));
    reconnect(f);
    long long a = reply_integer(f->context, "INCRBY stream:a 0");
    long long b = reply_integer(f->context, "INCRBY stream:b 0");
    char last[32];
    snprintf(last, sizeof(last), "%lld", a - 1);
    reply_expect_bulk(f->context, last, "GET stream:last");
    if (a != b || a < acknowledged || a > SENT)
        fail_msg("after the crash a=%lld b=%lld, %d EXECs acknowledged of %d sent", a, b,
                 acknowledged, SENT);
}

static void limit_server_file_size(fixture *f, rlim_t bytes)
{
    struct rlimit limit;
    assert_int_equal(prlimit(server_pid(f->server), RLIMIT_FSIZE, NULL, &limit), 0);
    limit.rlim_cur = bytes; /* the soft limit only: raising it back needs no privilege */
    assert_int_equal(prlimit(server_pid(f->server), RLIMIT_FSIZE, &limit, NULL), 0);
}

/* The server itself tears a transaction: its write to the log stops in the
 * middle (the file size limit, as a full disk would), then it is killed.
 * The next start drops the transaction whole. */
static void test_transaction_torn_by_a_failed_write(void **state)
{
    fixture *f = *state;
    assert_int_equal(fill_dataset(f->context), 0);
    several_writes(f->context, 0);
    sleep_milliseconds(100); /* written before the reply, but leave no doubt */
    char *before = dataset_describe_or_fail(f->context);
    char path[4200];
    aof_path(f, path, sizeof(path));
    long long size = path_size(path);
    limit_server_file_size(f, (rlim_t)size + 40);
    /* EXEC's reply leaves, and then the write meets the limit. */
    several_writes(f->context, 1);
    assert_int_equal(wait_info_field(f->context, "aof_last_write_status", "err", 5000), 0);
    assert_int_equal(path_size(path), size + 40);
    server_kill(f->server);
    size_t length, multi = 0;
    char *torn = read_file(path, &length);
    assert_non_null(torn);
    assert_int_equal(count_occurrences(torn, length, MULTI_RESP, &multi), 2);
    assert_true(multi > (size_t)size); /* a SELECT may come before it */
    free(torn);
    size_t since = log_length(f->server);
    assert_non_null(server_restart(f->server));
    reconnect(f);
    char *actual = dataset_describe_or_fail(f->context);
    assert_same_dataset(before, actual);
    assert_int_equal(path_size(path), (long long)multi);
    assert_true(log_mentions_since(
        f->server, since, "Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof"));
    free(before);
    free(actual);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_transactions_reach_the_log_and_replay_after_kill,
                                        setup_always, teardown),
        cmocka_unit_test_setup_teardown(test_hand_written_transaction_replays_as_live,
                                        setup_everysec, teardown),
        cmocka_unit_test_setup_teardown(test_torn_transaction_is_dropped_whole, setup_always,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rewrite_around_and_inside_transactions, setup_everysec,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_kill_during_a_stream_of_transactions, setup_always,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_transaction_torn_by_a_failed_write, setup_everysec,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
