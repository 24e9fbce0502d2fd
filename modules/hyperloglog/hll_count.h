/*
 * hll_count.h - hashing elements to a register and a run length, and the
 * cardinality estimate, both exactly as Redis 7.0 computes them.
 */
#ifndef HYPERLOGLOG_HLL_COUNT_H
#define HYPERLOGLOG_HLL_COUNT_H

#include <stddef.h>
#include <stdint.h>

#include "hll_encoding.h"

uint64_t hll_murmurhash64a(const void *key, int len, unsigned int seed);

/* The register an element falls in (*index) and its "000..1" run length
 * (Redis's hllPatLen). */
int hll_pattern_length(const unsigned char *element, size_t size, long *index);

/* The estimate of an HLL (Redis's hllCount); *invalid set to 1 when a
 * sparse HLL's runs do not cover exactly 16384 registers. */
uint64_t hll_count(const hll_buffer *hll, int *invalid);

/* The estimate of raw registers, one byte each (the union PFCOUNT builds). */
uint64_t hll_count_raw(const uint8_t registers[HLL_REGISTERS]);

#endif
