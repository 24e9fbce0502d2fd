/*
 * keytable.h - the hash table behind every database of the keyspace.
 *
 * A chained hash table with power-of-two bucket arrays and incremental
 * rehashing, behaving like Redis's dict (same growth and shrink points, same
 * SCAN guarantee) but storing each key inline in its entry: one allocation
 * per key holds the chain link, the value pointer, the key length, two
 * fields free for the user and the key bytes, so a lookup touches the bucket
 * array and then only the entries of one chain.
 *
 * Not thread-safe; the server's single command thread owns every table.
 */
#ifndef DBLITE_KEYTABLE_H
#define DBLITE_KEYTABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct keytable_entry {
    struct keytable_entry *next; /* bucket chain */
    void *value;                 /* owned by the user of the table */
    uint32_t key_length;
    uint16_t type_index; /* free for the user (the core stores its type registry index) */
    uint8_t flags;       /* free for the user */
    char key[];          /* key_length bytes, plus a NUL terminator for convenience */
} keytable_entry;

typedef struct keytable keytable;

/* Called on each entry by destroy and clear to release entry->value; the
 * table frees the entry itself afterwards.  May be NULL. */
typedef void (*keytable_free_value_fn)(keytable_entry *entry, void *privdata);
typedef void (*keytable_visit_fn)(keytable_entry *entry, void *privdata);

/* Longest key an entry can hold (key_length is 32 bits). */
#define KEYTABLE_MAX_KEY_LENGTH ((size_t)UINT32_MAX)

/* ---- Lifetime ------------------------------------------------------------ */

/* The two seeds are the secret of the keyed hash: pick them at random per
 * process.  NULL on OOM.  No bucket array exists until the first insert. */
keytable *keytable_create(uint64_t hash_seed0, uint64_t hash_seed1);
void keytable_destroy(keytable *table, keytable_free_value_fn free_entry_value, void *privdata);
/* Empty the table (FLUSHDB) and release its bucket arrays. */
void keytable_clear(keytable *table, keytable_free_value_fn free_entry_value, void *privdata);
/* The same a slice at a time: frees up to work entries (an empty bucket
 * passed counts as one) with their values; returns 1 while entries remain.
 * For a table nothing else uses any more (a flushed database's old
 * contents): nothing may look it up, walk, change or rehash it between
 * steps.  Destroy it once a step returns 0. */
int keytable_clear_step(keytable *table, keytable_free_value_fn free_entry_value, void *privdata,
                        size_t work);
/* Exchange the whole contents of two tables (SWAPDB), seeds included.
 * Neither may have a live iterator. */
void keytable_swap(keytable *a, keytable *b);

/* ---- Keys ------------------------------------------------------------------ */

size_t keytable_size(const keytable *table);
/* Keys are binary-safe; key must not be NULL even when key_length is 0.
 * Lookups take a table that is not const because they also move a bucket of
 * an ongoing rehash, as Redis's dict does. */
keytable_entry *keytable_find(keytable *table, const char *key, size_t key_length);
/* Find or add: returns the existing entry (*created = 0) or a new one with
 * value NULL, type_index 0 and flags 0 (*created = 1).  NULL on OOM or when
 * key_length exceeds KEYTABLE_MAX_KEY_LENGTH. */
keytable_entry *keytable_insert(keytable *table, const char *key, size_t key_length, int *created);
/* Unlink the entry for key and return it (NULL if missing); the caller deals
 * with its value and then calls keytable_entry_free. */
keytable_entry *keytable_remove(keytable *table, const char *key, size_t key_length);

/* ---- Detached entries (MOVE, RENAME, loading) ------------------------------ */

/* A new entry not linked to any table: value NULL, type_index 0, flags 0.
 * NULL on OOM or an over-long key. */
keytable_entry *keytable_entry_create(const char *key, size_t key_length);
/* Give a detached entry a new key, keeping value, type_index and flags.
 * Returns the entry (possibly moved), or NULL on failure, in which case the
 * original entry is untouched and still owned by the caller. */
keytable_entry *keytable_entry_rekey(keytable_entry *entry, const char *key, size_t key_length);
/* Results of keytable_insert_entry. */
#define KEYTABLE_OK 0
#define KEYTABLE_EXISTS -1 /* the key is already in the table */
#define KEYTABLE_NOMEM -2  /* the table had no bucket array and could not get one */

/* Link a detached entry into table.  On failure the entry stays the caller's. */
int keytable_insert_entry(keytable *table, keytable_entry *entry);
/* Free a detached entry (not its value). */
void keytable_entry_free(keytable_entry *entry);

/* ---- Walking the table ----------------------------------------------------- */

/* SCAN: call with cursor 0, then with each returned cursor until it returns
 * 0.  Every entry present for the whole iteration is visited at least once,
 * even if the table grows, shrinks or rehashes between calls; an entry may
 * be visited more than once.  visit must not add or remove entries. */
uint64_t keytable_scan(keytable *table, uint64_t cursor, keytable_visit_fn visit, void *privdata);

/* A random entry (NULL if empty), close to uniform: it picks among a sample
 * of nearby entries so that long chains are not favoured. */
keytable_entry *keytable_random(keytable *table);
/* Up to count entries from a random region of the table (for eviction and
 * active expiry), stored in entries[]; returns how many.  Fewer than count
 * may come back from a sparse table, and an entry may appear twice. */
size_t keytable_sample(keytable *table, keytable_entry **entries, size_t count);

/* Iteration over every entry exactly once.  Rehashing pauses while the
 * iterator lives.  The entry just returned may be removed (and freed); no
 * other entry may be removed, and entries inserted meanwhile may or may not
 * be returned.  Always finish an iterator that was initialised. */
typedef struct keytable_iterator {
    keytable *table;
    keytable_entry *next_entry; /* saved before returning, so the current entry may go */
    size_t bucket_index;        /* next bucket to read in table_index */
    int table_index;
} keytable_iterator;

void keytable_iterator_init(keytable_iterator *iterator, keytable *table);
keytable_entry *keytable_iterator_next(keytable_iterator *iterator);
void keytable_iterator_finish(keytable_iterator *iterator);

/* ---- Maintenance ----------------------------------------------------------- */

/* Spend up to about microseconds on incremental rehashing, and start a
 * shrink when the table is under 10% full.  Returns 1 if more work remains. */
int keytable_rehash_for(keytable *table, long long microseconds);
/* Size the table for count keys ahead of a bulk load (no-op if already big
 * enough or rehashing).  Returns 0, or -1 on OOM (the table stays usable). */
int keytable_reserve(keytable *table, size_t count);
int keytable_is_rehashing(const keytable *table);
/* Buckets in both arrays (for INFO and tests of growth and shrink). */
size_t keytable_bucket_count(const keytable *table);

uint64_t keytable_hash(const keytable *table, const char *key, size_t key_length);
/* Bucket arrays plus entries as the allocator sized them, plus the table. */
size_t keytable_memory_usage(const keytable *table);

#endif
