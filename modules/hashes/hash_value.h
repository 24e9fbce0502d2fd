/*
 * hash_value.h - the in-memory representation of a hash (field -> value).
 *
 * Two encodings, as in Redis:
 *  - packed: fields and values alternate in one packed list, in insertion
 *    order (what HGETALL returns for small hashes, exactly as Redis's
 *    listpack); used while the hash has at most max_packed_pairs pairs and
 *    no field or value is longer than max_packed_length;
 *  - table: an element_table whose entries hold the field, then a 32-bit
 *    value length and the value.
 * A hash only ever moves from packed to table, never back (as Redis).
 *
 * The core sees an opaque pointer whose first byte names the encoding.
 * Edits go through a value_holder because a packed hash moves when it
 * grows or converts.  Byte ranges handed out point into the value and stay
 * valid until it is next edited.
 */
#ifndef HASHES_HASH_VALUE_H
#define HASHES_HASH_VALUE_H

#include <stddef.h>

#include "common/value_holder.h"
#include "dblite_module.h"

typedef struct hash_value hash_value;

#define HASH_ENCODING_PACKED 1
#define HASH_ENCODING_TABLE 2

typedef struct hash_limits {
    size_t max_packed_pairs;
    size_t max_packed_length;
} hash_limits;

/* Redis 7.0's defaults (hash-max-listpack-entries 512, as a stock
 * redis-server reports it, and hash-max-listpack-value 64). */
#define HASH_DEFAULT_MAX_PACKED_PAIRS 512
#define HASH_DEFAULT_MAX_PACKED_LENGTH 64
static inline hash_limits hash_default_limits(void)
{
    hash_limits limits = {HASH_DEFAULT_MAX_PACKED_PAIRS, HASH_DEFAULT_MAX_PACKED_LENGTH};
    return limits;
}

/* An empty hash fit for pairs pairs whose fields and values are at most
 * longest bytes long and take payload_bytes in all (hints: the encoding is
 * packed when they allow it, with room reserved).  NULL on OOM. */
hash_value *hash_value_create(const hash_limits *limits, size_t pairs, size_t longest,
                              size_t payload_bytes);

int hash_value_encoding(const hash_value *value);
size_t hash_value_length(const hash_value *value);

/* 1 and *found set when field exists, else 0. */
int hash_value_get(const hash_value *value, dblite_bytes field, dblite_bytes *found);

/* Results of hash_value_set. */
#define HASH_VALUE_UPDATED 0
#define HASH_VALUE_ADDED 1
/* Sets field to content in holder->current (a hash_value), converting the
 * encoding when a limit is passed.  HASH_VALUE_ADDED or HASH_VALUE_UPDATED,
 * or DBLITE_ERR_NOMEM with the hash unchanged. */
int hash_value_set(value_holder *holder, const hash_limits *limits, dblite_bytes field,
                   dblite_bytes content);

/* Removes field in place; 1 when it existed. */
int hash_value_delete(hash_value *value, dblite_bytes field);

/* After deletions: a smaller block when a packed hash wastes most of its
 * room (through holder; nothing happens when memory is short). */
void hash_value_trim(value_holder *holder);

/* Walking every pair in storage order. */
typedef struct hash_iterator {
    const hash_value *value;
    size_t position;
} hash_iterator;

void hash_iterator_init(hash_iterator *iterator, const hash_value *value);
/* 1 with the next pair, 0 at the end.  The hash must not change meanwhile. */
int hash_iterator_next(hash_iterator *iterator, dblite_bytes *field, dblite_bytes *content);

/* The pair at index (< length) in storage order: O(1) for tables, a walk
 * for packed hashes. */
void hash_value_pair_at(const hash_value *value, size_t index, dblite_bytes *field,
                        dblite_bytes *content);

/* Type methods. */
void hash_value_free(void *value);
void *hash_value_copy(const void *value);
size_t hash_value_memory_usage(const void *value);

#endif
