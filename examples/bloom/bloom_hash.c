/*
 * bloom_hash.c - a 128-bit hash of an item, as two 64-bit halves.
 *
 * Unlike the keyspace's hash it takes no per-process seed: the bits it
 * selects are stored in snapshots and logs and must mean the same thing
 * after a restart and on every machine, hence also the explicit
 * little-endian reads.  Chosen items can only raise a filter's
 * false-positive rate, never slow the server down, so a fixed function is
 * safe here.  Two lanes run over 8-byte words and are mixed together at the
 * end; the test suite checks the false-positive rate it gives.
 */
#include "bloom_hash.h"

#define LANE_PRIME_1 0x9E3779B185EBCA87ULL
#define LANE_PRIME_2 0xC2B2AE3D27D4EB4FULL
#define LANE_PRIME_3 0x165667B19E3779F9ULL
#define MIX_PRIME_1 0xFF51AFD7ED558CCDULL
#define MIX_PRIME_2 0xC4CEB9FE1A85EC53ULL

static uint64_t rotate_left(uint64_t value, int bits)
{
    return (value << bits) | (value >> (64 - bits));
}

/* Compilers turn this into one load on little-endian machines. */
static uint64_t read_little_endian(const unsigned char *bytes, size_t count)
{
    uint64_t value = 0;
    for (size_t index = count; index > 0; index--)
        value = (value << 8) | bytes[index - 1];
    return value;
}

/* Spreads every input bit over the whole word (an avalanche step). */
static uint64_t avalanche(uint64_t value)
{
    value ^= value >> 33;
    value *= MIX_PRIME_1;
    value ^= value >> 33;
    value *= MIX_PRIME_2;
    value ^= value >> 33;
    return value;
}

bloom_hash_pair bloom_hash(const void *item, size_t length)
{
    const unsigned char *bytes = item;
    /* The length seeds both lanes so "a" and "a\0" differ. */
    uint64_t first = LANE_PRIME_1 ^ (uint64_t)length;
    uint64_t second = LANE_PRIME_2 + (uint64_t)length;
    size_t remaining = length;
    while (remaining >= 8) {
        uint64_t word = read_little_endian(bytes, 8);
        first = rotate_left(first ^ (word * LANE_PRIME_2), 31) * LANE_PRIME_1;
        second = rotate_left(second + (word * LANE_PRIME_3), 27) * LANE_PRIME_1 + first;
        bytes += 8;
        remaining -= 8;
    }
    if (remaining > 0) {
        uint64_t tail = read_little_endian(bytes, remaining);
        first = rotate_left(first ^ (tail * LANE_PRIME_2), 31) * LANE_PRIME_1;
        second = rotate_left(second + (tail * LANE_PRIME_3), 27) * LANE_PRIME_1 + first;
    }
    bloom_hash_pair pair;
    pair.first = avalanche(first ^ rotate_left(second, 17));
    pair.second = avalanche(second + pair.first) | 1;
    return pair;
}
