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
 * touched key sets CLIENT_DIRTY_CAS on every watcher: its EXEC fails.
 */
#include <string.h>

#include "commands/transaction.h"

typedef struct watchers {
    ARRAY_OF(client *) clients;
} watchers;

static void free_watchers(keytable_entry *entry, void *privdata)
{
    (void)privdata;
    watchers *w = entry->value;
    if (w) {
        server_free(w->clients.items);
        server_free(w);
    }
    entry->value = NULL;
}

static void touch_entry(keytable_entry *entry)
{
    watchers *w = entry->value;
    for (size_t i = 0; i < w->clients.length; i++)
        w->clients.items[i]->flags |= CLIENT_DIRTY_CAS;
}

void signal_modified_key(dblite_ctx *ctx, database *db, const char *key, size_t length)
{
    if (server.tracking)
        tracking_invalidate_key(ctx, key, length);
    if (!db->watched_keys) /* the whole cost when nobody watches in db */
        return;
    keytable_entry *entry = keytable_find(db->watched_keys, key, length);
    if (entry)
        touch_entry(entry);
}

/* Redis 7.0's touchAllWatchedKeysInDb: a watched key that exists in the
 * emptied database (or in the one replacing it) is touched; one that did
 * not exist is not, so FLUSHALL on a watched missing key lets EXEC run. */
static void touch_existing_watched(database *emptied, database *replaced_with)
{
    if (!emptied->watched_keys)
        return;
    keytable_iterator it;
    keytable_iterator_init(&it, emptied->watched_keys);
    keytable_entry *entry;
    while ((entry = keytable_iterator_next(&it)) != NULL) {
        if (keytable_find(emptied->keys, entry->key, entry->key_length) ||
            (replaced_with && keytable_find(replaced_with->keys, entry->key, entry->key_length)))
            touch_entry(entry);
    }
    keytable_iterator_finish(&it);
}

void signal_flushed_database(dblite_ctx *ctx, int db)
{
    if (server.tracking)
        tracking_invalidate_all(ctx);
    for (int i = 0; i < server.database_count; i++)
        if (db < 0 || db == i)
            touch_existing_watched(&server.databases[i], NULL);
}

void signal_swapped_databases(dblite_ctx *ctx, int first, int second)
{
    (void)ctx;
    touch_existing_watched(&server.databases[first], &server.databases[second]);
    touch_existing_watched(&server.databases[second], &server.databases[first]);
}

/* ---- per client ---- */

transaction_state *transaction_state_of(client *c)
{
    if (!c->transaction)
        c->transaction = server_calloc(sizeof(transaction_state));
    return c->transaction;
}

int watch_key(client *c, database *db, const char *key, size_t length)
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
    if (ARRAY_PUSH(ws->clients, c) != 0) {
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
            if (ws->clients.items[i] == c) {
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
