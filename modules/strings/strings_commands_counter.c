/*
 * strings_commands_counter.c - INCR, DECR, INCRBY, DECRBY and INCRBYFLOAT.
 *
 * Counters keep the key's deadline: as Redis does, they update the value in
 * place.  INCRBYFLOAT is replicated as SET key <result> KEEPTTL so
 * replicas and log replays never redo floating-point arithmetic.
 */
#include <limits.h>
#include <math.h>

#include "string_access.h"
#include "string_value.h"
#include "strings.h"

/* Room for the longest text Redis prints for a long double (%.17Lf of the
 * largest finite value has about 4950 digits). */
#define LONG_DOUBLE_TEXT_SIZE (5 * 1024)

/* One hash lookup: an existing counter is updated through its slot (the
 * key, its TTL and its handle stay), a missing one is stored. */
static void increment_by(dblite_ctx *ctx, dblite_bytes key, long long increment)
{
    void **slot;
    if (dblite_key_lookup_slot_or_reply(ctx, key, string_type(ctx), DBLITE_LOOKUP_WRITE, &slot) !=
        DBLITE_OK)
        return;
    long long current = 0;
    if (slot != NULL && string_value_to_integer(*slot, &current) != DBLITE_OK) {
        dblite_reply_not_integer(ctx);
        return;
    }
    if ((increment < 0 && current < 0 && increment < LLONG_MIN - current) ||
        (increment > 0 && current > 0 && increment > LLONG_MAX - current)) {
        dblite_reply_error(ctx, "ERR increment or decrement would overflow");
        return;
    }
    long long result = current + increment;
    void *updated = string_value_from_integer(result);
    if (updated == NULL) {
        string_reply_out_of_memory(ctx);
        return;
    }
    if (slot != NULL) {
        string_value_free(*slot);
        *slot = updated;
        dblite_key_modified(ctx, key);
    } else if (string_store_or_reply(ctx, key, updated, DBLITE_SET_DEFAULT) != DBLITE_OK) {
        return;
    }
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_STRING, "incrby", key);
    dblite_reply_integer(ctx, result);
}

void strings_incr_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    increment_by(ctx, argv[1], 1);
}

void strings_decr_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    increment_by(ctx, argv[1], -1);
}

void strings_incrby_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    long long increment;
    if (dblite_parse_long_long(argv[2], &increment) != DBLITE_OK) {
        dblite_reply_not_integer(ctx);
        return;
    }
    increment_by(ctx, argv[1], increment);
}

void strings_decrby_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    long long decrement;
    if (dblite_parse_long_long(argv[2], &decrement) != DBLITE_OK) {
        dblite_reply_not_integer(ctx);
        return;
    }
    if (decrement == LLONG_MIN) {
        dblite_reply_error(ctx, "ERR decrement would overflow");
        return;
    }
    increment_by(ctx, argv[1], -decrement);
}

void strings_incrbyfloat_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    void *value;
    if (dblite_key_lookup_or_reply(ctx, argv[1], string_type(ctx), DBLITE_LOOKUP_WRITE, &value) !=
        DBLITE_OK)
        return;
    long double current = 0, increment;
    if ((value != NULL && string_value_to_long_double(value, &current) != DBLITE_OK) ||
        dblite_parse_long_double(argv[2], &increment) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR value is not a valid float");
        return;
    }
    long double result = current + increment;
    if (isnan(result) || isinf(result)) {
        dblite_reply_error(ctx, "ERR increment would produce NaN or Infinity");
        return;
    }
    char text[LONG_DOUBLE_TEXT_SIZE];
    size_t length = dblite_format_long_double(text, sizeof text, result);
    if (length == 0) {
        dblite_reply_error(ctx, "ERR value is not a valid float");
        return;
    }
    void *updated = string_value_create(text, length);
    if (updated == NULL) {
        string_reply_out_of_memory(ctx);
        return;
    }
    if (string_store_or_reply(ctx, argv[1], updated, DBLITE_SET_KEEP) != DBLITE_OK)
        return;
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_STRING, "incrbyfloat", argv[1]);
    dblite_reply_bulk(ctx, text, length);
    dblite_bytes replicated[4] = {{"SET", 3}, argv[1], {text, length}, {"KEEPTTL", 7}};
    string_propagate_as(ctx, 4, replicated);
}
