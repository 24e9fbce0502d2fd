/*
 * list_fill.h - how full one packed list may get, from the
 * list-max-listpack-size setting (Redis's "fill"):
 *   negative: a byte budget, -1 = 4 KB, -2 = 8 KB ... -5 (and below) = 64 KB
 *   zero or positive: at most that many entries, within 8 KB
 * A packed list holding a single entry is always allowed, however large.
 */
#ifndef LISTS_LIST_FILL_H
#define LISTS_LIST_FILL_H

#include <stddef.h>

#define LIST_FILL_DEFAULT (-2)
#define LIST_FILL_SAFETY_BYTES ((size_t)8192)

/* Whether a packed list of bytes and count entries respects fill. */
static inline int list_fill_allows(long long fill, size_t bytes, size_t count)
{
    if (count <= 1)
        return 1;
    if (fill < 0) {
        int level = fill < -5 ? 5 : (int)-fill;
        return bytes <= ((size_t)4096 << (level - 1));
    }
    return bytes <= LIST_FILL_SAFETY_BYTES && count <= (size_t)fill;
}

/* Whether a chain of one node this size should go back to the single
 * packed encoding: only at half the budget, so a list hovering around the
 * limit does not convert back and forth on every push and pop. */
static inline int list_fill_allows_packed_again(long long fill, size_t bytes, size_t count)
{
    return count <= 1 || list_fill_allows(fill, bytes * 2, count * 2);
}

#endif
