/*
 * hashes_commands_random.c - HRANDFIELD.
 *
 * Picks are uniform over the pairs in every encoding.  A positive count
 * returns that many distinct fields (the whole hash when it asks for at
 * least as many as there are); a negative count returns |count| independent
 * picks, repeats allowed.  With WITHVALUES, RESP2 gets a flat field/value
 * array and RESP3 an array of [field, value] pairs, as Redis 7.0.
 */
#include <limits.h>

#include "common/collection_access.h"
#include "common/random_sample.h"
#include "common/reply_budget.h"
#include "hash_access.h"
#include "hashes.h"

/* Random access to the pairs: direct for tables; packed hashes are walked
 * once into an array so that many picks do not each walk the list. */
typedef struct pair_source {
    const hash_value *value;
    dblite_bytes *packed_pairs; /* field, value, field, value...; NULL for tables */
} pair_source;

static int pair_source_open(pair_source *source, const hash_value *value)
{
    source->value = value;
    source->packed_pairs = NULL;
    if (hash_value_encoding(value) != HASH_ENCODING_PACKED)
        return DBLITE_OK;
    size_t length = hash_value_length(value);
    source->packed_pairs = dblite_alloc(2 * length * sizeof(dblite_bytes));
    if (source->packed_pairs == NULL)
        return DBLITE_ERR_NOMEM;
    hash_iterator iterator;
    hash_iterator_init(&iterator, value);
    for (size_t i = 0; hash_iterator_next(&iterator, &source->packed_pairs[2 * i],
                                          &source->packed_pairs[2 * i + 1]);
         i++) {
    }
    return DBLITE_OK;
}

static void pair_source_close(pair_source *source)
{
    dblite_free(source->packed_pairs);
}

static void reply_pair(dblite_ctx *ctx, const pair_source *source, size_t index, int with_values)
{
    dblite_bytes field, content;
    if (source->packed_pairs != NULL) {
        field = source->packed_pairs[2 * index];
        content = source->packed_pairs[2 * index + 1];
    } else {
        hash_value_pair_at(source->value, index, &field, &content);
    }
    if (with_values && dblite_ctx_protocol(ctx) >= 3)
        dblite_reply_array(ctx, 2);
    dblite_reply_bulk(ctx, field.ptr, field.len);
    if (with_values)
        dblite_reply_bulk(ctx, content.ptr, content.len);
}

static void reply_length(dblite_ctx *ctx, size_t picks, int with_values)
{
    int flat = with_values && dblite_ctx_protocol(ctx) < 3;
    dblite_reply_array(ctx, (long long)(flat ? picks * 2 : picks));
}

static void reply_with_count(dblite_ctx *ctx, dblite_bytes key, long long count, int with_values)
{
    hash_value *value;
    if (hash_lookup_or_reply(ctx, key, DBLITE_LOOKUP_READ, &value) != DBLITE_OK)
        return;
    if (value == NULL || count == 0) {
        dblite_reply_array(ctx, 0);
        return;
    }
    /* |count| picks with repeats: bounded before any work (reply_budget.h). */
    size_t pick_bytes = with_values ? 2 * REPLY_BUDGET_MIN_BULK : REPLY_BUDGET_MIN_BULK;
    if (count < 0 &&
        reply_budget_check_or_reply(ctx, (unsigned long long)-count, pick_bytes) != DBLITE_OK)
        return;
    size_t length = hash_value_length(value);
    random_source *random = &hashes_state_of(ctx)->random;
    pair_source source;
    if (pair_source_open(&source, value) != DBLITE_OK) {
        collection_reply_out_of_memory(ctx);
        return;
    }
    if (count < 0) {
        size_t picks = (size_t)(-count);
        reply_length(ctx, picks, with_values);
        for (size_t i = 0; i < picks; i++)
            reply_pair(ctx, &source, (size_t)random_below(random, length), with_values);
    } else if ((size_t)count >= length) {
        reply_length(ctx, length, with_values);
        for (size_t i = 0; i < length; i++)
            reply_pair(ctx, &source, i, with_values);
    } else {
        size_t picks = (size_t)count;
        size_t *positions = dblite_alloc(picks * sizeof(size_t));
        if (positions == NULL ||
            random_distinct_positions(random, length, picks, positions) != DBLITE_OK) {
            dblite_free(positions);
            pair_source_close(&source);
            collection_reply_out_of_memory(ctx);
            return;
        }
        reply_length(ctx, picks, with_values);
        for (size_t i = 0; i < picks; i++)
            reply_pair(ctx, &source, positions[i], with_values);
        dblite_free(positions);
    }
    pair_source_close(&source);
}

void hashes_hrandfield_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (argc >= 3) {
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
        int with_values = argc == 4 && dblite_bytes_equal_nocase(argv[3], "withvalues");
        if (argc > 4 || (argc == 4 && !with_values)) {
            dblite_reply_syntax_error(ctx);
            return;
        }
        /* Twice |count| replies must stay countable. */
        if (with_values && (count < -LLONG_MAX / 2 || count > LLONG_MAX / 2)) {
            dblite_reply_error(ctx, "ERR value is out of range");
            return;
        }
        reply_with_count(ctx, argv[1], count, with_values);
        return;
    }
    hash_value *value;
    if (hash_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &value) != DBLITE_OK)
        return;
    if (value == NULL) {
        dblite_reply_null(ctx);
        return;
    }
    size_t index = (size_t)random_below(&hashes_state_of(ctx)->random, hash_value_length(value));
    dblite_bytes field, content;
    hash_value_pair_at(value, index, &field, &content);
    dblite_reply_bulk(ctx, field.ptr, field.len);
}
