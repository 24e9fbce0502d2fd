/*
 * test_request_parser.c - unit tests of the incremental request parser.
 *
 * Every test vector is parsed three ways: whole, byte by byte, and in random
 * pieces; each call gets a freshly allocated buffer of exactly the bytes
 * received so far (freed right after), so reading past the data or keeping
 * a pointer into an old buffer shows up under AddressSanitizer, and the
 * results must be identical.  Expected texts and edge cases were checked
 * against redis-server 7.0.15.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "protocol/request_parser.h"

/* ---- Allocation failure injection ---------------------------------------
 *
 * parser.cmake links this test with --wrap=malloc and --wrap=realloc, so the
 * parser's allocations come here.  libc gives these functions no context,
 * hence the one piece of test-wide state: how many allocations may still
 * succeed (-1: all of them).  Only armed around parser calls. */
void *__real_malloc(size_t size);
void *__real_realloc(void *ptr, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_realloc(void *ptr, size_t size);

static int allocations_before_failure = -1;

static int allocation_allowed(void)
{
    if (allocations_before_failure == 0)
        return 0;
    if (allocations_before_failure > 0)
        allocations_before_failure--;
    return 1;
}

void *__wrap_malloc(size_t size)
{
    return allocation_allowed() ? __real_malloc(size) : NULL;
}

void *__wrap_realloc(void *ptr, size_t size)
{
    return allocation_allowed() ? __real_realloc(ptr, size) : NULL;
}

/* ---- Test vectors ------------------------------------------------------ */

typedef struct text {
    const char *ptr;
    size_t len;
} text;

/* A string literal with its length, NUL bytes included. */
#define T(literal)                   \
    {                                \
        literal, sizeof(literal) - 1 \
    }

#define OPTION_INTEGERS 1 /* accept_integer_elements */
#define OPTION_AUTH 2     /* request_parser_require_authentication */

#define MAX_VECTOR_ARGS 6

typedef struct vector {
    const char *name;
    text input;
    int options;
    request_status status;
    size_t consumed;   /* COMPLETE only */
    const char *error; /* ERROR only */
    int argc;
    text argv[MAX_VECTOR_ARGS];
    unsigned char integer[MAX_VECTOR_ARGS];
} vector;

#define COMPLETE(bytes) .status = REQUEST_COMPLETE, .consumed = (bytes)
#define ERROR(message) .status = REQUEST_ERROR, .error = (message)
#define INCOMPLETE .status = REQUEST_INCOMPLETE

static const vector VECTORS[] = {
    /* Valid RESP arrays. */
    {"ping", T("*1\r\n$4\r\nPING\r\n"), 0, COMPLETE(14), NULL, 1, {T("PING")}, {0}},
    {"set with empty value",
     T("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"),
     0,
     COMPLETE(26),
     NULL,
     3,
     {T("SET"), T("k"), T("")},
     {0}},
    {"binary bulk",
     T("*2\r\n$4\r\nECHO\r\n$6\r\na\0\r\nb\n\r\n"),
     0,
     COMPLETE(26),
     NULL,
     2,
     {T("ECHO"), T("a\0\r\nb\n")},
     {0}},
    {"empty array", T("*0\r\n"), 0, COMPLETE(4), NULL, 0, {{0}}, {0}},
    {"null array", T("*-1\r\n"), 0, COMPLETE(5), NULL, 0, {{0}}, {0}},
    {"negative count", T("*-5\r\n$3\r\n"), 0, COMPLETE(5), NULL, 0, {{0}}, {0}},
    {"terminators not checked", T("*1\rx$4\ryPINGzz"), 0, COMPLETE(14), NULL, 1, {T("PING")}, {0}},
    {"pipelined tail ignored",
     T("*1\r\n$4\r\nPING\r\n*1\r\n$4\r\n"),
     0,
     COMPLETE(14),
     NULL,
     1,
     {T("PING")},
     {0}},
    {"count with many digits", T("*00000000000000000001\r\n"), 0,
     ERROR("ERR Protocol error: invalid multibulk length")},
    {"max default count", T("*1048576\r\n$1\r\n"), 0, INCOMPLETE},
    {"max default bulk", T("*1\r\n$536870912\r\n"), 0, INCOMPLETE},
    {"integer elements",
     T("*4\r\n$3\r\nSET\r\n:12\r\n:-5\r\n:0\r\n"),
     OPTION_INTEGERS,
     COMPLETE(27),
     NULL,
     4,
     {T("SET"), T("12"), T("-5"), T("0")},
     {0, 1, 1, 1}},
    {"integer extremes",
     T("*2\r\n:9223372036854775807\r\n:-9223372036854775808\r\n"),
     OPTION_INTEGERS,
     COMPLETE(49),
     NULL,
     2,
     {T("9223372036854775807"), T("-9223372036854775808")},
     {1, 1}},
    {"authenticated limits ok", T("*10\r\n$16384\r\n"), OPTION_AUTH, INCOMPLETE},

    /* Malformed RESP arrays. */
    {"count not a number", T("*abc\r\n"), 0, ERROR("ERR Protocol error: invalid multibulk length")},
    {"count empty", T("*\r\n"), 0, ERROR("ERR Protocol error: invalid multibulk length")},
    {"count leading zero", T("*01\r\n"), 0, ERROR("ERR Protocol error: invalid multibulk length")},
    {"count minus zero", T("*-0\r\n"), 0, ERROR("ERR Protocol error: invalid multibulk length")},
    {"count plus sign", T("*+1\r\n"), 0, ERROR("ERR Protocol error: invalid multibulk length")},
    {"count leading space", T("* 1\r\n"), 0, ERROR("ERR Protocol error: invalid multibulk length")},
    {"count trailing space", T("*1 \r\n"), 0,
     ERROR("ERR Protocol error: invalid multibulk length")},
    {"count lone minus", T("*-\r\n"), 0, ERROR("ERR Protocol error: invalid multibulk length")},
    {"count over INT_MAX", T("*2147483648\r\n"), 0,
     ERROR("ERR Protocol error: invalid multibulk length")},
    {"count at INT_MAX", T("*2147483647\r\n"), 0, INCOMPLETE},
    {"count overflow", T("*99999999999999999999\r\n"), 0,
     ERROR("ERR Protocol error: invalid multibulk length")},
    {"count line ends at LF", T("*1\n$4\r\n"), 0,
     ERROR("ERR Protocol error: invalid multibulk length")},
    {"bulk length negative", T("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$-1\r\n"), 0,
     ERROR("ERR Protocol error: invalid bulk length")},
    {"bulk length not a number", T("*1\r\n$abc\r\n"), 0,
     ERROR("ERR Protocol error: invalid bulk length")},
    {"bulk length empty", T("*1\r\n$\r\n"), 0, ERROR("ERR Protocol error: invalid bulk length")},
    {"bulk length leading zero", T("*1\r\n$03\r\nfoo\r\n"), 0,
     ERROR("ERR Protocol error: invalid bulk length")},
    {"bulk length over limit", T("*1\r\n$536870913\r\n"), 0,
     ERROR("ERR Protocol error: invalid bulk length")},
    {"bulk length overflow", T("*1\r\n$9223372036854775808\r\n"), 0,
     ERROR("ERR Protocol error: invalid bulk length")},
    {"element not a bulk", T("*1\r\nfoo\r\n"), 0,
     ERROR("ERR Protocol error: expected '$', got 'f'")},
    {"element is CR", T("*1\r\n\r\n"), 0, ERROR("ERR Protocol error: expected '$', got ' '")},
    {"element is LF", T("*1\r\n\nfoo\r\n"), 0, ERROR("ERR Protocol error: expected '$', got ' '")},
    {"element high byte", T("*1\r\n\xff\r\n"), 0,
     ERROR("ERR Protocol error: expected '$', got '\xff'")},
    {"nested array", T("*1\r\n*1\r\n$1\r\na\r\n"), 0,
     ERROR("ERR Protocol error: expected '$', got '*'")},
    {"integer refused by default", T("*1\r\n:5\r\n"), 0,
     ERROR("ERR Protocol error: expected '$', got ':'")},
    {"second element bad", T("*2\r\n$1\r\na\r\n+b\r\n"), 0,
     ERROR("ERR Protocol error: expected '$', got '+'")},
    {"integer not a number", T("*1\r\n:abc\r\n"), OPTION_INTEGERS,
     ERROR("ERR Protocol error: invalid integer element")},
    {"integer empty", T("*1\r\n:\r\n"), OPTION_INTEGERS,
     ERROR("ERR Protocol error: invalid integer element")},
    {"integer leading zero", T("*1\r\n:01\r\n"), OPTION_INTEGERS,
     ERROR("ERR Protocol error: invalid integer element")},
    {"unauthenticated count", T("*11\r\n"), OPTION_AUTH,
     ERROR("ERR Protocol error: unauthenticated multibulk length")},
    {"unauthenticated bulk", T("*2\r\n$16385\r\n"), OPTION_AUTH,
     ERROR("ERR Protocol error: unauthenticated bulk length")},
    {"invalid before unauthenticated", T("*1\r\n$536870913\r\n"), OPTION_AUTH,
     ERROR("ERR Protocol error: invalid bulk length")},

    /* Requests that stay incomplete. */
    {"nothing", T(""), 0, INCOMPLETE},
    {"star only", T("*"), 0, INCOMPLETE},
    {"count without LF", T("*1\r"), 0, INCOMPLETE},
    {"bulk header without LF", T("*1\r\n$4\r"), 0, INCOMPLETE},
    {"bulk data without CRLF", T("*1\r\n$4\r\nPING"), 0, INCOMPLETE},
    {"bulk data one byte short", T("*1\r\n$4\r\nPING\r"), 0, INCOMPLETE},
    {"element waits for its line", T("*1\r\nfoo"), 0, INCOMPLETE},
    {"NUL hides count line end", T("*1\0\r\n$4\r\nPING\r\n"), 0, INCOMPLETE},
    {"NUL hides element line end", T("*1\r\n\0\r\n"), 0, INCOMPLETE},
    {"NUL hides inline line end", T("PING\0\r\n"), 0, INCOMPLETE},
    {"inline without LF", T("PING\r"), 0, INCOMPLETE},

    /* Inline requests. */
    {"inline CRLF", T("PING\r\n"), 0, COMPLETE(6), NULL, 1, {T("PING")}, {0}},
    {"inline LF", T("PING\n"), 0, COMPLETE(5), NULL, 1, {T("PING")}, {0}},
    {"inline empty CRLF", T("\r\n"), 0, COMPLETE(2), NULL, 0, {{0}}, {0}},
    {"inline empty LF", T("\n"), 0, COMPLETE(1), NULL, 0, {{0}}, {0}},
    {"inline blanks only", T(" \t\v\f\r\n"), 0, COMPLETE(6), NULL, 0, {{0}}, {0}},
    {"inline words",
     T("  SET   a\tb  \r\n"),
     0,
     COMPLETE(15),
     NULL,
     3,
     {T("SET"), T("a"), T("b")},
     {0}},
    {"inline extra CR", T("GET a\r\r\n"), 0, COMPLETE(8), NULL, 2, {T("GET"), T("a")}, {0}},
    {"inline CR splits", T("a\rb\n"), 0, COMPLETE(4), NULL, 2, {T("a"), T("b")}, {0}},
    {"inline VT inside word", T("a\vb \va\n"), 0, COMPLETE(7), NULL, 2, {T("a\vb"), T("a")}, {0}},
    {"inline dollar", T("$3\r\n"), 0, COMPLETE(4), NULL, 1, {T("$3")}, {0}},
    {"inline pipelined", T("PING\r\nPING\r\n"), 0, COMPLETE(6), NULL, 1, {T("PING")}, {0}},
    {"inline high bytes",
     T("\xff\x80 \xe9t\xe9\n"),
     0,
     COMPLETE(7),
     NULL,
     2,
     {T("\xff\x80"), T("\xe9t\xe9")},
     {0}},
    {"double quotes",
     T("ECHO \"hello world\"\r\n"),
     0,
     COMPLETE(20),
     NULL,
     2,
     {T("ECHO"), T("hello world")},
     {0}},
    {"double quote escapes",
     T("E \"\\n\\r\\t\\b\\a\\\\\\\"\\q\"\n"),
     0,
     COMPLETE(21),
     NULL,
     2,
     {T("E"), T("\n\r\t\b\a\\\"q")},
     {0}},
    {"hex escapes",
     T("E \"\\x41\\x4a\\x00\\xfF\"\n"),
     0,
     COMPLETE(21),
     NULL,
     2,
     {T("E"), T("AJ\0\xff")},
     {0}},
    {"short hex escape",
     T("E \"\\x4\" \"\\xg1\"\n"),
     0,
     COMPLETE(15),
     NULL,
     3,
     {T("E"), T("x4"), T("xg1")},
     {0}},
    {"raw CR in quotes", T("E \"a\rb\"\n"), 0, COMPLETE(8), NULL, 2, {T("E"), T("a\rb")}, {0}},
    {"single quotes",
     T("E 'it\\'s' 'a\\nb'\n"),
     0,
     COMPLETE(17),
     NULL,
     3,
     {T("E"), T("it's"), T("a\\nb")},
     {0}},
    {"quote after prefix",
     T("E foo\"bar\" x'y'\n"),
     0,
     COMPLETE(16),
     NULL,
     3,
     {T("E"), T("foobar"), T("xy")},
     {0}},
    {"empty quoted", T("E \"\" ''\n"), 0, COMPLETE(8), NULL, 3, {T("E"), T(""), T("")}, {0}},
    {"closing quote then VT", T("\"a\"\vb\n"), 0, COMPLETE(6), NULL, 2, {T("a"), T("b")}, {0}},
    {"closing quote then CR", T("\"a\"\r\n"), 0, COMPLETE(5), NULL, 1, {T("a")}, {0}},
    {"quote chars in other quotes",
     T("E \"it's\" 'say \"hi\"'\n"),
     0,
     COMPLETE(20),
     NULL,
     3,
     {T("E"), T("it's"), T("say \"hi\"")},
     {0}},
    {"star inside inline", T("E *1\n"), 0, COMPLETE(5), NULL, 2, {T("E"), T("*1")}, {0}},

    /* Malformed inline requests. */
    {"unterminated double quote", T("ECHO \"a\r\n"), 0,
     ERROR("ERR Protocol error: unbalanced quotes in request")},
    {"unterminated single quote", T("ECHO 'a\n"), 0,
     ERROR("ERR Protocol error: unbalanced quotes in request")},
    {"text after double quote", T("ECHO \"a\"b\r\n"), 0,
     ERROR("ERR Protocol error: unbalanced quotes in request")},
    {"text after single quote", T("ECHO 'a'b\r\n"), 0,
     ERROR("ERR Protocol error: unbalanced quotes in request")},
    {"escaped closing quote", T("ECHO \"a\\\"\n"), 0,
     ERROR("ERR Protocol error: unbalanced quotes in request")},
    {"backslash at end", T("ECHO \"a\\\n"), 0,
     ERROR("ERR Protocol error: unbalanced quotes in request")},
    {"adjacent quotes", T("E \"a\"\"b\"\n"), 0,
     ERROR("ERR Protocol error: unbalanced quotes in request")},
};

/* ---- Helpers ------------------------------------------------------------ */

static request_limits limits_for(int options)
{
    request_limits limits;
    request_limits_set_defaults(&limits);
    limits.accept_integer_elements = (options & OPTION_INTEGERS) != 0;
    return limits;
}

/* A heap copy of exactly length bytes: the parser must read nothing more. */
static char *exact_copy(const char *data, size_t length)
{
    char *copy = malloc(length > 0 ? length : 1);
    assert_non_null(copy);
    if (length > 0)
        memcpy(copy, data, length);
    return copy;
}

static int points_inside(const char *ptr, size_t len, const char *start, size_t size)
{
    uintptr_t p = (uintptr_t)ptr, s = (uintptr_t)start;
    return len == 0 ? (p >= s && p <= s + size) : (p >= s && p + len <= s + size);
}

/* Compares what the parser reports with the vector; mode names the feeding
 * strategy so a failure says which one broke. */
static void check_result(const vector *v, const char *mode, const request_parser *parser,
                         request_status status, const char *buffer, size_t length)
{
    if (status != v->status)
        fail_msg("%s [%s]: status %d, expected %d", v->name, mode, status, v->status);
    if (status == REQUEST_ERROR) {
        if (parser->error == NULL || strcmp(parser->error, v->error) != 0)
            fail_msg("%s [%s]: error \"%s\", expected \"%s\"", v->name, mode,
                     parser->error ? parser->error : "(null)", v->error);
        return;
    }
    if (status != REQUEST_COMPLETE)
        return;
    if (parser->consumed != v->consumed || parser->consumed > length)
        fail_msg("%s [%s]: consumed %zu, expected %zu", v->name, mode, parser->consumed,
                 v->consumed);
    if (parser->argc != v->argc)
        fail_msg("%s [%s]: argc %d, expected %d", v->name, mode, parser->argc, v->argc);
    for (int index = 0; index < parser->argc; index++) {
        const dblite_bytes *arg = &parser->argv[index];
        if (arg->len != v->argv[index].len || memcmp(arg->ptr, v->argv[index].ptr, arg->len) != 0)
            fail_msg("%s [%s]: argument %d differs", v->name, mode, index);
        if (parser->argument_is_integer[index] != v->integer[index])
            fail_msg("%s [%s]: argument %d integer flag %d", v->name, mode, index,
                     parser->argument_is_integer[index]);
        int in_buffer = points_inside(arg->ptr, arg->len, buffer, parser->consumed);
        int in_parser =
            parser->unescaped != NULL &&
            points_inside(arg->ptr, arg->len, parser->unescaped, parser->unescaped_capacity);
        if (!in_buffer && !(in_parser && v->input.ptr[0] != '*'))
            fail_msg("%s [%s]: argument %d points outside the request", v->name, mode, index);
    }
}

/* Feeds the vector in pieces whose sizes come from next_piece (called with
 * the bytes fed so far); every call sees a new exact-size buffer. */
typedef size_t (*piece_fn)(size_t fed, unsigned *seed);

static void feed_in_pieces(const vector *v, const char *mode, piece_fn next_piece, unsigned seed)
{
    request_limits limits = limits_for(v->options);
    request_parser parser;
    assert_int_equal(request_parser_init(&parser), DBLITE_OK);
    request_parser_require_authentication(&parser, v->options & OPTION_AUTH);
    size_t fed = 0, previous_fed = 0;
    request_status status = REQUEST_INCOMPLETE;
    for (;;) {
        char *buffer = exact_copy(v->input.ptr, fed);
        status = request_parse(&parser, buffer, fed, &limits);
        if (status != REQUEST_INCOMPLETE) {
            check_result(v, mode, &parser, status, buffer, fed);
            /* A request completes as soon as its last byte arrived. */
            if (status == REQUEST_COMPLETE &&
                (fed < parser.consumed || previous_fed >= parser.consumed))
                fail_msg("%s [%s]: completed at %zu bytes (before: %zu), consumed %zu", v->name,
                         mode, fed, previous_fed, parser.consumed);
            free(buffer);
            break;
        }
        free(buffer);
        if (fed == v->input.len)
            break;
        size_t piece = next_piece(fed, &seed);
        previous_fed = fed;
        fed = fed + piece > v->input.len ? v->input.len : fed + piece;
    }
    if (status == REQUEST_INCOMPLETE)
        check_result(v, mode, &parser, status, NULL, fed);
    request_parser_free(&parser);
}

static size_t one_byte(size_t fed, unsigned *seed)
{
    (void)fed;
    (void)seed;
    return 1;
}

static size_t random_piece(size_t fed, unsigned *seed)
{
    (void)fed;
    *seed = *seed * 1103515245u + 12345u;
    return 1 + (*seed >> 16) % 7;
}

static size_t everything(size_t fed, unsigned *seed)
{
    (void)fed;
    (void)seed;
    return SIZE_MAX / 2;
}

/* ---- Tests ---------------------------------------------------------------- */

static void test_vectors_whole(void **state)
{
    (void)state;
    for (size_t index = 0; index < sizeof VECTORS / sizeof VECTORS[0]; index++) {
        const vector *v = &VECTORS[index];
        request_limits limits = limits_for(v->options);
        request_parser parser;
        assert_int_equal(request_parser_init(&parser), DBLITE_OK);
        request_parser_require_authentication(&parser, v->options & OPTION_AUTH);
        char *buffer = exact_copy(v->input.ptr, v->input.len);
        request_status status = request_parse(&parser, buffer, v->input.len, &limits);
        check_result(v, "whole", &parser, status, buffer, v->input.len);
        /* Asking again before reset repeats the answer. */
        status = request_parse(&parser, buffer, v->input.len, &limits);
        check_result(v, "whole, asked again", &parser, status, buffer, v->input.len);
        free(buffer);
        request_parser_free(&parser);
    }
}

static void test_vectors_byte_by_byte(void **state)
{
    (void)state;
    for (size_t index = 0; index < sizeof VECTORS / sizeof VECTORS[0]; index++)
        feed_in_pieces(&VECTORS[index], "byte by byte", one_byte, 0);
}

static void test_vectors_random_pieces(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 20; seed++)
        for (size_t index = 0; index < sizeof VECTORS / sizeof VECTORS[0]; index++)
            feed_in_pieces(&VECTORS[index], "random pieces", random_piece, seed);
}

static void test_vectors_fed_at_once_after_empty_call(void **state)
{
    (void)state;
    for (size_t index = 0; index < sizeof VECTORS / sizeof VECTORS[0]; index++)
        feed_in_pieces(&VECTORS[index], "empty then whole", everything, 0);
}

/* A connection as the networking layer will run it: bytes arrive in pieces,
 * complete requests are taken off the front, the rest moves to a new
 * buffer.  Returns the requests as one printable transcript. */
static char *run_connection(const char *input, size_t length, size_t piece, unsigned seed,
                            const request_limits *limits)
{
    size_t transcript_size = 64 + length * 8;
    char *transcript = calloc(1, transcript_size);
    assert_non_null(transcript);
    size_t written = 0;
    request_parser parser;
    assert_int_equal(request_parser_init(&parser), DBLITE_OK);
    char *pending = exact_copy("", 0);
    size_t pending_length = 0, received = 0;
    int finished = 0;
    while (!finished) {
        size_t step = piece;
        if (seed != 0) {
            seed = seed * 1103515245u + 12345u;
            step = 1 + (seed >> 16) % piece;
        }
        if (step > length - received)
            step = length - received;
        char *grown = malloc(pending_length + step > 0 ? pending_length + step : 1);
        assert_non_null(grown);
        memcpy(grown, pending, pending_length);
        memcpy(grown + pending_length, input + received, step);
        free(pending);
        pending = grown;
        pending_length += step;
        received += step;
        for (;;) {
            request_status status = request_parse(&parser, pending, pending_length, limits);
            if (status == REQUEST_INCOMPLETE) {
                if (received == length)
                    finished = 1;
                break;
            }
            if (status == REQUEST_ERROR) {
                written += (size_t)snprintf(transcript + written, transcript_size - written,
                                            "error %s;", parser.error);
                finished = 1;
                break;
            }
            written += (size_t)snprintf(transcript + written, transcript_size - written,
                                        "%d:", parser.argc);
            for (int index = 0; index < parser.argc; index++) {
                for (size_t byte = 0; byte < parser.argv[index].len; byte++)
                    written +=
                        (size_t)snprintf(transcript + written, transcript_size - written, "%02x",
                                         (unsigned char)parser.argv[index].ptr[byte]);
                written += (size_t)snprintf(transcript + written, transcript_size - written, "%s",
                                            parser.argument_is_integer[index] ? "i," : ",");
            }
            written += (size_t)snprintf(transcript + written, transcript_size - written, ";");
            size_t left = pending_length - parser.consumed;
            char *rest = exact_copy(pending + parser.consumed, left);
            free(pending);
            pending = rest;
            pending_length = left;
            request_parser_reset(&parser);
        }
    }
    free(pending);
    request_parser_free(&parser);
    return transcript;
}

static void test_pipelined_requests(void **state)
{
    (void)state;
    static const char input[] = "*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n"
                                "*0\r\n"
                                "PING\r\n"
                                "\r\n"
                                "*-1\r\n"
                                "SET k \"a b\"\n"
                                "*3\r\n$3\r\nSET\r\n:42\r\n$3\r\na\0b\r\n"
                                "*1\r\n$4\r\nQUIT\r\n"
                                "*1\r\n$4\r\nPI";
    static const char expected[] = "2:4543484f,68656c6c6f,;"
                                   "0:;"
                                   "1:50494e47,;"
                                   "0:;"
                                   "0:;"
                                   "3:534554,6b,612062,;"
                                   "3:534554,3432i,610062,;"
                                   "1:51554954,;";
    request_limits limits;
    request_limits_set_defaults(&limits);
    limits.accept_integer_elements = 1;
    size_t length = sizeof input - 1;
    char *whole = run_connection(input, length, length, 0, &limits);
    assert_string_equal(whole, expected);
    free(whole);
    for (size_t piece = 1; piece <= 9; piece++) {
        char *transcript = run_connection(input, length, piece, 0, &limits);
        assert_string_equal(transcript, expected);
        free(transcript);
    }
    for (unsigned seed = 1; seed <= 50; seed++) {
        char *transcript = run_connection(input, length, 23, seed, &limits);
        assert_string_equal(transcript, expected);
        free(transcript);
    }
}

static void test_pipelined_error_stops(void **state)
{
    (void)state;
    static const char input[] = "PING\r\n*1\r\n$x\r\nPING\r\n";
    request_limits limits;
    request_limits_set_defaults(&limits);
    for (size_t piece = 1; piece <= sizeof input; piece++) {
        char *transcript = run_connection(input, sizeof input - 1, piece, 0, &limits);
        assert_string_equal(transcript,
                            "1:50494e47,;error ERR Protocol error: invalid bulk length;");
        free(transcript);
    }
}

static void test_relocated_buffer(void **state)
{
    (void)state;
    static const char input[] = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";
    request_limits limits;
    request_limits_set_defaults(&limits);
    request_parser parser;
    assert_int_equal(request_parser_init(&parser), DBLITE_OK);
    /* First part in one allocation, freed before the rest arrives elsewhere. */
    char *first = exact_copy(input, 20);
    assert_int_equal(request_parse(&parser, first, 20, &limits), REQUEST_INCOMPLETE);
    free(first);
    size_t length = sizeof input - 1;
    char *second = calloc(1, 4096);
    assert_non_null(second);
    memcpy(second + 1000, input, length);
    assert_int_equal(request_parse(&parser, second + 1000, length, &limits), REQUEST_COMPLETE);
    assert_int_equal(parser.argc, 3);
    assert_ptr_equal(parser.argv[0].ptr, second + 1000 + 8);
    assert_ptr_equal(parser.argv[1].ptr, second + 1000 + 17);
    assert_ptr_equal(parser.argv[2].ptr, second + 1000 + 26);
    assert_memory_equal(parser.argv[2].ptr, "value", 5);
    assert_int_equal(parser.consumed, length);
    /* Asked again from yet another place, the pointers follow the buffer. */
    char *third = exact_copy(input, length);
    assert_int_equal(request_parse(&parser, third, length, &limits), REQUEST_COMPLETE);
    assert_ptr_equal(parser.argv[1].ptr, third + 17);
    free(third);
    free(second);
    request_parser_free(&parser);
}

static void test_huge_announced_count(void **state)
{
    (void)state;
    request_limits limits;
    request_limits_set_defaults(&limits);
    request_parser parser;
    assert_int_equal(request_parser_init(&parser), DBLITE_OK);
    const char *header = "*1048576\r\n";
    assert_int_equal(request_parse(&parser, header, strlen(header), &limits), REQUEST_INCOMPLETE);
    /* The announced count must not drive the allocation. */
    assert_true(parser.argument_capacity <= 1024);
    request_parser_reset(&parser);

    limits.max_multibulk_count = LLONG_MAX;
    header = "*2147483647\r\n";
    assert_int_equal(request_parse(&parser, header, strlen(header), &limits), REQUEST_INCOMPLETE);
    assert_true(parser.argument_capacity <= 1024);
    request_parser_reset(&parser);
    header = "*2147483648\r\n";
    assert_int_equal(request_parse(&parser, header, strlen(header), &limits), REQUEST_ERROR);
    assert_string_equal(parser.error, "ERR Protocol error: invalid multibulk length");
    request_parser_reset(&parser);

    limits.max_multibulk_count = 3;
    header = "*3\r\n";
    assert_int_equal(request_parse(&parser, header, strlen(header), &limits), REQUEST_INCOMPLETE);
    request_parser_reset(&parser);
    header = "*4\r\n";
    assert_int_equal(request_parse(&parser, header, strlen(header), &limits), REQUEST_ERROR);
    assert_string_equal(parser.error, "ERR Protocol error: invalid multibulk length");
    request_parser_free(&parser);
}

static void test_huge_announced_bulk(void **state)
{
    (void)state;
    request_limits limits;
    request_limits_set_defaults(&limits);
    request_parser parser;
    assert_int_equal(request_parser_init(&parser), DBLITE_OK);
    const char *header = "*2\r\n$536870912\r\n";
    assert_int_equal(request_parse(&parser, header, strlen(header), &limits), REQUEST_INCOMPLETE);
    assert_int_equal(request_parser_wanted_length(&parser), strlen(header) + 536870912 + 2);
    request_parser_reset(&parser);
    assert_int_equal(request_parser_wanted_length(&parser), 0);

    limits.max_bulk_length = LLONG_MAX;
    header = "*1\r\n$9223372036854775807\r\n";
    assert_int_equal(request_parse(&parser, header, strlen(header), &limits), REQUEST_INCOMPLETE);
    assert_int_equal(request_parser_wanted_length(&parser), strlen(header) + (size_t)LLONG_MAX + 2);
    /* A few more bytes of that bulk change nothing and overflow nothing. */
    static const char more[] = "*1\r\n$9223372036854775807\r\nabcdefgh";
    assert_int_equal(request_parse(&parser, more, sizeof more - 1, &limits), REQUEST_INCOMPLETE);
    request_parser_reset(&parser);

    limits.max_bulk_length = 10;
    header = "*1\r\n$11\r\n";
    assert_int_equal(request_parse(&parser, header, strlen(header), &limits), REQUEST_ERROR);
    assert_string_equal(parser.error, "ERR Protocol error: invalid bulk length");
    request_parser_free(&parser);
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* A large value arriving 16KB at a time: each call must be O(1) in the
 * bytes already received (bulk data is never rescanned). */
static void test_large_bulk_streamed(void **state)
{
    (void)state;
    const size_t value_length = 64u * 1024 * 1024;
    char header[64];
    int header_length =
        snprintf(header, sizeof header, "*2\r\n$3\r\nSET\r\n$%zu\r\n", value_length);
    size_t total = (size_t)header_length + value_length + 2;
    char *buffer = malloc(total);
    assert_non_null(buffer);
    memcpy(buffer, header, (size_t)header_length);
    memset(buffer + header_length, 'v', value_length);
    memcpy(buffer + header_length + value_length, "\r\n", 2);
    request_limits limits;
    request_limits_set_defaults(&limits);
    request_parser parser;
    assert_int_equal(request_parser_init(&parser), DBLITE_OK);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    size_t fed = 0;
    request_status status = REQUEST_INCOMPLETE;
    while (status == REQUEST_INCOMPLETE) {
        fed = fed + 16384 > total ? total : fed + 16384;
        status = request_parse(&parser, buffer, fed, &limits);
        if (status == REQUEST_INCOMPLETE && fed > (size_t)header_length)
            assert_int_equal(request_parser_wanted_length(&parser), total);
    }
    double elapsed = seconds_since(&start);
    assert_int_equal(status, REQUEST_COMPLETE);
    assert_int_equal(fed, total);
    assert_int_equal(parser.argc, 2);
    assert_ptr_equal(parser.argv[1].ptr, buffer + header_length);
    assert_int_equal(parser.argv[1].len, value_length);
    /* 4096 calls; a rescan of the value each time would take far longer. */
    assert_true(elapsed < 2.0);
    request_parser_free(&parser);
    free(buffer);
}

/* A million arguments arriving 16KB at a time into a buffer that grows (and
 * moves) like a connection's: linear, and the arguments all come out. */
static void test_million_arguments_streamed(void **state)
{
    (void)state;
    const int count = 1024 * 1024;
    size_t total = 16 + (size_t)count * 9;
    char *input = malloc(total);
    assert_non_null(input);
    size_t length = (size_t)snprintf(input, total, "*%d\r\n", count);
    for (int index = 0; index < count; index++) {
        memcpy(input + length, "$2\r\n", 4);
        input[length + 4] = (char)('a' + index % 26);
        input[length + 5] = (char)('a' + (index / 26) % 26);
        memcpy(input + length + 6, "\r\n", 2);
        length += 8;
    }
    request_limits limits;
    request_limits_set_defaults(&limits);
    request_parser parser;
    assert_int_equal(request_parser_init(&parser), DBLITE_OK);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    char *buffer = NULL;
    size_t capacity = 0, fed = 0;
    request_status status = REQUEST_INCOMPLETE;
    while (status == REQUEST_INCOMPLETE && fed < length) {
        size_t step = length - fed < 16384 ? length - fed : 16384;
        if (fed + step > capacity) {
            capacity = capacity == 0 ? 16384 : capacity * 2;
            char *grown = malloc(capacity);
            assert_non_null(grown);
            if (fed > 0)
                memcpy(grown, buffer, fed);
            free(buffer);
            buffer = grown;
        }
        memcpy(buffer + fed, input + fed, step);
        fed += step;
        status = request_parse(&parser, buffer, fed, &limits);
    }
    double elapsed = seconds_since(&start);
    assert_int_equal(status, REQUEST_COMPLETE);
    assert_int_equal(parser.consumed, length);
    assert_int_equal(parser.argc, count);
    for (int index = 0; index < count; index += 4099) {
        assert_int_equal(parser.argv[index].len, 2);
        assert_int_equal(parser.argv[index].ptr[0], 'a' + index % 26);
        assert_int_equal(parser.argv[index].ptr[1], 'a' + (index / 26) % 26);
        assert_ptr_equal(parser.argv[index].ptr,
                         buffer + (length - (size_t)(count - index) * 8) + 4);
    }
    assert_true(elapsed < 5.0);
    /* Reset gives the big arrays back. */
    request_parser_reset(&parser);
    assert_true(parser.argument_capacity <= 64);
    static const char next[] = "*1\r\n$4\r\nPING\r\n";
    assert_int_equal(request_parse(&parser, next, sizeof next - 1, &limits), REQUEST_COMPLETE);
    assert_int_equal(parser.argc, 1);
    request_parser_free(&parser);
    free(buffer);
    free(input);
}

/* Redis checks line-length limits only while no terminator was found, so
 * whether a long line is refused depends on how it arrived. */
static void test_size_limits(void **state)
{
    (void)state;
    request_limits limits;
    request_limits_set_defaults(&limits);
    size_t limit = limits.max_inline_length;
    size_t size = limit + 16;
    char *data = malloc(size + 8);
    assert_non_null(data);
    request_parser parser;
    assert_int_equal(request_parser_init(&parser), DBLITE_OK);

    memset(data, 'a', size);
    assert_int_equal(request_parse(&parser, data, limit, &limits), REQUEST_INCOMPLETE);
    assert_int_equal(request_parse(&parser, data, limit + 1, &limits), REQUEST_ERROR);
    assert_string_equal(parser.error, "ERR Protocol error: too big inline request");
    request_parser_reset(&parser);
    /* The whole long line at once, terminated: accepted, as Redis does. */
    data[size] = '\n';
    assert_int_equal(request_parse(&parser, data, size + 1, &limits), REQUEST_COMPLETE);
    assert_int_equal(parser.argc, 1);
    assert_int_equal(parser.argv[0].len, size);
    request_parser_reset(&parser);

    data[0] = '*';
    memset(data + 1, '1', size - 1);
    assert_int_equal(request_parse(&parser, data, limit, &limits), REQUEST_INCOMPLETE);
    assert_int_equal(request_parse(&parser, data, limit + 1, &limits), REQUEST_ERROR);
    assert_string_equal(parser.error, "ERR Protocol error: too big mbulk count string");
    request_parser_reset(&parser);

    memcpy(data, "*1\r\n$", 5);
    assert_int_equal(request_parse(&parser, data, limit + 4, &limits), REQUEST_INCOMPLETE);
    assert_int_equal(request_parse(&parser, data, limit + 5, &limits), REQUEST_ERROR);
    assert_string_equal(parser.error, "ERR Protocol error: too big bulk count string");
    request_parser_reset(&parser);

    /* A NUL hides the line end for good: only the limit ends the wait. */
    memcpy(data, "PING\0\r\n", 7);
    assert_int_equal(request_parse(&parser, data, limit, &limits), REQUEST_INCOMPLETE);
    assert_int_equal(request_parse(&parser, data, limit + 1, &limits), REQUEST_ERROR);
    assert_string_equal(parser.error, "ERR Protocol error: too big inline request");
    request_parser_reset(&parser);

    limits.max_inline_length = 4;
    assert_int_equal(request_parse(&parser, "*1\r\n$3\r", 7, &limits), REQUEST_INCOMPLETE);
    assert_int_equal(request_parse(&parser, "*1\r\n$3\r\nabc\r\n", 13, &limits), REQUEST_COMPLETE);
    request_parser_free(&parser);
    free(data);
}

static void test_error_is_sticky_until_reset(void **state)
{
    (void)state;
    request_limits limits;
    request_limits_set_defaults(&limits);
    request_parser parser;
    assert_int_equal(request_parser_init(&parser), DBLITE_OK);
    static const char bad[] = "*1\r\n!\r\n$4\r\nPING\r\n";
    assert_int_equal(request_parse(&parser, bad, sizeof bad - 1, &limits), REQUEST_ERROR);
    assert_string_equal(parser.error, "ERR Protocol error: expected '$', got '!'");
    assert_int_equal(request_parse(&parser, bad, sizeof bad - 1, &limits), REQUEST_ERROR);
    assert_string_equal(parser.error, "ERR Protocol error: expected '$', got '!'");
    request_parser_reset(&parser);
    assert_null(parser.error);
    static const char good[] = "*1\r\n$4\r\nPING\r\n";
    assert_int_equal(request_parse(&parser, good, sizeof good - 1, &limits), REQUEST_COMPLETE);
    assert_int_equal(parser.argc, 1);
    assert_memory_equal(parser.argv[0].ptr, "PING", 4);
    request_parser_free(&parser);
}

/* Many quoted arguments on one long line: the unescaped copies must all
 * stay valid together (no reallocation under earlier arguments). */
static void test_many_quoted_inline_arguments(void **state)
{
    (void)state;
    const int count = 3000;
    size_t capacity = (size_t)count * 12 + 16;
    char *line = malloc(capacity);
    assert_non_null(line);
    size_t length = 0;
    for (int index = 0; index < count; index++)
        length += (size_t)snprintf(line + length, capacity - length,
                                   index % 3 == 0   ? "\"q\\x%02x\" "
                                   : index % 3 == 1 ? "p%04d "
                                                    : "'s%03d' ",
                                   index % 3 == 0 ? index % 256 : index % 1000);
    line[length++] = '\n';
    request_limits limits;
    request_limits_set_defaults(&limits);
    request_parser parser;
    assert_int_equal(request_parser_init(&parser), DBLITE_OK);
    char *buffer = exact_copy(line, length);
    assert_int_equal(request_parse(&parser, buffer, length, &limits), REQUEST_COMPLETE);
    assert_int_equal(parser.argc, count);
    for (int index = 0; index < count; index++) {
        char expected[16];
        int expected_length;
        if (index % 3 == 0) {
            expected[0] = 'q';
            expected[1] = (char)(index % 256);
            expected_length = 2;
        } else {
            expected_length = snprintf(expected, sizeof expected,
                                       index % 3 == 1 ? "p%04d" : "s%03d", index % 1000);
        }
        assert_int_equal(parser.argv[index].len, (size_t)expected_length);
        assert_memory_equal(parser.argv[index].ptr, expected, (size_t)expected_length);
    }
    free(buffer);
    free(line);
    request_parser_free(&parser);
}

/* Every allocation of init and parse may fail: the answer is then
 * DBLITE_ERR_NOMEM or "ERR out of memory", never a crash or a leak. */
static void test_allocation_failures(void **state)
{
    (void)state;
    char multibulk[512];
    size_t multibulk_length = (size_t)snprintf(multibulk, sizeof multibulk, "*40\r\n");
    for (int index = 0; index < 40; index++)
        multibulk_length +=
            (size_t)snprintf(multibulk + multibulk_length, sizeof multibulk - multibulk_length,
                             "$1\r\n%c\r\n", 'a' + index % 26);
    char inline_line[1024];
    size_t inline_length = 0;
    for (int index = 0; index < 100; index++)
        inline_length +=
            (size_t)snprintf(inline_line + inline_length, sizeof inline_line - inline_length,
                             index % 2 ? "w%d " : "\"q %d\" ", index);
    inline_line[inline_length++] = '\n';
    request_limits limits;
    request_limits_set_defaults(&limits);
    int init_failures = 0, parse_failures = 0, successes = 0;
    for (int countdown = 0; countdown < 60; countdown++) {
        request_parser parser;
        allocations_before_failure = countdown;
        int initialised = request_parser_init(&parser);
        if (initialised != DBLITE_OK) {
            allocations_before_failure = -1;
            assert_int_equal(initialised, DBLITE_ERR_NOMEM);
            init_failures++;
            continue;
        }
        int failed = 0;
        request_status status = request_parse(&parser, multibulk, multibulk_length, &limits);
        if (status == REQUEST_ERROR) {
            assert_string_equal(parser.error, "ERR out of memory");
            failed = 1;
        } else {
            assert_int_equal(status, REQUEST_COMPLETE);
            assert_int_equal(parser.argc, 40);
            assert_memory_equal(parser.argv[39].ptr, "n", 1);
        }
        request_parser_reset(&parser);
        status = request_parse(&parser, inline_line, inline_length, &limits);
        if (status == REQUEST_ERROR) {
            assert_string_equal(parser.error, "ERR out of memory");
            failed = 1;
        } else {
            assert_int_equal(status, REQUEST_COMPLETE);
            assert_int_equal(parser.argc, 100);
            assert_memory_equal(parser.argv[98].ptr, "q 98", 4);
        }
        allocations_before_failure = -1;
        parse_failures += failed;
        successes += !failed;
        request_parser_free(&parser);
    }
    /* The injection reached every phase, and enough allocations succeed. */
    assert_true(init_failures >= 1);
    assert_true(parse_failures >= 1);
    assert_true(successes >= 1);
}

static void test_authentication_setting_survives_reset(void **state)
{
    (void)state;
    request_limits limits;
    request_limits_set_defaults(&limits);
    request_parser parser;
    assert_int_equal(request_parser_init(&parser), DBLITE_OK);
    static const char eleven[] = "*11\r\n";
    assert_int_equal(request_parse(&parser, eleven, 5, &limits), REQUEST_INCOMPLETE);
    request_parser_reset(&parser);
    request_parser_require_authentication(&parser, 1);
    static const char ping[] = "*1\r\n$4\r\nPING\r\n";
    assert_int_equal(request_parse(&parser, ping, sizeof ping - 1, &limits), REQUEST_COMPLETE);
    request_parser_reset(&parser);
    assert_int_equal(request_parse(&parser, eleven, 5, &limits), REQUEST_ERROR);
    assert_string_equal(parser.error, "ERR Protocol error: unauthenticated multibulk length");
    request_parser_reset(&parser);
    request_parser_require_authentication(&parser, 0);
    assert_int_equal(request_parse(&parser, eleven, 5, &limits), REQUEST_INCOMPLETE);
    request_parser_free(&parser);
}

static void test_reset_before_any_request_and_double_free(void **state)
{
    (void)state;
    request_parser parser;
    assert_int_equal(request_parser_init(&parser), DBLITE_OK);
    request_parser_reset(&parser);
    assert_int_equal(parser.argc, 0);
    request_parser_free(&parser);
    request_parser_free(&parser); /* freeing twice is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_whole),
        cmocka_unit_test(test_vectors_byte_by_byte),
        cmocka_unit_test(test_vectors_random_pieces),
        cmocka_unit_test(test_vectors_fed_at_once_after_empty_call),
        cmocka_unit_test(test_pipelined_requests),
        cmocka_unit_test(test_pipelined_error_stops),
        cmocka_unit_test(test_relocated_buffer),
        cmocka_unit_test(test_huge_announced_count),
        cmocka_unit_test(test_huge_announced_bulk),
        cmocka_unit_test(test_large_bulk_streamed),
        cmocka_unit_test(test_million_arguments_streamed),
        cmocka_unit_test(test_size_limits),
        cmocka_unit_test(test_error_is_sticky_until_reset),
        cmocka_unit_test(test_many_quoted_inline_arguments),
        cmocka_unit_test(test_allocation_failures),
        cmocka_unit_test(test_authentication_setting_survives_reset),
        cmocka_unit_test(test_reset_before_any_request_and_double_free),
    };
    return cmocka_run_group_tests_name("request_parser", tests, NULL, NULL);
}
