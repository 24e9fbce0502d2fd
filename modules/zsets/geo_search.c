/*
 * geo_search.c - the cells that cover a search shape, the distances, and
 * the walk over the set's score ranges that collects the points inside
 * (see geo_search.h).
 *
 * Everything here repeats Redis 7.0's arithmetic operation for operation:
 * which points a search finds at the edge of a shape, and the distances
 * printed with four decimals, depend on it.
 */
#include "geo_search.h"

#include <math.h>
#include <string.h>

#include "dblite_module.h"

#define EARTH_RADIUS_IN_METERS 6372797.560856
#define MERCATOR_MAX 20037726.37
#define DEGREES_TO_RADIANS (M_PI / 180.0)

static double radians(double degrees)
{
    return degrees * DEGREES_TO_RADIANS;
}

static double degrees(double radians)
{
    return radians / DEGREES_TO_RADIANS;
}

/* Metres between two latitudes on one meridian. */
static double latitude_distance(double latitude1, double latitude2)
{
    return EARTH_RADIUS_IN_METERS * fabs(radians(latitude2) - radians(latitude1));
}

double geo_distance(double longitude1, double latitude1, double longitude2, double latitude2)
{
    double longitude1_r = radians(longitude1);
    double longitude2_r = radians(longitude2);
    double v = sin((longitude2_r - longitude1_r) / 2);
    /* On one meridian the haversine reduces to the latitude difference. */
    if (v == 0.0)
        return latitude_distance(latitude1, latitude2);
    double latitude1_r = radians(latitude1);
    double latitude2_r = radians(latitude2);
    double u = sin((latitude2_r - latitude1_r) / 2);
    double a = u * u + cos(latitude1_r) * cos(latitude2_r) * v * v;
    return 2.0 * EARTH_RADIUS_IN_METERS * asin(sqrt(a));
}

int geo_steps_for_radius(double radius_meters, double latitude)
{
    if (radius_meters == 0)
        return GEOHASH_STEP_MAX;
    int step = 1;
    while (radius_meters < MERCATOR_MAX) {
        radius_meters *= 2;
        step++;
    }
    step -= 2; /* so that the radius fits in most cases */
    /* Cells narrow towards the poles: take bigger ones there. */
    if (latitude > 66 || latitude < -66) {
        step--;
        if (latitude > 80 || latitude < -80)
            step--;
    }
    if (step < 1)
        step = 1;
    if (step > GEOHASH_STEP_MAX)
        step = GEOHASH_STEP_MAX;
    return step;
}

/* The shape's bounding box: bounds[0] west, [1] south, [2] east, [3]
 * north, in degrees (not wrapped at the antimeridian). */
static void bounding_box(const geo_shape *shape, double *bounds)
{
    double longitude = shape->xy[0];
    double latitude = shape->xy[1];
    double height =
        shape->conversion * (shape->type == GEO_SHAPE_CIRCLE ? shape->radius : shape->height / 2);
    double width =
        shape->conversion * (shape->type == GEO_SHAPE_CIRCLE ? shape->radius : shape->width / 2);
    double latitude_delta = degrees(height / EARTH_RADIUS_IN_METERS);
    double longitude_delta_top =
        degrees(width / EARTH_RADIUS_IN_METERS / cos(radians(latitude + latitude_delta)));
    double longitude_delta_bottom =
        degrees(width / EARTH_RADIUS_IN_METERS / cos(radians(latitude - latitude_delta)));
    /* The edge nearer the pole is the wider one: north of the equator the
     * top, south of it the bottom. */
    int southern = latitude < 0;
    bounds[0] = southern ? longitude - longitude_delta_bottom : longitude - longitude_delta_top;
    bounds[2] = southern ? longitude + longitude_delta_bottom : longitude + longitude_delta_top;
    bounds[1] = latitude - latitude_delta;
    bounds[3] = latitude + latitude_delta;
}

static const geohash_cell NO_CELL = {0, 0};

/* The centre's cell at step, its neighbours and its area. */
static void cells_at_step(const geo_shape *shape, int step, geohash_cell *cell,
                          geohash_neighbours *neighbours, geohash_area *area)
{
    geohash_range longitude_range, latitude_range;
    geohash_redis_ranges(&longitude_range, &latitude_range);
    *cell = NO_CELL;
    geohash_encode(&longitude_range, &latitude_range, shape->xy[0], shape->xy[1], step, cell);
    geohash_neighbours_of(cell, neighbours);
    geohash_decode(&longitude_range, &latitude_range, *cell, area);
}

void geo_search_cover(const geo_shape *shape, geo_cover *cover)
{
    double bounds[4];
    bounding_box(shape, bounds);
    double west = bounds[0], south = bounds[1], east = bounds[2], north = bounds[3];

    /* A box is reached at its corners: the radius that matters is the
     * half-diagonal. */
    double radius_meters = shape->type == GEO_SHAPE_CIRCLE
                               ? shape->radius
                               : sqrt((shape->width / 2) * (shape->width / 2) +
                                      (shape->height / 2) * (shape->height / 2));
    radius_meters *= shape->conversion;
    int step = geo_steps_for_radius(radius_meters, shape->xy[1]);

    geohash_cell cell;
    geohash_neighbours around;
    geohash_area area;
    cells_at_step(shape, step, &cell, &around, &area);

    /* When the centre lies near its cell's edge, the neighbour on that side
     * may not reach the bounding box's edge: then one step coarser. */
    geohash_range longitude_range, latitude_range;
    geohash_redis_ranges(&longitude_range, &latitude_range);
    geohash_area north_area, south_area, east_area, west_area;
    geohash_decode(&longitude_range, &latitude_range, around.north, &north_area);
    geohash_decode(&longitude_range, &latitude_range, around.south, &south_area);
    geohash_decode(&longitude_range, &latitude_range, around.east, &east_area);
    geohash_decode(&longitude_range, &latitude_range, around.west, &west_area);
    int coarser = north_area.latitude.max < north || south_area.latitude.min > south ||
                  east_area.longitude.max < east || west_area.longitude.min > west;
    if (step > 1 && coarser) {
        step--;
        cells_at_step(shape, step, &cell, &around, &area);
    }

    /* Drop the neighbours beyond the bounding box. */
    if (step >= 2) {
        if (area.latitude.min < south)
            around.south = around.south_west = around.south_east = NO_CELL;
        if (area.latitude.max > north)
            around.north = around.north_east = around.north_west = NO_CELL;
        if (area.longitude.min < west)
            around.west = around.south_west = around.north_west = NO_CELL;
        if (area.longitude.max > east)
            around.east = around.south_east = around.north_east = NO_CELL;
    }
    cover->cells[0] = cell;
    cover->cells[1] = around.north;
    cover->cells[2] = around.south;
    cover->cells[3] = around.east;
    cover->cells[4] = around.west;
    cover->cells[5] = around.north_east;
    cover->cells[6] = around.north_west;
    cover->cells[7] = around.south_east;
    cover->cells[8] = around.south_west;
}

/* 1 with *distance when the point (longitude, latitude) is inside shape. */
static int inside_shape(const geo_shape *shape, double longitude, double latitude, double *distance)
{
    if (shape->type == GEO_SHAPE_CIRCLE) {
        *distance = geo_distance(shape->xy[0], shape->xy[1], longitude, latitude);
        return *distance <= shape->radius * shape->conversion;
    }
    /* The latitude test is the cheaper one: first.  The east-west extent
     * is measured along the point's own parallel. */
    double height = shape->height * shape->conversion;
    double width = shape->width * shape->conversion;
    if (latitude_distance(latitude, shape->xy[1]) > height / 2)
        return 0;
    if (geo_distance(longitude, latitude, shape->xy[0], latitude) > width / 2)
        return 0;
    *distance = geo_distance(shape->xy[0], shape->xy[1], longitude, latitude);
    return 1;
}

void geo_result_init(geo_result *result)
{
    memset(result, 0, sizeof *result);
}

void geo_result_free(geo_result *result)
{
    dblite_free(result->points);
    dblite_free(result->text);
    geo_result_init(result);
}

static int append_point(geo_result *result, const geo_point *point, dblite_bytes member)
{
    if (result->used == result->capacity) {
        size_t capacity = result->capacity == 0 ? 16 : result->capacity * 2;
        geo_point *points = dblite_realloc(result->points, capacity * sizeof *points);
        if (points == NULL)
            return DBLITE_ERR_NOMEM;
        result->points = points;
        result->capacity = capacity;
    }
    if (result->text_capacity - result->text_used < member.len) {
        size_t capacity = result->text_capacity == 0 ? 256 : result->text_capacity;
        while (capacity - result->text_used < member.len)
            capacity *= 2;
        char *text = dblite_realloc(result->text, capacity);
        if (text == NULL)
            return DBLITE_ERR_NOMEM;
        result->text = text;
        result->text_capacity = capacity;
    }
    geo_point *stored = &result->points[result->used++];
    *stored = *point;
    stored->member_offset = result->text_used;
    stored->member_length = member.len;
    if (member.len > 0)
        memcpy(result->text + result->text_used, member.ptr, member.len);
    result->text_used += member.len;
    return DBLITE_OK;
}

/* The points of one cell: scores in [cell's lowest, next cell's lowest). */
static int collect_cell(const zset_value *zset, const geo_shape *shape, geohash_cell cell,
                        size_t limit, geo_result *result)
{
    geohash_cell next = cell;
    next.bits++;
    zset_score_range range = {.min = (double)geohash_align52(cell),
                              .max = (double)geohash_align52(next),
                              .min_exclusive = 0,
                              .max_exclusive = 1};
    size_t rank;
    if (!zset_value_first_in_score_range(zset, &range, 0, &rank))
        return DBLITE_OK;
    zset_iterator iterator;
    zset_iterator_init(&iterator, zset, rank, 0);
    zset_entry entry;
    while (zset_iterator_next(&iterator, &entry)) {
        if (!zset_score_below_max(&range, entry.score))
            break;
        double xy[2];
        geo_point point = {0};
        if (geohash_decode_score(entry.score, xy) &&
            inside_shape(shape, xy[0], xy[1], &point.distance)) {
            point.longitude = xy[0];
            point.latitude = xy[1];
            point.score = entry.score;
            if (append_point(result, &point, entry.member) != DBLITE_OK)
                return DBLITE_ERR_NOMEM;
        }
        if (result->used > 0 && limit > 0 && result->used >= limit)
            break;
    }
    return DBLITE_OK;
}

int geo_search_collect(const zset_value *zset, const geo_shape *shape, const geo_cover *cover,
                       size_t limit, geo_result *result)
{
    size_t last = 0;
    for (size_t i = 0; i < 9; i++) {
        geohash_cell cell = cover->cells[i];
        if (geohash_cell_is_none(cell))
            continue;
        /* With a huge radius neighbours can be the same cell: skip one equal
         * to the cell read before (Redis never compares with the centre's,
         * index 0). */
        if (last != 0 && cell.bits == cover->cells[last].bits &&
            cell.step == cover->cells[last].step)
            continue;
        if (result->used > 0 && limit > 0 && result->used >= limit)
            break;
        if (collect_cell(zset, shape, cell, limit, result) != DBLITE_OK)
            return DBLITE_ERR_NOMEM;
        last = i;
    }
    return DBLITE_OK;
}
