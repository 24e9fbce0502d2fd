/*
 * strings_commands_bitop.c - BITOP AND|OR|XOR|NOT destkey key [key ...]:
 * a bitwise operation over string keys, stored as a new string.
 *
 * Missing keys read as empty strings and shorter strings as padded with
 * zero bytes, so the result is as long as the longest source; an empty
 * result deletes the destination instead, as Redis does (event "del"),
 * and a stored one overwrites whatever the destination held (event
 * "set").  The result is built in a fresh value of exactly its length
 * (string_value_make_writable) and each source is read once, so the cost
 * is one pass over the inputs, whatever their size.
 */
#include <stdint.h>
#include <string.h>

#include "string_access.h"
#include "string_value.h"
#include "strings.h"

typedef enum bit_operation { BIT_AND, BIT_OR, BIT_XOR, BIT_NOT } bit_operation;

/* One source key's bytes, with the scratch its inline form is spelled in. */
typedef struct bitop_source {
    dblite_bytes bytes;
    char scratch[STRING_VALUE_SCRATCH_SIZE];
} bitop_source;

static int parse_operation(dblite_bytes name, bit_operation *operation)
{
    static const struct {
        const char *name;
        bit_operation operation;
    } names[] = {{"and", BIT_AND}, {"or", BIT_OR}, {"xor", BIT_XOR}, {"not", BIT_NOT}};
    for (size_t index = 0; index < DBLITE_ARRAY_LENGTH(names); index++) {
        if (dblite_bytes_equal_nocase(name, names[index].name)) {
            *operation = names[index].operation;
            return DBLITE_OK;
        }
    }
    return DBLITE_ERR_INVALID;
}

/* out[0..length) op= in[0..length), a 64-bit word at a time (loads and
 * stores through memcpy, so no alignment is assumed). */
static void combine(bit_operation operation, unsigned char *out, const unsigned char *in,
                    size_t length)
{
    size_t index = 0;
    for (; index + sizeof(uint64_t) <= length; index += sizeof(uint64_t)) {
        uint64_t word, other;
        memcpy(&word, out + index, sizeof word);
        memcpy(&other, in + index, sizeof other);
        if (operation == BIT_AND)
            word &= other;
        else if (operation == BIT_OR)
            word |= other;
        else
            word ^= other;
        memcpy(out + index, &word, sizeof word);
    }
    for (; index < length; index++) {
        if (operation == BIT_AND)
            out[index] &= in[index];
        else if (operation == BIT_OR)
            out[index] |= in[index];
        else
            out[index] ^= in[index];
    }
}

static void invert(unsigned char *out, const unsigned char *in, size_t length)
{
    size_t index = 0;
    for (; index + sizeof(uint64_t) <= length; index += sizeof(uint64_t)) {
        uint64_t word;
        memcpy(&word, in + index, sizeof word);
        word = ~word;
        memcpy(out + index, &word, sizeof word);
    }
    for (; index < length; index++)
        out[index] = (unsigned char)~in[index];
}

/* Writes the operation over sources into out, which holds length bytes
 * (the longest source's length), all zero on entry. */
static void compute(bit_operation operation, const bitop_source *sources, int count,
                    unsigned char *out, size_t length)
{
    const unsigned char *first = (const unsigned char *)sources[0].bytes.ptr;
    size_t first_length = sources[0].bytes.len;
    if (operation == BIT_NOT) {
        invert(out, first, length);
        return;
    }
    /* AND: past the shortest source every byte is 0, as out already is. */
    size_t covered = first_length;
    if (operation == BIT_AND)
        for (int source = 1; source < count; source++)
            if (sources[source].bytes.len < covered)
                covered = sources[source].bytes.len;
    if (covered > 0)
        memcpy(out, first, covered);
    for (int source = 1; source < count; source++) {
        size_t in_length = operation == BIT_AND ? covered : sources[source].bytes.len;
        combine(operation, out, (const unsigned char *)sources[source].bytes.ptr, in_length);
    }
}

/* Reads every source (argv[3..]) into sources; DBLITE_OK with the longest
 * length in *longest, or DBLITE_ERR after replying WRONGTYPE. */
static int read_sources(dblite_ctx *ctx, int argc, const dblite_bytes *argv, bitop_source *sources,
                        size_t *longest)
{
    const dblite_type *type = string_type(ctx);
    *longest = 0;
    for (int index = 3; index < argc; index++) {
        bitop_source *source = &sources[index - 3];
        void *value;
        if (dblite_key_lookup_or_reply(ctx, argv[index], type, DBLITE_LOOKUP_READ, &value) !=
            DBLITE_OK)
            return DBLITE_ERR;
        source->bytes.ptr = "";
        source->bytes.len = 0;
        if (value != NULL)
            source->bytes = string_value_bytes(value, source->scratch);
        if (source->bytes.len > *longest)
            *longest = source->bytes.len;
    }
    return DBLITE_OK;
}

void strings_bitop_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    bit_operation operation;
    if (parse_operation(argv[1], &operation) != DBLITE_OK) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    if (operation == BIT_NOT && argc != 4) {
        dblite_reply_error(ctx, "ERR BITOP NOT must be called with a single source key.");
        return;
    }
    int count = argc - 3;
    bitop_source *sources = dblite_alloc(sizeof *sources * (size_t)count);
    if (sources == NULL) {
        string_reply_out_of_memory(ctx);
        return;
    }
    size_t longest;
    if (read_sources(ctx, argc, argv, sources, &longest) != DBLITE_OK) {
        dblite_free(sources);
        return;
    }
    dblite_bytes target = argv[2];
    if (longest == 0) {
        dblite_free(sources);
        if (dblite_key_delete(ctx, target))
            dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "del", target);
        dblite_reply_integer(ctx, 0);
        return;
    }
    char *out;
    void *result = string_value_make_writable(NULL, longest, &out);
    if (result == NULL) {
        dblite_free(sources);
        string_reply_out_of_memory(ctx);
        return;
    }
    compute(operation, sources, count, (unsigned char *)out, longest);
    dblite_free(sources);
    if (string_store_or_reply(ctx, target, result, DBLITE_SET_DEFAULT) != DBLITE_OK)
        return;
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_STRING, "set", target);
    dblite_reply_integer(ctx, (long long)longest);
}
