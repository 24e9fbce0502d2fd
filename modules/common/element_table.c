/*
 * element_table.c - the dense entry array and its open-addressing index.
 *
 * The index uses linear probing at a load of at most 3/4 and deletes by
 * shifting later members of a probe run back (no tombstones), so lookups
 * never wade through dead slots.  It is rebuilt at twice the size when full
 * and at a smaller size when under 1/8 full.  Each slot carries its entry's
 * hash, so rebuilding never touches the entries themselves.
 *
 * Small indexes are rebuilt at once.  A large one changes in two phases,
 * both paid for a little per edit:
 *  - preparation: once the load passes 5/8 (or falls under 1/6), the next
 *    index is allocated and zeroed a few kilobytes per edit, because
 *    zeroing (and faulting in) hundreds of megabytes at once would stall
 *    the server for tens of milliseconds, and the module API has no calloc
 *    that could leave it to the kernel;
 *  - migration: at 3/4 (or 1/8) the prepared index takes every insertion
 *    while each edit also moves a few slots of the old one across, and
 *    lookups consult both until the old one is empty.  While it drains, the
 *    old index never shifts slots back (a shift could carry an unmoved slot
 *    behind the migration point, where it would be forgotten); moved and
 *    deleted slots become tombstones there instead, which keep its probe
 *    runs intact.
 */
#include "element_table.h"

#include <string.h>

#include "dblite_module.h"
#include "random_source.h"

#define MIN_SLOTS 16
#define MIN_ENTRIES 8
/* Indexes with at least this many slots are migrated step by step. */
#define INCREMENTAL_SLOTS 4096
/* Old slots moved per edit: enough to finish a migration long before the
 * new index needs resizing again (a growth scans S old slots and leaves
 * room for 3S/4 more entries; a shrink scans S and leaves room for S/16). */
#define MIGRATION_STEP 32
/* Next-index slots zeroed per edit: growing from S slots prepares 2S
 * slots during the S/8 insertions between 5/8 and 3/4 load (16 per
 * insertion needed); shrinking prepares S/4 during the S/24 deletions
 * between 1/6 and 1/8 (6 per deletion needed). */
#define ZEROING_STEP 64
/* Marks a slot of the draining index that once held an entry.  Its low
 * word can never be a position + 1 (positions stay below 2^31). */
#define TOMBSTONE UINT64_MAX

static inline uint32_t slot_hash(uint64_t slot)
{
    return (uint32_t)(slot >> 32);
}

static inline uint32_t slot_position(uint64_t slot)
{
    return (uint32_t)slot - 1;
}

static inline uint64_t make_slot(uint32_t hash, size_t position)
{
    return ((uint64_t)hash << 32) | (uint64_t)(position + 1);
}

static inline size_t slot_count(const element_table *table)
{
    return (size_t)table->slot_mask + 1;
}

/* Smallest power-of-two slot count that holds count entries at <= 3/4. */
static size_t slots_for(size_t count)
{
    size_t slots = MIN_SLOTS;
    while (slots / 4 * 3 < count)
        slots *= 2;
    return slots;
}

static void insert_slot(uint64_t *slots, size_t mask, uint64_t slot)
{
    size_t at = slot_hash(slot) & mask;
    while (slots[at] != 0)
        at = (at + 1) & mask;
    slots[at] = slot;
}

static uint64_t *new_slots(size_t count)
{
    uint64_t *slots = dblite_alloc(count * sizeof(uint64_t));
    if (slots != NULL)
        memset(slots, 0, count * sizeof(uint64_t));
    return slots;
}

/* ---- migration ---------------------------------------------------------------- */

static void migrate(element_table *table, size_t steps)
{
    if (table->old_slots == NULL)
        return;
    size_t old_count = (size_t)table->old_slot_mask + 1;
    size_t end = table->migrated + steps < old_count ? table->migrated + steps : old_count;
    for (size_t i = table->migrated; i < end; i++) {
        uint64_t slot = table->old_slots[i];
        if (slot != 0 && slot != TOMBSTONE) {
            insert_slot(table->slots, table->slot_mask, slot);
            table->old_slots[i] = TOMBSTONE;
        }
    }
    table->migrated = (uint32_t)end;
    if (end == old_count) {
        dblite_free(table->old_slots);
        table->old_slots = NULL;
        table->old_slot_mask = 0;
        table->migrated = 0;
    }
}

static void finish_migration(element_table *table)
{
    if (table->old_slots != NULL)
        migrate(table, (size_t)table->old_slot_mask + 1);
}

/* ---- preparing the next index ------------------------------------------------------ */

static void drop_prepared(element_table *table)
{
    dblite_free(table->next_slots);
    table->next_slots = NULL;
    table->next_slot_mask = 0;
    table->next_zeroed = 0;
}

/* Keeps a zeroed index of count slots on the way: allocates it if needed
 * and zeroes one more step.  Nothing happens when memory is short (the
 * resize then allocates at once). */
static void prepare_step(element_table *table, size_t count)
{
    if (table->next_slots != NULL && (size_t)table->next_slot_mask + 1 != count)
        drop_prepared(table);
    if (table->next_slots == NULL) {
        table->next_slots = dblite_alloc(count * sizeof(uint64_t));
        if (table->next_slots == NULL)
            return;
        table->next_slot_mask = (uint32_t)(count - 1);
        table->next_zeroed = 0;
    }
    size_t end =
        table->next_zeroed + ZEROING_STEP < count ? table->next_zeroed + ZEROING_STEP : count;
    memset(table->next_slots + table->next_zeroed, 0,
           (end - table->next_zeroed) * sizeof(uint64_t));
    table->next_zeroed = (uint32_t)end;
}

/* Prepares the index the load is heading to, if any; drops one prepared
 * for a resize that is no longer coming. */
static void plan_next_index(element_table *table)
{
    size_t slots = slot_count(table);
    if (slots < INCREMENTAL_SLOTS || table->old_slots != NULL)
        return;
    size_t count = table->count;
    if (count > slots / 8 * 5)
        prepare_step(table, slots * 2);
    else if (count < slots / 6)
        prepare_step(table, slots / 4);
    else if (table->next_slots != NULL)
        drop_prepared(table);
}

/* A zeroed index of count slots: the prepared one (finished off) when it
 * has that size, else a new one.  NULL on OOM. */
static uint64_t *take_index(element_table *table, size_t count)
{
    if (table->next_slots == NULL || (size_t)table->next_slot_mask + 1 != count) {
        drop_prepared(table);
        return new_slots(count);
    }
    uint64_t *slots = table->next_slots;
    memset(slots + table->next_zeroed, 0, (count - table->next_zeroed) * sizeof(uint64_t));
    table->next_slots = NULL;
    table->next_slot_mask = 0;
    table->next_zeroed = 0;
    return slots;
}

/* Moves the table to an index of count slots: at once for small indexes,
 * step by step for large ones.  DBLITE_OK or DBLITE_ERR_NOMEM (unchanged). */
static int resize_index(element_table *table, size_t count)
{
    finish_migration(table);
    uint64_t *slots = take_index(table, count);
    if (slots == NULL)
        return DBLITE_ERR_NOMEM;
    uint64_t *old = table->slots;
    size_t old_count = table->slots != NULL ? slot_count(table) : 0;
    table->slots = slots;
    table->slot_mask = (uint32_t)(count - 1);
    if (old == NULL)
        return DBLITE_OK;
    table->old_slots = old;
    table->old_slot_mask = (uint32_t)(old_count - 1);
    table->migrated = 0;
    if (old_count < INCREMENTAL_SLOTS)
        finish_migration(table);
    return DBLITE_OK;
}

/* ---- lifetime ------------------------------------------------------------------- */

static int resize_entries(element_table *table, size_t capacity)
{
    table_entry **entries = dblite_realloc(table->entries, capacity * sizeof(table_entry *));
    if (entries == NULL)
        return DBLITE_ERR_NOMEM;
    table->entries = entries;
    table->entries_capacity = (uint32_t)capacity;
    return DBLITE_OK;
}

/* Empty and sized, keeping whatever secret key the table has. */
static int init_keeping_key(element_table *table, size_t expected)
{
    uint8_t hash_key[sizeof table->hash_key];
    memcpy(hash_key, table->hash_key, sizeof hash_key);
    memset(table, 0, sizeof *table);
    memcpy(table->hash_key, hash_key, sizeof hash_key);
    if (expected > ELEMENT_TABLE_MAX_COUNT)
        return DBLITE_ERR_NOMEM;
    size_t capacity = expected > MIN_ENTRIES ? expected : MIN_ENTRIES;
    if (resize_entries(table, capacity) != DBLITE_OK)
        return DBLITE_ERR_NOMEM;
    if (resize_index(table, slots_for(capacity)) != DBLITE_OK) {
        dblite_free(table->entries);
        table->entries = NULL;
        return DBLITE_ERR_NOMEM;
    }
    return DBLITE_OK;
}

int element_table_init(element_table *table, size_t expected)
{
    random_fill_from_system(table->hash_key, sizeof table->hash_key);
    return init_keeping_key(table, expected);
}

void element_table_destroy(element_table *table)
{
    for (size_t i = 0; i < table->count; i++)
        dblite_free(table->entries[i]);
    dblite_free(table->entries);
    dblite_free(table->slots);
    dblite_free(table->old_slots);
    dblite_free(table->next_slots);
    memset(table, 0, sizeof *table);
}

/* ---- lookups ---------------------------------------------------------------------- */

uint32_t element_table_hash(const element_table *table, const char *key, size_t length)
{
    return (uint32_t)dblite_hash_keyed(key, length, table->hash_key);
}

static size_t probe(const element_table *table, const uint64_t *slots, size_t mask, const char *key,
                    size_t length, uint32_t hash)
{
    size_t at = hash & mask;
    for (;;) {
        uint64_t slot = slots[at];
        if (slot == 0)
            return ELEMENT_TABLE_ABSENT;
        if (slot_hash(slot) == hash && slot != TOMBSTONE) {
            uint32_t position = slot_position(slot);
            const table_entry *entry = table->entries[position];
            if (entry->key_length == length && memcmp(entry->bytes, key, length) == 0)
                return position;
        }
        at = (at + 1) & mask;
    }
}

size_t element_table_find(const element_table *table, const char *key, size_t length, uint32_t hash)
{
    size_t position = probe(table, table->slots, table->slot_mask, key, length, hash);
    if (position == ELEMENT_TABLE_ABSENT && table->old_slots != NULL)
        position = probe(table, table->old_slots, table->old_slot_mask, key, length, hash);
    return position;
}

/* The slot that points at position (whose entry has hash), in whichever
 * index holds it. */
static uint64_t *slot_of(element_table *table, uint32_t hash, size_t position)
{
    uint64_t wanted = make_slot(hash, position);
    size_t mask = table->slot_mask;
    for (size_t at = hash & mask; table->slots[at] != 0; at = (at + 1) & mask)
        if (table->slots[at] == wanted)
            return &table->slots[at];
    mask = table->old_slot_mask;
    size_t at = hash & mask;
    while (table->old_slots[at] != wanted)
        at = (at + 1) & mask;
    return &table->old_slots[at];
}

/* ---- edits ------------------------------------------------------------------------ */

int element_table_add(element_table *table, table_entry *entry)
{
    size_t count = table->count;
    if (count >= ELEMENT_TABLE_MAX_COUNT)
        return DBLITE_ERR_NOMEM;
    if (count == table->entries_capacity &&
        resize_entries(table, (size_t)table->entries_capacity * 2) != DBLITE_OK)
        return DBLITE_ERR_NOMEM;
    if (count + 1 > slot_count(table) / 4 * 3 &&
        resize_index(table, slot_count(table) * 2) != DBLITE_OK)
        return DBLITE_ERR_NOMEM;
    table->entries[count] = entry;
    insert_slot(table->slots, table->slot_mask, make_slot(entry->hash, count));
    table->count = (uint32_t)(count + 1);
    table->entry_bytes += dblite_alloc_size(entry);
    migrate(table, MIGRATION_STEP);
    plan_next_index(table);
    return DBLITE_OK;
}

/* Empties slot hole of the current index and pulls later members of its
 * probe run back so that every entry stays reachable from its home slot
 * without gaps. */
static void delete_slot(element_table *table, size_t hole)
{
    uint64_t *slots = table->slots;
    size_t mask = table->slot_mask;
    size_t next = hole;
    for (;;) {
        next = (next + 1) & mask;
        uint64_t slot = slots[next];
        if (slot == 0)
            break;
        size_t home = slot_hash(slot) & mask;
        /* The entry may fill the hole when its home is not between the hole
         * (exclusive) and its current slot, cyclically. */
        if (((next - home) & mask) >= ((next - hole) & mask)) {
            slots[hole] = slot;
            hole = next;
        }
    }
    slots[hole] = 0;
}

static void unlink_slot(element_table *table, uint64_t *slot)
{
    if (slot >= table->slots && slot < table->slots + slot_count(table))
        delete_slot(table, (size_t)(slot - table->slots));
    else
        *slot = TOMBSTONE;
}

static void shrink_if_sparse(element_table *table)
{
    size_t count = table->count;
    size_t slots = slot_count(table);
    if (table->old_slots == NULL && slots > MIN_SLOTS && count < slots / 8)
        (void)resize_index(table, slots / 4 > MIN_SLOTS ? slots / 4
                                                        : MIN_SLOTS); /* stays valid if it fails */
    if (table->entries_capacity > MIN_ENTRIES && count < table->entries_capacity / 4) {
        size_t capacity = table->entries_capacity / 2;
        (void)resize_entries(table, capacity < MIN_ENTRIES ? MIN_ENTRIES : capacity);
    }
}

table_entry *element_table_remove(element_table *table, size_t position)
{
    table_entry *removed = table->entries[position];
    unlink_slot(table, slot_of(table, removed->hash, position));
    size_t last = (size_t)table->count - 1;
    if (position != last) {
        table_entry *moved = table->entries[last];
        table->entries[position] = moved;
        *slot_of(table, moved->hash, last) = make_slot(moved->hash, position);
    }
    table->count = (uint32_t)last;
    table->entry_bytes -= dblite_alloc_size(removed);
    migrate(table, MIGRATION_STEP);
    shrink_if_sparse(table);
    plan_next_index(table);
    return removed;
}

table_entry *element_table_resize_entry(element_table *table, size_t position, size_t size)
{
    table_entry *entry = table->entries[position];
    size_t before = dblite_alloc_size(entry);
    table_entry *resized = dblite_realloc(entry, size);
    if (resized == NULL)
        return NULL;
    table->entries[position] = resized;
    table->entry_bytes = table->entry_bytes - before + dblite_alloc_size(resized);
    return resized;
}

size_t element_table_memory(const element_table *table)
{
    return dblite_alloc_size(table->entries) + dblite_alloc_size(table->slots) +
           dblite_alloc_size(table->old_slots) + dblite_alloc_size(table->next_slots) +
           table->entry_bytes;
}

table_entry *table_entry_create(const char *key, size_t key_length, uint32_t hash, size_t extra)
{
    if (key_length > UINT32_MAX)
        return NULL;
    table_entry *entry = dblite_alloc(sizeof(table_entry) + key_length + extra);
    if (entry == NULL)
        return NULL;
    entry->hash = hash;
    entry->key_length = (uint32_t)key_length;
    if (key_length > 0)
        memcpy(entry->bytes, key, key_length);
    return entry;
}

int element_table_copy(element_table *target, const element_table *source,
                       size_t (*entry_size)(const table_entry *entry))
{
    memcpy(target->hash_key, source->hash_key, sizeof target->hash_key);
    if (init_keeping_key(target, source->count) != DBLITE_OK)
        return DBLITE_ERR_NOMEM;
    for (size_t i = 0; i < source->count; i++) {
        const table_entry *entry = source->entries[i];
        size_t size = entry_size(entry);
        table_entry *copy = dblite_alloc(size);
        if (copy != NULL)
            memcpy(copy, entry, size);
        if (copy == NULL || element_table_add(target, copy) != DBLITE_OK) {
            dblite_free(copy);
            element_table_destroy(target);
            return DBLITE_ERR_NOMEM;
        }
    }
    return DBLITE_OK;
}
