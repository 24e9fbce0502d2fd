/*
 * disk_error_gate.c - refuses writes while they could not be kept on disk.
 *
 * A failed background save or append-only file write would otherwise go
 * unnoticed by clients, who keep writing data that a restart then loses.
 * Like Redis, the server answers MISCONF to every write (and PING) until a
 * save succeeds or the file can be written again: the failure becomes
 * visible at once, and nothing is acknowledged that cannot be kept.
 * The same texts as Redis 7.0, so clients that know them react the same.
 */
#include <stdio.h>
#include <string.h>

#include "persistence.h"

static const char snapshot_error[] =
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that "
    "may modify the data set are disabled, because this instance is configured to report errors during writes if RDB "
    "snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB "
    "error.";

int persistence_write_gate(char *error, size_t error_size, void *privdata)
{
    persistence_state *state = privdata;
    /* Cheap tests first: this runs before every write command. */
    if (!state->last_bgsave_ok && state->settings.stop_writes_on_bgsave_error &&
        snapshot_save_points_configured(state)) {
        snprintf(error, error_size, "%s", snapshot_error);
        return 1;
    }
    const aof_log *aof = &state->aof;
    if (aof->active && (aof->write_failed || aof->fsync_failed)) {
        snprintf(error, error_size, "MISCONF Errors writing to the AOF file: %s",
                 strerror(aof->failure_errno));
        return 1;
    }
    return 0;
}
