/*
 * bloom_filter.h - a scalable Bloom filter, free of server calls except
 * the allocator (so its arithmetic is testable on its own).
 *
 * A filter is a chain of sub-filters.  Items go into the newest one; when
 * it holds as many items as it was sized for, a new sub-filter `expansion`
 * times larger is added (unless the filter is non-scaling, which then
 * refuses new items).  Membership asks every sub-filter.  To keep the
 * promise of BF.RESERVE's error rate p for the whole chain, sub-filter i of
 * a scaling filter is sized for p / 2^(i+1): the rates sum to less than p.
 * A non-scaling filter has one sub-filter sized for p itself.
 */
#ifndef BLOOM_FILTER_H
#define BLOOM_FILTER_H

#include <stddef.h>
#include <stdint.h>

/* Limits, also applied to everything loaded from snapshots and dumps. */
#define BLOOM_MAX_SUBFILTER_BYTES (512ULL * 1024 * 1024) /* as Redis's strings */
#define BLOOM_MAX_HASHES 128
#define BLOOM_MAX_SUBFILTERS 64
#define BLOOM_MAX_EXPANSION 32768
#define BLOOM_MAX_CAPACITY (1ULL << 40)
/* Expansion of a filter that never grows. */
#define BLOOM_NON_SCALING 0

/* Results of the functions below: >= 0 is success. */
#define BLOOM_OK 0
#define BLOOM_ERR_NOMEM (-1)
#define BLOOM_ERR_FULL (-2)      /* a non-scaling filter reached its capacity */
#define BLOOM_ERR_TOO_LARGE (-3) /* a sub-filter would pass a limit above */
#define BLOOM_ERR_INVALID (-4)   /* a described shape breaks the rules */

/* What a sub-filter is, without its bits. */
typedef struct bloom_shape {
    uint64_t capacity;   /* items it is sized for */
    uint64_t items;      /* items that set at least one bit in it */
    uint64_t bit_count;  /* a multiple of 64 */
    uint32_t hash_count; /* bits per item */
    double error_rate;   /* its share of the filter's error rate */
} bloom_shape;

typedef struct bloom_subfilter {
    bloom_shape shape;
    unsigned char *bits; /* bit_count / 8 bytes; bit i is bits[i/8] >> (i%8) */
} bloom_subfilter;

typedef struct bloom_filter {
    double error_rate;  /* the bound asked for at creation */
    uint32_t expansion; /* BLOOM_NON_SCALING or 1..BLOOM_MAX_EXPANSION */
    uint32_t count;     /* sub-filters in use */
    uint32_t slots;     /* sub-filters allocated */
    bloom_subfilter *subfilters;
} bloom_filter;

/* The error rate sub-filter index gets in a filter of that error rate. */
double bloom_subfilter_error_rate(double error_rate, uint32_t expansion, uint32_t index);

/* Sizes a sub-filter for capacity items at error_rate (items is 0).
 * BLOOM_ERR_TOO_LARGE when it would pass a limit. */
int bloom_shape_for(uint64_t capacity, double error_rate, bloom_shape *shape);

/* BLOOM_OK when a shape read from outside is one this code could have made
 * (in limits, items <= capacity), else BLOOM_ERR_INVALID. */
int bloom_shape_check(const bloom_shape *shape);

/* A new filter with one empty sub-filter for capacity items.  *filter is
 * set on BLOOM_OK; the error rate must be in (0, 1) and the expansion
 * BLOOM_NON_SCALING or 1..BLOOM_MAX_EXPANSION. */
int bloom_filter_create(double error_rate, uint64_t capacity, uint32_t expansion,
                        bloom_filter **filter);

/* A filter without sub-filters, to be filled with bloom_filter_append. */
bloom_filter *bloom_filter_create_empty(double error_rate, uint32_t expansion);

/* Appends a sub-filter of the given (checked) shape.  bits, when not NULL,
 * must hold bit_count / 8 bytes from dblite_alloc and is adopted, also on
 * failure; NULL means all bits clear. */
int bloom_filter_append(bloom_filter *filter, const bloom_shape *shape, unsigned char *bits);

void bloom_filter_free(bloom_filter *filter);
/* A deep copy, or NULL when out of memory. */
bloom_filter *bloom_filter_copy(const bloom_filter *filter);

/* 1 when the item was added (it set at least one bit), 0 when it may
 * already be there, or BLOOM_ERR_FULL / BLOOM_ERR_TOO_LARGE /
 * BLOOM_ERR_NOMEM when a new sub-filter was needed and could not be had. */
int bloom_filter_add(bloom_filter *filter, const void *item, size_t length);

/* 1 when the item may be in the filter, 0 when it certainly is not. */
int bloom_filter_contains(const bloom_filter *filter, const void *item, size_t length);

uint64_t bloom_filter_capacity(const bloom_filter *filter); /* sum of sub-filters' */
uint64_t bloom_filter_items(const bloom_filter *filter);
/* Bytes held, as the allocator counts them. */
size_t bloom_filter_memory(const bloom_filter *filter);

/* A short text for a negative result, to end an "ERR ..." reply. */
const char *bloom_status_message(int status);

#endif
