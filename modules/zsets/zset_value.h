/*
 * zset_value.h - the in-memory representation of a sorted set, and every
 * operation the sorted-set commands (and geo, which lives on sorted sets)
 * build on.
 *
 * Two encodings, as in Redis 7.0:
 *  - packed: one packed_list of member, score, member, score... in
 *    ascending (score, member) order, while there are at most
 *    max_packed_entries members and none is longer than max_packed_value
 *    bytes.  Members are stored as text (so byte ranges can be handed out);
 *    scores are stored through packed_value_prepare (integral scores as
 *    integer entries, the others as their 17-digit text), as Redis does.
 *  - skiplist: a skiplist ordered by (score, member bytes) whose nodes know
 *    their span, so rank queries are O(log n), plus an element_table from
 *    member to node for O(1) score lookups.
 * A set converts to the skiplist when it outgrows the limits; only a
 * computed result (ZUNIONSTORE and friends, zset_value_fit_encoding) goes
 * back to packed.
 *
 * Order is Redis's: by score, ties by memcmp of the member bytes (shorter
 * first when one is a prefix of the other).  Ranks count from 0 at the
 * lowest score; "reverse" ranks count from 0 at the highest.
 *
 * The core sees an opaque pointer whose first byte names the encoding.
 * Edits that can move the value go through a value_holder.  Byte ranges
 * handed out (zset_entry.member) stay valid until the set is next edited.
 * Functions that allocate return DBLITE_ERR_NOMEM with the set unchanged
 * when memory runs out.
 */
#ifndef ZSETS_ZSET_VALUE_H
#define ZSETS_ZSET_VALUE_H

#include <stddef.h>

#include "common/value_holder.h"
#include "dblite_module.h"

typedef struct zset_value zset_value;

#define ZSET_ENCODING_PACKED 1
#define ZSET_ENCODING_SKIPLIST 2

typedef struct zset_limits {
    size_t max_packed_entries;
    size_t max_packed_value;
} zset_limits;

/* Redis 7.0's defaults (zset-max-listpack-entries 128,
 * zset-max-listpack-value 64); also what snapshot loading uses when no
 * settings reach it. */
#define ZSET_DEFAULT_MAX_PACKED_ENTRIES 128
#define ZSET_DEFAULT_MAX_PACKED_VALUE 64
static inline zset_limits zset_default_limits(void)
{
    zset_limits limits = {ZSET_DEFAULT_MAX_PACKED_ENTRIES, ZSET_DEFAULT_MAX_PACKED_VALUE};
    return limits;
}

/* A member and its score as read from a set.  member may point into
 * digits (a packed member read back from an integer entry): do not copy
 * the struct, pass it by pointer. */
typedef struct zset_entry {
    dblite_bytes member;
    double score;
    char digits[24];
} zset_entry;

/* A score interval: [min, max], either end exclusive ("(1"). */
typedef struct zset_score_range {
    double min, max;
    int min_exclusive, max_exclusive;
} zset_score_range;

/* A lexicographic interval as ZRANGEBYLEX gives it: each end is a member
 * (inclusive "[a" or exclusive "(a"), or unbounded ("-" as min, "+" as
 * max; "+" as min or "-" as max give an empty range). */
#define ZSET_LEX_BOUNDED 0
#define ZSET_LEX_MINUS_INFINITY 1 /* "-" */
#define ZSET_LEX_PLUS_INFINITY 2  /* "+" */
typedef struct zset_lex_range {
    dblite_bytes min, max; /* meaningful for ZSET_LEX_BOUNDED ends */
    int min_kind, max_kind;
    int min_exclusive, max_exclusive;
} zset_lex_range;

/* Whether score lies above the range's min / below its max. */
int zset_score_above_min(const zset_score_range *range, double score);
int zset_score_below_max(const zset_score_range *range, double score);
static inline int zset_score_in_range(const zset_score_range *range, double score)
{
    return zset_score_above_min(range, score) && zset_score_below_max(range, score);
}
int zset_lex_above_min(const zset_lex_range *range, dblite_bytes member);
int zset_lex_below_max(const zset_lex_range *range, dblite_bytes member);
static inline int zset_lex_in_range(const zset_lex_range *range, dblite_bytes member)
{
    return zset_lex_above_min(range, member) && zset_lex_below_max(range, member);
}

/* ---- life ---- */

/* An empty set whose encoding suits expected members none longer than
 * longest bytes (packed when both fit the limits).  NULL on OOM. */
zset_value *zset_value_create(const zset_limits *limits, size_t expected, size_t longest);

int zset_value_encoding(const zset_value *zset);
size_t zset_value_length(const zset_value *zset);

/* Type methods. */
void zset_value_free(void *zset);
void *zset_value_copy(const void *zset);
size_t zset_value_memory_usage(const void *zset);

/* ---- members ---- */

/* 1 with *score set when member is in the set, else 0. */
int zset_value_score(const zset_value *zset, dblite_bytes member, double *score);

/* Flags of zset_value_add, as ZADD's options. */
#define ZSET_ADD_NX 0x01   /* only add new members */
#define ZSET_ADD_XX 0x02   /* only update existing members */
#define ZSET_ADD_GT 0x04   /* update only when the new score is greater */
#define ZSET_ADD_LT 0x08   /* update only when the new score is lower */
#define ZSET_ADD_INCR 0x10 /* add score to the current one (0 when new) */

/* What zset_value_add did (*outcome). */
#define ZSET_ADD_OUT_NOP 0     /* nothing: NX/XX/GT/LT said no, or same score */
#define ZSET_ADD_OUT_ADDED 1   /* a new member */
#define ZSET_ADD_OUT_UPDATED 2 /* an existing member got another score */
#define ZSET_ADD_OUT_NAN 3     /* INCR made the score NaN: nothing changed */

/* Redis's zsetAdd: adds or updates member in holder->current, converting
 * the encoding as limits say.  score must not be NaN.  *new_score (may be
 * NULL) receives the member's score afterwards (with INCR: the sum) when
 * the outcome is ADDED, UPDATED, or NOP for an existing member.
 * DBLITE_OK with *outcome set, or DBLITE_ERR_NOMEM with nothing changed. */
int zset_value_add(value_holder *holder, const zset_limits *limits, dblite_bytes member,
                   double score, int flags, int *outcome, double *new_score);

/* Removes member in place (the block never moves); 1 when it was there. */
int zset_value_remove(zset_value *zset, dblite_bytes member);

/* After removals: a smaller block when a packed set wastes most of its
 * room (through holder; nothing happens when memory is short). */
void zset_value_trim(value_holder *holder);

/* A computed result about to be stored (ZUNIONSTORE, ZRANGESTORE...):
 * converted to packed when it fits the limits, as Redis's
 * zsetConvertToListpackIfNeeded does.  Nothing happens when memory is
 * short. */
void zset_value_fit_encoding(value_holder *holder, const zset_limits *limits);

/* ---- ranks ---- */

/* The rank of member (reverse: counted from the highest score), or -1
 * when absent; *score (may be NULL) receives its score. */
long long zset_value_rank(const zset_value *zset, dblite_bytes member, int reverse, double *score);

/* The entry at rank (< length; reverse: counted from the highest).
 * O(log n) for skiplists, a walk for packed sets. */
void zset_value_entry_at(const zset_value *zset, size_t rank, int reverse, zset_entry *entry);

/* Removes the members of ascending ranks start..end (inclusive, end <
 * length) in place; returns how many went.  Used for ZREMRANGEBY*, pops
 * and geo. */
size_t zset_value_delete_ranks(zset_value *zset, size_t start, size_t end);

/* ---- ranges ---- */

/* The rank (in the direction asked) of the first member inside range when
 * walking that way: ascending starts from the lowest member >= min,
 * reverse from the highest <= max.  1 with *rank set, 0 when no member is
 * in range.  O(log n) for skiplists. */
int zset_value_first_in_score_range(const zset_value *zset, const zset_score_range *range,
                                    int reverse, size_t *rank);
int zset_value_first_in_lex_range(const zset_value *zset, const zset_lex_range *range, int reverse,
                                  size_t *rank);

/* How many members lie in range (ZCOUNT, ZLEXCOUNT): O(log n) for
 * skiplists. */
size_t zset_value_count_in_score_range(const zset_value *zset, const zset_score_range *range);
size_t zset_value_count_in_lex_range(const zset_value *zset, const zset_lex_range *range);

/* ---- walking ---- */

/* Walks entries by rank from a starting rank, ascending or reverse.
 * O(1) per step for both encodings.  The set must not change meanwhile. */
typedef struct zset_iterator {
    const zset_value *zset;
    int reverse;
    size_t remaining; /* entries left to return */
    size_t position;  /* packed: offset of the next member entry */
    const void *node; /* skiplist: the next node */
} zset_iterator;

/* From rank start (in the walk's direction); a start past the end gives
 * an empty walk. */
void zset_iterator_init(zset_iterator *iterator, const zset_value *zset, size_t start, int reverse);
/* 1 with the next entry, 0 at the end. */
int zset_iterator_next(zset_iterator *iterator, zset_entry *entry);

/* ZSCAN: for a packed set, every entry and a next cursor of 0; for a
 * skiplist, about count entries from cursor on with Redis SCAN's
 * guarantee (every member present for the whole scan is returned at least
 * once) and the next cursor (0 when done).  visit is called per entry. */
typedef void (*zset_visit_fn)(const zset_entry *entry, void *privdata);
unsigned long long zset_value_scan(const zset_value *zset, unsigned long long cursor, size_t count,
                                   zset_visit_fn visit, void *privdata);

/* ---- added by zcore after the skeleton ---- */

/* ZSET_ADD_OUT_NOP covers two cases Redis's ZADD tells apart: a refusal
 * (NX, XX, GT or LT said no: not "processed", ZADD INCR replies nil) and
 * an existing member given its own score again (processed: ZADD INCR and
 * ZINCRBY ... 0 reply the score).  This tells which from the flags and
 * whether zset_value_add wrote *new_score, which it does not for an
 * absent member refused by XX (pre-set *new_score to NaN: a written score
 * is never NaN).  1 for a refusal. */
static inline int zset_add_refused(int flags, int outcome, int new_score_written)
{
    if (outcome != ZSET_ADD_OUT_NOP)
        return 0;
    if (!new_score_written)
        return 1;
    return (flags & (ZSET_ADD_NX | ZSET_ADD_GT | ZSET_ADD_LT)) != 0;
}

/* Added by zperf: an iterator started directly at the first member inside
 * a score or lex range in the walk's direction (ascending: the lowest
 * member >= min; reverse: the highest <= max), offset members further on:
 * one descent of the skiplist, as Redis's zslFirstInRange / zslLastInRange
 * (a second descent by rank only for offsets beyond a few dozen members),
 * a walk for packed sets.  The walk then runs to the end of the set: the
 * caller stops at the range's far end.  1 with *rank (may be NULL) the
 * start's rank in the walk's direction; 0, and an empty walk, when no
 * member is in range or offset reaches past the end of the set.  Lex
 * ranges follow zset_value_first_in_lex_range on sets of mixed scores. */
int zset_iterator_init_score(zset_iterator *iterator, const zset_value *zset,
                             const zset_score_range *range, int reverse, size_t offset,
                             size_t *rank);
int zset_iterator_init_lex(zset_iterator *iterator, const zset_value *zset,
                           const zset_lex_range *range, int reverse, size_t offset, size_t *rank);

/* Added by zperf, for loading sets that arrive in order: when the set is
 * packed, (member, score) comes after its last member and the pair fits
 * the limits, appends it without searching (*appended = 1); otherwise
 * changes nothing (*appended = 0) and the caller adds it the usual way.
 * member must be absent: the caller rules out duplicates.  DBLITE_OK, or
 * DBLITE_ERR_NOMEM with nothing changed. */
int zset_value_append(value_holder *holder, const zset_limits *limits, dblite_bytes member,
                      double score, int *appended);

#endif
