/*
 * aof_dir.h - loading Redis 7.0's multi-part append-only file at startup
 * (loadAppendOnlyFiles): the manifest <appenddirname>/<appendfilename>.manifest
 * read (aof_manifest.h), every file it names checked to be there, the base
 * file (an RDB or commands) loaded, then the incr files in order; a cut-off
 * tail is accepted (aof-load-truncated) only in the last file.  Then writes
 * are appended to the last incr file, as Redis does between rewrites (with
 * no incr file one is created and the manifest rewritten to name it).
 * Anything wrong stops startup: a Redis user's data must never be silently
 * left behind by starting empty.
 */
#ifndef PERSISTENCE_AOF_DIR_H
#define PERSISTENCE_AOF_DIR_H

#include <stddef.h>

#include "dblite_provider.h"

struct persistence_state;

/* "<appenddirname>/<appendfilename>.manifest" into buffer. */
const char *aof_dir_manifest_path(const struct persistence_state *state, char *buffer,
                                  size_t size);
/* Load everything the manifest names and point the log at the last incr
 * file (not opened yet: aof_log_open does).  0, or -1 with the reason. */
int aof_dir_load(struct persistence_state *state, dblite_ctx *ctx, long long *commands,
                 char *error, size_t error_size);

#endif
