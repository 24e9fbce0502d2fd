/*
 * sets_commands.h - the command handlers of sets.so and their
 * registration (the table in sets_command_table.c).
 */
#ifndef SETS_SETS_COMMANDS_H
#define SETS_SETS_COMMANDS_H

#include "dblite_module.h"

int sets_commands_register(dblite_module *module);

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
