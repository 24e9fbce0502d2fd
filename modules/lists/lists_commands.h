/*
 * lists_commands.h - the command handlers of the lists module, grouped by
 * the file that implements them, the steps they share, and the table that
 * registers them.
 */
#ifndef LISTS_LISTS_COMMANDS_H
#define LISTS_LISTS_COMMANDS_H

#include "dblite_module.h"
#include "list_value.h"

/* lists_commands_push.c */
void lists_lpush_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void lists_rpush_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void lists_lpushx_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void lists_rpushx_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void lists_linsert_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* lists_commands_pop.c */
void lists_lpop_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void lists_rpop_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void lists_lmpop_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* lists_commands_read.c */
void lists_llen_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void lists_lrange_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void lists_lindex_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void lists_lpos_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* lists_commands_edit.c */
void lists_lset_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void lists_lrem_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void lists_ltrim_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* lists_commands_move.c */
void lists_lmove_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void lists_rpoplpush_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* lists_commands_blocking.c */
void lists_blpop_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void lists_brpop_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void lists_blmpop_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void lists_blmove_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void lists_brpoplpush_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* ---- Steps shared by the plain and the blocking commands ---- */

/* Pops up to count elements of key's non-empty list from one end, replying
 * [key, [elements]] (LMPOP's shape) and propagating LPOP/RPOP key n. */
void lists_pop_with_key(dblite_ctx *ctx, dblite_bytes key, list_value *list, int where, long long count);

/* Parsed LMPOP/BLMPOP arguments after the keys. */
typedef struct lists_mpop_arguments {
    const dblite_bytes *keys;
    int key_count;
    int where;
    long long count;
} lists_mpop_arguments;
/* Parses from numkeys (argv[numkeys_index]) to the end, replying the error
 * Redis gives and returning -1 on bad input. */
int lists_parse_mpop(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int numkeys_index,
                     lists_mpop_arguments *arguments);

/* Moves one element of source's non-empty list to destination (LMOVE).
 * Replies the element, or an error (WRONGTYPE destination, out of memory)
 * and returns -1 with nothing moved.  Propagation is the caller's. */
int lists_move_element(dblite_ctx *ctx, dblite_bytes source, list_value *source_list,
                       dblite_bytes destination, int where_from, int where_to);

/* lists_command_table.c: registers every command; DBLITE_OK or an error
 * after dblite_module_fail(). */
int lists_commands_register(dblite_module *module);

#endif
