/*
 * int_set.h - the encoding of small all-integer sets: one allocation with a
 * header and the members as a sorted array of 16-, 32- or 64-bit integers
 * (the narrowest width that holds every member), like Redis's intset.
 *
 * Sets of ids are common and an integer costs 2 to 8 bytes here against a
 * string and an index entry elsewhere; sorted order gives O(log n) lookups
 * and is also the order SMEMBERS returns, exactly as Redis.
 *
 * The first byte is the owner's tag.  Functions that need a bigger block
 * return a new set and leave the old one untouched and owned by the caller
 * (see packed_list.h for why), or NULL when memory runs out.
 */
#ifndef SETS_INT_SET_H
#define SETS_INT_SET_H

#include <stddef.h>
#include <stdint.h>

typedef struct int_set int_set;

/* Largest member count the header can hold. */
#define INT_SET_MAX_COUNT ((size_t)UINT32_MAX)

/* An empty set with room for capacity members of width bytes (2, 4 or 8)
 * before it has to move.  NULL on OOM. */
int_set *int_set_create(uint8_t tag, size_t capacity, int width);
int_set *int_set_copy(const int_set *set);
void int_set_free(int_set *set);

size_t int_set_count(const int_set *set);
/* Member width in bytes: 2, 4 or 8. */
int int_set_width(const int_set *set);
size_t int_set_allocated_bytes(const int_set *set);
/* Narrowest width that holds value. */
int int_set_width_for(int64_t value);

/* The member at index (< count), in ascending order. */
int64_t int_set_get(const int_set *set, size_t index);

/* 1 when value is a member. */
int int_set_contains(const int_set *set, int64_t value);

/* Adds value; *added says whether it was new.  Returns set or a new set
 * (widened or with more room), or NULL with set unchanged. */
int_set *int_set_add(int_set *set, int64_t value, int *added);

/* Removes value in place; 1 when it was a member. */
int int_set_remove(int_set *set, int64_t value);
/* Removes the member at index in place. */
void int_set_remove_at(int_set *set, size_t index);

/* A copy without spare room when more than half the block is unused, else
 * set itself; NULL on OOM (set still valid). */
int_set *int_set_trim(int_set *set);

#endif
