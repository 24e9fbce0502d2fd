/*
 * strings.h - the family header of strings.so, Redis's strings family:
 * the command handlers that strings.c registers.  (The family's one piece
 * of state, its type handle, is string_type() in string_type.h.)
 */
#ifndef STRINGS_STRINGS_H
#define STRINGS_STRINGS_H

#include "dblite_module.h"

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

#endif
