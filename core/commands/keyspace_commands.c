/*
 * keyspace_commands.c - the generic key commands: DEL UNLINK EXISTS TYPE
 * RENAME RENAMENX MOVE COPY SWAPDB KEYS SCAN RANDOMKEY DBSIZE FLUSHDB
 * FLUSHALL.  They work on any type through the type registry and fire the
 * keyspace hooks so modules (expiry) keep their per-key state exact.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/core_commands.h"
#include "util/numbers.h"

HANDLER(command_del)
{
    long long deleted = 0;
    for (int i = 1; i < argc; i++) {
        if (db_find(ctx, ctx->db, argv[i].ptr, argv[i].len, DBLITE_LOOKUP_WRITE) == NULL)
            continue;
        if (!db_delete(ctx, ctx->db, argv[i].ptr, argv[i].len))
            continue;
        deleted++;
        notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "del", ctx->db->id, argv[i].ptr,
                              argv[i].len);
    }
    dblite_reply_integer(ctx, deleted);
}

HANDLER(command_exists)
{
    long long count = 0;
    for (int i = 1; i < argc; i++)
        if (db_find(ctx, ctx->db, argv[i].ptr, argv[i].len, DBLITE_LOOKUP_READ))
            count++;
        else
            notify_keyspace_event(ctx, DBLITE_NOTIFY_KEY_MISS, "keymiss", ctx->db->id, argv[i].ptr,
                                  argv[i].len);
    dblite_reply_integer(ctx, count);
}

HANDLER(command_type)
{
    (void)argc;
    keytable_entry *entry = db_find(ctx, ctx->db, argv[1].ptr, argv[1].len, DBLITE_LOOKUP_READ);
    if (!entry)
        notify_keyspace_event(ctx, DBLITE_NOTIFY_KEY_MISS, "keymiss", ctx->db->id, argv[1].ptr,
                              argv[1].len);
    dblite_reply_simple(ctx, entry ? entry_type(entry)->name : "none");
}

/* RENAMED, MOVED and COPIED carry both handles: the source's (after a move
 * only an identity) and the destination's. */
static void fire_relocation_event(dblite_ctx *ctx, dblite_event_kind kind, database *from,
                                  const dblite_bytes *src, const void *source_entry, database *to,
                                  const dblite_bytes *dst, const keytable_entry *target_entry)
{
    dblite_event event = {.kind = kind,
                          .db = from->id,
                          .key = *src,
                          .target_db = to->id,
                          .target_key = *dst,
                          .handle = source_entry,
                          .target_handle = (const dblite_key_handle *)target_entry};
    dispatch_event(ctx, &event);
}

/* Moves the value of src (in from) to dst (in to), which must not exist,
 * then fires kind.  The new entry is made first, so running out of memory
 * leaves src untouched; it is a "new" key, as Redis's dbAdd announces. */
static int move_value(dblite_ctx *ctx, dblite_event_kind kind, database *from,
                      const dblite_bytes *src, database *to, const dblite_bytes *dst)
{
    int created;
    keytable_entry *target = keytable_insert(to->keys, dst->ptr, dst->len, &created);
    if (!target)
        return DBLITE_ERR_NOMEM;
    notify_keyspace_event(ctx, DBLITE_NOTIFY_NEW, "new", to->id, dst->ptr, dst->len);
    keytable_entry *source = keytable_remove(from->keys, src->ptr, src->len);
    target->value = source->value;
    target->type_index = source->type_index;
    const void *source_identity = source;
    keytable_entry_free(source);
    server.dirty++;
    signal_modified_key(ctx, from, src->ptr, src->len);
    signal_modified_key(ctx, to, dst->ptr, dst->len);
    signal_key_ready(to, dst->ptr, dst->len);
    fire_relocation_event(ctx, kind, from, src, source_identity, to, dst, target);
    return DBLITE_OK;
}

static void rename_generic(dblite_ctx *ctx, const dblite_bytes *argv, int nx)
{
    database *db = ctx->db;
    if (!db_find(ctx, db, argv[1].ptr, argv[1].len, DBLITE_LOOKUP_WRITE)) {
        dblite_reply_error(ctx, "ERR no such key");
        return;
    }
    int same = argv[1].len == argv[2].len && memcmp(argv[1].ptr, argv[2].ptr, argv[1].len) == 0;
    if (same) {
        if (nx)
            dblite_reply_integer(ctx, 0);
        else
            dblite_reply_ok(ctx);
        return;
    }
    if (db_find(ctx, db, argv[2].ptr, argv[2].len, DBLITE_LOOKUP_WRITE)) {
        if (nx) {
            dblite_reply_integer(ctx, 0);
            return;
        }
        db_delete(ctx, db, argv[2].ptr, argv[2].len);
    }
    /* The lookup of the destination may have fired hooks: check again. */
    if (!keytable_find(db->keys, argv[1].ptr, argv[1].len)) {
        dblite_reply_error(ctx, "ERR no such key");
        return;
    }
    if (move_value(ctx, DBLITE_EVENT_KEY_RENAMED, db, &argv[1], db, &argv[2]) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "rename_from", db->id, argv[1].ptr,
                          argv[1].len);
    notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "rename_to", db->id, argv[2].ptr,
                          argv[2].len);
    if (nx)
        dblite_reply_integer(ctx, 1);
    else
        dblite_reply_ok(ctx);
}

HANDLER(command_rename)
{
    (void)argc;
    rename_generic(ctx, argv, 0);
}

HANDLER(command_renamenx)
{
    (void)argc;
    rename_generic(ctx, argv, 1);
}

static int parse_db_index(const dblite_bytes *arg, int *index)
{
    long long value;
    if (!parse_long_long(arg->ptr, arg->len, &value) || value < INT32_MIN || value > INT32_MAX)
        return -1;
    *index = (int)value;
    return 0;
}

int parse_db_index_or_reply(dblite_ctx *ctx, const dblite_bytes *arg, int *index)
{
    long long value;
    if (!parse_long_long(arg->ptr, arg->len, &value)) {
        dblite_reply_not_integer(ctx);
        return -1;
    }
    if (value < INT32_MIN || value > INT32_MAX) {
        dblite_reply_error_format(ctx, "ERR value is out of range, value must between %d and %d",
                                  INT32_MIN, INT32_MAX);
        return -1;
    }
    *index = (int)value;
    return 0;
}

HANDLER(command_move)
{
    (void)argc;
    int target_index;
    if (parse_db_index_or_reply(ctx, &argv[2], &target_index) != 0)
        return;
    if (target_index < 0 || target_index >= server.database_count) {
        dblite_reply_error(ctx, "ERR DB index is out of range");
        return;
    }
    database *source = ctx->db, *target = &server.databases[target_index];
    if (source == target) {
        dblite_reply_error(ctx, "ERR source and destination objects are the same");
        return;
    }
    if (!db_find(ctx, source, argv[1].ptr, argv[1].len, DBLITE_LOOKUP_WRITE) ||
        db_find(ctx, target, argv[1].ptr, argv[1].len, DBLITE_LOOKUP_WRITE) ||
        !keytable_find(source->keys, argv[1].ptr, argv[1].len)) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    if (move_value(ctx, DBLITE_EVENT_KEY_MOVED, source, &argv[1], target, &argv[1]) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "move_from", source->id, argv[1].ptr,
                          argv[1].len);
    notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "move_to", target->id, argv[1].ptr,
                          argv[1].len);
    dblite_reply_integer(ctx, 1);
}

HANDLER(command_copy)
{
    database *source = ctx->db, *target = ctx->db;
    int replace = 0;
    for (int i = 3; i < argc; i++) {
        if (dblite_bytes_equal_nocase(argv[i], "REPLACE")) {
            replace = 1;
        } else if (dblite_bytes_equal_nocase(argv[i], "DB") && i + 1 < argc) {
            int index;
            if (parse_db_index_or_reply(ctx, &argv[i + 1], &index) != 0)
                return;
            if (index < 0 || index >= server.database_count) {
                dblite_reply_error(ctx, "ERR DB index is out of range");
                return;
            }
            target = &server.databases[index];
            i++;
        } else {
            dblite_reply_syntax_error(ctx);
            return;
        }
    }
    if (source == target && argv[1].len == argv[2].len &&
        memcmp(argv[1].ptr, argv[2].ptr, argv[1].len) == 0) {
        dblite_reply_error(ctx, "ERR source and destination objects are the same");
        return;
    }
    keytable_entry *entry = db_find(ctx, source, argv[1].ptr, argv[1].len, DBLITE_LOOKUP_READ);
    if (!entry) {
        notify_keyspace_event(ctx, DBLITE_NOTIFY_KEY_MISS, "keymiss", source->id, argv[1].ptr,
                              argv[1].len);
        dblite_reply_integer(ctx, 0);
        return;
    }
    if (db_find(ctx, target, argv[2].ptr, argv[2].len, DBLITE_LOOKUP_WRITE)) {
        if (!replace) {
            dblite_reply_integer(ctx, 0);
            return;
        }
        db_delete(ctx, target, argv[2].ptr, argv[2].len);
    }
    entry = keytable_find(source->keys, argv[1].ptr, argv[1].len);
    if (!entry) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    value_type *type = entry_type(entry);
    if (!type->methods.copy) {
        dblite_reply_error_format(ctx, "ERR values of type '%s' cannot be copied", type->name);
        return;
    }
    void *copy = type->methods.copy(entry->value);
    if (!copy) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    if (db_store(ctx, target, argv[2].ptr, argv[2].len, type, copy, DBLITE_SET_KEEP) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    /* db_store may have moved a bucket of source's table, never the entry. */
    fire_relocation_event(ctx, DBLITE_EVENT_KEY_COPIED, source, &argv[1], entry, target, &argv[2],
                          keytable_find(target->keys, argv[2].ptr, argv[2].len));
    notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "copy_to", target->id, argv[2].ptr,
                          argv[2].len);
    dblite_reply_integer(ctx, 1);
}

HANDLER(command_swapdb)
{
    (void)argc;
    int first, second;
    if (parse_db_index(&argv[1], &first) != 0) {
        dblite_reply_error(ctx, "ERR invalid first DB index");
        return;
    }
    if (parse_db_index(&argv[2], &second) != 0) {
        dblite_reply_error(ctx, "ERR invalid second DB index");
        return;
    }
    if (first < 0 || first >= server.database_count || second < 0 ||
        second >= server.database_count) {
        dblite_reply_error(ctx, "ERR DB index is out of range");
        return;
    }
    if (first != second) {
        signal_swapped_databases(ctx, first, second);
        keytable_swap(server.databases[first].keys, server.databases[second].keys);
        server.dirty++;
        fire_event(ctx, DBLITE_EVENT_DB_SWAPPED, first, NULL, 0, second, NULL, 0);
        signal_database_ready(&server.databases[first]);
        signal_database_ready(&server.databases[second]);
    }
    dblite_reply_ok(ctx);
}

/* Keys are gathered first and checked through the lookup hook afterwards:
 * the hook may delete (an expired key), which must not happen mid-scan. */
typedef struct key_list {
    ARRAY_OF(dblite_bytes) keys;
    const dblite_bytes *pattern;
    int type_filtered; /* SCAN TYPE given; type NULL matches nothing */
    const value_type *type;
    int all;
    int failed;
} key_list;

static void collect_key(keytable_entry *entry, void *privdata)
{
    key_list *list = privdata;
    if (list->failed)
        return;
    if (!list->all && !dblite_glob_match(list->pattern->ptr, list->pattern->len, entry->key,
                                         entry->key_length, 0))
        return;
    dblite_bytes key = {server_strndup(entry->key, entry->key_length), entry->key_length};
    if (!key.ptr || ARRAY_PUSH(list->keys, key) != 0) {
        server_free((void *)key.ptr);
        list->failed = 1;
    }
}

static void key_list_free(key_list *list)
{
    for (size_t i = 0; i < list->keys.length; i++)
        server_free((void *)list->keys.items[i].ptr);
    free(list->keys.items);
}

/* Replies the keys that are still live after the lookup hook (and match the
 * type filter); returns how many were replied. */
static long long reply_live_keys(dblite_ctx *ctx, key_list *list)
{
    void *deferred = dblite_reply_deferred(ctx, DBLITE_AGGREGATE_ARRAY);
    long long count = 0;
    for (size_t i = 0; i < list->keys.length; i++) {
        dblite_bytes *key = &list->keys.items[i];
        keytable_entry *entry = db_find(ctx, ctx->db, key->ptr, key->len, DBLITE_LOOKUP_READ);
        if (!entry)
            continue;
        if (list->type_filtered && entry_type(entry) != list->type)
            continue;
        dblite_reply_bulk(ctx, key->ptr, key->len);
        count++;
    }
    dblite_reply_set_length(ctx, deferred, count);
    return count;
}

HANDLER(command_keys)
{
    (void)argc;
    key_list list = {0};
    list.pattern = &argv[1];
    list.all = argv[1].len == 1 && argv[1].ptr[0] == '*';
    keytable_iterator it;
    keytable_iterator_init(&it, ctx->db->keys);
    keytable_entry *entry;
    while ((entry = keytable_iterator_next(&it)) != NULL)
        collect_key(entry, &list);
    keytable_iterator_finish(&it);
    if (list.failed)
        dblite_reply_error(ctx, "ERR out of memory");
    else
        reply_live_keys(ctx, &list);
    key_list_free(&list);
}

HANDLER(command_scan)
{
    unsigned long long cursor;
    if (!parse_scan_cursor(argv[1].ptr, argv[1].len, &cursor)) {
        dblite_reply_error(ctx, "ERR invalid cursor");
        return;
    }
    key_list list = {0};
    long long count = 10;
    list.all = 1;
    for (int a = 2; a < argc; a++) {
        int more = argc - a - 1;
        if (dblite_bytes_equal_nocase(argv[a], "COUNT") && more >= 1) {
            if (!parse_long_long(argv[a + 1].ptr, argv[a + 1].len, &count)) {
                dblite_reply_not_integer(ctx);
                return;
            }
            if (count < 1) {
                dblite_reply_syntax_error(ctx);
                return;
            }
            a++;
        } else if (dblite_bytes_equal_nocase(argv[a], "MATCH") && more >= 1) {
            list.pattern = &argv[a + 1];
            list.all = argv[a + 1].len == 1 && argv[a + 1].ptr[0] == '*';
            a++;
        } else if (dblite_bytes_equal_nocase(argv[a], "TYPE") && more >= 1) {
            char name[64];
            size_t length = argv[a + 1].len < sizeof(name) - 1 ? argv[a + 1].len : sizeof(name) - 1;
            memcpy(name, argv[a + 1].ptr, length);
            name[length] = '\0';
            for (size_t k = 0; k < length; k++)
                if (name[k] >= 'A' && name[k] <= 'Z')
                    name[k] = (char)(name[k] + 32);
            /* An unknown type name matches nothing, as in Redis 7.0. */
            list.type_filtered = 1;
            list.type = dblite_type_find(name);
            a++;
        } else {
            dblite_reply_syntax_error(ctx);
            return;
        }
    }
    /* Visit buckets until COUNT keys were seen or the scan completed; a
     * hard cap on calls keeps a sparse table from stalling the server. */
    keytable *keys = ctx->db->keys;
    long long calls = 0;
    long long max_calls = count > LLONG_MAX / 10 ? LLONG_MAX : count * 10;
    do {
        cursor = keytable_scan(keys, cursor, collect_key, &list);
        calls++;
    } while (cursor && (long long)list.keys.length < count && calls < max_calls && !list.failed);
    if (list.failed) {
        key_list_free(&list);
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    dblite_reply_array(ctx, 2);
    char text[32];
    size_t length = (size_t)snprintf(text, sizeof(text), "%llu", cursor);
    dblite_reply_bulk(ctx, text, length);
    reply_live_keys(ctx, &list);
    key_list_free(&list);
}

HANDLER(command_randomkey)
{
    (void)argc, (void)argv;
    for (int attempt = 0; attempt < 100; attempt++) {
        keytable_entry *entry = keytable_random(ctx->db->keys);
        if (!entry)
            break;
        char *key = server_strndup(entry->key, entry->key_length);
        size_t length = entry->key_length;
        if (!key)
            break;
        int live = db_find(ctx, ctx->db, key, length, DBLITE_LOOKUP_READ) != NULL;
        if (live)
            dblite_reply_bulk(ctx, key, length);
        server_free(key);
        if (live)
            return;
    }
    dblite_reply_null(ctx);
}

HANDLER(command_dbsize)
{
    (void)argc, (void)argv;
    fire_event(ctx, DBLITE_EVENT_BEFORE_COUNT, ctx->db->id, NULL, 0, -1, NULL, 0);
    dblite_reply_integer(ctx, database_live_keys(ctx->db));
}

/* FLUSH_SYNC, FLUSH_ASYNC, or -1 after replying a syntax error. */
enum { FLUSH_SYNC = 0, FLUSH_ASYNC = 1 };
static int parse_flush_mode(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (argc == 1 || (argc == 2 && dblite_bytes_equal_nocase(argv[1], "SYNC")))
        return FLUSH_SYNC;
    if (argc == 2 && dblite_bytes_equal_nocase(argv[1], "ASYNC"))
        return FLUSH_ASYNC;
    dblite_reply_syntax_error(ctx);
    return -1;
}

static void flush_database(dblite_ctx *ctx, database *db, int mode)
{
    if (mode == FLUSH_ASYNC)
        db_empty_lazily(ctx, db);
    else
        db_empty(ctx, db);
}

HANDLER(command_flushdb)
{
    int mode = parse_flush_mode(ctx, argc, argv);
    if (mode < 0)
        return;
    flush_database(ctx, ctx->db, mode);
    server.dirty++;
    fire_event(ctx, DBLITE_EVENT_DB_FLUSHED, ctx->db->id, NULL, 0, -1, NULL, 0);
    dblite_reply_ok(ctx);
}

HANDLER(command_flushall)
{
    int mode = parse_flush_mode(ctx, argc, argv);
    if (mode < 0)
        return;
    for (int i = 0; i < server.database_count; i++)
        flush_database(ctx, &server.databases[i], mode);
    server.dirty++;
    fire_event(ctx, DBLITE_EVENT_DB_FLUSHED, -1, NULL, 0, -1, NULL, 0);
    dblite_reply_ok(ctx);
}
