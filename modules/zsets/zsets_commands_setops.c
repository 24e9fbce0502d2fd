/*
 * zsets_commands_setops.c - the algebra of sorted sets: ZUNION, ZINTER,
 * ZDIFF, their STORE forms, and ZINTERCARD.
 *
 * Inputs may be sorted sets or plain sets (whose members count with score
 * 1, as in Redis), read through the sets module's service
 * (dblite_sets_service.h) since the set encodings are that module's
 * business.  The steps follow Redis 7.0's zunionInterDiffGenericCommand,
 * so replies match to the last bit of a score:
 *  - union and intersection sort the inputs by size (stably, as glibc's
 *    qsort does), and sums are taken in that order;
 *  - a weighted score that is NaN (inf * 0) counts as 0, and so does a sum
 *    of +inf and -inf;
 *  - the difference keeps the first input's scores and takes no weights.
 * The result is gathered in a skiplist, as Redis's is, then replied in
 * order or stored (packed when it fits).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/collection_access.h"
#include "dblite_sets_service.h"
#include "zset_access.h"
#include "zsets.h"

typedef enum setop_kind { SETOP_UNION, SETOP_INTER, SETOP_DIFF } setop_kind;

typedef enum aggregate_kind { AGGREGATE_SUM, AGGREGATE_MIN, AGGREGATE_MAX } aggregate_kind;

/* One input: a sorted set, a plain set, or a missing key (both NULL). */
typedef struct setop_source {
    const zset_value *zset;
    const void *set;
    size_t length;
    double weight;
    int position; /* among the keys, for a stable sort */
} setop_source;

/* A parsed command. */
typedef struct setop_request {
    setop_kind kind;
    setop_source *sources;
    int source_count;
    aggregate_kind aggregate;
    int with_scores;
    long long limit; /* ZINTERCARD; 0: none */
    const dblite_sets_service *sets;
} setop_request;

/* Receives one member of an input and its (unweighted) score; non-zero
 * stops the walk. */
typedef int (*source_visit_fn)(dblite_bytes member, double score, void *privdata);

/* ---- reading the inputs ---------------------------------------------------- */

typedef struct set_walk {
    source_visit_fn visit;
    void *privdata;
} set_walk;

static int visit_set_member(dblite_bytes member, void *privdata)
{
    const set_walk *walk = privdata;
    return walk->visit(member, 1.0, walk->privdata);
}

/* Walks every member of source; returns the visitor's last answer. */
static int source_foreach(const setop_request *request, const setop_source *source,
                          source_visit_fn visit, void *privdata)
{
    if (source->set != NULL) {
        set_walk walk = {visit, privdata};
        return request->sets->foreach (source->set, visit_set_member, &walk);
    }
    if (source->zset == NULL)
        return 0;
    zset_iterator iterator;
    zset_iterator_init(&iterator, source->zset, 0, 0);
    zset_entry entry;
    while (zset_iterator_next(&iterator, &entry)) {
        int answer = visit(entry.member, entry.score, privdata);
        if (answer != 0)
            return answer;
    }
    return 0;
}

/* 1 with *score set when member is in source, else 0. */
static int source_score(const setop_request *request, const setop_source *source,
                        dblite_bytes member, double *score)
{
    if (source->set != NULL) {
        *score = 1.0;
        return request->sets->contains(source->set, member);
    }
    return source->zset != NULL && zset_value_score(source->zset, member, score);
}

/* Finds every input key as a sorted set or a set.  DBLITE_OK, or
 * DBLITE_ERR after replying WRONGTYPE. */
static int lookup_sources_or_reply(dblite_ctx *ctx, setop_request *request,
                                   const dblite_bytes *keys, int flags)
{
    const dblite_type *zset_type = zsets_state_of(ctx)->type;
    request->sets = dblite_service_lookup(DBLITE_SETS_SERVICE);
    const dblite_type *set_type = request->sets != NULL ? request->sets->type() : NULL;
    for (int index = 0; index < request->source_count; index++) {
        setop_source *source = &request->sources[index];
        source->zset = NULL;
        source->set = NULL;
        source->length = 0;
        source->weight = 1.0;
        source->position = index;
        /* Typed lookups, so a missing key counts as a miss (and emits
         * keymiss) and a found one as a hit, as Redis's lookupKeyRead. */
        void *value;
        if (dblite_key_lookup(ctx, keys[index], zset_type, flags, &value) == DBLITE_OK) {
            source->zset = value;
            source->length = value != NULL ? zset_value_length(value) : 0;
        } else if (set_type != NULL &&
                   dblite_key_lookup(ctx, keys[index], set_type, flags, &value) == DBLITE_OK) {
            source->set = value;
            source->length = request->sets->length(value);
        } else {
            dblite_reply_wrongtype(ctx);
            return DBLITE_ERR;
        }
    }
    return DBLITE_OK;
}

/* ---- arguments ------------------------------------------------------------- */

/* The options after the keys, from argv[first] on, as Redis 7.0 accepts
 * them for each command.  DBLITE_OK, or DBLITE_ERR after replying. */
static int parse_options_or_reply(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int first,
                                  setop_request *request, int storing, int cardinality_only)
{
    int weighted = request->kind != SETOP_DIFF && !cardinality_only;
    for (int index = first; index < argc;) {
        int remaining = argc - index;
        if (weighted && remaining > request->source_count &&
            dblite_bytes_equal_nocase(argv[index], "weights")) {
            index++;
            for (int source = 0; source < request->source_count; source++, index++) {
                if (dblite_parse_double(argv[index], &request->sources[source].weight) !=
                    DBLITE_OK) {
                    dblite_reply_error(ctx, "ERR weight value is not a float");
                    return DBLITE_ERR;
                }
            }
        } else if (weighted && remaining >= 2 &&
                   dblite_bytes_equal_nocase(argv[index], "aggregate")) {
            dblite_bytes choice = argv[index + 1];
            if (dblite_bytes_equal_nocase(choice, "sum")) {
                request->aggregate = AGGREGATE_SUM;
            } else if (dblite_bytes_equal_nocase(choice, "min")) {
                request->aggregate = AGGREGATE_MIN;
            } else if (dblite_bytes_equal_nocase(choice, "max")) {
                request->aggregate = AGGREGATE_MAX;
            } else {
                dblite_reply_syntax_error(ctx);
                return DBLITE_ERR;
            }
            index += 2;
        } else if (!storing && !cardinality_only &&
                   dblite_bytes_equal_nocase(argv[index], "withscores")) {
            request->with_scores = 1;
            index++;
        } else if (cardinality_only && remaining >= 2 &&
                   dblite_bytes_equal_nocase(argv[index], "limit")) {
            if (dblite_parse_long_long(argv[index + 1], &request->limit) != DBLITE_OK ||
                request->limit < 0) {
                dblite_reply_error(ctx, "ERR LIMIT can't be negative");
                return DBLITE_ERR;
            }
            index += 2;
        } else {
            dblite_reply_syntax_error(ctx);
            return DBLITE_ERR;
        }
    }
    return DBLITE_OK;
}

/* Parses numkeys (argv[numkeys_index]), the keys and the options, and
 * finds the inputs.  DBLITE_OK with request->sources allocated (the
 * caller frees it), or DBLITE_ERR after replying (nothing to free). */
static int parse_request_or_reply(dblite_ctx *ctx, int argc, const dblite_bytes *argv,
                                  int numkeys_index, setop_request *request, int storing,
                                  int cardinality_only)
{
    long long numkeys;
    if (dblite_parse_long_long(argv[numkeys_index], &numkeys) != DBLITE_OK) {
        dblite_reply_not_integer(ctx);
        return DBLITE_ERR;
    }
    if (numkeys < 1) {
        dblite_reply_error_format(ctx, "ERR at least 1 input key is needed for '%s' command",
                                  dblite_ctx_command_name(ctx));
        return DBLITE_ERR;
    }
    if (numkeys > argc - numkeys_index - 1) {
        dblite_reply_syntax_error(ctx);
        return DBLITE_ERR;
    }
    request->source_count = (int)numkeys;
    request->aggregate = AGGREGATE_SUM;
    request->with_scores = 0;
    request->limit = 0;
    request->sources = dblite_alloc((size_t)numkeys * sizeof(setop_source));
    if (request->sources == NULL) {
        collection_reply_out_of_memory(ctx);
        return DBLITE_ERR;
    }
    int flags = storing ? DBLITE_LOOKUP_WRITE : DBLITE_LOOKUP_READ;
    if (lookup_sources_or_reply(ctx, request, argv + numkeys_index + 1, flags) != DBLITE_OK ||
        parse_options_or_reply(ctx, argc, argv, numkeys_index + 1 + (int)numkeys, request, storing,
                               cardinality_only) != DBLITE_OK) {
        dblite_free(request->sources);
        return DBLITE_ERR;
    }
    return DBLITE_OK;
}

/* ---- computing ------------------------------------------------------------- */

static void aggregate_into(aggregate_kind aggregate, double *target, double value)
{
    switch (aggregate) {
        case AGGREGATE_SUM:
            *target += value;
            if (isnan(*target)) /* +inf + -inf */
                *target = 0.0;
            break;
        case AGGREGATE_MIN:
            *target = value < *target ? value : *target;
            break;
        case AGGREGATE_MAX:
            *target = value > *target ? value : *target;
            break;
    }
}

static double weighted(double score, double weight)
{
    double value = score * weight;
    return isnan(value) ? 0.0 : value;
}

/* By size, ties in key order: what glibc's (merge sort) qsort gives Redis. */
static int compare_by_length(const void *left, const void *right)
{
    const setop_source *a = left, *b = right;
    if (a->length != b->length)
        return a->length < b->length ? -1 : 1;
    return a->position < b->position ? -1 : a->position > b->position;
}

/* The computation under way: the request, the result being gathered (in
 * holder) and, for ZINTERCARD, the count. */
typedef struct setop_run {
    const setop_request *request;
    const setop_source *walked; /* the input being walked */
    value_holder holder;
    zset_limits limits;
    long long cardinality;
} setop_run;

#define STOP_LIMIT 1

static int result_add(setop_run *run, dblite_bytes member, double score)
{
    int outcome;
    return zset_value_add(&run->holder, &run->limits, member, score, 0, &outcome, NULL);
}

static int union_visit(dblite_bytes member, double score, void *privdata)
{
    setop_run *run = privdata;
    double value = weighted(score, run->walked->weight);
    double existing;
    if (zset_value_score(run->holder.current, member, &existing)) {
        aggregate_into(run->request->aggregate, &existing, value);
        value = existing;
    }
    return result_add(run, member, value);
}

static int inter_visit(dblite_bytes member, double score, void *privdata)
{
    setop_run *run = privdata;
    const setop_request *request = run->request;
    double total = weighted(score, request->sources[0].weight);
    for (int index = 1; index < request->source_count; index++) {
        double value;
        if (!source_score(request, &request->sources[index], member, &value))
            return 0;
        aggregate_into(request->aggregate, &total, value * request->sources[index].weight);
    }
    if (run->holder.current == NULL) { /* ZINTERCARD */
        run->cardinality++;
        return request->limit > 0 && run->cardinality >= request->limit ? STOP_LIMIT : 0;
    }
    return result_add(run, member, total);
}

static int diff_visit(dblite_bytes member, double score, void *privdata)
{
    setop_run *run = privdata;
    const setop_request *request = run->request;
    double ignored;
    for (int index = 1; index < request->source_count; index++)
        if (source_score(request, &request->sources[index], member, &ignored))
            return 0;
    return result_add(run, member, score);
}

/* Runs the operation on inputs already in order (sorted by size but for a
 * difference).  With no result in run->holder it only counts (ZINTERCARD).
 * DBLITE_OK with the result in run->holder.current, or DBLITE_ERR_NOMEM. */
static int compute(const setop_request *request, setop_run *run)
{
    const setop_source *first = &request->sources[0];
    int status = 0;
    switch (request->kind) {
        case SETOP_UNION:
            for (int index = 0; index < request->source_count && status == 0; index++) {
                run->walked = &request->sources[index];
                status = source_foreach(request, run->walked, union_visit, run);
            }
            break;
        case SETOP_INTER:
            run->walked = first;
            status = source_foreach(request, first, inter_visit, run);
            break;
        case SETOP_DIFF:
            run->walked = first;
            status = source_foreach(request, first, diff_visit, run);
            break;
    }
    return status == STOP_LIMIT || status == 0 ? DBLITE_OK : DBLITE_ERR_NOMEM;
}

/* The room to reserve in the result, as Redis sizes its accumulator: the
 * largest input for a union, the smallest for an intersection (inputs
 * are sorted by then), the first for a difference. */
static size_t expected_length(const setop_request *request)
{
    if (request->kind == SETOP_UNION)
        return request->sources[request->source_count - 1].length;
    return request->sources[0].length;
}

/* The result of request, or NULL after replying out of memory. */
static zset_value *compute_result_or_reply(dblite_ctx *ctx, setop_request *request)
{
    /* Always a skiplist while it is gathered, as Redis's: exact doubles in
     * the reply (-0 stays -0), O(log n) updates.  zset_store_result packs
     * it when it fits. */
    setop_run run = {.request = request, .limits = zsets_limits(zsets_state_of(ctx))};
    if (request->kind != SETOP_DIFF)
        qsort(request->sources, (size_t)request->source_count, sizeof(setop_source),
              compare_by_length);
    zset_value *result = zset_value_create(&run.limits, expected_length(request), SIZE_MAX);
    if (result == NULL) {
        collection_reply_out_of_memory(ctx);
        return NULL;
    }
    value_holder_init(&run.holder, NULL, zset_value_free);
    run.holder.current = result;
    if (compute(request, &run) != DBLITE_OK) {
        zset_value_free(run.holder.current);
        collection_reply_out_of_memory(ctx);
        return NULL;
    }
    return run.holder.current;
}

static void reply_result(dblite_ctx *ctx, const zset_value *result, int with_scores)
{
    size_t length = zset_value_length(result);
    zset_reply_entries_begin(ctx, (long long)length, with_scores, 0);
    zset_iterator iterator;
    zset_iterator_init(&iterator, result, 0, 0);
    zset_entry entry;
    while (zset_iterator_next(&iterator, &entry))
        zset_reply_entry(ctx, &entry, with_scores);
}

/* ---- the commands ---------------------------------------------------------- */

/* ZUNION, ZINTER, ZDIFF numkeys key [key ...] [options] [WITHSCORES] */
static void setop_reply_generic(dblite_ctx *ctx, int argc, const dblite_bytes *argv,
                                setop_kind kind)
{
    setop_request request = {.kind = kind};
    if (parse_request_or_reply(ctx, argc, argv, 1, &request, 0, 0) != DBLITE_OK)
        return;
    zset_value *result = compute_result_or_reply(ctx, &request);
    dblite_free(request.sources);
    if (result == NULL)
        return;
    reply_result(ctx, result, request.with_scores);
    zset_value_free(result);
}

/* ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE destination numkeys key [key ...] ... */
static void setop_store_generic(dblite_ctx *ctx, int argc, const dblite_bytes *argv,
                                setop_kind kind, const char *event)
{
    setop_request request = {.kind = kind};
    if (parse_request_or_reply(ctx, argc, argv, 2, &request, 1, 0) != DBLITE_OK)
        return;
    zset_value *result = compute_result_or_reply(ctx, &request);
    dblite_free(request.sources);
    if (result != NULL)
        zset_store_result(ctx, argv[1], result, event);
}

static void zunion_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    setop_reply_generic(ctx, argc, argv, SETOP_UNION);
}

static void zinter_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    setop_reply_generic(ctx, argc, argv, SETOP_INTER);
}

static void zdiff_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    setop_reply_generic(ctx, argc, argv, SETOP_DIFF);
}

static void zunionstore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    setop_store_generic(ctx, argc, argv, SETOP_UNION, "zunionstore");
}

static void zinterstore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    setop_store_generic(ctx, argc, argv, SETOP_INTER, "zinterstore");
}

static void zdiffstore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    setop_store_generic(ctx, argc, argv, SETOP_DIFF, "zdiffstore");
}

/* ZINTERCARD numkeys key [key ...] [LIMIT limit] */
static void zintercard_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    setop_request request = {.kind = SETOP_INTER};
    if (parse_request_or_reply(ctx, argc, argv, 1, &request, 0, 1) != DBLITE_OK)
        return;
    setop_run run = {.request = &request};
    value_holder_init(&run.holder, NULL, zset_value_free);
    qsort(request.sources, (size_t)request.source_count, sizeof(setop_source), compare_by_length);
    compute(&request, &run); /* counting allocates nothing */
    dblite_free(request.sources);
    dblite_reply_integer(ctx, run.cardinality);
}

/* The commands find their keys through numkeys, so like Redis they declare
 * no key range but the destination. */
#define SETOP_OPTIONS "[WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX]"
static const dblite_command_spec setop_commands[] = {
    ZSET_COMMAND(.name = "zunion", .arity = -3, .flags = "readonly", .handler = zunion_command,
                 .summary = "Add multiple sorted sets", .since = "6.2.0",
                 .arguments = "numkeys key [key ...] " SETOP_OPTIONS " [WITHSCORES]"),
    ZSET_COMMAND(.name = "zinter", .arity = -3, .flags = "readonly", .handler = zinter_command,
                 .summary = "Intersect multiple sorted sets", .since = "6.2.0",
                 .arguments = "numkeys key [key ...] " SETOP_OPTIONS " [WITHSCORES]"),
    ZSET_COMMAND(.name = "zdiff", .arity = -3, .flags = "readonly", .handler = zdiff_command,
                 .summary = "Subtract multiple sorted sets", .since = "6.2.0",
                 .arguments = "numkeys key [key ...] [WITHSCORES]"),
    ZSET_COMMAND(.name = "zunionstore", .arity = -4, .flags = "write deny-oom", ZSET_KEYS(1, 1, 1),
                 .handler = zunionstore_command,
                 .summary = "Add multiple sorted sets and store the resulting sorted set in a "
                            "new key",
                 .since = "2.0.0", .arguments = "destination numkeys key [key ...] " SETOP_OPTIONS),
    ZSET_COMMAND(.name = "zinterstore", .arity = -4, .flags = "write deny-oom", ZSET_KEYS(1, 1, 1),
                 .handler = zinterstore_command,
                 .summary = "Intersect multiple sorted sets and store the resulting sorted set in "
                            "a new key",
                 .since = "2.0.0", .arguments = "destination numkeys key [key ...] " SETOP_OPTIONS),
    ZSET_COMMAND(.name = "zdiffstore", .arity = -4, .flags = "write deny-oom", ZSET_KEYS(1, 1, 1),
                 .handler = zdiffstore_command,
                 .summary = "Subtract multiple sorted sets and store the resulting sorted set in "
                            "a new key",
                 .since = "6.2.0", .arguments = "destination numkeys key [key ...]"),
    ZSET_COMMAND(.name = "zintercard", .arity = -3, .flags = "readonly",
                 .handler = zintercard_command,
                 .summary = "Intersect multiple sorted sets and return the cardinality of the "
                            "result",
                 .since = "7.0.0", .arguments = "numkeys key [key ...] [LIMIT limit]"),
};

int zsets_register_setops(dblite_module *module)
{
    return dblite_command_register_table(module, setop_commands,
                                         DBLITE_ARRAY_LENGTH(setop_commands));
}
