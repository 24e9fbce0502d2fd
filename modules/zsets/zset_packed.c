/*
 * zset_packed.c - reading and placing the member/score pairs of packed
 * sorted sets (see zset_packed.h).
 */
#include "zset_packed.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zset_order.h"

packed_list *zpk_create(size_t room_bytes)
{
    return packed_list_create(ZSET_ENCODING_PACKED,
                              PACKED_LIST_BOTH_WAYS | PACKED_LIST_COPY_ON_GROW, room_bytes);
}

size_t zpk_score_text(double score, char *text)
{
    /* Redis 7.0's double2ll: an integral score within half the range of a
     * long long is stored as that integer (so -0 reads back as 0)... */
    if (score >= (double)(-LLONG_MAX / 2) && score <= (double)(LLONG_MAX / 2)) {
        long long integral = (long long)score;
        if ((double)integral == score)
            return dblite_format_long_long(text, ZSET_SCORE_TEXT_SIZE, integral);
    }
    /* ...and anything else as d2string writes it. */
    int length = isinf(score)
                     ? snprintf(text, ZSET_SCORE_TEXT_SIZE, "%s", score > 0 ? "inf" : "-inf")
                     : snprintf(text, ZSET_SCORE_TEXT_SIZE, "%.17g", score);
    return length > 0 ? (size_t)length : 0;
}

void zpk_prepare_score(packed_value *value, double score, char *text)
{
    /* A score text is short: it always fits a packed list. */
    (void)packed_value_prepare(value, text, zpk_score_text(score, text));
}

static double entry_score(const packed_entry *entry)
{
    if (entry->string == NULL)
        return (double)entry->integer;
    char text[ZSET_SCORE_TEXT_SIZE + 96];
    size_t length = entry->length < sizeof text - 1 ? entry->length : sizeof text - 1;
    memcpy(text, entry->string, length);
    text[length] = '\0';
    return strtod(text, NULL);
}

double zpk_score_at(const packed_list *list, size_t member_position)
{
    packed_entry entry;
    packed_list_read(list, packed_list_next(list, member_position), &entry);
    return entry_score(&entry);
}

/* A member entry as bytes: text, or an integer spelled into digits. */
static dblite_bytes entry_member(const packed_entry *entry, char *digits)
{
    dblite_bytes member;
    if (entry->string != NULL) {
        member.ptr = (const char *)entry->string;
        member.len = entry->length;
    } else {
        member.ptr = digits;
        member.len = dblite_format_long_long(digits, DBLITE_LONG_LONG_TEXT_SIZE, entry->integer);
    }
    return member;
}

void zpk_read(const packed_list *list, size_t member_position, zset_entry *entry)
{
    packed_entry member, score;
    size_t score_position = packed_list_read_next(list, member_position, &member);
    packed_list_read(list, score_position, &score);
    entry->member = entry_member(&member, entry->digits);
    entry->score = entry_score(&score);
}

size_t zpk_next(const packed_list *list, size_t member_position)
{
    size_t score_position = packed_list_next(list, member_position);
    return score_position ? packed_list_next(list, score_position) : 0;
}

size_t zpk_prev(const packed_list *list, size_t member_position)
{
    size_t score_position = packed_list_prev(list, member_position);
    return score_position ? packed_list_prev(list, score_position) : 0;
}

size_t zpk_find(const packed_list *list, dblite_bytes member, double *score)
{
    packed_value probe;
    packed_value_text(&probe, member.ptr, member.len);
    size_t position = packed_list_find(list, 0, &probe, 1);
    if (position != 0 && score != NULL)
        *score = zpk_score_at(list, position);
    return position;
}

size_t zpk_insert_position(const packed_list *list, dblite_bytes member, double score)
{
    for (size_t position = packed_list_first(list); position != 0;
         position = zpk_next(list, position)) {
        zset_entry entry;
        zpk_read(list, position, &entry);
        if (zset_comes_before(score, member.ptr, member.len, entry.score, entry.member.ptr,
                              entry.member.len))
            return position;
    }
    return 0;
}

int zpk_insert(packed_list **list, dblite_bytes member, double score)
{
    char text[ZSET_SCORE_TEXT_SIZE];
    packed_value pair[2];
    packed_value_text(&pair[0], member.ptr, member.len);
    zpk_prepare_score(&pair[1], score, text);
    size_t position = zpk_insert_position(*list, member, score);
    return packed_list_insert_all(list, position, pair, 2);
}

size_t zpk_pair_size(const packed_list *list, dblite_bytes member, double score)
{
    char text[ZSET_SCORE_TEXT_SIZE];
    packed_value pair[2];
    packed_value_text(&pair[0], member.ptr, member.len);
    zpk_prepare_score(&pair[1], score, text);
    return packed_list_value_size(list, &pair[0]) + packed_list_value_size(list, &pair[1]);
}
