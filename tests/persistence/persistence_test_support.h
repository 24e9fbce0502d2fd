/*
 * persistence_test_support.h - helpers shared by the persistence
 * integration tests: a config that loads every data module plus
 * persistence, a real redis-server to compare against, a canonical
 * description of a whole dataset read over the wire (so two servers can be
 * compared key by key, value by value, deadline by deadline), and running
 * tools such as redis-check-rdb.
 *
 * Functions report problems on stderr and return NULL or -1.
 */
#ifndef PERSISTENCE_TEST_SUPPORT_H
#define PERSISTENCE_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <hiredis/hiredis.h>

#include "server_process.h"

#define TEST_DATABASES 16

/* Writes (once per process) an ini loading strings, expiry, the lists,
 * hashes, sets and zsets modules when built, the probe test module and
 * persistence; returns its path. */
const char *persistence_config_path(void);
/* The same without the probe module. */
const char *persistence_config_path_without_probe(void);
/* Writes such a config at path, with persistence_lines (e.g.
 * "appendonly = yes\n") added to its [persistence] section.  0 or -1. */
int persistence_config_write(const char *path, int with_probe, const char *persistence_lines);
/* Whether NAME.so exists in $DBLITE_MODULE_PATH. */
int module_available(const char *name);

/* dblite with that config; extra is NULL-terminated or NULL. */
server_process *start_dblite(const char *const *extra);

typedef struct redis_process {
    pid_t pid;
    int port;
    char dir[4096];
} redis_process;

/* redis-server --port P --dir dir --save "" --appendonly no [extra...];
 * waits until it answers PING.  NULL if redis-server is missing or fails. */
redis_process *redis_start(const char *dir, const char *const *extra);
/* SHUTDOWN NOSAVE (or SIGKILL if it does not answer) and free. */
void redis_stop(redis_process *redis);
redisContext *connect_port(int port);

/* Every key of databases 0..15 as sorted text lines "db key type value
 * deadline" (binary-safe: hex), read with KEYS, TYPE, GET/LRANGE/HGETALL/
 * SMEMBERS (sorted)/ZRANGE WITHSCORES and OBJECT ENCODING, and PEXPIRETIME.
 * malloc'd; NULL on error. */
char *dataset_describe(redisContext *context);
/* dataset_describe, failing the running cmocka test when it cannot. */
char *dataset_describe_or_fail(redisContext *context);
/* Fails the running cmocka test, showing the first line that differs. */
void assert_same_dataset(const char *expected, const char *actual);
/* A file's size in bytes, -1 when it does not exist. */
long long path_size(const char *path);

/* Runs argv (argv[0] looked up in PATH), output (stdout+stderr) into
 * output (NUL-terminated, cut to size).  Returns the exit status or -1. */
int run_program(const char *const *argv, const char *cwd, char *output, size_t size);

/* A command that must succeed; returns the reply (caller frees) or NULL. */
redisReply *command_ok(redisContext *context, const char *format, ...);

/* Polls INFO persistence until field equals value (up to timeout_ms). */
int wait_info_field(redisContext *context, const char *field, const char *value, long timeout_ms);
/* The value of an INFO persistence field as a number (-1 if absent). */
long long info_number(redisContext *context, const char *field);

/* Deterministic bytes (xorshift) from seed. */
void fill_bytes(char *buffer, size_t length, uint64_t seed);
/* The same dataset on any server: every type in small (compact in Redis)
 * and large forms, integers Redis stores in binary, binary and
 * compressible strings, deadlines, keys in all 16 databases.  0 or -1. */
int fill_dataset(redisContext *context);
/* count keys "filler:N", pipelined.  0 or -1. */
int add_filler_keys(redisContext *context, int count);

/* Read / write / copy whole files.  read_file returns malloc'd bytes. */
char *read_file(const char *path, size_t *length);
int write_file(const char *path, const void *data, size_t length);
int copy_file(const char *from, const char *to);
/* "dir/name" into buffer. */
const char *path_in(const char *dir, const char *name, char *buffer, size_t size);

void sleep_milliseconds(long ms);
long long now_milliseconds(void);

#endif
