/*
 * aof_load.h - rebuilding the dataset from the append-only file at startup:
 * an RDB preamble if the file starts with one, then every command replayed
 * through the server (dblite_call_replay), SELECT and MULTI/EXEC handled
 * here: the commands of a MULTI ... EXEC are queued and run together at
 * its EXEC (an error reply of one does not stop the others, as live).  A
 * file cut short by a crash is loaded up to its last complete command and
 * truncated there (aof-load-truncated yes, with Redis's warnings); a
 * MULTI whose EXEC is missing is such a cut too: the transaction is
 * dropped whole and the file cut before its MULTI.  With
 * aof-load-truncated no startup stops with Redis's message; damage
 * anywhere else always stops it.
 */
#ifndef PERSISTENCE_AOF_LOAD_H
#define PERSISTENCE_AOF_LOAD_H

#include <stddef.h>

#include "dblite_provider.h"

struct persistence_state;

typedef struct aof_load_result {
    long long commands;
    long long failed_commands; /* replied an error (logged, not fatal) */
    int truncated;             /* the tail was cut off */
    int reverted_transaction;  /* the cut-off tail holds a MULTI without EXEC */
    size_t valid_length;       /* bytes of complete commands */
} aof_load_result;

/* 0, or -1 with the reason in error.  A missing file is an error; callers
 * check for it first. */
int aof_load_file(struct persistence_state *state, dblite_ctx *ctx, const char *path,
                  aof_load_result *result, char *error, size_t error_size);

/* The same for one file of a multi-part log (aof_dir.h): a cut-off tail
 * is only acceptable (and cut) in the last file loaded. */
int aof_load_file_part(struct persistence_state *state, dblite_ctx *ctx, const char *path,
                       int last_file, aof_load_result *result, char *error, size_t error_size);

/* The replay part alone over a buffer (for the fuzz target): commands go to
 * dblite_call_replay.  Sets *valid_length to the bytes of complete commands
 * and *truncated when the data ends inside one.  0, or -1 with a reason. */
int aof_replay_buffer(dblite_ctx *ctx, dblite_module *progress_module, const unsigned char *data,
                      size_t length, size_t start, aof_load_result *result, char *error,
                      size_t error_size);

#endif
