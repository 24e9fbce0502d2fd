/*
 * lists.h - the family header of lists.so, Redis's lists family: the
 * module's state, reached from every command, the command handlers that
 * lists.c registers, and the steps the plain and blocking commands share.
 *
 * The state holds the registered type and the settings ([lists] section,
 * --lists.NAME, CONFIG GET/SET lists.NAME):
 *   list-max-listpack-size  the fill budget of one packed list (see
 *                           list_fill.h); Redis's default -2 = 8 KB
 * It lives with the server (dblite_module_set_data_free), not in a global:
 * handlers reach it from their context, the load method from its stream.
 */
#ifndef LISTS_LISTS_H
#define LISTS_LISTS_H

#include "dblite_module.h"
#include "list_value.h"

typedef struct lists_state {
    const dblite_type *type;
    long long fill; /* list-max-listpack-size, written by the server */
} lists_state;

/* The state of the module whose command or callback is running. */
static inline lists_state *lists_state_of(const dblite_ctx *ctx)
{
    return dblite_module_get_data(dblite_ctx_module(ctx));
}
static inline const dblite_type *list_type(const dblite_ctx *ctx)
{
    return lists_state_of(ctx)->type;
}
static inline long long list_fill(const dblite_ctx *ctx)
{
    return lists_state_of(ctx)->fill;
}

/* ---- Command handlers, by the file that implements them ---- */

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
void lists_pop_with_key(dblite_ctx *ctx, dblite_bytes key, list_value *list, int where,
                        long long count);

/* Parsed LMPOP/BLMPOP arguments after the keys. */
typedef struct lists_mpop_arguments {
    const dblite_bytes *keys;
    int key_count;
    int where;
    long long count;
} lists_mpop_arguments;
/* Parses from numkeys (argv[numkeys_index]) to the end: DBLITE_OK, or
 * DBLITE_ERR_INVALID after replying the error Redis gives. */
int lists_parse_mpop(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int numkeys_index,
                     lists_mpop_arguments *arguments);

/* Moves one element of source's non-empty list to destination (LMOVE).
 * Replies the element and returns DBLITE_OK, or replies an error (WRONGTYPE
 * destination, out of memory) and returns it with nothing moved.
 * Propagation is the caller's. */
int lists_move_element(dblite_ctx *ctx, dblite_bytes source, list_value *source_list,
                       dblite_bytes destination, int where_from, int where_to);

#endif
