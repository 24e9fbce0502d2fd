/*
 * persistence_lifecycle.c - when persistence acts: loading the dataset once
 * every module is there (STARTED), logging each propagated write, flushing
 * the log before replies go out (BEFORE_SLEEP), the periodic checks (save
 * points, automatic rewrites, switching the log on and off, the everysec
 * fsync), and the last save at SHUTDOWN.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aof_dir.h"
#include "aof_load.h"
#include "aof_rewrite.h"
#include "persistence.h"

#define CRON_INTERVAL_MS 100

/* Startup cannot go on: the reason goes to the log and to the server,
 * which stops startup once the STARTED handlers have run (nothing is saved:
 * the module never counts as started).  Returns -1 for the caller to pass on. */
static int fatal(persistence_state *state, const char *what, const char *error)
{
    dblite_log(state->module, "warning", "%s: %s", what, error);
    dblite_log(state->module, "warning", "startup aborted: fix or move the file, then start again");
    dblite_module_fail(state->module, "%s: %s", what, error);
    return -1;
}

/* "64mb" -> bytes, with Redis's units (dblite_parse_memory_size); a
 * negative size is refused. */
static int parse_memory(const char *text, unsigned long long *bytes)
{
    long long parsed;
    if (text == NULL || dblite_parse_memory_size(text, &parsed) != DBLITE_OK || parsed < 0)
        return -1;
    *bytes = (unsigned long long)parsed;
    return 0;
}

static int auto_rewrite_due(persistence_state *state)
{
    aof_log *aof = &state->aof;
    unsigned long long minimum;
    if (!aof->active || state->settings.auto_aof_rewrite_percentage <= 0 ||
        parse_memory(state->settings.auto_aof_rewrite_min_size, &minimum) != 0 ||
        aof->current_size <= minimum)
        return 0;
    uint64_t base = aof->base_size ? aof->base_size : 1;
    uint64_t growth = aof->current_size > base ? (aof->current_size - base) * 100 / base : 0;
    return growth >= (uint64_t)state->settings.auto_aof_rewrite_percentage;
}

/* CONFIG SET persistence.appendonly yes|no at runtime. */
static void follow_appendonly(persistence_state *state)
{
    aof_log *aof = &state->aof;
    if (state->settings.appendonly && !aof->active && !aof->waiting_first_rewrite) {
        /* The log starts from a rewrite of the current dataset. */
        aof->waiting_first_rewrite = 1;
        aof->rewrite_scheduled = 1;
    } else if (!state->settings.appendonly && (aof->active || aof->waiting_first_rewrite)) {
        if (child_running(state, CHILD_AOF_REWRITE))
            child_kill(state);
        aof_log_close(state);
        aof->waiting_first_rewrite = 0;
        aof->rewrite_scheduled = 0;
        dblite_log(state->module, "notice", "append only file switched off");
    }
}

/* CONFIG SET appendonly yes: refused, as Redis refuses it, when the log
 * cannot be opened, instead of a rewrite failing every cron turn. */
static int check_appendonly(const char *name, char *error, size_t error_size, void *privdata)
{
    (void)name;
    persistence_state *state = privdata;
    aof_log *aof = &state->aof;
    if (!state->started || !state->settings.appendonly || aof->active || aof->waiting_first_rewrite)
        return DBLITE_OK;
    char reason[512];
    if (aof_log_check_openable(state, reason, sizeof(reason)) != 0) {
        dblite_log(state->module, "warning", "%s", reason);
        dblite_log(state->module, "warning",
                   "the append only file stays off (CONFIG SET appendonly yes refused)");
        snprintf(error, error_size, "Unable to turn on AOF. Check server logs.");
        return DBLITE_ERR_IO;
    }
    return DBLITE_OK;
}

#define REWRITE_FAILURES_BEFORE_LIMIT 3
#define REWRITE_MAX_DELAY_MINUTES 60

/* Redis's aofRewriteLimited: 1 while automatic and scheduled rewrites wait
 * after repeated failures (BGREWRITEAOF is not limited). */
static int rewrite_limited(persistence_state *state, long long now_seconds)
{
    aof_log *aof = &state->aof;
    if (aof->consecutive_failures < REWRITE_FAILURES_BEFORE_LIMIT) {
        aof->retry_delay_minutes = 0;
        aof->retry_after = 0;
        return 0;
    }
    if (aof->retry_after != 0) {
        if (now_seconds < aof->retry_after)
            return 1;
        aof->retry_after = 0;
        return 0;
    }
    aof->retry_delay_minutes = aof->retry_delay_minutes == 0 ? 1 : aof->retry_delay_minutes * 2;
    if (aof->retry_delay_minutes > REWRITE_MAX_DELAY_MINUTES)
        aof->retry_delay_minutes = REWRITE_MAX_DELAY_MINUTES;
    aof->retry_after = now_seconds + aof->retry_delay_minutes * 60;
    dblite_log(
        state->module, "warning",
        "Background AOF rewrite has repeatedly failed and triggered the limit, will retry in %lld minutes",
        aof->retry_delay_minutes);
    return 1;
}

static long long cron(dblite_ctx *ctx, void *privdata)
{
    persistence_state *state = privdata;
    if (!state->started || state->loading)
        return CRON_INTERVAL_MS;
    follow_appendonly(state);
    aof_log_cron(state, dblite_time_ms());
    if (child_running(state, CHILD_NONE))
        return CRON_INTERVAL_MS;
    char error[512];
    if (state->bgsave_scheduled || snapshot_save_point_due(state, time(NULL))) {
        if (state->bgsave_scheduled == 0)
            dblite_log(state->module, "notice", "%lld changes since the last save: saving",
                       state->changes_since_save);
        snapshot_start_background(state, ctx, error, sizeof(error));
    } else if ((state->aof.rewrite_scheduled || auto_rewrite_due(state)) &&
               !rewrite_limited(state, time(NULL))) {
        if (aof_rewrite_start_background(state, ctx, error, sizeof(error)) != 0)
            dblite_log(state->module, "warning", "cannot start the AOF rewrite: %s", error);
    }
    return CRON_INTERVAL_MS;
}

static int file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static int load_at_startup(persistence_state *state, dblite_ctx *ctx)
{
    char error[1024];
    const char *rdb = state->settings.dbfilename;
    const char *aof = state->settings.appendfilename;
    char manifest[PATH_MAX];
    aof_dir_manifest_path(state, manifest, sizeof(manifest));
    if (state->settings.appendonly && file_exists(manifest)) {
        long long commands;
        if (aof_dir_load(state, ctx, &commands, error, sizeof(error)) != 0)
            return fatal(state, "cannot load the multi-part append only file", error);
        dblite_log(state->module, "notice",
                   "DB loaded from the append only files of '%s': %lld commands replayed", manifest,
                   commands);
        if (aof_log_open(state, error, sizeof(error)) != 0)
            return fatal(state, "cannot open the append only file", error);
        return 0;
    }
    if (state->settings.appendonly && file_exists(aof)) {
        aof_load_result result;
        if (aof_load_file(state, ctx, aof, &result, error, sizeof(error)) != 0)
            return fatal(state, "cannot load the append only file", error);
        dblite_log(state->module, "notice",
                   "DB loaded from append only file '%s': %lld commands replayed", aof,
                   result.commands);
        if (result.failed_commands)
            dblite_log(state->module, "warning", "%lld replayed commands replied an error",
                       result.failed_commands);
        if (aof_log_open(state, error, sizeof(error)) != 0)
            return fatal(state, "cannot open the append only file", error);
        return 0;
    }
    if (file_exists(rdb) && snapshot_load_file(state, ctx, rdb, 1, 1, error, sizeof(error)) != 0)
        return fatal(state, "cannot load the RDB file", error);
    if (!state->settings.appendonly)
        return 0;
    /* The log starts as a rewrite of what was just loaded. */
    if (aof_rewrite_now(state, ctx, error, sizeof(error)) != 0)
        return fatal(state, "cannot create the append only file", error);
    dblite_log(state->module, "notice", "created the append only file '%s'", aof);
    return 0;
}

static void on_started(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)event;
    persistence_state *state = privdata;
    char error[512];
    const char *dir = dblite_config_server_value("dir");
    snprintf(state->applied_dir, sizeof(state->applied_dir), "%s", dir ? dir : "");
    state->expiry = dblite_service_lookup(DBLITE_EXPIRY_SERVICE);
    if (snapshot_save_points_validate(state->settings.save, error, sizeof(error)) != 0) {
        fatal(state, "bad setting persistence.save", error);
        return;
    }
    state->last_save_time = time(NULL);
    if (aof_fsync_worker_start(&state->aof.worker) != 0)
        dblite_log(state->module, "warning",
                   "no fsync thread: everysec fsyncs will run on the main thread");
    if (load_at_startup(state, ctx) != 0)
        return;
    state->started = 1;
    if (dblite_timer_create(state->module, CRON_INTERVAL_MS, cron, state) == 0)
        fatal(state, "cannot start", "no timer for the periodic checks");
}

/* Redis's finishShutdown, while the server still runs: stop the child,
 * flush and fsync the log, take the final snapshot (SHUTDOWN NOSAVE skips
 * it, SHUTDOWN SAVE forces one; otherwise, as SIGTERM, it is taken when
 * save points exist).  A failed save, or a first rewrite of the log still
 * running, keeps the server running unless FORCE was given. */
static void on_shutdown_prepare(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    persistence_state *state = privdata;
    state->shutdown_prepared = 0;
    if (!state->started)
        return;
    int force = (event->flags & DBLITE_SHUTDOWN_FORCE) != 0;
    if (child_running(state, CHILD_RDB)) {
        dblite_log(state->module, "warning", "There is a child saving an .rdb. Killing it!");
        child_kill(state);
    }
    if (child_running(state, CHILD_AOF_REWRITE)) {
        if (state->aof.waiting_first_rewrite && !force) {
            dblite_log(state->module, "warning", "Writing initial AOF, can't exit.");
            dblite_shutdown_refuse(ctx);
            return;
        }
        if (state->aof.waiting_first_rewrite)
            dblite_log(state->module, "warning", "Writing initial AOF. Exit anyway.");
        dblite_log(state->module, "warning", "There is a child rewriting the AOF. Killing it!");
        child_kill(state);
    }
    if (state->aof.active) {
        dblite_log(state->module, "notice", "Calling fsync() on the AOF file.");
        aof_log_flush_and_sync(state);
    }
    int save = (event->flags & DBLITE_SHUTDOWN_SAVE) ||
               (!(event->flags & DBLITE_SHUTDOWN_NOSAVE) && snapshot_save_points_configured(state));
    if (save) {
        char error[512];
        dblite_log(state->module, "notice", "Saving the final RDB snapshot before exiting.");
        if (snapshot_save_now(state, ctx, state->settings.dbfilename, error, sizeof(error)) != 0) {
            if (force) {
                dblite_log(state->module, "warning", "Error trying to save the DB. Exit anyway.");
            } else {
                dblite_log(state->module, "warning", "Error trying to save the DB, can't exit.");
                dblite_shutdown_refuse(ctx);
                return;
            }
        }
    }
    state->shutdown_prepared = 1;
}

/* The exit itself: what SHUTDOWN_PREPARE did is not repeated; without it
 * (an exit that was not prepared) the final save is taken here. */
static void on_shutdown(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    persistence_state *state = privdata;
    if (state->started) {
        if (child_running(state, CHILD_NONE))
            child_kill(state);
        if (state->aof.fd >= 0)
            aof_log_close(state);
        char error[512];
        int save =
            !state->shutdown_prepared &&
            ((event->flags & DBLITE_SHUTDOWN_SAVE) ||
             (!(event->flags & DBLITE_SHUTDOWN_NOSAVE) && snapshot_save_points_configured(state)));
        if (save) {
            dblite_log(state->module, "notice", "saving the final RDB snapshot before exiting");
            snapshot_save_now(state, ctx, state->settings.dbfilename, error, sizeof(error));
        }
    }
    /* The state itself is freed later, by its destructor. */
    aof_fsync_worker_stop(&state->aof.worker);
}

static void on_before_sleep(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)ctx, (void)event;
    aof_log_write_pending(privdata);
}

static void on_overwritten(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)ctx, (void)event;
    persistence_state *state = privdata;
    if (state->loading)
        state->overwrite_seen++;
}

static void on_propagate(int db, int argc, const dblite_bytes *argv, void *privdata)
{
    persistence_state *state = privdata;
    if (state->loading)
        return;
    /* A transaction comes as MULTI, its commands, EXEC: the two around
     * it are logged but change nothing (Redis counts no dirty for them). */
    int transaction_marker = argc == 1 && (dblite_bytes_equal_nocase(argv[0], "multi") ||
                                           dblite_bytes_equal_nocase(argv[0], "exec"));
    if (!transaction_marker)
        state->changes_since_save++;
    /* RESTORE <file> rewrote the log itself: replaying it would depend on
     * a file that may have changed since. */
    if (argc == 2 && dblite_bytes_equal_nocase(argv[0], "restore"))
        return;
    aof_log_feed(state, db, argc, argv);
}

int persistence_lifecycle_register(persistence_state *state)
{
    dblite_module *module = state->module;
    int status = DBLITE_OK;
    status |= dblite_event_subscribe(module, DBLITE_EVENT_STARTED, on_started, state);
    status |=
        dblite_event_subscribe(module, DBLITE_EVENT_SHUTDOWN_PREPARE, on_shutdown_prepare, state);
    status |= dblite_event_subscribe(module, DBLITE_EVENT_SHUTDOWN, on_shutdown, state);
    status |= dblite_event_subscribe(module, DBLITE_EVENT_BEFORE_SLEEP, on_before_sleep, state);
    status |= dblite_event_subscribe(module, DBLITE_EVENT_KEY_OVERWRITTEN, on_overwritten, state);
    status |= dblite_propagation_subscribe(module, on_propagate, state);
    status |= dblite_config_check(module, "appendonly", check_appendonly, state);
    return status == DBLITE_OK ? DBLITE_OK : DBLITE_ERR;
}
