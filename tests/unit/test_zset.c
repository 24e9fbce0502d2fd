/*
 * test_zset.c - unit tests of the sorted-set encodings (modules/zsets):
 * the packed list of member/score pairs, the span skiplist whose nodes are
 * element_table entries, the zset_value that switches between them at the
 * configured limits, and the zset type's copy/rewrite/encoding methods.
 *
 * Most checks run seeded random operations against a brute-force model (a
 * sorted array) and compare everything after each step: content both
 * ways, ranks, entry_at, range searches and counts, the skiplist's spans.
 * The allocator is the test's own: it counts live blocks and bytes, so
 * leaks show, and can fail the n-th allocation, so the out-of-memory paths
 * run too (a failed edit must leave the set as it was).
 *
 * With ZSET_MEMORY_REPORT=N in the environment, one more test inserts N
 * members "member:<i>" with score i into one set and prints the bytes per
 * member (the number compared with redis-server's used_memory).
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/packed_list.h"
#include "common/value_holder.h"
#include "dblite_module.h"
#include "zsets/zset_packed.h"
#include "zsets/zset_skiplist.h"
#include "zsets/zset_type.h"
#include "zsets/zset_value.h"

/* ---- The allocator the encodings link against ---------------------------- */

static long long live_blocks;
static long long live_bytes;
static long long allocations_before_failure = -1; /* -1: never fail */

static int allocation_fails(void)
{
    if (allocations_before_failure < 0)
        return 0;
    if (allocations_before_failure == 0)
        return 1;
    allocations_before_failure--;
    return 0;
}

void *dblite_alloc(size_t size)
{
    if (allocation_fails())
        return NULL;
    void *ptr = malloc(size ? size : 1);
    if (ptr != NULL) {
        live_blocks++;
        live_bytes += (long long)malloc_usable_size(ptr);
    }
    return ptr;
}

void *dblite_realloc(void *ptr, size_t size)
{
    if (ptr == NULL)
        return dblite_alloc(size);
    if (allocation_fails())
        return NULL;
    size_t before = malloc_usable_size(ptr);
    void *moved = realloc(ptr, size ? size : 1);
    if (moved != NULL)
        live_bytes += (long long)malloc_usable_size(moved) - (long long)before;
    return moved;
}

void dblite_free(void *ptr)
{
    if (ptr != NULL) {
        live_blocks--;
        live_bytes -= (long long)malloc_usable_size(ptr);
    }
    free(ptr);
}

size_t dblite_alloc_size(const void *ptr)
{
    return ptr ? malloc_usable_size((void *)ptr) : 0;
}

static void fail_after(long long n)
{
    allocations_before_failure = n;
}

static dblite_bytes text(const char *s)
{
    dblite_bytes bytes = {s, strlen(s)};
    return bytes;
}

static int bytes_equal(dblite_bytes a, dblite_bytes b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static uint64_t test_random_state = 42;

static uint64_t test_random(void)
{
    test_random_state ^= test_random_state << 13;
    test_random_state ^= test_random_state >> 7;
    test_random_state ^= test_random_state << 17;
    return test_random_state;
}

static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* ---- The model: a sorted array of pairs ------------------------------------ */

#define MODEL_MEMBER_MAX 100

typedef struct model_pair {
    char member[MODEL_MEMBER_MAX];
    size_t length;
    double score;
} model_pair;

typedef struct model {
    model_pair *pairs;
    size_t count, capacity;
} model;

static int model_compare(const model_pair *a, const model_pair *b)
{
    if (a->score != b->score)
        return a->score < b->score ? -1 : 1;
    size_t common = a->length < b->length ? a->length : b->length;
    int order = memcmp(a->member, b->member, common);
    if (order != 0)
        return order;
    return a->length < b->length ? -1 : a->length > b->length;
}

static long model_find(const model *m, dblite_bytes member)
{
    for (size_t i = 0; i < m->count; i++)
        if (bytes_equal(member, (dblite_bytes){m->pairs[i].member, m->pairs[i].length}))
            return (long)i;
    return -1;
}

static void model_remove_at(model *m, size_t i)
{
    memmove(&m->pairs[i], &m->pairs[i + 1], (m->count - i - 1) * sizeof(model_pair));
    m->count--;
}

static void model_insert(model *m, dblite_bytes member, double score)
{
    if (m->count == m->capacity) {
        m->capacity = m->capacity ? 2 * m->capacity : 64;
        m->pairs = realloc(m->pairs, m->capacity * sizeof(model_pair));
        assert_non_null(m->pairs);
    }
    model_pair pair;
    assert_true(member.len <= MODEL_MEMBER_MAX);
    memcpy(pair.member, member.ptr, member.len);
    pair.length = member.len;
    pair.score = score;
    size_t at = 0;
    while (at < m->count && model_compare(&m->pairs[at], &pair) < 0)
        at++;
    memmove(&m->pairs[at + 1], &m->pairs[at], (m->count - at) * sizeof(model_pair));
    m->pairs[at] = pair;
    m->count++;
}

/* zsetAdd's rules on the model. */
static int model_add(model *m, dblite_bytes member, double score, int flags, double *new_score)
{
    long at = model_find(m, member);
    if (at < 0) {
        if (flags & ZSET_ADD_XX)
            return ZSET_ADD_OUT_NOP;
        model_insert(m, member, score);
        *new_score = score;
        return ZSET_ADD_OUT_ADDED;
    }
    double current = m->pairs[at].score;
    *new_score = current;
    if (flags & ZSET_ADD_NX)
        return ZSET_ADD_OUT_NOP;
    if (flags & ZSET_ADD_INCR) {
        score += current;
        if (isnan(score))
            return ZSET_ADD_OUT_NAN;
    }
    if (((flags & ZSET_ADD_LT) && score >= current) || ((flags & ZSET_ADD_GT) && score <= current))
        return ZSET_ADD_OUT_NOP;
    *new_score = score;
    if (score == current)
        return ZSET_ADD_OUT_NOP;
    model_remove_at(m, (size_t)at);
    model_insert(m, member, score);
    return ZSET_ADD_OUT_UPDATED;
}

/* A packed set stores -0 as the integer 0 (see zset_packed.h). */
static void model_packed_zeros(model *m)
{
    for (size_t i = 0; i < m->count; i++)
        if (m->pairs[i].score == 0)
            m->pairs[i].score = 0;
}

static dblite_bytes model_member(const model *m, size_t i)
{
    dblite_bytes member = {m->pairs[i].member, m->pairs[i].length};
    return member;
}

/* ---- Checks ------------------------------------------------------------------ */

static void assert_entry(const zset_entry *entry, const model_pair *pair)
{
    assert_true(bytes_equal(entry->member, (dblite_bytes){pair->member, pair->length}));
    assert_true(same_double(entry->score, pair->score));
}

/* Every level's spans add up to the ranks level 0 gives, the backward
 * pointers and the tail agree, and spans past a level's last node hold the
 * distance to the end. */
static void check_skiplist(const zset_skiplist *zsl)
{
    size_t length = zsl_length(zsl);
    for (int level = 0; level < ZSL_MAX_LEVEL; level++) {
        const zsl_node *x = zsl->header;
        size_t rank = 0;
        if (level >= zsl->level) {
            assert_null(zsl_forward(x, level));
            continue;
        }
        while (zsl_forward(x, level) != NULL) {
            const zsl_node *next = zsl_forward(x, level);
            rank += zsl_spans(x)[level];
            assert_int_equal(zsl_rank_of(zsl, next), rank);
            assert_true(zsl_node_level(next) > level);
            x = next;
        }
        assert_int_equal(zsl_spans(x)[level], length - rank);
    }
    if (zsl->level > 1)
        assert_non_null(zsl_forward(zsl->header, zsl->level - 1));
    const zsl_node *previous = NULL;
    size_t count = 0;
    for (const zsl_node *x = zsl_first(zsl); x != NULL; x = zsl_forward(x, 0)) {
        assert_ptr_equal(zsl_backward(x), previous);
        assert_ptr_equal(zsl_find(zsl, zsl_member(x)), x);
        previous = x;
        count++;
    }
    assert_ptr_equal(zsl->tail, previous);
    assert_int_equal(count, length);
}

static void check_content(const zset_value *zset, const model *m)
{
    assert_int_equal(zset_value_length(zset), m->count);
    if (zset_value_encoding(zset) == ZSET_ENCODING_SKIPLIST)
        check_skiplist((const zset_skiplist *)zset);
    zset_iterator iterator;
    zset_entry entry;
    for (int reverse = 0; reverse <= 1; reverse++) {
        zset_iterator_init(&iterator, zset, 0, reverse);
        for (size_t i = 0; i < m->count; i++) {
            assert_true(zset_iterator_next(&iterator, &entry));
            assert_entry(&entry, &m->pairs[reverse ? m->count - 1 - i : i]);
        }
        assert_false(zset_iterator_next(&iterator, &entry));
    }
    /* From a random start each way, and just past the end. */
    for (int round = 0; round < 2 && m->count > 0; round++) {
        size_t start = test_random() % m->count;
        int reverse = round;
        zset_iterator_init(&iterator, zset, start, reverse);
        for (size_t i = start; i < m->count; i++) {
            assert_true(zset_iterator_next(&iterator, &entry));
            assert_entry(&entry, &m->pairs[reverse ? m->count - 1 - i : i]);
        }
        assert_false(zset_iterator_next(&iterator, &entry));
    }
    zset_iterator_init(&iterator, zset, m->count, 0);
    assert_false(zset_iterator_next(&iterator, &entry));
    zset_iterator_init(&iterator, zset, m->count + 5, 1);
    assert_false(zset_iterator_next(&iterator, &entry));
    /* Ranks, scores and entry_at at a few random places. */
    for (int round = 0; round < 4 && m->count > 0; round++) {
        size_t i = test_random() % m->count;
        dblite_bytes member = model_member(m, i);
        double score = -1;
        assert_true(zset_value_score(zset, member, &score));
        assert_true(same_double(score, m->pairs[i].score));
        assert_int_equal(zset_value_rank(zset, member, 0, &score), i);
        assert_int_equal(zset_value_rank(zset, member, 1, NULL), m->count - 1 - i);
        zset_value_entry_at(zset, i, 0, &entry);
        assert_entry(&entry, &m->pairs[i]);
        zset_value_entry_at(zset, i, 1, &entry);
        assert_entry(&entry, &m->pairs[m->count - 1 - i]);
    }
    double ignored;
    assert_false(zset_value_score(zset, text("absent member"), &ignored));
    assert_int_equal(zset_value_rank(zset, text("absent member"), 0, NULL), -1);
}

/* ---- Range checks against brute force ------------------------------------------ */

static const double score_pool[] = {-INFINITY, -3, -1.5, 0, 0.1, 1, 2, 2.5, 3, 7, 1e300, INFINITY};
#define SCORE_POOL_SIZE (sizeof score_pool / sizeof score_pool[0])

static zset_score_range random_score_range(void)
{
    zset_score_range range;
    range.min = score_pool[test_random() % SCORE_POOL_SIZE];
    range.max = score_pool[test_random() % SCORE_POOL_SIZE];
    if (test_random() % 3 == 0 && range.min > range.max) {
        double swap = range.min;
        range.min = range.max;
        range.max = swap;
    }
    range.min_exclusive = (int)(test_random() % 2);
    range.max_exclusive = (int)(test_random() % 2);
    return range;
}

/* A range iterator started (started, *rank) offset members past the first
 * member in range walking that way (found, at rank first in that
 * direction): it must start exactly when that member exists, and then
 * return the model's entries from there to the end of the set. */
static void check_range_walk(zset_iterator *iterator, int started, size_t rank, const model *m,
                             int found, size_t first, int reverse, size_t offset)
{
    int expected = found && offset < m->count - first;
    assert_int_equal(started, expected);
    zset_entry entry;
    if (expected) {
        assert_int_equal(rank, first + offset);
        for (size_t r = first + offset; r < m->count; r++) {
            assert_true(zset_iterator_next(iterator, &entry));
            assert_entry(&entry, &m->pairs[reverse ? m->count - 1 - r : r]);
        }
    }
    assert_int_equal(zset_iterator_next(iterator, &entry), 0);
}

/* An offset for a range walk: mostly small, sometimes past the end or
 * beyond the walking limit (a second descent).  From a generator of its
 * own, so the scenarios' operations stay those of test_random. */
static size_t random_offset(const model *m)
{
    static uint64_t offset_state = 7;
    offset_state = offset_state * 6364136223846793005ULL + 1442695040888963407ULL;
    uint64_t z = offset_state >> 33;
    uint64_t pick = z % 4;
    z /= 4;
    if (pick == 0)
        return 0;
    if (pick == 1)
        return (size_t)(z % 4);
    return (size_t)(z % (m->count + 3));
}

static void check_score_ranges(const zset_value *zset, const model *m, int rounds)
{
    for (int round = 0; round < rounds; round++) {
        zset_score_range range = random_score_range();
        long first = -1, last = -1;
        size_t count = 0;
        for (size_t i = 0; i < m->count; i++) {
            if (zset_score_in_range(&range, m->pairs[i].score)) {
                if (first < 0)
                    first = (long)i;
                last = (long)i;
                count++;
            }
        }
        size_t rank = 12345;
        int found = zset_value_first_in_score_range(zset, &range, 0, &rank);
        assert_int_equal(found, first >= 0);
        if (found)
            assert_int_equal(rank, first);
        found = zset_value_first_in_score_range(zset, &range, 1, &rank);
        assert_int_equal(found, last >= 0);
        if (found)
            assert_int_equal(rank, m->count - 1 - (size_t)last);
        assert_int_equal(zset_value_count_in_score_range(zset, &range), count);
        for (int reverse = 0; reverse <= 1; reverse++) {
            zset_iterator iterator;
            size_t offset = random_offset(m), walk_rank = 12345;
            int started =
                zset_iterator_init_score(&iterator, zset, &range, reverse, offset, &walk_rank);
            size_t start = reverse ? m->count - 1 - (size_t)last : (size_t)first;
            check_range_walk(&iterator, started, walk_rank, m, first >= 0, start, reverse, offset);
        }
    }
}

static void random_lex_end(dblite_bytes *bound, int *kind, int *exclusive, char *buffer)
{
    uint64_t pick = test_random() % 10;
    *exclusive = (int)(test_random() % 2);
    if (pick == 0) {
        *kind = ZSET_LEX_MINUS_INFINITY;
    } else if (pick == 1) {
        *kind = ZSET_LEX_PLUS_INFINITY;
    } else {
        *kind = ZSET_LEX_BOUNDED;
        int length = snprintf(buffer, 16, "m%u", (unsigned)(test_random() % 60));
        if (pick == 2)
            length = 0; /* the empty member */
        bound->ptr = buffer;
        bound->len = (size_t)length;
    }
}

static void check_lex_ranges(const zset_value *zset, const model *m, int rounds)
{
    for (int round = 0; round < rounds; round++) {
        zset_lex_range range;
        char low[16], high[16];
        random_lex_end(&range.min, &range.min_kind, &range.min_exclusive, low);
        random_lex_end(&range.max, &range.max_kind, &range.max_exclusive, high);
        long first = -1, last = -1;
        size_t count = 0;
        for (size_t i = 0; i < m->count; i++) {
            if (zset_lex_in_range(&range, model_member(m, i))) {
                if (first < 0)
                    first = (long)i;
                last = (long)i;
                count++;
            }
        }
        size_t rank = 12345;
        int found = zset_value_first_in_lex_range(zset, &range, 0, &rank);
        assert_int_equal(found, first >= 0);
        if (found)
            assert_int_equal(rank, first);
        found = zset_value_first_in_lex_range(zset, &range, 1, &rank);
        assert_int_equal(found, last >= 0);
        if (found)
            assert_int_equal(rank, m->count - 1 - (size_t)last);
        assert_int_equal(zset_value_count_in_lex_range(zset, &range), count);
        for (int reverse = 0; reverse <= 1; reverse++) {
            zset_iterator iterator;
            size_t offset = random_offset(m), walk_rank = 12345;
            int started =
                zset_iterator_init_lex(&iterator, zset, &range, reverse, offset, &walk_rank);
            size_t start = reverse ? m->count - 1 - (size_t)last : (size_t)first;
            check_range_walk(&iterator, started, walk_rank, m, first >= 0, start, reverse, offset);
        }
    }
}

/* ---- Random operations ----------------------------------------------------------- */

typedef struct scenario {
    zset_limits limits;
    int members;      /* size of the member pool */
    int long_members; /* one member in this many is longer than 64 bytes */
    int fixed_score;  /* every score 0 (for lex ranges) */
    int operations;
    int min_conversions; /* encoding changes the run must see */
} scenario;

static void random_member(const scenario *s, char *buffer, dblite_bytes *member)
{
    unsigned id = (unsigned)(test_random() % (uint64_t)s->members);
    int length = snprintf(buffer, MODEL_MEMBER_MAX, "m%u", id);
    if (s->long_members && id % (unsigned)s->long_members == 0) {
        memset(buffer + length, 'x', 70);
        length += 70;
    }
    member->ptr = buffer;
    member->len = (size_t)length;
}

static double random_score(const scenario *s)
{
    if (s->fixed_score)
        return 0;
    uint64_t pick = test_random() % 20;
    if (pick == 0)
        return -0.0;
    if (pick == 1)
        return (double)(int64_t)test_random() / 3.0; /* big, fractional or not */
    return score_pool[test_random() % SCORE_POOL_SIZE];
}

/* The encoding a set must have: packed sets convert when a new member
 * breaks a limit, skiplists stay. */
static int expected_encoding(int encoding, const zset_limits *limits, size_t length,
                             size_t member_length)
{
    if (encoding == ZSET_ENCODING_PACKED &&
        (length > limits->max_packed_entries || member_length > limits->max_packed_value))
        return ZSET_ENCODING_SKIPLIST;
    return encoding;
}

static void run_scenario(const scenario *s)
{
    model m = {0};
    value_holder holder;
    value_holder_init(&holder, NULL, zset_value_free);
    holder.current = zset_value_create(&s->limits, 0, 0);
    assert_non_null(holder.current);
    int encoding = zset_value_encoding(holder.current);
    int previous_encoding = encoding, conversions = 0;
    size_t largest = 0;
    for (int op = 0; op < s->operations; op++) {
        char buffer[MODEL_MEMBER_MAX];
        dblite_bytes member;
        random_member(s, buffer, &member);
        /* 60% adds, 20% removals, 5% rank deletions, 15% fit attempts
         * (one in 8 runs): sets settle at about two thirds of the pool. */
        uint64_t kind = test_random() % 20;
        if (kind < 12) {
            static const int flag_sets[] = {0,
                                            0,
                                            ZSET_ADD_NX,
                                            ZSET_ADD_XX,
                                            ZSET_ADD_GT,
                                            ZSET_ADD_LT,
                                            ZSET_ADD_INCR,
                                            ZSET_ADD_INCR | ZSET_ADD_XX,
                                            ZSET_ADD_GT | ZSET_ADD_XX};
            int flags = flag_sets[test_random() % (sizeof flag_sets / sizeof flag_sets[0])];
            double score = random_score(s);
            double expected_score = 999, new_score = 999;
            int expected = model_add(&m, member, score, flags, &expected_score);
            int outcome = -1;
            assert_int_equal(
                zset_value_add(&holder, &s->limits, member, score, flags, &outcome, &new_score),
                DBLITE_OK);
            assert_int_equal(outcome, expected);
            assert_true(same_double(new_score, expected_score));
            if (expected == ZSET_ADD_OUT_ADDED)
                encoding = expected_encoding(encoding, &s->limits, m.count, member.len);
        } else if (kind < 16) {
            long at = model_find(&m, member);
            assert_int_equal(zset_value_remove(holder.current, member), at >= 0);
            if (at >= 0)
                model_remove_at(&m, (size_t)at);
            if (test_random() % 4 == 0)
                zset_value_trim(&holder);
        } else if (kind == 16 && m.count > 0) {
            size_t start = test_random() % m.count;
            size_t end = start + test_random() % 4;
            if (end >= m.count)
                end = m.count - 1;
            assert_int_equal(zset_value_delete_ranks(holder.current, start, end), end - start + 1);
            for (size_t i = start; i <= end; i++)
                model_remove_at(&m, start);
        } else if (kind >= 17 && test_random() % 8 == 0) {
            zset_value_fit_encoding(&holder, &s->limits);
            size_t longest = 0;
            for (size_t i = 0; i < m.count; i++)
                if (m.pairs[i].length > longest)
                    longest = m.pairs[i].length;
            if (m.count <= s->limits.max_packed_entries && longest <= s->limits.max_packed_value)
                encoding = ZSET_ENCODING_PACKED;
        }
        assert_int_equal(zset_value_encoding(holder.current), encoding);
        if (encoding != previous_encoding)
            conversions++;
        previous_encoding = encoding;
        if (encoding == ZSET_ENCODING_PACKED)
            model_packed_zeros(&m);
        if (m.count > largest)
            largest = m.count;
        check_content(holder.current, &m);
        if (s->fixed_score)
            check_lex_ranges(holder.current, &m, 3);
        else
            check_score_ranges(holder.current, &m, 3);
    }
    assert_true(conversions >= s->min_conversions);
    assert_true(largest >= (size_t)s->members / 2);
    zset_value_free(holder.current);
    free(m.pairs);
    assert_int_equal(live_blocks, 0);
}

static void packed_only(void **state)
{
    (void)state;
    scenario s = {{128, 64}, 180, 0, 0, 3000, 0};
    run_scenario(&s);
}

static void converting_at_small_limits(void **state)
{
    (void)state;
    scenario s = {{12, 64}, 20, 11, 0, 6000, 40};
    run_scenario(&s);
}

static void skiplist_only(void **state)
{
    (void)state;
    scenario s = {{0, 64}, 600, 0, 0, 6000, 0};
    run_scenario(&s);
}

static void lex_ranges_both_encodings(void **state)
{
    (void)state;
    scenario packed = {{128, 64}, 60, 0, 1, 2000, 0};
    run_scenario(&packed);
    scenario skiplist = {{0, 64}, 60, 0, 1, 2000, 0};
    run_scenario(&skiplist);
    scenario converting = {{16, 64}, 26, 0, 1, 3000, 20};
    run_scenario(&converting);
}

/* ---- Targeted cases --------------------------------------------------------------- */

static value_holder new_holder(const zset_limits *limits)
{
    value_holder holder;
    value_holder_init(&holder, NULL, zset_value_free);
    holder.current = zset_value_create(limits, 0, 0);
    assert_non_null(holder.current);
    return holder;
}

static void add(value_holder *holder, const zset_limits *limits, const char *member, double score)
{
    int outcome;
    assert_int_equal(zset_value_add(holder, limits, text(member), score, 0, &outcome, NULL),
                     DBLITE_OK);
}

static zset_lex_range lex_range(const char *min, const char *max)
{
    zset_lex_range range;
    const char *ends[2] = {min, max};
    for (int i = 0; i < 2; i++) {
        const char *end = ends[i];
        int kind = end[0] == '-'   ? ZSET_LEX_MINUS_INFINITY
                   : end[0] == '+' ? ZSET_LEX_PLUS_INFINITY
                                   : ZSET_LEX_BOUNDED;
        dblite_bytes bound = {end + 1, kind == ZSET_LEX_BOUNDED ? strlen(end + 1) : 0};
        int exclusive = end[0] == '(';
        if (i == 0) {
            range.min = bound;
            range.min_kind = kind;
            range.min_exclusive = exclusive;
        } else {
            range.max = bound;
            range.max_kind = kind;
            range.max_exclusive = exclusive;
        }
    }
    return range;
}

/* Lex ranges over a packed set of mixed scores, where the order of
 * members is not lexicographic: what redis-server 7.0.15 answers (ZLEXCOUNT,
 * and where ZRANGEBYLEX / ZREVRANGEBYLEX start) for
 * ZADD mx 0 b 1 "" 1 m1 2 a 3 c. */
static void lex_ranges_on_mixed_scores_as_redis(void **state)
{
    (void)state;
    static const struct {
        const char *min, *max;
        size_t count;
        int found;
        size_t first, first_reverse;
    } cases[] = {
        {"[b", "+", 5, 1, 0, 0}, {"-", "[b", 2, 1, 0, 1}, {"[a", "[m1", 5, 1, 0, 0},
        {"[c", "+", 3, 1, 2, 0}, {"-", "+", 5, 1, 0, 0},  {"[ab", "[m1", 5, 1, 0, 0},
        {"[d", "+", 0, 0, 0, 0}, {"-", "(", 0, 0, 0, 0},
    };
    zset_limits limits = zset_default_limits();
    value_holder holder = new_holder(&limits);
    add(&holder, &limits, "b", 0);
    add(&holder, &limits, "", 1);
    add(&holder, &limits, "m1", 1);
    add(&holder, &limits, "a", 2);
    add(&holder, &limits, "c", 3);
    assert_int_equal(zset_value_encoding(holder.current), ZSET_ENCODING_PACKED);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zset_lex_range range = lex_range(cases[i].min, cases[i].max);
        size_t rank = 99;
        assert_int_equal(zset_value_count_in_lex_range(holder.current, &range), cases[i].count);
        assert_int_equal(zset_value_first_in_lex_range(holder.current, &range, 0, &rank),
                         cases[i].found);
        if (cases[i].found)
            assert_int_equal(rank, cases[i].first);
        assert_int_equal(zset_value_first_in_lex_range(holder.current, &range, 1, &rank),
                         cases[i].found);
        if (cases[i].found)
            assert_int_equal(rank, cases[i].first_reverse);
    }
    zset_value_free(holder.current);
    assert_int_equal(live_blocks, 0);
}

static void ties_order_by_member_bytes(void **state)
{
    (void)state;
    static const char *const sorted[] = {"", "a", "a\x01", "ab", "b", "\x80", "\xff"};
    for (int packed = 0; packed <= 1; packed++) {
        zset_limits limits = {packed ? 128 : 0, 64};
        value_holder holder = new_holder(&limits);
        for (int i = 6; i >= 0; i--) {
            dblite_bytes member = {sorted[i], i == 2 ? 2 : strlen(sorted[i])};
            int outcome;
            assert_int_equal(zset_value_add(&holder, &limits, member, 5, 0, &outcome, NULL),
                             DBLITE_OK);
            assert_int_equal(outcome, ZSET_ADD_OUT_ADDED);
        }
        for (size_t i = 0; i < 7; i++) {
            zset_entry entry;
            zset_value_entry_at(holder.current, i, 0, &entry);
            dblite_bytes member = {sorted[i], i == 2 ? 2 : strlen(sorted[i])};
            assert_true(bytes_equal(entry.member, member));
        }
        zset_value_free(holder.current);
    }
    assert_int_equal(live_blocks, 0);
}

static void score_texts_as_redis(void **state)
{
    (void)state;
    static const struct {
        double score;
        const char *stored; /* d2string, what a packed set keeps */
        const char *reply;  /* %.17g, what replies show */
    } cases[] = {
        {1.5, "1.5", "1.5"},
        {0.1, "0.10000000000000001", "0.10000000000000001"},
        {3, "3", "3"},
        {-7, "-7", "-7"},
        {INFINITY, "inf", "inf"},
        {-INFINITY, "-inf", "-inf"},
        {-0.0, "0", "-0"}, /* a packed -0 reads back as 0, as in Redis 7.0 */
        {0, "0", "0"},
        {1e20, "1e+20", "1e+20"},
        {4503599627370495.0, "4503599627370495", "4503599627370495"},
        {4503599627370496.0, "4503599627370496", "4503599627370496"},
        {1e18, "1000000000000000000", "1e+18"},
        {4611686018427387904.0, "4611686018427387904", "4.6116860184273879e+18"},
        {9223372036854775808.0, "9.2233720368547758e+18", "9.2233720368547758e+18"},
        {-4503599627370495.0, "-4503599627370495", "-4503599627370495"},
        {123456789.125, "123456789.125", "123456789.125"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char stored[ZSET_SCORE_TEXT_SIZE], reply[DBLITE_DOUBLE_TEXT_SIZE];
        size_t length = zpk_score_text(cases[i].score, stored);
        assert_int_equal(length, strlen(cases[i].stored));
        assert_string_equal(stored, cases[i].stored);
        dblite_format_double(reply, sizeof reply, cases[i].score);
        assert_string_equal(reply, cases[i].reply);
    }
    /* Packed scores read back bit for bit, integral ones from integer entries. */
    zset_limits limits = zset_default_limits();
    value_holder holder = new_holder(&limits);
    for (int i = 0; i < 100; i++) {
        uint64_t bits = test_random();
        double score;
        memcpy(&score, &bits, sizeof score);
        if (isnan(score) || score == 0)
            continue;
        if (i % 3 == 0)
            score = (double)(int64_t)(bits % 100000) - 50000;
        char member[16];
        snprintf(member, sizeof member, "s%d", i);
        add(&holder, &limits, member, score);
        double read = 0;
        assert_true(zset_value_score(holder.current, text(member), &read));
        assert_true(same_double(read, score));
    }
    assert_int_equal(zset_value_encoding(holder.current), ZSET_ENCODING_PACKED);
    zset_value_free(holder.current);
    assert_int_equal(live_blocks, 0);
}

static void add_outcomes(void **state)
{
    (void)state;
    for (int packed = 0; packed <= 1; packed++) {
        zset_limits limits = {packed ? 128 : 0, 64};
        value_holder holder = new_holder(&limits);
        int outcome;
        double score = 0;
        add(&holder, &limits, "a", 1);
        assert_int_equal(
            zset_value_add(&holder, &limits, text("a"), 5, ZSET_ADD_NX, &outcome, &score),
            DBLITE_OK);
        assert_int_equal(outcome, ZSET_ADD_OUT_NOP);
        assert_true(score == 1);
        assert_int_equal(
            zset_value_add(&holder, &limits, text("b"), 5, ZSET_ADD_XX, &outcome, &score),
            DBLITE_OK);
        assert_int_equal(outcome, ZSET_ADD_OUT_NOP);
        assert_int_equal(zset_value_length(holder.current), 1);
        assert_int_equal(
            zset_value_add(&holder, &limits, text("a"), 2, ZSET_ADD_INCR, &outcome, &score),
            DBLITE_OK);
        assert_int_equal(outcome, ZSET_ADD_OUT_UPDATED);
        assert_true(score == 3);
        add(&holder, &limits, "a", INFINITY);
        assert_int_equal(
            zset_value_add(&holder, &limits, text("a"), -INFINITY, ZSET_ADD_INCR, &outcome, &score),
            DBLITE_OK);
        assert_int_equal(outcome, ZSET_ADD_OUT_NAN);
        assert_true(zset_value_score(holder.current, text("a"), &score) && isinf(score));
        assert_int_equal(
            zset_value_add(&holder, &limits, text("a"), 3, ZSET_ADD_GT, &outcome, &score),
            DBLITE_OK);
        assert_int_equal(outcome, ZSET_ADD_OUT_NOP);
        assert_true(isinf(score));
        assert_int_equal(
            zset_value_add(&holder, &limits, text("a"), 3, ZSET_ADD_LT, &outcome, &score),
            DBLITE_OK);
        assert_int_equal(outcome, ZSET_ADD_OUT_UPDATED);
        assert_true(score == 3);
        /* Refusals and same-score updates both say NOP; zset_add_refused
         * tells them apart. */
        static const struct {
            const char *member;
            double score;
            int flags;
            int refused;
        } nops[] = {
            {"a", 3, 0, 0},
            {"a", 0, ZSET_ADD_INCR, 0},
            {"a", 0, ZSET_ADD_INCR | ZSET_ADD_XX, 0},
            {"a", 5, ZSET_ADD_NX, 1},
            {"a", 1, ZSET_ADD_GT, 1},
            {"a", 0, ZSET_ADD_GT | ZSET_ADD_INCR, 1},
            {"a", 4, ZSET_ADD_LT | ZSET_ADD_XX, 1},
            {"absent", 1, ZSET_ADD_XX, 1},
            {"absent", 1, ZSET_ADD_XX | ZSET_ADD_INCR, 1},
        };
        for (size_t i = 0; i < sizeof nops / sizeof nops[0]; i++) {
            score = NAN;
            assert_int_equal(zset_value_add(&holder, &limits, text(nops[i].member), nops[i].score,
                                            nops[i].flags, &outcome, &score),
                             DBLITE_OK);
            assert_int_equal(outcome, ZSET_ADD_OUT_NOP);
            assert_int_equal(zset_add_refused(nops[i].flags, outcome, !isnan(score)),
                             nops[i].refused);
        }
        assert_int_equal(zset_add_refused(0, ZSET_ADD_OUT_UPDATED, 1), 0);
        assert_int_equal(zset_add_refused(ZSET_ADD_XX, ZSET_ADD_OUT_ADDED, 1), 0);
        zset_value_free(holder.current);
    }
    assert_int_equal(live_blocks, 0);
}

static void conversion_at_the_limits(void **state)
{
    (void)state;
    zset_limits limits = {4, 8};
    value_holder holder = new_holder(&limits);
    assert_int_equal(zset_value_encoding(holder.current), ZSET_ENCODING_PACKED);
    add(&holder, &limits, "12345678", 1); /* exactly the longest kept packed */
    add(&holder, &limits, "b", 2);
    add(&holder, &limits, "c", 3);
    add(&holder, &limits, "d", 4);
    assert_int_equal(zset_value_encoding(holder.current), ZSET_ENCODING_PACKED);
    add(&holder, &limits, "e", 5);
    assert_int_equal(zset_value_encoding(holder.current), ZSET_ENCODING_SKIPLIST);
    /* Back to packed only through fit_encoding, once it fits. */
    assert_true(zset_value_remove(holder.current, text("e")));
    assert_int_equal(zset_value_encoding(holder.current), ZSET_ENCODING_SKIPLIST);
    zset_value_fit_encoding(&holder, &limits);
    assert_int_equal(zset_value_encoding(holder.current), ZSET_ENCODING_PACKED);
    assert_int_equal(zset_value_length(holder.current), 4);
    add(&holder, &limits, "123456789", 0); /* one byte too long */
    assert_int_equal(zset_value_encoding(holder.current), ZSET_ENCODING_SKIPLIST);
    zset_value_fit_encoding(&holder, &limits); /* a member too long: stays */
    assert_int_equal(zset_value_encoding(holder.current), ZSET_ENCODING_SKIPLIST);
    zset_value_free(holder.current);
    /* create() picks by its hints. */
    zset_value *zset = zset_value_create(&limits, 4, 8);
    assert_int_equal(zset_value_encoding(zset), ZSET_ENCODING_PACKED);
    zset_value_free(zset);
    zset = zset_value_create(&limits, 5, 1);
    assert_int_equal(zset_value_encoding(zset), ZSET_ENCODING_SKIPLIST);
    zset_value_free(zset);
    zset = zset_value_create(&limits, 1, 9);
    assert_int_equal(zset_value_encoding(zset), ZSET_ENCODING_SKIPLIST);
    zset_value_free(zset);
    assert_int_equal(live_blocks, 0);
}

/* Every member of small sets of each encoding moved to every place (and
 * kept in place), the score entry growing and shrinking on the way. */
static void updates_move_to_every_place(void **state)
{
    (void)state;
    for (int packed = 0; packed <= 1; packed++) {
        zset_limits limits = {packed ? 128 : 0, 64};
        for (int length = 1; length <= 10; length++) {
            for (int moved = 0; moved < length; moved++) {
                for (int place = -1; place <= 2 * length; place++) {
                    value_holder holder = new_holder(&limits);
                    model m = {0};
                    for (int i = 0; i < length; i++) {
                        char member[16];
                        snprintf(member, sizeof member, "m%d", i);
                        double ignored;
                        add(&holder, &limits, member, 10 * i);
                        model_add(&m, text(member), 10 * i, 0, &ignored);
                    }
                    /* Between the others, onto a tie, or far out. */
                    double score = place % 2 ? 5.0 * place + 0.25 : 5.0 * place;
                    char member[16];
                    snprintf(member, sizeof member, "m%d", moved);
                    double ignored;
                    model_add(&m, text(member), score, 0, &ignored);
                    add(&holder, &limits, member, score);
                    check_content(holder.current, &m);
                    zset_value_free(holder.current);
                    free(m.pairs);
                }
            }
        }
    }
    assert_int_equal(live_blocks, 0);
}

static void removals_never_move_the_block(void **state)
{
    (void)state;
    zset_limits limits = zset_default_limits();
    value_holder holder = new_holder(&limits);
    for (int i = 0; i < 50; i++) {
        char member[16];
        snprintf(member, sizeof member, "m%d", i);
        add(&holder, &limits, member, i);
    }
    const packed_list *list = holder.current;
    assert_true(list->flags & PACKED_LIST_BOTH_WAYS);
    assert_true(list->flags & PACKED_LIST_COPY_ON_GROW);
    void *block = holder.current;
    assert_true(zset_value_remove(holder.current, text("m7")));
    assert_int_equal(zset_value_delete_ranks(holder.current, 0, 9), 10);
    assert_ptr_equal(holder.current, block);
    assert_int_equal(zset_value_length(holder.current), 39);
    zset_value_free(holder.current);
    assert_int_equal(live_blocks, 0);
}

/* A failed allocation leaves the set as it was and leaks nothing. */
static void out_of_memory_leaves_the_set_unchanged(void **state)
{
    (void)state;
    for (int shape = 0; shape < 3; shape++) {
        zset_limits limits = {shape == 0 ? 128 : shape == 1 ? 20 : 0, 64};
        model m = {0};
        value_holder holder = new_holder(&limits);
        for (int i = 0; i < 20; i++) {
            char member[16];
            snprintf(member, sizeof member, "m%02d", i);
            add(&holder, &limits, member, i % 5);
            double ignored;
            model_add(&m, text(member), i % 5, 0, &ignored);
        }
        /* A new member (which converts shape 1), an update, an INCR. */
        const char *members[] = {"new", "m03", "m11"};
        const double scores[] = {2.5, 100, -100};
        for (int which = 0; which < 3; which++) {
            for (long long n = 0;; n++) {
                fail_after(n);
                long long blocks = live_blocks;
                int outcome;
                int status = zset_value_add(&holder, &limits, text(members[which]), scores[which],
                                            0, &outcome, NULL);
                fail_after(-1);
                if (status == DBLITE_OK) {
                    double ignored;
                    model_add(&m, text(members[which]), scores[which], 0, &ignored);
                    check_content(holder.current, &m);
                    break;
                }
                assert_int_equal(status, DBLITE_ERR_NOMEM);
                assert_int_equal(live_blocks, blocks);
                check_content(holder.current, &m);
            }
        }
        /* Copies fail cleanly too. */
        for (long long n = 0;; n++) {
            fail_after(n);
            long long blocks = live_blocks;
            void *copy = zset_value_copy(holder.current);
            fail_after(-1);
            if (copy != NULL) {
                check_content(copy, &m);
                zset_value_free(copy);
                break;
            }
            assert_int_equal(live_blocks, blocks);
        }
        zset_value_free(holder.current);
        free(m.pairs);
    }
    assert_int_equal(live_blocks, 0);
}

static void copy_and_memory_usage(void **state)
{
    (void)state;
    for (int packed = 0; packed <= 1; packed++) {
        zset_limits limits = {packed ? 128 : 0, 64};
        value_holder holder = new_holder(&limits);
        model m = {0};
        for (int i = 0; i < 100; i++) {
            char member[16];
            snprintf(member, sizeof member, "member:%d", i);
            double ignored;
            add(&holder, &limits, member, i / 3);
            model_add(&m, text(member), i / 3, 0, &ignored);
        }
        long long before = live_bytes;
        void *copy = zset_value_copy(holder.current);
        assert_non_null(copy);
        long long copy_bytes = live_bytes - before;
        size_t usage = zset_value_memory_usage(copy);
        /* memory_usage counts exactly the blocks the copy allocated. */
        assert_int_equal(usage, copy_bytes);
        assert_true(usage >= 100 * 10);
        assert_int_equal(zset_value_encoding(copy), zset_value_encoding(holder.current));
        if (packed)
            assert_int_equal(((const packed_list *)copy)->flags,
                             PACKED_LIST_BOTH_WAYS | PACKED_LIST_COPY_ON_GROW);
        check_content(copy, &m);
        /* The copy is independent. */
        assert_true(zset_value_remove(copy, text("member:5")));
        check_content(holder.current, &m);
        zset_value_free(copy);
        zset_value_free(holder.current);
        free(m.pairs);
    }
    assert_int_equal(live_blocks, 0);
}

typedef struct scan_seen {
    unsigned char *seen;
    size_t calls;
} scan_seen;

static void mark_seen(const zset_entry *entry, void *privdata)
{
    scan_seen *seen = privdata;
    char member[16];
    assert_true(entry->member.len < sizeof member);
    memcpy(member, entry->member.ptr, entry->member.len);
    member[entry->member.len] = '\0';
    unsigned id;
    assert_int_equal(sscanf(member, "k%u", &id), 1);
    seen->seen[id] = 1;
    seen->calls++;
}

/* Every member present for the whole scan comes back, whatever is added
 * and removed meanwhile. */
static void scan_guarantee(void **state)
{
    (void)state;
    enum { STABLE = 3000, CHURN = 2000 };
    zset_limits limits = {128, 64};
    value_holder holder = new_holder(&limits);
    for (unsigned i = 0; i < STABLE + CHURN; i++) {
        char member[16];
        snprintf(member, sizeof member, "k%u", i);
        add(&holder, &limits, member, (double)(test_random() % 100));
    }
    unsigned char *seen = calloc(STABLE + 2 * CHURN, 1);
    scan_seen context = {seen, 0};
    unsigned long long cursor = 0;
    unsigned next_new = STABLE + CHURN;
    int calls = 0;
    do {
        cursor = zset_value_scan(holder.current, cursor, 10, mark_seen, &context);
        calls++;
        /* Churn: remove a churn member, add a new one. */
        char member[16];
        snprintf(member, sizeof member, "k%u", STABLE + (unsigned)(test_random() % CHURN));
        (void)zset_value_remove(holder.current, text(member));
        if (next_new < STABLE + 2 * CHURN) {
            snprintf(member, sizeof member, "k%u", next_new++);
            add(&holder, &limits, member, 1);
        }
    } while (cursor != 0);
    for (unsigned i = 0; i < STABLE; i++)
        assert_true(seen[i]);
    assert_true(calls > (STABLE + CHURN) / 10 - 10);
    /* COUNT 0 still makes progress. */
    context.calls = 0;
    unsigned long long next = zset_value_scan(holder.current, 0, 0, mark_seen, &context);
    assert_int_equal(context.calls, 1);
    assert_true(next == zset_value_length(holder.current) - 1);
    /* A packed set comes whole with cursor 0. */
    value_holder small = new_holder(&limits);
    add(&small, &limits, "k1", 1);
    add(&small, &limits, "k2", 2);
    context.calls = 0;
    assert_int_equal(zset_value_scan(small.current, 0, 1, mark_seen, &context), 0);
    assert_int_equal(context.calls, 2);
    zset_value_free(small.current);
    zset_value_free(holder.current);
    free(seen);
    assert_int_equal(live_blocks, 0);
}

/* ---- The type's methods ------------------------------------------------------------- */

static const dblite_type_methods *registered_methods;
static int registered_code = -1;
static int registered_type_dummy;

dblite_type *dblite_type_register(dblite_module *module, const char *public_name,
                                  const char *snapshot_name, int encoding_version,
                                  int native_snapshot_code, const dblite_type_methods *methods)
{
    (void)module;
    assert_string_equal(public_name, "zset");
    assert_int_equal(strlen(snapshot_name), 9);
    assert_int_equal(encoding_version, ZSET_ENCODING_VERSION);
    registered_methods = methods;
    registered_code = native_snapshot_code;
    return (dblite_type *)&registered_type_dummy;
}

void dblite_module_fail(dblite_module *module, const char *format, ...)
{
    (void)module;
    fail_msg("module failed: %s", format);
}

/* zset_snapshot.c is not part of this test (see zsets.cmake). */
int zset_snapshot_save(dblite_io *io, const void *zset)
{
    (void)io;
    (void)zset;
    return DBLITE_ERR;
}

void *zset_snapshot_load(dblite_io *io, int encoding_version)
{
    (void)io;
    (void)encoding_version;
    return NULL;
}

struct dblite_rewriter {
    int commands;
    int max_argc;
    value_holder *replay;
    dblite_bytes key;
};

int dblite_rewriter_emit(dblite_rewriter *rewriter, int argc, const dblite_bytes *argv)
{
    rewriter->commands++;
    if (argc > rewriter->max_argc)
        rewriter->max_argc = argc;
    assert_true(bytes_equal(argv[0], text("ZADD")));
    assert_true(bytes_equal(argv[1], rewriter->key));
    assert_int_equal(argc % 2, 0);
    zset_limits limits = zset_default_limits();
    for (int i = 2; i < argc; i += 2) {
        double score;
        assert_int_equal(dblite_parse_double(argv[i], &score), DBLITE_OK);
        int outcome;
        assert_int_equal(zset_value_add(rewriter->replay, &limits, argv[i + 1], score, ZSET_ADD_NX,
                                        &outcome, NULL),
                         DBLITE_OK);
        assert_int_equal(outcome, ZSET_ADD_OUT_ADDED);
    }
    return DBLITE_OK;
}

static void type_methods(void **state)
{
    (void)state;
    assert_non_null(zset_type_register(NULL));
    assert_int_equal(registered_code, 5);
    assert_non_null(registered_methods->free);
    assert_non_null(registered_methods->copy);
    assert_non_null(registered_methods->memory_usage);
    assert_ptr_equal(registered_methods->save, zset_snapshot_save);
    assert_ptr_equal(registered_methods->load, zset_snapshot_load);
    for (int packed = 0; packed <= 1; packed++) {
        zset_limits limits = {packed ? 128 : 0, 64};
        value_holder holder = new_holder(&limits);
        model m = {0};
        for (int i = 0; i < 150; i++) {
            char member[16];
            snprintf(member, sizeof member, "r%d", i);
            double score = i % 7 == 0 ? 0.1 * i : i % 7 == 1 ? -INFINITY : (double)i / 4;
            double ignored;
            add(&holder, &limits, member, score);
            model_add(&m, text(member), score, 0, &ignored);
        }
        if (packed)
            assert_int_equal(zset_value_encoding(holder.current), ZSET_ENCODING_SKIPLIST);
        assert_string_equal(registered_methods->encoding(holder.current), "skiplist");
        value_holder replay = new_holder(&limits);
        dblite_rewriter rewriter = {0, 0, &replay, text("key")};
        assert_int_equal(registered_methods->rewrite(&rewriter, text("key"), holder.current),
                         DBLITE_OK);
        assert_int_equal(rewriter.commands, 3); /* 64 + 64 + 22 pairs */
        assert_int_equal(rewriter.max_argc, 2 + 2 * 64);
        check_content(replay.current, &m);
        zset_value_free(replay.current);
        zset_value_free(holder.current);
        free(m.pairs);
    }
    zset_limits limits = zset_default_limits();
    value_holder small = new_holder(&limits);
    add(&small, &limits, "x", 1);
    assert_string_equal(registered_methods->encoding(small.current), "listpack");
    registered_methods->free(small.current);
    assert_int_equal(live_blocks, 0);
}

/* ---- Memory per member (on demand) --------------------------------------------------- */

static void memory_per_member(void **state)
{
    (void)state;
    const char *wanted = getenv("ZSET_MEMORY_REPORT");
    if (wanted == NULL) {
        skip();
        return;
    }
    long count = atol(wanted);
    zset_limits limits = zset_default_limits();
    long long before_bytes = live_bytes, before_blocks = live_blocks;
    value_holder holder = new_holder(&limits);
    for (long i = 0; i < count; i++) {
        char member[32];
        snprintf(member, sizeof member, "member:%ld", i);
        add(&holder, &limits, member, (double)i);
    }
    long long bytes = live_bytes - before_bytes, blocks = live_blocks - before_blocks;
    /* glibc adds 8 bytes of header to every block beyond its usable size. */
    printf("# %ld members: %.1f usable bytes per member, %.1f with malloc headers; "
           "memory_usage %.1f\n",
           count, (double)bytes / (double)count, (double)(bytes + 8 * blocks) / (double)count,
           (double)zset_value_memory_usage(holder.current) / (double)count);
    zset_value_free(holder.current);
}

/* Each test counts its own blocks: a failed one must not fail the next. */
static int reset_counts(void **state)
{
    (void)state;
    live_blocks = 0;
    live_bytes = 0;
    fail_after(-1);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(packed_only, reset_counts),
        cmocka_unit_test_setup(converting_at_small_limits, reset_counts),
        cmocka_unit_test_setup(skiplist_only, reset_counts),
        cmocka_unit_test_setup(lex_ranges_both_encodings, reset_counts),
        cmocka_unit_test_setup(ties_order_by_member_bytes, reset_counts),
        cmocka_unit_test_setup(lex_ranges_on_mixed_scores_as_redis, reset_counts),
        cmocka_unit_test_setup(score_texts_as_redis, reset_counts),
        cmocka_unit_test_setup(add_outcomes, reset_counts),
        cmocka_unit_test_setup(conversion_at_the_limits, reset_counts),
        cmocka_unit_test_setup(updates_move_to_every_place, reset_counts),
        cmocka_unit_test_setup(removals_never_move_the_block, reset_counts),
        cmocka_unit_test_setup(out_of_memory_leaves_the_set_unchanged, reset_counts),
        cmocka_unit_test_setup(copy_and_memory_usage, reset_counts),
        cmocka_unit_test_setup(scan_guarantee, reset_counts),
        cmocka_unit_test_setup(type_methods, reset_counts),
        cmocka_unit_test_setup(memory_per_member, reset_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
