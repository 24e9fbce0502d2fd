/*
 * keyed_hash.c - SipHash-1-2 (one compression round per word, two
 * finalisation rounds), written from the SipHash paper's description.  One
 * compression round is what Redis settled on: flooding resistance comes from
 * the secret key, and the shorter variant keeps short-member lookups cheap.
 */
#include "keyed_hash.h"

#include <string.h>

static inline uint64_t rotate_left(uint64_t word, int bits)
{
    return (word << bits) | (word >> (64 - bits));
}

typedef struct sip_state {
    uint64_t v0, v1, v2, v3;
} sip_state;

static inline void sip_round(sip_state *s)
{
    s->v0 += s->v1;
    s->v1 = rotate_left(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = rotate_left(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = rotate_left(s->v3, 16);
    s->v3 ^= s->v2;
    s->v0 += s->v3;
    s->v3 = rotate_left(s->v3, 21);
    s->v3 ^= s->v0;
    s->v2 += s->v1;
    s->v1 = rotate_left(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = rotate_left(s->v2, 32);
}

/* Message words are little-endian whatever the host order, so a hash never
 * depends on the machine. */
static inline uint64_t load_little_endian(const unsigned char *bytes)
{
    uint64_t word;
    memcpy(&word, bytes, sizeof word);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    word = __builtin_bswap64(word);
#endif
    return word;
}

uint64_t keyed_hash(const keyed_hash_key *key, const void *data, size_t length)
{
    const unsigned char *bytes = data;
    sip_state s = {
        key->k0 ^ UINT64_C(0x736f6d6570736575),
        key->k1 ^ UINT64_C(0x646f72616e646f6d),
        key->k0 ^ UINT64_C(0x6c7967656e657261),
        key->k1 ^ UINT64_C(0x7465646279746573),
    };
    size_t whole_words = length / 8;
    for (size_t i = 0; i < whole_words; i++) {
        uint64_t word = load_little_endian(bytes + i * 8);
        s.v3 ^= word;
        sip_round(&s);
        s.v0 ^= word;
    }
    uint64_t last = (uint64_t)(length & 0xff) << 56;
    const unsigned char *tail = bytes + whole_words * 8;
    for (size_t i = 0; i < (length & 7); i++)
        last |= (uint64_t)tail[i] << (8 * i);
    s.v3 ^= last;
    sip_round(&s);
    s.v0 ^= last;
    s.v2 ^= 0xff;
    sip_round(&s);
    sip_round(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
