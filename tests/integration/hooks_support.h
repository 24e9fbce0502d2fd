/*
 * hooks_support.h - helpers shared by the module-hook and startup-error
 * tests: where the test modules and test configs are, starting a server
 * with extra modules, terse reply assertions, INFO fields, and reading the
 * server log.  Assertion helpers fail the running cmocka test.
 */
#ifndef DBLITE_TEST_HOOKS_SUPPORT_H
#define DBLITE_TEST_HOOKS_SUPPORT_H

#include <stddef.h>

#include <hiredis/hiredis.h>

#include "server_process.h"

/* Absolute path of a test module (NAME.so in $DBLITE_TEST_MODULE_PATH, else
 * $DBLITE_BINARY_DIR/test-modules) or of a test config (tests/configs). */
void test_module_file(char *out, size_t size, const char *name);
void test_config_file(char *out, size_t size, const char *name);

/* server_start(config, ...) with "--load-module PATH" for each name in
 * modules (NULL-terminated, may be NULL), then extra_args. */
server_process *start_with_modules(const char *config, const char *const *modules, const char *const *extra_args);

/* Runs a command (printf-style as redisCommand) and returns its reply,
 * failing the test when there is none.  The caller frees it. */
redisReply *run(redisContext *context, const char *format, ...);
void expect_status(redisContext *context, const char *expected, const char *format, ...);
void expect_integer(redisContext *context, long long expected, const char *format, ...);
void expect_bulk(redisContext *context, const char *expected, const char *format, ...);
void expect_nil(redisContext *context, const char *format, ...);
void expect_error(redisContext *context, const char *expected, const char *format, ...);
/* The reply must be an array of exactly these bulk/status strings. */
void expect_strings(redisContext *context, const char *const *expected, size_t count, const char *format, ...);
#define EXPECT_STRINGS(context, format, ...)                                                          \
    do {                                                                                              \
        static const char *const expected_[] = {__VA_ARGS__};                                         \
        expect_strings(context, expected_, sizeof(expected_) / sizeof(expected_[0]), format);         \
    } while (0)
#define EXPECT_EMPTY(context, format) expect_strings(context, NULL, 0, format)

/* Sends a command without reading its reply (to block, or to be slow). */
void send_only(redisContext *context, const char *format, ...);
/* Reads the next reply of an earlier send_only; the caller frees it. */
redisReply *read_reply(redisContext *context);
/* 1 when a reply byte arrives within wait_ms, else 0. */
int reply_arrives_within(redisContext *context, int wait_ms);

/* A numeric field of INFO <section> ("blocked_clients"); fails the test
 * when it is missing. */
long long info_number(redisContext *context, const char *section, const char *field);
/* Polls INFO until field equals expected (up to timeout_ms); returns 1 if
 * it did, else 0. */
int wait_for_info(redisContext *context, const char *section, const char *field, long long expected, int timeout_ms);
/* INFO text of section; caller frees with free(). */
char *info_text(redisContext *context, const char *section);

/* The whole log of a server (stdout+stderr), NUL-terminated; free(). */
char *read_server_log(const server_process *server);

/* 1-based number of the first line of path containing needle, or -1. */
int line_containing(const char *path, const char *needle);

long long now_ms(void);
void sleep_ms(int milliseconds);

#endif
