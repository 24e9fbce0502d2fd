/*
 * zset_order.h - the order of sorted-set members, shared by both encodings:
 * by score, then by the member bytes as Redis's sdscmp compares them
 * (memcmp over the common length, the shorter first when one is a prefix
 * of the other).  Inline because every walk and every search calls it.
 */
#ifndef ZSETS_ZSET_ORDER_H
#define ZSETS_ZSET_ORDER_H

#include <stddef.h>
#include <string.h>

static inline int zset_member_compare(const char *a, size_t a_length, const char *b,
                                      size_t b_length)
{
    size_t common = a_length < b_length ? a_length : b_length;
    int order = common > 0 ? memcmp(a, b, common) : 0;
    if (order != 0)
        return order;
    return a_length < b_length ? -1 : a_length > b_length;
}

/* Whether (score_a, member a) comes before (score_b, member b). */
static inline int zset_comes_before(double score_a, const char *a, size_t a_length, double score_b,
                                    const char *b, size_t b_length)
{
    if (score_a != score_b)
        return score_a < score_b;
    return zset_member_compare(a, a_length, b, b_length) < 0;
}

#endif
