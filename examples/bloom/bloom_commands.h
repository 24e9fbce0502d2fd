/*
 * bloom_commands.h - the BF.* commands and their table.
 */
#ifndef BLOOM_COMMANDS_H
#define BLOOM_COMMANDS_H

#include "dblite_module.h"

/* What log compaction rebuilds filters with (see bloom_type.c). */
#define BLOOM_LOADCHUNK_COMMAND_NAME "bf.loadchunk"

void bloom_reserve_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void bloom_add_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void bloom_madd_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void bloom_insert_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void bloom_exists_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void bloom_mexists_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void bloom_card_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void bloom_info_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void bloom_scandump_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void bloom_loadchunk_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* Registers every command above; on failure the reason went to
 * dblite_module_fail. */
int bloom_commands_register(dblite_module *module);

#endif
