/*
 * keyed_hash.h - the keyed hash behind the hash tables of hashes and sets.
 *
 * Members and fields come from clients, so a fixed hash function would let
 * anyone fill one bucket chain on purpose (hash flooding).  SipHash-1-2 with
 * a per-process secret key, as Redis uses for its dicts, makes collisions
 * unpredictable from outside.
 */
#ifndef DBLITE_COMMON_KEYED_HASH_H
#define DBLITE_COMMON_KEYED_HASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct keyed_hash_key {
    uint64_t k0, k1;
} keyed_hash_key;

/* SipHash-1-2 of data[0..length) under key. */
uint64_t keyed_hash(const keyed_hash_key *key, const void *data, size_t length);

#endif
