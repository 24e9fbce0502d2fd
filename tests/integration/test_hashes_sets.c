/*
 * test_hashes_sets.c - the hashes and sets modules over real sockets, where
 * differential cases cannot go: random picks (SRANDMEMBER, SPOP,
 * HRANDFIELD) checked for fairness in every encoding, distinct picks for
 * positive counts, collections far past the conversion thresholds (every
 * member kept, SSCAN/HSCAN meeting every element even while the collection
 * changes between calls), RESP3 reply shapes of large collections, the
 * encoding settings applied at runtime, and what the commands propagate.
 *
 * Fairness bounds are chi-square statistics against their degrees of
 * freedom with a margin of ten standard deviations: a fair generator fails
 * them with a probability far below one in a billion, while a picker that
 * favours some members (say, by chain length in a hash table) or never
 * reaches some fails them at once.
 *
 * Each test starts its own server with tests/configs/hashes_sets.ini.
 * argv[1] names another config ("-" for none), which lets the test itself be
 * checked against a stock redis-server (DBLITE_SERVER=redis-server, no
 * DBLITE_MODULE_PATH, config "-"); dblite-only checks are then skipped.
 * Redis 7.0 itself fails the three fairness tests on their hash-table
 * cases (chi-square around ten times the bound): its dict picks a random
 * bucket and then a member of its chain, which favours members of short
 * chains.  dblite's picks are exactly uniform, so the bounds stay strict.
 */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "reply_checks.h"
#include "server_process.h"

static char config_path[4096];
static const char *config_name;
static int against_redis;

typedef struct fixture {
    server_process *server;
    redisContext *context;
} fixture;

static int start_server_with(void **state, const char *const *extra_args)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    *state = f;
    f->server = server_start(config_name, extra_args);
    if (f->server == NULL)
        return -1;
    f->context = server_connect(f->server);
    if (f->context == NULL)
        return -1;
    struct timeval timeout = {120, 0};
    redisSetTimeout(f->context, timeout);
    return 0;
}

static int start_server(void **state)
{
    return start_server_with(state, NULL);
}

/* With hooktest.so (tests/modules), whose HOOKTEST.PROPAGATED returns the
 * commands propagated so far. */
static int start_server_with_propagation_log(void **state)
{
    static char module_path[4096];
    const char *binary_dir = getenv("DBLITE_BINARY_DIR");
    if (against_redis || binary_dir == NULL)
        return start_server_with(state, NULL);
    snprintf(module_path, sizeof module_path, "%s/test-modules/hooktest.so", binary_dir);
    const char *const args[] = {"--load-module", module_path, NULL};
    return start_server_with(state, args);
}

static int stop_server(void **state)
{
    fixture *f = *state;
    if (f == NULL)
        return 0;
    if (f->context != NULL)
        redisFree(f->context);
    int status = server_stop(f->server);
    free(f);
    return status == 0 ? 0 : -1;
}

/* ---- Helpers ------------------------------------------------------------ */

/* Queues a command (pipelining); replies are read with reply_read. */
static void queue(redisContext *context, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    int status = redisvAppendCommand(context, format, arguments);
    va_end(arguments);
    assert_int_equal(status, REDIS_OK);
}

static void queue_argv(redisContext *context, int argc, const char **argv, const size_t *lengths)
{
    assert_int_equal(redisAppendCommandArgv(context, argc, argv, lengths), REDIS_OK);
}

/* Reads count queued replies, failing on any error reply. */
static void drain(redisContext *context, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        redisReply *reply = reply_read(context);
        if (reply->type == REDIS_REPLY_ERROR)
            fail_msg("pipelined command failed: %s", reply->str);
        freeReplyObject(reply);
    }
}

/* Name of member or field number index ("m17"); buffer of 32 bytes. */
static const char *element_name(char *buffer, const char *prefix, size_t index)
{
    snprintf(buffer, 32, "%s%zu", prefix, index);
    return buffer;
}

/* Index behind a name made by element_name, or -1 when it is not one. */
static long element_index(const char *text, size_t length, const char *prefix)
{
    size_t prefix_length = strlen(prefix);
    if (length <= prefix_length || memcmp(text, prefix, prefix_length) != 0)
        return -1;
    long value = 0;
    for (size_t i = prefix_length; i < length; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

/* Adds members prefix0 .. prefix(count-1) to key, 1000 per SADD. */
static void fill_set(redisContext *context, const char *key, const char *prefix, size_t count)
{
    enum { BATCH = 1000 };
    const char **argv = malloc((BATCH + 2) * sizeof(char *));
    size_t *lengths = malloc((BATCH + 2) * sizeof(size_t));
    char(*names)[32] = malloc(BATCH * sizeof *names);
    assert_non_null(argv);
    size_t commands = 0;
    for (size_t start = 0; start < count; start += BATCH) {
        int argc = 2;
        argv[0] = "SADD";
        argv[1] = key;
        for (size_t i = start; i < count && i < start + BATCH; i++)
            argv[argc++] = element_name(names[i - start], prefix, i);
        for (int i = 0; i < argc; i++)
            lengths[i] = strlen(argv[i]);
        queue_argv(context, argc, argv, lengths);
        commands++;
    }
    drain(context, commands);
    free(argv);
    free(lengths);
    free(names);
}

/* Sets fields prefix<i> to "v<i>" for i < count, 500 pairs per HSET. */
static void fill_hash(redisContext *context, const char *key, const char *prefix, size_t count)
{
    enum { BATCH = 500 };
    const char **argv = malloc((2 * BATCH + 2) * sizeof(char *));
    size_t *lengths = malloc((2 * BATCH + 2) * sizeof(size_t));
    char(*names)[32] = malloc(2 * BATCH * sizeof *names);
    assert_non_null(argv);
    size_t commands = 0;
    for (size_t start = 0; start < count; start += BATCH) {
        int argc = 2;
        argv[0] = "HSET";
        argv[1] = key;
        for (size_t i = start; i < count && i < start + BATCH; i++) {
            argv[argc++] = element_name(names[2 * (i - start)], prefix, i);
            argv[argc++] = element_name(names[2 * (i - start) + 1], "v", i);
        }
        for (int i = 0; i < argc; i++)
            lengths[i] = strlen(argv[i]);
        queue_argv(context, argc, argv, lengths);
        commands++;
    }
    drain(context, commands);
    free(argv);
    free(lengths);
    free(names);
}

/* Counts one pick of the element named by reply; fails on a stranger. */
static void count_pick(long *counts, size_t bins, const char *prefix, const redisReply *reply)
{
    if (reply->type != REDIS_REPLY_STRING)
        fail_msg("expected a member, got reply type %d", reply->type);
    long index = element_index(reply->str, reply->len, prefix);
    if (index < 0 || (size_t)index >= bins)
        fail_msg("picked '%s', which is not a member", reply->str);
    counts[index]++;
}

/* Chi-square of counts against a uniform expectation, bounded at ten
 * standard deviations above its mean; every bin must be hit. */
static void assert_uniform(const long *counts, size_t bins, const char *what)
{
    long total = 0;
    for (size_t i = 0; i < bins; i++)
        total += counts[i];
    double expected = (double)total / (double)bins;
    double chi_square = 0;
    for (size_t i = 0; i < bins; i++) {
        if (counts[i] == 0)
            fail_msg("%s: element %zu was never picked in %ld picks", what, i, total);
        chi_square += (counts[i] - expected) * (counts[i] - expected) / expected;
    }
    double freedom = (double)(bins - 1);
    double limit = freedom + 10 * sqrt(2 * freedom) + 10;
    if (chi_square > limit)
        fail_msg("%s: chi-square %.1f over %zu bins exceeds %.1f", what, chi_square, bins, limit);
}

/* The three set encodings' test sets: small integers, a few strings, and
 * enough strings to need a hash table (past set-max-listpack-entries). */
typedef struct set_case {
    const char *key;
    const char *prefix; /* "" for the integer set */
    size_t size;
} set_case;

static const set_case set_cases[] = {
    {"integers", "", 10},
    {"strings", "m", 10},
    {"table", "m", 300},
};

static void fill_set_case(redisContext *context, const set_case *c)
{
    fill_set(context, c->key, c->prefix, c->size);
    reply_expect_integer(context, (long long)c->size, "SCARD %s", c->key);
}

/* ---- Fairness of random picks ------------------------------------------ */

static void srandmember_is_fair_in_every_encoding(void **state)
{
    fixture *f = *state;
    for (size_t c = 0; c < sizeof set_cases / sizeof set_cases[0]; c++) {
        const set_case *sc = &set_cases[c];
        fill_set_case(f->context, sc);
        long *counts = calloc(sc->size, sizeof(long));
        /* Negative count: independent picks in one reply. */
        long picks = 400 * (long)sc->size;
        redisReply *reply = reply_command(f->context, "SRANDMEMBER %s %ld", sc->key, -picks);
        assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
        assert_int_equal(reply->elements, picks);
        for (size_t i = 0; i < reply->elements; i++)
            count_pick(counts, sc->size, sc->prefix, reply->element[i]);
        freeReplyObject(reply);
        assert_uniform(counts, sc->size, "SRANDMEMBER -count");
        /* Single picks, one command each. */
        memset(counts, 0, sc->size * sizeof(long));
        long singles = 100 * (long)sc->size;
        for (long i = 0; i < singles; i++)
            queue(f->context, "SRANDMEMBER %s", sc->key);
        for (long i = 0; i < singles; i++) {
            reply = reply_read(f->context);
            count_pick(counts, sc->size, sc->prefix, reply);
            freeReplyObject(reply);
        }
        assert_uniform(counts, sc->size, "SRANDMEMBER");
        free(counts);
    }
}

static void spop_is_fair_in_every_encoding(void **state)
{
    fixture *f = *state;
    for (size_t c = 0; c < sizeof set_cases / sizeof set_cases[0]; c++) {
        const set_case *sc = &set_cases[c];
        fill_set_case(f->context, sc);
        long *counts = calloc(sc->size, sizeof(long));
        /* Each round pops from a fresh copy of the same set. */
        long rounds = 150 * (long)sc->size;
        for (long i = 0; i < rounds; i++) {
            queue(f->context, "COPY %s popped REPLACE", sc->key);
            queue(f->context, "SPOP popped");
        }
        for (long i = 0; i < rounds; i++) {
            freeReplyObject(reply_read(f->context));
            redisReply *reply = reply_read(f->context);
            count_pick(counts, sc->size, sc->prefix, reply);
            freeReplyObject(reply);
        }
        assert_uniform(counts, sc->size, "SPOP");
        /* SPOP with a count: each member is in a pop of three equally
         * often, and a pop never repeats a member. */
        memset(counts, 0, sc->size * sizeof(long));
        rounds = 60 * (long)sc->size;
        for (long i = 0; i < rounds; i++) {
            queue(f->context, "COPY %s popped REPLACE", sc->key);
            queue(f->context, "SPOP popped 3");
        }
        for (long i = 0; i < rounds; i++) {
            freeReplyObject(reply_read(f->context));
            redisReply *reply = reply_read(f->context);
            assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
            assert_int_equal(reply->elements, 3);
            for (size_t j = 0; j < 3; j++) {
                count_pick(counts, sc->size, sc->prefix, reply->element[j]);
                for (size_t k = 0; k < j; k++)
                    assert_string_not_equal(reply->element[j]->str, reply->element[k]->str);
            }
            freeReplyObject(reply);
        }
        assert_uniform(counts, sc->size, "SPOP count");
        reply_expect_integer(f->context, (long long)sc->size - 3, "SCARD popped");
        free(counts);
    }
}

static void hrandfield_is_fair_in_both_encodings(void **state)
{
    fixture *f = *state;
    /* 10 fields stay packed; 700 are past hash-max-listpack-entries. */
    static const size_t sizes[] = {10, 700};
    for (size_t s = 0; s < 2; s++) {
        size_t size = sizes[s];
        reply_expect_success(f->context, "DEL h");
        fill_hash(f->context, "h", "f", size);
        long *counts = calloc(size, sizeof(long));
        long picks = 300 * (long)size;
        redisReply *reply = reply_command(f->context, "HRANDFIELD h %ld WITHVALUES", -picks);
        assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
        assert_int_equal(reply->elements, 2 * picks);
        for (size_t i = 0; i < reply->elements; i += 2) {
            count_pick(counts, size, "f", reply->element[i]);
            /* The value belongs to the field picked. */
            long index = element_index(reply->element[i]->str, reply->element[i]->len, "f");
            assert_int_equal(
                element_index(reply->element[i + 1]->str, reply->element[i + 1]->len, "v"), index);
        }
        freeReplyObject(reply);
        assert_uniform(counts, size, "HRANDFIELD -count WITHVALUES");
        memset(counts, 0, size * sizeof(long));
        long singles = 100 * (long)size;
        for (long i = 0; i < singles; i++)
            queue(f->context, "HRANDFIELD h");
        for (long i = 0; i < singles; i++) {
            reply = reply_read(f->context);
            count_pick(counts, size, "f", reply);
            freeReplyObject(reply);
        }
        assert_uniform(counts, size, "HRANDFIELD");
        free(counts);
    }
}

/* Positive counts: distinct elements, min(count, size) of them. */
static void positive_counts_pick_distinct_elements(void **state)
{
    fixture *f = *state;
    for (size_t c = 0; c < sizeof set_cases / sizeof set_cases[0]; c++) {
        const set_case *sc = &set_cases[c];
        fill_set_case(f->context, sc);
        const size_t counts[] = {1,        sc->size / 4, sc->size / 3 + 1, sc->size - 1,
                                 sc->size, sc->size + 5};
        char *seen = malloc(sc->size);
        for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
            for (int round = 0; round < 20; round++) {
                redisReply *reply = reply_command(f->context, "SRANDMEMBER %s %lu", sc->key,
                                                  (unsigned long)counts[k]);
                size_t expected = counts[k] < sc->size ? counts[k] : sc->size;
                assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
                assert_int_equal(reply->elements, expected);
                memset(seen, 0, sc->size);
                for (size_t i = 0; i < reply->elements; i++) {
                    long index =
                        element_index(reply->element[i]->str, reply->element[i]->len, sc->prefix);
                    assert_true(index >= 0 && (size_t)index < sc->size);
                    assert_false(seen[index]);
                    seen[index] = 1;
                }
                freeReplyObject(reply);
            }
        }
        /* SPOP with a count removes exactly what it returns. */
        reply_expect_success(f->context, "COPY %s popped REPLACE", sc->key);
        redisReply *reply =
            reply_command(f->context, "SPOP popped %lu", (unsigned long)(sc->size / 2));
        assert_int_equal(reply->elements, sc->size / 2);
        for (size_t i = 0; i < reply->elements; i++)
            reply_expect_integer(f->context, 0, "SISMEMBER popped %s", reply->element[i]->str);
        freeReplyObject(reply);
        reply_expect_integer(f->context, (long long)(sc->size - sc->size / 2), "SCARD popped");
        free(seen);
    }
    /* HRANDFIELD with a positive count, both encodings. */
    static const size_t sizes[] = {10, 700};
    for (size_t s = 0; s < 2; s++) {
        reply_expect_success(f->context, "DEL h");
        fill_hash(f->context, "h", "f", sizes[s]);
        char *seen = calloc(sizes[s], 1);
        redisReply *reply =
            reply_command(f->context, "HRANDFIELD h %lu", (unsigned long)(sizes[s] / 2));
        assert_int_equal(reply->elements, sizes[s] / 2);
        for (size_t i = 0; i < reply->elements; i++) {
            long index = element_index(reply->element[i]->str, reply->element[i]->len, "f");
            assert_true(index >= 0 && (size_t)index < sizes[s]);
            assert_false(seen[index]);
            seen[index] = 1;
        }
        freeReplyObject(reply);
        free(seen);
    }
}

/* ---- Large collections --------------------------------------------------- */

enum { LARGE = 100000 };

/* Walks a whole SSCAN/HSCAN of key with COUNT step, marking elements in
 * seen (a field/value array when pairs).  Between calls, between(i) may
 * change the collection. */
typedef void (*between_calls_fn)(redisContext *context, long call, void *privdata);

static long scan_all(redisContext *context, const char *scan, const char *key, const char *prefix,
                     int pairs, char *seen, size_t universe, between_calls_fn between,
                     void *privdata)
{
    char cursor[32] = "0";
    long calls = 0;
    do {
        redisReply *reply = reply_command(context, "%s %s %s COUNT 100", scan, key, cursor);
        assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
        assert_int_equal(reply->elements, 2);
        snprintf(cursor, sizeof cursor, "%s", reply->element[0]->str);
        redisReply *elements = reply->element[1];
        for (size_t i = 0; i < elements->elements; i += pairs ? 2 : 1) {
            long index =
                element_index(elements->element[i]->str, elements->element[i]->len, prefix);
            if (index >= 0 && (size_t)index < universe)
                seen[index] = 1;
        }
        freeReplyObject(reply);
        calls++;
        if (between != NULL)
            between(context, calls, privdata);
        if (calls > 10 * (long)universe)
            fail_msg("%s did not finish", scan);
    } while (strcmp(cursor, "0") != 0);
    return calls;
}

typedef struct churn {
    const char *key;
    int is_hash;
    char *removed; /* members removed during the scan */
    long next_new;
} churn;

/* Between scan calls: remove two original members, add a new one. */
static void churn_between_calls(redisContext *context, long call, void *privdata)
{
    churn *state = privdata;
    char name[32];
    for (int i = 0; i < 2; i++) {
        size_t index = (size_t)((call * 7919 + i * 104729) % LARGE);
        element_name(name, state->is_hash ? "f" : "m", index);
        reply_expect_success(context, state->is_hash ? "HDEL %s %s" : "SREM %s %s", state->key,
                             name);
        state->removed[index] = 1;
    }
    element_name(name, "new", (size_t)state->next_new++);
    reply_expect_success(context, state->is_hash ? "HSET %s %s x" : "SADD %s %s", state->key, name);
}

static void large_sets_keep_every_member(void **state)
{
    fixture *f = *state;
    fill_set(f->context, "big", "m", LARGE);
    fill_set(f->context, "big", "m", LARGE); /* all already there */
    reply_expect_integer(f->context, LARGE, "SCARD big");
    /* Every member is there, and nothing else. */
    for (size_t start = 0; start < LARGE; start += 1000) {
        char name[32];
        for (size_t i = start; i < start + 1000; i++)
            queue(f->context, "SISMEMBER big %s", element_name(name, "m", i));
        for (size_t i = start; i < start + 1000; i++) {
            redisReply *reply = reply_read(f->context);
            assert_int_equal(reply->integer, 1);
            freeReplyObject(reply);
        }
    }
    reply_expect_integer(f->context, 0, "SISMEMBER big m%d", LARGE);
    reply_expect_integer(f->context, 0, "SISMEMBER big x");
    redisReply *reply = reply_command(f->context, "SMEMBERS big");
    assert_int_equal(reply->elements, LARGE);
    freeReplyObject(reply);

    /* A full scan meets every member at least once. */
    char *seen = calloc(LARGE, 1);
    scan_all(f->context, "SSCAN", "big", "m", 0, seen, LARGE, NULL, NULL);
    for (size_t i = 0; i < LARGE; i++)
        if (!seen[i])
            fail_msg("SSCAN missed m%zu", i);
    /* And still does for members left alone while others come and go. */
    memset(seen, 0, LARGE);
    churn changes = {"big", 0, calloc(LARGE, 1), 0};
    scan_all(f->context, "SSCAN", "big", "m", 0, seen, LARGE, churn_between_calls, &changes);
    for (size_t i = 0; i < LARGE; i++)
        if (!changes.removed[i] && !seen[i])
            fail_msg("SSCAN with changes missed m%zu", i);

    /* Remove every other member. */
    for (size_t start = 0; start < LARGE; start += 1000) {
        char name[32];
        for (size_t i = start; i < start + 1000; i += 2)
            queue(f->context, "SREM big %s", element_name(name, "m", i));
        drain(f->context, 500);
    }
    reply = reply_command(f->context, "SCARD big");
    long long left = reply->integer;
    freeReplyObject(reply);
    long long expected_left = changes.next_new;
    for (size_t i = 1; i < LARGE; i += 2)
        expected_left += !changes.removed[i];
    assert_int_equal(left, expected_left);
    reply_expect_integer(f->context, 0, "SISMEMBER big m0");

    /* Set algebra at this size. */
    fill_set(f->context, "evens", "m", LARGE);
    reply = reply_command(f->context, "SINTERCARD 2 big evens");
    long long common = reply->integer;
    freeReplyObject(reply);
    assert_int_equal(common, left - changes.next_new);
    reply_expect_integer(f->context, common, "SINTERSTORE both big evens");
    reply_expect_integer(f->context, LARGE - common, "SDIFFSTORE rest evens big");
    reply_expect_integer(f->context, LARGE + changes.next_new, "SUNIONSTORE all big evens");
    reply_expect_integer(f->context, 100, "SINTERCARD 2 big evens LIMIT 100");

    /* Integers past set-max-intset-entries: exact values survive. */
    fill_set(f->context, "numbers", "", 20000);
    reply_expect_integer(f->context, 20000, "SCARD numbers");
    reply_expect_integer(f->context, 1, "SISMEMBER numbers 19999");
    reply_expect_integer(f->context, 0, "SISMEMBER numbers 019999");
    reply_expect_integer(f->context, 1, "SADD numbers -9223372036854775808");
    reply_expect_integer(f->context, 1, "SISMEMBER numbers -9223372036854775808");
    free(seen);
    free(changes.removed);
}

static void large_hashes_keep_every_field(void **state)
{
    fixture *f = *state;
    fill_hash(f->context, "big", "f", LARGE);
    reply_expect_integer(f->context, LARGE, "HLEN big");
    for (size_t start = 0; start < LARGE; start += 1000) {
        char name[32];
        for (size_t i = start; i < start + 1000; i++)
            queue(f->context, "HGET big %s", element_name(name, "f", i));
        for (size_t i = start; i < start + 1000; i++) {
            redisReply *reply = reply_read(f->context);
            assert_int_equal(reply->type, REDIS_REPLY_STRING);
            assert_int_equal(element_index(reply->str, reply->len, "v"), (long)i);
            freeReplyObject(reply);
        }
    }
    redisReply *reply = reply_command(f->context, "HGETALL big");
    assert_int_equal(reply->elements, 2 * LARGE);
    for (size_t i = 0; i < reply->elements; i += 2)
        assert_int_equal(
            element_index(reply->element[i]->str, reply->element[i]->len, "f"),
            element_index(reply->element[i + 1]->str, reply->element[i + 1]->len, "v"));
    freeReplyObject(reply);

    char *seen = calloc(LARGE, 1);
    scan_all(f->context, "HSCAN", "big", "f", 1, seen, LARGE, NULL, NULL);
    for (size_t i = 0; i < LARGE; i++)
        if (!seen[i])
            fail_msg("HSCAN missed f%zu", i);
    memset(seen, 0, LARGE);
    churn changes = {"big", 1, calloc(LARGE, 1), 0};
    scan_all(f->context, "HSCAN", "big", "f", 1, seen, LARGE, churn_between_calls, &changes);
    for (size_t i = 0; i < LARGE; i++)
        if (!changes.removed[i] && !seen[i])
            fail_msg("HSCAN with changes missed f%zu", i);

    /* Values change size in place: counters and long values. */
    reply_expect_integer(f->context, 10, "HINCRBY big counter 10");
    reply_expect_integer(f->context, 0, "HSETNX big counter 1");
    reply = reply_command(f->context, "HINCRBYFLOAT big counter 0.5");
    assert_string_equal(reply->str, "10.5");
    freeReplyObject(reply);
    char long_value[3000];
    memset(long_value, 'z', sizeof long_value - 1);
    long_value[sizeof long_value - 1] = '\0';
    reply_expect_success(f->context, "HSET big f3 %s", long_value);
    reply_expect_integer(f->context, (long long)strlen(long_value), "HSTRLEN big f3");
    reply_expect_success(f->context, "HSET big f3 short");
    reply_expect_integer(f->context, 5, "HSTRLEN big f3");

    /* Delete every other original field. */
    for (size_t start = 0; start < LARGE; start += 1000) {
        char name[32];
        for (size_t i = start; i < start + 1000; i += 2)
            queue(f->context, "HDEL big %s", element_name(name, "f", i));
        drain(f->context, 500);
    }
    reply = reply_command(f->context, "HLEN big");
    long long expected = changes.next_new + 1; /* the new fields and "counter" */
    for (size_t i = 1; i < LARGE; i += 2)
        expected += !changes.removed[i];
    assert_int_equal(reply->integer, expected);
    freeReplyObject(reply);
    reply_expect_integer(f->context, 0, "HEXISTS big f0");
    free(seen);
    free(changes.removed);
}

/* ---- RESP3 shapes ---------------------------------------------------------- */

/* A minimal RESP3 client (the hiredis here predates RESP3). */
typedef struct resp_node {
    char type;
    long long number; /* integers, and element counts of aggregates */
    char *text;       /* simple strings, errors, bulk strings */
    size_t length;
    struct resp_node **children;
    size_t child_count;
} resp_node;

typedef struct raw_connection {
    int fd;
    char buffer[65536];
    size_t start, end;
} raw_connection;

static raw_connection *raw_connect(int port)
{
    raw_connection *connection = calloc(1, sizeof *connection);
    connection->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(connection->fd >= 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(connection->fd, (struct sockaddr *)&address, sizeof address), 0);
    return connection;
}

static void raw_close(raw_connection *connection)
{
    close(connection->fd);
    free(connection);
}

static int raw_byte(raw_connection *connection)
{
    if (connection->start == connection->end) {
        ssize_t got = read(connection->fd, connection->buffer, sizeof connection->buffer);
        if (got <= 0)
            fail_msg("connection closed while reading a reply");
        connection->start = 0;
        connection->end = (size_t)got;
    }
    return (unsigned char)connection->buffer[connection->start++];
}

/* The next line without its CRLF, in a malloc'd string. */
static char *raw_line(raw_connection *connection, size_t *length)
{
    size_t capacity = 64, used = 0;
    char *line = malloc(capacity);
    for (;;) {
        int byte = raw_byte(connection);
        if (byte == '\r') {
            assert_int_equal(raw_byte(connection), '\n');
            break;
        }
        if (used + 1 >= capacity)
            line = realloc(line, capacity *= 2);
        line[used++] = (char)byte;
    }
    line[used] = '\0';
    *length = used;
    return line;
}

static resp_node *raw_read(raw_connection *connection)
{
    resp_node *node = calloc(1, sizeof *node);
    node->type = (char)raw_byte(connection);
    size_t length;
    char *line = raw_line(connection, &length);
    switch (node->type) {
        case '+':
        case '-':
        case ',':
        case '(':
        case '#':
            node->text = line;
            node->length = length;
            return node;
        case ':':
            node->number = atoll(line);
            break;
        case '_':
            break;
        case '$':
        case '=':
        case '!': {
            node->number = atoll(line);
            if (node->number >= 0) {
                node->length = (size_t)node->number;
                node->text = malloc(node->length + 1);
                for (size_t i = 0; i < node->length; i++)
                    node->text[i] = (char)raw_byte(connection);
                node->text[node->length] = '\0';
                assert_int_equal(raw_byte(connection), '\r');
                assert_int_equal(raw_byte(connection), '\n');
            }
            break;
        }
        case '*':
        case '~':
        case '%':
        case '>': {
            node->number = atoll(line);
            node->child_count =
                node->number < 0 ? 0 : (size_t)node->number * (node->type == '%' ? 2 : 1);
            node->children = calloc(node->child_count + 1, sizeof(resp_node *));
            for (size_t i = 0; i < node->child_count; i++)
                node->children[i] = raw_read(connection);
            break;
        }
        default:
            fail_msg("unknown RESP type '%c'", node->type);
    }
    free(line);
    return node;
}

static void resp_free(resp_node *node)
{
    for (size_t i = 0; i < node->child_count; i++)
        resp_free(node->children[i]);
    free(node->children);
    free(node->text);
    free(node);
}

/* Sends a command given as space-separated words and reads its reply. */
static resp_node *raw_command(raw_connection *connection, const char *words)
{
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", words);
    char *argv[64];
    int argc = 0;
    for (char *word = strtok(copy, " "); word != NULL && argc < 64; word = strtok(NULL, " "))
        argv[argc++] = word;
    char request[4096];
    int used = snprintf(request, sizeof request, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++)
        used += snprintf(request + used, sizeof request - (size_t)used, "$%zu\r\n%s\r\n",
                         strlen(argv[i]), argv[i]);
    assert_int_equal(write(connection->fd, request, (size_t)used), used);
    return raw_read(connection);
}

/* The reply to words must be an aggregate of type with count elements
 * (pairs for maps); returns it for further checks. */
static resp_node *expect_shape(raw_connection *connection, const char *words, char type,
                               long long count)
{
    resp_node *reply = raw_command(connection, words);
    if (reply->type != type || reply->number != count)
        fail_msg("'%s': expected %c%lld, got %c%lld (%s)", words, type, count, reply->type,
                 reply->number, reply->text ? reply->text : "");
    return reply;
}

static void resp3_shapes(void **state)
{
    fixture *f = *state;
    fill_hash(f->context, "bighash", "f", 1000);
    fill_hash(f->context, "smallhash", "f", 3);
    fill_set(f->context, "bigset", "m", 1000);
    fill_set(f->context, "smallset", "m", 3);
    fill_set(f->context, "intset", "", 3);
    raw_connection *connection = raw_connect(server_port(f->server));
    resp_node *hello = raw_command(connection, "HELLO 3");
    assert_int_equal(hello->type, '%');
    resp_free(hello);

    static const struct {
        const char *key;
        long long size;
    } hashes[] = {{"bighash", 1000}, {"smallhash", 3}};
    for (int h = 0; h < 2; h++) {
        char words[128];
        snprintf(words, sizeof words, "HGETALL %s", hashes[h].key);
        resp_node *reply = expect_shape(connection, words, '%', hashes[h].size);
        for (size_t i = 0; i < reply->child_count; i += 2)
            assert_int_equal(
                element_index(reply->children[i]->text, reply->children[i]->length, "f"),
                element_index(reply->children[i + 1]->text, reply->children[i + 1]->length, "v"));
        resp_free(reply);
        /* WITHVALUES: an array of [field, value] pairs, for both signs. */
        static const char *const counts[] = {"2", "-5"};
        for (int c = 0; c < 2; c++) {
            snprintf(words, sizeof words, "HRANDFIELD %s %s WITHVALUES", hashes[h].key, counts[c]);
            reply = expect_shape(connection, words, '*', atoll(counts[c]) < 0 ? 5 : 2);
            for (size_t i = 0; i < reply->child_count; i++) {
                resp_node *pair = reply->children[i];
                assert_int_equal(pair->type, '*');
                assert_int_equal(pair->child_count, 2);
                assert_int_equal(pair->children[0]->type, '$');
                assert_int_equal(pair->children[1]->type, '$');
            }
            resp_free(reply);
        }
        snprintf(words, sizeof words, "HRANDFIELD %s 2", hashes[h].key);
        resp_free(expect_shape(connection, words, '*', 2));
        snprintf(words, sizeof words, "HKEYS %s", hashes[h].key);
        resp_free(expect_shape(connection, words, '*', hashes[h].size));
        snprintf(words, sizeof words, "HSCAN %s 0", hashes[h].key);
        reply = expect_shape(connection, words, '*', 2);
        assert_int_equal(reply->children[0]->type, '$');
        assert_int_equal(reply->children[1]->type, '*');
        resp_free(reply);
    }
    static const struct {
        const char *key;
        long long size;
    } sets[] = {{"bigset", 1000}, {"smallset", 3}, {"intset", 3}};
    for (int s = 0; s < 3; s++) {
        char words[128];
        snprintf(words, sizeof words, "SMEMBERS %s", sets[s].key);
        resp_free(expect_shape(connection, words, '~', sets[s].size));
        snprintf(words, sizeof words, "SRANDMEMBER %s 2", sets[s].key);
        resp_free(expect_shape(connection, words, '*', 2));
        snprintf(words, sizeof words, "SRANDMEMBER %s -4", sets[s].key);
        resp_free(expect_shape(connection, words, '*', 4));
        snprintf(words, sizeof words, "SINTER %s %s", sets[s].key, sets[s].key);
        resp_free(expect_shape(connection, words, '~', sets[s].size));
        snprintf(words, sizeof words, "SUNION %s", sets[s].key);
        resp_free(expect_shape(connection, words, '~', sets[s].size));
        snprintf(words, sizeof words, "SDIFF %s nokey", sets[s].key);
        resp_free(expect_shape(connection, words, '~', sets[s].size));
        snprintf(words, sizeof words, "SMISMEMBER %s m0 nope", sets[s].key);
        resp_free(expect_shape(connection, words, '*', 2));
        snprintf(words, sizeof words, "SPOP %s 2", sets[s].key);
        resp_free(expect_shape(connection, words, '~', 2));
    }
    resp_free(expect_shape(connection, "SPOP nokey 2", '~', 0));
    resp_free(expect_shape(connection, "HGETALL nokey", '%', 0));
    resp_node *missing = raw_command(connection, "HRANDFIELD nokey");
    assert_int_equal(missing->type, '_');
    resp_free(missing);
    raw_close(connection);
}

/* ---- Settings move the conversion points ----------------------------------- */

/* The names differ: [hashes] hash-max-listpack-entries here,
 * hash-max-listpack-entries in Redis. */
static void set_config(redisContext *context, const char *module, const char *name,
                       const char *value)
{
    if (against_redis)
        reply_expect_success(context, "CONFIG SET %s %s", name, value);
    else
        reply_expect_success(context, "CONFIG SET %s.%s %s", module, name, value);
}

/* Whether one COUNT 1 scan step leaves more to do (a hash table) or
 * returns everything at once (the compact encodings). */
static int scan_pages(redisContext *context, const char *scan, const char *key)
{
    redisReply *reply = reply_command(context, "%s %s 0 COUNT 1", scan, key);
    int pages = strcmp(reply->element[0]->str, "0") != 0;
    freeReplyObject(reply);
    return pages;
}

static void settings_move_the_conversion_points(void **state)
{
    fixture *f = *state;
    set_config(f->context, "hashes", "hash-max-listpack-entries", "4");
    set_config(f->context, "hashes", "hash-max-listpack-value", "6");
    reply_expect_success(f->context, "HSET h a 1 b 2 c 3 d 4");
    reply_expect_success(f->context, "HDEL h a");
    reply_expect_success(f->context, "HSET h a 1");
    /* Still compact: insertion order, deleted field re-added at the end. */
    static const char *const packed[] = {"b", "c", "d", "a"};
    reply_expect_strings(f->context, packed, 4, "HKEYS h");
    assert_false(scan_pages(f->context, "HSCAN", "h"));
    reply_expect_success(f->context, "HSET h e 5");
    reply_expect_integer(f->context, 5, "HLEN h");
    reply_expect_success(f->context, "HSET long f 1234567");
    reply_expect_success(f->context, "HSET short f 123456");
    reply_expect_integer(f->context, 7, "HSTRLEN long f");
    if (!against_redis) {
        /* A table: deleting the first field moves the last one into its
         * place, and scans come in pages. */
        reply_expect_success(f->context, "HDEL h b");
        static const char *const table[] = {"e", "c", "d", "a"};
        reply_expect_strings(f->context, table, 4, "HKEYS h");
        assert_true(scan_pages(f->context, "HSCAN", "h"));
        reply_expect_success(f->context, "HSET long g 1");
        assert_false(scan_pages(f->context, "HSCAN", "short"));
        assert_true(scan_pages(f->context, "HSCAN", "long"));
    }

    set_config(f->context, "sets", "set-max-intset-entries", "3");
    reply_expect_success(f->context, "SADD s 3 1 2");
    static const char *const sorted[] = {"1", "2", "3"};
    reply_expect_strings(f->context, sorted, 3, "SMEMBERS s");
    reply_expect_integer(f->context, 1, "SADD s 0");
    reply_expect_integer(f->context, 4, "SCARD s");
    reply_expect_integer(f->context, 1, "SISMEMBER s 0");
    if (!against_redis) {
        /* Past the integer limit but within the packed one: insertion
         * order now, not sorted. */
        static const char *const packed_set[] = {"1", "2", "3", "0"};
        reply_expect_strings(f->context, packed_set, 4, "SMEMBERS s");
        assert_false(scan_pages(f->context, "SSCAN", "s"));
        set_config(f->context, "sets", "set-max-listpack-entries", "4");
        reply_expect_success(f->context, "SADD s 9");
        assert_true(scan_pages(f->context, "SSCAN", "s"));
        reply_expect_success(f->context, "SREM s 1");
        static const char *const table_set[] = {"9", "2", "3", "0"};
        reply_expect_strings(f->context, table_set, 4, "SMEMBERS s");
        set_config(f->context, "sets", "set-max-listpack-value", "5");
        reply_expect_success(f->context, "SADD t x abcde");
        assert_false(scan_pages(f->context, "SSCAN", "t"));
        reply_expect_success(f->context, "SADD t abcdef");
        assert_true(scan_pages(f->context, "SSCAN", "t"));
        reply_expect_integer(f->context, 3, "SCARD t");
    }
}

/* ---- Propagation ------------------------------------------------------------ */

/* What replicas and the append-only log see: random pops as the SREM (or
 * DEL) they amounted to, float increments as the HSET of their result,
 * and nothing for commands that changed nothing. */
static void random_and_float_commands_propagate_as_their_effect(void **state)
{
    fixture *f = *state;
    if (against_redis || getenv("DBLITE_BINARY_DIR") == NULL)
        skip();
    freeReplyObject(reply_command(f->context, "HOOKTEST.PROPAGATED"));
    reply_expect_success(f->context, "SADD s a b c d");
    reply_expect_success(f->context, "SADD s a");
    redisReply *one = reply_command(f->context, "SPOP s");
    redisReply *two = reply_command(f->context, "SPOP s 2");
    reply_expect_success(f->context, "SPOP s 5");
    reply_expect_success(f->context, "SPOP s");
    reply_expect_success(f->context, "SREM s nothing");
    reply_expect_success(f->context, "HINCRBYFLOAT h f 1.5");
    reply_expect_success(f->context, "HINCRBYFLOAT h f 1e2");
    reply_expect_success(f->context, "HDEL h nothing");
    reply_expect_success(f->context, "HSETNX h f 1");
    reply_expect_success(f->context, "SADD src 1");
    reply_expect_success(f->context, "SMOVE src dst 1");
    char pop_one[64], pop_two[128], pop_rest[64];
    snprintf(pop_one, sizeof pop_one, "0 SREM s %s", one->str);
    snprintf(pop_two, sizeof pop_two, "0 SREM s %s %s", two->element[0]->str, two->element[1]->str);
    snprintf(pop_rest, sizeof pop_rest, "0 DEL s");
    const char *const expected[] = {"0 SADD s a b c d",
                                    pop_one,
                                    pop_two,
                                    pop_rest,
                                    "0 HSET h f 1.5",
                                    "0 HSET h f 101.5",
                                    "0 SADD src 1",
                                    "0 SMOVE src dst 1"};
    reply_expect_strings(f->context, expected, sizeof expected / sizeof expected[0],
                         "HOOKTEST.PROPAGATED");
    freeReplyObject(one);
    freeReplyObject(two);
}

/* ---- Persistence ------------------------------------------------------------ */

/* With persistence.so when it is built (skipped otherwise): snapshots and
 * the append-only log (replayed as written, and after a rewrite) bring
 * back every hash and set exactly, whatever its encoding.  Against Redis,
 * the same with its built-in persistence. */
static int persistence_available(void)
{
    if (against_redis)
        return 1;
    const char *module_path = getenv("DBLITE_MODULE_PATH");
    if (module_path == NULL)
        return 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/persistence.so", module_path);
    return access(path, R_OK) == 0;
}

static int start_server_with_log(void **state)
{
    static const char *const dblite_args[] = {"--load-module",
                                              "persistence",
                                              "--persistence.appendonly",
                                              "yes",
                                              "--persistence.save",
                                              "",
                                              NULL};
    static const char *const redis_args[] = {"--appendonly", "yes", "--save", "", NULL};
    if (!persistence_available()) {
        *state = NULL;
        return 0;
    }
    return start_server_with(state, against_redis ? redis_args : dblite_args);
}

static int start_server_with_snapshots(void **state)
{
    static const char *const dblite_args[] = {"--load-module", "persistence", "--persistence.save",
                                              "", NULL};
    if (!persistence_available()) {
        *state = NULL;
        return 0;
    }
    return start_server_with(state, against_redis ? NULL : dblite_args);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every key with its type and sorted contents, as one text. */
static char *dataset_text(redisContext *context)
{
    redisReply *keys = reply_command(context, "KEYS *");
    char **lines = calloc(keys->elements + 1, sizeof(char *));
    for (size_t k = 0; k < keys->elements; k++) {
        const char *key = keys->element[k]->str;
        redisReply *type = reply_command(context, "TYPE %s", key);
        int is_hash = strcmp(type->str, "hash") == 0;
        redisReply *content = reply_command(context, is_hash ? "HGETALL %s" : "SMEMBERS %s", key);
        size_t items = content->elements / (is_hash ? 2 : 1);
        char **parts = calloc(items + 1, sizeof(char *));
        size_t length = strlen(key) + 16;
        for (size_t i = 0; i < items; i++) {
            size_t size =
                2 * (is_hash ? content->element[2 * i]->len + content->element[2 * i + 1]->len
                             : content->element[i]->len) +
                8;
            parts[i] = malloc(size);
            if (is_hash)
                snprintf(parts[i], size, "%s=%s", content->element[2 * i]->str,
                         content->element[2 * i + 1]->str);
            else
                snprintf(parts[i], size, "%s", content->element[i]->str);
            length += strlen(parts[i]) + 1;
        }
        qsort(parts, items, sizeof(char *), compare_strings);
        lines[k] = malloc(length);
        int used = snprintf(lines[k], length, "%s %s:", key, type->str);
        for (size_t i = 0; i < items; i++) {
            used += snprintf(lines[k] + used, length - (size_t)used, " %s", parts[i]);
            free(parts[i]);
        }
        free(parts);
        freeReplyObject(content);
        freeReplyObject(type);
    }
    qsort(lines, keys->elements, sizeof(char *), compare_strings);
    size_t total = 1;
    for (size_t k = 0; k < keys->elements; k++)
        total += strlen(lines[k]) + 1;
    char *text = malloc(total);
    text[0] = '\0';
    size_t used = 0;
    for (size_t k = 0; k < keys->elements; k++) {
        used += (size_t)snprintf(text + used, total - used, "%s\n", lines[k]);
        free(lines[k]);
    }
    free(lines);
    freeReplyObject(keys);
    return text;
}

/* Collections in every encoding, shaped by random pops and float
 * increments (which the log must record as their effect). */
static void build_dataset(redisContext *context)
{
    reply_expect_success(context, "HSET small a 1 b 2 %b empty", "", (size_t)0);
    fill_hash(context, "bighash", "f", 700);
    reply_expect_success(context, "HSET longvalue f %s",
                         "0123456789012345678901234567890123456789012345678901234567890123456789");
    reply_expect_success(context, "SADD integers 5 -3 70000 9223372036854775807");
    reply_expect_success(context, "SADD strings x y z 007");
    fill_set(context, "bigset", "m", 1000);
    fill_set(context, "bigintegers", "", 600);
    reply_expect_success(context, "EXPIRE small 1000");
    reply_expect_success(context, "SPOP bigset");
    reply_expect_success(context, "SPOP bigset 7");
    reply_expect_success(context, "SPOP integers");
    reply_expect_success(context, "SPOP bigintegers 3");
    reply_expect_success(context, "HINCRBYFLOAT small counter 1.1");
    reply_expect_success(context, "HINCRBYFLOAT small counter 2.25");
    reply_expect_success(context, "HINCRBY bighash counter 5");
    reply_expect_success(context, "HDEL bighash f1 f2 f3");
    reply_expect_success(context, "SMOVE bigset moved m10");
    reply_expect_success(context, "SMOVE bigset moved m11");
    reply_expect_success(context, "SINTERSTORE both bigset bigset");
    reply_expect_success(context, "SUNIONSTORE union integers strings");
}

static void expect_same_after_restart(fixture *f, const char *before, const char *what)
{
    redisFree(f->context);
    f->context = NULL;
    assert_non_null(server_restart(f->server));
    f->context = server_connect(f->server);
    assert_non_null(f->context);
    char *after = dataset_text(f->context);
    if (strcmp(before, after) != 0)
        fail_msg("%s: the dataset differs after a restart", what);
    free(after);
    redisReply *ttl = reply_command(f->context, "TTL small");
    assert_true(ttl->integer > 0 && ttl->integer <= 1000);
    freeReplyObject(ttl);
}

static void wait_for_rewrite(redisContext *context)
{
    for (int attempt = 0; attempt < 1000; attempt++) {
        redisReply *info = reply_command(context, "INFO persistence");
        int done = strstr(info->str, "aof_rewrite_in_progress:0") != NULL &&
                   strstr(info->str, "aof_rewrite_scheduled:1") == NULL;
        freeReplyObject(info);
        if (done)
            return;
        usleep(10000);
    }
    fail_msg("BGREWRITEAOF did not finish");
}

static void log_replay_and_rewrite_restore_everything(void **state)
{
    fixture *f = *state;
    if (f == NULL)
        skip();
    build_dataset(f->context);
    char *before = dataset_text(f->context);
    expect_same_after_restart(f, before, "append-only log replay");
    reply_expect_success(f->context, "BGREWRITEAOF");
    wait_for_rewrite(f->context);
    expect_same_after_restart(f, before, "rewritten append-only log");
    free(before);
}

static void snapshots_restore_everything(void **state)
{
    fixture *f = *state;
    if (f == NULL)
        skip();
    build_dataset(f->context);
    char *before = dataset_text(f->context);
    reply_expect_success(f->context, "SAVE");
    expect_same_after_restart(f, before, "snapshot");
    free(before);
}

int main(int argc, char **argv)
{
    const char *source_dir = getenv("DBLITE_SOURCE_DIR");
    snprintf(config_path, sizeof config_path, "%s/tests/configs/hashes_sets.ini",
             source_dir ? source_dir : ".");
    config_name = config_path;
    if (argc > 1)
        config_name = strcmp(argv[1], "-") == 0 ? NULL : argv[1];
    const char *server = getenv("DBLITE_SERVER");
    against_redis = server != NULL && strstr(server, "redis-server") != NULL;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(srandmember_is_fair_in_every_encoding, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(spop_is_fair_in_every_encoding, start_server, stop_server),
        cmocka_unit_test_setup_teardown(hrandfield_is_fair_in_both_encodings, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(positive_counts_pick_distinct_elements, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(large_sets_keep_every_member, start_server, stop_server),
        cmocka_unit_test_setup_teardown(large_hashes_keep_every_field, start_server, stop_server),
        cmocka_unit_test_setup_teardown(resp3_shapes, start_server, stop_server),
        cmocka_unit_test_setup_teardown(settings_move_the_conversion_points, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(random_and_float_commands_propagate_as_their_effect,
                                        start_server_with_propagation_log, stop_server),
        cmocka_unit_test_setup_teardown(log_replay_and_rewrite_restore_everything,
                                        start_server_with_log, stop_server),
        cmocka_unit_test_setup_teardown(snapshots_restore_everything, start_server_with_snapshots,
                                        stop_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
