/*
 * bloom_type.c - the methods of "bloom" values.
 *
 * Snapshots store a filter as Redis stores module types: under the type's
 * 9-character snapshot name and encoding version, field by field through
 * dblite_io_write_*.  The encoding version says which layout a value was
 * saved with, and load keeps reading every older one:
 *
 *   version 0  one fixed-size filter: capacity, items, hash functions,
 *              error rate, bits.  (The first layout; it loads as a
 *              non-scaling filter.)
 *   version 1  expansion (0 = non-scaling), error rate, sub-filter count,
 *              then per sub-filter the version-0 fields.  (Current.)
 *
 * Log compaction rebuilds a filter bit for bit with BF.LOADCHUNK, header
 * first, then its non-zero chunks: replaying the items is impossible (a
 * filter does not keep them) and would not give the same bits anyway once
 * a filter has scaled.
 */
#include "bloom_type.h"

#include <stdio.h>

#include "bloom_commands.h"
#include "bloom_dump.h"
#include "bloom_filter.h"

/* Nine characters, as snapshot type names must be; deliberately not
 * RedisBloom's "MBbloom--", whose payload is laid out differently. */
#define BLOOM_SNAPSHOT_NAME "dbl-bloom"
#define BLOOM_ENCODING_VERSION 1
#define BLOOM_ENCODING_FIXED_SIZE 0
/* Not one of Redis's native encodings: saved as a module type. */
#define BLOOM_NOT_NATIVE (-1)

static void bloom_free_method(void *value)
{
    bloom_filter_free(value);
}

static size_t bloom_memory_usage_method(const void *value)
{
    return bloom_filter_memory(value);
}

static void *bloom_copy_method(const void *value)
{
    return bloom_filter_copy(value);
}

static int save_subfilter(dblite_io *io, const bloom_subfilter *subfilter)
{
    const bloom_shape *shape = &subfilter->shape;
    int status = dblite_io_write_unsigned(io, shape->capacity);
    if (status == DBLITE_OK)
        status = dblite_io_write_unsigned(io, shape->items);
    if (status == DBLITE_OK)
        status = dblite_io_write_unsigned(io, shape->hash_count);
    if (status == DBLITE_OK)
        status = dblite_io_write_double(io, shape->error_rate);
    if (status == DBLITE_OK)
        status = dblite_io_write_string(io, (const char *)subfilter->bits,
                                        (size_t)(shape->bit_count / 8));
    return status;
}

static int bloom_save_method(dblite_io *io, const void *value)
{
    const bloom_filter *filter = value;
    int status = dblite_io_write_unsigned(io, filter->expansion);
    if (status == DBLITE_OK)
        status = dblite_io_write_double(io, filter->error_rate);
    if (status == DBLITE_OK)
        status = dblite_io_write_unsigned(io, filter->count);
    for (uint32_t index = 0; status == DBLITE_OK && index < filter->count; index++)
        status = save_subfilter(io, &filter->subfilters[index]);
    return status;
}

/* Reads one sub-filter's fields (the version-0 layout) and appends it.
 * Returns NULL when it went well, else the reason. */
static const char *load_subfilter(dblite_io *io, bloom_filter *filter)
{
    uint64_t capacity, items, hash_count;
    double error_rate;
    char *bits = NULL;
    size_t length = 0;
    if (dblite_io_read_unsigned(io, &capacity) != DBLITE_OK ||
        dblite_io_read_unsigned(io, &items) != DBLITE_OK ||
        dblite_io_read_unsigned(io, &hash_count) != DBLITE_OK ||
        dblite_io_read_double(io, &error_rate) != DBLITE_OK ||
        dblite_io_read_string(io, &bits, &length) != DBLITE_OK)
        return "bloom: truncated sub-filter";
    bloom_shape shape = {
        .capacity = capacity,
        .items = items,
        .bit_count = (uint64_t)length * 8,
        .hash_count = hash_count <= BLOOM_MAX_HASHES ? (uint32_t)hash_count : 0,
        .error_rate = error_rate,
    };
    if (bloom_shape_check(&shape) != BLOOM_OK) {
        dblite_free(bits);
        return "bloom: sub-filter out of limits";
    }
    int status = bloom_filter_append(filter, &shape, (unsigned char *)bits);
    if (status != BLOOM_OK)
        return status == BLOOM_ERR_NOMEM ? "bloom: out of memory loading a filter"
                                         : "bloom: too many sub-filters";
    return NULL;
}

/* Version 1: the filter's own fields, then its sub-filters. */
static const char *load_scalable(dblite_io *io, bloom_filter **loaded)
{
    uint64_t expansion, count;
    double error_rate;
    if (dblite_io_read_unsigned(io, &expansion) != DBLITE_OK ||
        dblite_io_read_double(io, &error_rate) != DBLITE_OK ||
        dblite_io_read_unsigned(io, &count) != DBLITE_OK)
        return "bloom: truncated filter";
    if (expansion > BLOOM_MAX_EXPANSION || !(error_rate > 0.0 && error_rate < 1.0) || count < 1 ||
        count > BLOOM_MAX_SUBFILTERS || (expansion == BLOOM_NON_SCALING && count != 1))
        return "bloom: filter out of limits";
    bloom_filter *filter = bloom_filter_create_empty(error_rate, (uint32_t)expansion);
    if (filter == NULL)
        return "bloom: out of memory loading a filter";
    for (uint64_t index = 0; index < count; index++) {
        const char *why = load_subfilter(io, filter);
        if (why != NULL) {
            bloom_filter_free(filter);
            return why;
        }
    }
    *loaded = filter;
    return NULL;
}

/* Version 0: a single fixed-size filter. */
static const char *load_fixed_size(dblite_io *io, bloom_filter **loaded)
{
    bloom_filter *filter = bloom_filter_create_empty(0.5, BLOOM_NON_SCALING);
    if (filter == NULL)
        return "bloom: out of memory loading a filter";
    const char *why = load_subfilter(io, filter);
    if (why != NULL) {
        bloom_filter_free(filter);
        return why;
    }
    filter->error_rate = filter->subfilters[0].shape.error_rate;
    *loaded = filter;
    return NULL;
}

static void *bloom_load_method(dblite_io *io, int encoding_version)
{
    bloom_filter *filter = NULL;
    const char *why;
    if (encoding_version == BLOOM_ENCODING_VERSION)
        why = load_scalable(io, &filter);
    else if (encoding_version == BLOOM_ENCODING_FIXED_SIZE)
        why = load_fixed_size(io, &filter);
    else
        why = "bloom: the value was saved by a newer version of the plugin";
    if (why != NULL) {
        dblite_io_fail(io, why);
        return NULL;
    }
    return filter;
}

static int emit_load_chunk(dblite_rewriter *rewriter, dblite_bytes key, long long iterator,
                           const unsigned char *data, size_t length)
{
    char iterator_text[24];
    int text_length = snprintf(iterator_text, sizeof(iterator_text), "%lld", iterator);
    dblite_bytes command[4] = {
        {BLOOM_LOADCHUNK_COMMAND_NAME, sizeof(BLOOM_LOADCHUNK_COMMAND_NAME) - 1},
        key,
        {iterator_text, (size_t)text_length},
        {(const char *)data, length},
    };
    return dblite_rewriter_emit(rewriter, 4, command);
}

static int bloom_rewrite_method(dblite_rewriter *rewriter, dblite_bytes key, const void *value)
{
    const bloom_filter *filter = value;
    unsigned char header[BLOOM_DUMP_MAX_HEADER_BYTES];
    bloom_dump_header_write(filter, header);
    int status = emit_load_chunk(rewriter, key, BLOOM_DUMP_HEADER_ITERATOR, header,
                                 bloom_dump_header_size(filter));
    long long iterator = BLOOM_DUMP_HEADER_ITERATOR;
    const unsigned char *data;
    size_t length;
    while (status == DBLITE_OK &&
           bloom_dump_next_chunk(filter, iterator, &data, &length, &iterator))
        status = emit_load_chunk(rewriter, key, iterator, data, length);
    return status;
}

static const dblite_type_methods bloom_methods = {
    .api_version = DBLITE_API_VERSION,
    .free = bloom_free_method,
    .memory_usage = bloom_memory_usage_method,
    .copy = bloom_copy_method,
    .save = bloom_save_method,
    .load = bloom_load_method,
    .rewrite = bloom_rewrite_method,
};

const dblite_type *bloom_type_register(dblite_module *module)
{
    /* dblite_type_register explains a refusal with dblite_module_fail. */
    return dblite_type_register(module, BLOOM_TYPE_NAME, BLOOM_SNAPSHOT_NAME,
                                BLOOM_ENCODING_VERSION, BLOOM_NOT_NATIVE, &bloom_methods);
}
