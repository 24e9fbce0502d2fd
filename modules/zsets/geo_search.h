/*
 * geo_search.h - finding the points of a sorted set inside a circle or a
 * box, as Redis 7.0's GEOSEARCH and GEORADIUS do.
 *
 * The search covers the shape with the cell that holds its centre and the
 * eight around it, at the coarsest step whose cells still contain the
 * shape's bounding box (geo_search_cover), reads each cell's score range
 * from the set and keeps the points really inside the shape, with their
 * distance from the centre (geo_search_collect).  Distances are haversine
 * on a sphere of Redis's radius, 6372797.560856 m.
 */
#ifndef ZSETS_GEO_SEARCH_H
#define ZSETS_GEO_SEARCH_H

#include <stddef.h>

#include "geohash.h"
#include "zset_value.h"

#define GEO_SHAPE_CIRCLE 1
#define GEO_SHAPE_BOX 2

/* What is searched: around xy (longitude, latitude), a circle of radius or
 * a box of width x height, in the unit whose size in metres is
 * conversion. */
typedef struct geo_shape {
    int type;
    double xy[2];
    double conversion;
    double radius;
    double width, height;
} geo_shape;

/* The nine cells to read: [0] the centre's, then north, south, east, west,
 * north-east, north-west, south-east, south-west (Redis's order); a cell
 * that cannot hold a point of the shape is "none". */
typedef struct geo_cover {
    geohash_cell cells[9];
} geo_cover;

/* A point found: its coordinates, distance from the centre in metres, its
 * score, and its member's bytes at member_offset in the result's text. */
typedef struct geo_point {
    double longitude, latitude;
    double distance;
    double score;
    size_t member_offset, member_length;
} geo_point;

typedef struct geo_result {
    geo_point *points;
    size_t used, capacity;
    char *text; /* the members' bytes, one after another */
    size_t text_used, text_capacity;
} geo_result;

/* Metres between two points (degrees), haversine as Redis computes it. */
double geo_distance(double longitude1, double latitude1, double longitude2, double latitude2);

/* Redis's geohashEstimateStepsByRadius: the step whose cells are about
 * the radius's size at that latitude (26 for 0 metres). */
int geo_steps_for_radius(double radius_meters, double latitude);

/* The nine cells covering shape. */
void geo_search_cover(const geo_shape *shape, geo_cover *cover);

void geo_result_init(geo_result *result);
void geo_result_free(geo_result *result);
/* The bytes of a found point's member. */
static inline const char *geo_point_member(const geo_result *result, const geo_point *point)
{
    return result->text + point->member_offset;
}

/* Appends to result the points of zset inside shape, cell by cell of
 * cover; limit > 0 stops as soon as limit points were found (COUNT ANY).
 * DBLITE_OK or DBLITE_ERR_NOMEM (result then holds what was found). */
int geo_search_collect(const zset_value *zset, const geo_shape *shape, const geo_cover *cover,
                       size_t limit, geo_result *result);

#endif
