/*
 * lists_commands_blocking.c - BLPOP, BRPOP, BLMPOP, BLMOVE and BRPOPLPUSH.
 *
 * When a named list has elements, the command acts at once like its
 * non-blocking twin and is propagated as that twin (LPOP, LMOVE...).
 * Otherwise the client waits on the keys through the server, which offers
 * each wait a key once a write made it ready, oldest wait first, within the
 * event-loop turn of that write.  The wait's callback then pops, replies and
 * propagates what it did; a key that is still empty or not a list keeps the
 * client waiting.  Where a client cannot wait (a replayed log), the command
 * answers as a timed-out one would.
 */
#include <limits.h>
#include <string.h>

#include "common/blocking_timeout.h"
#include "list_access.h"
#include "lists.h"

typedef enum wait_kind { WAIT_POP, WAIT_MPOP, WAIT_MOVE } wait_kind;

typedef struct list_wait {
    wait_kind kind;
    int where_from;
    int where_to;
    long long count;  /* WAIT_MPOP */
    int as_rpoplpush; /* WAIT_MOVE: propagate as RPOPLPUSH, not LMOVE */
    size_t destination_length;
    char destination[]; /* WAIT_MOVE */
} list_wait;

static void propagate_move(dblite_ctx *ctx, dblite_bytes source, dblite_bytes destination,
                           int where_from, int where_to, int as_rpoplpush)
{
    const char *from = list_end_name(where_from);
    const char *to = list_end_name(where_to);
    dblite_bytes command[5] = {
        {as_rpoplpush ? "RPOPLPUSH" : "LMOVE", as_rpoplpush ? 9 : 5},
        source,
        destination,
        {from, strlen(from)},
        {to, strlen(to)},
    };
    dblite_propagate_replace(ctx, as_rpoplpush ? 3 : 5, command);
}

/* BLPOP/BRPOP's reply for one element: [key, element]. */
static void pop_one_with_key(dblite_ctx *ctx, dblite_bytes key, list_value *list, int where)
{
    dblite_bytes command[2] = {{where == LIST_HEAD ? "LPOP" : "RPOP", 4}, key};
    dblite_propagate_replace(ctx, 2, command);
    list_position position;
    list_value_seek(list, where == LIST_HEAD ? 0 : -1, &position);
    dblite_reply_array(ctx, 2);
    dblite_reply_bulk(ctx, key.ptr, key.len);
    list_reply_position(ctx, list, &position);
    list_value_pop(list, where, 1, list_fill(ctx));
    list_removed_elements(ctx, key, list, list_pop_event(where));
}

/* Serves wait from the non-empty list under key. */
static void serve(dblite_ctx *ctx, const list_wait *wait, dblite_bytes key, list_value *list)
{
    switch (wait->kind) {
        case WAIT_POP:
            pop_one_with_key(ctx, key, list, wait->where_from);
            break;
        case WAIT_MPOP:
            lists_pop_with_key(ctx, key, list, wait->where_from, wait->count);
            break;
        case WAIT_MOVE: {
            dblite_bytes destination = {wait->destination, wait->destination_length};
            if (lists_move_element(ctx, key, list, destination, wait->where_from, wait->where_to) ==
                DBLITE_OK)
                propagate_move(ctx, key, destination, wait->where_from, wait->where_to,
                               wait->as_rpoplpush);
            break;
        }
    }
}

static int wait_ready(dblite_ctx *ctx, dblite_bytes ready_key, void *privdata)
{
    void *value;
    if (dblite_key_lookup(ctx, ready_key, list_type(ctx), DBLITE_LOOKUP_WRITE, &value) !=
            DBLITE_OK ||
        value == NULL || list_value_length(value) == 0)
        return 0;
    serve(ctx, privdata, ready_key, value);
    return 1;
}

static void wait_timed_out(dblite_ctx *ctx, void *privdata)
{
    (void)privdata;
    dblite_reply_null_array(ctx);
}

static void wait_free(void *privdata)
{
    dblite_free(privdata);
}

/* Blocks on keys, or answers as a timeout when that is impossible. */
static void block_or_reply(dblite_ctx *ctx, int key_count, const dblite_bytes *keys,
                           long long timeout_ms, const list_wait *prototype,
                           dblite_bytes destination)
{
    if (dblite_ctx_cannot_block(ctx)) {
        if (prototype->kind == WAIT_MOVE)
            dblite_reply_null(ctx);
        else
            dblite_reply_null_array(ctx);
        return;
    }
    list_wait *wait = dblite_alloc(sizeof(*wait) + destination.len);
    if (wait == NULL) {
        dblite_reply_error(ctx, LIST_OUT_OF_MEMORY_ERROR);
        return;
    }
    *wait = *prototype;
    wait->destination_length = destination.len;
    if (destination.len > 0)
        memcpy(wait->destination, destination.ptr, destination.len);
    int status = dblite_block_on_keys(ctx, key_count, keys, timeout_ms, wait_ready, wait_timed_out,
                                      wait_free, wait);
    if (status != DBLITE_OK) {
        dblite_free(wait);
        dblite_reply_error(ctx, LIST_OUT_OF_MEMORY_ERROR);
    }
}

/* The first non-empty list among keys is served at once; a key of another
 * type met before it is an error. */
static void pop_or_block(dblite_ctx *ctx, int key_count, const dblite_bytes *keys,
                         long long timeout_ms, const list_wait *prototype)
{
    for (int index = 0; index < key_count; index++) {
        list_value *list;
        if (list_lookup_or_reply(ctx, keys[index], DBLITE_LOOKUP_WRITE, &list) != DBLITE_OK)
            return;
        if (list != NULL && list_value_length(list) > 0) {
            serve(ctx, prototype, keys[index], list);
            return;
        }
    }
    block_or_reply(ctx, key_count, keys, timeout_ms, prototype, (dblite_bytes){NULL, 0});
}

static void blocking_pop_generic(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int where)
{
    long long timeout_ms;
    if (blocking_parse_timeout_or_reply(ctx, argv[argc - 1], &timeout_ms) != DBLITE_OK)
        return;
    list_wait prototype = {.kind = WAIT_POP, .where_from = where};
    pop_or_block(ctx, argc - 2, argv + 1, timeout_ms, &prototype);
}

/* BLPOP key [key ...] timeout */
void lists_blpop_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    blocking_pop_generic(ctx, argc, argv, LIST_HEAD);
}

void lists_brpop_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    blocking_pop_generic(ctx, argc, argv, LIST_TAIL);
}

/* BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: the
 * arguments are checked before the timeout, as Redis does. */
void lists_blmpop_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    lists_mpop_arguments arguments;
    if (lists_parse_mpop(ctx, argc, argv, 2, &arguments) != DBLITE_OK)
        return;
    long long timeout_ms;
    if (blocking_parse_timeout_or_reply(ctx, argv[1], &timeout_ms) != DBLITE_OK)
        return;
    list_wait prototype = {
        .kind = WAIT_MPOP, .where_from = arguments.where, .count = arguments.count};
    pop_or_block(ctx, arguments.key_count, arguments.keys, timeout_ms, &prototype);
}

static void blocking_move_generic(dblite_ctx *ctx, const dblite_bytes *argv, int where_from,
                                  int where_to, long long timeout_ms, int as_rpoplpush)
{
    list_value *source_list;
    if (list_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_WRITE, &source_list) != DBLITE_OK)
        return;
    list_wait prototype = {.kind = WAIT_MOVE,
                           .where_from = where_from,
                           .where_to = where_to,
                           .as_rpoplpush = as_rpoplpush};
    if (source_list != NULL && list_value_length(source_list) > 0) {
        if (lists_move_element(ctx, argv[1], source_list, argv[2], where_from, where_to) ==
            DBLITE_OK)
            propagate_move(ctx, argv[1], argv[2], where_from, where_to, as_rpoplpush);
        return;
    }
    block_or_reply(ctx, 1, argv + 1, timeout_ms, &prototype, argv[2]);
}

/* BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
void lists_blmove_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    int where_from, where_to;
    long long timeout_ms;
    if (list_parse_end_or_reply(ctx, argv[3], &where_from) != DBLITE_OK ||
        list_parse_end_or_reply(ctx, argv[4], &where_to) != DBLITE_OK ||
        blocking_parse_timeout_or_reply(ctx, argv[5], &timeout_ms) != DBLITE_OK)
        return;
    blocking_move_generic(ctx, argv, where_from, where_to, timeout_ms, 0);
}

/* BRPOPLPUSH source destination timeout */
void lists_brpoplpush_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    long long timeout_ms;
    if (blocking_parse_timeout_or_reply(ctx, argv[3], &timeout_ms) != DBLITE_OK)
        return;
    blocking_move_generic(ctx, argv, LIST_TAIL, LIST_HEAD, timeout_ms, 1);
}
