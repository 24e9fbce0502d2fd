/*
 * snapshot_jobs.c - saving the dataset to an RDB file in the foreground
 * (SAVE, shutdown) or from a forked child (BGSAVE, save points), and
 * loading one.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "file_map.h"
#include "persistence.h"
#include "rdb_load.h"
#include "rdb_snapshot.h"

static snapshot_options options_for(const persistence_state *state)
{
    snapshot_options options = {
        .crc_tables = &state->crc_tables,
        .expiry = state->expiry,
        .write_checksum = state->settings.rdbchecksum,
        .key_delay_us = state->settings.rdb_key_save_delay,
        .compress = state->settings.rdbcompression,
    };
    return options;
}

int snapshot_save_now(persistence_state *state, dblite_ctx *ctx, const char *path, char *error,
                      size_t error_size)
{
    if (persistence_enter_dir(state, error, error_size) != 0)
        return -1;
    char temp[64];
    child_temp_name(CHILD_RDB, getpid(), temp, sizeof(temp));
    snapshot_options options = options_for(state);
    int db = dblite_ctx_db(ctx);
    int status = rdb_snapshot_save_file(path, temp, ctx, &options, error, error_size);
    dblite_ctx_select(ctx, db);
    if (status != 0) {
        dblite_log(state->module, "warning", "saving '%s' failed: %s", path, error);
        return -1;
    }
    /* Only a save of the configured file resets the save points' count. */
    if (strcmp(path, state->settings.dbfilename) == 0) {
        state->changes_since_save = 0;
        state->last_save_time = time(NULL);
        state->last_bgsave_ok = 1;
    }
    state->rdb_saves++;
    dblite_log(state->module, "notice", "DB saved on disk (%s)", path);
    return 0;
}

static int background_save_job(persistence_state *state, dblite_ctx *ctx, char *error,
                               size_t error_size)
{
    char temp[64];
    child_temp_name(CHILD_RDB, getpid(), temp, sizeof(temp));
    snapshot_options options = options_for(state);
    return rdb_snapshot_save_file(state->child_target_path, temp, ctx, &options, error, error_size);
}

/* The parent's side of a finished BGSAVE: the save points count from the
 * fork on, and INFO reports the outcome. */
static void background_save_done(persistence_state *state, int success, long long duration_ms)
{
    state->last_bgsave_duration_ms = duration_ms;
    state->last_bgsave_ok = success;
    if (!success) {
        dblite_log(state->module, "warning", "Background saving error");
        return;
    }
    state->changes_since_save -= state->changes_at_fork;
    if (state->changes_since_save < 0)
        state->changes_since_save = 0;
    state->last_save_time = time(NULL);
    state->rdb_saves++;
    dblite_log(state->module, "notice", "Background saving terminated with success");
}

int snapshot_start_background(persistence_state *state, dblite_ctx *ctx, char *error,
                              size_t error_size)
{
    if (persistence_enter_dir(state, error, error_size) != 0)
        return -1;
    snprintf(state->child_target_path, sizeof(state->child_target_path), "%s",
             state->settings.dbfilename);
    state->changes_at_fork = state->changes_since_save;
    state->last_bgsave_try = time(NULL);
    state->bgsave_scheduled = 0;
    int db = dblite_ctx_db(ctx);
    int status = child_start(state, ctx, CHILD_RDB, background_save_job, background_save_done,
                             error, error_size);
    dblite_ctx_select(ctx, db);
    if (status != 0) {
        state->last_bgsave_ok = 0;
        dblite_log(state->module, "warning", "cannot start a background save: %s", error);
        return -1;
    }
    dblite_log(state->module, "notice", "Background saving started by pid %d",
               (int)state->child_pid);
    return 0;
}

int snapshot_load_file(persistence_state *state, dblite_ctx *ctx, const char *path, int store,
                       int report_progress, char *error, size_t error_size)
{
    file_map map;
    int opened = file_map_open(&map, path, error, error_size);
    if (opened != 0) {
        if (opened > 0)
            snprintf(error, error_size, "'%s' does not exist", path);
        return -1;
    }
    int status =
        snapshot_load_mapped(state, ctx, &map, path, store, report_progress, error, error_size);
    file_map_close(&map);
    return status;
}

int snapshot_load_mapped(persistence_state *state, dblite_ctx *ctx, const file_map *mapped,
                         const char *path, int store, int report_progress, char *error,
                         size_t error_size)
{
    file_map map = *mapped;
    int db = dblite_ctx_db(ctx);
    rdb_load_options options = {
        .ctx = ctx,
        .crc_tables = &state->crc_tables,
        .expiry = state->expiry,
        .progress_module = report_progress ? state->module : NULL,
        .store = store,
        .verify_checksum = 1,
        .now_ms = dblite_time_ms(),
        .overwrite_seen = &state->overwrite_seen,
    };
    rdb_load_result result;
    int was_loading = state->loading;
    state->loading = 1;
    if (store)
        persistence_pause_expiry(state, 1);
    if (report_progress)
        dblite_loading_start(state->module, map.length);
    /* A whole snapshot file ends with its checksum: check it before parsing,
     * so a damaged byte is reported as damage, not as whatever the parser
     * makes of it. */
    int status = map.length == 0
                     ? -1
                     : rdb_verify_file_checksum(map.data, map.length, &state->crc_tables, &result);
    if (status == 0) {
        status = rdb_load(map.data, map.length, &options, &result);
    } else if (map.length > 0) {
        /* A mismatch alone does not tell a cut-off file from a damaged one
         * (a flipped length also makes the parser run out of data, and a
         * cut can end in bytes that look like a footer): say both. */
        rdb_load_options check_only = options;
        check_only.store = 0;
        check_only.progress_module = NULL;
        rdb_load_result parsed;
        if (rdb_load(map.data, map.length, &check_only, &parsed) != 0 && parsed.truncated) {
            char mismatch[sizeof(result.error)];
            memcpy(mismatch, result.error, sizeof(mismatch));
            snprintf(result.error, sizeof(result.error), "%.180s; parsing stops early: %.180s",
                     mismatch, parsed.error);
        }
    }
    if (report_progress)
        dblite_loading_end(state->module);
    state->loading = was_loading;
    if (store && !was_loading)
        persistence_pause_expiry(state, 0);
    dblite_ctx_select(ctx, db);
    if (map.length == 0)
        snprintf(result.error, sizeof(result.error), "the file is empty");
    else if (status == 0 && result.consumed != map.length) {
        snprintf(result.error, sizeof(result.error),
                 "%zu bytes of unexpected data after the end of the RDB data",
                 map.length - result.consumed);
        status = -1;
    }
    if (status != 0) {
        snprintf(error, error_size, "'%s' cannot be loaded: %s", path, result.error);
        return -1;
    }
    if (store) {
        dblite_log(
            state->module, "notice",
            "DB loaded from '%s' (RDB version %d): %lld keys, %lld expired keys skipped, %lld empty skipped",
            path, result.version, result.keys_loaded, result.keys_expired, result.keys_empty);
        if (result.skipped_functions)
            dblite_log(state->module, "warning",
                       "%d function libraries in '%s' were ignored (no functions here)",
                       result.skipped_functions, path);
        if (result.skipped_module_aux)
            dblite_log(state->module, "warning",
                       "%d blocks of module auxiliary data in '%s' were ignored",
                       result.skipped_module_aux, path);
    }
    return 0;
}
