/*
 * hooks_support.h - helpers shared by the module-hook and startup-error
 * tests: where the test modules and test configs are, starting a server
 * with extra modules, waiting for INFO fields and for replies, and reading
 * the server log.  Assertion helpers fail the running cmocka test; the
 * reply checks themselves are in tests/support/reply_checks.h.
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
server_process *start_with_modules(const char *config, const char *const *modules,
                                   const char *const *extra_args);

/* Polls INFO until field equals expected (up to timeout_ms); returns 1 if
 * it did, else 0.  Fails the test when the field is missing. */
int wait_for_info(redisContext *context, const char *section, const char *field, long long expected,
                  int timeout_ms);

/* The whole log of a server (stdout+stderr), NUL-terminated; free(). */
char *read_server_log(const server_process *server);

/* 1-based number of the first line of path containing needle, or -1. */
int line_containing(const char *path, const char *needle);

long long now_ms(void);
void sleep_ms(int milliseconds);

#endif
