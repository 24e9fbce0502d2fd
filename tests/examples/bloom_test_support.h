/*
 * bloom_test_support.h - what the bloom plugin's tests share: a server
 * started with examples/bloom/bloom.ini, the BF.MADD/BF.MEXISTS array
 * check (the other reply checks are tests/support/reply_checks.h), and a
 * filter's complete state read over the wire (BF.INFO and every
 * BF.SCANDUMP chunk), so two filters can be compared bit for bit.
 */
#ifndef BLOOM_TEST_SUPPORT_H
#define BLOOM_TEST_SUPPORT_H

#include <stddef.h>

#include "server_process.h"

typedef struct bloom_test_server {
    server_process *server;
    redisContext *context;
} bloom_test_server;

/* Starts the server with bloom.ini and extra_args (NULL-terminated or
 * NULL) and connects.  NULL on failure (the log has been printed). */
bloom_test_server *bloom_server_start(const char *const *extra_args);
/* Reconnects after server_restart(); 0 on success. */
int bloom_server_reconnect(bloom_test_server *test);
/* Stops the server and frees everything; returns its exit status. */
int bloom_server_stop(bloom_test_server *test);

/* A malloc'd "$DBLITE_SOURCE_DIR/examples/bloom/bloom.ini", or NULL. */
char *bloom_ini_path(void);
/* 1 when $DBLITE_MODULE_PATH/NAME.so exists. */
int bloom_module_available(const char *name);

/* An array of integers, as BF.MADD and BF.MEXISTS answer in RESP2;
 * element values -1 stand for "an error here". */
void bloom_expect_integers(redisContext *context, const long long *expected, size_t count,
                           const char *format, ...);

/* BF.INFO key as numbers; expansion is -1 when the reply has null. */
typedef struct bloom_info {
    long long capacity, size, filters, items, expansion;
} bloom_info;
bloom_info bloom_get_info(redisContext *context, const char *key);

/* Every (iterator, data) pair of BF.SCANDUMP key, in order. */
typedef struct bloom_chunk {
    long long iterator;
    char *data;
    size_t length;
} bloom_chunk;
typedef struct bloom_dump {
    bloom_chunk *chunks;
    size_t count;
} bloom_dump;
bloom_dump bloom_get_dump(redisContext *context, const char *key);
void bloom_dump_free(bloom_dump *dump);
/* Fails the test unless the two dumps are identical. */
void bloom_expect_same_dump(const bloom_dump *expected, const bloom_dump *actual);
/* Feeds a dump to BF.LOADCHUNK key. */
void bloom_load_dump(redisContext *context, const char *key, const bloom_dump *dump);

/* Adds "<prefix><first>" .. "<prefix><first+count-1>" with pipelined
 * BF.MADD calls of up to 1000 items; returns how many answered 1. */
long long bloom_add_range(redisContext *context, const char *key, const char *prefix,
                          long long first, long long count);
/* How many of those items BF.MEXISTS answers 1 for. */
long long bloom_count_present(redisContext *context, const char *key, const char *prefix,
                              long long first, long long count);

#endif
