/*
 * reply_checks.h - reply assertions for the integration tests: run a
 * command over a hiredis connection and fail the running cmocka test unless
 * the reply is what the test expects.
 *
 * Every command is given as redisCommand takes it (a printf-like format
 * with %s, %b, %d, ...).  A failure names the command as it was sent, its
 * arguments filled in (binary bytes escaped, long arguments cut), and the
 * reply that came back, e.g.
 *     'GET "bin\x00key"' answered nil, expected bulk "v"
 * so a check in a loop still says which iteration failed.
 *
 * The checks fail through cmocka (fail_msg), so they may only be called
 * from the thread running a cmocka test or fixture.  A connection that
 * breaks fails the test too.  They are for blocking contexts
 * (server_connect, redisConnect), which is all the tests use.
 */
#ifndef DBLITE_TEST_REPLY_CHECKS_H
#define DBLITE_TEST_REPLY_CHECKS_H

#include <stdarg.h>
#include <stddef.h>

#include <hiredis/hiredis.h>

/* ---- Commands whose reply the caller inspects ---------------------------- */

/* Runs the command and returns its reply, of any type (an error reply
 * included); fails the test when no reply comes.  Free with
 * freeReplyObject. */
redisReply *reply_command(redisContext *context, const char *format, ...);
/* The same with the arguments as a va_list, for helpers that take a
 * command format of their own. */
redisReply *reply_vcommand(redisContext *context, const char *format, va_list arguments);

/* Sends the command and flushes it to the socket without waiting for the
 * reply (to block a client, or to pipeline); read it with reply_read. */
void reply_send(redisContext *context, const char *format, ...);
void reply_vsend(redisContext *context, const char *format, va_list arguments);

/* The next reply on the connection (of an earlier reply_send or of any
 * redisAppendCommand); fails the test when none comes.  Free with
 * freeReplyObject. */
redisReply *reply_read(redisContext *context);

/* 1 when a reply starts to arrive on the socket within wait_ms, else 0:
 * whether a command sent with reply_send (a blocking one) has been answered
 * yet.  The reply itself is then read with reply_read. */
int reply_arrives_within(redisContext *context, int wait_ms);

/* ---- Commands checked in one call ---------------------------------------- */

/* Any reply but an error: a command run for its effect. */
void reply_expect_success(redisContext *context, const char *format, ...);

/* A status reply equal to expected ("OK", "PONG", "none"). */
void reply_expect_status(redisContext *context, const char *expected, const char *format, ...);

/* An integer reply equal to expected. */
void reply_expect_integer(redisContext *context, long long expected, const char *format, ...);

/* An integer reply, whatever its value, which is returned. */
long long reply_integer(redisContext *context, const char *format, ...);

/* A bulk string reply of exactly the bytes of expected (a C string: the
 * reply must have strlen(expected) bytes, so a longer reply that merely
 * starts with it fails). */
void reply_expect_bulk(redisContext *context, const char *expected, const char *format, ...);

/* A bulk string reply of exactly length bytes equal to expected (which may
 * hold NUL bytes). */
void reply_expect_bulk_bytes(redisContext *context, const char *expected, size_t length,
                             const char *format, ...);

/* A nil reply (a missing key's GET, a timed-out BLPOP). */
void reply_expect_nil(redisContext *context, const char *format, ...);

/* An error reply whose whole text equals expected ("ERR syntax error"). */
void reply_expect_error(redisContext *context, const char *expected, const char *format, ...);

/* An error reply whose text starts with prefix ("WRONGTYPE", "ERR unknown"). */
void reply_expect_error_prefix(redisContext *context, const char *prefix, const char *format, ...);

/* An array of exactly count elements, element i a bulk or status string
 * equal to expected[i] (expected may be NULL when count is 0).  A failure
 * shows the first differing element and both whole lists. */
void reply_expect_strings(redisContext *context, const char *const *expected, size_t count,
                          const char *format, ...);

/* reply_expect_strings with the expected strings listed inline, for a
 * command without arguments to fill in:
 *     REPLY_EXPECT_STRINGS(context, "LRANGE list 0 -1", "a", "b");
 * REPLY_EXPECT_EMPTY expects an empty array. */
#define REPLY_EXPECT_STRINGS(context, command_text, ...)                               \
    do {                                                                               \
        static const char *const expected_strings_[] = {__VA_ARGS__};                  \
        reply_expect_strings(context, expected_strings_,                               \
                             sizeof(expected_strings_) / sizeof(expected_strings_[0]), \
                             command_text);                                            \
    } while (0)
#define REPLY_EXPECT_EMPTY(context, command_text) \
    reply_expect_strings(context, NULL, 0, command_text)

/* ---- INFO ----------------------------------------------------------------- */

/* The text of INFO section (a copy: free it with free()); fails the test
 * unless INFO answers a bulk string. */
char *reply_info_text(redisContext *context, const char *section);

/* The number after "field:" on a line of INFO section; fails the test when
 * the section has no such field (the failure shows the section's text). */
long long reply_info_number(redisContext *context, const char *section, const char *field);

/* ---- Raw RESP3 ------------------------------------------------------------ */

/* For replies this hiredis (RESP2 only) cannot parse: writes request (raw
 * RESP text, e.g. "HELLO 3\r\nPING\r\n") to the connection's socket, then
 * reads what comes back into buffer (NUL-terminated) until it holds needle
 * followed by a line end.  Fails the test, showing what arrived, when the
 * write falls short, buffer fills, or 5 s pass without more data.  The
 * context must not be used for hiredis commands afterwards. */
void reply_raw_exchange(redisContext *context, const char *request, char *buffer, size_t size,
                        const char *needle);

#endif
