/*
 * database.c - the numbered databases and every access to keys.
 *
 * All key reads and writes, from core commands and modules alike, pass
 * here, which is what lets the core enforce types (WRONGTYPE), fire the
 * keyspace hooks (expiry removes a dead key in the lookup hook before anyone
 * sees it) and count changes for persistence and propagation.
 */
#include <string.h>

#include "commands/context.h"

int databases_create(int count)
{
    server.databases = server_calloc(sizeof(database) * (size_t)count);
    if (!server.databases)
        return DBLITE_ERR_NOMEM;
    server.database_count = count;
    for (int i = 0; i < count; i++) {
        server.databases[i].id = i;
        server.databases[i].keys = keytable_create(server.hash_seed[0], server.hash_seed[1]);
        if (!server.databases[i].keys)
            return DBLITE_ERR_NOMEM;
    }
    return DBLITE_OK;
}

value_type *entry_type(const keytable_entry *entry)
{
    return server.types.items[entry->type_index];
}

void db_free_entry_value(keytable_entry *entry)
{
    if (entry->value)
        entry_type(entry)->methods.free(entry->value);
    entry->value = NULL;
}

static void free_entry_callback(keytable_entry *entry, void *privdata)
{
    (void)privdata;
    db_free_entry_value(entry);
}

void databases_free(void)
{
    lazy_free_finish();
    if (!server.databases)
        return;
    for (int i = 0; i < server.database_count; i++)
        if (server.databases[i].keys)
            keytable_destroy(server.databases[i].keys, free_entry_callback, NULL);
    server_free(server.databases);
    server.databases = NULL;
}

/* A handler may change the keyspace (expiry deletes the dead key it was
 * told about): then the handles of live keys are looked up again, so each
 * following handler still gets what the API promises - a live handle or
 * NULL. */
static void refresh_live_handles(dblite_event *event)
{
    if (event->kind == DBLITE_EVENT_KEY_LOOKUP || event->kind == DBLITE_EVENT_KEY_OVERWRITTEN ||
        event->kind == DBLITE_EVENT_KEY_COPIED)
        event->handle = (const dblite_key_handle *)keytable_find(server.databases[event->db].keys,
                                                                 event->key.ptr, event->key.len);
    if (event->kind == DBLITE_EVENT_KEY_COPIED)
        event->target_handle = (const dblite_key_handle *)keytable_find(
            server.databases[event->target_db].keys, event->target_key.ptr, event->target_key.len);
}

/* Hooks run with the caller's context but no client, so they cannot reply
 * and whatever they propagate (a DEL for an expired key) rides along with
 * the running command. */
void dispatch_event(dblite_ctx *ctx, dblite_event *event)
{
    if (server.event_handlers[event->kind].length == 0)
        return;
    int db = event->db;
    dblite_ctx own;
    if (!ctx) {
        /* Fired outside any command: the handlers run in a context of
         * their own, at the instant of whatever fired them; with no
         * command to follow, what they propagate goes out at once. */
        context_begin(&own, NULL, NULL, db >= 0 ? &server.databases[db] : &server.databases[0],
                      NULL, CTX_KEEPS_CLOCK);
        ctx = &own;
    }
    client *saved_client = ctx->client;
    database *saved_db = ctx->db;
    ctx->client = NULL;
    if (db >= 0 && db < server.database_count)
        ctx->db = &server.databases[db];
    module *saved_module = ctx->module;
    long long dirty = server.dirty;
    for (size_t i = 0; i < server.event_handlers[event->kind].length; i++) {
        module_event_handler *handler = &server.event_handlers[event->kind].items[i];
        ctx->module = handler->module;
        handler->fn(ctx, event, handler->privdata);
        if (server.dirty != dirty && event->handle) {
            dirty = server.dirty;
            refresh_live_handles(event);
        }
    }
    ctx->module = saved_module;
    ctx->client = saved_client;
    ctx->db = saved_db;
    if (ctx == &own)
        (void)context_end(&own);
}

void fire_event(dblite_ctx *ctx, dblite_event_kind kind, int db, const char *key, size_t key_length,
                int target_db, const char *target_key, size_t target_key_length)
{
    if (server.event_handlers[kind].length == 0)
        return;
    dblite_event event = {.kind = kind,
                          .db = db,
                          .key = {key, key_length},
                          .target_db = target_db,
                          .target_key = {target_key, target_key_length},
                          .flags =
                              kind == DBLITE_EVENT_SHUTDOWN || kind == DBLITE_EVENT_SHUTDOWN_PREPARE
                                  ? server.shutdown_flags
                                  : 0};
    dispatch_event(ctx, &event);
}

void fire_key_event(dblite_ctx *ctx, dblite_event_kind kind, int db, const keytable_entry *entry)
{
    if (server.event_handlers[kind].length == 0)
        return;
    dblite_event event = {.kind = kind,
                          .db = db,
                          .key = {entry->key, entry->key_length},
                          .target_db = -1,
                          .handle = (const dblite_key_handle *)entry};
    dispatch_event(ctx, &event);
}

/* The lookup hook gets the entry found, so a module keeping per-key data
 * (expiry) indexes it by handle without hashing the key again.  A hook that
 * changed the dataset (deleted the dead key) makes the lookup look again. */
keytable_entry *db_find(dblite_ctx *ctx, database *db, const char *key, size_t length, int flags)
{
    keytable_entry *entry = keytable_find(db->keys, key, length);
    if ((flags & DBLITE_LOOKUP_NO_HOOK) ||
        server.event_handlers[DBLITE_EVENT_KEY_LOOKUP].length == 0)
        return entry;
    long long dirty = server.dirty;
    dblite_event event = {.kind = DBLITE_EVENT_KEY_LOOKUP,
                          .db = db->id,
                          .key = {key, length},
                          .target_db = -1,
                          .handle = (const dblite_key_handle *)entry};
    int outer_hidden = server.lookup_hidden;
    server.lookup_hidden = 0;
    dispatch_event(ctx, &event);
    int hidden = server.lookup_hidden; /* dblite_key_lookup_hide (client_pause.c) */
    server.lookup_hidden = outer_hidden;
    if (hidden)
        return NULL;
    return server.dirty == dirty ? entry : keytable_find(db->keys, key, length);
}

int db_store(dblite_ctx *ctx, database *db, const char *key, size_t length, value_type *type,
             void *value, int flags)
{
    int created;
    keytable_entry *entry = keytable_insert(db->keys, key, length, &created);
    if (!entry) {
        type->methods.free(value);
        return DBLITE_ERR_NOMEM;
    }
    if (!created) {
        value_type *old_type = entry_type(entry);
        void *old_value = entry->value;
        entry->value = value;
        entry->type_index = type->index;
        if (old_value != value)
            old_type->methods.free(old_value);
        if (!(flags & DBLITE_SET_KEEP))
            fire_key_event(ctx, DBLITE_EVENT_KEY_OVERWRITTEN, db->id, entry);
    } else {
        entry->value = value;
        entry->type_index = type->index;
    }
    server.dirty++;
    signal_modified_key(ctx, db, key, length);
    signal_key_ready(db, key, length);
    /* Redis's dbAdd: a created key is announced before the command's own
     * event (the module's "set", "lpush"... follows). */
    if (created)
        notify_keyspace_event(ctx, DBLITE_NOTIFY_NEW, "new", db->id, key, length);
    return DBLITE_OK;
}

int db_delete(dblite_ctx *ctx, database *db, const char *key, size_t length)
{
    keytable_entry *entry = keytable_remove(db->keys, key, length);
    if (!entry)
        return 0;
    db_free_entry_value(entry);
    fire_key_event(ctx, DBLITE_EVENT_KEY_DELETED, db->id, entry);
    keytable_entry_free(entry);
    server.dirty++;
    signal_modified_key(ctx, db, key, length);
    return 1;
}

void db_empty(dblite_ctx *ctx, database *db)
{
    signal_flushed_database(ctx, db->id);
    server.dirty += (long long)keytable_size(db->keys);
    keytable_clear(db->keys, free_entry_callback, NULL);
}

/* ---- the public key API ---- */

/* A read of a missing key, as Redis's lookupKeyRead counts it: a miss in
 * the statistics and a "keymiss" notification (class m). */
static void key_missed(dblite_ctx *ctx, dblite_bytes key)
{
    server.stats.keyspace_misses++;
    notify_keyspace_event(ctx, DBLITE_NOTIFY_KEY_MISS, "keymiss", ctx->db->id, key.ptr, key.len);
}

int dblite_key_lookup(dblite_ctx *ctx, dblite_bytes key, const dblite_type *type, int flags,
                      void **value)
{
    keytable_entry *entry = db_find(ctx, ctx->db, key.ptr, key.len, flags);
    if (!entry) {
        if (!(flags & DBLITE_LOOKUP_WRITE))
            key_missed(ctx, key);
        *value = NULL;
        return DBLITE_OK;
    }
    if (type && entry->type_index != type->index) {
        *value = NULL;
        return DBLITE_ERR_WRONGTYPE;
    }
    if (!(flags & DBLITE_LOOKUP_WRITE))
        server.stats.keyspace_hits++;
    *value = entry->value;
    return DBLITE_OK;
}

int dblite_key_lookup_slot(dblite_ctx *ctx, dblite_bytes key, const dblite_type *type, int flags,
                           void ***slot)
{
    keytable_entry *entry = db_find(ctx, ctx->db, key.ptr, key.len, flags);
    *slot = NULL;
    if (!entry) {
        if (!(flags & DBLITE_LOOKUP_WRITE))
            key_missed(ctx, key);
        return DBLITE_OK;
    }
    if (type && entry->type_index != type->index)
        return DBLITE_ERR_WRONGTYPE;
    if (!(flags & DBLITE_LOOKUP_WRITE))
        server.stats.keyspace_hits++;
    *slot = &entry->value;
    return DBLITE_OK;
}

const dblite_type *dblite_key_type(dblite_ctx *ctx, dblite_bytes key, int flags)
{
    keytable_entry *entry = db_find(ctx, ctx->db, key.ptr, key.len, flags);
    return entry ? entry_type(entry) : NULL;
}

const dblite_key_handle *dblite_key_find_handle(dblite_ctx *ctx, dblite_bytes key, int flags)
{
    return (const dblite_key_handle *)db_find(ctx, ctx->db, key.ptr, key.len, flags);
}

dblite_bytes dblite_key_handle_name(const dblite_key_handle *handle)
{
    const keytable_entry *entry = (const keytable_entry *)handle;
    return (dblite_bytes){entry->key, entry->key_length};
}

void *dblite_key_value(dblite_ctx *ctx, dblite_bytes key, int flags, const dblite_type **type)
{
    keytable_entry *entry = db_find(ctx, ctx->db, key.ptr, key.len, flags);
    if (type)
        *type = entry ? entry_type(entry) : NULL;
    return entry ? entry->value : NULL;
}

int dblite_key_set(dblite_ctx *ctx, dblite_bytes key, const dblite_type *type, void *value,
                   int flags)
{
    return db_store(ctx, ctx->db, key.ptr, key.len, (value_type *)type, value, flags);
}

int dblite_key_delete(dblite_ctx *ctx, dblite_bytes key)
{
    return db_delete(ctx, ctx->db, key.ptr, key.len);
}

void dblite_key_modified(dblite_ctx *ctx, dblite_bytes key)
{
    server.dirty++;
    signal_modified_key(ctx, ctx->db, key.ptr, key.len);
    signal_key_ready(ctx->db, key.ptr, key.len);
}

void dblite_key_signal_ready(dblite_ctx *ctx, dblite_bytes key)
{
    signal_key_ready(ctx->db, key.ptr, key.len);
}

int dblite_ctx_select(dblite_ctx *ctx, int db)
{
    if (db < 0 || db >= server.database_count)
        return DBLITE_ERR_INVALID;
    ctx->db = &server.databases[db];
    return DBLITE_OK;
}

int dblite_ctx_db(const dblite_ctx *ctx)
{
    return ctx->db->id;
}
int dblite_database_count(void)
{
    return server.database_count;
}
long long dblite_database_size(dblite_ctx *ctx)
{
    return (long long)keytable_size(ctx->db->keys);
}

long long database_live_keys(database *db)
{
    long long keys = (long long)keytable_size(db->keys);
    if (server.dead_keys) {
        long long dead = server.dead_keys(db->id, server.dead_keys_privdata);
        if (dead > 0)
            keys = dead < keys ? keys - dead : 0;
    }
    return keys;
}
int dblite_database_reserve(dblite_ctx *ctx, size_t count)
{
    return keytable_reserve(ctx->db->keys, count) == 0 ? DBLITE_OK : DBLITE_ERR_NOMEM;
}

int dblite_keyspace_foreach(dblite_ctx *ctx, dblite_key_visit_fn fn, void *privdata)
{
    keytable_iterator it;
    keytable_iterator_init(&it, ctx->db->keys);
    keytable_entry *entry;
    int result = 0;
    while ((entry = keytable_iterator_next(&it)) != NULL) {
        dblite_bytes key = {entry->key, entry->key_length};
        result = fn(key, entry_type(entry), entry->value, privdata);
        if (result)
            break;
    }
    keytable_iterator_finish(&it);
    return result;
}
