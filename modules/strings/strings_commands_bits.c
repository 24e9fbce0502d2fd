/*
 * strings_commands_bits.c - the single-bit commands of Redis's bitmaps:
 * SETBIT, GETBIT, BITCOUNT and BITPOS, on plain string values.
 *
 * Values are read as their bytes (string_value_bytes), so a counter or a
 * value a dialect client sent as an integer is read as its decimal text,
 * as Redis reads an int-encoded string.  SETBIT writes one byte through
 * string_value_splice, which zero-fills up to the byte and grows the
 * value's room geometrically: SETBIT at rising offsets costs amortised
 * O(1) per byte, never a copy of the whole bitmap per call.
 *
 * Argument checks and lookups come in Redis 7.0's order, since it decides
 * which error a bad call gets: BITCOUNT and BITPOS look the key up first,
 * so a missing key answers 0 (BITPOS: -1 or 0) whatever the range says.
 */
#include "string_access.h"
#include "string_bits.h"
#include "string_value.h"
#include "strings.h"

#define BIT_VALUE_ERROR "ERR bit is not an integer or out of range"

/* The bit at offset of a string's bytes; bits past the end read 0. */
static int bit_at(dblite_bytes bytes, uint64_t offset)
{
    uint64_t index = offset >> 3;
    if (index >= bytes.len)
        return 0;
    return ((unsigned char)bytes.ptr[index] >> (7 - (offset & 7))) & 1;
}

void strings_setbit_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    uint64_t offset;
    if (string_bit_offset_or_reply(ctx, argv[2], 0, &offset) != DBLITE_OK)
        return;
    long long on;
    if (dblite_parse_long_long(argv[3], &on) != DBLITE_OK || (on & ~1LL) != 0) {
        dblite_reply_error(ctx, BIT_VALUE_ERROR);
        return;
    }
    void **slot;
    if (dblite_key_lookup_slot_or_reply(ctx, argv[1], string_type(ctx), DBLITE_LOOKUP_WRITE,
                                        &slot) != DBLITE_OK)
        return;
    size_t index = (size_t)(offset >> 3);
    unsigned bit_mask = 1u << (7 - (offset & 7));
    if (slot == NULL) {
        char byte = on ? (char)bit_mask : 0;
        void *created = string_value_splice(NULL, index, &byte, 1);
        if (created == NULL) {
            string_reply_out_of_memory(ctx);
            return;
        }
        if (string_store_or_reply(ctx, argv[1], created, DBLITE_SET_DEFAULT) != DBLITE_OK)
            return;
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_STRING, "setbit", argv[1]);
        dblite_reply_integer(ctx, 0);
        return;
    }
    char scratch[STRING_VALUE_SCRATCH_SIZE];
    dblite_bytes bytes = string_value_bytes(*slot, scratch);
    unsigned old_byte = index < bytes.len ? (unsigned char)bytes.ptr[index] : 0;
    int old_bit = (old_byte & bit_mask) != 0;
    /* As Redis 7.0: a bit that keeps its value in a string that keeps its
     * length is no change (no event, nothing to replicate). */
    if (index < bytes.len && old_bit == on) {
        dblite_reply_integer(ctx, old_bit);
        return;
    }
    char byte = (char)(on ? old_byte | bit_mask : old_byte & ~bit_mask);
    void *edited = string_value_splice(*slot, index, &byte, 1);
    if (edited == NULL) {
        string_reply_out_of_memory(ctx);
        return;
    }
    *slot = edited;
    dblite_key_modified(ctx, argv[1]);
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_STRING, "setbit", argv[1]);
    dblite_reply_integer(ctx, old_bit);
}

void strings_getbit_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    uint64_t offset;
    if (string_bit_offset_or_reply(ctx, argv[2], 0, &offset) != DBLITE_OK)
        return;
    void *value;
    if (dblite_key_lookup_or_reply(ctx, argv[1], string_type(ctx), DBLITE_LOOKUP_READ, &value) !=
        DBLITE_OK)
        return;
    if (value == NULL) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    char scratch[STRING_VALUE_SCRATCH_SIZE];
    dblite_reply_integer(ctx, bit_at(string_value_bytes(value, scratch), offset));
}

/* Reads the optional BYTE|BIT unit: DBLITE_OK with *in_bits set, or
 * DBLITE_ERR after replying a syntax error. */
static int parse_unit_or_reply(dblite_ctx *ctx, dblite_bytes arg, int *in_bits)
{
    if (dblite_bytes_equal_nocase(arg, "bit")) {
        *in_bits = 1;
        return DBLITE_OK;
    }
    if (dblite_bytes_equal_nocase(arg, "byte")) {
        *in_bits = 0;
        return DBLITE_OK;
    }
    dblite_reply_syntax_error(ctx);
    return DBLITE_ERR;
}

/* Turns start and end (negative from the end, in units of the string's
 * length total) into positions clamped to the string, as GETRANGE does;
 * start > end after it means an empty range. */
static void clamp_range(long long total, long long *start, long long *end)
{
    if (*start < 0)
        *start += total;
    if (*end < 0)
        *end += total;
    if (*start < 0)
        *start = 0;
    if (*end < 0)
        *end = 0;
    if (*end >= total)
        *end = total - 1;
}

void strings_bitcount_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    void *value;
    if (dblite_key_lookup_or_reply(ctx, argv[1], string_type(ctx), DBLITE_LOOKUP_READ, &value) !=
        DBLITE_OK)
        return;
    if (value == NULL) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    char scratch[STRING_VALUE_SCRATCH_SIZE];
    dblite_bytes bytes = string_value_bytes(value, scratch);
    long long length = (long long)bytes.len;
    long long start = 0, end = length - 1;
    int in_bits = 0;
    if (argc == 4 || argc == 5) {
        if (dblite_parse_long_long(argv[2], &start) != DBLITE_OK ||
            dblite_parse_long_long(argv[3], &end) != DBLITE_OK) {
            dblite_reply_not_integer(ctx);
            return;
        }
        if (argc == 5 && parse_unit_or_reply(ctx, argv[4], &in_bits) != DBLITE_OK)
            return;
        if (start < 0 && end < 0 && start > end) {
            dblite_reply_integer(ctx, 0);
            return;
        }
        clamp_range(in_bits ? length * 8 : length, &start, &end);
    } else if (argc != 2) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    if (start > end) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    uint64_t first_bit = in_bits ? (uint64_t)start : (uint64_t)start * 8;
    uint64_t last_bit = in_bits ? (uint64_t)end : (uint64_t)end * 8 + 7;
    dblite_reply_integer(ctx,
                         string_bits_count((const unsigned char *)bytes.ptr, first_bit, last_bit));
}

void strings_bitpos_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    long long bit;
    if (dblite_parse_long_long(argv[2], &bit) != DBLITE_OK) {
        dblite_reply_not_integer(ctx);
        return;
    }
    if (bit != 0 && bit != 1) {
        dblite_reply_error(ctx, "ERR The bit argument must be 1 or 0.");
        return;
    }
    void *value;
    if (dblite_key_lookup_or_reply(ctx, argv[1], string_type(ctx), DBLITE_LOOKUP_READ, &value) !=
        DBLITE_OK)
        return;
    /* A missing key is an endless run of zero bits. */
    if (value == NULL) {
        dblite_reply_integer(ctx, bit ? -1 : 0);
        return;
    }
    char scratch[STRING_VALUE_SCRATCH_SIZE];
    dblite_bytes bytes = string_value_bytes(value, scratch);
    long long length = (long long)bytes.len;
    long long start = 0, end = length - 1;
    int in_bits = 0, end_given = 0;
    if (argc >= 4 && argc <= 6) {
        if (dblite_parse_long_long(argv[3], &start) != DBLITE_OK) {
            dblite_reply_not_integer(ctx);
            return;
        }
        if (argc == 6 && parse_unit_or_reply(ctx, argv[5], &in_bits) != DBLITE_OK)
            return;
        if (argc >= 5) {
            if (dblite_parse_long_long(argv[4], &end) != DBLITE_OK) {
                dblite_reply_not_integer(ctx);
                return;
            }
            end_given = 1;
        }
        long long total = in_bits ? length * 8 : length;
        if (!end_given)
            end = total - 1;
        clamp_range(total, &start, &end);
    } else if (argc != 3) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    /* An empty range holds neither a 0 nor a 1. */
    if (start > end) {
        dblite_reply_integer(ctx, -1);
        return;
    }
    uint64_t first_bit = in_bits ? (uint64_t)start : (uint64_t)start * 8;
    uint64_t last_bit = in_bits ? (uint64_t)end : (uint64_t)end * 8 + 7;
    long long found =
        string_bits_find((const unsigned char *)bytes.ptr, first_bit, last_bit, (int)bit);
    /* Without an end the string counts as padded with zeros on the right,
     * so a clear bit is always found: the first one past the range. */
    if (found < 0 && bit == 0 && !end_given)
        found = (long long)last_bit + 1;
    dblite_reply_integer(ctx, found);
}
