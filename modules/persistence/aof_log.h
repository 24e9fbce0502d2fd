/*
 * aof_log.h - the append-only file: every propagated write command, as
 * RESP, with a SELECT whenever the database changes, in one file
 * (appendfilename), the format older Redis versions write and all of them
 * load.
 *
 * Writes collect in a buffer during an event-loop turn and reach the file
 * in the BEFORE_SLEEP event, before the turn's replies are sent: with
 * appendfsync always they are also fsynced there, so no acknowledged write
 * can be lost; with everysec a worker thread fsyncs once a second; with no
 * the kernel decides.
 */
#ifndef PERSISTENCE_AOF_LOG_H
#define PERSISTENCE_AOF_LOG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "aof_fsync_worker.h"
#include "byte_buffer.h"
#include "dblite_module.h"

#define AOF_FSYNC_ALWAYS 0
#define AOF_FSYNC_EVERYSEC 1
#define AOF_FSYNC_NO 2

typedef struct aof_log {
    int fd; /* -1 while the log is off */
    /* Loaded from Redis 7.0's multi-part directory (aof_dir.h): appending
     * goes to its last incr file, named here; "" for appendfilename. */
    int multi_part;
    char append_path[PATH_MAX];
    uint64_t other_files_size; /* multi-part: bytes of the base and earlier incr files */
    int active;                /* appending to fd */
    int selected_db;           /* database of the last SELECT in the file; -1 unknown */
    byte_buffer pending;       /* commands not yet written */
    uint64_t current_size;     /* bytes in the file, written or pending */
    uint64_t base_size;        /* size after the last rewrite (auto-rewrite growth base) */
    int write_failed;          /* the last write attempt failed */
    int fsync_failed;          /* the last background fsync failed */
    int failure_errno;         /* errno of the last failed write or fsync */
    int waiting_first_rewrite; /* switched on at runtime: the rewrite creates the file */
    long long last_fsync_ms;
    aof_fsync_worker worker;

    /* rewrite */
    byte_buffer rewrite_diff; /* writes made while a rewrite child runs */
    int rewrite_selected_db;
    int rewrite_diff_failed; /* a write could not be buffered: the rewrite is void */
    int rewrite_scheduled;
    int rewrite_into_incr; /* multi-part: the running rewrite's writes go to the new incr file */
    int last_rewrite_ok;
    long long last_rewrite_duration_ms;
    long long rewrites;
    uint64_t last_rewrite_size;
    /* Redis's limit on failing rewrites: after 3 failures in a row the next
     * automatic or scheduled one waits 1, 2, 4... up to 60 minutes. */
    long long consecutive_failures;
    long long retry_delay_minutes;
    long long retry_after; /* Unix seconds; 0 when not waiting */
} aof_log;

/* Append one command in RESP form, nothing else. */
int aof_encode_plain(byte_buffer *buffer, int argc, const dblite_bytes *argv);
/* Append one command in RESP form (with SELECT db first when needed). */
int aof_encode_command(byte_buffer *buffer, int *selected_db, int db, int argc,
                       const dblite_bytes *argv);

#endif
