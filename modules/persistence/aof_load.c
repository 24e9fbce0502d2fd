/*
 * aof_load.c - see aof_load.h.
 */
#include "aof_load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aof_parse.h"
#include "file_map.h"
#include "persistence.h"
#include "rdb_load.h"

#define PROGRESS_EVERY_COMMANDS 1024
#define FAILED_COMMANDS_LOGGED 5

/* Commands between MULTI and EXEC wait here: a transaction cut off by a
 * crash must not be half-applied. */
typedef struct queued_commands {
    dblite_bytes *arguments;
    size_t used, capacity;
    int *counts;
    size_t count, count_capacity;
} queued_commands;

static void queue_release(queued_commands *queue)
{
    dblite_free(queue->arguments);
    dblite_free(queue->counts);
    memset(queue, 0, sizeof(*queue));
}

static int queue_add(queued_commands *queue, int argc, const dblite_bytes *argv)
{
    if (queue->used + (size_t)argc > queue->capacity) {
        size_t capacity = queue->capacity ? queue->capacity : 64;
        while (capacity < queue->used + (size_t)argc)
            capacity *= 2;
        dblite_bytes *grown = dblite_realloc(queue->arguments, capacity * sizeof(dblite_bytes));
        if (grown == NULL)
            return -1;
        queue->arguments = grown;
        queue->capacity = capacity;
    }
    if (queue->count == queue->count_capacity) {
        size_t capacity = queue->count_capacity ? queue->count_capacity * 2 : 16;
        int *grown = dblite_realloc(queue->counts, capacity * sizeof(int));
        if (grown == NULL)
            return -1;
        queue->counts = grown;
        queue->count_capacity = capacity;
    }
    memcpy(queue->arguments + queue->used, argv, sizeof(dblite_bytes) * (size_t)argc);
    queue->used += (size_t)argc;
    queue->counts[queue->count++] = argc;
    return 0;
}

typedef struct replay_state {
    dblite_ctx *ctx;
    dblite_module *log_module;
    aof_load_result *result;
    char *error;
    size_t error_size;
} replay_state;

static int is_command(const dblite_bytes *argv, const char *name)
{
    return dblite_bytes_equal_nocase(argv[0], name);
}

static int run_one(replay_state *replay, int argc, const dblite_bytes *argv)
{
    if (is_command(argv, "select")) {
        long long db;
        if (argc != 2 || dblite_parse_long_long(argv[1], &db) != DBLITE_OK || db < 0 ||
            db >= dblite_database_count() || dblite_ctx_select(replay->ctx, (int)db) != DBLITE_OK) {
            snprintf(replay->error, replay->error_size,
                     "invalid SELECT (the server has %d databases)", dblite_database_count());
            return -1;
        }
        return 0;
    }
    int status = dblite_call_replay(replay->ctx, argc, argv);
    replay->result->commands++;
    if (status == DBLITE_OK)
        return 0;
    if (status == DBLITE_ERR) {
        if (replay->result->failed_commands++ < FAILED_COMMANDS_LOGGED)
            dblite_log(replay->log_module, "warning",
                       "a '%.*s' command from the append only file replied an error",
                       (int)(argv[0].len < 64 ? argv[0].len : 64), argv[0].ptr);
        return 0;
    }
    snprintf(replay->error, replay->error_size, "%s command '%.*s' in the append only file",
             status == DBLITE_ERR_NOTFOUND ? "unknown"
                                           : "unreplayable (wrong arity or not a write)",
             (int)(argv[0].len < 64 ? argv[0].len : 64), argv[0].ptr);
    return -1;
}

int aof_replay_buffer(dblite_ctx *ctx, dblite_module *progress_module, const unsigned char *data,
                      size_t length, size_t start, aof_load_result *result, char *error,
                      size_t error_size)
{
    aof_parser parser;
    aof_parser_init(&parser, data, length, start);
    queued_commands queue = {0};
    replay_state replay = {.ctx = ctx,
                           .log_module = progress_module,
                           .result = result,
                           .error = error,
                           .error_size = error_size};
    int in_multi = 0;
    size_t multi_start = start;
    int status = 0;
    result->valid_length = start;
    for (;;) {
        size_t command_start = parser.position;
        int argc = 0;
        aof_parse_status parsed = aof_parser_next(&parser, &argc);
        if (parsed == AOF_PARSE_END || parsed == AOF_PARSE_TRUNCATED) {
            /* A MULTI without its EXEC is a cut-off write too, even when
             * the file ends cleanly after a command (Redis 7.0).  Its
             * commands were only queued: the transaction is dropped whole
             * and the cut goes before its MULTI.  (Redis 7.0 cuts a file
             * that ends inside a command of the transaction after the
             * last complete one, leaving a MULTI whose EXEC never comes:
             * what is appended after it would be dropped at the next
             * start; Valkey fixed that by cutting before the MULTI.) */
            result->truncated = parsed == AOF_PARSE_TRUNCATED || in_multi;
            result->reverted_transaction = in_multi;
            result->valid_length = in_multi ? multi_start : command_start;
            break;
        }
        if (parsed == AOF_PARSE_MALFORMED) {
            snprintf(error, error_size, "bad file format at byte %zu: %s", command_start,
                     parser.error);
            status = -1;
            break;
        }
        if (is_command(parser.argv, "multi")) {
            if (in_multi) {
                snprintf(error, error_size, "nested MULTI at byte %zu", command_start);
                status = -1;
                break;
            }
            in_multi = 1;
            multi_start = command_start;
            queue.used = queue.count = 0;
        } else if (is_command(parser.argv, "exec")) {
            if (!in_multi) {
                snprintf(error, error_size, "EXEC without MULTI at byte %zu", command_start);
                status = -1;
                break;
            }
            size_t offset = 0;
            for (size_t i = 0; status == 0 && i < queue.count; i++) {
                status = run_one(&replay, queue.counts[i], queue.arguments + offset);
                offset += (size_t)queue.counts[i];
            }
            if (status != 0)
                break;
            in_multi = 0;
        } else if (in_multi) {
            if (queue_add(&queue, argc, parser.argv) != 0) {
                snprintf(error, error_size, "out of memory");
                status = -1;
                break;
            }
        } else if (run_one(&replay, argc, parser.argv) != 0) {
            status = -1;
            break;
        }
        if (!in_multi)
            result->valid_length = parser.position;
        if (progress_module != NULL && result->commands % PROGRESS_EVERY_COMMANDS == 0)
            dblite_loading_progress(progress_module, parser.position);
    }
    queue_release(&queue);
    aof_parser_release(&parser);
    return status;
}

int aof_load_file(persistence_state *state, dblite_ctx *ctx, const char *path,
                  aof_load_result *result, char *error, size_t error_size)
{
    return aof_load_file_part(state, ctx, path, 1, result, error, error_size);
}

int aof_load_file_part(persistence_state *state, dblite_ctx *ctx, const char *path, int last_file,
                       aof_load_result *result, char *error, size_t error_size)
{
    memset(result, 0, sizeof(*result));
    file_map map;
    int opened = file_map_open(&map, path, error, error_size);
    if (opened != 0) {
        if (opened > 0)
            snprintf(error, error_size, "'%s' does not exist", path);
        return -1;
    }
    state->loading = 1;
    persistence_pause_expiry(state, 1);
    dblite_loading_start(state->module, map.length);
    size_t start = 0;
    int status = 0;
    char reason[512] = "";
    if (map.length > 0 && rdb_looks_like_rdb(map.data, map.length)) {
        rdb_load_options options = {
            .ctx = ctx,
            .crc_tables = &state->crc_tables,
            .expiry = state->expiry,
            .progress_module = state->module,
            .store = 1,
            .verify_checksum = 1,
            /* As Redis: a preamble's keys are kept even when their
             * deadline passed, the commands after it may touch them. */
            .now_ms = LLONG_MIN,
            .overwrite_seen = &state->overwrite_seen,
        };
        rdb_load_result preamble;
        status = rdb_load(map.data, map.length, &options, &preamble);
        if (status != 0)
            snprintf(reason, sizeof(reason), "its RDB preamble cannot be loaded: %s",
                     preamble.error);
        start = preamble.consumed;
        dblite_ctx_select(ctx, 0);
    }
    if (status == 0)
        status = aof_replay_buffer(ctx, state->module, map.data, map.length, start, result, reason,
                                   sizeof(reason));
    dblite_loading_end(state->module);
    state->loading = 0;
    persistence_pause_expiry(state, 0);
    file_map_close(&map);
    dblite_ctx_select(ctx, 0);
    if (status != 0) {
        snprintf(
            error, error_size,
            "the append only file '%s' is damaged, %s (redis-check-aof --fix can cut it there)",
            path, reason);
        return -1;
    }
    if (!result->truncated)
        return 0;
    /* Redis 7.0's messages (loadSingleAppendOnlyFile, loadAppendOnlyFiles). */
    if (!last_file) {
        snprintf(error, error_size,
                 "Unexpected end of file reading the append only file %s. Fatal error: the "
                 "truncated file is not the last file",
                 path);
        return -1;
    }
    if (result->reverted_transaction)
        dblite_log(state->module, "warning",
                   "Revert incomplete MULTI/EXEC transaction in AOF file %s", path);
    if (!state->settings.aof_load_truncated) {
        snprintf(error, error_size,
                 "Unexpected end of file reading the append only file %s. You can: 1) Make a "
                 "backup of your AOF file, then use ./redis-check-aof --fix <filename>. 2) "
                 "Alternatively you can set the 'aof-load-truncated' configuration option to "
                 "yes and restart the server.",
                 path);
        return -1;
    }
    dblite_log(state->module, "warning", "!!! Warning: short read while loading the AOF file %s!!!",
               path);
    dblite_log(state->module, "warning", "!!! Truncating the AOF %s at offset %zu !!!", path,
               result->valid_length);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)result->valid_length) != 0) {
        snprintf(error, error_size, "cannot truncate '%s' after its last complete command: %s",
                 path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    fsync(fd);
    close(fd);
    dblite_log(state->module, "warning",
               "AOF %s loaded anyway because aof-load-truncated is enabled", path);
    return 0;
}
