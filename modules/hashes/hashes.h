/*
 * hashes.h - the family header of hashes.so, Redis's hash family: the
 * module's state, reached from every command, and the command handlers
 * that hashes.c registers.
 *
 * The state holds the type handle, the settings ([hashes] section,
 * --hashes.NAME, CONFIG GET/SET hashes.NAME):
 *   hash-max-listpack-entries  most pairs a hash keeps packed (512)
 *   hash-max-listpack-value    longest field or value kept packed (64)
 * and the random number generator (HRANDFIELD).  It lives with the server
 * (dblite_module_set_data_free), not in a global: handlers reach it from their
 * context, the load method from its stream (dblite_io_module).  Values
 * never point at it (each hash table carries its own secret key).
 */
#ifndef HASHES_HASHES_H
#define HASHES_HASHES_H

#include "common/random_source.h"
#include "dblite_module.h"
#include "hash_value.h"

typedef struct hashes_state {
    const dblite_type *type;
    long long max_packed_entries; /* written by the server */
    long long max_packed_value;
    random_source random;
} hashes_state;

/* The state of the module whose command is running. */
static inline hashes_state *hashes_state_of(const dblite_ctx *ctx)
{
    return dblite_module_get_data(dblite_ctx_module(ctx));
}

/* The encoding limits as the settings say now. */
static inline hash_limits hashes_limits(const hashes_state *state)
{
    hash_limits limits = {(size_t)state->max_packed_entries, (size_t)state->max_packed_value};
    return limits;
}

/* ---- Command handlers, by the file that implements them ---- */

/* hashes_commands_set.c */
void hashes_hset_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void hashes_hmset_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void hashes_hsetnx_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* hashes_commands_read.c */
void hashes_hget_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void hashes_hmget_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void hashes_hlen_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void hashes_hstrlen_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void hashes_hexists_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* hashes_commands_all.c */
void hashes_hkeys_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void hashes_hvals_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void hashes_hgetall_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* hashes_commands_delete.c */
void hashes_hdel_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* hashes_commands_counter.c */
void hashes_hincrby_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void hashes_hincrbyfloat_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* hashes_commands_random.c */
void hashes_hrandfield_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* hashes_commands_scan.c */
void hashes_hscan_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

#endif
