/*
 * geo_commands.c - Redis's geo family on sorted sets: GEOADD, GEODIST,
 * GEOHASH, GEOPOS, GEOSEARCH, GEOSEARCHSTORE and the older GEORADIUS,
 * GEORADIUSBYMEMBER (with STORE/STOREDIST) and their _RO variants.
 *
 * A point is a member whose score is its 52-bit geohash (geohash.h); the
 * searches find the cells around the centre and keep the points inside
 * the shape (geo_search.h).  All the searching commands share one parser
 * and one body, geo_search_generic, as in Redis 7.0 (georadiusGeneric):
 * the order in which it validates arguments decides which error a client
 * sees, so it is kept step by step.  Replies: distances as "%.4f" bulk
 * strings, coordinates as Redis's "human" long doubles, hashes as
 * integers.  Keyspace events: "zadd" after GEOADD's reply (it is ZADD in
 * Redis); "georadiusstore" / "geosearchstore" for a stored result, or
 * "del" when a store empties its key, before the reply, as Redis orders
 * them.  GEOADD is propagated as received (Redis rewrites it to ZADD;
 * replaying either gives the same set).
 */
#include <stdio.h>

#include "common/collection_access.h"
#include "geo_search.h"
#include "geo_sort.h"
#include "geohash.h"
#include "zset_access.h"
#include "zsets.h"

/* ---- argument helpers ---- */

/* Longitude and latitude from argv[0..1].  DBLITE_OK, or DBLITE_ERR after
 * replying. */
static int parse_point_or_reply(dblite_ctx *ctx, const dblite_bytes *argv, double *xy)
{
    for (int i = 0; i < 2; i++) {
        if (dblite_parse_double(argv[i], &xy[i]) != DBLITE_OK) {
            dblite_reply_error(ctx, "ERR value is not a valid float");
            return DBLITE_ERR;
        }
    }
    if (xy[0] < GEOHASH_LONG_MIN || xy[0] > GEOHASH_LONG_MAX || xy[1] < GEOHASH_LAT_MIN ||
        xy[1] > GEOHASH_LAT_MAX) {
        dblite_reply_error_format(ctx, "ERR invalid longitude,latitude pair %f,%f", xy[0], xy[1]);
        return DBLITE_ERR;
    }
    return DBLITE_OK;
}

/* The size of a unit in metres, or -1 after replying. */
static double parse_unit_or_reply(dblite_ctx *ctx, dblite_bytes unit)
{
    if (dblite_bytes_equal_nocase(unit, "m"))
        return 1;
    if (dblite_bytes_equal_nocase(unit, "km"))
        return 1000;
    if (dblite_bytes_equal_nocase(unit, "ft"))
        return 0.3048;
    if (dblite_bytes_equal_nocase(unit, "mi"))
        return 1609.34;
    dblite_reply_error(ctx, "ERR unsupported unit provided. please use M, KM, FT, MI");
    return -1;
}

/* A non-negative number, replying error (Redis's message for it) when the
 * argument is not one. */
static int parse_number_or_reply(dblite_ctx *ctx, dblite_bytes argument, const char *error,
                                 double *value)
{
    if (dblite_parse_double(argument, value) != DBLITE_OK) {
        dblite_reply_error(ctx, error);
        return DBLITE_ERR;
    }
    return DBLITE_OK;
}

/* "radius unit" at argv[0..1] into shape (a circle). */
static int parse_radius_or_reply(dblite_ctx *ctx, const dblite_bytes *argv, geo_shape *shape)
{
    double radius;
    if (parse_number_or_reply(ctx, argv[0], "ERR need numeric radius", &radius) != DBLITE_OK)
        return DBLITE_ERR;
    if (radius < 0) {
        dblite_reply_error(ctx, "ERR radius cannot be negative");
        return DBLITE_ERR;
    }
    shape->radius = radius;
    double conversion = parse_unit_or_reply(ctx, argv[1]);
    if (conversion < 0)
        return DBLITE_ERR;
    shape->conversion = conversion;
    return DBLITE_OK;
}

/* "width height unit" at argv[0..2] into shape (a box). */
static int parse_box_or_reply(dblite_ctx *ctx, const dblite_bytes *argv, geo_shape *shape)
{
    double width, height;
    if (parse_number_or_reply(ctx, argv[0], "ERR need numeric width", &width) != DBLITE_OK ||
        parse_number_or_reply(ctx, argv[1], "ERR need numeric height", &height) != DBLITE_OK)
        return DBLITE_ERR;
    if (height < 0 || width < 0) {
        dblite_reply_error(ctx, "ERR height or width cannot be negative");
        return DBLITE_ERR;
    }
    shape->height = height;
    shape->width = width;
    double conversion = parse_unit_or_reply(ctx, argv[2]);
    if (conversion < 0)
        return DBLITE_ERR;
    shape->conversion = conversion;
    return DBLITE_OK;
}

/* The position of member in zset: 1 with xy set, 0 when it is not there. */
static int member_position(const zset_value *zset, dblite_bytes member, double *xy)
{
    double score;
    return zset_value_score(zset, member, &score) && geohash_decode_score(score, xy);
}

/* A distance in the reply's unit: a bulk string with four decimals, in
 * both protocols. */
static void reply_distance(dblite_ctx *ctx, double distance)
{
    char text[512];
    int length = snprintf(text, sizeof text, "%.4f", distance);
    if (length < 0 || (size_t)length >= sizeof text)
        length = 0;
    dblite_reply_bulk(ctx, text, (size_t)length);
}

static void reply_position(dblite_ctx *ctx, const double *xy)
{
    dblite_reply_array(ctx, 2);
    dblite_reply_human_long_double(ctx, xy[0]);
    dblite_reply_human_long_double(ctx, xy[1]);
}

/* ---- GEOADD ---- */

/* Redis runs GEOADD as the ZADD it amounts to, and so logs and replicates
 * that ZADD: the options as given, then each point's 52-bit score as an
 * integer and its member.  Short of memory the GEOADD itself goes out,
 * which replays to the same set. */
static void propagate_as_zadd(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int first,
                              const double *scores)
{
    int elements = (argc - first) / 3;
    int zadd_argc = first + 2 * elements;
    dblite_bytes *zadd = dblite_alloc((size_t)zadd_argc * sizeof *zadd);
    char(*digits)[24] = dblite_alloc((size_t)elements * sizeof *digits);
    if (zadd != NULL && digits != NULL) {
        zadd[0] = (dblite_bytes){"zadd", 4}; /* Redis writes it in lower case */
        for (int i = 1; i < first; i++)
            zadd[i] = argv[i];
        for (int i = 0; i < elements; i++) {
            size_t length =
                dblite_format_long_long(digits[i], sizeof digits[i], (long long)scores[i]);
            zadd[first + 2 * i] = (dblite_bytes){digits[i], length};
            zadd[first + 2 * i + 1] = argv[first + i * 3 + 2];
        }
        collection_propagate_as(ctx, zadd_argc, zadd);
    }
    dblite_free(digits);
    dblite_free(zadd);
}

static void geoadd_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    int flags = 0, changed = 0, first = 2;
    for (; first < argc; first++) {
        if (dblite_bytes_equal_nocase(argv[first], "nx"))
            flags |= ZSET_ADD_NX;
        else if (dblite_bytes_equal_nocase(argv[first], "xx"))
            flags |= ZSET_ADD_XX;
        else if (dblite_bytes_equal_nocase(argv[first], "ch"))
            changed = 1;
        else
            break;
    }
    int elements = (argc - first) / 3;
    if ((argc - first) % 3 != 0 || elements == 0 ||
        (flags & (ZSET_ADD_NX | ZSET_ADD_XX)) == (ZSET_ADD_NX | ZSET_ADD_XX)) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    double *scores = dblite_alloc((size_t)elements * sizeof *scores);
    if (scores == NULL) {
        collection_reply_out_of_memory(ctx);
        return;
    }
    size_t longest = 0;
    for (int i = 0; i < elements; i++) {
        const dblite_bytes *item = argv + first + i * 3;
        double xy[2];
        if (parse_point_or_reply(ctx, item, xy) != DBLITE_OK) {
            dblite_free(scores);
            return;
        }
        geohash_cell cell = {0, 0};
        geohash_encode_redis(xy[0], xy[1], GEOHASH_STEP_MAX, &cell);
        scores[i] = (double)geohash_align52(cell);
        if (item[2].len > longest)
            longest = item[2].len;
    }

    value_holder holder;
    if (zset_open_for_write(ctx, argv[1], &holder) != DBLITE_OK) {
        dblite_free(scores);
        return;
    }
    zset_limits limits = zsets_limits(zsets_state_of(ctx));
    if (holder.current == NULL) {
        if (flags & ZSET_ADD_XX) {
            dblite_free(scores);
            dblite_reply_integer(ctx, 0);
            return;
        }
        holder.current = zset_value_create(&limits, (size_t)elements, longest);
        if (holder.current == NULL) {
            dblite_free(scores);
            collection_reply_out_of_memory(ctx);
            return;
        }
    }
    long long added = 0, updated = 0;
    int failed = 0;
    for (int i = 0; i < elements && !failed; i++) {
        int outcome;
        if (zset_value_add(&holder, &limits, argv[first + i * 3 + 2], scores[i], flags, &outcome,
                           NULL) != DBLITE_OK)
            failed = 1;
        else if (outcome == ZSET_ADD_OUT_ADDED)
            added++;
        else if (outcome == ZSET_ADD_OUT_UPDATED)
            updated++;
    }
    if (added + updated == 0 && holder.current == holder.stored) {
        dblite_free(scores);
        if (failed)
            collection_reply_out_of_memory(ctx);
        else
            dblite_reply_integer(ctx, 0);
        return;
    }
    if (added + updated == 0 && holder.stored == NULL) {
        /* A new set that received nothing (out of memory at once). */
        dblite_free(scores);
        zset_value_free(holder.current);
        collection_reply_out_of_memory(ctx);
        return;
    }
    if (zset_commit_or_reply(ctx, argv[1], &holder) != DBLITE_OK) {
        dblite_free(scores);
        return;
    }
    propagate_as_zadd(ctx, argc, argv, first, scores);
    dblite_free(scores);
    /* As ZADD: the reply, then the event. */
    if (failed)
        collection_reply_out_of_memory(ctx);
    else
        dblite_reply_integer(ctx, changed ? added + updated : added);
    if (added + updated > 0)
        zset_notify(ctx, "zadd", argv[1]);
}

/* ---- GEODIST, GEOHASH, GEOPOS ---- */

static void geodist_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    double to_meters = 1;
    if (argc == 5) {
        to_meters = parse_unit_or_reply(ctx, argv[4]);
        if (to_meters < 0)
            return;
    } else if (argc > 5) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    zset_value *zset;
    if (zset_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &zset) != DBLITE_OK)
        return;
    double first[2], second[2];
    if (zset == NULL || !member_position(zset, argv[2], first) ||
        !member_position(zset, argv[3], second)) {
        dblite_reply_null(ctx);
        return;
    }
    reply_distance(ctx, geo_distance(first[0], first[1], second[0], second[1]) / to_meters);
}

static void geohash_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    zset_value *zset;
    if (zset_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &zset) != DBLITE_OK)
        return;
    dblite_reply_array(ctx, argc - 2);
    for (int i = 2; i < argc; i++) {
        double score;
        char text[12];
        if (zset == NULL || !zset_value_score(zset, argv[i], &score) ||
            !geohash_standard_text(score, text))
            dblite_reply_null(ctx);
        else
            dblite_reply_bulk(ctx, text, 11);
    }
}

static void geopos_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    zset_value *zset;
    if (zset_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &zset) != DBLITE_OK)
        return;
    dblite_reply_array(ctx, argc - 2);
    for (int i = 2; i < argc; i++) {
        double xy[2];
        if (zset == NULL || !member_position(zset, argv[i], xy))
            dblite_reply_null_array(ctx);
        else
            reply_position(ctx, xy);
    }
}

/* ---- the searches ---- */

/* Which command geo_search_generic runs (Redis's flags). */
#define SEARCH_FROM_POINT 0x01  /* GEORADIUS: key longitude latitude radius unit */
#define SEARCH_FROM_MEMBER 0x02 /* GEORADIUSBYMEMBER: key member radius unit */
#define SEARCH_NO_STORE 0x04    /* the _RO variants: no STORE/STOREDIST */
#define SEARCH_GEOSEARCH 0x08   /* GEOSEARCH's FROM.../BY... arguments */
#define SEARCH_STORE 0x10       /* GEOSEARCHSTORE: destination first, STOREDIST flag */

#define SORT_NONE 0
#define SORT_ASC 1
#define SORT_DESC 2

/* What the options asked. */
typedef struct search_options {
    int with_distance, with_hash, with_coordinates;
    int from_member, from_point, by_radius, by_box;
    int sort;
    int any;
    long long count;
    const dblite_bytes *store_key;
    int store_distance;
} search_options;

/* Parses the options from argv[first..argc) as georadiusGeneric does;
 * FROMMEMBER and FROMLONLAT fill shape->xy (a FROMMEMBER of a missing key
 * is only noted).  DBLITE_OK, or DBLITE_ERR after replying. */
static int parse_search_options(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int first,
                                int flags, const zset_value *zset, geo_shape *shape,
                                search_options *options)
{
    int search = (flags & SEARCH_GEOSEARCH) != 0;
    int may_store = !(flags & SEARCH_NO_STORE) && !search;
    for (int i = first; i < argc; i++) {
        dblite_bytes option = argv[i];
        int left = argc - i - 1; /* arguments after this one */
        if (dblite_bytes_equal_nocase(option, "withdist")) {
            options->with_distance = 1;
        } else if (dblite_bytes_equal_nocase(option, "withhash")) {
            options->with_hash = 1;
        } else if (dblite_bytes_equal_nocase(option, "withcoord")) {
            options->with_coordinates = 1;
        } else if (dblite_bytes_equal_nocase(option, "any")) {
            options->any = 1;
        } else if (dblite_bytes_equal_nocase(option, "asc")) {
            options->sort = SORT_ASC;
        } else if (dblite_bytes_equal_nocase(option, "desc")) {
            options->sort = SORT_DESC;
        } else if (dblite_bytes_equal_nocase(option, "count") && left >= 1) {
            if (dblite_parse_long_long(argv[i + 1], &options->count) != DBLITE_OK) {
                dblite_reply_not_integer(ctx);
                return DBLITE_ERR;
            }
            if (options->count <= 0) {
                dblite_reply_error(ctx, "ERR COUNT must be > 0");
                return DBLITE_ERR;
            }
            i++;
        } else if (dblite_bytes_equal_nocase(option, "store") && left >= 1 && may_store) {
            options->store_key = &argv[i + 1];
            options->store_distance = 0;
            i++;
        } else if (dblite_bytes_equal_nocase(option, "storedist") && left >= 1 && may_store) {
            options->store_key = &argv[i + 1];
            options->store_distance = 1;
            i++;
        } else if (dblite_bytes_equal_nocase(option, "storedist") && search &&
                   (flags & SEARCH_STORE)) {
            options->store_distance = 1;
        } else if (dblite_bytes_equal_nocase(option, "frommember") && left >= 1 && search &&
                   !options->from_point) {
            if (zset != NULL && !member_position(zset, argv[i + 1], shape->xy)) {
                dblite_reply_error(ctx, "ERR could not decode requested zset member");
                return DBLITE_ERR;
            }
            options->from_member = 1;
            i++;
        } else if (dblite_bytes_equal_nocase(option, "fromlonlat") && left >= 2 && search &&
                   !options->from_member) {
            if (parse_point_or_reply(ctx, argv + i + 1, shape->xy) != DBLITE_OK)
                return DBLITE_ERR;
            options->from_point = 1;
            i += 2;
        } else if (dblite_bytes_equal_nocase(option, "byradius") && left >= 2 && search &&
                   !options->by_box) {
            if (parse_radius_or_reply(ctx, argv + i + 1, shape) != DBLITE_OK)
                return DBLITE_ERR;
            shape->type = GEO_SHAPE_CIRCLE;
            options->by_radius = 1;
            i += 2;
        } else if (dblite_bytes_equal_nocase(option, "bybox") && left >= 3 && search &&
                   !options->by_radius) {
            if (parse_box_or_reply(ctx, argv + i + 1, shape) != DBLITE_OK)
                return DBLITE_ERR;
            shape->type = GEO_SHAPE_BOX;
            options->by_box = 1;
            i += 3;
        } else {
            dblite_reply_syntax_error(ctx);
            return DBLITE_ERR;
        }
    }
    return DBLITE_OK;
}

/* The checks between options, in Redis's order.  DBLITE_OK, or DBLITE_ERR
 * after replying. */
static int check_search_options(dblite_ctx *ctx, const dblite_bytes *argv, int flags,
                                const search_options *options)
{
    if (options->store_key != NULL &&
        (options->with_distance || options->with_hash || options->with_coordinates)) {
        dblite_reply_error_format(
            ctx, "ERR %s is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
            (flags & SEARCH_STORE) ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS");
        return DBLITE_ERR;
    }
    if ((flags & SEARCH_GEOSEARCH) && !(options->from_member || options->from_point)) {
        dblite_reply_error_format(
            ctx, "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for %.*s",
            (int)argv[0].len, argv[0].ptr);
        return DBLITE_ERR;
    }
    if ((flags & SEARCH_GEOSEARCH) && !(options->by_radius || options->by_box)) {
        dblite_reply_error_format(ctx,
                                  "ERR exactly one of BYRADIUS and BYBOX can be specified for %.*s",
                                  (int)argv[0].len, argv[0].ptr);
        return DBLITE_ERR;
    }
    if (options->any && options->count == 0) {
        dblite_reply_error(ctx, "ERR the ANY argument requires COUNT argument");
        return DBLITE_ERR;
    }
    return DBLITE_OK;
}

static void reply_points(dblite_ctx *ctx, const geo_result *result, size_t returned,
                         const geo_shape *shape, const search_options *options)
{
    int extras = options->with_distance + options->with_hash + options->with_coordinates;
    dblite_reply_array(ctx, (long long)returned);
    for (size_t i = 0; i < returned; i++) {
        const geo_point *point = &result->points[i];
        if (extras > 0)
            dblite_reply_array(ctx, extras + 1);
        dblite_reply_bulk(ctx, geo_point_member(result, point), point->member_length);
        if (options->with_distance)
            reply_distance(ctx, point->distance / shape->conversion);
        if (options->with_hash)
            dblite_reply_integer(ctx, (long long)point->score);
        if (options->with_coordinates) {
            double xy[2] = {point->longitude, point->latitude};
            reply_position(ctx, xy);
        }
    }
}

/* Installs a search's result under key, or deletes key when it is empty,
 * and replies the result's size.  Unlike zset_store_result the events come
 * before the reply, as georadiusGeneric emits them.  Takes ownership of
 * result. */
static void store_result(dblite_ctx *ctx, dblite_bytes key, zset_value *result, const char *event)
{
    long long length = (long long)zset_value_length(result);
    if (length == 0) {
        zset_value_free(result);
        if (dblite_key_delete(ctx, key))
            dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "del", key);
        dblite_reply_integer(ctx, 0);
        return;
    }
    zsets_state *state = zsets_state_of(ctx);
    zset_limits limits = zsets_limits(state);
    value_holder holder;
    value_holder_init(&holder, NULL, zset_value_free);
    holder.current = result;
    zset_value_fit_encoding(&holder, &limits);
    int status = dblite_key_set(ctx, key, state->type, holder.current, DBLITE_SET_DEFAULT);
    if (status == DBLITE_ERR_NOMEM) {
        collection_reply_out_of_memory(ctx);
    } else if (status != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR could not store the key");
    } else {
        zset_notify(ctx, event, key);
        dblite_reply_integer(ctx, length);
    }
}

/* Stores the first returned points under key (scores: their hashes, or
 * their distances in the search's unit), replying their number. */
static void store_points(dblite_ctx *ctx, dblite_bytes key, const geo_result *result,
                         size_t returned, const geo_shape *shape, const search_options *options,
                         int flags)
{
    size_t longest = 0;
    for (size_t i = 0; i < returned; i++)
        if (result->points[i].member_length > longest)
            longest = result->points[i].member_length;
    zset_value *created = zset_create_result_or_reply(ctx, returned, longest);
    if (created == NULL)
        return;
    value_holder holder;
    value_holder_init(&holder, created, zset_value_free);
    holder.stored = NULL;
    zset_limits limits = zsets_limits(zsets_state_of(ctx));
    for (size_t i = 0; i < returned; i++) {
        const geo_point *point = &result->points[i];
        double score = options->store_distance ? point->distance / shape->conversion : point->score;
        dblite_bytes member = {geo_point_member(result, point), point->member_length};
        int outcome;
        if (zset_value_add(&holder, &limits, member, score, 0, &outcome, NULL) != DBLITE_OK) {
            zset_value_free(holder.current);
            collection_reply_out_of_memory(ctx);
            return;
        }
    }
    store_result(ctx, key, holder.current,
                 (flags & SEARCH_GEOSEARCH) ? "geosearchstore" : "georadiusstore");
}

/* Redis's georadiusGeneric: the source set at argv[source]. */
static void geo_search_generic(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int source,
                               int flags)
{
    zset_value *zset;
    if (zset_lookup_or_reply(ctx, argv[source], DBLITE_LOOKUP_READ, &zset) != DBLITE_OK)
        return;

    geo_shape shape = {0};
    search_options options = {0};
    int first_option;
    if (flags & SEARCH_FROM_POINT) {
        first_option = 6;
        shape.type = GEO_SHAPE_CIRCLE;
        if (parse_point_or_reply(ctx, argv + 2, shape.xy) != DBLITE_OK ||
            parse_radius_or_reply(ctx, argv + 4, &shape) != DBLITE_OK)
            return;
    } else if (flags & SEARCH_FROM_MEMBER) {
        /* Of a missing key nothing is checked but the options: the reply
         * is empty anyway. */
        first_option = 5;
        if (zset != NULL) {
            shape.type = GEO_SHAPE_CIRCLE;
            if (!member_position(zset, argv[2], shape.xy)) {
                dblite_reply_error(ctx, "ERR could not decode requested zset member");
                return;
            }
            if (parse_radius_or_reply(ctx, argv + 3, &shape) != DBLITE_OK)
                return;
        }
    } else {
        first_option = (flags & SEARCH_STORE) ? 3 : 2;
        if (flags & SEARCH_STORE)
            options.store_key = &argv[1];
    }
    if (parse_search_options(ctx, argc, argv, first_option, flags, zset, &shape, &options) !=
            DBLITE_OK ||
        check_search_options(ctx, argv, flags, &options) != DBLITE_OK)
        return;

    if (zset == NULL) {
        if (options.store_key != NULL) {
            zset_value *empty = zset_create_result_or_reply(ctx, 0, 0);
            if (empty != NULL)
                store_result(ctx, *options.store_key, empty, "georadiusstore");
        } else {
            dblite_reply_array(ctx, 0);
        }
        return;
    }
    /* COUNT needs the nearest points: ascending unless ANY said any. */
    if (options.count != 0 && options.sort == SORT_NONE && !options.any)
        options.sort = SORT_ASC;

    geo_cover cover;
    geo_search_cover(&shape, &cover);
    geo_result result;
    geo_result_init(&result);
    if (geo_search_collect(zset, &shape, &cover, options.any ? (size_t)options.count : 0,
                           &result) != DBLITE_OK) {
        geo_result_free(&result);
        collection_reply_out_of_memory(ctx);
        return;
    }
    if (result.used == 0 && options.store_key == NULL) {
        geo_result_free(&result);
        dblite_reply_array(ctx, 0);
        return;
    }
    size_t returned = result.used;
    if (options.count != 0 && (size_t)options.count < returned)
        returned = (size_t)options.count;
    if (options.sort != SORT_NONE)
        geo_sort_points(result.points, result.used, returned, options.sort == SORT_DESC);
    if (options.store_key == NULL)
        reply_points(ctx, &result, returned, &shape, &options);
    else
        store_points(ctx, *options.store_key, &result, returned, &shape, &options, flags);
    geo_result_free(&result);
}

static void georadius_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    geo_search_generic(ctx, argc, argv, 1, SEARCH_FROM_POINT);
}

static void georadius_ro_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    geo_search_generic(ctx, argc, argv, 1, SEARCH_FROM_POINT | SEARCH_NO_STORE);
}

static void georadiusbymember_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    geo_search_generic(ctx, argc, argv, 1, SEARCH_FROM_MEMBER);
}

static void georadiusbymember_ro_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    geo_search_generic(ctx, argc, argv, 1, SEARCH_FROM_MEMBER | SEARCH_NO_STORE);
}

static void geosearch_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    geo_search_generic(ctx, argc, argv, 1, SEARCH_GEOSEARCH);
}

static void geosearchstore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    geo_search_generic(ctx, argc, argv, 2, SEARCH_GEOSEARCH | SEARCH_STORE);
}

/* ---- the table ---- */

#define RADIUS_OPTIONS                                                              \
    "[WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC] [STORE key] " \
    "[STOREDIST key]"
#define RADIUS_RO_OPTIONS "[WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC]"
#define SEARCH_ARGUMENTS                                                                \
    "FROMMEMBER member|FROMLONLAT longitude latitude BYRADIUS radius M|KM|FT|MI|BYBOX " \
    "width height M|KM|FT|MI [ASC|DESC] [COUNT count [ANY]]"

static const dblite_command_spec geo_commands[] = {
    GEO_COMMAND(.name = "geoadd", .arity = -5, .flags = "write deny-oom", ZSET_KEYS(1, 1, 1),
                .handler = geoadd_command,
                .summary = "Add one or more geospatial items in the geospatial index represented "
                           "using a sorted set",
                .since = "3.2.0",
                .arguments = "key [NX|XX] [CH] longitude latitude member [longitude latitude "
                             "member ...]"),
    GEO_COMMAND(.name = "geodist", .arity = -4, .flags = "readonly", ZSET_KEYS(1, 1, 1),
                .handler = geodist_command,
                .summary = "Returns the distance between two members of a geospatial index",
                .since = "3.2.0", .arguments = "key member1 member2 [M|KM|FT|MI]"),
    GEO_COMMAND(.name = "geohash", .arity = -2, .flags = "readonly", ZSET_KEYS(1, 1, 1),
                .handler = geohash_command,
                .summary = "Returns members of a geospatial index as standard geohash strings",
                .since = "3.2.0", .arguments = "key [member [member ...]]"),
    GEO_COMMAND(.name = "geopos", .arity = -2, .flags = "readonly", ZSET_KEYS(1, 1, 1),
                .handler = geopos_command,
                .summary = "Returns longitude and latitude of members of a geospatial index",
                .since = "3.2.0", .arguments = "key [member [member ...]]"),
    GEO_COMMAND(.name = "georadius", .arity = -6, .flags = "write deny-oom", ZSET_KEYS(1, 1, 1),
                .handler = georadius_command,
                .summary = "Query a sorted set representing a geospatial index to fetch members "
                           "matching a given maximum distance from a point",
                .since = "3.2.0",
                .arguments = "key longitude latitude radius M|KM|FT|MI " RADIUS_OPTIONS),
    GEO_COMMAND(.name = "georadiusbymember", .arity = -5, .flags = "write deny-oom",
                ZSET_KEYS(1, 1, 1), .handler = georadiusbymember_command,
                .summary = "Query a sorted set representing a geospatial index to fetch members "
                           "matching a given maximum distance from a member",
                .since = "3.2.0", .arguments = "key member radius M|KM|FT|MI " RADIUS_OPTIONS),
    GEO_COMMAND(.name = "georadius_ro", .arity = -6, .flags = "readonly", ZSET_KEYS(1, 1, 1),
                .handler = georadius_ro_command, .summary = "A read-only variant for GEORADIUS",
                .since = "3.2.10",
                .arguments = "key longitude latitude radius M|KM|FT|MI " RADIUS_RO_OPTIONS),
    GEO_COMMAND(.name = "georadiusbymember_ro", .arity = -5, .flags = "readonly",
                ZSET_KEYS(1, 1, 1), .handler = georadiusbymember_ro_command,
                .summary = "A read-only variant for GEORADIUSBYMEMBER", .since = "3.2.10",
                .arguments = "key member radius M|KM|FT|MI " RADIUS_RO_OPTIONS),
    GEO_COMMAND(.name = "geosearch", .arity = -7, .flags = "readonly", ZSET_KEYS(1, 1, 1),
                .handler = geosearch_command,
                .summary = "Query a sorted set representing a geospatial index to fetch members "
                           "inside an area of a box or a circle.",
                .since = "6.2.0",
                .arguments = "key " SEARCH_ARGUMENTS " [WITHCOORD] [WITHDIST] [WITHHASH]"),
    GEO_COMMAND(.name = "geosearchstore", .arity = -8, .flags = "write deny-oom",
                ZSET_KEYS(1, 2, 1), .handler = geosearchstore_command,
                .summary = "Query a sorted set representing a geospatial index to fetch members "
                           "inside an area of a box or a circle, and store the result in "
                           "another key.",
                .since = "6.2.0",
                .arguments = "destination source " SEARCH_ARGUMENTS " [STOREDIST]"),
};

int zsets_register_geo(dblite_module *module)
{
    return dblite_command_register_table(module, geo_commands, DBLITE_ARRAY_LENGTH(geo_commands));
}
