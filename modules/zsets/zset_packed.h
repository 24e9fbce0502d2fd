/*
 * zset_packed.h - the small encoding of sorted sets: one packed_list of
 * member, score, member, score... in ascending order, like Redis's
 * listpack zsets (t_zset.c's zzl* functions).
 *
 * The list walks both ways (reverse ranges step back in O(1)) and grows by
 * copy, so removals never move the block the keyspace holds.  Members are
 * stored as text (reads hand out their bytes); scores as Redis 7.0's
 * zzlInsertAt writes them, through packed_value_prepare: integral scores
 * within +-2^62 as an integer entry (so -0 reads back as 0, as in Redis),
 * the others as their "%.17g" text ("inf", "-inf" spelled out).
 *
 * Positions are those of packed_list.h; a "member position" names the
 * member entry of a pair, its score follows.
 */
#ifndef ZSETS_ZSET_PACKED_H
#define ZSETS_ZSET_PACKED_H

#include <stddef.h>

#include "common/packed_list.h"
#include "zset_value.h"

/* Room for Redis's d2string text of a score. */
#define ZSET_SCORE_TEXT_SIZE 32

/* An empty list with room_bytes of room; NULL on OOM. */
packed_list *zpk_create(size_t room_bytes);

static inline size_t zpk_length(const packed_list *list)
{
    return packed_list_count(list) / 2;
}

/* The text a score is stored as (zzlInsertAt's double2ll, else d2string:
 * integral scores within +-2^62 in integer form, "inf", "-inf", else
 * "%.17g"); returns its length. */
size_t zpk_score_text(double score, char *text);

/* The score entry for score, its text written into text. */
void zpk_prepare_score(packed_value *value, double score, char *text);

/* The score of the pair whose member is at member_position. */
double zpk_score_at(const packed_list *list, size_t member_position);

/* Reads the pair at member_position into entry. */
void zpk_read(const packed_list *list, size_t member_position, zset_entry *entry);

/* The member position of the next / previous pair, 0 if none. */
size_t zpk_next(const packed_list *list, size_t member_position);
size_t zpk_prev(const packed_list *list, size_t member_position);
static inline size_t zpk_last(const packed_list *list)
{
    return packed_list_count(list) ? packed_list_seek(list, -2) : 0;
}

/* The member position of member (with *score when not NULL), or 0. */
size_t zpk_find(const packed_list *list, dblite_bytes member, double *score);

/* The member position before which (score, member) goes, 0 for the end. */
size_t zpk_insert_position(const packed_list *list, dblite_bytes member, double score);

/* Inserts the pair (member absent) at its place.  DBLITE_OK or
 * DBLITE_ERR_NOMEM with the list untouched. */
int zpk_insert(packed_list **list, dblite_bytes member, double score);

/* Bytes the pair would take in list. */
size_t zpk_pair_size(const packed_list *list, dblite_bytes member, double score);

#endif
