/*
 * listpack_encode.c - see listpack_encode.h.  The encodings mirror
 * listpack.c's lpEncodeIntegerGetType, lpEncodeString and lpEncodeBacklen.
 */
#include "listpack_encode.h"

#include <stdint.h>
#include <string.h>

#include "dblite_module.h"

#define LISTPACK_HEADER_SIZE 6
#define LISTPACK_END 0xFF
#define LISTPACK_COUNT_UNKNOWN 0xFFFF

int listpack_builder_start(listpack_builder *builder)
{
    builder->bytes.used = 0;
    builder->count = 0;
    builder->failed = 0;
    static const unsigned char header[LISTPACK_HEADER_SIZE] = {0};
    if (byte_buffer_append(&builder->bytes, header, sizeof(header)) != 0) {
        builder->failed = 1;
        return -1;
    }
    return 0;
}

void listpack_builder_release(listpack_builder *builder)
{
    byte_buffer_release(&builder->bytes);
    builder->count = 0;
}

/* The backlen of an entry of length bytes (encoding and data) into out,
 * most significant 7 bits first, every byte but the first flagged 0x80.
 * Returns its size. */
static size_t encode_backlen(unsigned char *out, uint64_t length)
{
    size_t size;
    if (length <= 127)
        size = 1;
    else if (length < 16383)
        size = 2;
    else if (length < 2097151)
        size = 3;
    else if (length < 268435455)
        size = 4;
    else
        size = 5;
    for (size_t i = 0; i < size; i++) {
        unsigned char bits = (unsigned char)((length >> (7 * (size - 1 - i))) & 127);
        out[i] = i == 0 ? bits : (unsigned char)(bits | 128);
    }
    return size;
}

/* The integer encoding of value into out; returns its size. */
static size_t encode_integer(unsigned char *out, int64_t value)
{
    uint64_t bits = (uint64_t)value;
    size_t width;
    if (value >= 0 && value <= 127) {
        out[0] = (unsigned char)value;
        return 1;
    }
    if (value >= -4096 && value <= 4095) {
        bits &= 0x1fff;
        out[0] = (unsigned char)(0xC0 | (bits >> 8));
        out[1] = (unsigned char)(bits & 0xff);
        return 2;
    }
    if (value >= INT16_MIN && value <= INT16_MAX) {
        out[0] = 0xF1;
        width = 2;
    } else if (value >= -8388608 && value <= 8388607) {
        out[0] = 0xF2;
        width = 3;
    } else if (value >= INT32_MIN && value <= INT32_MAX) {
        out[0] = 0xF3;
        width = 4;
    } else {
        out[0] = 0xF4;
        width = 8;
    }
    for (size_t i = 0; i < width; i++)
        out[1 + i] = (unsigned char)(bits >> (8 * i));
    return 1 + width;
}

/* The string header of a string of length bytes into out; its size. */
static size_t encode_string_header(unsigned char *out, size_t length)
{
    if (length < 64) {
        out[0] = (unsigned char)(0x80 | length);
        return 1;
    }
    if (length < 4096) {
        out[0] = (unsigned char)(0xE0 | (length >> 8));
        out[1] = (unsigned char)(length & 0xff);
        return 2;
    }
    out[0] = 0xF0;
    for (int i = 0; i < 4; i++)
        out[1 + i] = (unsigned char)(length >> (8 * i));
    return 5;
}

int listpack_builder_append(listpack_builder *builder, const char *ptr, size_t length)
{
    if (builder->failed)
        return -1;
    unsigned char head[16];
    size_t head_size;
    long long integer;
    int is_integer = dblite_parse_long_long((dblite_bytes){ptr, length}, &integer) == DBLITE_OK;
    if (is_integer) {
        head_size = encode_integer(head, integer);
    } else {
        if (length > UINT32_MAX) {
            builder->failed = 1;
            return -1;
        }
        head_size = encode_string_header(head, length);
    }
    size_t data_size = is_integer ? 0 : length;
    unsigned char backlen[5];
    size_t backlen_size = encode_backlen(backlen, head_size + data_size);
    size_t entry_size = head_size + data_size + backlen_size;
    if (byte_buffer_reserve(&builder->bytes, entry_size) != 0) {
        builder->failed = 1;
        return -1;
    }
    unsigned char *out = (unsigned char *)builder->bytes.data + builder->bytes.used;
    memcpy(out, head, head_size);
    if (data_size)
        memcpy(out + head_size, ptr, data_size);
    memcpy(out + head_size + data_size, backlen, backlen_size);
    builder->bytes.used += entry_size;
    builder->count++;
    return 0;
}

int listpack_builder_finish(listpack_builder *builder, const unsigned char **blob, size_t *length)
{
    unsigned char end = LISTPACK_END;
    if (builder->failed || byte_buffer_append(&builder->bytes, &end, 1) != 0 ||
        builder->bytes.used > UINT32_MAX) {
        builder->failed = 1;
        return -1;
    }
    unsigned char *data = (unsigned char *)builder->bytes.data;
    size_t total = builder->bytes.used;
    size_t count =
        builder->count < LISTPACK_COUNT_UNKNOWN ? builder->count : LISTPACK_COUNT_UNKNOWN;
    for (int i = 0; i < 4; i++)
        data[i] = (unsigned char)(total >> (8 * i));
    data[4] = (unsigned char)(count & 0xff);
    data[5] = (unsigned char)(count >> 8);
    *blob = data;
    *length = total;
    return 0;
}
