/*
 * zset_range.h - reading the range arguments of the sorted-set commands:
 * score intervals (ZCOUNT, ZRANGEBYSCORE, ZREMRANGEBYSCORE...) and
 * lexicographic intervals (ZLEXCOUNT, ZRANGEBYLEX...), with Redis 7.0's
 * rules (zslParseRange, zslParseLexRange) and error replies.
 *
 * A score bound is a double as strtod reads it, optionally preceded by '('
 * for an exclusive end: "inf", "+inf", "-inf", "1e3", " 2" (leading
 * spaces pass, as in Redis), "(" alone (0, exclusive); NaN is refused.  A
 * lex bound is "[member" (inclusive), "(member" (exclusive), "-" or "+".
 * The lex range points into the arguments: valid while they are.
 */
#ifndef ZSETS_ZSET_RANGE_H
#define ZSETS_ZSET_RANGE_H

#include "dblite_module.h"
#include "zset_value.h"

#define ZSET_SCORE_RANGE_ERROR "ERR min or max is not a float"
#define ZSET_LEX_RANGE_ERROR "ERR min or max not valid string range item"

/* One score bound.  DBLITE_OK, DBLITE_ERR_INVALID (not a float, NaN) or
 * DBLITE_ERR_NOMEM (a bound too long for the stack and no memory). */
int zset_parse_score_bound(dblite_bytes argument, double *value, int *exclusive);

/* Both ends of a score interval.  DBLITE_OK, or DBLITE_ERR after replying
 * ZSET_SCORE_RANGE_ERROR (or out of memory). */
int zset_parse_score_range_or_reply(dblite_ctx *ctx, dblite_bytes min, dblite_bytes max,
                                    zset_score_range *range);

/* One lex bound: *kind is ZSET_LEX_BOUNDED with *member and *exclusive
 * set, or ZSET_LEX_MINUS_INFINITY / ZSET_LEX_PLUS_INFINITY.  DBLITE_OK or
 * DBLITE_ERR_INVALID. */
int zset_parse_lex_bound(dblite_bytes argument, dblite_bytes *member, int *kind, int *exclusive);

/* Both ends of a lex interval.  DBLITE_OK, or DBLITE_ERR after replying
 * ZSET_LEX_RANGE_ERROR. */
int zset_parse_lex_range_or_reply(dblite_ctx *ctx, dblite_bytes min, dblite_bytes max,
                                  zset_lex_range *range);

#endif
