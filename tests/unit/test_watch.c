/*
 * test_watch.c - unit tests of WATCH's bookkeeping and the modified-key
 * signal (core/keyspace/watch.c), run directly on databases and clients
 * made here: no server, no sockets.
 *
 * Why: a write must cost nothing for WATCH when nobody watches (the brief's
 * "watching costs nothing" requirement), which a timing test could not
 * show on a loaded machine; so malloc, calloc and realloc are wrapped
 * (--wrap) and counted, and the tests check that signalling writes, flushes
 * and swaps allocates nothing when nobody watches, or when the watches are
 * on other keys; that the per-database table goes back to NULL (the one test
 * the signal costs) once the last watch goes; and who becomes dirty: every
 * watcher of the key, and for a flush or a swap only the watchers of keys
 * that exist, as Redis 7.0's touchAllWatchedKeysInDb.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "commands/transaction.h"

/* ---- Counted allocator -------------------------------------------------- */

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *ptr, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *ptr, size_t size);

static long allocations;

void *__wrap_malloc(size_t size)
{
    allocations++;
    return __real_malloc(size);
}

void *__wrap_calloc(size_t count, size_t size)
{
    allocations++;
    return __real_calloc(count, size);
}

void *__wrap_realloc(void *ptr, size_t size)
{
    allocations++;
    return __real_realloc(ptr, size);
}

/* ---- Fixtures ------------------------------------------------------------ */

static database databases[2];
static client clients[3];

static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++) {
        memset(&databases[i], 0, sizeof(databases[i]));
        databases[i].id = i;
        databases[i].keys = keytable_create(1, 2);
        if (!databases[i].keys)
            return -1;
    }
    server.databases = databases;
    server.database_count = 2;
    memset(clients, 0, sizeof(clients));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++)
        transaction_client_free(&clients[i]);
    watched_tables_free();
    for (int i = 0; i < 2; i++)
        keytable_destroy(databases[i].keys, NULL, NULL);
    return 0;
}

static void add_key(database *db, const char *key)
{
    int created;
    assert_non_null(keytable_insert(db->keys, key, strlen(key), &created));
    assert_true(created);
}

static void watch(client *c, database *db, const char *key)
{
    assert_int_equal(watch_key(NULL, c, db, key, strlen(key)), DBLITE_OK);
}

static int dirty(const client *c)
{
    return (c->flags & CLIENT_DIRTY_CAS) != 0;
}

/* ---- Tests ----------------------------------------------------------------- */

static void nobody_watching_costs_nothing(void **state)
{
    (void)state;
    add_key(&databases[0], "k");
    assert_null(databases[0].watched_keys);
    long before = allocations;
    for (int i = 0; i < 1000; i++)
        signal_modified_key(NULL, &databases[0], "k", 1);
    signal_flushed_database(NULL, -1);
    signal_flushed_database(NULL, 0);
    signal_swapped_databases(NULL, 0, 1);
    assert_int_equal(allocations, before);
    assert_null(databases[0].watched_keys);
    assert_null(databases[1].watched_keys);
}

static void writes_to_other_keys_cost_nothing(void **state)
{
    (void)state;
    watch(&clients[0], &databases[0], "watched");
    long before = allocations;
    for (int i = 0; i < 1000; i++) {
        signal_modified_key(NULL, &databases[0], "other", 5);
        signal_modified_key(NULL, &databases[1], "watched", 7); /* another db */
    }
    assert_int_equal(allocations, before);
    assert_false(dirty(&clients[0]));
}

static void the_table_goes_with_the_last_watch(void **state)
{
    (void)state;
    long before = allocations;
    watch(&clients[0], &databases[0], "a");
    assert_true(allocations > before); /* the counter sees the core's allocations */
    watch(&clients[1], &databases[0], "a");
    watch(&clients[1], &databases[0], "a"); /* a second WATCH of it is ignored */
    assert_int_equal(watched_key_count(&clients[1]), 1);
    assert_non_null(databases[0].watched_keys);
    unwatch_all_keys(&clients[0]);
    assert_non_null(databases[0].watched_keys);
    unwatch_all_keys(&clients[1]);
    assert_null(databases[0].watched_keys);
}

static void a_write_dirties_every_watcher_and_unwatches_them(void **state)
{
    (void)state;
    watch(&clients[0], &databases[0], "k");
    watch(&clients[0], &databases[1], "elsewhere");
    watch(&clients[1], &databases[0], "k");
    watch(&clients[2], &databases[0], "not-k");
    signal_modified_key(NULL, &databases[0], "k", 1);
    assert_true(dirty(&clients[0]));
    assert_true(dirty(&clients[1]));
    assert_false(dirty(&clients[2]));
    /* Dirty clients watch nothing any more (Redis 7.0 unwatches them). */
    assert_int_equal(watched_key_count(&clients[0]), 0);
    assert_int_equal(watched_key_count(&clients[1]), 0);
    assert_null(databases[1].watched_keys);
    assert_int_equal(watched_key_count(&clients[2]), 1);
}

static void a_flush_dirties_only_watchers_of_existing_keys(void **state)
{
    (void)state;
    add_key(&databases[0], "present");
    watch(&clients[0], &databases[0], "present");
    watch(&clients[1], &databases[0], "missing");
    watch(&clients[2], &databases[1], "present"); /* not in db 1 */
    signal_flushed_database(NULL, -1);
    assert_true(dirty(&clients[0]));
    assert_false(dirty(&clients[1]));
    assert_false(dirty(&clients[2]));
}

static void a_swap_dirties_watchers_of_keys_in_either_database(void **state)
{
    (void)state;
    add_key(&databases[1], "only-in-1");
    add_key(&databases[0], "only-in-0");
    watch(&clients[0], &databases[0], "only-in-1");
    watch(&clients[1], &databases[1], "only-in-0");
    watch(&clients[2], &databases[0], "in-neither");
    signal_swapped_databases(NULL, 0, 1);
    assert_true(dirty(&clients[0]));
    assert_true(dirty(&clients[1]));
    assert_false(dirty(&clients[2]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(nobody_watching_costs_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(writes_to_other_keys_cost_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(the_table_goes_with_the_last_watch, setup, teardown),
        cmocka_unit_test_setup_teardown(a_write_dirties_every_watcher_and_unwatches_them, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_flush_dirties_only_watchers_of_existing_keys, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_swap_dirties_watchers_of_keys_in_either_database, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
