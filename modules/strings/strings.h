/*
 * strings.h - the family header of strings.so, Redis's strings family:
 * the module's state, reached from every command, and the command
 * handlers that strings.c registers.
 *
 * The state is the registered type handle (looking the type up by name on
 * every command would cost a search per call).  It lives with the server
 * (dblite_module_set_data_free), as every bundled module's state does.
 */
#ifndef STRINGS_STRINGS_H
#define STRINGS_STRINGS_H

#include "dblite_module.h"
#include "dblite_strings_service.h"

typedef struct strings_state {
    const dblite_type *type;
    /* The table exported as DBLITE_STRINGS_SERVICE (strings_service.c). */
    dblite_strings_service service;
} strings_state;

/* The string type, for key lookups and stores of the running command. */
static inline const dblite_type *string_type(const dblite_ctx *ctx)
{
    const strings_state *state = dblite_module_get_data(dblite_ctx_module(ctx));
    return state->type;
}

/* ---- Command handlers, by the file that implements them ---- */

/* strings_commands_read.c */
void strings_get_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void strings_mget_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void strings_strlen_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void strings_getrange_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* strings_commands_set.c */
void strings_set_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void strings_setnx_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void strings_setex_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void strings_psetex_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void strings_getset_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* strings_commands_multi.c */
void strings_mset_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void strings_msetnx_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* strings_commands_getex.c */
void strings_getdel_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void strings_getex_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* strings_commands_counter.c */
void strings_incr_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void strings_decr_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void strings_incrby_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void strings_decrby_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void strings_incrbyfloat_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* strings_commands_edit.c */
void strings_append_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void strings_setrange_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* strings_commands_lcs.c */
void strings_lcs_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* strings_commands_bits.c */
void strings_setbit_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void strings_getbit_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void strings_bitcount_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void strings_bitpos_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* strings_commands_bitop.c */
void strings_bitop_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* strings_commands_bitfield.c */
void strings_bitfield_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void strings_bitfield_ro_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

#endif
