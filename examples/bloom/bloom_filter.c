/*
 * bloom_filter.c - the scalable Bloom filter (see bloom_filter.h).
 *
 * Sizing follows the textbook optimum: -ln(p) / ln(2)^2 bits and
 * -log2(p) hash functions per item for a false-positive rate p.  Bit
 * positions come from double hashing, first + i * second, mapped onto the
 * sub-filter's size with a multiply-shift instead of a modulo (same
 * uniformity, no division on the hot path).
 */
#include "bloom_filter.h"

#include <math.h>
#include <string.h>

#include "bloom_hash.h"
#include "dblite_module.h"

#define BITS_PER_WORD 64
#define INITIAL_SLOTS 1

double bloom_subfilter_error_rate(double error_rate, uint32_t expansion, uint32_t index)
{
    if (expansion == BLOOM_NON_SCALING)
        return error_rate;
    return ldexp(error_rate, -(int)index - 1);
}

static int error_rate_valid(double error_rate)
{
    /* Written so that NaN fails too. */
    return error_rate > 0.0 && error_rate < 1.0;
}

int bloom_shape_for(uint64_t capacity, double error_rate, bloom_shape *shape)
{
    if (capacity < 1 || capacity > BLOOM_MAX_CAPACITY || !error_rate_valid(error_rate))
        return BLOOM_ERR_INVALID;
    double hashes = ceil(-log2(error_rate));
    if (hashes < 1)
        hashes = 1;
    if (hashes > BLOOM_MAX_HASHES)
        return BLOOM_ERR_TOO_LARGE;
    double bits = ceil((double)capacity * -log(error_rate) / (M_LN2 * M_LN2));
    if (bits > (double)(BLOOM_MAX_SUBFILTER_BYTES * 8))
        return BLOOM_ERR_TOO_LARGE;
    uint64_t bit_count = (uint64_t)bits;
    bit_count = (bit_count + BITS_PER_WORD - 1) / BITS_PER_WORD * BITS_PER_WORD;
    if (bit_count == 0)
        bit_count = BITS_PER_WORD;
    shape->capacity = capacity;
    shape->items = 0;
    shape->bit_count = bit_count;
    shape->hash_count = (uint32_t)hashes;
    shape->error_rate = error_rate;
    return BLOOM_OK;
}

int bloom_shape_check(const bloom_shape *shape)
{
    if (shape->capacity < 1 || shape->capacity > BLOOM_MAX_CAPACITY ||
        shape->items > shape->capacity || shape->bit_count < BITS_PER_WORD ||
        shape->bit_count % BITS_PER_WORD != 0 || shape->bit_count > BLOOM_MAX_SUBFILTER_BYTES * 8 ||
        shape->hash_count < 1 || shape->hash_count > BLOOM_MAX_HASHES ||
        !error_rate_valid(shape->error_rate))
        return BLOOM_ERR_INVALID;
    return BLOOM_OK;
}

bloom_filter *bloom_filter_create_empty(double error_rate, uint32_t expansion)
{
    bloom_filter *filter = dblite_alloc(sizeof(*filter));
    if (filter == NULL)
        return NULL;
    filter->error_rate = error_rate;
    filter->expansion = expansion;
    filter->count = 0;
    filter->slots = 0;
    filter->subfilters = NULL;
    return filter;
}

int bloom_filter_append(bloom_filter *filter, const bloom_shape *shape, unsigned char *bits)
{
    if (filter->count >= BLOOM_MAX_SUBFILTERS) {
        dblite_free(bits);
        return BLOOM_ERR_TOO_LARGE;
    }
    if (filter->count == filter->slots) {
        uint32_t slots = filter->slots == 0 ? INITIAL_SLOTS : filter->slots * 2;
        bloom_subfilter *grown = dblite_realloc(filter->subfilters, sizeof(*grown) * (size_t)slots);
        if (grown == NULL) {
            dblite_free(bits);
            return BLOOM_ERR_NOMEM;
        }
        filter->subfilters = grown;
        filter->slots = slots;
    }
    size_t bytes = (size_t)(shape->bit_count / 8);
    if (bits == NULL) {
        bits = dblite_alloc(bytes);
        if (bits == NULL)
            return BLOOM_ERR_NOMEM;
        memset(bits, 0, bytes);
    }
    bloom_subfilter *added = &filter->subfilters[filter->count++];
    added->shape = *shape;
    added->bits = bits;
    return BLOOM_OK;
}

int bloom_filter_create(double error_rate, uint64_t capacity, uint32_t expansion,
                        bloom_filter **filter)
{
    if (expansion > BLOOM_MAX_EXPANSION)
        return BLOOM_ERR_INVALID;
    bloom_shape shape;
    int status =
        bloom_shape_for(capacity, bloom_subfilter_error_rate(error_rate, expansion, 0), &shape);
    if (status != BLOOM_OK)
        return status;
    bloom_filter *created = bloom_filter_create_empty(error_rate, expansion);
    if (created == NULL)
        return BLOOM_ERR_NOMEM;
    status = bloom_filter_append(created, &shape, NULL);
    if (status != BLOOM_OK) {
        bloom_filter_free(created);
        return status;
    }
    *filter = created;
    return BLOOM_OK;
}

void bloom_filter_free(bloom_filter *filter)
{
    if (filter == NULL)
        return;
    for (uint32_t index = 0; index < filter->count; index++)
        dblite_free(filter->subfilters[index].bits);
    dblite_free(filter->subfilters);
    dblite_free(filter);
}

bloom_filter *bloom_filter_copy(const bloom_filter *filter)
{
    bloom_filter *copy = bloom_filter_create_empty(filter->error_rate, filter->expansion);
    if (copy == NULL)
        return NULL;
    for (uint32_t index = 0; index < filter->count; index++) {
        const bloom_subfilter *source = &filter->subfilters[index];
        size_t bytes = (size_t)(source->shape.bit_count / 8);
        unsigned char *bits = dblite_alloc(bytes);
        if (bits == NULL || bloom_filter_append(copy, &source->shape, bits) != BLOOM_OK) {
            /* append adopted bits, also when it failed */
            bloom_filter_free(copy);
            return NULL;
        }
        memcpy(bits, source->bits, bytes);
    }
    return copy;
}

/* Bit i of an item in a sub-filter of bit_count bits: (x * n) >> 64 maps x
 * uniformly onto 0..n-1. */
static uint64_t bit_position(bloom_hash_pair hash, uint32_t index, uint64_t bit_count)
{
    uint64_t mixed = hash.first + (uint64_t)index * hash.second;
    return (uint64_t)(((unsigned __int128)mixed * bit_count) >> 64);
}

static int subfilter_contains(const bloom_subfilter *subfilter, bloom_hash_pair hash)
{
    for (uint32_t index = 0; index < subfilter->shape.hash_count; index++) {
        uint64_t bit = bit_position(hash, index, subfilter->shape.bit_count);
        if ((subfilter->bits[bit >> 3] & (1u << (bit & 7))) == 0)
            return 0;
    }
    return 1;
}

static void subfilter_insert(bloom_subfilter *subfilter, bloom_hash_pair hash)
{
    for (uint32_t index = 0; index < subfilter->shape.hash_count; index++) {
        uint64_t bit = bit_position(hash, index, subfilter->shape.bit_count);
        subfilter->bits[bit >> 3] |= (unsigned char)(1u << (bit & 7));
    }
    subfilter->shape.items++;
}

/* Adds the next sub-filter, expansion times the newest one. */
static int grow(bloom_filter *filter)
{
    if (filter->expansion == BLOOM_NON_SCALING)
        return BLOOM_ERR_FULL;
    const bloom_shape *newest = &filter->subfilters[filter->count - 1].shape;
    if (newest->capacity > BLOOM_MAX_CAPACITY / filter->expansion)
        return BLOOM_ERR_TOO_LARGE;
    if (filter->count >= BLOOM_MAX_SUBFILTERS)
        return BLOOM_ERR_TOO_LARGE;
    bloom_shape shape;
    double error_rate =
        bloom_subfilter_error_rate(filter->error_rate, filter->expansion, filter->count);
    int status = bloom_shape_for(newest->capacity * filter->expansion, error_rate, &shape);
    if (status != BLOOM_OK)
        return status == BLOOM_ERR_INVALID ? BLOOM_ERR_TOO_LARGE : status;
    return bloom_filter_append(filter, &shape, NULL);
}

int bloom_filter_add(bloom_filter *filter, const void *item, size_t length)
{
    bloom_hash_pair hash = bloom_hash(item, length);
    for (uint32_t index = 0; index < filter->count; index++)
        if (subfilter_contains(&filter->subfilters[index], hash))
            return 0;
    bloom_subfilter *newest = &filter->subfilters[filter->count - 1];
    if (newest->shape.items >= newest->shape.capacity) {
        int status = grow(filter);
        if (status != BLOOM_OK)
            return status;
        newest = &filter->subfilters[filter->count - 1];
    }
    subfilter_insert(newest, hash);
    return 1;
}

int bloom_filter_contains(const bloom_filter *filter, const void *item, size_t length)
{
    bloom_hash_pair hash = bloom_hash(item, length);
    /* Newest first: it is the largest, so the likeliest to hold the item. */
    for (uint32_t index = filter->count; index > 0; index--)
        if (subfilter_contains(&filter->subfilters[index - 1], hash))
            return 1;
    return 0;
}

uint64_t bloom_filter_capacity(const bloom_filter *filter)
{
    uint64_t total = 0;
    for (uint32_t index = 0; index < filter->count; index++)
        total += filter->subfilters[index].shape.capacity;
    return total;
}

uint64_t bloom_filter_items(const bloom_filter *filter)
{
    uint64_t total = 0;
    for (uint32_t index = 0; index < filter->count; index++)
        total += filter->subfilters[index].shape.items;
    return total;
}

size_t bloom_filter_memory(const bloom_filter *filter)
{
    size_t total = dblite_alloc_size(filter);
    if (filter->subfilters != NULL)
        total += dblite_alloc_size(filter->subfilters);
    for (uint32_t index = 0; index < filter->count; index++)
        total += dblite_alloc_size(filter->subfilters[index].bits);
    return total;
}

const char *bloom_status_message(int status)
{
    switch (status) {
        case BLOOM_ERR_NOMEM:
            return "out of memory";
        case BLOOM_ERR_FULL:
            return "non scaling filter is full";
        case BLOOM_ERR_TOO_LARGE:
            return "filter too large (a sub-filter takes at most 512 MB and 128 hash functions, "
                   "a filter at most 64 sub-filters)";
        case BLOOM_ERR_INVALID:
            return "invalid filter description";
        default:
            return "unexpected filter error";
    }
}
