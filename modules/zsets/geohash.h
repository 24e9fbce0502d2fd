/*
 * geohash.h - the 52-bit geohash geo keeps as the score of each point, as
 * Redis 7.0 computes it (geohash.c, geohash_helper.c).
 *
 * A cell of step s splits the longitude range into 2^s columns and the
 * latitude range into 2^s rows; its bits interleave the row number (even
 * bits) with the column number (odd bits), so cells that are near on the
 * map tend to be near in score order, and a cell of step s covers exactly
 * the 52-bit scores [bits << (52-2s), (bits+1) << (52-2s)).  Points are
 * stored at step 26 over Redis's ranges: longitude -180..180 and latitude
 * -85.05112878..85.05112878 (the Web Mercator square).  GEOHASH re-encodes
 * over the standard -90..90 latitude range.
 *
 * The arithmetic follows Redis's step by step (truncating casts, the order
 * of the floating-point operations), because replies must be byte-exact.
 */
#ifndef ZSETS_GEOHASH_H
#define ZSETS_GEOHASH_H

#include <stdint.h>

#define GEOHASH_STEP_MAX 26 /* 26 * 2 = 52 bits */
#define GEOHASH_LAT_MIN -85.05112878
#define GEOHASH_LAT_MAX 85.05112878
#define GEOHASH_LONG_MIN -180.0
#define GEOHASH_LONG_MAX 180.0

/* A cell: its interleaved bits at a step (bits 0 and step 0: "no cell"). */
typedef struct geohash_cell {
    uint64_t bits;
    uint8_t step;
} geohash_cell;

typedef struct geohash_range {
    double min, max;
} geohash_range;

/* A cell with the coordinates it spans. */
typedef struct geohash_area {
    geohash_cell cell;
    geohash_range longitude, latitude;
} geohash_area;

/* The eight cells around a cell, at the same step. */
typedef struct geohash_neighbours {
    geohash_cell north, east, west, south;
    geohash_cell north_east, south_east, north_west, south_west;
} geohash_neighbours;

static inline int geohash_cell_is_none(geohash_cell cell)
{
    return cell.bits == 0 && cell.step == 0;
}

/* Redis's coordinate ranges (the latitude one is the Mercator square's). */
void geohash_redis_ranges(geohash_range *longitude, geohash_range *latitude);

/* The cell of step (1..32) holding the point; 0 (cell bits 0) when the
 * point is outside Redis's limits or the ranges given. */
int geohash_encode(const geohash_range *longitude_range, const geohash_range *latitude_range,
                   double longitude, double latitude, int step, geohash_cell *cell);
/* geohash_encode over Redis's ranges. */
int geohash_encode_redis(double longitude, double latitude, int step, geohash_cell *cell);

/* The coordinates a cell spans; 0 for "no cell". */
int geohash_decode(const geohash_range *longitude_range, const geohash_range *latitude_range,
                   geohash_cell cell, geohash_area *area);

/* The centre of an area, clamped to Redis's limits: xy[0] longitude,
 * xy[1] latitude. */
void geohash_area_centre(const geohash_area *area, double *xy);

/* The point a stored score names (its step-26 cell's centre), as Redis's
 * decodeGeohash: 1 with xy set. */
int geohash_decode_score(double score, double *xy);

/* The eight cells around cell. */
void geohash_neighbours_of(const geohash_cell *cell, geohash_neighbours *neighbours);

/* The cell's bits moved to the top of 52 bits: the lowest score inside. */
uint64_t geohash_align52(geohash_cell cell);

/* The 11-character standard geohash of a stored score (GEOHASH), written
 * to text[0..11) with a NUL; 0 when the score does not decode. */
int geohash_standard_text(double score, char text[12]);

#endif
