/*
 * test_utilities.c - unit tests of the module API's utilities (the
 * "Utilities" section of dblite_module.h): glob matching, integer and double
 * formatting, the keyed hash, SCAN cursor and memory size parsing, called
 * under their public names as a module calls them.
 *
 * Each utility replaced a copy that lived in a module, so the expected
 * answers include what those copies answered: the glob cases the hashes and
 * sets copy was checked with against redis-server 7.0 (HSCAN MATCH), and
 * hashes that copy of SipHash-1-2 produced, so the tables of hashes and sets
 * hash exactly as before.  test_glob.c covers the matcher itself in depth.
 */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dblite_module.h"
#include "util/siphash.h"

/* ---- glob ---------------------------------------------------------------- */

static void glob_answers_as_the_hscan_copy_did(void **state)
{
    (void)state;
    /* Expected values are what redis-server 7.0 answers for HSCAN MATCH
     * (the lone "*" is special-cased before matching, so it is not here). */
    static const struct {
        const char *pattern, *text;
        int match;
    } cases[] = {
        {"**", "", 0},
        {"", "", 1},
        {"", "a", 0},
        {"a*", "a", 1},
        {"a*b", "ab", 1},
        {"a*b", "axxb", 1},
        {"a*b", "axxbc", 0},
        {"a?c", "abc", 1},
        {"a?c", "ac", 0},
        {"[abc]", "b", 1},
        {"[abc]", "d", 0},
        {"[^abc]", "d", 1},
        {"[^abc]", "a", 0},
        {"[a-c]x", "bx", 1},
        {"[c-a]x", "bx", 1},
        {"[a-]", "-", 0},
        {"[a-]", "a", 1},
        {"[\\]]", "]", 1},
        {"\\*", "*", 1},
        {"\\*", "a", 0},
        {"a\\", "a\\", 1},
        {"[", "[", 0},
        {"[", "", 0},
        {"[a", "a", 1},
        {"[a", "b", 0},
        {"h*llo", "hello", 1},
        {"h*llo", "hllo", 1},
        {"*o", "hello", 1},
        {"?", "\xe9", 1},
        {"[\x01-\x7f]", "\x80", 0},
        {"[\x80-\xff]", "\x90", 1},
        {"a[]b", "a]b", 0},
        {"a[]]b", "a]b", 0},
        {"ab*", "ab", 1},
        {"a*", "", 0},
        {"*", "", 0},
        {"*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = dblite_glob_match(cases[i].pattern, strlen(cases[i].pattern), cases[i].text,
                                    strlen(cases[i].text), 0);
        if (got != cases[i].match)
            fail_msg("glob '%s' on '%s': got %d, expected %d", cases[i].pattern, cases[i].text, got,
                     cases[i].match);
    }
    /* Binary-safe: NUL bytes are ordinary characters. */
    assert_true(dblite_glob_match("a?b", 3, "a\0b", 3, 0));
    assert_false(dblite_glob_match("a\0b", 3, "a\0c", 3, 0));
    /* nocase folds letters only where asked. */
    assert_false(dblite_glob_match("H*O", 3, "hello", 5, 0));
    assert_true(dblite_glob_match("H*O", 3, "hello", 5, 1));
}

/* ---- integers ------------------------------------------------------------ */

static void check_long_long_text(long long value, const char *expected)
{
    char text[DBLITE_LONG_LONG_TEXT_SIZE];
    memset(text, 'x', sizeof text);
    size_t length = dblite_format_long_long(text, sizeof text, value);
    assert_int_equal(length, strlen(expected));
    assert_string_equal(text, expected);
}

static void long_long_formats_in_base_10(void **state)
{
    (void)state;
    check_long_long_text(0, "0");
    check_long_long_text(7, "7");
    check_long_long_text(10, "10");
    check_long_long_text(-1, "-1");
    check_long_long_text(1234567890123LL, "1234567890123");
    check_long_long_text(LLONG_MAX, "9223372036854775807");
    check_long_long_text(LLONG_MIN, "-9223372036854775808");

    /* Every value reads back through the strict parser unchanged. */
    srand(11);
    for (int i = 0; i < 100000; i++) {
        long long value =
            (long long)(((unsigned long long)rand() << 42) ^ ((unsigned long long)rand() << 21) ^
                        (unsigned long long)rand());
        value >>= rand() % 63;
        if (rand() & 1)
            value = -value;
        char text[DBLITE_LONG_LONG_TEXT_SIZE];
        size_t length = dblite_format_long_long(text, sizeof text, value);
        char expected[32];
        snprintf(expected, sizeof expected, "%lld", value);
        assert_string_equal(text, expected);
        long long parsed = 0;
        assert_int_equal(dblite_parse_long_long((dblite_bytes){text, length}, &parsed), DBLITE_OK);
        assert_true(parsed == value);
    }
}

static void long_long_refuses_a_short_buffer(void **state)
{
    (void)state;
    char text[8];
    memset(text, 'x', sizeof text);
    /* "-12345" needs 7 bytes with its NUL. */
    assert_int_equal(dblite_format_long_long(text, 6, -12345), 0);
    assert_int_equal(text[0], '\0');
    assert_int_equal(text[6], 'x'); /* nothing written past size */
    assert_int_equal(dblite_format_long_long(text, 7, -12345), 6);
    assert_string_equal(text, "-12345");
    assert_int_equal(dblite_format_long_long(text, 0, 1), 0);
}

/* ---- doubles ------------------------------------------------------------- */

static void check_double_text(double value, const char *expected)
{
    char text[DBLITE_DOUBLE_TEXT_SIZE];
    size_t length = dblite_format_double(text, sizeof text, value);
    assert_string_equal(text, expected);
    assert_int_equal(length, strlen(expected));
}

static void double_formats_as_redis_replies(void **state)
{
    (void)state;
    /* The texts redis-server 7.0.15 sends for ZSCORE of these scores in a
     * skiplist-encoded zset (zset-max-listpack-entries 0), which replies the
     * stored double itself.  (A listpack-encoded zset stores -0 as the
     * integer 0 and so answers "0": that is the encoding's business.) */
    check_double_text(0.0, "0");
    check_double_text(-0.0, "-0");
    check_double_text(3.0, "3");
    check_double_text(1.5, "1.5");
    check_double_text(-2.25, "-2.25");
    check_double_text(0.1, "0.10000000000000001");
    check_double_text(1e300, "1.0000000000000001e+300");
    check_double_text(123456789012345678.0, "1.2345678901234568e+17");
    check_double_text(INFINITY, "inf");
    check_double_text(-INFINITY, "-inf");
    /* The longest texts fit the advertised room. */
    check_double_text(-2.2250738585072014e-308, "-2.2250738585072014e-308");
    check_double_text(-4.9406564584124654e-324, "-4.9406564584124654e-324");
}

static void double_refuses_a_short_buffer(void **state)
{
    (void)state;
    char text[8];
    memset(text, 'x', sizeof text);
    assert_int_equal(dblite_format_double(text, 4, 1.5), 3); /* "1.5" needs 4 */
    assert_int_equal(dblite_format_double(text, 3, 1.5), 0);
    assert_int_equal(text[0], '\0');
    assert_int_equal(dblite_format_double(text, 4, -INFINITY), 0);
    assert_int_equal(dblite_format_double(text, 5, -INFINITY), 4);
    assert_string_equal(text, "-inf");
}

/* ---- keyed hash ---------------------------------------------------------- */

static const uint8_t test_key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

static void keyed_hash_is_the_old_module_copys_siphash_1_2(void **state)
{
    (void)state;
    /* What modules/common/keyed_hash.c answered under this key (k0 and k1
     * the key's two little-endian halves) before it was removed. */
    static const struct {
        const char *text;
        uint64_t hash;
    } vectors[] = {
        {"", UINT64_C(0xcea28b51565c12e2)},
        {"a", UINT64_C(0x3e0a5fabc9a8b128)},
        {"abcdefg", UINT64_C(0xcc66e6abe48f6a9e)},
        {"abcdefgh", UINT64_C(0xe9ab83e99527623c)},
        {"member:000000000042", UINT64_C(0x9dd452b96f5a8934)},
        {"a much longer member that spans several words", UINT64_C(0x1f1ba6730060a66a)},
    };
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++)
        assert_true(dblite_hash_keyed(vectors[i].text, strlen(vectors[i].text), test_key) ==
                    vectors[i].hash);

    /* Every tail length (0-7 bytes after whole words), against the old copy
     * and against the keyspace's entry point with the same key halves. */
    static const uint64_t by_length[16] = {
        UINT64_C(0xcea28b51565c12e2), UINT64_C(0x94aaf38c34ce7ba6), UINT64_C(0xfe7a42c2c5fab434),
        UINT64_C(0x1c0d255229c3364c), UINT64_C(0x8be7847a474dfdf5), UINT64_C(0x2858f0420f752296),
        UINT64_C(0xe61a8a7d8ac52626), UINT64_C(0xf03c4cbcf492b05a), UINT64_C(0x606845b4d093af74),
        UINT64_C(0xe304e78271c74a56), UINT64_C(0xc936e00e33b32633), UINT64_C(0x226212e5f29ab45c),
        UINT64_C(0xa4377b74fbbfe0da), UINT64_C(0x624317667190806f), UINT64_C(0x4a72ad78e3e197d7),
        UINT64_C(0xec8f61bc1c8966a6),
    };
    uint8_t message[16];
    for (size_t i = 0; i < sizeof message; i++)
        message[i] = (uint8_t)i;
    for (size_t length = 0; length < 16; length++) {
        assert_true(dblite_hash_keyed(message, length, test_key) == by_length[length]);
        assert_true(siphash_1_2(message, length, UINT64_C(0x0706050403020100),
                                UINT64_C(0x0f0e0d0c0b0a0908)) == by_length[length]);
    }
}

static void keyed_hash_depends_on_key_and_every_byte(void **state)
{
    (void)state;
    uint8_t other[16];
    memcpy(other, test_key, sizeof other);
    other[15] ^= 0x80;
    const char data[] = "the quick brown fox jumps";
    uint64_t base = dblite_hash_keyed(data, sizeof data - 1, test_key);
    assert_true(base == dblite_hash_keyed(data, sizeof data - 1, test_key));
    assert_true(base != dblite_hash_keyed(data, sizeof data - 1, other));
    /* Flipping any single bit of the input changes about half of the output
     * bits; accept 16..48 of 64 for each. */
    char copy[sizeof data];
    for (size_t byte = 0; byte < sizeof data - 1; byte++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(copy, data, sizeof data);
            copy[byte] = (char)(copy[byte] ^ (1 << bit));
            int changed =
                __builtin_popcountll(base ^ dblite_hash_keyed(copy, sizeof data - 1, test_key));
            assert_in_range(changed, 16, 48);
        }
    }
    /* Length is part of the hash: trailing NULs matter. */
    assert_true(dblite_hash_keyed("a\0", 2, test_key) != dblite_hash_keyed("a", 1, test_key));
    assert_true(dblite_hash_keyed("", 0, test_key) != dblite_hash_keyed("\0", 1, test_key));
}

/* ---- SCAN cursors -------------------------------------------------------- */

static void scan_cursor_reads_as_redis_strtoul(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t length;
        int ok;
        unsigned long long cursor;
    } cases[] = {
        {"", 0, 1, 0},
        {"0", 1, 1, 0},
        {"17", 2, 1, 17},
        {"+5", 2, 1, 5},
        {"-1", 2, 1, ULLONG_MAX},
        {"007", 3, 1, 7},
        {"18446744073709551615", 20, 1, ULLONG_MAX},
        {"5\0junk", 6, 1, 5}, /* strtoul stops at the NUL */
        {"\0", 1, 1, 0},
        {"18446744073709551616", 20, 0, 0}, /* ERANGE */
        {" 5", 2, 0, 0},
        {"5 ", 2, 0, 0},
        {"-", 1, 0, 0},
        {"+", 1, 0, 0},
        {"abc", 3, 0, 0},
        {"0x10", 4, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned long long cursor = 12345;
        int status =
            dblite_parse_scan_cursor((dblite_bytes){cases[i].text, cases[i].length}, &cursor);
        if (cases[i].ok) {
            assert_int_equal(status, DBLITE_OK);
            assert_true(cursor == cases[i].cursor);
        } else {
            assert_int_equal(status, DBLITE_ERR_INVALID);
            assert_true(cursor == 12345); /* left as it was */
        }
    }
}

/* ---- memory sizes -------------------------------------------------------- */

static void memory_size_reads_redis_units(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int ok;
        long long bytes;
    } cases[] = {
        {"0", 1, 0},
        {"100", 1, 100},
        {"100b", 1, 100},
        {"1k", 1, 1000},
        {"1kb", 1, 1024},
        {"64mb", 1, 64LL * 1024 * 1024},
        {"64MB", 1, 64LL * 1024 * 1024},
        {"2m", 1, 2000000},
        {"1g", 1, 1000000000},
        {"512mb", 1, 512LL * 1024 * 1024},
        {"3gb", 1, 3LL * 1024 * 1024 * 1024},
        {"007kb", 1, 7 * 1024},
        {"-1", 1, -1},
        {"9223372036854775807", 1, LLONG_MAX},
        {"", 0, 0},
        {"mb", 0, 0},
        {"-1mb", 0, 0},
        {"+5", 0, 0},
        {" 5", 0, 0},
        {"5 mb", 0, 0},
        {"5tb", 0, 0},
        {"9223372036854775807k", 0, 0}, /* overflow */
        {"9223372036854775808", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long long bytes = 12345;
        int status = dblite_parse_memory_size(cases[i].text, &bytes);
        if (status != (cases[i].ok ? DBLITE_OK : DBLITE_ERR_INVALID) ||
            bytes != (cases[i].ok ? cases[i].bytes : 12345))
            fail_msg("memory size \"%s\": status %d, bytes %lld", cases[i].text, status, bytes);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(glob_answers_as_the_hscan_copy_did),
        cmocka_unit_test(long_long_formats_in_base_10),
        cmocka_unit_test(long_long_refuses_a_short_buffer),
        cmocka_unit_test(double_formats_as_redis_replies),
        cmocka_unit_test(double_refuses_a_short_buffer),
        cmocka_unit_test(keyed_hash_is_the_old_module_copys_siphash_1_2),
        cmocka_unit_test(keyed_hash_depends_on_key_and_every_byte),
        cmocka_unit_test(scan_cursor_reads_as_redis_strtoul),
        cmocka_unit_test(memory_size_reads_redis_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
