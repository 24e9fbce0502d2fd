/*
 * lazy_free.c - FLUSHDB ASYNC and FLUSHALL ASYNC: the database is empty at
 * once, its old contents are freed a slice at a time.
 *
 * Freeing a million keys takes a quarter of a second, all of it a pause
 * for every client when done inside the command.  Redis hands the old
 * tables to a background thread; here a timer frees them on the main
 * thread in slices of about a millisecond, so no module's free method ever
 * runs off the command thread and memory accounting stays exact.  The old
 * table is detached from its database first: nothing but this file touches
 * it again.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* Entries freed between clock reads, and the time one slice may take. */
#define LAZY_FREE_BATCH 256
#define LAZY_FREE_SLICE_US 1000

static void free_entry(keytable_entry *entry, void *privdata)
{
    long long *freed = privdata;
    db_free_entry_value(entry);
    (*freed)++;
}

static long long lazy_free_timer(event_loop *loop, uint64_t id, void *privdata)
{
    (void)loop, (void)id, (void)privdata;
    int64_t started = monotonic_us();
    while (server.lazy_free_tables.length > 0 && monotonic_us() - started < LAZY_FREE_SLICE_US) {
        keytable *table = server.lazy_free_tables.items[0];
        if (keytable_clear_step(table, free_entry, &server.stats.lazyfreed_objects,
                                LAZY_FREE_BATCH))
            continue;
        keytable_destroy(table, NULL, NULL);
        server.lazy_free_tables.length--;
        memmove(server.lazy_free_tables.items, server.lazy_free_tables.items + 1,
                server.lazy_free_tables.length * sizeof(keytable *));
    }
    if (server.lazy_free_tables.length > 0)
        return 1;
    server.lazy_free_timer = 0;
    return -1;
}

void db_empty_lazily(dblite_ctx *ctx, database *db)
{
    keytable *old = keytable_create(server.hash_seed[0], server.hash_seed[1]);
    if (!old || ARRAY_PUSH(server.lazy_free_tables, old) != 0) {
        keytable_destroy(old, NULL, NULL);
        db_empty(ctx, db);
        return;
    }
    signal_flushed_database(ctx, db->id);
    server.dirty += (long long)keytable_size(db->keys);
    keytable_swap(db->keys, old); /* db->keys is now the empty table */
    /* Should no timer be made, the next flush tries again; exit frees all. */
    if (!server.lazy_free_timer)
        server.lazy_free_timer = event_add_timer(server.loop, 1, lazy_free_timer, NULL, NULL);
}

long long lazy_free_pending_keys(void)
{
    long long keys = 0;
    for (size_t i = 0; i < server.lazy_free_tables.length; i++)
        keys += (long long)keytable_size(server.lazy_free_tables.items[i]);
    return keys;
}

void lazy_free_finish(void)
{
    for (size_t i = 0; i < server.lazy_free_tables.length; i++)
        keytable_destroy(server.lazy_free_tables.items[i], free_entry,
                         &server.stats.lazyfreed_objects);
    free(server.lazy_free_tables.items);
    server.lazy_free_tables.items = NULL;
    server.lazy_free_tables.length = server.lazy_free_tables.capacity = 0;
    if (server.lazy_free_timer)
        event_remove_timer(server.loop, server.lazy_free_timer);
    server.lazy_free_timer = 0;
}
