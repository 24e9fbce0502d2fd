/*
 * zsets_commands_range.c - the range commands of the sorted-set family:
 * ZRANGE (BYSCORE BYLEX REV LIMIT WITHSCORES) and ZRANGESTORE, the older
 * ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZREVRANGE, and
 * ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX.
 *
 * Every reading form is Redis 7.0's zrangeGenericCommand with the range
 * kind and direction fixed or left to the options, so the options, their
 * errors and their order are the same.  A rank range becomes an exact
 * slice (first rank, count).  A score or lex range becomes a walk from an
 * iterator started at its first member in the walk's direction plus
 * LIMIT's offset (one O(log n) descent of a skiplist,
 * zset_iterator_init_score/_lex), then at most LIMIT's count entries while
 * they stay in the range: "ZRANGEBYSCORE big x +inf LIMIT 0 10" is
 * O(log n + 10).
 * Redis's quirks are kept: a negative LIMIT offset gives nothing, a
 * negative count means no limit, and "LIMIT 0 -1" is no LIMIT at all
 * (allowed on rank ranges).
 *
 * ZRANGESTORE copies the entries into a new set and stores it through
 * zset_store_result (reply, then "zrangestore" or "del").  The ZREMRANGE
 * forms walk the range from its first member as Redis's deletions do
 * (O(log n + m)) and delete that slice of ascending ranks in place, then
 * emit their event and "del" for an emptied key before replying.  All propagate as received.
 */
#include <stdint.h>

#include "common/collection_access.h"
#include "zset_access.h"
#include "zset_range.h"
#include "zsets.h"

typedef enum range_kind { RANGE_AUTO, RANGE_RANK, RANGE_SCORE, RANGE_LEX } range_kind;
typedef enum range_direction {
    DIRECTION_AUTO,
    DIRECTION_FORWARD,
    DIRECTION_REVERSE
} range_direction;

/* A parsed range request. */
typedef struct range_request {
    range_kind kind;
    int reverse;
    int with_scores;
    long long start, end; /* RANGE_RANK */
    zset_score_range score;
    zset_lex_range lex;
    long long offset, limit; /* LIMIT; limit -1: none */
} range_request;

/* The entries a request selects: count entries from rank first, ranks
 * counted in the walk's direction (exact: what the removals delete). */
typedef struct range_slice {
    size_t first;
    size_t count;
} range_slice;

/* What a reading command walks: from rank first (where iterator starts),
 * at most most entries, and for score and lex ranges only while the
 * entries stay inside the range's far end (bounded is then the request).
 * So a LIMIT'ed range on a skiplist costs one seek of its first member,
 * not a count of the whole range. */
typedef struct range_walk {
    size_t first;
    size_t most;
    const struct range_request *bounded;
    zset_iterator iterator;
} range_walk;

/* ---- parsing ---- */

static int parse_integer_or_reply(dblite_ctx *ctx, dblite_bytes argument, long long *value)
{
    if (dblite_parse_long_long(argument, value) != DBLITE_OK) {
        dblite_reply_not_integer(ctx);
        return DBLITE_ERR;
    }
    return DBLITE_OK;
}

/* The options after key, min and max (argv[first] is the source key). */
static int parse_options_or_reply(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int first,
                                  int store, range_direction *direction, range_request *request)
{
    for (int i = first + 3; i < argc; i++) {
        int left = argc - i - 1;
        if (!store && dblite_bytes_equal_nocase(argv[i], "withscores")) {
            request->with_scores = 1;
        } else if (dblite_bytes_equal_nocase(argv[i], "limit") && left >= 2) {
            if (parse_integer_or_reply(ctx, argv[i + 1], &request->offset) != DBLITE_OK ||
                parse_integer_or_reply(ctx, argv[i + 2], &request->limit) != DBLITE_OK)
                return DBLITE_ERR;
            i += 2;
        } else if (*direction == DIRECTION_AUTO && dblite_bytes_equal_nocase(argv[i], "rev")) {
            *direction = DIRECTION_REVERSE;
        } else if (request->kind == RANGE_AUTO && dblite_bytes_equal_nocase(argv[i], "bylex")) {
            request->kind = RANGE_LEX;
        } else if (request->kind == RANGE_AUTO && dblite_bytes_equal_nocase(argv[i], "byscore")) {
            request->kind = RANGE_SCORE;
        } else {
            dblite_reply_syntax_error(ctx);
            return DBLITE_ERR;
        }
    }
    return DBLITE_OK;
}

/* Redis's zrangeGenericCommand up to the key lookup: options, conflicts,
 * then the range itself (given as max, min for the reverse score and lex
 * forms).  DBLITE_OK or DBLITE_ERR after replying. */
static int parse_request_or_reply(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int first,
                                  int store, range_kind kind, range_direction direction,
                                  range_request *request)
{
    *request = (range_request){.kind = kind, .limit = -1};
    if (parse_options_or_reply(ctx, argc, argv, first, store, &direction, request) != DBLITE_OK)
        return DBLITE_ERR;
    request->reverse = direction == DIRECTION_REVERSE;
    if (request->kind == RANGE_AUTO)
        request->kind = RANGE_RANK;
    if (request->limit != -1 && request->kind == RANGE_RANK) {
        dblite_reply_error(ctx, "ERR syntax error, LIMIT is only supported in combination with "
                                "either BYSCORE or BYLEX");
        return DBLITE_ERR;
    }
    if (request->with_scores && request->kind == RANGE_LEX) {
        dblite_reply_error(ctx,
                           "ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        return DBLITE_ERR;
    }
    dblite_bytes min = argv[first + 1], max = argv[first + 2];
    if (request->reverse && request->kind != RANGE_RANK) {
        min = argv[first + 2];
        max = argv[first + 1];
    }
    switch (request->kind) {
        case RANGE_SCORE:
            return zset_parse_score_range_or_reply(ctx, min, max, &request->score);
        case RANGE_LEX:
            return zset_parse_lex_range_or_reply(ctx, min, max, &request->lex);
        default:
            if (parse_integer_or_reply(ctx, min, &request->start) != DBLITE_OK ||
                parse_integer_or_reply(ctx, max, &request->end) != DBLITE_OK)
                return DBLITE_ERR;
            return DBLITE_OK;
    }
}

/* ---- slices ---- */

/* Redis's index sanitizing: negative indices count from the end, the
 * range is clipped to the set; empty when start > end or past the end. */
static range_slice rank_slice(size_t length, long long start, long long end)
{
    range_slice slice = {0, 0};
    long long total = (long long)length;
    if (start < 0)
        start += total;
    if (end < 0)
        end += total;
    if (start < 0)
        start = 0;
    if (start > end || start >= total)
        return slice;
    if (end >= total)
        end = total - 1;
    slice.first = (size_t)start;
    slice.count = (size_t)(end - start + 1);
    return slice;
}

/* The walk of a reading request: rank ranges are exact slices; score and
 * lex ranges start at their first member plus the offset and end at the
 * far end of the range or LIMIT's count. */
static range_walk request_walk(const zset_value *zset, const range_request *request)
{
    range_walk walk = {0, 0, NULL, {0}};
    size_t length = zset_value_length(zset);
    if (request->kind == RANGE_RANK) {
        range_slice slice = rank_slice(length, request->start, request->end);
        walk.first = slice.first;
        walk.most = slice.count;
        zset_iterator_init(&walk.iterator, zset, slice.count > 0 ? slice.first : length,
                           request->reverse);
        return walk;
    }
    /* An offset past any set's length reaches past its end. */
    size_t offset = request->offset < 0 || (unsigned long long)request->offset > length
                        ? length
                        : (size_t)request->offset;
    int found = request->offset >= 0 &&
                (request->kind == RANGE_SCORE
                     ? zset_iterator_init_score(&walk.iterator, zset, &request->score,
                                                request->reverse, offset, &walk.first)
                     : zset_iterator_init_lex(&walk.iterator, zset, &request->lex, request->reverse,
                                              offset, &walk.first));
    if (!found) {
        walk.first = 0;
        return walk;
    }
    walk.most = length - walk.first;
    if (request->limit >= 0 && (unsigned long long)request->limit < walk.most)
        walk.most = (size_t)request->limit;
    walk.bounded = request;
    return walk;
}

/* Whether entry, reached by walking, is still inside the range. */
static int walk_within(const range_walk *walk, const zset_entry *entry)
{
    const range_request *request = walk->bounded;
    if (request == NULL)
        return 1;
    if (request->kind == RANGE_SCORE)
        return request->reverse ? zset_score_above_min(&request->score, entry->score)
                                : zset_score_below_max(&request->score, entry->score);
    return request->reverse ? zset_lex_above_min(&request->lex, entry->member)
                            : zset_lex_below_max(&request->lex, entry->member);
}

/* What a ZREMRANGE form deletes: a rank range's slice, or the members
 * from the first in range on while they stay below the range's max, as
 * Redis's zslDeleteRangeByScore/ByLex walk (which differs from ZLEXCOUNT
 * when members of other scores lie between: lex ranges assume equal
 * scores). */
static range_slice removal_slice(const zset_value *zset, const range_request *request)
{
    range_walk walk = request_walk(zset, request);
    range_slice slice = {walk.first, walk.bounded == NULL ? walk.most : 0};
    if (walk.bounded == NULL)
        return slice;
    zset_entry entry;
    while (slice.count < walk.most && zset_iterator_next(&walk.iterator, &entry) &&
           walk_within(&walk, &entry))
        slice.count++;
    return slice;
}

/* ---- the reading commands ---- */

static void reply_walk(dblite_ctx *ctx, range_walk walk, int with_scores)
{
    /* A rank range knows its length; a score or lex range learns it. */
    int deferred = walk.bounded != NULL;
    void *handle = zset_reply_entries_begin(ctx, (long long)walk.most, with_scores, deferred);
    zset_entry entry;
    size_t sent = 0;
    while (sent < walk.most && zset_iterator_next(&walk.iterator, &entry) &&
           walk_within(&walk, &entry)) {
        zset_reply_entry(ctx, &entry, with_scores);
        sent++;
    }
    zset_reply_entries_end(ctx, handle, (long long)sent, with_scores);
}

/* A new set holding the walk's members and scores, or NULL after
 * replying out of memory. */
static zset_value *copy_walk_or_reply(dblite_ctx *ctx, range_walk walk)
{
    zset_value *result = zset_create_result_or_reply(ctx, walk.bounded ? 0 : walk.most, 0);
    if (result == NULL)
        return NULL;
    value_holder holder;
    value_holder_init(&holder, NULL, zset_value_free);
    holder.current = result;
    zset_limits limits = zsets_limits(zsets_state_of(ctx));
    zset_entry entry;
    for (size_t i = 0;
         i < walk.most && zset_iterator_next(&walk.iterator, &entry) && walk_within(&walk, &entry);
         i++) {
        int outcome;
        if (zset_value_add(&holder, &limits, entry.member, entry.score, 0, &outcome, NULL) !=
            DBLITE_OK) {
            zset_value_free(holder.current);
            collection_reply_out_of_memory(ctx);
            return NULL;
        }
    }
    return holder.current;
}

/* Every reading form: argv[first] is the source key; store: ZRANGESTORE,
 * whose destination is argv[1]. */
static void range_generic(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int first, int store,
                          range_kind kind, range_direction direction)
{
    range_request request;
    if (parse_request_or_reply(ctx, argc, argv, first, store, kind, direction, &request) !=
        DBLITE_OK)
        return;
    zset_value *zset;
    if (zset_lookup_or_reply(ctx, argv[first], DBLITE_LOOKUP_READ, &zset) != DBLITE_OK)
        return;
    if (!store) {
        if (zset == NULL)
            dblite_reply_array(ctx, 0);
        else
            reply_walk(ctx, request_walk(zset, &request), request.with_scores);
        return;
    }
    zset_value *result = zset != NULL ? copy_walk_or_reply(ctx, request_walk(zset, &request))
                                      : zset_create_result_or_reply(ctx, 0, 0);
    if (result != NULL)
        zset_store_result(ctx, argv[1], result, "zrangestore");
}

static void zrange_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    range_generic(ctx, argc, argv, 1, 0, RANGE_AUTO, DIRECTION_AUTO);
}

static void zrangestore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    range_generic(ctx, argc, argv, 2, 1, RANGE_AUTO, DIRECTION_AUTO);
}

static void zrevrange_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    range_generic(ctx, argc, argv, 1, 0, RANGE_RANK, DIRECTION_REVERSE);
}

static void zrangebyscore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    range_generic(ctx, argc, argv, 1, 0, RANGE_SCORE, DIRECTION_FORWARD);
}

static void zrevrangebyscore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    range_generic(ctx, argc, argv, 1, 0, RANGE_SCORE, DIRECTION_REVERSE);
}

static void zrangebylex_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    range_generic(ctx, argc, argv, 1, 0, RANGE_LEX, DIRECTION_FORWARD);
}

static void zrevrangebylex_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    range_generic(ctx, argc, argv, 1, 0, RANGE_LEX, DIRECTION_REVERSE);
}

/* ---- removal ---- */

/* Redis's zremrangeGenericCommand: the range first, then the key. */
static void zremrange_generic(dblite_ctx *ctx, const dblite_bytes *argv, range_kind kind,
                              const char *event)
{
    range_request request = {.kind = kind, .limit = -1};
    int status;
    if (kind == RANGE_SCORE)
        status = zset_parse_score_range_or_reply(ctx, argv[2], argv[3], &request.score);
    else if (kind == RANGE_LEX)
        status = zset_parse_lex_range_or_reply(ctx, argv[2], argv[3], &request.lex);
    else if ((status = parse_integer_or_reply(ctx, argv[2], &request.start)) == DBLITE_OK)
        status = parse_integer_or_reply(ctx, argv[3], &request.end);
    if (status != DBLITE_OK)
        return;
    value_holder holder;
    if (zset_open_for_write(ctx, argv[1], &holder) != DBLITE_OK)
        return;
    if (holder.current == NULL) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    range_slice slice = removal_slice(holder.current, &request);
    size_t removed = 0;
    if (slice.count > 0)
        removed =
            zset_value_delete_ranks(holder.current, slice.first, slice.first + slice.count - 1);
    if (removed > 0)
        zset_finish_removal(ctx, argv[1], &holder, event);
    dblite_reply_integer(ctx, (long long)removed);
}

static void zremrangebyrank_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    zremrange_generic(ctx, argv, RANGE_RANK, "zremrangebyrank");
}

static void zremrangebyscore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    zremrange_generic(ctx, argv, RANGE_SCORE, "zremrangebyscore");
}

static void zremrangebylex_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    zremrange_generic(ctx, argv, RANGE_LEX, "zremrangebylex");
}

static const dblite_command_spec range_commands[] = {
    ZSET_COMMAND(.name = "zrange", .arity = -4, .flags = "readonly", ZSET_KEYS(1, 1, 1),
                 .handler = zrange_command, .summary = "Return a range of members in a sorted set",
                 .since = "1.2.0",
                 .arguments = "key min max [BYSCORE|BYLEX] [REV] [LIMIT offset count] "
                              "[WITHSCORES]"),
    ZSET_COMMAND(.name = "zrangestore", .arity = -5, .flags = "write deny-oom", ZSET_KEYS(1, 2, 1),
                 .handler = zrangestore_command,
                 .summary = "Store a range of members from sorted set into another key",
                 .since = "6.2.0",
                 .arguments = "dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]"),
    ZSET_COMMAND(.name = "zrangebyscore", .arity = -4, .flags = "readonly", ZSET_KEYS(1, 1, 1),
                 .handler = zrangebyscore_command,
                 .summary = "Return a range of members in a sorted set, by score", .since = "1.0.5",
                 .arguments = "key min max [WITHSCORES] [LIMIT offset count]"),
    ZSET_COMMAND(.name = "zrevrangebyscore", .arity = -4, .flags = "readonly", ZSET_KEYS(1, 1, 1),
                 .handler = zrevrangebyscore_command,
                 .summary = "Return a range of members in a sorted set, by score, with scores "
                            "ordered from high to low",
                 .since = "2.2.0", .arguments = "key max min [WITHSCORES] [LIMIT offset count]"),
    ZSET_COMMAND(.name = "zrangebylex", .arity = -4, .flags = "readonly", ZSET_KEYS(1, 1, 1),
                 .handler = zrangebylex_command,
                 .summary = "Return a range of members in a sorted set, by lexicographical range",
                 .since = "2.8.9", .arguments = "key min max [LIMIT offset count]"),
    ZSET_COMMAND(.name = "zrevrangebylex", .arity = -4, .flags = "readonly", ZSET_KEYS(1, 1, 1),
                 .handler = zrevrangebylex_command,
                 .summary = "Return a range of members in a sorted set, by lexicographical range, "
                            "ordered from higher to lower strings.",
                 .since = "2.8.9", .arguments = "key max min [LIMIT offset count]"),
    ZSET_COMMAND(.name = "zrevrange", .arity = -4, .flags = "readonly", ZSET_KEYS(1, 1, 1),
                 .handler = zrevrange_command,
                 .summary = "Return a range of members in a sorted set, by index, with scores "
                            "ordered from high to low",
                 .since = "1.2.0", .arguments = "key start stop [WITHSCORES]"),
    ZSET_COMMAND(.name = "zremrangebyrank", .arity = 4, .flags = "write", ZSET_KEYS(1, 1, 1),
                 .handler = zremrangebyrank_command,
                 .summary = "Remove all members in a sorted set within the given indexes",
                 .since = "2.0.0", .arguments = "key start stop"),
    ZSET_COMMAND(.name = "zremrangebyscore", .arity = 4, .flags = "write", ZSET_KEYS(1, 1, 1),
                 .handler = zremrangebyscore_command,
                 .summary = "Remove all members in a sorted set within the given scores",
                 .since = "1.2.0", .arguments = "key min max"),
    ZSET_COMMAND(.name = "zremrangebylex", .arity = 4, .flags = "write", ZSET_KEYS(1, 1, 1),
                 .handler = zremrangebylex_command,
                 .summary = "Remove all members in a sorted set between the given lexicographical "
                            "range",
                 .since = "2.8.9", .arguments = "key min max"),
};

int zsets_register_ranges(dblite_module *module)
{
    return dblite_command_register_table(module, range_commands,
                                         DBLITE_ARRAY_LENGTH(range_commands));
}
