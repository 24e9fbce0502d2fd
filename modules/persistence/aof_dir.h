/*
 * aof_dir.h - loading Redis 7.0's multi-part append-only file at startup
 * (loadAppendOnlyFiles): the manifest <appenddirname>/<appendfilename>.manifest
 * read (aof_manifest.h), every file it names checked to be there, the base
 * file (an RDB or commands) loaded, then the incr files in order; a cut-off
 * tail is accepted (aof-load-truncated) only in the last file.  Then writes
 * are appended to the last incr file, as Redis does between rewrites (with
 * no incr file one is created and the manifest rewritten to name it),
 * and rewrites work the way Redis 7.0's do (aof_dir_add_incr,
 * aof_dir_install_base; the base is written as commands, .base.aof).
 * Anything wrong stops startup: a Redis user's data must never be silently
 * left behind by starting empty.
 */
#ifndef PERSISTENCE_AOF_DIR_H
#define PERSISTENCE_AOF_DIR_H

#include <stddef.h>

#include "dblite_provider.h"

struct persistence_state;

/* "<appenddirname>/<appendfilename>.manifest" into buffer. */
const char *aof_dir_manifest_path(const struct persistence_state *state, char *buffer, size_t size);
/* Load everything the manifest names and point the log at the last incr
 * file (not opened yet: aof_log_open does).  0, or -1 with the reason. */
int aof_dir_load(struct persistence_state *state, dblite_ctx *ctx, long long *commands, char *error,
                 size_t error_size);

/* BGREWRITEAOF's first step (Redis's openNewIncrAofForAppend): a new
 * incr file <appendfilename>.<seq+1>.incr.aof added to the manifest
 * (persisted) and made the append target, so writes made while the child
 * runs land there and need no buffer.  Not opened here.  0 or -1. */
int aof_dir_add_incr(struct persistence_state *state, char *error, size_t error_size);
/* The child's finished file becomes the new base (Redis's
 * backgroundRewriteDoneHandler): renamed to <appendfilename>.<seq+1>.base.aof
 * in the directory, the old base and every incr file but the last marked
 * history, the manifest persisted, then the history files removed and the
 * manifest persisted again.  *base_size gets the new base's size.  0 or -1. */
int aof_dir_install_base(struct persistence_state *state, const char *temp_path,
                         unsigned long long *base_size, char *error, size_t error_size);

#endif
