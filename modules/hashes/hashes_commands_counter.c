/*
 * hashes_commands_counter.c - HINCRBY and HINCRBYFLOAT.
 *
 * HINCRBYFLOAT is replicated as HSET key field <result>, as Redis does, so
 * replicas and log replays never redo floating-point arithmetic.
 */
#include <limits.h>
#include <math.h>

#include "common/collection_access.h"
#include "hash_access.h"
#include "hashes.h"

/* Room for the longest text Redis prints for a long double (%.17Lf of the
 * largest finite value has about 4950 digits). */
#define LONG_DOUBLE_TEXT_SIZE (5 * 1024)

/* Stores text as field's value and replies nothing; DBLITE_OK or DBLITE_ERR
 * after replying. */
/* Stores the field; DBLITE_OK or, replied, the error. */
static int store_field(dblite_ctx *ctx, value_holder *holder, dblite_bytes key, dblite_bytes field,
                       dblite_bytes text)
{
    hash_limits limits = hashes_limits(hashes_state_of(ctx));
    int result = hash_value_set(holder, &limits, field, text);
    if (hash_commit_or_reply(ctx, key, holder) != DBLITE_OK)
        return DBLITE_ERR;
    if (result < 0) {
        collection_reply_out_of_memory(ctx);
        return DBLITE_ERR;
    }
    return DBLITE_OK;
}

void hashes_hincrby_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    long long increment;
    if (dblite_parse_long_long(argv[3], &increment) != DBLITE_OK) {
        dblite_reply_not_integer(ctx);
        return;
    }
    value_holder holder;
    if (hash_open_for_write(ctx, argv[1], argc, argv, 2, &holder) != DBLITE_OK)
        return;
    long long current = 0;
    dblite_bytes existing;
    if (hash_value_get(holder.current, argv[2], &existing) &&
        dblite_parse_long_long(existing, &current) != DBLITE_OK) {
        value_holder_discard(&holder);
        dblite_reply_error(ctx, "ERR hash value is not an integer");
        return;
    }
    if ((increment < 0 && current < 0 && increment < LLONG_MIN - current) ||
        (increment > 0 && current > 0 && increment > LLONG_MAX - current)) {
        value_holder_discard(&holder);
        dblite_reply_error(ctx, "ERR increment or decrement would overflow");
        return;
    }
    long long result = current + increment;
    char text[DBLITE_LONG_LONG_TEXT_SIZE];
    dblite_bytes result_text = {text, dblite_format_long_long(text, sizeof text, result)};
    if (store_field(ctx, &holder, argv[1], argv[2], result_text) != DBLITE_OK)
        return;
    /* Redis replies first, then announces. */
    dblite_reply_integer(ctx, result);
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_HASH, "hincrby", argv[1]);
}

void hashes_hincrbyfloat_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    long double increment;
    if (dblite_parse_long_double(argv[3], &increment) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR value is not a valid float");
        return;
    }
    if (isnan(increment) || isinf(increment)) {
        dblite_reply_error(ctx, "ERR value is NaN or Infinity");
        return;
    }
    value_holder holder;
    if (hash_open_for_write(ctx, argv[1], argc, argv, 2, &holder) != DBLITE_OK)
        return;
    long double current = 0;
    dblite_bytes existing;
    if (hash_value_get(holder.current, argv[2], &existing) &&
        dblite_parse_long_double(existing, &current) != DBLITE_OK) {
        value_holder_discard(&holder);
        dblite_reply_error(ctx, "ERR hash value is not a float");
        return;
    }
    long double result = current + increment;
    if (isnan(result) || isinf(result)) {
        value_holder_discard(&holder);
        dblite_reply_error(ctx, "ERR increment would produce NaN or Infinity");
        return;
    }
    char text[LONG_DOUBLE_TEXT_SIZE];
    size_t length = dblite_format_long_double(text, sizeof text, result);
    dblite_bytes result_text = {text, length};
    if (store_field(ctx, &holder, argv[1], argv[2], result_text) != DBLITE_OK)
        return;
    dblite_reply_bulk(ctx, text, length);
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_HASH, "hincrbyfloat", argv[1]);
    dblite_bytes replicated[4] = {{"HSET", 4}, argv[1], argv[2], result_text};
    collection_propagate_as(ctx, 4, replicated);
}
