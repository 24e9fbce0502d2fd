/*
 * geohash.c - interleaving, encoding and decoding of geohash cells and
 * their neighbours (see geohash.h).
 *
 * Interleaving spreads the 32 bits of a number over the even bits of a
 * 64-bit word with the usual mask-and-shift ladder; de-interleaving gathers
 * them back.  A neighbour is found by adding or subtracting one to the
 * column (odd bits) or row (even bits) number in place: the bits of the
 * other coordinate are masked out and the carry runs through the gaps.
 */
#include "geohash.h"

#include <stddef.h>

/* The bits of value spread over the even bits of the result. */
static uint64_t spread_bits(uint32_t value)
{
    uint64_t x = value;
    x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x << 2)) & 0x3333333333333333ULL;
    x = (x | (x << 1)) & 0x5555555555555555ULL;
    return x;
}

/* The even bits of value gathered into the low 32 bits. */
static uint64_t gather_bits(uint64_t value)
{
    uint64_t x = value & 0x5555555555555555ULL;
    x = (x | (x >> 1)) & 0x3333333333333333ULL;
    x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
    return x;
}

void geohash_redis_ranges(geohash_range *longitude, geohash_range *latitude)
{
    longitude->min = GEOHASH_LONG_MIN;
    longitude->max = GEOHASH_LONG_MAX;
    latitude->min = GEOHASH_LAT_MIN;
    latitude->max = GEOHASH_LAT_MAX;
}

int geohash_encode(const geohash_range *longitude_range, const geohash_range *latitude_range,
                   double longitude, double latitude, int step, geohash_cell *cell)
{
    if (step > 32 || step == 0 || (latitude_range->min == 0 && latitude_range->max == 0) ||
        (longitude_range->min == 0 && longitude_range->max == 0))
        return 0;
    if (longitude > GEOHASH_LONG_MAX || longitude < GEOHASH_LONG_MIN ||
        latitude > GEOHASH_LAT_MAX || latitude < GEOHASH_LAT_MIN)
        return 0;
    cell->bits = 0;
    cell->step = (uint8_t)step;
    if (latitude < latitude_range->min || latitude > latitude_range->max ||
        longitude < longitude_range->min || longitude > longitude_range->max)
        return 0;
    double latitude_offset =
        (latitude - latitude_range->min) / (latitude_range->max - latitude_range->min);
    double longitude_offset =
        (longitude - longitude_range->min) / (longitude_range->max - longitude_range->min);
    latitude_offset *= (double)(1ULL << step);
    longitude_offset *= (double)(1ULL << step);
    cell->bits =
        spread_bits((uint32_t)latitude_offset) | (spread_bits((uint32_t)longitude_offset) << 1);
    return 1;
}

int geohash_encode_redis(double longitude, double latitude, int step, geohash_cell *cell)
{
    geohash_range longitude_range, latitude_range;
    geohash_redis_ranges(&longitude_range, &latitude_range);
    return geohash_encode(&longitude_range, &latitude_range, longitude, latitude, step, cell);
}

int geohash_decode(const geohash_range *longitude_range, const geohash_range *latitude_range,
                   geohash_cell cell, geohash_area *area)
{
    if (geohash_cell_is_none(cell) || (latitude_range->min == 0 && latitude_range->max == 0) ||
        (longitude_range->min == 0 && longitude_range->max == 0))
        return 0;
    area->cell = cell;
    double cells = (double)(1ULL << cell.step);
    double latitude_scale = latitude_range->max - latitude_range->min;
    double longitude_scale = longitude_range->max - longitude_range->min;
    uint32_t row = (uint32_t)gather_bits(cell.bits);
    uint32_t column = (uint32_t)gather_bits(cell.bits >> 1);
    area->latitude.min = latitude_range->min + (row * 1.0 / cells) * latitude_scale;
    area->latitude.max = latitude_range->min + ((row + 1) * 1.0 / cells) * latitude_scale;
    area->longitude.min = longitude_range->min + (column * 1.0 / cells) * longitude_scale;
    area->longitude.max = longitude_range->min + ((column + 1) * 1.0 / cells) * longitude_scale;
    return 1;
}

void geohash_area_centre(const geohash_area *area, double *xy)
{
    xy[0] = (area->longitude.min + area->longitude.max) / 2;
    if (xy[0] > GEOHASH_LONG_MAX)
        xy[0] = GEOHASH_LONG_MAX;
    if (xy[0] < GEOHASH_LONG_MIN)
        xy[0] = GEOHASH_LONG_MIN;
    xy[1] = (area->latitude.min + area->latitude.max) / 2;
    if (xy[1] > GEOHASH_LAT_MAX)
        xy[1] = GEOHASH_LAT_MAX;
    if (xy[1] < GEOHASH_LAT_MIN)
        xy[1] = GEOHASH_LAT_MIN;
}

/* cvttsd2si: a double truncated to a 64-bit integer, INT64_MIN when it
 * does not fit. */
static uint64_t truncate_as_x86(double x)
{
    if (x >= -9223372036854775808.0 && x < 9223372036854775808.0)
        return (uint64_t)(int64_t)x;
    return UINT64_C(0x8000000000000000);
}

/* What Redis's (uint64_t)score gives as gcc compiles it for x86-64, without
 * C's undefined behaviour for scores that are negative or past 2^64: GEOPOS
 * of a member that ZADD gave such a score answers as Redis does. */
static uint64_t score_bits(double score)
{
    if (score < 9223372036854775808.0)
        return truncate_as_x86(score);
    return truncate_as_x86(score - 9223372036854775808.0) ^ UINT64_C(0x8000000000000000);
}

int geohash_decode_score(double score, double *xy)
{
    geohash_cell cell = {.bits = score_bits(score), .step = GEOHASH_STEP_MAX};
    geohash_range longitude_range, latitude_range;
    geohash_redis_ranges(&longitude_range, &latitude_range);
    geohash_area area;
    if (!geohash_decode(&longitude_range, &latitude_range, cell, &area))
        return 0;
    geohash_area_centre(&area, xy);
    return 1;
}

/* One column east (direction 1) or west (-1): the odd bits count. */
static void move_column(geohash_cell *cell, int direction)
{
    if (direction == 0)
        return;
    uint64_t columns = cell->bits & 0xaaaaaaaaaaaaaaaaULL;
    uint64_t rows = cell->bits & 0x5555555555555555ULL;
    uint64_t gaps = 0x5555555555555555ULL >> (64 - cell->step * 2);
    if (direction > 0) {
        columns = columns + (gaps + 1);
    } else {
        columns = columns | gaps;
        columns = columns - (gaps + 1);
    }
    columns &= (0xaaaaaaaaaaaaaaaaULL >> (64 - cell->step * 2));
    cell->bits = columns | rows;
}

/* One row north (direction 1) or south (-1): the even bits count. */
static void move_row(geohash_cell *cell, int direction)
{
    if (direction == 0)
        return;
    uint64_t columns = cell->bits & 0xaaaaaaaaaaaaaaaaULL;
    uint64_t rows = cell->bits & 0x5555555555555555ULL;
    uint64_t gaps = 0xaaaaaaaaaaaaaaaaULL >> (64 - cell->step * 2);
    if (direction > 0) {
        rows = rows + (gaps + 1);
    } else {
        rows = rows | gaps;
        rows = rows - (gaps + 1);
    }
    rows &= (0x5555555555555555ULL >> (64 - cell->step * 2));
    cell->bits = columns | rows;
}

static geohash_cell moved(const geohash_cell *cell, int east, int north)
{
    geohash_cell result = *cell;
    move_column(&result, east);
    move_row(&result, north);
    return result;
}

void geohash_neighbours_of(const geohash_cell *cell, geohash_neighbours *neighbours)
{
    neighbours->east = moved(cell, 1, 0);
    neighbours->west = moved(cell, -1, 0);
    neighbours->south = moved(cell, 0, -1);
    neighbours->north = moved(cell, 0, 1);
    neighbours->north_west = moved(cell, -1, 1);
    neighbours->south_west = moved(cell, -1, -1);
    neighbours->north_east = moved(cell, 1, 1);
    neighbours->south_east = moved(cell, 1, -1);
}

uint64_t geohash_align52(geohash_cell cell)
{
    return cell.bits << (52 - cell.step * 2);
}

int geohash_standard_text(double score, char text[12])
{
    static const char alphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
    double xy[2];
    if (!geohash_decode_score(score, xy))
        return 0;
    geohash_range longitude_range = {-180, 180}, latitude_range = {-90, 90};
    geohash_cell cell = {0, 0};
    geohash_encode(&longitude_range, &latitude_range, xy[0], xy[1], GEOHASH_STEP_MAX, &cell);
    for (int i = 0; i < 11; i++) {
        /* 52 bits make ten characters and two bits: the eleventh is '0',
         * as Redis's output has always been. */
        unsigned index = i == 10 ? 0 : (unsigned)((cell.bits >> (52 - ((i + 1) * 5))) & 0x1f);
        text[i] = alphabet[index];
    }
    text[11] = '\0';
    return 1;
}
