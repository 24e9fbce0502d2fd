/*
 * zsets_commands_random.c - ZRANDMEMBER and ZSCAN.
 *
 * ZRANDMEMBER picks uniformly by rank whatever the encoding (a packed set
 * is read once into an array when several picks are made, so they do not
 * each walk it).  A positive count gives distinct members (the whole set,
 * highest score first as Redis walks it, when it asks for at least as
 * many as there are); a negative count gives |count| independent picks.  WITHSCORES pairs each member
 * with its score: a flat array in RESP2, pairs in RESP3.  Redis refuses a
 * count beyond +-LONG_MAX/2 with WITHSCORES; a negative count whose reply
 * would exceed proto-max-bulk-len is refused too (reply_budget.h), where
 * Redis would grow its output without bound.
 *
 * ZSCAN returns a packed set whole with cursor 0, as Redis does for its
 * listpacks, and walks a skiplist's member table with zset_value_scan's
 * cursor.  Scores come back as bulk strings in both protocols, in the
 * text Redis gives them there (%.17g, "inf", "-inf").
 */
#include <limits.h>
#include <string.h>

#include "common/collection_access.h"
#include "common/random_sample.h"
#include "common/reply_budget.h"
#include "common/scan_request.h"
#include "zset_access.h"
#include "zsets.h"

/* ---- ZRANDMEMBER ----------------------------------------------------------- */

/* Random access to the entries by rank: a packed set is read once into an
 * array; a skiplist answers each rank in O(log n). */
typedef struct entry_source {
    const zset_value *zset;
    zset_entry *packed_entries; /* NULL unless the set is packed */
} entry_source;

static int entry_source_open(entry_source *source, const zset_value *zset)
{
    source->zset = zset;
    source->packed_entries = NULL;
    if (zset_value_encoding(zset) != ZSET_ENCODING_PACKED)
        return DBLITE_OK;
    source->packed_entries = dblite_alloc(zset_value_length(zset) * sizeof(zset_entry));
    if (source->packed_entries == NULL)
        return DBLITE_ERR_NOMEM;
    /* Each entry is filled in place, so a member spelled in its digits
     * points into its own slot. */
    zset_iterator iterator;
    zset_iterator_init(&iterator, zset, 0, 0);
    for (size_t i = 0; zset_iterator_next(&iterator, &source->packed_entries[i]); i++)
        continue;
    return DBLITE_OK;
}

static void entry_source_close(entry_source *source)
{
    dblite_free(source->packed_entries);
}

static void reply_entry_at(dblite_ctx *ctx, const entry_source *source, size_t rank,
                           int with_scores)
{
    if (source->packed_entries != NULL) {
        zset_reply_entry(ctx, &source->packed_entries[rank], with_scores);
        return;
    }
    zset_entry entry;
    zset_value_entry_at(source->zset, rank, 0, &entry);
    zset_reply_entry(ctx, &entry, with_scores);
}

/* |count| picks with repeats. */
static void reply_repeated_picks(dblite_ctx *ctx, const entry_source *source, size_t length,
                                 unsigned long long picks, int with_scores)
{
    random_source *random = &zsets_state_of(ctx)->random;
    zset_reply_entries_begin(ctx, (long long)picks, with_scores, 0);
    for (unsigned long long i = 0; i < picks; i++)
        reply_entry_at(ctx, source, (size_t)random_below(random, length), with_scores);
}

/* count distinct picks (count < length), in random order. */
static int reply_distinct_picks(dblite_ctx *ctx, const entry_source *source, size_t length,
                                size_t count, int with_scores)
{
    size_t *ranks = dblite_alloc(count * sizeof(size_t));
    if (ranks == NULL || random_distinct_positions(&zsets_state_of(ctx)->random, length, count,
                                                   ranks) != DBLITE_OK) {
        dblite_free(ranks);
        return DBLITE_ERR_NOMEM;
    }
    zset_reply_entries_begin(ctx, (long long)count, with_scores, 0);
    for (size_t i = 0; i < count; i++)
        reply_entry_at(ctx, source, ranks[i], with_scores);
    dblite_free(ranks);
    return DBLITE_OK;
}

/* The whole set (a count covering it), from the highest score down: the
 * order in which Redis 7.0's set iterator walks. */
static void reply_whole_set(dblite_ctx *ctx, const zset_value *zset, int with_scores)
{
    zset_reply_entries_begin(ctx, (long long)zset_value_length(zset), with_scores, 0);
    zset_iterator iterator;
    zset_iterator_init(&iterator, zset, 0, 1);
    zset_entry entry;
    while (zset_iterator_next(&iterator, &entry))
        zset_reply_entry(ctx, &entry, with_scores);
}

static void zrandmember_with_count(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    long long count;
    if (dblite_parse_long_long(argv[2], &count) != DBLITE_OK) {
        dblite_reply_not_integer(ctx);
        return;
    }
    if (count < -LLONG_MAX) {
        dblite_reply_error_format(ctx,
                                  "ERR value is out of range, value must between %lld and %lld",
                                  -LLONG_MAX, LLONG_MAX);
        return;
    }
    int with_scores = argc == 4;
    if (argc > 4 || (with_scores && !dblite_bytes_equal_nocase(argv[3], "withscores"))) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    if (with_scores && (count < -LLONG_MAX / 2 || count > LLONG_MAX / 2)) {
        dblite_reply_error(ctx, "ERR value is out of range");
        return;
    }
    zset_value *zset;
    if (zset_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &zset) != DBLITE_OK)
        return;
    if (zset == NULL || count == 0) {
        dblite_reply_array(ctx, 0);
        return;
    }
    size_t length = zset_value_length(zset);
    if (count > 0 && (unsigned long long)count >= length) {
        reply_whole_set(ctx, zset, with_scores);
        return;
    }
    unsigned long long picks = count < 0 ? (unsigned long long)-count : (unsigned long long)count;
    /* Picks with repeats: bounded before any work (reply_budget.h). */
    if (count < 0 && reply_budget_check_or_reply(ctx, with_scores ? picks * 2 : picks,
                                                 REPLY_BUDGET_MIN_BULK) != DBLITE_OK)
        return;
    entry_source source;
    if (entry_source_open(&source, zset) != DBLITE_OK) {
        collection_reply_out_of_memory(ctx);
        return;
    }
    if (count < 0)
        reply_repeated_picks(ctx, &source, length, picks, with_scores);
    else if (reply_distinct_picks(ctx, &source, length, (size_t)count, with_scores) != DBLITE_OK)
        collection_reply_out_of_memory(ctx);
    entry_source_close(&source);
}

/* ZRANDMEMBER key [count [WITHSCORES]] */
static void zrandmember_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (argc >= 3) {
        zrandmember_with_count(ctx, argc, argv);
        return;
    }
    zset_value *zset;
    if (zset_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &zset) != DBLITE_OK)
        return;
    if (zset == NULL) {
        dblite_reply_null(ctx);
        return;
    }
    size_t rank = (size_t)random_below(&zsets_state_of(ctx)->random, zset_value_length(zset));
    zset_entry entry;
    zset_value_entry_at(zset, rank, 0, &entry);
    dblite_reply_bulk(ctx, entry.member.ptr, entry.member.len);
}

/* ---- ZSCAN ----------------------------------------------------------------- */

/* The entries one ZSCAN call returns, gathered before the reply (whose
 * cursor comes first): member and score texts back to back in one
 * growing buffer, with the end offset of each text. */
typedef struct scan_batch {
    const scan_request *request;
    char *bytes;
    size_t used, room;
    size_t *ends;
    size_t texts, text_room;
    int failed;
} scan_batch;

static int batch_reserve(scan_batch *batch, size_t more_bytes)
{
    if (batch->texts + 2 > batch->text_room) {
        size_t room = batch->text_room == 0 ? 32 : batch->text_room * 2;
        size_t *ends = dblite_realloc(batch->ends, room * sizeof(size_t));
        if (ends == NULL)
            return DBLITE_ERR_NOMEM;
        batch->ends = ends;
        batch->text_room = room;
    }
    if (batch->used + more_bytes > batch->room) {
        size_t room = batch->room == 0 ? 256 : batch->room;
        while (room < batch->used + more_bytes)
            room *= 2;
        char *bytes = dblite_realloc(batch->bytes, room);
        if (bytes == NULL)
            return DBLITE_ERR_NOMEM;
        batch->bytes = bytes;
        batch->room = room;
    }
    return DBLITE_OK;
}

static void batch_append(scan_batch *batch, const char *ptr, size_t len)
{
    if (len > 0)
        memcpy(batch->bytes + batch->used, ptr, len);
    batch->used += len;
    batch->ends[batch->texts++] = batch->used;
}

static void scan_visit(const zset_entry *entry, void *privdata)
{
    scan_batch *batch = privdata;
    if (batch->failed ||
        !scan_request_accepts(batch->request, entry->member.ptr, entry->member.len))
        return;
    char score[DBLITE_DOUBLE_TEXT_SIZE];
    size_t score_length = dblite_format_double(score, sizeof score, entry->score);
    if (batch_reserve(batch, entry->member.len + score_length) != DBLITE_OK) {
        batch->failed = 1;
        return;
    }
    batch_append(batch, entry->member.ptr, entry->member.len);
    batch_append(batch, score, score_length);
}

/* ZSCAN key cursor [MATCH pattern] [COUNT count] */
static void zscan_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    scan_request request;
    if (scan_parse_cursor(ctx, argv[2], &request.cursor) != DBLITE_OK)
        return;
    zset_value *zset;
    if (zset_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &zset) != DBLITE_OK)
        return;
    if (zset == NULL) {
        scan_reply_empty(ctx);
        return;
    }
    if (scan_parse_options(ctx, argc, argv, 3, &request) != DBLITE_OK)
        return;
    scan_batch batch = {.request = &request};
    unsigned long long next =
        zset_value_scan(zset, request.cursor, (size_t)request.count, scan_visit, &batch);
    if (batch.failed) {
        collection_reply_out_of_memory(ctx);
    } else {
        void *deferred = scan_reply_begin(ctx, next);
        size_t start = 0;
        for (size_t i = 0; i < batch.texts; i++) {
            dblite_reply_bulk(ctx, batch.bytes + start, batch.ends[i] - start);
            start = batch.ends[i];
        }
        dblite_reply_set_length(ctx, deferred, (long long)batch.texts);
    }
    dblite_free(batch.bytes);
    dblite_free(batch.ends);
}

static const dblite_command_spec random_commands[] = {
    ZSET_COMMAND(.name = "zrandmember", .arity = -2, .flags = "readonly", ZSET_KEYS(1, 1, 1),
                 .handler = zrandmember_command,
                 .summary = "Get one or multiple random elements from a sorted set",
                 .since = "6.2.0", .arguments = "key [count [WITHSCORES]]"),
    ZSET_COMMAND(.name = "zscan", .arity = -3, .flags = "readonly", ZSET_KEYS(1, 1, 1),
                 .handler = zscan_command,
                 .summary = "Incrementally iterate sorted sets elements and associated scores",
                 .since = "2.8.0", .arguments = "key cursor [MATCH pattern] [COUNT count]"),
};

int zsets_register_random(dblite_module *module)
{
    return dblite_command_register_table(module, random_commands,
                                         DBLITE_ARRAY_LENGTH(random_commands));
}
