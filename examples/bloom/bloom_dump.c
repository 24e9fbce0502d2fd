/*
 * bloom_dump.c - header and chunk encoding of BF.SCANDUMP / BF.LOADCHUNK
 * (see bloom_dump.h).
 *
 * Header, all integers little-endian, doubles as their IEEE-754 bits:
 *
 *     "DBLBLOOM"  format version (1 byte)  reserved, 0 (1 byte)
 *     expansion (u32, 0 = non-scaling)  error rate (f64)  sub-filters (u32)
 *     per sub-filter: capacity (u64)  items (u64)  bits (u64)
 *                     hash functions (u32)  error rate (f64)
 *
 * BF.LOADCHUNK takes whatever a client sends, so everything read is checked
 * against the limits a filter made by this code respects.
 */
#include "bloom_dump.h"

#include <string.h>

#define MAGIC "DBLBLOOM"
#define MAGIC_LENGTH 8
#define FORMAT_VERSION 1
#define FIXED_BYTES (MAGIC_LENGTH + 1 + 1 + 4 + 8 + 4)
#define PER_SUBFILTER_BYTES (8 + 8 + 8 + 4 + 8)

static unsigned char *put_u32(unsigned char *out, uint32_t value)
{
    for (int index = 0; index < 4; index++)
        out[index] = (unsigned char)(value >> (8 * index));
    return out + 4;
}

static unsigned char *put_u64(unsigned char *out, uint64_t value)
{
    for (int index = 0; index < 8; index++)
        out[index] = (unsigned char)(value >> (8 * index));
    return out + 8;
}

static unsigned char *put_double(unsigned char *out, double value)
{
    uint64_t bits;
    memcpy(&bits, &value, sizeof(bits));
    return put_u64(out, bits);
}

static uint32_t get_u32(const unsigned char **in)
{
    uint32_t value = 0;
    for (int index = 3; index >= 0; index--)
        value = (value << 8) | (*in)[index];
    *in += 4;
    return value;
}

static uint64_t get_u64(const unsigned char **in)
{
    uint64_t value = 0;
    for (int index = 7; index >= 0; index--)
        value = (value << 8) | (*in)[index];
    *in += 8;
    return value;
}

static double get_double(const unsigned char **in)
{
    uint64_t bits = get_u64(in);
    double value;
    memcpy(&value, &bits, sizeof(value));
    return value;
}

size_t bloom_dump_header_size(const bloom_filter *filter)
{
    return FIXED_BYTES + (size_t)filter->count * PER_SUBFILTER_BYTES;
}

void bloom_dump_header_write(const bloom_filter *filter, unsigned char *out)
{
    memcpy(out, MAGIC, MAGIC_LENGTH);
    out += MAGIC_LENGTH;
    *out++ = FORMAT_VERSION;
    *out++ = 0;
    out = put_u32(out, filter->expansion);
    out = put_double(out, filter->error_rate);
    out = put_u32(out, filter->count);
    for (uint32_t index = 0; index < filter->count; index++) {
        const bloom_shape *shape = &filter->subfilters[index].shape;
        out = put_u64(out, shape->capacity);
        out = put_u64(out, shape->items);
        out = put_u64(out, shape->bit_count);
        out = put_u32(out, shape->hash_count);
        out = put_double(out, shape->error_rate);
    }
}

int bloom_dump_header_read(const unsigned char *header, size_t length, bloom_filter **filter)
{
    if (length < FIXED_BYTES || memcmp(header, MAGIC, MAGIC_LENGTH) != 0 ||
        header[MAGIC_LENGTH] != FORMAT_VERSION || header[MAGIC_LENGTH + 1] != 0)
        return BLOOM_ERR_INVALID;
    const unsigned char *in = header + MAGIC_LENGTH + 2;
    uint32_t expansion = get_u32(&in);
    double error_rate = get_double(&in);
    uint32_t count = get_u32(&in);
    if (expansion > BLOOM_MAX_EXPANSION || !(error_rate > 0.0 && error_rate < 1.0) || count < 1 ||
        count > BLOOM_MAX_SUBFILTERS || (expansion == BLOOM_NON_SCALING && count != 1) ||
        length != FIXED_BYTES + (size_t)count * PER_SUBFILTER_BYTES)
        return BLOOM_ERR_INVALID;
    bloom_filter *loaded = bloom_filter_create_empty(error_rate, expansion);
    if (loaded == NULL)
        return BLOOM_ERR_NOMEM;
    for (uint32_t index = 0; index < count; index++) {
        bloom_shape shape;
        shape.capacity = get_u64(&in);
        shape.items = get_u64(&in);
        shape.bit_count = get_u64(&in);
        shape.hash_count = get_u32(&in);
        shape.error_rate = get_double(&in);
        int status = bloom_shape_check(&shape);
        if (status == BLOOM_OK)
            status = bloom_filter_append(loaded, &shape, NULL);
        if (status != BLOOM_OK) {
            bloom_filter_free(loaded);
            return status;
        }
    }
    *filter = loaded;
    return BLOOM_OK;
}

static int all_zero(const unsigned char *data, size_t length)
{
    size_t index = 0;
    for (; index + 8 <= length; index += 8) {
        uint64_t word;
        memcpy(&word, data + index, sizeof(word));
        if (word != 0)
            return 0;
    }
    for (; index < length; index++)
        if (data[index] != 0)
            return 0;
    return 1;
}

int bloom_dump_next_chunk(const bloom_filter *filter, long long iterator,
                          const unsigned char **data, size_t *length, long long *next)
{
    if (iterator < 1)
        return 0;
    uint64_t offset = (uint64_t)iterator - 1;
    uint64_t subfilter_start = 0;
    for (uint32_t index = 0; index < filter->count; index++) {
        const bloom_subfilter *subfilter = &filter->subfilters[index];
        uint64_t bytes = subfilter->shape.bit_count / 8;
        uint64_t subfilter_end = subfilter_start + bytes;
        while (offset >= subfilter_start && offset < subfilter_end) {
            uint64_t chunk_end = offset + BLOOM_DUMP_CHUNK_BYTES;
            if (chunk_end > subfilter_end)
                chunk_end = subfilter_end;
            const unsigned char *chunk = subfilter->bits + (offset - subfilter_start);
            size_t chunk_length = (size_t)(chunk_end - offset);
            if (!all_zero(chunk, chunk_length)) {
                *data = chunk;
                *length = chunk_length;
                *next = (long long)chunk_end + 1;
                return 1;
            }
            offset = chunk_end;
        }
        subfilter_start = subfilter_end;
    }
    return 0;
}

int bloom_dump_load_chunk(bloom_filter *filter, long long iterator, const unsigned char *data,
                          size_t length)
{
    if (iterator <= BLOOM_DUMP_HEADER_ITERATOR || length == 0 || (uint64_t)iterator - 1 < length)
        return BLOOM_ERR_INVALID;
    uint64_t end = (uint64_t)iterator - 1;
    uint64_t start = end - length;
    uint64_t subfilter_start = 0;
    for (uint32_t index = 0; index < filter->count; index++) {
        bloom_subfilter *subfilter = &filter->subfilters[index];
        uint64_t subfilter_end = subfilter_start + subfilter->shape.bit_count / 8;
        if (start >= subfilter_start && start < subfilter_end) {
            if (end > subfilter_end)
                return BLOOM_ERR_INVALID;
            memcpy(subfilter->bits + (start - subfilter_start), data, length);
            return BLOOM_OK;
        }
        subfilter_start = subfilter_end;
    }
    return BLOOM_ERR_INVALID;
}
