/*
 * zset_value.c - the two sorted-set encodings behind one interface
 * (zset_value.h), and the conversions between them.
 *
 * Packed: a packed_list tagged ZSET_ENCODING_PACKED (zset_packed.h).
 * Skiplist: a zset_skiplist, whose first byte is ZSET_ENCODING_SKIPLIST
 * (zset_skiplist.h).  This file decides when a set changes encoding, as
 * Redis's zsetAdd and zsetConvertToListpackIfNeeded do, and turns the
 * skiplist's 1-based ranks into the 0-based ranks of the interface.
 */
#include "zset_value.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "common/packed_list.h"
#include "zset_order.h"
#include "zset_packed.h"
#include "zset_skiplist.h"

struct zset_value {
    uint8_t encoding;
};

/* Bytes reserved per expected pair of a new packed set beyond its member
 * text: back-sizes and a score. */
#define PAIR_OVERHEAD 12
/* The most room a new packed set reserves from its hints. */
#define PACKED_ROOM_LIMIT ((size_t)1 << 16)

static inline packed_list *as_packed(zset_value *zset)
{
    return (packed_list *)zset;
}

static inline const packed_list *as_const_packed(const zset_value *zset)
{
    return (const packed_list *)zset;
}

static inline zset_skiplist *as_skiplist(zset_value *zset)
{
    return (zset_skiplist *)zset;
}

static inline const zset_skiplist *as_const_skiplist(const zset_value *zset)
{
    return (const zset_skiplist *)zset;
}

static inline int is_packed(const zset_value *zset)
{
    return zset->encoding == ZSET_ENCODING_PACKED;
}

static void node_entry(const zsl_node *node, zset_entry *entry)
{
    entry->member = zsl_member(node);
    entry->score = zsl_score(node);
}

/* ---- ranges --------------------------------------------------------------- */

int zset_score_above_min(const zset_score_range *range, double score)
{
    return range->min_exclusive ? score > range->min : score >= range->min;
}

int zset_score_below_max(const zset_score_range *range, double score)
{
    return range->max_exclusive ? score < range->max : score <= range->max;
}

int zset_lex_above_min(const zset_lex_range *range, dblite_bytes member)
{
    if (range->min_kind == ZSET_LEX_MINUS_INFINITY)
        return 1;
    if (range->min_kind == ZSET_LEX_PLUS_INFINITY)
        return 0;
    int order = zset_member_compare(member.ptr, member.len, range->min.ptr, range->min.len);
    return range->min_exclusive ? order > 0 : order >= 0;
}

int zset_lex_below_max(const zset_lex_range *range, dblite_bytes member)
{
    if (range->max_kind == ZSET_LEX_PLUS_INFINITY)
        return 1;
    if (range->max_kind == ZSET_LEX_MINUS_INFINITY)
        return 0;
    int order = zset_member_compare(member.ptr, member.len, range->max.ptr, range->max.len);
    return range->max_exclusive ? order < 0 : order <= 0;
}

/* ---- life ----------------------------------------------------------------- */

static int packed_allowed(const zset_limits *limits, size_t count, size_t longest)
{
    return count <= limits->max_packed_entries && longest <= limits->max_packed_value &&
           count <= PACKED_LIST_MAX_COUNT / 2;
}

zset_value *zset_value_create(const zset_limits *limits, size_t expected, size_t longest)
{
    if (packed_allowed(limits, expected, longest)) {
        /* Hints reserve room, within reason: a packed set grows as needed. */
        size_t room = expected * (packed_list_text_size(longest) + PAIR_OVERHEAD);
        return (zset_value *)zpk_create(room < PACKED_ROOM_LIMIT ? room : PACKED_ROOM_LIMIT);
    }
    return (zset_value *)zsl_create(expected);
}

int zset_value_encoding(const zset_value *zset)
{
    return zset->encoding;
}

size_t zset_value_length(const zset_value *zset)
{
    return is_packed(zset) ? zpk_length(as_const_packed(zset))
                           : zsl_length(as_const_skiplist(zset));
}

void zset_value_free(void *opaque)
{
    zset_value *zset = opaque;
    if (is_packed(zset))
        packed_list_free(as_packed(zset));
    else
        zsl_destroy(as_skiplist(zset));
}

void *zset_value_copy(const void *opaque)
{
    const zset_value *zset = opaque;
    if (is_packed(zset))
        return packed_list_copy(as_const_packed(zset));
    return zsl_copy(as_const_skiplist(zset));
}

size_t zset_value_memory_usage(const void *opaque)
{
    const zset_value *zset = opaque;
    if (is_packed(zset))
        return packed_list_allocated(as_const_packed(zset));
    return zsl_memory(as_const_skiplist(zset));
}

/* ---- conversions ------------------------------------------------------------ */

/* A skiplist holding the pairs of list, with room for extra more. */
static zset_skiplist *packed_to_skiplist(const packed_list *list, size_t extra)
{
    zset_skiplist *zsl = zsl_create(zpk_length(list) + extra);
    if (zsl == NULL)
        return NULL;
    for (size_t position = packed_list_first(list); position != 0;
         position = zpk_next(list, position)) {
        zset_entry entry;
        zpk_read(list, position, &entry);
        if (zsl_insert(zsl, entry.member, entry.score) != DBLITE_OK) {
            zsl_destroy(zsl);
            return NULL;
        }
    }
    return zsl;
}

/* A copy-on-grow list that moved left its old block behind: the list
 * being built here is ours alone, so the old block goes. */
static void adopt_moved(packed_list *before, packed_list *after)
{
    if (after != before)
        packed_list_free(before);
}

/* A packed list holding the pairs of zsl (in order); NULL on OOM. */
static packed_list *skiplist_to_packed(const zset_skiplist *zsl, size_t payload)
{
    packed_list *list = zpk_create(payload);
    if (list == NULL)
        return NULL;
    for (const zsl_node *node = zsl_first(zsl); node != NULL; node = zsl_forward(node, 0)) {
        char text[ZSET_SCORE_TEXT_SIZE];
        packed_value pair[2];
        dblite_bytes member = zsl_member(node);
        packed_value_text(&pair[0], member.ptr, member.len);
        zpk_prepare_score(&pair[1], zsl_score(node), text);
        packed_list *before = list;
        if (packed_list_insert_all(&list, 0, pair, 2) != DBLITE_OK) {
            packed_list_free(list);
            return NULL;
        }
        adopt_moved(before, list);
    }
    packed_list *before = list;
    packed_list_shrink_to_fit(&list);
    adopt_moved(before, list);
    return list;
}

void zset_value_fit_encoding(value_holder *holder, const zset_limits *limits)
{
    zset_value *zset = holder->current;
    if (is_packed(zset))
        return;
    const zset_skiplist *zsl = as_const_skiplist(zset);
    size_t length = zsl_length(zsl);
    if (!packed_allowed(limits, length, 0))
        return;
    size_t longest = 0, payload = 0;
    for (const zsl_node *node = zsl_first(zsl); node != NULL; node = zsl_forward(node, 0)) {
        if (node->key_length > longest)
            longest = node->key_length;
        payload += packed_list_text_size(node->key_length) + PAIR_OVERHEAD;
    }
    if (!packed_allowed(limits, length, longest) || payload > PACKED_LIST_MAX_BYTES / 2)
        return;
    packed_list *list = skiplist_to_packed(zsl, payload);
    if (list != NULL)
        value_holder_update(holder, list);
}

void zset_value_trim(value_holder *holder)
{
    zset_value *zset = holder->current;
    if (!is_packed(zset))
        return;
    packed_list *list = as_packed(zset);
    packed_list_shrink_if_sparse(&list);
    value_holder_update(holder, list);
}

/* ---- members ------------------------------------------------------------------ */

int zset_value_score(const zset_value *zset, dblite_bytes member, double *score)
{
    if (is_packed(zset))
        return zpk_find(as_const_packed(zset), member, score) != 0;
    const zsl_node *node = zsl_find(as_const_skiplist(zset), member);
    if (node == NULL)
        return 0;
    *score = zsl_score(node);
    return 1;
}

/* Gives the pair at position (of member) a new score, keeping the order:
 * the score entry is replaced when the pair stays where it is, else the
 * pair is inserted at its new place before the old one goes, so a failure
 * leaves the set as it was. */
static int packed_update(value_holder *holder, size_t position, dblite_bytes member, double score)
{
    packed_list *list = holder->current;
    size_t target = zpk_insert_position(list, member, score);
    size_t following = zpk_next(list, position);
    if (target == position || target == following) {
        char text[ZSET_SCORE_TEXT_SIZE];
        packed_value value;
        zpk_prepare_score(&value, score, text);
        if (packed_list_replace(&list, packed_list_next(list, position), &value) != DBLITE_OK)
            return DBLITE_ERR_NOMEM;
        value_holder_update(holder, list);
        return DBLITE_OK;
    }
    size_t old_bytes = packed_list_bytes(list);
    size_t offset = position - packed_list_start(list);
    int moves = target != 0 && target < position;
    char text[ZSET_SCORE_TEXT_SIZE];
    packed_value pair[2];
    packed_value_text(&pair[0], member.ptr, member.len);
    zpk_prepare_score(&pair[1], score, text);
    if (packed_list_insert_all(&list, target, pair, 2) != DBLITE_OK)
        return DBLITE_ERR_NOMEM;
    size_t inserted = packed_list_bytes(list) - old_bytes;
    (void)packed_list_delete(&list, packed_list_start(list) + offset + (moves ? inserted : 0), 2);
    value_holder_update(holder, list);
    return DBLITE_OK;
}

/* Adds a new member to a packed set, converting it when the pair would
 * break the limits (as zsetAdd checks before inserting). */
static int packed_add(value_holder *holder, const zset_limits *limits, dblite_bytes member,
                      double score)
{
    packed_list *list = holder->current;
    size_t length = zpk_length(list);
    if (packed_allowed(limits, length + 1, member.len) &&
        packed_list_fits(list, 2, zpk_pair_size(list, member, score))) {
        if (zpk_insert(&list, member, score) != DBLITE_OK)
            return DBLITE_ERR_NOMEM;
        value_holder_update(holder, list);
        return DBLITE_OK;
    }
    zset_skiplist *zsl = packed_to_skiplist(list, 1);
    if (zsl == NULL)
        return DBLITE_ERR_NOMEM;
    if (zsl_insert(zsl, member, score) != DBLITE_OK) {
        zsl_destroy(zsl);
        return DBLITE_ERR_NOMEM;
    }
    value_holder_update(holder, zsl);
    return DBLITE_OK;
}

int zset_value_add(value_holder *holder, const zset_limits *limits, dblite_bytes member,
                   double score, int flags, int *outcome, double *new_score)
{
    zset_value *zset = holder->current;
    double current;
    size_t position = 0;
    zsl_node *node = NULL;
    int found;
    if (is_packed(zset)) {
        position = zpk_find(as_packed(zset), member, &current);
        found = position != 0;
    } else {
        node = zsl_find(as_skiplist(zset), member);
        found = node != NULL;
        if (found)
            current = zsl_score(node);
    }
    if (!found) {
        if (flags & ZSET_ADD_XX) {
            *outcome = ZSET_ADD_OUT_NOP;
            return DBLITE_OK;
        }
        int status = is_packed(zset) ? packed_add(holder, limits, member, score)
                                     : zsl_insert(as_skiplist(zset), member, score);
        if (status != DBLITE_OK)
            return status;
        *outcome = ZSET_ADD_OUT_ADDED;
        if (new_score != NULL)
            *new_score = score;
        return DBLITE_OK;
    }
    if (new_score != NULL)
        *new_score = current;
    *outcome = ZSET_ADD_OUT_NOP;
    if (flags & ZSET_ADD_NX)
        return DBLITE_OK;
    if (flags & ZSET_ADD_INCR) {
        score += current;
        if (isnan(score)) {
            *outcome = ZSET_ADD_OUT_NAN;
            return DBLITE_OK;
        }
    }
    if (((flags & ZSET_ADD_LT) && score >= current) || ((flags & ZSET_ADD_GT) && score <= current))
        return DBLITE_OK;
    if (new_score != NULL)
        *new_score = score;
    if (score == current)
        return DBLITE_OK;
    if (is_packed(zset)) {
        if (packed_update(holder, position, member, score) != DBLITE_OK)
            return DBLITE_ERR_NOMEM;
    } else {
        zsl_update_score(as_skiplist(zset), node, score);
    }
    *outcome = ZSET_ADD_OUT_UPDATED;
    return DBLITE_OK;
}

int zset_value_append(value_holder *holder, const zset_limits *limits, dblite_bytes member,
                      double score, int *appended)
{
    *appended = 0;
    zset_value *zset = holder->current;
    if (!is_packed(zset))
        return DBLITE_OK;
    packed_list *list = as_packed(zset);
    size_t last = zpk_last(list);
    if (last != 0) {
        zset_entry entry;
        zpk_read(list, last, &entry);
        if (!zset_comes_before(entry.score, entry.member.ptr, entry.member.len, score, member.ptr,
                               member.len))
            return DBLITE_OK;
    }
    char text[ZSET_SCORE_TEXT_SIZE];
    packed_value pair[2];
    packed_value_text(&pair[0], member.ptr, member.len);
    zpk_prepare_score(&pair[1], score, text);
    size_t bytes = packed_list_value_size(list, &pair[0]) + packed_list_value_size(list, &pair[1]);
    if (!packed_allowed(limits, zpk_length(list) + 1, member.len) ||
        !packed_list_fits(list, 2, bytes))
        return DBLITE_OK;
    if (packed_list_insert_all(&list, 0, pair, 2) != DBLITE_OK)
        return DBLITE_ERR_NOMEM;
    value_holder_update(holder, list);
    *appended = 1;
    return DBLITE_OK;
}

int zset_value_remove(zset_value *zset, dblite_bytes member)
{
    if (is_packed(zset)) {
        packed_list *list = as_packed(zset);
        size_t position = zpk_find(list, member, NULL);
        if (position == 0)
            return 0;
        /* In place: a copy-on-grow list never moves on deletion. */
        (void)packed_list_delete(&list, position, 2);
        return 1;
    }
    zset_skiplist *zsl = as_skiplist(zset);
    zsl_node *node = zsl_find(zsl, member);
    if (node == NULL)
        return 0;
    zsl_delete_node(zsl, node);
    return 1;
}

/* ---- ranks ------------------------------------------------------------------------ */

long long zset_value_rank(const zset_value *zset, dblite_bytes member, int reverse, double *score)
{
    size_t length = zset_value_length(zset);
    size_t rank;
    if (is_packed(zset)) {
        const packed_list *list = as_const_packed(zset);
        size_t target = zpk_find(list, member, score);
        if (target == 0)
            return -1;
        rank = 0;
        for (size_t position = packed_list_first(list); position != target;
             position = zpk_next(list, position))
            rank++;
    } else {
        const zset_skiplist *zsl = as_const_skiplist(zset);
        const zsl_node *node = zsl_find(zsl, member);
        if (node == NULL)
            return -1;
        if (score != NULL)
            *score = zsl_score(node);
        rank = zsl_rank_of(zsl, node) - 1;
    }
    return (long long)(reverse ? length - 1 - rank : rank);
}

void zset_value_entry_at(const zset_value *zset, size_t rank, int reverse, zset_entry *entry)
{
    if (is_packed(zset)) {
        const packed_list *list = as_const_packed(zset);
        long long index = reverse ? -2 * (long long)rank - 2 : 2 * (long long)rank;
        zpk_read(list, packed_list_seek(list, index), entry);
        return;
    }
    const zset_skiplist *zsl = as_const_skiplist(zset);
    node_entry(zsl_node_at(zsl, reverse ? zsl_length(zsl) - rank : rank + 1), entry);
}

size_t zset_value_delete_ranks(zset_value *zset, size_t start, size_t end)
{
    if (is_packed(zset)) {
        packed_list *list = as_packed(zset);
        (void)packed_list_delete(&list, packed_list_seek(list, 2 * (long long)start),
                                 2 * (end - start + 1));
        return end - start + 1;
    }
    return zsl_delete_rank_range(as_skiplist(zset), start + 1, end + 1);
}

/* ---- range searches ------------------------------------------------------------------- */

/* What a range search needs to know about its range: whether an entry is
 * past the range's lower end, and before its upper end. */
typedef struct range_tests {
    int (*above_min)(const void *range, const zset_entry *entry);
    int (*below_max)(const void *range, const zset_entry *entry);
    const void *range;
} range_tests;

static int score_above_min(const void *range, const zset_entry *entry)
{
    return zset_score_above_min(range, entry->score);
}

static int score_below_max(const void *range, const zset_entry *entry)
{
    return zset_score_below_max(range, entry->score);
}

static int lex_above_min(const void *range, const zset_entry *entry)
{
    return zset_lex_above_min(range, entry->member);
}

static int lex_below_max(const void *range, const zset_entry *entry)
{
    return zset_lex_below_max(range, entry->member);
}

/* The skiplist descents (one pass from the top level down, as
 * zslFirstInRange / zslLastInRange): the last node below the range's min
 * (the header when none is), or the last node not past its max; *passed
 * is that node's 1-based rank (0 for the header). */
typedef const zsl_node *(*zsl_descent_fn)(const zset_skiplist *zsl, const void *range,
                                          size_t *passed);

/* The score descents test the bound inline: this loop is most of the
 * cost of a score range on a large set. */
static const zsl_node *last_below_min_score(const zset_skiplist *zsl, const void *opaque,
                                            size_t *passed)
{
    const zset_score_range *range = opaque;
    double min = range->min;
    int exclusive = range->min_exclusive;
    size_t traversed = 0;
    const zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        const zsl_node *next;
        while ((next = zsl_forward(x, i)) != NULL) {
            /* While next comes from memory, so does the node one level
             * down, where the descent goes when next is past min. */
            if (i > 0)
                __builtin_prefetch(zsl_forward(x, i - 1));
            if (i > 1)
                __builtin_prefetch(zsl_forward(x, i - 2));
            double score = zsl_score(next);
            if (exclusive ? score > min : score >= min)
                break;
            traversed += zsl_spans(x)[i];
            x = next;
        }
    }
    *passed = traversed;
    return x;
}

static const zsl_node *last_within_max_score(const zset_skiplist *zsl, const void *opaque,
                                             size_t *passed)
{
    const zset_score_range *range = opaque;
    double max = range->max;
    int exclusive = range->max_exclusive;
    size_t traversed = 0;
    const zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        const zsl_node *next;
        while ((next = zsl_forward(x, i)) != NULL) {
            double score = zsl_score(next);
            if (exclusive ? score >= max : score > max)
                break;
            traversed += zsl_spans(x)[i];
            x = next;
        }
    }
    *passed = traversed;
    return x;
}

static int node_below_min_lex(const void *range, const zsl_node *node)
{
    return !zset_lex_above_min(range, zsl_member(node));
}

static int node_below_max_lex(const void *range, const zsl_node *node)
{
    return zset_lex_below_max(range, zsl_member(node));
}

static const zsl_node *last_below_min_lex(const zset_skiplist *zsl, const void *range,
                                          size_t *passed)
{
    return zsl_last_before(zsl, node_below_min_lex, range, passed);
}

static const zsl_node *last_within_max_lex(const zset_skiplist *zsl, const void *range,
                                           size_t *passed)
{
    return zsl_last_before(zsl, node_below_max_lex, range, passed);
}

/* A range kind: its entry tests, and its skiplist descents. */
typedef struct range_search {
    range_tests tests;
    zsl_descent_fn below_min;
    zsl_descent_fn within_max;
} range_search;

static range_search score_search(const zset_score_range *range)
{
    range_search search = {
        {score_above_min, score_below_max, range}, last_below_min_score, last_within_max_score};
    return search;
}

static range_search lex_search(const zset_lex_range *range)
{
    range_search search = {
        {lex_above_min, lex_below_max, range}, last_below_min_lex, last_within_max_lex};
    return search;
}

/* The member position of the first pair in range walking that way, with
 * *rank its rank in that direction; 0 when no member is in range. */
static size_t packed_first_in_range(const packed_list *list, const range_tests *tests, int reverse,
                                    size_t *rank)
{
    size_t steps = 0;
    zset_entry entry;
    size_t position = reverse ? zpk_last(list) : packed_list_first(list);
    for (; position != 0;
         position = reverse ? zpk_prev(list, position) : zpk_next(list, position)) {
        zpk_read(list, position, &entry);
        if (reverse ? tests->below_max(tests->range, &entry)
                    : tests->above_min(tests->range, &entry))
            break;
        steps++;
    }
    if (position == 0 || !(reverse ? tests->above_min(tests->range, &entry)
                                   : tests->below_max(tests->range, &entry)))
        return 0;
    *rank = steps;
    return position;
}

/* The first node in range walking that way, with *rank its rank in that
 * direction; NULL when no member is in range. */
static const zsl_node *skiplist_first_in_range(const zset_skiplist *zsl, const range_search *search,
                                               int reverse, size_t *rank)
{
    size_t passed;
    zset_entry entry;
    const void *range = search->tests.range;
    if (!reverse) {
        const zsl_node *last = search->below_min(zsl, range, &passed);
        const zsl_node *first = zsl_forward(last, 0);
        if (first == NULL)
            return NULL;
        node_entry(first, &entry);
        if (!search->tests.below_max(range, &entry))
            return NULL;
        *rank = passed;
        return first;
    }
    const zsl_node *last = search->within_max(zsl, range, &passed);
    if (passed == 0)
        return NULL;
    node_entry(last, &entry);
    if (!search->tests.above_min(range, &entry))
        return NULL;
    *rank = zsl_length(zsl) - passed;
    return last;
}

static int first_in_range(const zset_value *zset, const range_search *search, int reverse,
                          size_t *rank)
{
    if (is_packed(zset))
        return packed_first_in_range(as_const_packed(zset), &search->tests, reverse, rank) != 0;
    return skiplist_first_in_range(as_const_skiplist(zset), search, reverse, rank) != NULL;
}

int zset_value_first_in_score_range(const zset_value *zset, const zset_score_range *range,
                                    int reverse, size_t *rank)
{
    range_search search = score_search(range);
    return first_in_range(zset, &search, reverse, rank);
}

/* zslIsInLexRange / zzlIsInLexRange: nothing is in range unless the last
 * member is past the range's min and the first before its max.  With
 * every score equal that follows from the order; on a set of mixed scores
 * (where lex ranges mean little) it decides, as in Redis. */
static int lex_range_reachable(const zset_value *zset, const zset_lex_range *range)
{
    if (zset_value_length(zset) == 0)
        return 0;
    zset_entry entry;
    zset_value_entry_at(zset, 0, 1, &entry);
    if (!zset_lex_above_min(range, entry.member))
        return 0;
    zset_value_entry_at(zset, 0, 0, &entry);
    return zset_lex_below_max(range, entry.member);
}

int zset_value_first_in_lex_range(const zset_value *zset, const zset_lex_range *range, int reverse,
                                  size_t *rank)
{
    if (!lex_range_reachable(zset, range))
        return 0;
    range_search search = lex_search(range);
    return first_in_range(zset, &search, reverse, rank);
}

/* From the first member in range each way: both ends' ranks. */
static size_t count_between(const zset_value *zset, int found_first, size_t first, int found_last,
                            size_t last_reverse)
{
    if (!found_first || !found_last)
        return 0;
    size_t last = zset_value_length(zset) - 1 - last_reverse;
    return last >= first ? last - first + 1 : 0;
}

size_t zset_value_count_in_score_range(const zset_value *zset, const zset_score_range *range)
{
    size_t first = 0, last = 0;
    int found_first = zset_value_first_in_score_range(zset, range, 0, &first);
    int found_last = found_first && zset_value_first_in_score_range(zset, range, 1, &last);
    return count_between(zset, found_first, first, found_last, last);
}

/* As ZLEXCOUNT counts (the same as the score version when all scores are
 * equal): a packed set walks from the first member in range while members
 * stay below the max; a skiplist takes the difference of the two ends'
 * ranks, which on a set of mixed scores can be "negative" (it wraps, and
 * Redis replies it as a negative integer: so does a caller casting to
 * long long). */
size_t zset_value_count_in_lex_range(const zset_value *zset, const zset_lex_range *range)
{
    size_t first;
    if (!zset_value_first_in_lex_range(zset, range, 0, &first))
        return 0;
    size_t length = zset_value_length(zset);
    if (is_packed(zset)) {
        size_t count = 0;
        zset_iterator iterator;
        zset_iterator_init(&iterator, zset, first, 0);
        zset_entry entry;
        while (zset_iterator_next(&iterator, &entry) && zset_lex_below_max(range, entry.member))
            count++;
        return count;
    }
    size_t count = length - first;
    size_t last_reverse;
    if (zset_value_first_in_lex_range(zset, range, 1, &last_reverse))
        count -= last_reverse;
    return count;
}

/* ---- walking ------------------------------------------------------------------------------ */

void zset_iterator_init(zset_iterator *iterator, const zset_value *zset, size_t start, int reverse)
{
    size_t length = zset_value_length(zset);
    iterator->zset = zset;
    iterator->reverse = reverse;
    iterator->remaining = start < length ? length - start : 0;
    iterator->position = 0;
    iterator->node = NULL;
    if (iterator->remaining == 0)
        return;
    if (is_packed(zset)) {
        long long index = reverse ? -2 * (long long)start - 2 : 2 * (long long)start;
        iterator->position = packed_list_seek(as_const_packed(zset), index);
    } else {
        const zset_skiplist *zsl = as_const_skiplist(zset);
        iterator->node = zsl_node_at(zsl, reverse ? length - start : start + 1);
    }
}

int zset_iterator_next(zset_iterator *iterator, zset_entry *entry)
{
    if (iterator->remaining == 0)
        return 0;
    iterator->remaining--;
    if (is_packed(iterator->zset)) {
        const packed_list *list = as_const_packed(iterator->zset);
        zpk_read(list, iterator->position, entry);
        if (iterator->remaining > 0)
            iterator->position = iterator->reverse ? zpk_prev(list, iterator->position)
                                                   : zpk_next(list, iterator->position);
        return 1;
    }
    const zsl_node *node = iterator->node;
    node_entry(node, entry);
    iterator->node = iterator->reverse ? zsl_backward(node) : zsl_forward(node, 0);
    return 1;
}

/* Offsets up to this many members are walked from a range's first
 * member; beyond, a second descent by rank is cheaper. */
#define OFFSET_WALK_LIMIT 32

/* The iterator of a range walk: from the first member in range that way,
 * offset members on, to the end of the set. */
static int range_iterator_init(zset_iterator *iterator, const zset_value *zset,
                               const range_search *search, int reverse, size_t offset, size_t *rank)
{
    size_t length = zset_value_length(zset);
    size_t first;
    iterator->zset = zset;
    iterator->reverse = reverse;
    iterator->remaining = 0;
    iterator->position = 0;
    iterator->node = NULL;
    if (is_packed(zset)) {
        const packed_list *list = as_const_packed(zset);
        size_t position = packed_first_in_range(list, &search->tests, reverse, &first);
        if (position == 0 || offset >= length - first)
            return 0;
        for (size_t i = 0; i < offset; i++)
            position = reverse ? zpk_prev(list, position) : zpk_next(list, position);
        iterator->position = position;
    } else {
        const zset_skiplist *zsl = as_const_skiplist(zset);
        const zsl_node *node = skiplist_first_in_range(zsl, search, reverse, &first);
        if (node == NULL || offset >= length - first)
            return 0;
        if (offset > OFFSET_WALK_LIMIT) {
            size_t start = first + offset;
            node = zsl_node_at(zsl, reverse ? length - start : start + 1);
        } else {
            for (size_t i = 0; i < offset; i++)
                node = reverse ? zsl_backward(node) : zsl_forward(node, 0);
        }
        iterator->node = node;
    }
    iterator->remaining = length - first - offset;
    if (rank != NULL)
        *rank = first + offset;
    return 1;
}

int zset_iterator_init_score(zset_iterator *iterator, const zset_value *zset,
                             const zset_score_range *range, int reverse, size_t offset,
                             size_t *rank)
{
    range_search search = score_search(range);
    return range_iterator_init(iterator, zset, &search, reverse, offset, rank);
}

int zset_iterator_init_lex(zset_iterator *iterator, const zset_value *zset,
                           const zset_lex_range *range, int reverse, size_t offset, size_t *rank)
{
    range_search search = lex_search(range);
    if (!lex_range_reachable(zset, range)) {
        zset_iterator_init(iterator, zset, zset_value_length(zset), reverse);
        return 0;
    }
    return range_iterator_init(iterator, zset, &search, reverse, offset, rank);
}

unsigned long long zset_value_scan(const zset_value *zset, unsigned long long cursor, size_t count,
                                   zset_visit_fn visit, void *privdata)
{
    zset_entry entry;
    if (is_packed(zset)) {
        zset_iterator iterator;
        zset_iterator_init(&iterator, zset, 0, 0);
        while (zset_iterator_next(&iterator, &entry))
            visit(&entry, privdata);
        return 0;
    }
    /* The table's entries from the last towards the first (see
     * element_table.h): the cursor is where the next call resumes. */
    const element_table *table = &as_const_skiplist(zset)->table;
    size_t length = element_table_count(table);
    size_t resume = cursor == 0 || cursor > length ? length : (size_t)cursor;
    /* Every call makes progress, whatever count says. */
    size_t step = count > 0 ? count : 1;
    size_t stop = step >= resume ? 0 : resume - step;
    for (size_t position = resume; position > stop; position--) {
        node_entry(element_table_entry(table, position - 1), &entry);
        visit(&entry, privdata);
    }
    return stop;
}
