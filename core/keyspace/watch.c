/*
 * watch.c - WATCH's bookkeeping and the one modified-key signal.
 *
 * Every change to the keyspace reaches one of three functions here:
 * signal_modified_key (db_store, db_delete, dblite_key_modified, RENAME,
 * MOVE, COPY), signal_flushed_database (FLUSHDB, FLUSHALL, db_empty, the
 * lazy flush, loading) and signal_swapped_databases (SWAPDB).  This is the
 * only path there can be: a module that changes a value in place must call
 * dblite_key_modified anyway, or its change is neither persisted (dirty
 * does not move) nor propagated, so no module write skips the signal.
 * Tracking adds its invalidation to the same three functions.
 *
 * WATCH.  Each database has a table key -> the clients watching it, NULL
 * until someone watches a key there and freed again when the last watch
 * goes, so a write costs one test when nobody watches.  Each client keeps
 * the list of what it watches (in its transaction state) to unwatch.  A
 * touched key sets CLIENT_DIRTY_CAS on every watcher, whose EXEC then
 * fails, and unwatches its keys, as Redis 7.0 does.
 */
#include <stdlib.h>
#include <string.h>

#include "commands/transaction.h"
#include "dblite_expiry_service.h"

/* One client watching the key: record is the index of its watched_key in
 * the client's list, which only grows until unwatch_all_keys empties it. */
typedef struct watcher {
    client *client;
    size_t record;
} watcher;

typedef struct watchers {
    ARRAY_OF(watcher) clients;
} watchers;

static void free_watchers(keytable_entry *entry, void *privdata)
{
    (void)privdata;
    watchers *w = entry->value;
    if (w) {
        free(w->clients.items); /* array_grow's realloc: not counted by server_alloc */
        server_free(w);
    }
    entry->value = NULL;
}

static watched_key *record_of(const watcher *w)
{
    return &w->client->transaction->watched.items[w->record];
}

/* Whether key, present in db, is past its deadline but not yet deleted
 * (Redis's keyIsExpired).  The TTLs are expiry.so's: without it nothing
 * expires; while loading nothing does either.  ctx may be NULL (a flush
 * outside any command): nothing counts as expired then. */
static int key_logically_expired(dblite_ctx *ctx, database *db, const char *key, size_t length)
{
    if (!ctx || server.loading)
        return 0;
    const dblite_expiry_service *ttl = dblite_service_lookup(DBLITE_EXPIRY_SERVICE);
    if (!ttl)
        return 0;
    database *own = ctx->db;
    ctx->db = db; /* the service reads the context's database */
    long long deadline = ttl->get_deadline(ctx, (dblite_bytes){key, length});
    ctx->db = own;
    return deadline >= 0 && deadline < dblite_time_ms();
}

/* Redis 7.0's touchWatchedKey: every watcher becomes dirty and stops
 * watching (its EXEC fails whatever else changes, so its watches would only
 * cost memory), except one whose key was already expired at WATCH and is
 * now deleted - logically no change, so only its flag goes (a deleted key
 * is not expired).  Unwatching takes the client out of this very list (its
 * slot gets the last watcher) and frees the entry with its last watcher. */
static void touch_entry(database *db, keytable_entry *entry)
{
    watchers *w = entry->value;
    size_t i = 0;
    while (i < w->clients.length) {
        watched_key *record = record_of(&w->clients.items[i]);
        if (record->expired) {
            if (!keytable_find(db->keys, record->key, record->length))
                record->expired = 0;
            i++;
            continue;
        }
        client *c = w->clients.items[i].client;
        int last = w->clients.length == 1;
        c->flags |= CLIENT_DIRTY_CAS;
        unwatch_all_keys(c);
        if (last)
            return; /* entry and w are gone */
    }
}

void signal_modified_key(dblite_ctx *ctx, database *db, const char *key, size_t length)
{
    if (server.tracking)
        tracking_invalidate_key(ctx, key, length);
    if (!db->watched_keys) /* the whole cost when nobody watches in db */
        return;
    keytable_entry *entry = keytable_find(db->watched_keys, key, length);
    if (entry)
        touch_entry(db, entry);
}

/* Redis 7.0's touchAllWatchedKeysInDb: a watched key that exists in the
 * emptied database (or in the one replacing it, SWAPDB) is touched; one
 * that did not exist is not, so FLUSHALL on a watched missing key lets EXEC
 * run.  A key expired at WATCH that is now gone is no change; a missing one
 * replaced by an expired one becomes expired, not dirty. */
static void touch_existing_watched(dblite_ctx *ctx, database *emptied, database *replaced_with)
{
    if (!emptied->watched_keys)
        return;
    ARRAY_OF(client *) dirtied = {0};
    keytable_iterator it;
    keytable_iterator_init(&it, emptied->watched_keys);
    keytable_entry *entry;
    while ((entry = keytable_iterator_next(&it)) != NULL) {
        const char *key = entry->key;
        size_t length = entry->key_length;
        int in_emptied = keytable_find(emptied->keys, key, length) != NULL;
        int in_replacement = replaced_with && keytable_find(replaced_with->keys, key, length);
        if (!in_emptied && !in_replacement)
            continue;
        int replacement_expired =
            in_replacement && key_logically_expired(ctx, replaced_with, key, length);
        watchers *w = entry->value;
        for (size_t i = 0; i < w->clients.length; i++) {
            watched_key *record = record_of(&w->clients.items[i]);
            if (record->expired) {
                if (!in_replacement) {
                    record->expired = 0;
                    continue;
                }
                if (replacement_expired)
                    continue;
            } else if (!in_emptied && replacement_expired) {
                record->expired = 1;
                continue;
            }
            client *c = w->clients.items[i].client;
            c->flags |= CLIENT_DIRTY_CAS;
            /* Unwatched once the table is walked (it would change under
             * the iterator); out of memory, the watches stay till EXEC. */
            (void)ARRAY_PUSH(dirtied, c);
        }
    }
    keytable_iterator_finish(&it);
    for (size_t i = 0; i < dirtied.length; i++)
        unwatch_all_keys(dirtied.items[i]);
    free(dirtied.items);
}

void signal_flushed_database(dblite_ctx *ctx, int db)
{
    if (server.tracking)
        tracking_invalidate_all(ctx);
    for (int i = 0; i < server.database_count; i++)
        if (db < 0 || db == i)
            touch_existing_watched(ctx, &server.databases[i], NULL);
}

void signal_swapped_databases(dblite_ctx *ctx, int first, int second)
{
    touch_existing_watched(ctx, &server.databases[first], &server.databases[second]);
    touch_existing_watched(ctx, &server.databases[second], &server.databases[first]);
}

int watched_key_expired(dblite_ctx *ctx, client *c)
{
    transaction_state *state = c->transaction;
    for (size_t i = 0; state && i < state->watched.length; i++) {
        watched_key *w = &state->watched.items[i];
        database *db = &server.databases[w->db];
        if (!w->expired && keytable_find(db->keys, w->key, w->length) &&
            key_logically_expired(ctx, db, w->key, w->length))
            return 1;
    }
    return 0;
}

/* ---- per client ---- */

transaction_state *transaction_state_of(client *c)
{
    if (!c->transaction)
        c->transaction = server_calloc(sizeof(transaction_state));
    return c->transaction;
}

int watch_key(dblite_ctx *ctx, client *c, database *db, const char *key, size_t length)
{
    transaction_state *state = transaction_state_of(c);
    if (!state)
        return DBLITE_ERR_NOMEM;
    for (size_t i = 0; i < state->watched.length; i++) {
        watched_key *w = &state->watched.items[i];
        if (w->db == db->id && w->length == length && memcmp(w->key, key, length) == 0)
            return DBLITE_OK; /* already watched: Redis ignores it */
    }
    if (!db->watched_keys) {
        db->watched_keys = keytable_create(server.hash_seed[0], server.hash_seed[1]);
        if (!db->watched_keys)
            return DBLITE_ERR_NOMEM;
    }
    char *copy = server_strndup(key, length);
    if (!copy)
        return DBLITE_ERR_NOMEM;
    int created;
    keytable_entry *entry = keytable_insert(db->watched_keys, key, length, &created);
    if (!entry) {
        server_free(copy);
        return DBLITE_ERR_NOMEM;
    }
    if (created) {
        entry->value = server_calloc(sizeof(watchers));
        if (!entry->value) {
            keytable_entry_free(keytable_remove(db->watched_keys, key, length));
            server_free(copy);
            return DBLITE_ERR_NOMEM;
        }
    }
    watchers *ws = entry->value;
    watched_key record = {.db = db->id, .key = copy, .length = length};
    record.expired =
        keytable_find(db->keys, key, length) != NULL && key_logically_expired(ctx, db, key, length);
    watcher self = {.client = c, .record = state->watched.length};
    if (ARRAY_PUSH(ws->clients, self) != 0) {
        server_free(copy);
        return DBLITE_ERR_NOMEM;
    }
    if (ARRAY_PUSH(state->watched, record) != 0) {
        ws->clients.length--;
        server_free(copy);
        return DBLITE_ERR_NOMEM;
    }
    return DBLITE_OK;
}

static void forget_watcher(client *c, watched_key *w)
{
    database *db = &server.databases[w->db];
    keytable_entry *entry =
        db->watched_keys ? keytable_find(db->watched_keys, w->key, w->length) : NULL;
    if (entry) {
        watchers *ws = entry->value;
        for (size_t i = 0; i < ws->clients.length; i++) {
            if (ws->clients.items[i].client == c) {
                ws->clients.items[i] = ws->clients.items[--ws->clients.length];
                break;
            }
        }
        if (ws->clients.length == 0) {
            keytable_entry *gone = keytable_remove(db->watched_keys, w->key, w->length);
            free_watchers(gone, NULL);
            keytable_entry_free(gone);
        }
    }
    if (db->watched_keys && keytable_size(db->watched_keys) == 0) {
        keytable_destroy(db->watched_keys, NULL, NULL);
        db->watched_keys = NULL;
    }
    server_free(w->key);
}

void unwatch_all_keys(client *c)
{
    transaction_state *state = c->transaction;
    if (!state)
        return;
    for (size_t i = 0; i < state->watched.length; i++)
        forget_watcher(c, &state->watched.items[i]);
    state->watched.length = 0;
}

size_t watched_key_count(const client *c)
{
    return c->transaction ? c->transaction->watched.length : 0;
}

void watched_tables_free(void)
{
    for (int i = 0; i < server.database_count; i++) {
        if (server.databases[i].watched_keys) {
            keytable_destroy(server.databases[i].watched_keys, free_watchers, NULL);
            server.databases[i].watched_keys = NULL;
        }
    }
}
