/*
 * rdb_reader.c - see rdb_reader.h.
 */
#include "rdb_reader.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dblite_module.h"
#include "lzf.h"
#include "rdb_format.h"
#include "score_text.h"

/* LZF expands at most about 90 times (3 input bytes for a 264-byte back
 * reference); a claimed size beyond that is corruption, and refusing it
 * keeps a damaged header from asking for gigabytes. */
#define LZF_MAX_EXPANSION 100

void scratch_buffer_release(scratch_buffer *scratch)
{
    dblite_free(scratch->data);
    scratch->data = NULL;
    scratch->capacity = 0;
}

unsigned char *scratch_buffer_reserve(scratch_buffer *scratch, size_t size)
{
    if (size <= scratch->capacity && scratch->data != NULL)
        return scratch->data;
    size_t capacity = scratch->capacity ? scratch->capacity : 64;
    while (capacity < size) {
        if (capacity > SIZE_MAX / 2)
            return NULL;
        capacity *= 2;
    }
    unsigned char *grown = dblite_realloc(scratch->data, capacity);
    if (grown == NULL)
        return NULL;
    scratch->data = grown;
    scratch->capacity = capacity;
    return grown;
}

void rdb_reader_init(rdb_reader *reader, const void *data, size_t length)
{
    memset(reader, 0, sizeof(*reader));
    reader->data = data;
    reader->length = length;
}

int rdb_reader_fail(rdb_reader *reader, const char *format, ...)
{
    if (reader->failed)
        return -1;
    reader->failed = 1;
    char text[sizeof(reader->error) - 40];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof(text), format, args);
    va_end(args);
    snprintf(reader->error, sizeof(reader->error), "%s (at byte %zu)", text, reader->position);
    return -1;
}

static int need(rdb_reader *reader, size_t count)
{
    if (reader->failed)
        return -1;
    if (count > reader->length - reader->position) {
        reader->truncated = 1;
        return rdb_reader_fail(reader, "unexpected end of data (needed %zu more bytes, %zu left)",
                               count, reader->length - reader->position);
    }
    return 0;
}

int rdb_read_byte(rdb_reader *reader, unsigned char *byte)
{
    if (need(reader, 1) != 0)
        return -1;
    *byte = reader->data[reader->position++];
    return 0;
}

int rdb_read_view(rdb_reader *reader, size_t count, const unsigned char **bytes)
{
    if (need(reader, count) != 0)
        return -1;
    *bytes = reader->data + reader->position;
    reader->position += count;
    return 0;
}

static uint64_t little_endian(const unsigned char *bytes, int count)
{
    uint64_t value = 0;
    for (int i = count - 1; i >= 0; i--)
        value = (value << 8) | bytes[i];
    return value;
}

static uint64_t big_endian(const unsigned char *bytes, int count)
{
    uint64_t value = 0;
    for (int i = 0; i < count; i++)
        value = (value << 8) | bytes[i];
    return value;
}

int rdb_read_u32_le(rdb_reader *reader, uint32_t *value)
{
    const unsigned char *bytes;
    if (rdb_read_view(reader, 4, &bytes) != 0)
        return -1;
    *value = (uint32_t)little_endian(bytes, 4);
    return 0;
}

int rdb_read_u64_le(rdb_reader *reader, uint64_t *value)
{
    const unsigned char *bytes;
    if (rdb_read_view(reader, 8, &bytes) != 0)
        return -1;
    *value = little_endian(bytes, 8);
    return 0;
}

int rdb_read_binary_double(rdb_reader *reader, double *value)
{
    uint64_t bits;
    if (rdb_read_u64_le(reader, &bits) != 0)
        return -1;
    memcpy(value, &bits, sizeof(*value));
    return 0;
}

int rdb_read_text_double(rdb_reader *reader, double *value)
{
    unsigned char length;
    const unsigned char *text;
    if (rdb_read_byte(reader, &length) != 0)
        return -1;
    switch (length) {
        case RDB_TEXT_DOUBLE_NAN:
            *value = NAN;
            return 0;
        case RDB_TEXT_DOUBLE_POSITIVE_INFINITY:
            *value = INFINITY;
            return 0;
        case RDB_TEXT_DOUBLE_NEGATIVE_INFINITY:
            *value = -INFINITY;
            return 0;
        default:
            break;
    }
    if (rdb_read_view(reader, length, &text) != 0)
        return -1;
    if (score_text_parse((const char *)text, length, value) != 0)
        return rdb_reader_fail(reader, "a sorted set score is not a number: '%.*s'", (int)length,
                               (const char *)text);
    return 0;
}

/* The length header: *encoded set when it announces a special string
 * encoding, whose number is then in *length. */
static int read_length_header(rdb_reader *reader, uint64_t *length, int *encoded)
{
    unsigned char first;
    if (rdb_read_byte(reader, &first) != 0)
        return -1;
    *encoded = 0;
    const unsigned char *rest;
    switch (first >> 6) {
        case RDB_LENGTH_6BIT:
            *length = first & 0x3f;
            return 0;
        case RDB_LENGTH_14BIT:
            if (rdb_read_view(reader, 1, &rest) != 0)
                return -1;
            *length = ((uint64_t)(first & 0x3f) << 8) | rest[0];
            return 0;
        case RDB_LENGTH_ENCODED:
            *encoded = 1;
            *length = first & 0x3f;
            return 0;
        default:
            if (first == RDB_LENGTH_32BIT) {
                if (rdb_read_view(reader, 4, &rest) != 0)
                    return -1;
                *length = big_endian(rest, 4);
                return 0;
            }
            if (first == RDB_LENGTH_64BIT) {
                if (rdb_read_view(reader, 8, &rest) != 0)
                    return -1;
                *length = big_endian(rest, 8);
                return 0;
            }
            return rdb_reader_fail(reader, "unknown length encoding 0x%02x", first);
    }
}

int rdb_read_length(rdb_reader *reader, uint64_t *length)
{
    int encoded;
    if (read_length_header(reader, length, &encoded) != 0)
        return -1;
    if (encoded)
        return rdb_reader_fail(reader, "expected a length, found an encoded string");
    return 0;
}

static int read_integer_string(rdb_reader *reader, int width, scratch_buffer *scratch,
                               rdb_string *string)
{
    const unsigned char *bytes;
    if (rdb_read_view(reader, (size_t)width, &bytes) != 0)
        return -1;
    uint64_t raw = little_endian(bytes, width);
    int64_t value;
    if (width == 1)
        value = (int8_t)raw;
    else if (width == 2)
        value = (int16_t)raw;
    else
        value = (int32_t)raw;
    unsigned char *text = scratch_buffer_reserve(scratch, 24);
    if (text == NULL)
        return rdb_reader_fail(reader, "out of memory");
    string->length = (size_t)snprintf((char *)text, 24, "%lld", (long long)value);
    string->ptr = text;
    return 0;
}

static int read_lzf_string(rdb_reader *reader, scratch_buffer *scratch, rdb_string *string)
{
    uint64_t compressed_length, length;
    const unsigned char *compressed;
    if (rdb_read_length(reader, &compressed_length) != 0 || rdb_read_length(reader, &length) != 0)
        return -1;
    if (compressed_length > reader->length - reader->position)
        return need(reader, compressed_length);
    if (length / LZF_MAX_EXPANSION > compressed_length)
        return rdb_reader_fail(reader, "LZF string claims %llu bytes from %llu compressed bytes",
                               (unsigned long long)length, (unsigned long long)compressed_length);
    if (rdb_read_view(reader, compressed_length, &compressed) != 0)
        return -1;
    unsigned char *output = scratch_buffer_reserve(scratch, length ? length : 1);
    if (output == NULL)
        return rdb_reader_fail(reader, "out of memory expanding an LZF string of %llu bytes",
                               (unsigned long long)length);
    if (lzf_decompress(compressed, compressed_length, output, length) != 0)
        return rdb_reader_fail(reader, "corrupt LZF-compressed string");
    string->ptr = output;
    string->length = length;
    return 0;
}

int rdb_read_string(rdb_reader *reader, scratch_buffer *scratch, rdb_string *string)
{
    uint64_t length;
    int encoded;
    if (read_length_header(reader, &length, &encoded) != 0)
        return -1;
    if (!encoded) {
        if (need(reader, length) != 0)
            return -1;
        string->ptr = reader->data + reader->position;
        string->length = length;
        reader->position += length;
        return 0;
    }
    switch (length) {
        case RDB_ENCODING_INT8:
            return read_integer_string(reader, 1, scratch, string);
        case RDB_ENCODING_INT16:
            return read_integer_string(reader, 2, scratch, string);
        case RDB_ENCODING_INT32:
            return read_integer_string(reader, 4, scratch, string);
        case RDB_ENCODING_LZF:
            return read_lzf_string(reader, scratch, string);
        default:
            return rdb_reader_fail(reader, "unknown string encoding %llu",
                                   (unsigned long long)length);
    }
}

int rdb_read_string_copy(rdb_reader *reader, char **ptr, size_t *length)
{
    scratch_buffer scratch = {0};
    rdb_string string;
    if (rdb_read_string(reader, &scratch, &string) != 0) {
        scratch_buffer_release(&scratch);
        return -1;
    }
    /* A string expanded into the scratch buffer is handed over, cut to its
     * length: the scratch grows by doubling, and a value's memory must not
     * depend on whether the file compressed it (types report their size). */
    if (scratch.data != NULL && string.ptr == scratch.data) {
        if (scratch.capacity > string.length) {
            unsigned char *exact = dblite_realloc(scratch.data, string.length ? string.length : 1);
            if (exact != NULL)
                scratch.data = exact;
        }
        *ptr = (char *)scratch.data;
        *length = string.length;
        return 0;
    }
    char *copy = dblite_alloc(string.length ? string.length : 1);
    if (copy == NULL)
        return rdb_reader_fail(reader, "out of memory for a string of %zu bytes", string.length);
    memcpy(copy, string.ptr, string.length);
    *ptr = copy;
    *length = string.length;
    return 0;
}

int rdb_skip_string(rdb_reader *reader)
{
    scratch_buffer scratch = {0};
    rdb_string string;
    int status = rdb_read_string(reader, &scratch, &string);
    scratch_buffer_release(&scratch);
    return status;
}
