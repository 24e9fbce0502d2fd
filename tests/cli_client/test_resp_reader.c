/*
 * test_resp_reader.c - unit tests of dblite-cli's reply parser
 * (cli/protocol/resp_reader.c).
 *
 * Every RESP2 and RESP3 type is fed whole, one byte at a time and in
 * random pieces, and the parsed tree is compared through a canonical text
 * description written here.  Malformed input must be reported, never
 * crash; allocation failures (malloc, calloc and realloc are wrapped) must
 * come back as errors with nothing leaked or half-built, and a later parse
 * must still succeed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/reply.h"
#include "protocol/resp_reader.h"
#include "util/byte_buffer.h"

/* ---- allocation failure injection -------------------------------------- */

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *pointer, size_t size);

/* -1: never fail; otherwise the number of allocations that still succeed. */
static long allocations_left = -1;

static int allocation_allowed(void)
{
    if (allocations_left < 0)
        return 1;
    if (allocations_left == 0)
        return 0;
    allocations_left--;
    return 1;
}

void *__wrap_malloc(size_t size)
{
    return allocation_allowed() ? __real_malloc(size) : NULL;
}

void *__wrap_calloc(size_t count, size_t size)
{
    return allocation_allowed() ? __real_calloc(count, size) : NULL;
}

void *__wrap_realloc(void *pointer, size_t size)
{
    return allocation_allowed() ? __real_realloc(pointer, size) : NULL;
}

/* ---- canonical description of a reply tree ------------------------------- */

static void describe(byte_buffer *out, const reply *reply)
{
    if (reply->attribute)
        describe(out, reply->attribute); /* "attribute{...}" before the reply */
    static const char *const names[] = {"status", "error", "int",  "str",      "nil",
                                        "array",  "map",   "set",  "push",     "double",
                                        "bool",   "big",   "verb", "attribute"};
    byte_buffer_append_string(out, names[reply->type]);
    switch (reply->type) {
        case REPLY_INTEGER:
        case REPLY_BOOLEAN:
            byte_buffer_append_format(out, "(%lld)", reply->integer);
            break;
        case REPLY_NIL:
            break;
        case REPLY_VERBATIM:
            byte_buffer_append_format(out, "[%s]", reply->format);
            /* fall through */
        case REPLY_STATUS:
        case REPLY_ERROR:
        case REPLY_STRING:
        case REPLY_DOUBLE:
        case REPLY_BIG_NUMBER:
            byte_buffer_append_char(out, '(');
            byte_buffer_append(out, reply->text, reply->length);
            byte_buffer_append_char(out, ')');
            assert_int_equal(reply->text[reply->length], '\0');
            break;
        default:
            byte_buffer_append_char(out, '{');
            for (size_t index = 0; index < reply->element_count; index++) {
                if (index)
                    byte_buffer_append_char(out, ',');
                describe(out, reply->elements[index]);
            }
            byte_buffer_append_char(out, '}');
            break;
    }
}

typedef struct reader_case {
    const char *input;
    size_t length;
    const char *expected; /* descriptions of each reply, joined by ';' */
} reader_case;

#define CASE(input, expected)              \
    {                                      \
        input, sizeof(input) - 1, expected \
    }

static const reader_case valid_cases[] = {
    CASE("+OK\r\n", "status(OK)"),
    CASE("-ERR wrong\r\n", "error(ERR wrong)"),
    CASE(":0\r\n:-42\r\n:9223372036854775807\r\n:-9223372036854775808\r\n",
         "int(0);int(-42);int(9223372036854775807);int(-9223372036854775808)"),
    CASE("$5\r\nhello\r\n", "str(hello)"),
    CASE("$0\r\n\r\n", "str()"),
    CASE("$4\r\na\r\nb\r\n", "str(a\r\nb)"),
    CASE("$-1\r\n", "nil"),
    CASE("*-1\r\n", "nil"),
    CASE("*0\r\n", "array{}"),
    CASE("*3\r\n:1\r\n$1\r\nx\r\n*2\r\n+a\r\n$-1\r\n", "array{int(1),str(x),array{status(a),nil}}"),
    CASE("_\r\n", "nil"),
    CASE("#t\r\n#f\r\n", "bool(1);bool(0)"),
    CASE(",3.14\r\n,inf\r\n,-inf\r\n,nan\r\n", "double(3.14);double(inf);double(-inf);double(nan)"),
    CASE("(3492890328409238509324850943850943825024385\r\n",
         "big(3492890328409238509324850943850943825024385)"),
    CASE("!21\r\nSYNTAX invalid syntax\r\n", "error(SYNTAX invalid syntax)"),
    CASE("=15\r\ntxt:Some string\r\n", "verb[txt](Some string)"),
    CASE("=4\r\nmkd:\r\n", "verb[mkd]()"),
    CASE("%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n",
         "map{status(first),int(1),status(second),int(2)}"),
    CASE("%0\r\n", "map{}"),
    CASE("~3\r\n:1\r\n:2\r\n:3\r\n", "set{int(1),int(2),int(3)}"),
    CASE(">2\r\n+invalidate\r\n*1\r\n$1\r\nk\r\n", "push{status(invalidate),array{str(k)}}"),
    CASE(
        "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.1923\r\n*2\r\n:2039123\r\n:9543892\r\n",
        "attribute{status(key-popularity),map{str(a),double(0.1923)}}array{int(2039123),int(9543892)}"),
    CASE("*2\r\n|1\r\n+ttl\r\n:3600\r\n:1\r\n:2\r\n",
         "array{attribute{status(ttl),int(3600)}int(1),int(2)}"),
    CASE("$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n",
         "str(Hello word)"), /* sic: the RESP3 spec's example */
    CASE("*?\r\n:1\r\n:2\r\n.\r\n", "array{int(1),int(2)}"),
    CASE("%?\r\n+a\r\n:1\r\n.\r\n", "map{status(a),int(1)}"),
    CASE("*?\r\n.\r\n", "array{}"),
    CASE("*1\r\n*1\r\n*1\r\n*1\r\n%1\r\n~1\r\n>1\r\n:7\r\n+v\r\n",
         "array{array{array{array{map{set{push{int(7)}},status(v)}}}}}"),
};

static const char *const invalid_inputs[] = {
    "?what\r\n", /* unknown type byte */
    ":12a\r\n",  /* not an integer */
    ":99999999999999999999\r\n",
    "$-2\r\n",
    "$3\r\nabcd\r\n", /* payload longer than announced */
    "*-2\r\n",
    "#x\r\n",
    "_x\r\n",
    "=3\r\ntxt\r\n",     /* verbatim without "fmt:" */
    "+OK\n",             /* LF without CR */
    ".\r\n",             /* end of a streamed aggregate never opened */
    ";3\r\nabc\r\n",     /* chunk outside a streamed string */
    "%?\r\n+a\r\n.\r\n", /* streamed map with a key and no value */
    "$?\r\n+OK\r\n",     /* streamed string interrupted */
};

/* Feeds input in pieces of the given sizes (cycled); returns all replies'
 * descriptions joined by ';', or "ERROR" at a protocol error. */
static char *parse_in_pieces(const char *input, size_t length, const size_t *pieces,
                             size_t piece_count)
{
    resp_reader reader;
    resp_reader_init(&reader);
    byte_buffer described;
    byte_buffer_init(&described);
    size_t offset = 0;
    size_t piece = 0;
    int failed = 0;
    int replies = 0;
    while (!failed && offset < length) {
        size_t size = pieces[piece++ % piece_count];
        if (size > length - offset)
            size = length - offset;
        assert_int_equal(resp_reader_feed(&reader, input + offset, size), 0);
        offset += size;
        for (;;) {
            reply *parsed;
            int result = resp_reader_next(&reader, &parsed);
            if (result == RESP_READ_MORE)
                break;
            if (result == RESP_READ_ERROR) {
                assert_true(reader.error[0] != '\0');
                failed = 1;
                break;
            }
            if (replies++)
                byte_buffer_append_char(&described, ';');
            describe(&described, parsed);
            reply_free(parsed);
        }
    }
    if (!failed && resp_reader_has_pending(&reader))
        fail_msg("bytes left pending after %.*s", (int)length, input);
    resp_reader_free(&reader);
    if (failed) {
        byte_buffer_free(&described);
        return strdup("ERROR");
    }
    byte_buffer_append(&described, "", 0);
    return described.data;
}

static void expect_parse(const reader_case *test, const size_t *pieces, size_t piece_count)
{
    char *described = parse_in_pieces(test->input, test->length, pieces, piece_count);
    if (strcmp(described, test->expected) != 0)
        fail_msg("input %.*s\n  got      %s\n  expected %s", (int)test->length, test->input,
                 described, test->expected);
    free(described);
}

static void test_whole_input(void **state)
{
    (void)state;
    for (size_t index = 0; index < sizeof(valid_cases) / sizeof(valid_cases[0]); index++) {
        size_t whole = valid_cases[index].length;
        expect_parse(&valid_cases[index], &whole, 1);
    }
}

static void test_byte_by_byte(void **state)
{
    (void)state;
    size_t one = 1;
    for (size_t index = 0; index < sizeof(valid_cases) / sizeof(valid_cases[0]); index++)
        expect_parse(&valid_cases[index], &one, 1);
}

static void test_random_pieces(void **state)
{
    (void)state;
    srand(12345);
    for (int round = 0; round < 200; round++) {
        size_t pieces[7];
        for (size_t index = 0; index < 7; index++)
            pieces[index] = 1 + (size_t)(rand() % 9);
        for (size_t index = 0; index < sizeof(valid_cases) / sizeof(valid_cases[0]); index++)
            expect_parse(&valid_cases[index], pieces, 7);
    }
}

/* All cases back to back in one stream: replies must not bleed into each
 * other, whatever the piece boundaries. */
static void test_pipelined_stream(void **state)
{
    (void)state;
    byte_buffer stream, expected;
    byte_buffer_init(&stream);
    byte_buffer_init(&expected);
    for (size_t index = 0; index < sizeof(valid_cases) / sizeof(valid_cases[0]); index++) {
        byte_buffer_append(&stream, valid_cases[index].input, valid_cases[index].length);
        if (index)
            byte_buffer_append_char(&expected, ';');
        byte_buffer_append_string(&expected, valid_cases[index].expected);
    }
    size_t pieces[] = {3, 17, 1, 64, 5};
    char *described = parse_in_pieces(stream.data, stream.length, pieces, 5);
    assert_string_equal(described, expected.data);
    free(described);
    byte_buffer_free(&stream);
    byte_buffer_free(&expected);
}

static void test_invalid_input(void **state)
{
    (void)state;
    size_t one = 1;
    for (size_t index = 0; index < sizeof(invalid_inputs) / sizeof(invalid_inputs[0]); index++) {
        const char *input = invalid_inputs[index];
        size_t whole = strlen(input);
        char *described = parse_in_pieces(input, whole, &whole, 1);
        if (strcmp(described, "ERROR") != 0)
            fail_msg("accepted invalid input %s as %s", input, described);
        free(described);
        described = parse_in_pieces(input, whole, &one, 1);
        if (strcmp(described, "ERROR") != 0)
            fail_msg("accepted invalid input %s (byte by byte) as %s", input, described);
        free(described);
    }
}

static void test_unknown_type_byte_message(void **state)
{
    (void)state;
    resp_reader reader;
    resp_reader_init(&reader);
    assert_int_equal(resp_reader_feed(&reader, "|x\r\n", 4), 0);
    reply *parsed;
    assert_int_equal(resp_reader_next(&reader, &parsed), RESP_READ_ERROR);
    resp_reader_free(&reader);
    resp_reader_init(&reader);
    assert_int_equal(resp_reader_feed(&reader, "@x\r\n", 4), 0);
    assert_int_equal(resp_reader_next(&reader, &parsed), RESP_READ_ERROR);
    /* hiredis's wording, which redis-cli users know. */
    assert_string_equal(reader.error, "Protocol error, got \"@\" as reply type byte");
    resp_reader_free(&reader);
}

/* A declared count far beyond what arrives must not be allocated up
 * front, and a big array must still parse correctly. */
static void test_large_and_lying_counts(void **state)
{
    (void)state;
    resp_reader reader;
    resp_reader_init(&reader);
    const char *lying = "*2000000000\r\n:1\r\n";
    assert_int_equal(resp_reader_feed(&reader, lying, strlen(lying)), 0);
    reply *parsed;
    assert_int_equal(resp_reader_next(&reader, &parsed), RESP_READ_MORE);
    assert_true(resp_reader_has_pending(&reader));
    resp_reader_free(&reader);

    byte_buffer big;
    byte_buffer_init(&big);
    enum { COUNT = 100000 };
    byte_buffer_append_format(&big, "*%d\r\n", COUNT);
    for (int index = 0; index < COUNT; index++) {
        char number[16];
        int length = snprintf(number, sizeof(number), "%d", index);
        byte_buffer_append_format(&big, "$%d\r\n%s\r\n", length, number);
    }
    resp_reader_init(&reader);
    size_t offset = 0;
    int result = RESP_READ_MORE;
    while (offset < big.length) {
        size_t size = big.length - offset < 4096 ? big.length - offset : 4096;
        assert_int_equal(resp_reader_feed(&reader, big.data + offset, size), 0);
        offset += size;
        result = resp_reader_next(&reader, &parsed);
        if (result != RESP_READ_MORE)
            break;
    }
    assert_int_equal(result, RESP_READ_REPLY);
    assert_int_equal(offset, big.length);
    assert_int_equal(parsed->element_count, COUNT);
    assert_string_equal(parsed->elements[COUNT - 1]->text, "99999");
    reply_free(parsed);
    resp_reader_free(&reader);
    byte_buffer_free(&big);
}

/* Nesting deeper than any real reply is a protocol error, not a stack
 * overflow later in the formatters. */
static void test_nesting_limit(void **state)
{
    (void)state;
    byte_buffer deep;
    byte_buffer_init(&deep);
    for (int level = 0; level < 5000; level++)
        byte_buffer_append_string(&deep, "*1\r\n");
    byte_buffer_append_string(&deep, ":1\r\n");
    resp_reader reader;
    resp_reader_init(&reader);
    assert_int_equal(resp_reader_feed(&reader, deep.data, deep.length), 0);
    reply *parsed;
    assert_int_equal(resp_reader_next(&reader, &parsed), RESP_READ_ERROR);
    assert_string_equal(reader.error, "Protocol error: aggregates nested too deeply");
    resp_reader_free(&reader);

    byte_buffer_truncate(&deep, 0);
    for (int level = 0; level < 100; level++)
        byte_buffer_append_string(&deep, "*1\r\n");
    byte_buffer_append_string(&deep, ":1\r\n");
    resp_reader_init(&reader);
    assert_int_equal(resp_reader_feed(&reader, deep.data, deep.length), 0);
    assert_int_equal(resp_reader_next(&reader, &parsed), RESP_READ_REPLY);
    reply_free(parsed);
    resp_reader_free(&reader);
    byte_buffer_free(&deep);
}

static void test_reset_forgets_partial_reply(void **state)
{
    (void)state;
    resp_reader reader;
    resp_reader_init(&reader);
    assert_int_equal(resp_reader_feed(&reader, "*3\r\n:1\r\n|1\r\n+a\r\n", 17), 0);
    reply *parsed;
    assert_int_equal(resp_reader_next(&reader, &parsed), RESP_READ_MORE);
    resp_reader_reset(&reader);
    assert_false(resp_reader_has_pending(&reader));
    assert_int_equal(resp_reader_feed(&reader, ":5\r\n", 4), 0);
    assert_int_equal(resp_reader_next(&reader, &parsed), RESP_READ_REPLY);
    assert_int_equal(parsed->type, REPLY_INTEGER);
    assert_int_equal(parsed->integer, 5);
    reply_free(parsed);
    resp_reader_free(&reader);
}

/* Fails the n-th allocation for every n until a parse needs no more:
 * each failure must be an error (or a clean success), never a crash or a
 * leak (run under ASan/valgrind to see leaks), and the reader must be
 * usable again after a reset. */
static void test_allocation_failures(void **state)
{
    (void)state;
    const char *input = "*3\r\n%1\r\n$1\r\nk\r\n~2\r\n:1\r\n=8\r\ntxt:abcd\r\n|1\r\n+a\r\n:1\r\n"
                        "$?\r\n;2\r\nab\r\n;0\r\n*?\r\n,1.5\r\n.\r\n";
    const char *expected = "array{map{str(k),set{int(1),verb[txt](abcd)}},attribute{status(a),"
                           "int(1)}str(ab),array{double(1.5)}}";
    int succeeded = 0;
    for (long limit = 0; limit < 200 && !succeeded; limit++) {
        resp_reader reader;
        resp_reader_init(&reader);
        allocations_left = limit;
        int result = RESP_READ_ERROR;
        reply *parsed = NULL;
        if (resp_reader_feed(&reader, input, strlen(input)) == 0)
            result = resp_reader_next(&reader, &parsed);
        allocations_left = -1;
        if (result == RESP_READ_REPLY) {
            byte_buffer described;
            byte_buffer_init(&described);
            describe(&described, parsed);
            assert_string_equal(described.data, expected);
            byte_buffer_free(&described);
            reply_free(parsed);
            succeeded = 1;
        } else {
            assert_int_equal(result, RESP_READ_ERROR);
            resp_reader_reset(&reader);
            assert_int_equal(resp_reader_feed(&reader, "+OK\r\n", 5), 0);
            assert_int_equal(resp_reader_next(&reader, &parsed), RESP_READ_REPLY);
            reply_free(parsed);
        }
        resp_reader_free(&reader);
    }
    assert_true(succeeded);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_input),
        cmocka_unit_test(test_byte_by_byte),
        cmocka_unit_test(test_random_pieces),
        cmocka_unit_test(test_pipelined_stream),
        cmocka_unit_test(test_invalid_input),
        cmocka_unit_test(test_unknown_type_byte_message),
        cmocka_unit_test(test_large_and_lying_counts),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_reset_forgets_partial_reply),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
