/*
 * siphash.c - SipHash, written from the paper by Aumasson and
 * Bernstein ("SipHash: a fast short-input PRF", 2012).
 *
 * One generic body takes the round counts as constants; it is forced inline
 * into each public variant so the compiler unrolls the rounds of each.
 */
#include "util/siphash.h"

#include <string.h>

#include "dblite_module.h"

static inline uint64_t rotate_left(uint64_t value, int bits)
{
    return (value << bits) | (value >> (64 - bits));
}

/* SipHash defines the message words as little-endian whatever the host. */
static inline uint64_t load_little_endian_64(const unsigned char *bytes)
{
    uint64_t word;
    memcpy(&word, bytes, sizeof(word));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    word = __builtin_bswap64(word);
#endif
    return word;
}

typedef struct sip_state {
    uint64_t v0, v1, v2, v3;
} sip_state;

static inline void sip_round(sip_state *state)
{
    state->v0 += state->v1;
    state->v1 = rotate_left(state->v1, 13);
    state->v1 ^= state->v0;
    state->v0 = rotate_left(state->v0, 32);
    state->v2 += state->v3;
    state->v3 = rotate_left(state->v3, 16);
    state->v3 ^= state->v2;
    state->v0 += state->v3;
    state->v3 = rotate_left(state->v3, 21);
    state->v3 ^= state->v0;
    state->v2 += state->v1;
    state->v1 = rotate_left(state->v1, 17);
    state->v1 ^= state->v2;
    state->v2 = rotate_left(state->v2, 32);
}

static inline __attribute__((always_inline)) void sip_compress(sip_state *state, uint64_t word,
                                                               int compression_rounds)
{
    state->v3 ^= word;
    for (int round = 0; round < compression_rounds; round++)
        sip_round(state);
    state->v0 ^= word;
}

static inline __attribute__((always_inline)) uint64_t
siphash_generic(const void *data, size_t length, uint64_t seed0, uint64_t seed1,
                int compression_rounds, int finalization_rounds)
{
    /* The initial constants spell "somepseudorandomlygeneratedbytes". */
    sip_state state = {
        .v0 = seed0 ^ UINT64_C(0x736f6d6570736575),
        .v1 = seed1 ^ UINT64_C(0x646f72616e646f6d),
        .v2 = seed0 ^ UINT64_C(0x6c7967656e657261),
        .v3 = seed1 ^ UINT64_C(0x7465646279746573),
    };
    const unsigned char *bytes = data;
    const unsigned char *whole_words_end = bytes + (length & ~(size_t)7);

    for (; bytes != whole_words_end; bytes += 8)
        sip_compress(&state, load_little_endian_64(bytes), compression_rounds);

    /* The last word holds the remaining 0-7 bytes and the length's low byte
     * on top, so messages differing only in trailing zeros hash apart. */
    uint64_t last_word = (uint64_t)(length & 0xff) << 56;
    switch (length & 7) {
        case 7:
            last_word |= (uint64_t)bytes[6] << 48; /* fall through */
        case 6:
            last_word |= (uint64_t)bytes[5] << 40; /* fall through */
        case 5:
            last_word |= (uint64_t)bytes[4] << 32; /* fall through */
        case 4:
            last_word |= (uint64_t)bytes[3] << 24; /* fall through */
        case 3:
            last_word |= (uint64_t)bytes[2] << 16; /* fall through */
        case 2:
            last_word |= (uint64_t)bytes[1] << 8; /* fall through */
        case 1:
            last_word |= (uint64_t)bytes[0]; /* fall through */
        case 0:
            break;
    }
    sip_compress(&state, last_word, compression_rounds);

    state.v2 ^= 0xff;
    for (int round = 0; round < finalization_rounds; round++)
        sip_round(&state);
    return state.v0 ^ state.v1 ^ state.v2 ^ state.v3;
}

uint64_t siphash_1_2(const void *data, size_t length, uint64_t seed0, uint64_t seed1)
{
    return siphash_generic(data, length, seed0, seed1, 1, 2);
}

uint64_t siphash_2_4(const void *data, size_t length, uint64_t seed0, uint64_t seed1)
{
    return siphash_generic(data, length, seed0, seed1, 2, 4);
}

/* The modules' entry point (see dblite_module.h): the same SipHash-1-2 as
 * the keyspace's, its key given as bytes so that the hash of a key does not
 * depend on the host's byte order. */
uint64_t dblite_hash_keyed(const void *ptr, size_t len, const uint8_t key[16])
{
    return siphash_generic(ptr, len, load_little_endian_64(key), load_little_endian_64(key + 8), 1,
                           2);
}
