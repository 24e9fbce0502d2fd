/*
 * set_value.h - the in-memory representation of a set.
 *
 * Three encodings, as in Redis 7.2:
 *  - integers: an int_set, while every member is a canonical 64-bit integer
 *    (as Redis's string2ll accepts it) and there are at most
 *    max_intset_entries of them; members read back as their decimal text;
 *  - packed: a packed list of the members in insertion order, while there
 *    are at most max_packed_entries and none is longer than
 *    max_packed_length bytes;
 *  - table: an element_table of the members.
 * A set moves towards the table encoding only, never back.
 *
 * The core sees an opaque pointer whose first byte names the encoding.
 * Edits that can move the value go through a value_holder.  Byte ranges
 * handed out stay valid until the set is next edited.
 */
#ifndef SETS_SET_VALUE_H
#define SETS_SET_VALUE_H

#include <stddef.h>

#include "common/value_holder.h"
#include "dblite_module.h"

typedef struct set_value set_value;

#define SET_ENCODING_INTEGERS 1
#define SET_ENCODING_PACKED 2
#define SET_ENCODING_TABLE 3

typedef struct set_limits {
    size_t max_intset_entries;
    size_t max_packed_entries;
    size_t max_packed_length;
} set_limits;

/* Redis's defaults (set-max-intset-entries 512, and Redis 7.2's
 * set-max-listpack-entries 128 and set-max-listpack-value 64); also what
 * snapshot loading uses when no settings reach it. */
#define SET_DEFAULT_MAX_INTSET_ENTRIES 512
#define SET_DEFAULT_MAX_PACKED_ENTRIES 128
#define SET_DEFAULT_MAX_PACKED_LENGTH 64
static inline set_limits set_default_limits(void)
{
    set_limits limits = {SET_DEFAULT_MAX_INTSET_ENTRIES, SET_DEFAULT_MAX_PACKED_ENTRIES,
                         SET_DEFAULT_MAX_PACKED_LENGTH};
    return limits;
}

/* A member as read from a set.  Members of integer sets are spelled out in
 * digits, which bytes then points into: do not copy the struct. */
typedef struct set_member {
    dblite_bytes bytes;
    int is_integer; /* known to be the canonical integer below */
    long long integer;
    char digits[24];
} set_member;

/* What is known about the members a new set is made for (hints that pick
 * the starting encoding and reserve room). */
typedef struct set_shape {
    size_t count;
    int all_integers;  /* every member is a canonical integer */
    int integer_width; /* widest integer's width in bytes (2, 4, 8) */
    size_t longest;    /* longest member in bytes */
    size_t payload;    /* packed_list_text_size summed over members */
} set_shape;

/* An empty set suited to shape; NULL on OOM.  A shape with only
 * all_integers set gives an empty integer set, which then grows into
 * whatever the members need. */
set_value *set_value_create(const set_limits *limits, const set_shape *shape);

int set_value_encoding(const set_value *set);
size_t set_value_length(const set_value *set);

int set_value_contains(const set_value *set, dblite_bytes member);
/* The same, faster for integers read from another integer set. */
int set_value_contains_member(const set_value *set, const set_member *member);

/* Adds member to holder->current, converting the encoding as needed.
 * 1 when added, 0 when already there, DBLITE_ERR_NOMEM with the set
 * unchanged. */
int set_value_add(value_holder *holder, const set_limits *limits, dblite_bytes member);
int set_value_add_member(value_holder *holder, const set_limits *limits, const set_member *member);

/* Removes member in place; 1 when it was there. */
int set_value_remove(set_value *set, dblite_bytes member);
/* Removes the member at index (< length) in place; the order of the others
 * may change. */
void set_value_remove_at(set_value *set, size_t index);

/* After removals: a smaller block when a compact set wastes most of its
 * room (through holder; nothing happens when memory is short). */
void set_value_trim(value_holder *holder);

/* The member at index (< length): O(1) except for packed sets (a walk). */
void set_value_member_at(const set_value *set, size_t index, set_member *member);

/* Walking every member in storage order (ascending for integer sets). */
typedef struct set_iterator {
    const set_value *set;
    size_t position;
} set_iterator;

void set_iterator_init(set_iterator *iterator, const set_value *set);
/* 1 with the next member, 0 at the end.  The set must not change meanwhile. */
int set_iterator_next(set_iterator *iterator, set_member *member);

/* Type methods. */
void set_value_free(void *set);
void *set_value_copy(const void *set);
size_t set_value_memory_usage(const void *set);

#endif
