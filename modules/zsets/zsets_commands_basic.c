/*
 * zsets_commands_basic.c - the member commands of the sorted-set family:
 * ZADD (NX XX GT LT CH INCR) and ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE,
 * ZRANK, ZREVRANK, ZCOUNT and ZLEXCOUNT.
 *
 * ZADD follows Redis 7.0's zaddGenericCommand step by step, since its
 * errors depend on the order of the checks: options, then the shape of
 * the score-member pairs, then the incompatible options, then every
 * score, and only then the key (so a bad score beats WRONGTYPE).  ZINCRBY
 * is ZADD with INCR set, exactly as in Redis, which is why "ZINCRBY key
 * nx member" is a syntax error there.  Events: "zadd" or "zincr" after
 * the reply, only when a score changed; "zrem" (and "del" for an emptied
 * key) before it.  Both propagate as received.
 */
#include <math.h>

#include "common/collection_access.h"
#include "zset_access.h"
#include "zset_range.h"
#include "zsets.h"

/* Pairs whose scores live on the stack; more take a block. */
#define SCORES_ON_STACK 16

typedef struct zadd_options {
    int flags;      /* ZSET_ADD_* */
    int changed;    /* CH: count updated members too */
    int first_pair; /* index of the first score */
} zadd_options;

static void zadd_parse_options(int argc, const dblite_bytes *argv, zadd_options *options)
{
    int index = 2;
    for (; index < argc; index++) {
        dblite_bytes word = argv[index];
        if (dblite_bytes_equal_nocase(word, "nx"))
            options->flags |= ZSET_ADD_NX;
        else if (dblite_bytes_equal_nocase(word, "xx"))
            options->flags |= ZSET_ADD_XX;
        else if (dblite_bytes_equal_nocase(word, "ch"))
            options->changed = 1;
        else if (dblite_bytes_equal_nocase(word, "incr"))
            options->flags |= ZSET_ADD_INCR;
        else if (dblite_bytes_equal_nocase(word, "gt"))
            options->flags |= ZSET_ADD_GT;
        else if (dblite_bytes_equal_nocase(word, "lt"))
            options->flags |= ZSET_ADD_LT;
        else
            break;
    }
    options->first_pair = index;
}

/* Redis's checks after the options, in its order.  DBLITE_OK or DBLITE_ERR
 * after replying. */
static int zadd_check_options_or_reply(dblite_ctx *ctx, const zadd_options *options, int pairs)
{
    int flags = options->flags;
    int nx = (flags & ZSET_ADD_NX) != 0, xx = (flags & ZSET_ADD_XX) != 0;
    int gt = (flags & ZSET_ADD_GT) != 0, lt = (flags & ZSET_ADD_LT) != 0;
    if (pairs < 0) {
        dblite_reply_syntax_error(ctx);
        return DBLITE_ERR;
    }
    if (nx && xx) {
        dblite_reply_error(ctx, "ERR XX and NX options at the same time are not compatible");
        return DBLITE_ERR;
    }
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
        dblite_reply_error(ctx,
                           "ERR GT, LT, and/or NX options at the same time are not compatible");
        return DBLITE_ERR;
    }
    if ((flags & ZSET_ADD_INCR) && pairs > 1) {
        dblite_reply_error(ctx, "ERR INCR option supports a single increment-element pair");
        return DBLITE_ERR;
    }
    return DBLITE_OK;
}

/* What the loop over the pairs did. */
typedef struct zadd_tally {
    long long added, updated;
    long long processed; /* pairs not refused by NX/XX/GT/LT (INCR's reply) */
    double last_score;   /* the score of the last processed pair */
    int out_of_memory, nan;
} zadd_tally;

static void zadd_pairs(value_holder *holder, const zset_limits *limits, const zadd_options *options,
                       const dblite_bytes *argv, const double *scores, int pairs, zadd_tally *tally)
{
    int flags = options->flags;
    for (int i = 0; i < pairs; i++) {
        dblite_bytes member = argv[options->first_pair + 2 * i + 1];
        int outcome;
        /* NaN until zset_value_add writes it (never NaN when written). */
        double new_score = NAN;
        if (zset_value_add(holder, limits, member, scores[i], flags, &outcome, &new_score) !=
            DBLITE_OK) {
            tally->out_of_memory = 1;
            return;
        }
        if (outcome == ZSET_ADD_OUT_NAN) {
            tally->nan = 1;
            return;
        }
        if (outcome == ZSET_ADD_OUT_ADDED)
            tally->added++;
        else if (outcome == ZSET_ADD_OUT_UPDATED)
            tally->updated++;
        /* A member given its own score again is processed: INCR answers
         * its score (ZINCRBY key 0 member). */
        int refused = zset_add_refused(flags, outcome, !isnan(new_score));
        if (!refused) {
            tally->processed++;
            tally->last_score = new_score;
        }
    }
}

static void zadd_reply(dblite_ctx *ctx, const zadd_options *options, const zadd_tally *tally)
{
    if (options->flags & ZSET_ADD_INCR) {
        if (tally->processed)
            zset_reply_score(ctx, tally->last_score);
        else
            dblite_reply_null(ctx);
    } else {
        dblite_reply_integer(ctx, options->changed ? tally->added + tally->updated : tally->added);
    }
}

/* The pairs' scores are read: find the key and apply them. */
static void zadd_apply(dblite_ctx *ctx, const dblite_bytes *argv, const zadd_options *options,
                       const double *scores, int pairs)
{
    value_holder holder;
    if (zset_open_for_write(ctx, argv[1], &holder) != DBLITE_OK)
        return;
    zadd_tally tally = {0};
    zset_limits limits = zsets_limits(zsets_state_of(ctx));
    if (holder.current == NULL) {
        if (options->flags & ZSET_ADD_XX) {
            zadd_reply(ctx, options, &tally);
            return;
        }
        /* As Redis 7.0: packed unless the first member is too long. */
        holder.current = zset_value_create(&limits, 1, argv[options->first_pair + 1].len);
        if (holder.current == NULL) {
            collection_reply_out_of_memory(ctx);
            return;
        }
    }
    zadd_pairs(&holder, &limits, options, argv, scores, pairs, &tally);
    if (holder.stored == NULL && zset_value_length(holder.current) == 0) {
        /* Only an allocation failure leaves a new set empty. */
        value_holder_discard(&holder);
        collection_reply_out_of_memory(ctx);
        return;
    }
    int changed = tally.added > 0 || tally.updated > 0;
    if ((changed || holder.current != holder.stored) &&
        zset_commit_or_reply(ctx, argv[1], &holder) != DBLITE_OK)
        return;
    if (tally.nan)
        dblite_reply_error(ctx, "ERR resulting score is not a number (NaN)");
    else if (tally.out_of_memory)
        collection_reply_out_of_memory(ctx);
    else
        zadd_reply(ctx, options, &tally);
    if (changed)
        zset_notify(ctx, (options->flags & ZSET_ADD_INCR) ? "zincr" : "zadd", argv[1]);
}

static void zadd_generic(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int flags)
{
    zadd_options options = {.flags = flags};
    zadd_parse_options(argc, argv, &options);
    int elements = argc - options.first_pair;
    int pairs = elements == 0 || elements % 2 != 0 ? -1 : elements / 2;
    if (zadd_check_options_or_reply(ctx, &options, pairs) != DBLITE_OK)
        return;
    double stack_scores[SCORES_ON_STACK];
    double *scores = stack_scores;
    if (pairs > SCORES_ON_STACK) {
        scores = dblite_alloc(sizeof *scores * (size_t)pairs);
        if (scores == NULL) {
            collection_reply_out_of_memory(ctx);
            return;
        }
    }
    int valid = 1;
    for (int i = 0; i < pairs && valid; i++)
        valid = zset_parse_score_or_reply(ctx, argv[options.first_pair + 2 * i], &scores[i]) ==
                DBLITE_OK;
    if (valid)
        zadd_apply(ctx, argv, &options, scores, pairs);
    if (scores != stack_scores)
        dblite_free(scores);
}

static void zadd_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    zadd_generic(ctx, argc, argv, 0);
}

static void zincrby_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    zadd_generic(ctx, argc, argv, ZSET_ADD_INCR);
}

static void zrem_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    value_holder holder;
    if (zset_open_for_write(ctx, argv[1], &holder) != DBLITE_OK)
        return;
    if (holder.current == NULL) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    long long removed = 0;
    for (int i = 2; i < argc && zset_value_length(holder.current) > 0; i++)
        removed += zset_value_remove(holder.current, argv[i]);
    if (removed > 0)
        zset_finish_removal(ctx, argv[1], &holder, "zrem");
    dblite_reply_integer(ctx, removed);
}

static void zcard_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    zset_value *zset;
    if (zset_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &zset) != DBLITE_OK)
        return;
    dblite_reply_integer(ctx, zset != NULL ? (long long)zset_value_length(zset) : 0);
}

static void zscore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    zset_value *zset;
    if (zset_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &zset) != DBLITE_OK)
        return;
    double score;
    if (zset != NULL && zset_value_score(zset, argv[2], &score))
        zset_reply_score(ctx, score);
    else
        dblite_reply_null(ctx);
}

static void zmscore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    zset_value *zset;
    if (zset_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &zset) != DBLITE_OK)
        return;
    dblite_reply_array(ctx, argc - 2);
    for (int i = 2; i < argc; i++) {
        double score;
        if (zset != NULL && zset_value_score(zset, argv[i], &score))
            zset_reply_score(ctx, score);
        else
            dblite_reply_null(ctx);
    }
}

static void zrank_generic(dblite_ctx *ctx, const dblite_bytes *argv, int reverse)
{
    zset_value *zset;
    if (zset_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &zset) != DBLITE_OK)
        return;
    long long rank = zset != NULL ? zset_value_rank(zset, argv[2], reverse, NULL) : -1;
    if (rank >= 0)
        dblite_reply_integer(ctx, rank);
    else
        dblite_reply_null(ctx);
}

static void zrank_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    zrank_generic(ctx, argv, 0);
}

static void zrevrank_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    zrank_generic(ctx, argv, 1);
}

/* ZCOUNT and ZLEXCOUNT read the range before the key, as Redis does. */
static void zcount_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    zset_score_range range;
    if (zset_parse_score_range_or_reply(ctx, argv[2], argv[3], &range) != DBLITE_OK)
        return;
    zset_value *zset;
    if (zset_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &zset) != DBLITE_OK)
        return;
    dblite_reply_integer(
        ctx, zset != NULL ? (long long)zset_value_count_in_score_range(zset, &range) : 0);
}

static void zlexcount_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    zset_lex_range range;
    if (zset_parse_lex_range_or_reply(ctx, argv[2], argv[3], &range) != DBLITE_OK)
        return;
    zset_value *zset;
    if (zset_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &zset) != DBLITE_OK)
        return;
    dblite_reply_integer(ctx,
                         zset != NULL ? (long long)zset_value_count_in_lex_range(zset, &range) : 0);
}

static const dblite_command_spec basic_commands[] = {
    ZSET_COMMAND(.name = "zadd", .arity = -4, .flags = "write deny-oom fast", ZSET_KEYS(1, 1, 1),
                 .handler = zadd_command,
                 .summary = "Add one or more members to a sorted set, or update its score if it "
                            "already exists",
                 .since = "1.2.0",
                 .arguments = "key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]"),
    ZSET_COMMAND(.name = "zincrby", .arity = 4, .flags = "write deny-oom fast", ZSET_KEYS(1, 1, 1),
                 .handler = zincrby_command,
                 .summary = "Increment the score of a member in a sorted set", .since = "1.2.0",
                 .arguments = "key increment member"),
    ZSET_COMMAND(.name = "zrem", .arity = -3, .flags = "write fast", ZSET_KEYS(1, 1, 1),
                 .handler = zrem_command, .summary = "Remove one or more members from a sorted set",
                 .since = "1.2.0", .arguments = "key member [member ...]"),
    ZSET_COMMAND(.name = "zcard", .arity = 2, .flags = "readonly fast", ZSET_KEYS(1, 1, 1),
                 .handler = zcard_command, .summary = "Get the number of members in a sorted set",
                 .since = "1.2.0", .arguments = "key"),
    ZSET_COMMAND(.name = "zscore", .arity = 3, .flags = "readonly fast", ZSET_KEYS(1, 1, 1),
                 .handler = zscore_command,
                 .summary = "Get the score associated with the given member in a sorted set",
                 .since = "1.2.0", .arguments = "key member"),
    ZSET_COMMAND(.name = "zmscore", .arity = -3, .flags = "readonly fast", ZSET_KEYS(1, 1, 1),
                 .handler = zmscore_command,
                 .summary = "Get the score associated with the given members in a sorted set",
                 .since = "6.2.0", .arguments = "key member [member ...]"),
    ZSET_COMMAND(.name = "zrank", .arity = 3, .flags = "readonly fast", ZSET_KEYS(1, 1, 1),
                 .handler = zrank_command,
                 .summary = "Determine the index of a member in a sorted set", .since = "2.0.0",
                 .arguments = "key member"),
    ZSET_COMMAND(.name = "zrevrank", .arity = 3, .flags = "readonly fast", ZSET_KEYS(1, 1, 1),
                 .handler = zrevrank_command,
                 .summary = "Determine the index of a member in a sorted set, with scores ordered "
                            "from high to low",
                 .since = "2.0.0", .arguments = "key member"),
    ZSET_COMMAND(.name = "zcount", .arity = 4, .flags = "readonly fast", ZSET_KEYS(1, 1, 1),
                 .handler = zcount_command,
                 .summary = "Count the members in a sorted set with scores within the given values",
                 .since = "2.0.0", .arguments = "key min max"),
    ZSET_COMMAND(.name = "zlexcount", .arity = 4, .flags = "readonly fast", ZSET_KEYS(1, 1, 1),
                 .handler = zlexcount_command,
                 .summary = "Count the number of members in a sorted set between a given "
                            "lexicographical range",
                 .since = "2.8.9", .arguments = "key min max"),
};

int zsets_register_basic(dblite_module *module)
{
    return dblite_command_register_table(module, basic_commands,
                                         DBLITE_ARRAY_LENGTH(basic_commands));
}
