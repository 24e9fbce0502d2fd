/*
 * bloom_persistence_test.c - bloom filters kept by the persistence module,
 * against the real server: a SAVE snapshot and a restart, the append-only
 * file replayed after kill -9 (with and without a BGREWRITEAOF in between,
 * which rebuilds filters with BF.LOADCHUNK), DUMP / RESTORE, and a snapshot
 * holding a value in the type's older encoding version 0, written here
 * byte by byte as Redis lays module values out.  Filters are compared bit for bit through
 * BF.SCANDUMP.
 *
 * Every case skips itself while persistence.so is not in the module path.
 */
#define _GNU_SOURCE
#include <dirent.h>
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

#include "bloom_test_support.h"
#include "reply_checks.h"

#define KEY_COUNT 4
static const char *const dataset_keys[KEY_COUNT] = {"scaling", "fixed", "defaults", "other-db"};

/* A filter's state, as read over the wire. */
typedef struct filter_snapshot {
    bloom_info info;
    bloom_dump dump;
} filter_snapshot;

static int require_persistence(void)
{
    if (bloom_module_available("persistence"))
        return 1;
    printf("# persistence.so is not in DBLITE_MODULE_PATH (%s): filters cannot be saved yet\n",
           getenv("DBLITE_MODULE_PATH") != NULL ? getenv("DBLITE_MODULE_PATH") : "unset");
    return 0;
}

static bloom_test_server *start_with_persistence(int appendonly)
{
    const char *const args[] = {"--load-module",
                                "persistence",
                                "--persistence.appendonly",
                                appendonly ? "yes" : "no",
                                "--persistence.save",
                                "",
                                NULL};
    return bloom_server_start(args);
}

static void select_database(redisContext *context, int db)
{
    reply_expect_status(context, "OK", "SELECT %d", db);
}

/* Filters of every shape: scaled several times, non-scaling, created from
 * the settings (which then change, so a replay reading the settings would
 * build another filter), and one in another database. */
static void build_dataset(redisContext *context, const char *prefix)
{
    reply_expect_status(context, "OK", "BF.RESERVE scaling 0.001 100 EXPANSION 2");
    bloom_add_range(context, "scaling", prefix, 0, 1000);
    reply_expect_status(context, "OK", "BF.RESERVE fixed 0.01 300 NONSCALING");
    bloom_add_range(context, "fixed", prefix, 0, 200);
    reply_expect_integer(context, 1, "BF.ADD defaults first");
    reply_expect_status(context, "OK", "CONFIG SET bloom.default-capacity 7");
    reply_expect_status(context, "OK", "CONFIG SET bloom.default-error-rate 0.3");
    bloom_add_range(context, "defaults", prefix, 0, 50);
    select_database(context, 3);
    bloom_add_range(context, "other-db", prefix, 0, 20);
    select_database(context, 0);
}

static void capture(redisContext *context, filter_snapshot *snapshots)
{
    for (int index = 0; index < KEY_COUNT; index++) {
        select_database(context, index == KEY_COUNT - 1 ? 3 : 0);
        snapshots[index].info = bloom_get_info(context, dataset_keys[index]);
        snapshots[index].dump = bloom_get_dump(context, dataset_keys[index]);
    }
    select_database(context, 0);
}

static void expect_same_filters(redisContext *context, filter_snapshot *expected)
{
    filter_snapshot actual[KEY_COUNT];
    capture(context, actual);
    for (int index = 0; index < KEY_COUNT; index++) {
        assert_memory_equal(&actual[index].info, &expected[index].info, sizeof(bloom_info));
        bloom_expect_same_dump(&expected[index].dump, &actual[index].dump);
        bloom_dump_free(&actual[index].dump);
    }
    reply_expect_status(context, "bloom", "TYPE scaling");
    assert_true(expected[0].info.filters >= 4);
    assert_int_equal(expected[2].info.capacity, 1000); /* from bloom.ini, not 7 */
}

static void release(filter_snapshot *snapshots)
{
    for (int index = 0; index < KEY_COUNT; index++)
        bloom_dump_free(&snapshots[index].dump);
}

/* kill -9, then start again on the same directory. */
static void crash_and_restart(bloom_test_server *test)
{
    server_kill(test->server);
    assert_non_null(server_restart(test->server));
    assert_int_equal(bloom_server_reconnect(test), 0);
}

static void snapshot_keeps_filters(void **state)
{
    (void)state;
    if (!require_persistence())
        skip();
    bloom_test_server *test = start_with_persistence(0);
    assert_non_null(test);
    build_dataset(test->context, "member:");
    filter_snapshot before[KEY_COUNT];
    capture(test->context, before);
    reply_expect_status(test->context, "OK", "SAVE");
    /* Killed, so what comes back is SAVE's file, not a shutdown save. */
    crash_and_restart(test);
    expect_same_filters(test->context, before);
    assert_int_equal(bloom_count_present(test->context, "scaling", "member:", 0, 1000), 1000);
    release(before);
    assert_int_equal(bloom_server_stop(test), 0);
}

static void append_only_file_replay_keeps_filters(void **state)
{
    (void)state;
    if (!require_persistence())
        skip();
    bloom_test_server *test = start_with_persistence(1);
    assert_non_null(test);
    build_dataset(test->context, "member:");
    /* Changes that must not survive: gone before the crash. */
    reply_expect_integer(test->context, 1, "BF.ADD doomed x");
    reply_expect_integer(test->context, 1, "DEL doomed");
    filter_snapshot before[KEY_COUNT];
    capture(test->context, before);
    crash_and_restart(test);
    expect_same_filters(test->context, before);
    reply_expect_integer(test->context, 0, "EXISTS doomed");
    release(before);
    assert_int_equal(bloom_server_stop(test), 0);
}

/* 1 when a file in dir or dir/appendonlydir contains needle. */
static int log_files_contain(const char *dir, const char *needle)
{
    const char *subdirs[] = {"", "/appendonlydir"};
    for (size_t which = 0; which < 2; which++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s%s", dir, subdirs[which]);
        DIR *folder = opendir(path);
        if (folder == NULL)
            continue;
        struct dirent *entry;
        int found = 0;
        while (!found && (entry = readdir(folder)) != NULL) {
            if (strstr(entry->d_name, ".aof") == NULL)
                continue;
            char file_path[8192];
            snprintf(file_path, sizeof(file_path), "%s/%s", path, entry->d_name);
            FILE *file = fopen(file_path, "rb");
            if (file == NULL)
                continue;
            char *content = NULL;
            size_t size = 0;
            ssize_t length = getdelim(&content, &size, '\0', file);
            /* The log holds binary chunks with NULs: search chunk by chunk. */
            while (length > 0 && !found) {
                found = memmem(content, (size_t)length, needle, strlen(needle)) != NULL;
                length = getdelim(&content, &size, '\0', file);
            }
            free(content);
            fclose(file);
        }
        closedir(folder);
        if (found)
            return 1;
    }
    return 0;
}

static void wait_for_rewrite(redisContext *context, long long rewrites_before)
{
    for (int attempt = 0; attempt < 1000; attempt++) {
        if (reply_info_number(context, "persistence", "aof_rewrite_in_progress") == 0 &&
            reply_info_number(context, "persistence", "aof_rewrite_scheduled") == 0 &&
            reply_info_number(context, "persistence", "aof_rewrites") > rewrites_before)
            return;
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    fail_msg("BGREWRITEAOF did not finish in 10 s");
}

static void rewritten_log_rebuilds_filters_exactly(void **state)
{
    (void)state;
    if (!require_persistence())
        skip();
    bloom_test_server *test = start_with_persistence(1);
    assert_non_null(test);
    build_dataset(test->context, "member:");
    long long rewrites = reply_info_number(test->context, "persistence", "aof_rewrites");
    redisReply *reply = reply_command(test->context, "BGREWRITEAOF");
    assert_int_equal(reply->type, REDIS_REPLY_STATUS);
    freeReplyObject(reply);
    wait_for_rewrite(test->context, rewrites);
    assert_true(log_files_contain(server_dir(test->server), "bf.loadchunk"));
    /* More changes after the rewrite, to the rebuilt filters. */
    bloom_add_range(test->context, "scaling", "later:", 0, 2000);
    bloom_add_range(test->context, "fixed", "later:", 0, 50);
    filter_snapshot before[KEY_COUNT];
    capture(test->context, before);
    crash_and_restart(test);
    expect_same_filters(test->context, before);
    assert_int_equal(bloom_count_present(test->context, "scaling", "later:", 0, 2000), 2000);
    release(before);
    assert_int_equal(bloom_server_stop(test), 0);
}

/* DUMP serializes a value with the type's save method, RESTORE reads it
 * back with load. */
static void dump_and_restore_carry_a_filter(void **state)
{
    (void)state;
    if (!require_persistence())
        skip();
    bloom_test_server *test = start_with_persistence(0);
    assert_non_null(test);
    reply_expect_status(test->context, "OK", "BF.RESERVE dumped 0.01 100 EXPANSION 3");
    bloom_add_range(test->context, "dumped", "member:", 0, 500);
    redisReply *payload = reply_command(test->context, "DUMP dumped");
    assert_int_equal(payload->type, REDIS_REPLY_STRING);
    reply_expect_status(test->context, "OK", "RESTORE restored 0 %b", payload->str, payload->len);
    reply_expect_error_prefix(test->context, "BUSYKEY", "RESTORE restored 0 %b", payload->str,
                              payload->len);
    freeReplyObject(payload);
    reply_expect_status(test->context, "bloom", "TYPE restored");
    bloom_dump original = bloom_get_dump(test->context, "dumped");
    bloom_dump restored = bloom_get_dump(test->context, "restored");
    bloom_expect_same_dump(&original, &restored);
    bloom_dump_free(&original);
    bloom_dump_free(&restored);
    bloom_info info = bloom_get_info(test->context, "restored");
    assert_int_equal(info.expansion, 3);
    assert_true(info.filters >= 3);
    assert_int_equal(bloom_server_stop(test), 0);
}

/* ---- a snapshot written by hand ------------------------------------------ */

typedef struct byte_buffer {
    unsigned char *data;
    size_t length;
} byte_buffer;

static void put_bytes(byte_buffer *buffer, const void *bytes, size_t count)
{
    unsigned char *grown = realloc(buffer->data, buffer->length + count);
    assert_non_null(grown);
    buffer->data = grown;
    memcpy(buffer->data + buffer->length, bytes, count);
    buffer->length += count;
}

static void put_byte(byte_buffer *buffer, unsigned char byte)
{
    put_bytes(buffer, &byte, 1);
}

/* An RDB length: 6 bits, 14 bits, or a marker and 32/64 bits big-endian. */
static void put_length(byte_buffer *buffer, uint64_t length)
{
    if (length < 64) {
        put_byte(buffer, (unsigned char)length);
    } else if (length < 16384) {
        put_byte(buffer, (unsigned char)(0x40 | (length >> 8)));
        put_byte(buffer, (unsigned char)(length & 0xff));
    } else {
        int wide = length > UINT32_MAX;
        put_byte(buffer, wide ? 0x81 : 0x80);
        for (int shift = wide ? 56 : 24; shift >= 0; shift -= 8)
            put_byte(buffer, (unsigned char)(length >> shift));
    }
}

static void put_string(byte_buffer *buffer, const void *bytes, size_t length)
{
    put_length(buffer, length);
    put_bytes(buffer, bytes, length);
}

/* Fields of a module value: each preceded by its kind (2 unsigned,
 * 4 double, 5 string), the value ended by 0. */
static void put_module_unsigned(byte_buffer *buffer, uint64_t value)
{
    put_length(buffer, 2);
    put_length(buffer, value);
}

static void put_module_double(byte_buffer *buffer, double value)
{
    uint64_t bits;
    memcpy(&bits, &value, sizeof(bits));
    put_length(buffer, 4);
    for (int shift = 0; shift < 64; shift += 8)
        put_byte(buffer, (unsigned char)(bits >> shift));
}

static void put_module_string(byte_buffer *buffer, const void *bytes, size_t length)
{
    put_length(buffer, 5);
    put_string(buffer, bytes, length);
}

/* Redis's module type id: nine 6-bit symbols, then the encoding version. */
static uint64_t module_type_id(const char *name, int encoding_version)
{
    static const char symbols[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789-_";
    uint64_t id = 0;
    for (int index = 0; index < 9; index++)
        id = (id << 6) | (uint64_t)(strchr(symbols, name[index]) - symbols);
    return (id << 10) | (uint64_t)encoding_version;
}

static uint64_t read_u64(const char *bytes)
{
    uint64_t value = 0;
    for (int index = 7; index >= 0; index--)
        value = (value << 8) | (unsigned char)bytes[index];
    return value;
}

static double read_double(const char *bytes)
{
    uint64_t bits = read_u64(bytes);
    double value;
    memcpy(&value, &bits, sizeof(value));
    return value;
}

/* The fields of a single fixed-size filter (encoding version 0), taken
 * from the dump of a live non-scaling filter. */
typedef struct fixed_filter {
    uint64_t capacity, items, hash_count;
    double error_rate;
    unsigned char *bits;
    size_t bytes;
} fixed_filter;

static fixed_filter fixed_filter_from_dump(const bloom_dump *dump)
{
    /* Header: magic 8, version 1, reserved 1, expansion 4, error rate 8,
     * count 4, then capacity 8, items 8, bits 8, hashes 4, error rate 8. */
    const char *header = dump->chunks[0].data;
    assert_int_equal(dump->chunks[0].length, 26 + 36);
    const char *subfilter = header + 26;
    fixed_filter filter = {
        .capacity = read_u64(subfilter),
        .items = read_u64(subfilter + 8),
        .hash_count = (unsigned char)subfilter[24],
        .error_rate = read_double(subfilter + 28),
        .bytes = (size_t)(read_u64(subfilter + 16) / 8),
    };
    filter.bits = calloc(1, filter.bytes);
    assert_non_null(filter.bits);
    for (size_t index = 1; index < dump->count; index++) {
        const bloom_chunk *chunk = &dump->chunks[index];
        size_t end = (size_t)chunk->iterator - 1;
        assert_true(end <= filter.bytes);
        memcpy(filter.bits + end - chunk->length, chunk->data, chunk->length);
    }
    return filter;
}

static void write_snapshot(const char *dir, const char *key, int encoding_version,
                           const fixed_filter *filter)
{
    byte_buffer file = {NULL, 0};
    put_bytes(&file, "REDIS0010", 9);
    put_byte(&file, 0xfe); /* SELECTDB 0 */
    put_length(&file, 0);
    put_byte(&file, 7); /* a module value (RDB_TYPE_MODULE_2) */
    put_string(&file, key, strlen(key));
    put_length(&file, module_type_id("dbl-bloom", encoding_version));
    put_module_unsigned(&file, filter->capacity);
    put_module_unsigned(&file, filter->items);
    put_module_unsigned(&file, filter->hash_count);
    put_module_double(&file, filter->error_rate);
    put_module_string(&file, filter->bits, filter->bytes);
    put_length(&file, 0);  /* end of the module value */
    put_byte(&file, 0xff); /* end of the file, then a zero checksum: not checked */
    put_bytes(&file, "\0\0\0\0\0\0\0\0", 8);
    char path[4096];
    snprintf(path, sizeof(path), "%s/dump.rdb", dir);
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(file.data, 1, file.length, out), file.length);
    assert_int_equal(fclose(out), 0);
    free(file.data);
}

static void older_encoding_version_still_loads(void **state)
{
    (void)state;
    if (!require_persistence())
        skip();
    bloom_test_server *test = start_with_persistence(0);
    assert_non_null(test);
    reply_expect_status(test->context, "OK", "BF.RESERVE legacy 0.02 400 NONSCALING");
    long long added = bloom_add_range(test->context, "legacy", "member:", 0, 300);
    long long strangers = bloom_count_present(test->context, "legacy", "stranger:", 0, 5000);
    bloom_dump original = bloom_get_dump(test->context, "legacy");
    fixed_filter filter = fixed_filter_from_dump(&original);
    assert_int_equal(filter.items, (uint64_t)added);

    /* The same filter, saved as version 0 would have saved it. */
    server_kill(test->server);
    write_snapshot(server_dir(test->server), "legacy", 0, &filter);
    assert_non_null(server_restart(test->server));
    assert_int_equal(bloom_server_reconnect(test), 0);
    reply_expect_status(test->context, "bloom", "TYPE legacy");
    bloom_info info = bloom_get_info(test->context, "legacy");
    assert_int_equal(info.capacity, 400);
    assert_int_equal(info.items, added);
    assert_int_equal(info.filters, 1);
    assert_int_equal(info.expansion, -1);
    bloom_dump loaded = bloom_get_dump(test->context, "legacy");
    bloom_expect_same_dump(&original, &loaded);
    bloom_dump_free(&loaded);
    assert_int_equal(bloom_count_present(test->context, "legacy", "member:", 0, 300), 300);
    assert_int_equal(bloom_count_present(test->context, "legacy", "stranger:", 0, 5000), strangers);
    /* It is a current filter from now on, saved in the current version. */
    reply_expect_status(test->context, "OK", "SAVE");
    crash_and_restart(test);
    loaded = bloom_get_dump(test->context, "legacy");
    bloom_expect_same_dump(&original, &loaded);
    bloom_dump_free(&loaded);

    /* A version from the future is refused, and startup stops. */
    server_kill(test->server);
    write_snapshot(server_dir(test->server), "legacy", 2, &filter);
    assert_null(server_restart(test->server));
    FILE *log_file = fopen(server_log_path(test->server), "r");
    assert_non_null(log_file);
    char *log = NULL;
    size_t log_size = 0;
    assert_true(getdelim(&log, &log_size, '\0', log_file) > 0);
    fclose(log_file);
    assert_non_null(strstr(log, "newer version of the plugin"));
    free(log);

    free(filter.bits);
    bloom_dump_free(&original);
    redisFree(test->context);
    test->context = NULL;
    bloom_server_stop(test);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(snapshot_keeps_filters),
        cmocka_unit_test(append_only_file_replay_keeps_filters),
        cmocka_unit_test(rewritten_log_rebuilds_filters_exactly),
        cmocka_unit_test(dump_and_restore_carry_a_filter),
        cmocka_unit_test(older_encoding_version_still_loads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
