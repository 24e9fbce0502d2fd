/*
 * transaction.h - MULTI/EXEC/DISCARD/WATCH/UNWATCH: the per-client state
 * (allocated at a client's first MULTI or WATCH) and what dispatch.c,
 * client.c and RESET call.  watch.c keeps the watches, transaction.c the
 * queue and the commands.
 */
#ifndef DBLITE_TRANSACTION_H
#define DBLITE_TRANSACTION_H

#include "server.h"

typedef struct watched_key {
    int db;
    char *key; /* owned copy */
    size_t length;
    int expired; /* logically expired (not yet deleted) at WATCH: Redis 7.0's wk->expired */
} watched_key;

typedef struct queued_command {
    const command *cmd;
    int argc;
    dblite_bytes *argv; /* owned copies: the parser's buffer is transient */
} queued_command;

struct transaction_state {
    ARRAY_OF(watched_key) watched;
    ARRAY_OF(queued_command) queued;
};

/* NULL when out of memory. */
transaction_state *transaction_state_of(client *c);
/* c watches key in db; ctx (WATCH's) tells whether it is already expired. */
int watch_key(dblite_ctx *ctx, client *c, database *db, const char *key, size_t length);
void unwatch_all_keys(client *c);
size_t watched_key_count(const client *c);
void watched_tables_free(void);
/* Redis 7.0's isWatchedKeyExpired: 1 when a key c watches, live at WATCH,
 * is logically expired now (it is not deleted: EXEC then fails). */
int watched_key_expired(dblite_ctx *ctx, client *c);

/* In MULTI: queue the request (+QUEUED) unless it is one of the commands
 * that run at once.  1 when queued or answered, 0 to run it now. */
int transaction_queue_request(client *c, const command *cmd, int argc, const dblite_bytes *argv);
/* A request rejected while in MULTI (unknown, arity, ...): EXEC aborts. */
void transaction_flag_error(client *c);
/* DISCARD + UNWATCH, for RESET and for a client that goes away. */
void transaction_client_reset(client *c);
void transaction_client_free(client *c);
/* Queued commands, -1 outside MULTI (CLIENT LIST's multi=). */
long long transaction_queued_count(const client *c);
/* Bytes the queue holds (CLIENT LIST's multi-mem, part of tot-mem), as
 * Redis 7.0's multiStateMemOverhead, which leaves the watches out. */
size_t transaction_memory(const client *c);
/* 1 when EXEC would run a write command (write gates refuse it then). */
int transaction_queues_write(const client *c);
/* EXEC itself rejected (MISCONF): discards and answers Redis's EXECABORT. */
void transaction_abort_exec(client *c, const char *error);

#endif
