/*
 * test_glob.c - unit tests of glob matching.
 *
 * Three sources of truth: the examples of Redis's KEYS documentation,
 * corner cases whose answers were checked against a real redis-server
 * 7.0.15 (PUBLISH to a PSUBSCRIBE pattern for the case-sensitive ones; the
 * nocase rules through COMMAND LIST FILTERBY PATTERN, which matches command
 * names ignoring case), and a slow exhaustive matcher
 * written here the way Redis's recursive one works, compared with the
 * bounded-time matcher on many random patterns.  Patterns built to make a
 * backtracking matcher take exponential time must finish at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "dblite_module.h"

typedef struct glob_case {
    const char *pattern;
    size_t pattern_length;
    const char *string;
    size_t string_length;
    int nocase;
    int expected;
} glob_case;

/* For NUL-free literals. */
#define CASE(pattern, string, nocase, expected)                                    \
    {                                                                              \
        pattern, sizeof(pattern) - 1, string, sizeof(string) - 1, nocase, expected \
    }

static void check_cases(const glob_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const glob_case *c = &cases[i];
        int result = dblite_glob_match(c->pattern, c->pattern_length, c->string, c->string_length,
                                       c->nocase);
        if (result != c->expected)
            fail_msg("case %zu: pattern \"%.*s\" string \"%.*s\" nocase %d: got %d, expected %d", i,
                     (int)c->pattern_length, c->pattern, (int)c->string_length, c->string,
                     c->nocase, result, c->expected);
    }
}

static void test_documented_examples(void **state)
{
    (void)state;
    static const glob_case cases[] = {
        CASE("h?llo", "hello", 0, 1),
        CASE("h?llo", "hallo", 0, 1),
        CASE("h?llo", "hxllo", 0, 1),
        CASE("h?llo", "hllo", 0, 0),
        CASE("h*llo", "hllo", 0, 1),
        CASE("h*llo", "heeeello", 0, 1),
        CASE("h*llo", "hellO", 0, 0),
        CASE("h[ae]llo", "hello", 0, 1),
        CASE("h[ae]llo", "hallo", 0, 1),
        CASE("h[ae]llo", "hillo", 0, 0),
        CASE("h[^e]llo", "hallo", 0, 1),
        CASE("h[^e]llo", "hbllo", 0, 1),
        CASE("h[^e]llo", "hello", 0, 0),
        CASE("h[a-b]llo", "hallo", 0, 1),
        CASE("h[a-b]llo", "hbllo", 0, 1),
        CASE("h[a-b]llo", "hcllo", 0, 0),
        CASE("h\\*llo", "h*llo", 0, 1),
        CASE("h\\*llo", "hello", 0, 0),
        CASE("h\\?llo", "h?llo", 0, 1),
        CASE("h\\?llo", "hallo", 0, 0),
        CASE("h\\[a\\]llo", "h[a]llo", 0, 1),
        CASE("*", "anything", 0, 1),
        CASE("user:*", "user:1000", 0, 1),
        CASE("user:*", "session:1", 0, 0),
        CASE("*:*:name", "user:42:name", 0, 1),
        CASE("*:*:name", "user:42:age", 0, 0),
    };
    check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Quirks included: these are what Redis 7.0.15 answers. */
static void test_redis_corner_cases(void **state)
{
    (void)state;
    static const glob_case cases[] = {
        /* An empty string matches only the empty pattern. */
        CASE("", "", 0, 1),
        CASE("*", "", 0, 0),
        CASE("**", "", 0, 0),
        CASE("", "a", 0, 0),
        CASE("?", "", 0, 0),
        /* Runs of stars, stars at the ends. */
        CASE("**a**", "a", 0, 1),
        CASE("a*", "a", 0, 1),
        CASE("*a", "ba", 0, 1),
        CASE("a**", "abc", 0, 1),
        CASE("*b*", "abc", 0, 1),
        CASE("*d*", "abc", 0, 0),
        CASE("a*c", "ac", 0, 1),
        CASE("a*c", "abcb", 0, 0),
        CASE("?*?", "ab", 0, 1),
        CASE("?*?", "a", 0, 0),
        /* Unterminated sets run to the end of the pattern. */
        CASE("[abc", "a", 0, 1),
        CASE("[abc", "d", 0, 0),
        CASE("[abc", "ab", 0, 0),
        CASE("[", "[", 0, 0),
        CASE("[", "a", 0, 0),
        CASE("[^", "x", 0, 1),
        CASE("[^", "^", 0, 1),
        CASE("x[", "x[", 0, 0),
        CASE("[^a", "b", 0, 1),
        CASE("[^a", "a", 0, 0),
        /* Empty sets and a ']' right after '['. */
        CASE("[]", "]", 0, 0),
        CASE("[]", "a", 0, 0),
        CASE("[^]", "a", 0, 1),
        CASE("[]a]", "]a]", 0, 0),
        CASE("[^]a", "xa", 0, 1),
        /* A '-' after a member makes a range, even up to ']'. */
        CASE("[a-]", "]", 0, 1),
        CASE("[a-]", "_", 0, 1),
        CASE("[a-]", "a", 0, 1),
        CASE("[a-]", "b", 0, 0),
        CASE("[a-]", "-", 0, 0),
        CASE("[-a]", "-", 0, 1),
        CASE("[-a]", "a", 0, 1),
        CASE("[z-a]", "m", 0, 1),
        CASE("[a-c-e]", "-", 0, 1),
        CASE("[a-c-e]", "d", 0, 0),
        CASE("[a-c-e]", "e", 0, 1),
        /* Escapes, inside and outside sets; a trailing backslash is literal. */
        CASE("\\", "\\", 0, 1),
        CASE("a\\", "a\\", 0, 1),
        CASE("\\a", "a", 0, 1),
        CASE("[\\]]", "]", 0, 1),
        CASE("[\\]]", "\\", 0, 0),
        CASE("[\\", "\\", 0, 1),
        CASE("[a\\", "\\", 0, 1),
        CASE("[\\-a]", "-", 0, 1),
        CASE("[\\-a]", "b", 0, 0),
        CASE("\\*\\?", "*?", 0, 1),
        CASE("\\*", "a", 0, 0),
        /* Case folding. */
        CASE("HELLO", "hello", 1, 1),
        CASE("HELLO", "hello", 0, 0),
        CASE("h?LLO", "HeLlo", 1, 1),
        CASE("[A-C]", "b", 1, 1),
        CASE("[A-C]", "b", 0, 0),
        CASE("[abc]", "B", 1, 1),
        CASE("[^abc]", "B", 1, 0),
        CASE("\\H", "h", 1, 1),
        CASE("[\\H]", "h", 1, 0),
        CASE("[\\H]", "H", 1, 1),
        CASE("[Z-a]", "_", 0, 1),
        CASE("[Z-a]", "z", 1, 0),
        CASE("[Z-a]", "_", 1, 0),
        CASE("[a-Z]", "_", 0, 1),
        /* Bytes above 0x7f compare as signed chars in ranges. */
        CASE("[a-\xff]", "\xff", 0, 1),
        CASE("[a-\xff]", "b", 0, 0),
        CASE("[a-\xff]", "\x01", 0, 1),
        CASE("[a-\xff]", "\x80", 0, 0),
        CASE("[\x80-\xff]", "\x90", 0, 1),
        CASE("[\x80-\xff]", "a", 0, 0),
        CASE("\xe9t\xe9", "\xe9t\xe9", 1, 1),
        CASE("\xc9", "\xe9", 1, 0),
    };
    check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_binary_safety(void **state)
{
    (void)state;
    static const glob_case cases[] = {
        {"a\0*", 3, "a\0bc", 4, 0, 1}, {"a\0*", 3, "a", 1, 0, 0},  {"a\0*", 3, "a\0", 2, 0, 1},
        {"?", 1, "\0", 1, 0, 1},       {"[\0]", 3, "\0", 1, 0, 1}, {"[^\0]", 4, "\0", 1, 0, 0},
        {"*\0", 2, "xyz\0", 4, 0, 1},  {"*\0", 2, "xyz", 3, 0, 0}, {"a", 1, "a\0", 2, 0, 0},
        {"a*", 2, "a\0\0", 3, 0, 1},   {"\\\0", 2, "\0", 1, 0, 1},
    };
    check_cases(cases, sizeof(cases) / sizeof(cases[0]));
    /* Lengths are honoured: bytes past them are never looked at. */
    assert_int_equal(dblite_glob_match("abc", 2, "abX", 2, 0), 1);
    assert_int_equal(dblite_glob_match("[abc]", 3, "a", 1, 0), 1); /* "[ab" unterminated */
}

/* ---- Exhaustive reference ------------------------------------------------- */

static int lower(int character)
{
    return (character >= 'A' && character <= 'Z') ? character + 32 : character;
}

/* Redis's algorithm in its plainest form: consume pattern and string
 * together, and at a star try every split by recursion.  Exponential, so
 * only for short inputs.  Written independently of glob.c. */
static int reference_match(const char *pattern, size_t pattern_length, const char *string,
                           size_t string_length, int nocase)
{
    size_t p = 0;
    size_t s = 0;
    while (p < pattern_length && s < string_length) {
        char token = pattern[p];
        if (token == '*') {
            while (p + 1 < pattern_length && pattern[p + 1] == '*')
                p++;
            if (p + 1 == pattern_length)
                return 1;
            for (size_t start = s; start < string_length; start++) {
                if (reference_match(pattern + p + 1, pattern_length - p - 1, string + start,
                                    string_length - start, nocase))
                    return 1;
            }
            return 0;
        }
        if (token == '?') {
            p++;
            s++;
        } else if (token == '[') {
            size_t q = p + 1;
            int negated = q < pattern_length && pattern[q] == '^';
            if (negated)
                q++;
            int matched = 0;
            int closed = 0;
            while (q < pattern_length) {
                if (pattern[q] == '\\' && q + 1 < pattern_length) {
                    matched |= pattern[q + 1] == string[s];
                    q += 2;
                } else if (pattern[q] == ']') {
                    closed = 1;
                    break;
                } else if (q + 2 < pattern_length && pattern[q + 1] == '-') {
                    int low = (signed char)pattern[q];
                    int high = (signed char)pattern[q + 2];
                    int value = (signed char)string[s];
                    if (low > high) {
                        int swap = low;
                        low = high;
                        high = swap;
                    }
                    if (nocase) {
                        low = lower(low);
                        high = lower(high);
                        value = lower(value);
                    }
                    matched |= value >= low && value <= high;
                    q += 3;
                } else {
                    if (nocase)
                        matched |=
                            lower((unsigned char)pattern[q]) == lower((unsigned char)string[s]);
                    else
                        matched |= pattern[q] == string[s];
                    q++;
                }
            }
            if (negated)
                matched = !matched;
            if (!matched)
                return 0;
            p = closed ? q + 1 : pattern_length;
            s++;
        } else {
            char literal = token;
            if (token == '\\' && p + 1 < pattern_length) {
                p++;
                literal = pattern[p];
            }
            int same = nocase ? lower((unsigned char)literal) == lower((unsigned char)string[s])
                              : literal == string[s];
            if (!same)
                return 0;
            p++;
            s++;
        }
        if (s == string_length) {
            while (p < pattern_length && pattern[p] == '*')
                p++;
            break;
        }
    }
    return p == pattern_length && s == string_length;
}

static uint64_t random_next(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * UINT64_C(0x2545f4914f6cdd1d);
}

static void test_agrees_with_exhaustive_reference(void **state)
{
    (void)state;
    static const char pattern_alphabet[] = "ab*?[]^-\\Aa*";
    static const char string_alphabet[] = "abAB-]^\\[\xff";
    uint64_t random = UINT64_C(0x243f6a8885a308d3);
    char pattern[12];
    char string[10];
    long matches = 0;
    for (int trial = 0; trial < 300000; trial++) {
        size_t pattern_length = (size_t)(random_next(&random) % sizeof(pattern));
        size_t string_length = (size_t)(random_next(&random) % sizeof(string));
        for (size_t i = 0; i < pattern_length; i++)
            pattern[i] = pattern_alphabet[random_next(&random) % (sizeof(pattern_alphabet) - 1)];
        for (size_t i = 0; i < string_length; i++)
            string[i] = string_alphabet[random_next(&random) % (sizeof(string_alphabet) - 1)];
        int nocase = (int)(random_next(&random) % 2);
        int expected = reference_match(pattern, pattern_length, string, string_length, nocase);
        int result = dblite_glob_match(pattern, pattern_length, string, string_length, nocase);
        if (result != expected)
            fail_msg("pattern \"%.*s\" string \"%.*s\" nocase %d: got %d, reference %d",
                     (int)pattern_length, pattern, (int)string_length, string, nocase, result,
                     expected);
        matches += result;
    }
    /* The generator must produce both outcomes in quantity to mean anything. */
    assert_true(matches > 10000);
    assert_true(matches < 290000);
}

/* ---- Blowup ---------------------------------------------------------------- */

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void test_pathological_patterns_finish_fast(void **state)
{
    (void)state;
    enum { STRING_LENGTH = 20000, STARS = 500 };
    char *string = malloc(STRING_LENGTH);
    char *pattern = malloc(STARS * 2 + 2);
    assert_non_null(string);
    assert_non_null(pattern);
    memset(string, 'a', STRING_LENGTH);

    /* "a*a*a*...a*b": a backtracking matcher explores every way to split
     * the a's among the stars before it can say no. */
    size_t pattern_length = 0;
    for (int star = 0; star < STARS; star++) {
        pattern[pattern_length++] = 'a';
        pattern[pattern_length++] = '*';
    }
    pattern[pattern_length++] = 'b';

    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    assert_int_equal(dblite_glob_match(pattern, pattern_length, string, STRING_LENGTH, 0), 0);
    /* The same with a matching ending, and with '?' and sets. */
    string[STRING_LENGTH - 1] = 'b';
    assert_int_equal(dblite_glob_match(pattern, pattern_length, string, STRING_LENGTH, 0), 1);
    string[STRING_LENGTH - 1] = 'a';
    for (size_t i = 0; i + 1 < pattern_length; i += 4)
        pattern[i] = '?';
    assert_int_equal(dblite_glob_match(pattern, pattern_length, string, STRING_LENGTH, 1), 0);
    static const char redis_regression[] =
        "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
    assert_int_equal(
        dblite_glob_match(redis_regression, sizeof(redis_regression) - 1, string, 100, 0), 0);
    double elapsed = seconds_since(&start);
    print_message("pathological patterns took %.3f s\n", elapsed);
    /* Exponential behaviour would not finish in the lifetime of the test;
     * bounded work takes milliseconds.  The limit is loose for slow CI. */
    assert_true(elapsed < 5.0);
    free(pattern);
    free(string);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_documented_examples),
        cmocka_unit_test(test_redis_corner_cases),
        cmocka_unit_test(test_binary_safety),
        cmocka_unit_test(test_agrees_with_exhaustive_reference),
        cmocka_unit_test(test_pathological_patterns_finish_fast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
