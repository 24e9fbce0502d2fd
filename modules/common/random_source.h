/*
 * random_source.h - the pseudo-random numbers behind SPOP, SRANDMEMBER and
 * HRANDFIELD, and the secret keys of the keyed hash.
 *
 * The module API offers no random source, so each module owns one generator
 * (splitmix64: tiny state, good statistical quality, and picks need no
 * cryptographic strength since the hash tables' secret comes straight from
 * the kernel).
 */
#ifndef DBLITE_COMMON_RANDOM_SOURCE_H
#define DBLITE_COMMON_RANDOM_SOURCE_H

#include <stddef.h>
#include <stdint.h>

typedef struct random_source {
    uint64_t state;
} random_source;

/* Fill buffer with unpredictable bytes from the kernel, falling back to a
 * mix of clock, process id and addresses if the kernel call fails. */
void random_fill_from_system(void *buffer, size_t size);

/* Seed from the system (random_fill_from_system). */
void random_source_seed(random_source *source);

uint64_t random_next(random_source *source);

/* Uniform in [0, bound) without modulo bias; bound must be > 0. */
uint64_t random_below(random_source *source, uint64_t bound);

#endif
