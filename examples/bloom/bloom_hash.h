/*
 * bloom_hash.h - the hash that decides which bits an item sets.
 *
 * Filters are saved as their bits, so this function is part of the stored
 * format: changing it means a new encoding version of the bloom type.
 */
#ifndef BLOOM_HASH_H
#define BLOOM_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Two independent 64-bit hashes of one item; the i-th bit position of the
 * item is derived from first + i * second (double hashing). */
typedef struct bloom_hash_pair {
    uint64_t first;
    uint64_t second; /* always odd, so successive positions never repeat */
} bloom_hash_pair;

bloom_hash_pair bloom_hash(const void *item, size_t length);

#endif
