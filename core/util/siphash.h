/*
 * siphash.h - the keyed hash behind the keyspace tables (and, as
 * dblite_hash_keyed, behind the modules' hash tables).
 *
 * Keys come from clients, so an unkeyed hash would let anyone who knows it
 * craft keys that all land in one bucket (hash flooding).  SipHash is a keyed
 * pseudo-random function built for short inputs; the keyspace uses the
 * SipHash-1-2 variant (one compression round, two finalization rounds) that
 * Redis uses too: keys are usually 10-30 bytes, where the round count is
 * most of the cost, and 1-2 keeps practical flooding resistance.
 */
#ifndef DBLITE_SIPHASH_H
#define DBLITE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* The hash the keyspace uses.  seed0 and seed1 are the 128-bit secret. */
uint64_t siphash_1_2(const void *data, size_t length, uint64_t seed0, uint64_t seed1);

/* The standard SipHash-2-4, sharing the same code: the published test
 * vectors are for this variant, so it proves the shared rounds correct. */
uint64_t siphash_2_4(const void *data, size_t length, uint64_t seed0, uint64_t seed1);

#endif
