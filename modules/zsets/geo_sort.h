/*
 * geo_sort.h - ordering found points by distance as Redis 7.0 does: the
 * C library's qsort when every point is returned, and when COUNT keeps
 * fewer, Redis's partial quicksort (pqsort.c), which only orders the
 * first ones.  Points at equal distances come out in whatever order these
 * two leave them, so dblite must run the same algorithms to give the same
 * replies.
 */
#ifndef ZSETS_GEO_SORT_H
#define ZSETS_GEO_SORT_H

#include <stddef.h>

#include "geo_search.h"

/* Sorts points[0..count) by distance (descending: farthest first) so that
 * at least points[0..returned) are in order. */
void geo_sort_points(geo_point *points, size_t count, size_t returned, int descending);

#endif
