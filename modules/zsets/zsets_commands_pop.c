/*
 * zsets_commands_pop.c - removing the lowest or highest members: ZPOPMIN,
 * ZPOPMAX, ZMPOP (the first non-empty set of several) and their blocking
 * forms BZPOPMIN, BZPOPMAX and BZMPOP.
 *
 * One pop routine serves them all; they differ in the reply's shape (as
 * Redis 7.0's genericZpopCommand shapes it) and in how they propagate:
 * ZMPOP and BZMPOP go out as ZPOPMIN/ZPOPMAX key <count popped>, BZPOPMIN
 * as ZPOPMIN key, so a replica or a log replay pops the same members
 * without blocking.
 *
 * A blocking pop that finds every key empty waits on them through the
 * server (dblite_block_on_keys), which offers each wait a key once a write
 * made it ready, oldest wait first.  The wait's callback pops, replies and
 * propagates like the immediate case; a key that is still empty or holds
 * another type keeps the client waiting.  Where a client cannot wait
 * (inside MULTI, a replayed log) the command answers as a timed-out one.
 */
#include <limits.h>

#include "common/blocking_timeout.h"
#include "common/collection_access.h"
#include "zset_access.h"
#include "zsets.h"

#define ZSET_POP_MIN 0
#define ZSET_POP_MAX 1

/* How the popped entries are replied (Redis's emitkey / use_nested_array). */
typedef enum pop_shape {
    SHAPE_FLAT,          /* ZPOPMIN key: [member, score, ...] */
    SHAPE_COUNTED,       /* ZPOPMIN key count: flat in RESP2, pairs in RESP3 */
    SHAPE_WITH_KEY,      /* BZPOPMIN: [key, member, score] */
    SHAPE_KEY_AND_PAIRS, /* ZMPOP, BZMPOP: [key, [[member, score], ...]] */
} pop_shape;

/* How the pop is propagated. */
typedef enum pop_propagation {
    PROPAGATE_AS_RECEIVED, /* ZPOPMIN/ZPOPMAX themselves */
    PROPAGATE_NO_COUNT,    /* ZPOPMIN key (BZPOPMIN) */
    PROPAGATE_POPPED,      /* ZPOPMIN key <count popped> (ZMPOP, BZMPOP) */
} pop_propagation;

static const char *pop_event(int where)
{
    return where == ZSET_POP_MIN ? "zpopmin" : "zpopmax";
}

static void propagate_pop(dblite_ctx *ctx, dblite_bytes key, int where, pop_propagation how,
                          long long count)
{
    if (how == PROPAGATE_AS_RECEIVED)
        return;
    char count_text[DBLITE_LONG_LONG_TEXT_SIZE];
    size_t count_length = dblite_format_long_long(count_text, sizeof count_text, count);
    dblite_bytes command[3] = {
        {where == ZSET_POP_MIN ? "ZPOPMIN" : "ZPOPMAX", 7}, key, {count_text, count_length}};
    dblite_propagate_replace(ctx, how == PROPAGATE_NO_COUNT ? 2 : 3, command);
}

/* Opens the reply for popped entries under key. */
static void reply_pop_header(dblite_ctx *ctx, pop_shape shape, dblite_bytes key, long long popped)
{
    switch (shape) {
        case SHAPE_FLAT:
            dblite_reply_array(ctx, popped * 2);
            break;
        case SHAPE_COUNTED:
            zset_reply_entries_begin(ctx, popped, 1, 0);
            break;
        case SHAPE_WITH_KEY:
            dblite_reply_array(ctx, popped * 2 + 1);
            dblite_reply_bulk(ctx, key.ptr, key.len);
            break;
        case SHAPE_KEY_AND_PAIRS:
            dblite_reply_array(ctx, 2);
            dblite_reply_bulk(ctx, key.ptr, key.len);
            dblite_reply_array(ctx, popped);
            break;
    }
}

static void reply_popped_entry(dblite_ctx *ctx, pop_shape shape, const zset_entry *entry)
{
    if (shape == SHAPE_COUNTED) {
        zset_reply_entry(ctx, entry, 1);
        return;
    }
    if (shape == SHAPE_KEY_AND_PAIRS)
        dblite_reply_array(ctx, 2);
    dblite_reply_bulk(ctx, entry->member.ptr, entry->member.len);
    zset_reply_score(ctx, entry->score);
}

/* Pops up to count members of the non-empty set in holder (under key),
 * replying them in popping order, emits the events, deletes an emptied
 * key and propagates. */
static void pop_from(dblite_ctx *ctx, dblite_bytes key, value_holder *holder, int where,
                     long long count, pop_shape shape, pop_propagation how)
{
    zset_value *zset = holder->current;
    size_t length = zset_value_length(zset);
    size_t popped = (unsigned long long)count < length ? (size_t)count : length;
    reply_pop_header(ctx, shape, key, (long long)popped);
    /* Redis emits the event with the first removal, after the reply's
     * header and before the entries (a subscribed RESP3 client sees it
     * there). */
    zset_notify(ctx, pop_event(where), key);
    zset_iterator iterator;
    zset_iterator_init(&iterator, zset, 0, where == ZSET_POP_MAX);
    zset_entry entry;
    for (size_t index = 0; index < popped && zset_iterator_next(&iterator, &entry); index++)
        reply_popped_entry(ctx, shape, &entry);
    if (where == ZSET_POP_MIN)
        zset_value_delete_ranks(zset, 0, popped - 1);
    else
        zset_value_delete_ranks(zset, length - popped, length - 1);
    zset_finish_removal(ctx, key, holder, NULL);
    propagate_pop(ctx, key, where, how, (long long)popped);
}

/* The first existing set among keys is popped; a key of another type met
 * before it is an error.  DBLITE_OK when one was popped (or an error
 * replied), DBLITE_ERR_NOTFOUND when every key is missing (nothing
 * replied). */
static int pop_first_existing(dblite_ctx *ctx, int key_count, const dblite_bytes *keys, int where,
                              long long count, pop_shape shape, pop_propagation how)
{
    for (int index = 0; index < key_count; index++) {
        value_holder holder;
        if (zset_open_for_write(ctx, keys[index], &holder) != DBLITE_OK)
            return DBLITE_OK;
        if (holder.current == NULL || zset_value_length(holder.current) == 0)
            continue;
        pop_from(ctx, keys[index], &holder, where, count, shape, how);
        return DBLITE_OK;
    }
    return DBLITE_ERR_NOTFOUND;
}

/* Parses a count as Redis's getRangeLongFromObjectOrReply with a message. */
static int parse_count_or_reply(dblite_ctx *ctx, dblite_bytes argument, long long min,
                                const char *message, long long *value)
{
    if (dblite_parse_long_long(argument, value) != DBLITE_OK || *value < min) {
        dblite_reply_error_format(ctx, "ERR %s", message);
        return DBLITE_ERR_INVALID;
    }
    return DBLITE_OK;
}

/* ---- ZPOPMIN, ZPOPMAX ------------------------------------------------------ */

static void zpop_generic(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int where)
{
    if (argc > 3) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    long long count = -1;
    if (argc == 3 &&
        parse_count_or_reply(ctx, argv[2], 0, "value is out of range, must be positive", &count) !=
            DBLITE_OK)
        return;
    value_holder holder;
    if (zset_open_for_write(ctx, argv[1], &holder) != DBLITE_OK)
        return;
    if (holder.current == NULL || count == 0) {
        dblite_reply_array(ctx, 0);
        return;
    }
    pop_shape shape = count == -1 || dblite_ctx_protocol(ctx) == 2 ? SHAPE_FLAT : SHAPE_COUNTED;
    pop_from(ctx, argv[1], &holder, where, count == -1 ? 1 : count, shape, PROPAGATE_AS_RECEIVED);
}

/* ZPOPMIN key [count] */
static void zpopmin_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    zpop_generic(ctx, argc, argv, ZSET_POP_MIN);
}

/* ZPOPMAX key [count] */
static void zpopmax_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    zpop_generic(ctx, argc, argv, ZSET_POP_MAX);
}

/* ---- ZMPOP ----------------------------------------------------------------- */

/* ZMPOP/BZMPOP's arguments from numkeys on. */
typedef struct mpop_arguments {
    const dblite_bytes *keys;
    int key_count;
    int where;
    long long count;
} mpop_arguments;

/* Parses from numkeys (argv[numkeys_index]) to the end as Redis's
 * zmpopGenericCommand: DBLITE_OK, or DBLITE_ERR_INVALID after replying. */
static int parse_mpop_or_reply(dblite_ctx *ctx, int argc, const dblite_bytes *argv,
                               int numkeys_index, mpop_arguments *arguments)
{
    long long numkeys;
    if (parse_count_or_reply(ctx, argv[numkeys_index], 1, "numkeys should be greater than 0",
                             &numkeys) != DBLITE_OK)
        return DBLITE_ERR_INVALID;
    if (numkeys >= argc - numkeys_index - 1) {
        dblite_reply_syntax_error(ctx);
        return DBLITE_ERR_INVALID;
    }
    int where_index = numkeys_index + 1 + (int)numkeys;
    if (dblite_bytes_equal_nocase(argv[where_index], "min")) {
        arguments->where = ZSET_POP_MIN;
    } else if (dblite_bytes_equal_nocase(argv[where_index], "max")) {
        arguments->where = ZSET_POP_MAX;
    } else {
        dblite_reply_syntax_error(ctx);
        return DBLITE_ERR_INVALID;
    }
    arguments->keys = argv + numkeys_index + 1;
    arguments->key_count = (int)numkeys;
    arguments->count = -1;
    for (int index = where_index + 1; index < argc; index++) {
        if (arguments->count == -1 && dblite_bytes_equal_nocase(argv[index], "count") &&
            index + 1 < argc) {
            if (parse_count_or_reply(ctx, argv[++index], 1, "count should be greater than 0",
                                     &arguments->count) != DBLITE_OK)
                return DBLITE_ERR_INVALID;
        } else {
            dblite_reply_syntax_error(ctx);
            return DBLITE_ERR_INVALID;
        }
    }
    if (arguments->count == -1)
        arguments->count = 1;
    return DBLITE_OK;
}

/* ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] */
static void zmpop_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    mpop_arguments arguments;
    if (parse_mpop_or_reply(ctx, argc, argv, 1, &arguments) != DBLITE_OK)
        return;
    if (pop_first_existing(ctx, arguments.key_count, arguments.keys, arguments.where,
                           arguments.count, SHAPE_KEY_AND_PAIRS,
                           PROPAGATE_POPPED) == DBLITE_ERR_NOTFOUND)
        dblite_reply_null_array(ctx);
}

/* ---- BZPOPMIN, BZPOPMAX, BZMPOP ------------------------------------------- */

/* What a blocked client waits to do. */
typedef struct zset_wait {
    int where;
    long long count;
    pop_shape shape;
    pop_propagation propagation;
} zset_wait;

static int wait_ready(dblite_ctx *ctx, dblite_bytes ready_key, void *privdata)
{
    const zset_wait *wait = privdata;
    void *value;
    if (dblite_key_lookup(ctx, ready_key, zsets_state_of(ctx)->type, DBLITE_LOOKUP_WRITE, &value) !=
            DBLITE_OK ||
        value == NULL || zset_value_length(value) == 0)
        return 0;
    value_holder holder;
    if (zset_open_for_write(ctx, ready_key, &holder) != DBLITE_OK)
        return 1; /* replied; cannot happen after the lookup above */
    pop_from(ctx, ready_key, &holder, wait->where, wait->count, wait->shape, wait->propagation);
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

/* Pops from the first existing set among keys, else blocks on them (or
 * answers as a timeout when the client cannot wait). */
static void pop_or_block(dblite_ctx *ctx, int key_count, const dblite_bytes *keys,
                         long long timeout_ms, const zset_wait *prototype)
{
    if (pop_first_existing(ctx, key_count, keys, prototype->where, prototype->count,
                           prototype->shape, prototype->propagation) != DBLITE_ERR_NOTFOUND)
        return;
    if (dblite_ctx_cannot_block(ctx)) {
        dblite_reply_null_array(ctx);
        return;
    }
    zset_wait *wait = dblite_alloc(sizeof *wait);
    if (wait == NULL) {
        collection_reply_out_of_memory(ctx);
        return;
    }
    *wait = *prototype;
    if (dblite_block_on_keys(ctx, key_count, keys, timeout_ms, wait_ready, wait_timed_out,
                             wait_free, wait) != DBLITE_OK) {
        dblite_free(wait);
        collection_reply_out_of_memory(ctx);
    }
}

static void bzpop_generic(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int where)
{
    long long timeout_ms;
    if (blocking_parse_timeout_or_reply(ctx, argv[argc - 1], &timeout_ms) != DBLITE_OK)
        return;
    zset_wait prototype = {
        .where = where, .count = 1, .shape = SHAPE_WITH_KEY, .propagation = PROPAGATE_NO_COUNT};
    pop_or_block(ctx, argc - 2, argv + 1, timeout_ms, &prototype);
}

/* BZPOPMIN key [key ...] timeout */
static void bzpopmin_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    bzpop_generic(ctx, argc, argv, ZSET_POP_MIN);
}

/* BZPOPMAX key [key ...] timeout */
static void bzpopmax_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    bzpop_generic(ctx, argc, argv, ZSET_POP_MAX);
}

/* BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: the
 * arguments are checked before the timeout, as Redis does. */
static void bzmpop_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    mpop_arguments arguments;
    if (parse_mpop_or_reply(ctx, argc, argv, 2, &arguments) != DBLITE_OK)
        return;
    long long timeout_ms;
    if (blocking_parse_timeout_or_reply(ctx, argv[1], &timeout_ms) != DBLITE_OK)
        return;
    zset_wait prototype = {.where = arguments.where,
                           .count = arguments.count,
                           .shape = SHAPE_KEY_AND_PAIRS,
                           .propagation = PROPAGATE_POPPED};
    pop_or_block(ctx, arguments.key_count, arguments.keys, timeout_ms, &prototype);
}

/* ZMPOP and BZMPOP find their keys through numkeys, so like Redis they
 * declare no fixed key range. */
static const dblite_command_spec pop_commands[] = {
    ZSET_COMMAND(.name = "zpopmin", .arity = -2, .flags = "write fast", ZSET_KEYS(1, 1, 1),
                 .handler = zpopmin_command,
                 .summary = "Remove and return members with the lowest scores in a sorted set",
                 .since = "5.0.0", .arguments = "key [count]"),
    ZSET_COMMAND(.name = "zpopmax", .arity = -2, .flags = "write fast", ZSET_KEYS(1, 1, 1),
                 .handler = zpopmax_command,
                 .summary = "Remove and return members with the highest scores in a sorted set",
                 .since = "5.0.0", .arguments = "key [count]"),
    ZSET_COMMAND(.name = "zmpop", .arity = -4, .flags = "write", .handler = zmpop_command,
                 .summary = "Remove and return members with scores in a sorted set",
                 .since = "7.0.0", .arguments = "numkeys key [key ...] MIN | MAX [COUNT count]"),
    ZSET_COMMAND(.name = "bzpopmin", .arity = -3, .flags = "write noscript blocking fast",
                 ZSET_KEYS(1, -2, 1), .handler = bzpopmin_command,
                 .summary = "Remove and return the member with the lowest score from one or more "
                            "sorted sets, or block until one is available",
                 .since = "5.0.0", .arguments = "key [key ...] timeout"),
    ZSET_COMMAND(.name = "bzpopmax", .arity = -3, .flags = "write noscript blocking fast",
                 ZSET_KEYS(1, -2, 1), .handler = bzpopmax_command,
                 .summary = "Remove and return the member with the highest score from one or "
                            "more sorted sets, or block until one is available",
                 .since = "5.0.0", .arguments = "key [key ...] timeout"),
    ZSET_COMMAND(.name = "bzmpop", .arity = -5, .flags = "write blocking",
                 .handler = bzmpop_command,
                 .summary = "Remove and return members with scores in a sorted set or block "
                            "until one is available",
                 .since = "7.0.0",
                 .arguments = "timeout numkeys key [key ...] MIN | MAX [COUNT count]"),
};

int zsets_register_pops(dblite_module *module)
{
    return dblite_command_register_table(module, pop_commands, DBLITE_ARRAY_LENGTH(pop_commands));
}
