/*
 * rdb_encode.c - see rdb_encode.h.  Redis stores strings such as "12345"
 * as 2-5 byte integers; we do the same, but only for the canonical decimal
 * form, so loading gives back exactly the bytes that were saved.
 */
#include "rdb_encode.h"

#include <string.h>

#include "dblite_module.h"
#include "lzf.h"
#include "rdb_format.h"

/* Redis compresses strings longer than this, and keeps the result only
 * when it saves at least 4 bytes. */
#define COMPRESS_MIN_LENGTH 20
#define COMPRESS_MIN_GAIN 4

/* Writes ptr LZF-compressed when that gains: 1 written, 0 not worth it (or
 * no memory for the scratch space: stored plainly), -1 write error. */
static int encode_compressed(output_buffer *out, const char *ptr, size_t length)
{
    if (out->compress_table == NULL) {
        out->compress_table = dblite_alloc(sizeof(uint32_t) * LZF_TABLE_ENTRIES);
        if (out->compress_table == NULL)
            return 0;
        memset(out->compress_table, 0, sizeof(uint32_t) * LZF_TABLE_ENTRIES);
    }
    size_t limit = length - COMPRESS_MIN_GAIN;
    if (out->compress_capacity < limit) {
        unsigned char *grown = dblite_alloc(limit);
        if (grown == NULL)
            return 0;
        dblite_free(out->compress_output);
        out->compress_output = grown;
        out->compress_capacity = limit;
    }
    size_t compressed = lzf_compress((const unsigned char *)ptr, length, out->compress_output,
                                     limit, out->compress_table);
    if (compressed == 0)
        return 0;
    if (output_buffer_byte(out, (RDB_LENGTH_ENCODED << 6) | RDB_ENCODING_LZF) != 0 ||
        rdb_encode_length(out, compressed) != 0 || rdb_encode_length(out, length) != 0 ||
        output_buffer_write(out, out->compress_output, compressed) != 0)
        return -1;
    return 1;
}

int rdb_encode_length(output_buffer *out, uint64_t length)
{
    unsigned char bytes[9];
    size_t count;
    if (length < (1 << 6)) {
        bytes[0] = (unsigned char)length;
        count = 1;
    } else if (length < (1 << 14)) {
        bytes[0] = (unsigned char)((RDB_LENGTH_14BIT << 6) | (length >> 8));
        bytes[1] = (unsigned char)(length & 0xff);
        count = 2;
    } else if (length <= UINT32_MAX) {
        bytes[0] = RDB_LENGTH_32BIT;
        for (int i = 0; i < 4; i++)
            bytes[1 + i] = (unsigned char)(length >> (24 - 8 * i));
        count = 5;
    } else {
        bytes[0] = RDB_LENGTH_64BIT;
        for (int i = 0; i < 8; i++)
            bytes[1 + i] = (unsigned char)(length >> (56 - 8 * i));
        count = 9;
    }
    return output_buffer_write(out, bytes, count);
}

/* The value of ptr when it is the canonical decimal form of an integer that
 * fits 32 bits ("-5", "120"; not "007", "+1" or "-0"): string2ll's rules,
 * which dblite_parse_long_long follows. */
static int canonical_small_integer(const char *ptr, size_t length, int32_t *value)
{
    long long number;
    if (dblite_parse_long_long((dblite_bytes){ptr, length}, &number) != DBLITE_OK ||
        number < INT32_MIN || number > INT32_MAX)
        return 0;
    *value = (int32_t)number;
    return 1;
}

int rdb_encode_string(output_buffer *out, const char *ptr, size_t length)
{
    int32_t integer;
    if (canonical_small_integer(ptr, length, &integer)) {
        unsigned char bytes[5];
        uint32_t bits = (uint32_t)integer;
        size_t count;
        if (integer >= INT8_MIN && integer <= INT8_MAX) {
            bytes[0] = (RDB_LENGTH_ENCODED << 6) | RDB_ENCODING_INT8;
            count = 1;
        } else if (integer >= INT16_MIN && integer <= INT16_MAX) {
            bytes[0] = (RDB_LENGTH_ENCODED << 6) | RDB_ENCODING_INT16;
            count = 2;
        } else {
            bytes[0] = (RDB_LENGTH_ENCODED << 6) | RDB_ENCODING_INT32;
            count = 4;
        }
        for (size_t i = 0; i < count; i++)
            bytes[1 + i] = (unsigned char)(bits >> (8 * i));
        return output_buffer_write(out, bytes, 1 + count);
    }
    if (out->compress_strings && length > COMPRESS_MIN_LENGTH) {
        int status = encode_compressed(out, ptr, length);
        if (status != 0)
            return status > 0 ? 0 : -1;
    }
    /* Short strings (most keys) in one buffer append. */
    if (length < (1 << 6) && out->capacity - out->used > length && !out->failed) {
        out->data[out->used] = (unsigned char)length;
        memcpy(out->data + out->used + 1, ptr, length);
        out->used += length + 1;
        out->total_written += length + 1;
        return 0;
    }
    if (rdb_encode_length(out, length) != 0)
        return -1;
    return output_buffer_write(out, ptr, length);
}

int rdb_encode_u64_le(output_buffer *out, uint64_t value)
{
    unsigned char bytes[8];
    for (int i = 0; i < 8; i++)
        bytes[i] = (unsigned char)(value >> (8 * i));
    return output_buffer_write(out, bytes, 8);
}

int rdb_encode_double(output_buffer *out, double value)
{
    uint64_t bits;
    memcpy(&bits, &value, sizeof(bits));
    return rdb_encode_u64_le(out, bits);
}
