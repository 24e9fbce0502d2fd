/*
 * sets.h - the family header of sets.so, Redis's set family: the module's
 * state, reached from every command, and the command handlers that sets.c
 * registers.
 *
 * The state holds the type handle, the settings ([sets] section,
 * --sets.NAME, CONFIG GET/SET sets.NAME):
 *   set-max-intset-entries    most members an integer set holds (512)
 *   set-max-listpack-entries  most members a packed set holds (128)
 *   set-max-listpack-value    longest member a packed set holds (64)
 * and the random number generator (SPOP, SRANDMEMBER).  It lives with the
 * server (dblite_module_set_data_free), not in a global: handlers reach it from
 * their context, the load method from its stream (dblite_io_module).
 * Values never point at it (each hash table carries its own secret key).
 */
#ifndef SETS_SETS_H
#define SETS_SETS_H

#include "common/random_source.h"
#include "dblite_module.h"
#include "set_value.h"

typedef struct sets_state {
    const dblite_type *type;
    long long max_intset_entries; /* written by the server */
    long long max_packed_entries;
    long long max_packed_value;
    random_source random;
} sets_state;

/* The state of the module whose command is running. */
static inline sets_state *sets_state_of(const dblite_ctx *ctx)
{
    return dblite_module_get_data(dblite_ctx_module(ctx));
}

/* The encoding limits as the settings say now. */
static inline set_limits sets_limits(const sets_state *state)
{
    set_limits limits = {(size_t)state->max_intset_entries, (size_t)state->max_packed_entries,
                         (size_t)state->max_packed_value};
    return limits;
}

/* ---- Command handlers, by the file that implements them ---- */

/* sets_commands_members.c */
void sets_sadd_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void sets_srem_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void sets_scard_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void sets_sismember_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void sets_smismember_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void sets_smembers_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* sets_commands_random.c */
void sets_srandmember_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void sets_spop_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* sets_commands_move.c */
void sets_smove_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* sets_commands_intersection.c */
void sets_sinter_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void sets_sintercard_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void sets_sinterstore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* sets_commands_union_diff.c */
void sets_sunion_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void sets_sunionstore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void sets_sdiff_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void sets_sdiffstore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* sets_commands_scan.c */
void sets_sscan_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

#endif
