/*
 * element_table.h - the general encoding of large hashes and sets: a dense
 * array of entries indexed by an open-addressing table of positions.
 *
 * Why this shape rather than a chained hash table like Redis's dict:
 *  - fair random picks in O(1): every element sits at exactly one position
 *    of the dense array, so a uniform position is a uniform element (a
 *    chained table has to correct for chain lengths and is only roughly
 *    fair);
 *  - a simple SCAN guarantee: deletion moves the last entry into the hole
 *    and insertion appends, so walking the array from the end towards the
 *    start (see element_table_scan in the modules) meets every element
 *    present for the whole walk; resizing the index never reorders entries;
 *  - lookups probe one contiguous run of 8-byte slots that carry 32 bits of
 *    each entry's hash, so most mismatches never touch the entry itself;
 *  - resizing a large index is spread over many edits (like Redis's
 *    incremental rehashing): the next index is zeroed a little at a time
 *    while the current one fills up, and slots move across a few per edit
 *    afterwards, so no single command pays for millions of slots.
 *
 * Each entry is one allocation: its hash, its key (a set member, a hash
 * field) and whatever bytes the owner stores after the key (a hash's value).
 * Each table hashes with its own secret key, drawn from the kernel when the
 * table is made (copies keep it, as their entries carry hashes under it), so
 * a table needs nothing from outside itself.
 * Not thread-safe, like everything in a module.
 */
#ifndef DBLITE_COMMON_ELEMENT_TABLE_H
#define DBLITE_COMMON_ELEMENT_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct table_entry {
    uint32_t hash; /* low 32 bits of the keyed hash of the key */
    uint32_t key_length;
    char bytes[]; /* the key, then the owner's bytes */
} table_entry;

typedef struct element_table {
    table_entry **entries; /* dense: positions 0 .. count-1 */
    uint64_t *slots;       /* 0, or hash << 32 | (position + 1) */
    uint64_t *old_slots;   /* the index being migrated, or NULL */
    uint64_t *next_slots;  /* the next index, being zeroed, or NULL */
    uint8_t hash_key[16];  /* secret SipHash key (dblite_hash_keyed) */
    uint32_t count;
    uint32_t entries_capacity;
    uint32_t slot_mask; /* slot count - 1 (a power of two) */
    uint32_t old_slot_mask;
    uint32_t migrated; /* old slots below this one are moved */
    uint32_t next_slot_mask;
    uint32_t next_zeroed; /* next slots below this one are zero */
    size_t entry_bytes;   /* allocated size of all entries */
} element_table;

/* Most entries a table holds (positions and slot counts stay 32-bit). */
#define ELEMENT_TABLE_MAX_COUNT ((size_t)1 << 31)
#define ELEMENT_TABLE_ABSENT SIZE_MAX

/* An empty table sized for expected entries, with a fresh secret key.
 * DBLITE_OK or DBLITE_ERR_NOMEM (nothing to release then). */
int element_table_init(element_table *table, size_t expected);
/* Frees the index and every entry. */
void element_table_destroy(element_table *table);

static inline size_t element_table_count(const element_table *table)
{
    return table->count;
}

static inline table_entry *element_table_entry(const element_table *table, size_t position)
{
    return table->entries[position];
}

uint32_t element_table_hash(const element_table *table, const char *key, size_t length);

/* Position of key (hash from element_table_hash), or ELEMENT_TABLE_ABSENT. */
size_t element_table_find(const element_table *table, const char *key, size_t length,
                          uint32_t hash);

/* Adds entry, whose key must be absent, at position count.  DBLITE_OK, or
 * DBLITE_ERR_NOMEM (or the table is full), and then entry stays the
 * caller's. */
int element_table_add(element_table *table, table_entry *entry);

/* Unlinks the entry at position and returns it for the caller to free; the
 * last entry takes its position. */
table_entry *element_table_remove(element_table *table, size_t position);

/* Reallocates the entry at position to size bytes (keeping its key and as
 * much of the owner's bytes as fit) and returns it, or NULL with the entry
 * unchanged when memory runs out. */
table_entry *element_table_resize_entry(element_table *table, size_t position, size_t size);

/* Bytes of memory the table takes, entries included (O(1): entry sizes are
 * tallied as entries come and go). */
size_t element_table_memory(const element_table *table);

/* A new entry for key with room for extra owner bytes after it. */
table_entry *table_entry_create(const char *key, size_t key_length, uint32_t hash, size_t extra);

/* Makes target a copy of source (same secret key), each entry copied as
 * entry_size(entry) bytes.  DBLITE_OK or DBLITE_ERR_NOMEM (nothing to
 * release then). */
int element_table_copy(element_table *target, const element_table *source,
                       size_t (*entry_size)(const table_entry *entry));

#endif
