/*
 * persistence.h - the state of persistence.so and the functions its parts
 * share: RDB snapshots (SAVE, BGSAVE, save points, load at startup, save at
 * shutdown), the append-only file, DUMP/RESTORE.
 *
 * The state is one struct, the module's data (persistence_module.c): the
 * module's commands reach it from their context (persistence_state_of),
 * hooks and timers as their privdata, and the files service's functions,
 * which run with the dialect module's context, as the service exporter's
 * data.  It is only touched on the command thread (the fsync worker has
 * its own locked struct, see aof_fsync_worker.h).
 */
#ifndef PERSISTENCE_H
#define PERSISTENCE_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "aof_log.h"
#include "crc64.h"
#include "dblite_expiry_service.h"
#include "dblite_provider.h"

typedef struct persistence_settings {
    char *save; /* "SECONDS CHANGES ..." pairs; empty: none */
    char *dbfilename;
    int rdbchecksum;
    int rdbcompression; /* LZF for strings over 20 bytes, as Redis */
    int stop_writes_on_bgsave_error;
    long long rdb_key_save_delay; /* microseconds per key, for tests */
    int appendonly;
    char *appendfilename;
    char *appenddirname; /* Redis 7.0's multi-part log directory */
    int appendfsync;     /* AOF_FSYNC_* */
    long long auto_aof_rewrite_percentage;
    char *auto_aof_rewrite_min_size;
    int aof_load_truncated;
} persistence_settings;

struct persistence_state;

/* What the forked child runs: 0 on success, or -1 with the reason. */
typedef int (*child_job_fn)(struct persistence_state *state, dblite_ctx *ctx, char *error,
                            size_t error_size);
/* What the server runs once the child has ended (success: it exited 0)
 * after waiting duration_ms for it; the child's temporary file is still
 * there and is removed right after. */
typedef void (*child_done_fn)(struct persistence_state *state, int success, long long duration_ms);

typedef enum child_kind {
    CHILD_NONE = 0,
    CHILD_RDB,
    CHILD_AOF_REWRITE,
} child_kind;

typedef struct persistence_state {
    dblite_module *module;
    persistence_settings settings;
    crc64_tables crc_tables;
    const dblite_expiry_service *expiry; /* looked up once every module is loaded */
    int started;                         /* the STARTED event ran (data loaded) */
    int loading;                         /* a dataset is being loaded: ignore propagation */
    int overwrite_seen;                  /* a key was overwritten while loading: duplicate */
    int suppress_propagation;            /* the running command's propagation is not logged */
    int shutdown_prepared;               /* SHUTDOWN_PREPARE flushed the log and saved */
    char applied_dir[PATH_MAX];          /* the server's 'dir' we are in */

    /* snapshots */
    long long changes_since_save; /* counted from propagated writes */
    long long changes_at_fork;
    long long last_save_time;  /* Unix seconds of the last successful save */
    long long last_bgsave_try; /* Unix seconds */
    int last_bgsave_ok;
    long long last_bgsave_duration_ms;
    long long rdb_saves;
    int bgsave_scheduled;

    /* the forked child (one at a time) */
    child_kind child;
    pid_t child_pid;
    long long child_started_ms;
    char child_temp_path[64];
    char child_target_path[PATH_MAX];
    dblite_timer_id child_timer;
    child_done_fn child_done; /* the running job's completion */

    aof_log aof;
} persistence_state;

/* The state, for the module's own commands (their ctx names this module). */
static inline persistence_state *persistence_state_of(const dblite_ctx *ctx)
{
    return dblite_module_get_data(dblite_ctx_module(ctx));
}

/* Make the process's working directory follow the 'dir' setting (CONFIG
 * SET dir changes it at runtime).  0, or -1 with the reason in error. */
int persistence_enter_dir(persistence_state *state, char *error, size_t error_size);

/* Tell expiry (when loaded) that a dataset is being loaded (1) or is
 * complete (0): meanwhile nothing expires, as in Redis, so a log replayed
 * after its keys' deadlines reproduces its history. */
static inline void persistence_pause_expiry(persistence_state *state, int loading)
{
    if (state->expiry != NULL && state->expiry->version >= 3)
        state->expiry->set_loading(loading);
}

/* Write gate (disk_error_gate.c): refuses writes with Redis's MISCONF
 * errors while the last background save failed (with save points set and
 * stop-writes-on-bgsave-error on) or the append-only file cannot be written. */
int persistence_write_gate(char *error, size_t error_size, void *privdata);

/* ---- snapshots (snapshot_jobs.c) ---- */

/* Foreground save of the dataset to path.  0, or -1 with a reason. */
int snapshot_save_now(persistence_state *state, dblite_ctx *ctx, const char *path, char *error,
                      size_t error_size);
/* Fork a child that saves to dbfilename.  0, or -1 with a reason. */
int snapshot_start_background(persistence_state *state, dblite_ctx *ctx, char *error,
                              size_t error_size);
/* Load the RDB file at path into the (empty) keyspace at startup or check
 * it (store 0).  0, or -1 with the reason in error. */
int snapshot_load_file(persistence_state *state, dblite_ctx *ctx, const char *path, int store,
                       int report_progress, char *error, size_t error_size);
/* The same for a file already mapped (the caller unmaps it); path names
 * it in messages. */
struct file_map;
int snapshot_load_mapped(persistence_state *state, dblite_ctx *ctx, const struct file_map *map,
                         const char *path, int store, int report_progress, char *error,
                         size_t error_size);
/* RESTORE <file>: check the mapped file, then replace the dataset with it;
 * name names it in messages. */
int dataset_restore_from_map(persistence_state *state, dblite_ctx *ctx, const struct file_map *map,
                             const char *name, char *error, size_t error_size);
/* Save points reached?  1 when a background save should start now. */
int snapshot_save_point_due(persistence_state *state, long long now_seconds);
/* Whether any save point is configured (saves at shutdown then). */
int snapshot_save_points_configured(const persistence_state *state);
/* Check the save setting's syntax.  0, or -1 with the reason. */
int snapshot_save_points_validate(const char *text, char *error, size_t error_size);

/* ---- the append-only file (aof_log.c, aof_rewrite.c, aof_load.c) ---- */

/* Open appendfilename for appending and start logging.  0 or -1. */
int aof_log_open(persistence_state *state, char *error, size_t error_size);
/* Whether switching the log on can work: appendfilename opens for
 * appending, or can be created in dir.  0, or -1 with Redis-like reason. */
int aof_log_check_openable(persistence_state *state, char *error, size_t error_size);
/* The propagation subscriber's work: log one write command. */
void aof_log_feed(persistence_state *state, int db, int argc, const dblite_bytes *argv);
/* Write what is pending (BEFORE_SLEEP), fsync with appendfsync always. */
void aof_log_write_pending(persistence_state *state);
/* Periodic work: the everysec fsync, retries of failed writes. */
void aof_log_cron(persistence_state *state, long long now_ms);
/* Write what is pending and fsync (shutdown, before the final save). */
void aof_log_flush_and_sync(persistence_state *state);
/* Write, fsync and close (shutdown, appendonly switched off). */
void aof_log_close(persistence_state *state);

/* ---- the background child (background_child.c) ---- */

/* Fork; the child runs job and exits 0 on success, and when it has ended
 * the server runs done (also when the child is killed).  kind names the
 * job for child_running and the temporary file.  0 in the parent, or -1
 * with the reason (fork failed, a child is already running). */
int child_start(persistence_state *state, dblite_ctx *ctx, child_kind kind, child_job_fn job,
                child_done_fn done, char *error, size_t error_size);
/* The temporary file a child of kind with process id pid writes. */
void child_temp_name(child_kind kind, pid_t pid, char *buffer, size_t size);
/* Stop a running child at once (shutdown, dataset replaced) and clean up
 * its temporary file. */
void child_kill(persistence_state *state);
/* Whether a child of this kind is running (CHILD_NONE: any). */
int child_running(const persistence_state *state, child_kind kind);

/* ---- SAVE and RESTORE (snapshot_commands.c, dump_commands.c) ---- */

/* SAVE to path (relative to 'dir') and reply, as Redis's SAVE does for
 * dbfilename. */
void snapshot_save_and_reply(persistence_state *state, dblite_ctx *ctx, const char *path);
/* Redis's RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]. */
void dump_restore_and_reply(persistence_state *state, dblite_ctx *ctx, int argc,
                            const dblite_bytes *argv);

/* ---- command handlers (the table is in persistence_module.c) ---- */

/* snapshot_commands.c */
void persistence_save_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void persistence_bgsave_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void persistence_lastsave_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
/* dump_commands.c */
void persistence_dump_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void persistence_restore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
/* aof_commands.c */
void persistence_bgrewriteaof_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* ---- registration (one function per file) ---- */
int persistence_info_register(persistence_state *state);
int persistence_config_register(persistence_state *state);
int persistence_lifecycle_register(persistence_state *state);
/* Exports DBLite's confined file forms for the dialect (files_service.h). */
int files_service_register(dblite_module *module);

#endif
