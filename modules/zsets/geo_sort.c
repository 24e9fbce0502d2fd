/*
 * geo_sort.c - the orderings of geo_sort.h.
 *
 * The partial sort is Bentley & McIlroy's "Engineering a Sort Function"
 * quicksort (insertion sort below 7 elements, median of three or of nine
 * as pivot, elements equal to the pivot gathered at both ends and swapped
 * into the middle), which recurses only into the parts overlapping the
 * wanted range of positions, as Redis's pqsort does.  It is written here
 * over indices rather than bytes; the sequence of comparisons and swaps,
 * and so the order of equal points, is the same.
 */
#include "geo_sort.h"

#include <stdlib.h>

typedef int (*point_compare_fn)(const geo_point *a, const geo_point *b);

/* Nearest first; equal distances compare equal (as Redis's sort_gp_asc). */
static int nearest_first(const geo_point *a, const geo_point *b)
{
    if (a->distance > b->distance)
        return 1;
    if (a->distance == b->distance)
        return 0;
    return -1;
}

static int farthest_first(const geo_point *a, const geo_point *b)
{
    if (a->distance < b->distance)
        return 1;
    if (a->distance == b->distance)
        return 0;
    return -1;
}

static int qsort_nearest_first(const void *a, const void *b)
{
    return nearest_first(a, b);
}

static int qsort_farthest_first(const void *a, const void *b)
{
    return farthest_first(a, b);
}

static void swap_points(geo_point *points, size_t i, size_t j)
{
    geo_point held = points[i];
    points[i] = points[j];
    points[j] = held;
}

/* Swaps the runs of n points at i and j. */
static void swap_runs(geo_point *points, size_t i, size_t j, size_t n)
{
    for (size_t k = 0; k < n; k++)
        swap_points(points, i + k, j + k);
}

static size_t median_of_three(const geo_point *points, size_t a, size_t b, size_t c,
                              point_compare_fn compare)
{
    if (compare(&points[a], &points[b]) < 0) {
        if (compare(&points[b], &points[c]) < 0)
            return b;
        return compare(&points[a], &points[c]) < 0 ? c : a;
    }
    if (compare(&points[b], &points[c]) > 0)
        return b;
    return compare(&points[a], &points[c]) < 0 ? a : c;
}

static size_t smaller(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Sorts points[base..base+n) enough that the positions low..high (absolute
 * indices) hold what a full sort would put there. */
static void partial_sort(geo_point *points, size_t base, size_t n, point_compare_fn compare,
                         size_t low, size_t high)
{
    for (;;) {
        if (n < 7) {
            for (size_t m = base + 1; m < base + n; m++)
                for (size_t l = m; l > base && compare(&points[l - 1], &points[l]) > 0; l--)
                    swap_points(points, l, l - 1);
            return;
        }
        size_t middle = base + n / 2;
        if (n > 7) {
            size_t left = base, right = base + n - 1;
            if (n > 40) {
                size_t d = n / 8;
                left = median_of_three(points, left, left + d, left + 2 * d, compare);
                middle = median_of_three(points, middle - d, middle, middle + d, compare);
                right = median_of_three(points, right - 2 * d, right - d, right, compare);
            }
            middle = median_of_three(points, left, middle, right, compare);
        }
        swap_points(points, base, middle);
        /* The pivot is at base.  Invariant: [base+1, a) and (d, base+n)
         * equal it, [a, b) are smaller, (c, d] bigger. */
        size_t a = base + 1, b = base + 1;
        size_t c = base + n - 1, d = base + n - 1;
        for (;;) {
            int result;
            while (b <= c && (result = compare(&points[b], &points[base])) <= 0) {
                if (result == 0) {
                    swap_points(points, a, b);
                    a++;
                }
                b++;
            }
            while (b <= c && (result = compare(&points[c], &points[base])) >= 0) {
                if (result == 0) {
                    swap_points(points, c, d);
                    d--;
                }
                c--;
            }
            if (b > c)
                break;
            swap_points(points, b, c);
            b++;
            c--;
        }
        size_t end = base + n;
        size_t r = smaller(a - base, b - a);
        swap_runs(points, base, b - r, r);
        r = smaller(d - c, end - d - 1);
        swap_runs(points, b, end - r, r);
        /* The smaller part now sits at the start, the bigger at the end;
         * each is sorted only when it overlaps low..high. */
        size_t smaller_count = b - a;
        if (smaller_count > 1) {
            size_t first = base, last = base + smaller_count - 1;
            if (!(high < first || low > last))
                partial_sort(points, first, smaller_count, compare, low, high);
        }
        size_t bigger_count = d - c;
        if (bigger_count <= 1)
            return;
        base = end - bigger_count;
        n = bigger_count;
        if (high < base || low > base + n - 1)
            return;
    }
}

void geo_sort_points(geo_point *points, size_t count, size_t returned, int descending)
{
    if (count == 0)
        return;
    if (returned >= count) {
        qsort(points, count, sizeof *points,
              descending ? qsort_farthest_first : qsort_nearest_first);
        return;
    }
    partial_sort(points, 0, count, descending ? farthest_first : nearest_first, 0, returned - 1);
}
