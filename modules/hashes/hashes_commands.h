/*
 * hashes_commands.h - the command handlers of hashes.so and their
 * registration (the table in hashes_command_table.c).
 */
#ifndef HASHES_HASHES_COMMANDS_H
#define HASHES_HASHES_COMMANDS_H

#include "dblite_module.h"

int hashes_commands_register(dblite_module *module);

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
