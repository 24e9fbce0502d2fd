/*
 * strings_commands_bitfield.c - BITFIELD and BITFIELD_RO: signed and
 * unsigned integers of 1 to 64 bits (u63 at most: a reply cannot carry a
 * u64) at any bit offset of a string, read (GET), written (SET) or
 * incremented (INCRBY) in one call, with OVERFLOW WRAP|SAT|FAIL deciding
 * what a write out of range does from where it appears on.
 *
 * The whole call is parsed first, so a bad argument anywhere answers its
 * error before anything is read or written, in Redis 7.0's order; then a
 * writing call grows the string once to the farthest bit it writes
 * (string_value_make_writable, zero-filled, geometric room) and every
 * operation works on the bytes in place.  As in Redis 7.0 the grown string
 * stays even if every write then fails, and only a write that changes a
 * value (or a grown string) counts: event "setbit" once per call.
 */
#include <stdint.h>
#include <string.h>

#include "string_access.h"
#include "string_bits.h"
#include "string_value.h"
#include "strings.h"

#define BITFIELD_TYPE_ERROR \
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."

typedef enum field_opcode { FIELD_GET, FIELD_SET, FIELD_INCRBY } field_opcode;
typedef enum field_overflow { OVERFLOW_WRAP, OVERFLOW_SAT, OVERFLOW_FAIL } field_overflow;

typedef struct field_operation {
    uint64_t offset;
    long long argument; /* SET's value or INCRBY's increment */
    field_opcode opcode;
    field_overflow overflow;
    int bits;
    int is_signed;
} field_operation;

/* ---- reading and writing fields ---- */

/* The bits-wide field at offset, as an unsigned number; bits past length
 * bytes read 0. */
static uint64_t field_read(const unsigned char *bytes, size_t length, uint64_t offset, int bits)
{
    uint64_t result = 0;
    for (int index = 0; index < bits; index++, offset++) {
        uint64_t byte = offset >> 3;
        unsigned bit = byte < length ? (bytes[byte] >> (7 - (offset & 7))) & 1 : 0;
        result = (result << 1) | bit;
    }
    return result;
}

/* Writes the low bits of value at offset (inside the string). */
static void field_write(unsigned char *bytes, uint64_t offset, int bits, uint64_t value)
{
    for (int index = bits - 1; index >= 0; index--, offset++) {
        unsigned mask = 1u << (7 - (offset & 7));
        if ((value >> index) & 1)
            bytes[offset >> 3] |= (unsigned char)mask;
        else
            bytes[offset >> 3] &= (unsigned char)~mask;
    }
}

/* A raw field read as a signed number of its width (two's complement). */
static int64_t sign_extend(uint64_t raw, int bits)
{
    if (bits < 64 && (raw >> (bits - 1)) & 1)
        raw |= UINT64_MAX << bits;
    return (int64_t)raw;
}

static uint64_t low_bits(uint64_t value, int bits)
{
    return bits == 64 ? value : value & ((UINT64_C(1) << bits) - 1);
}

/* The value a write stores: exact is the wanted result (old + increment,
 * or SET's value), computed without overflow; raw_wrapped the same modulo
 * 2^64.  Returns 0 and sets *stored when it fits or the overflow mode
 * gives a value, 1 when it must fail. */
static int fit_signed(__int128 exact, uint64_t raw_wrapped, int bits, field_overflow overflow,
                      int64_t *stored)
{
    __int128 max = bits == 64 ? (__int128)INT64_MAX : ((__int128)1 << (bits - 1)) - 1;
    __int128 min = -max - 1;
    if (exact >= min && exact <= max) {
        *stored = (int64_t)exact;
        return 0;
    }
    if (overflow == OVERFLOW_FAIL)
        return 1;
    if (overflow == OVERFLOW_SAT)
        *stored = (int64_t)(exact > max ? max : min);
    else
        *stored = sign_extend(low_bits(raw_wrapped, bits), bits);
    return 0;
}

static int fit_unsigned(__int128 exact, uint64_t raw_wrapped, int bits, field_overflow overflow,
                        uint64_t *stored)
{
    __int128 max = ((__int128)1 << bits) - 1;
    if (exact >= 0 && exact <= max) {
        *stored = (uint64_t)exact;
        return 0;
    }
    if (overflow == OVERFLOW_FAIL)
        return 1;
    if (overflow == OVERFLOW_SAT)
        *stored = exact > max ? (uint64_t)max : 0;
    else
        *stored = low_bits(raw_wrapped, bits);
    return 0;
}

/* What a write did. */
#define WRITE_FAILED -1
#define WRITE_SAME 0
#define WRITE_CHANGED 1

/* Runs one SET or INCRBY on bytes and replies its result (null when it
 * fails, OVERFLOW FAIL); returns one of the WRITE_ values. */
static int run_write(dblite_ctx *ctx, unsigned char *bytes, size_t length,
                     const field_operation *op)
{
    uint64_t old_raw = field_read(bytes, length, op->offset, op->bits);
    uint64_t new_raw;
    if (op->is_signed) {
        int64_t old_value = sign_extend(old_raw, op->bits), stored;
        __int128 exact = op->opcode == FIELD_INCRBY ? (__int128)old_value + op->argument
                                                    : (__int128)op->argument;
        uint64_t wrapped = op->opcode == FIELD_INCRBY ? (uint64_t)old_value + (uint64_t)op->argument
                                                      : (uint64_t)op->argument;
        if (fit_signed(exact, wrapped, op->bits, op->overflow, &stored)) {
            dblite_reply_null(ctx);
            return WRITE_FAILED;
        }
        dblite_reply_integer(ctx, op->opcode == FIELD_INCRBY ? stored : old_value);
        new_raw = low_bits((uint64_t)stored, op->bits);
    } else {
        uint64_t stored;
        /* SET reads its value as unsigned, as Redis does: -1 is 2^64 - 1,
         * out of range (so SAT stores the maximum). */
        __int128 exact = op->opcode == FIELD_INCRBY ? (__int128)old_raw + op->argument
                                                    : (__int128)(uint64_t)op->argument;
        uint64_t wrapped =
            op->opcode == FIELD_INCRBY ? old_raw + (uint64_t)op->argument : (uint64_t)op->argument;
        if (fit_unsigned(exact, wrapped, op->bits, op->overflow, &stored)) {
            dblite_reply_null(ctx);
            return WRITE_FAILED;
        }
        dblite_reply_integer(ctx, (long long)(op->opcode == FIELD_INCRBY ? stored : old_raw));
        new_raw = stored;
    }
    field_write(bytes, op->offset, op->bits, new_raw);
    return new_raw != old_raw ? WRITE_CHANGED : WRITE_SAME;
}

static void run_get(dblite_ctx *ctx, const unsigned char *bytes, size_t length,
                    const field_operation *op)
{
    uint64_t raw = field_read(bytes, length, op->offset, op->bits);
    dblite_reply_integer(ctx, op->is_signed ? sign_extend(raw, op->bits) : (long long)raw);
}

/* ---- parsing ---- */

/* "i1".."i64" or "u1".."u63". */
static int parse_field_type_or_reply(dblite_ctx *ctx, dblite_bytes arg, int *is_signed, int *bits)
{
    long long width;
    dblite_bytes digits = {arg.ptr + 1, arg.len > 0 ? arg.len - 1 : 0};
    int valid = arg.len > 0 && (arg.ptr[0] == 'i' || arg.ptr[0] == 'u') &&
                dblite_parse_long_long(digits, &width) == DBLITE_OK && width >= 1 &&
                width <= (arg.ptr[0] == 'i' ? 64 : 63);
    if (!valid) {
        dblite_reply_error(ctx, BITFIELD_TYPE_ERROR);
        return DBLITE_ERR;
    }
    *is_signed = arg.ptr[0] == 'i';
    *bits = (int)width;
    return DBLITE_OK;
}

static int parse_overflow_or_reply(dblite_ctx *ctx, dblite_bytes arg, field_overflow *overflow)
{
    if (dblite_bytes_equal_nocase(arg, "wrap"))
        *overflow = OVERFLOW_WRAP;
    else if (dblite_bytes_equal_nocase(arg, "sat"))
        *overflow = OVERFLOW_SAT;
    else if (dblite_bytes_equal_nocase(arg, "fail"))
        *overflow = OVERFLOW_FAIL;
    else {
        dblite_reply_error(ctx, "ERR Invalid OVERFLOW type specified");
        return DBLITE_ERR;
    }
    return DBLITE_OK;
}

typedef struct field_request {
    field_operation *ops;
    int count;
    int writes;           /* any SET or INCRBY */
    uint64_t highest_bit; /* the farthest bit a write reaches */
} field_request;

/* Parses argv[2..] into request->ops (room for argc / 2 of them); DBLITE_OK,
 * or DBLITE_ERR after replying the first error. */
static int parse_request_or_reply(dblite_ctx *ctx, int argc, const dblite_bytes *argv,
                                  field_request *request)
{
    field_overflow overflow = OVERFLOW_WRAP;
    for (int index = 2; index < argc; index++) {
        int remaining = argc - index - 1;
        dblite_bytes name = argv[index];
        field_opcode opcode;
        if (dblite_bytes_equal_nocase(name, "get") && remaining >= 2) {
            opcode = FIELD_GET;
        } else if (dblite_bytes_equal_nocase(name, "set") && remaining >= 3) {
            opcode = FIELD_SET;
        } else if (dblite_bytes_equal_nocase(name, "incrby") && remaining >= 3) {
            opcode = FIELD_INCRBY;
        } else if (dblite_bytes_equal_nocase(name, "overflow") && remaining >= 1) {
            if (parse_overflow_or_reply(ctx, argv[index + 1], &overflow) != DBLITE_OK)
                return DBLITE_ERR;
            index++;
            continue;
        } else {
            dblite_reply_syntax_error(ctx);
            return DBLITE_ERR;
        }
        field_operation *op = &request->ops[request->count];
        memset(op, 0, sizeof *op);
        op->opcode = opcode;
        op->overflow = overflow;
        if (parse_field_type_or_reply(ctx, argv[index + 1], &op->is_signed, &op->bits) !=
                DBLITE_OK ||
            string_bit_offset_or_reply(ctx, argv[index + 2], op->bits, &op->offset) != DBLITE_OK)
            return DBLITE_ERR;
        if (opcode != FIELD_GET) {
            request->writes = 1;
            uint64_t last_bit = op->offset + (uint64_t)op->bits - 1;
            if (last_bit > request->highest_bit)
                request->highest_bit = last_bit;
            if (dblite_parse_long_long(argv[index + 3], &op->argument) != DBLITE_OK) {
                dblite_reply_not_integer(ctx);
                return DBLITE_ERR;
            }
        }
        request->count++;
        index += opcode == FIELD_GET ? 2 : 3;
    }
    return DBLITE_OK;
}

/* ---- the commands ---- */

static void reply_reads(dblite_ctx *ctx, const field_request *request, const void *value)
{
    char scratch[STRING_VALUE_SCRATCH_SIZE];
    dblite_bytes bytes = {"", 0};
    if (value != NULL)
        bytes = string_value_bytes(value, scratch);
    dblite_reply_array(ctx, request->count);
    for (int index = 0; index < request->count; index++)
        run_get(ctx, (const unsigned char *)bytes.ptr, bytes.len, &request->ops[index]);
}

static void run_writes(dblite_ctx *ctx, dblite_bytes key, const field_request *request)
{
    void **slot;
    if (dblite_key_lookup_slot_or_reply(ctx, key, string_type(ctx), DBLITE_LOOKUP_WRITE, &slot) !=
        DBLITE_OK)
        return;
    size_t old_length = slot != NULL ? string_value_length(*slot) : 0;
    size_t needed = (size_t)(request->highest_bit >> 3) + 1;
    char *out;
    void *value = string_value_make_writable(slot != NULL ? *slot : NULL, needed, &out);
    if (value == NULL) {
        string_reply_out_of_memory(ctx);
        return;
    }
    size_t length = needed > old_length ? needed : old_length;
    int grew = slot == NULL || needed > old_length;
    if (slot != NULL)
        *slot = value;
    else if (string_store_or_reply(ctx, key, value, DBLITE_SET_DEFAULT) != DBLITE_OK)
        return;
    /* The value is in the keyspace now; its bytes are written in place. */
    unsigned char *bytes = (unsigned char *)out;
    int changes = 0;
    dblite_reply_array(ctx, request->count);
    for (int index = 0; index < request->count; index++) {
        const field_operation *op = &request->ops[index];
        if (op->opcode == FIELD_GET) {
            run_get(ctx, bytes, length, op);
            continue;
        }
        /* A write into a grown string counts even when it stores the
         * value already there; a failed one never does. */
        int outcome = run_write(ctx, bytes, length, op);
        if (outcome == WRITE_CHANGED || (outcome == WRITE_SAME && grew))
            changes++;
    }
    if (changes > 0) {
        dblite_key_modified(ctx, key);
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_STRING, "setbit", key);
    }
}

/* The shared body: read_only is BITFIELD_RO, which refuses writes. */
static void bitfield(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int read_only)
{
    /* Each operation takes at least two arguments after the key. */
    field_request request = {0};
    request.ops = dblite_alloc(sizeof *request.ops * (size_t)(argc / 2 + 1));
    if (request.ops == NULL) {
        string_reply_out_of_memory(ctx);
        return;
    }
    if (parse_request_or_reply(ctx, argc, argv, &request) != DBLITE_OK) {
        dblite_free(request.ops);
        return;
    }
    if (!request.writes) {
        void *value;
        if (dblite_key_lookup_or_reply(ctx, argv[1], string_type(ctx), DBLITE_LOOKUP_READ,
                                       &value) == DBLITE_OK)
            reply_reads(ctx, &request, value);
    } else if (read_only) {
        dblite_reply_error(ctx, "ERR BITFIELD_RO only supports the GET subcommand");
    } else {
        run_writes(ctx, argv[1], &request);
    }
    dblite_free(request.ops);
}

void strings_bitfield_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    bitfield(ctx, argc, argv, 0);
}

void strings_bitfield_ro_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    bitfield(ctx, argc, argv, 1);
}
