/*
 * fuzz_request_parser.c - libFuzzer target for core/protocol/request_parser.c.
 *
 * The input is what a client sends on one connection, preceded by two bytes
 * that pick the limits and how the stream is cut into reads.  The stream is
 * run through a simulated connection twice (all at once, then in pieces,
 * each call on a fresh exact-size buffer) and every answer is checked:
 * consumed within the data, arguments inside the request or the parser's own
 * memory, flags coherent, repeated calls stable.  Both runs must produce the
 * same requests, except when a line-length limit fired: Redis, too, only
 * applies those while a line is still unterminated, so they depend on how
 * the bytes arrived.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/request_parser.h"

#define CHECK(condition)                                                                \
    do {                                                                                \
        if (!(condition)) {                                                             \
            fprintf(stderr, "invariant failed at line %d: %s\n", __LINE__, #condition); \
            abort();                                                                    \
        }                                                                               \
    } while (0)

typedef struct transcript {
    uint64_t hash; /* FNV-1a over every request and the final error */
    size_t requests;
    int failed;      /* ended with REQUEST_ERROR */
    int limit_fired; /* that error was a "too big" line limit */
} transcript;

static void mix(transcript *record, const void *bytes, size_t length)
{
    const unsigned char *byte = bytes;
    for (size_t index = 0; index < length; index++) {
        record->hash ^= byte[index];
        record->hash *= 1099511628211ull;
    }
}

static int inside(const char *ptr, size_t len, const char *start, size_t size)
{
    uintptr_t p = (uintptr_t)ptr, s = (uintptr_t)start;
    return p >= s && p <= s + size && len <= s + size - p;
}

static int is_decimal(const char *text, size_t length)
{
    size_t index = text[0] == '-' ? 1 : 0;
    if (length <= index || length > 20)
        return 0;
    for (; index < length; index++)
        if (text[index] < '0' || text[index] > '9')
            return 0;
    return 1;
}

static char *copy_of(const char *data, size_t length)
{
    char *copy = malloc(length > 0 ? length : 1);
    CHECK(copy != NULL);
    if (length > 0)
        memcpy(copy, data, length);
    return copy;
}

/* Checks one complete request against buffer and folds it into record. */
static void check_complete(const request_parser *parser, const char *buffer, size_t length,
                           const request_limits *limits, transcript *record)
{
    int inline_form = buffer[0] != '*';
    CHECK(parser->consumed >= 1 && parser->consumed <= length);
    CHECK(parser->argc >= 0 && (size_t)parser->argc <= parser->consumed);
    CHECK(parser->error == NULL);
    mix(record, &parser->consumed, sizeof parser->consumed);
    mix(record, &parser->argc, sizeof parser->argc);
    for (int index = 0; index < parser->argc; index++) {
        const dblite_bytes *arg = &parser->argv[index];
        int in_request = inside(arg->ptr, arg->len, buffer, parser->consumed);
        int in_parser = parser->unescaped != NULL &&
                        inside(arg->ptr, arg->len, parser->unescaped, parser->unescaped_capacity);
        CHECK(in_request || (inline_form && in_parser));
        unsigned char flag = parser->argument_is_integer[index];
        CHECK(flag == 0 || flag == 1);
        if (flag) {
            CHECK(limits->accept_integer_elements && !inline_form);
            CHECK(is_decimal(arg->ptr, arg->len));
        }
        if (!inline_form && !flag)
            CHECK((long long)arg->len <= limits->max_bulk_length);
        mix(record, &arg->len, sizeof arg->len);
        mix(record, arg->ptr, arg->len); /* reads every byte: ASan vouches for them */
        mix(record, &flag, 1);
    }
}

/* Runs stream through one connection, reads cut by next_read (0 = all). */
static transcript run_connection(const char *stream, size_t size, const request_limits *limits,
                                 int authenticating, unsigned seed, unsigned max_read)
{
    transcript record = {14695981039346656037ull, 0, 0, 0};
    request_parser parser;
    CHECK(request_parser_init(&parser) == DBLITE_OK);
    request_parser_require_authentication(&parser, authenticating);
    char *pending = copy_of("", 0);
    size_t pending_length = 0, received = 0;
    int done = 0;
    while (!done) {
        size_t step = size - received;
        if (max_read != 0) {
            seed = seed * 1103515245u + 12345u;
            size_t cut = 1 + (seed >> 16) % max_read;
            if (cut < step)
                step = cut;
        }
        char *grown = malloc(pending_length + step > 0 ? pending_length + step : 1);
        CHECK(grown != NULL);
        if (pending_length > 0)
            memcpy(grown, pending, pending_length);
        if (step > 0)
            memcpy(grown + pending_length, stream + received, step);
        free(pending);
        pending = grown;
        pending_length += step;
        received += step;
        for (;;) {
            request_status status = request_parse(&parser, pending, pending_length, limits);
            CHECK(status == REQUEST_INCOMPLETE || status == REQUEST_COMPLETE ||
                  status == REQUEST_ERROR);
            if (status == REQUEST_INCOMPLETE) {
                CHECK(parser.error == NULL);
                size_t wanted = request_parser_wanted_length(&parser);
                CHECK(wanted == 0 || wanted > pending_length);
                done = received == size;
                break;
            }
            if (status == REQUEST_ERROR) {
                CHECK(parser.error != NULL && strncmp(parser.error, "ERR ", 4) == 0);
                CHECK(strchr(parser.error, '\r') == NULL && strchr(parser.error, '\n') == NULL);
                record.failed = 1;
                record.limit_fired = strstr(parser.error, "too big") != NULL;
                mix(&record, parser.error, strlen(parser.error));
                /* The error stays until reset. */
                CHECK(request_parse(&parser, pending, pending_length, limits) == REQUEST_ERROR);
                done = 1;
                break;
            }
            check_complete(&parser, pending, pending_length, limits, &record);
            record.requests++;
            /* Asked again from a moved buffer, the same request comes back. */
            size_t consumed = parser.consumed;
            int argc = parser.argc;
            transcript again = {0, 0, 0, 0}, first = {0, 0, 0, 0};
            check_complete(&parser, pending, pending_length, limits, &first);
            char *moved = copy_of(pending, pending_length);
            CHECK(request_parse(&parser, moved, pending_length, limits) == REQUEST_COMPLETE);
            CHECK(parser.consumed == consumed && parser.argc == argc);
            check_complete(&parser, moved, pending_length, limits, &again);
            CHECK(again.hash == first.hash);
            free(moved);

            size_t left = pending_length - consumed;
            char *rest = copy_of(pending + consumed, left);
            free(pending);
            pending = rest;
            pending_length = left;
            request_parser_reset(&parser);
            CHECK(parser.argc == 0 && parser.error == NULL);
        }
    }
    free(pending);
    request_parser_free(&parser);
    return record;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned options = data[0];
    unsigned seed = data[1];
    const char *stream = (const char *)data + 2;
    size -= 2;

    request_limits limits;
    request_limits_set_defaults(&limits);
    limits.accept_integer_elements = (options & 1) != 0;
    if (options & 4) {
        /* Small limits so short inputs reach every limit check. */
        limits.max_inline_length = 4 + (options >> 4);
        limits.max_bulk_length = 40;
        limits.max_multibulk_count = 12;
    }
    unsigned max_read = (options & 8) ? 1 : 1 + seed % 61;

    transcript whole = run_connection(stream, size, &limits, options & 2, seed, 0);
    transcript pieces = run_connection(stream, size, &limits, options & 2, seed, max_read);
    if (!whole.limit_fired && !pieces.limit_fired) {
        CHECK(whole.requests == pieces.requests);
        CHECK(whole.failed == pieces.failed);
        CHECK(whole.hash == pieces.hash);
    }
    return 0;
}
