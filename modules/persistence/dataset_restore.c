/*
 * dataset_restore.c - RESTORE <file> (DBLite): replace the whole dataset
 * with the content of an RDB file.
 *
 * The file is checked first - checksum, then a complete parse building and
 * dropping every value - so a damaged or unloadable file is refused before
 * a single key is touched.  Only then is the dataset flushed and the file
 * loaded.  With the append-only file on, the log is rewritten at once so it
 * describes the new dataset.
 */
#include <stdio.h>
#include <string.h>

#include "aof_rewrite.h"
#include "file_map.h"
#include "persistence.h"

int dataset_restore_from_map(persistence_state *state, dblite_ctx *ctx, const file_map *map,
                             const char *name, char *error, size_t error_size)
{
    /* Both passes read the one mapping the caller opened (confined), so
     * nothing can swap the file between the check and the load. */
    if (snapshot_load_mapped(state, ctx, map, name, 0, 0, error, error_size) != 0)
        return -1;
    /* A child working on the old dataset would write something stale. */
    if (child_running(state, CHILD_AOF_REWRITE))
        child_kill(state);
    dblite_bytes flush[1] = {{"FLUSHALL", 8}};
    int db = dblite_ctx_db(ctx);
    if (dblite_call_replay(ctx, 1, flush) != DBLITE_OK) {
        snprintf(error, error_size, "could not empty the dataset");
        return -1;
    }
    int status = snapshot_load_mapped(state, ctx, map, name, 1, 0, error, error_size);
    dblite_ctx_select(ctx, db);
    /* Counted as one change at least: dbfilename no longer matches. */
    state->changes_since_save++;
    if (status != 0)
        return -1;
    if (state->aof.active && aof_rewrite_now(state, ctx, error, error_size) != 0) {
        dblite_log(state->module, "warning",
                   "rewriting the append only file after RESTORE failed: %s", error);
        return -1;
    }
    return 0;
}
