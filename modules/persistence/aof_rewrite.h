/*
 * aof_rewrite.h - compacting the append-only file: the dataset written as
 * the shortest commands that rebuild it (each type's rewrite method, then
 * PEXPIREAT for keys with a deadline), replacing the log atomically.
 *
 * BGREWRITEAOF forks: the child writes the dataset as of the fork, the
 * server buffers every write made meanwhile, and when the child is done it
 * appends that buffer to the child's file, fsyncs it and renames it over
 * the log.  A crash at any point leaves the old log complete.
 */
#ifndef PERSISTENCE_AOF_REWRITE_H
#define PERSISTENCE_AOF_REWRITE_H

#include <stddef.h>

#include "dblite_expiry_service.h"
#include "dblite_provider.h"
#include "output_buffer.h"

struct persistence_state;

/* Every database as commands into out.  0, or -1 with the reason. */
int aof_rewrite_write_dataset(output_buffer *out, dblite_ctx *ctx,
                              const dblite_expiry_service *expiry, long long key_delay_us,
                              char *error, size_t error_size);
/* Rewrite in the foreground and switch the log to the result. */
int aof_rewrite_now(struct persistence_state *state, dblite_ctx *ctx, char *error,
                    size_t error_size);
/* Fork the rewrite.  0, or -1 with the reason. */
int aof_rewrite_start_background(struct persistence_state *state, dblite_ctx *ctx, char *error,
                                 size_t error_size);

#endif
