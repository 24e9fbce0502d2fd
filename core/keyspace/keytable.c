/*
 * keytable.c - chained hash table with incremental rehashing for the keyspace.
 *
 * Two bucket arrays: normally only arrays[0] is in use; while resizing,
 * arrays[1] is the new one and each operation moves one bucket over, so no
 * single command pays for rehashing millions of keys (the cost Redis's dict
 * also spreads out).  Growth starts when keys reach the bucket count, a
 * shrink when under 10% of buckets are used.  Entries do not cache their
 * hash: with the key inline, recomputing it during a rehash costs less than
 * the 8 bytes per key a cached hash would.
 */
#include "keyspace/keytable.h"

#include <string.h>
#include <time.h>

#include "dblite_module.h"
#include "util/siphash.h"

#define INITIAL_BUCKET_COUNT 4
/* A shrink starts below this percentage of used buckets (Redis's
 * HASHTABLE_MIN_FILL). */
#define SHRINK_FILL_PERCENT 10
/* A rehash step moving one bucket may skip this many empty ones before it
 * gives up, so a step stays short on a sparse table. */
#define EMPTY_VISITS_PER_BUCKET 10
/* keytable_random picks among this many neighbouring entries, which evens
 * out the bias towards entries in short chains. */
#define FAIR_RANDOM_SAMPLE 15
/* keytable_rehash_for checks the clock after this many buckets. */
#define BUCKETS_PER_CLOCK_CHECK 100

typedef struct bucket_array {
    keytable_entry **buckets;
    size_t size; /* a power of two, or 0 when there is no array */
    size_t used; /* entries linked from this array */
} bucket_array;

struct keytable {
    bucket_array arrays[2]; /* arrays[1] is non-empty only while rehashing */
    size_t rehash_index;    /* buckets of arrays[0] below it are already moved */
    int paused;             /* live iterators and scans: no rehash step while > 0 */
    uint64_t seed0, seed1;
    uint64_t random_state; /* for keytable_random and keytable_sample */
    size_t entry_bytes;    /* allocator's size of every linked entry */
    size_t clear_index[2]; /* keytable_clear_step: next bucket of each array */
};

/* ---- Small helpers ----------------------------------------------------- */

static inline int is_rehashing(const keytable *table)
{
    return table->arrays[1].size != 0;
}

static inline uint64_t hash_key(const keytable *table, const char *key, size_t key_length)
{
    return siphash_1_2(key, key_length, table->seed0, table->seed1);
}

static inline size_t entry_allocation_size(size_t key_length)
{
    return offsetof(keytable_entry, key) + key_length + 1;
}

/* splitmix64: a statistically good 64-bit generator needing one word of state. */
static uint64_t next_random(keytable *table)
{
    uint64_t mixed = (table->random_state += UINT64_C(0x9e3779b97f4a7c15));
    mixed = (mixed ^ (mixed >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    mixed = (mixed ^ (mixed >> 27)) * UINT64_C(0x94d049bb133111eb);
    return mixed ^ (mixed >> 31);
}

static void free_buckets(keytable_entry **buckets)
{
    if (buckets)
        dblite_free(buckets);
}

/* The smallest power of two holding wanted keys at load factor 1, or 0 when
 * its array would not fit in memory. */
static size_t bucket_count_for(size_t wanted)
{
    size_t size = INITIAL_BUCKET_COUNT;
    while (size < wanted) {
        if (size > SIZE_MAX / 2 / sizeof(keytable_entry *))
            return 0;
        size <<= 1;
    }
    return size;
}

/* ---- Entries ------------------------------------------------------------- */

keytable_entry *keytable_entry_create(const char *key, size_t key_length)
{
    if (key_length > KEYTABLE_MAX_KEY_LENGTH || key_length > SIZE_MAX - entry_allocation_size(0))
        return NULL;
    keytable_entry *entry = dblite_alloc(entry_allocation_size(key_length));
    if (!entry)
        return NULL;
    entry->next = NULL;
    entry->value = NULL;
    entry->key_length = (uint32_t)key_length;
    entry->type_index = 0;
    entry->flags = 0;
    if (key_length)
        memcpy(entry->key, key, key_length);
    entry->key[key_length] = '\0';
    return entry;
}

/* A fresh allocation rather than realloc: the new key may point into the
 * old entry, and realloc would copy the old key for nothing. */
keytable_entry *keytable_entry_rekey(keytable_entry *entry, const char *key, size_t key_length)
{
    keytable_entry *renamed = keytable_entry_create(key, key_length);
    if (!renamed)
        return NULL;
    renamed->value = entry->value;
    renamed->type_index = entry->type_index;
    renamed->flags = entry->flags;
    dblite_free(entry);
    return renamed;
}

void keytable_entry_free(keytable_entry *entry)
{
    if (entry)
        dblite_free(entry);
}

/* ---- Lifetime ------------------------------------------------------------- */

keytable *keytable_create(uint64_t hash_seed0, uint64_t hash_seed1)
{
    keytable *table = dblite_alloc(sizeof(*table));
    if (!table)
        return NULL;
    memset(table, 0, sizeof(*table));
    table->seed0 = hash_seed0;
    table->seed1 = hash_seed1;
    /* Derived through the keyed hash so that observing random picks says
     * nothing usable about the seeds. */
    table->random_state = siphash_1_2("random", 6, hash_seed0, hash_seed1);
    return table;
}

void keytable_clear(keytable *table, keytable_free_value_fn free_entry_value, void *privdata)
{
    keytable_clear_step(table, free_entry_value, privdata, SIZE_MAX);
    for (int i = 0; i < 2; i++) {
        free_buckets(table->arrays[i].buckets);
        memset(&table->arrays[i], 0, sizeof(table->arrays[i]));
    }
    table->rehash_index = 0;
    table->clear_index[0] = table->clear_index[1] = 0;
}

int keytable_clear_step(keytable *table, keytable_free_value_fn free_entry_value, void *privdata,
                        size_t work)
{
    for (int i = 0; i < 2; i++) {
        bucket_array *array = &table->arrays[i];
        size_t *index = &table->clear_index[i];
        while (array->used > 0) {
            if (work == 0)
                return 1;
            work--; /* an empty bucket costs a step too, so a sparse table cannot stall */
            keytable_entry *entry = *index < array->size ? array->buckets[*index] : NULL;
            if (entry == NULL) {
                (*index)++;
                continue;
            }
            array->buckets[*index] = entry->next;
            if (free_entry_value)
                free_entry_value(entry, privdata);
            table->entry_bytes -= dblite_alloc_size(entry);
            dblite_free(entry);
            array->used--;
        }
    }
    return 0;
}

void keytable_destroy(keytable *table, keytable_free_value_fn free_entry_value, void *privdata)
{
    if (!table)
        return;
    keytable_clear(table, free_entry_value, privdata);
    dblite_free(table);
}

void keytable_swap(keytable *a, keytable *b)
{
    keytable contents_of_a = *a;
    *a = *b;
    *b = contents_of_a;
}

size_t keytable_size(const keytable *table)
{
    return table->arrays[0].used + table->arrays[1].used;
}

/* ---- Resizing and rehashing ------------------------------------------------ */

/* Switch to an array sized for wanted keys: directly when there is nothing
 * to move, otherwise by starting an incremental rehash.  Must not be called
 * while rehashing.  Returns -1 when the array cannot be allocated, leaving
 * the table as it was. */
static int resize(keytable *table, size_t wanted)
{
    size_t size = bucket_count_for(wanted);
    if (size == 0)
        return -1;
    if (size == table->arrays[0].size)
        return 0;
    keytable_entry **buckets = dblite_alloc(size * sizeof(*buckets));
    if (!buckets)
        return -1;
    memset(buckets, 0, size * sizeof(*buckets));

    /* With no entry to move the new array can replace the old one at once,
     * unless an iterator holds a position in the old one. */
    if (table->arrays[0].size == 0 || (table->arrays[0].used == 0 && table->paused == 0)) {
        free_buckets(table->arrays[0].buckets);
        table->arrays[0] = (bucket_array){.buckets = buckets, .size = size, .used = 0};
        return 0;
    }
    table->arrays[1] = (bucket_array){.buckets = buckets, .size = size, .used = 0};
    table->rehash_index = 0;
    return 0;
}

/* Make sure there is an array to insert into, and start growing at load
 * factor 1.  A failed growth is not an error: chains just get longer until
 * memory is available again.  Returns -1 only when there is no array. */
static int grow_if_needed(keytable *table)
{
    if (is_rehashing(table))
        return 0;
    bucket_array *array = &table->arrays[0];
    if (array->size == 0)
        return resize(table, INITIAL_BUCKET_COUNT);
    if (array->used >= array->size)
        (void)resize(table, array->used + 1);
    return 0;
}

static void shrink_if_needed(keytable *table)
{
    if (is_rehashing(table))
        return;
    bucket_array *array = &table->arrays[0];
    if (array->size > INITIAL_BUCKET_COUNT && array->used * 100 < array->size * SHRINK_FILL_PERCENT)
        (void)resize(table, array->used);
}

/* Move up to bucket_budget non-empty buckets from arrays[0] to arrays[1].
 * Returns 1 when buckets remain to move. */
static int rehash_buckets(keytable *table, size_t bucket_budget)
{
    bucket_array *from = &table->arrays[0];
    bucket_array *to = &table->arrays[1];
    size_t to_mask = to->size - 1;
    size_t empty_visits_left = bucket_budget * EMPTY_VISITS_PER_BUCKET;

    while (bucket_budget-- > 0 && from->used != 0) {
        /* used != 0 guarantees a non-empty bucket at or after rehash_index. */
        while (from->buckets[table->rehash_index] == NULL) {
            table->rehash_index++;
            if (--empty_visits_left == 0)
                return 1;
        }
        keytable_entry *entry = from->buckets[table->rehash_index];
        while (entry) {
            keytable_entry *next = entry->next;
            size_t index = hash_key(table, entry->key, entry->key_length) & to_mask;
            entry->next = to->buckets[index];
            to->buckets[index] = entry;
            from->used--;
            to->used++;
            entry = next;
        }
        from->buckets[table->rehash_index] = NULL;
        table->rehash_index++;
    }
    if (from->used != 0)
        return 1;
    free_buckets(from->buckets);
    *from = *to;
    memset(to, 0, sizeof(*to));
    table->rehash_index = 0;
    return 0;
}

/* The share of rehashing each operation on the table pays. */
static inline void rehash_step(keytable *table)
{
    if (is_rehashing(table) && table->paused == 0)
        (void)rehash_buckets(table, 1);
}

static long long monotonic_microseconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

int keytable_rehash_for(keytable *table, long long microseconds)
{
    if (table->paused > 0)
        return is_rehashing(table);
    shrink_if_needed(table);
    if (!is_rehashing(table))
        return 0;
    long long start = monotonic_microseconds();
    for (;;) {
        while (rehash_buckets(table, BUCKETS_PER_CLOCK_CHECK)) {
            if (monotonic_microseconds() - start >= microseconds)
                return 1;
        }
        /* Removals during a shrink can leave its target too big in turn. */
        shrink_if_needed(table);
        if (!is_rehashing(table))
            return 0;
    }
}

int keytable_reserve(keytable *table, size_t count)
{
    if (is_rehashing(table) || count <= table->arrays[0].size)
        return 0;
    return resize(table, count);
}

int keytable_is_rehashing(const keytable *table)
{
    return is_rehashing(table);
}

size_t keytable_bucket_count(const keytable *table)
{
    return table->arrays[0].size + table->arrays[1].size;
}

/* ---- Lookup, insertion, removal --------------------------------------------- */

/* The link (a bucket slot or the next field of the previous entry) that
 * points at key's entry, or NULL; *array_index tells which array holds it. */
static keytable_entry **find_link(keytable *table, const char *key, size_t key_length,
                                  uint64_t hash, int *array_index)
{
    for (int which = 0; which < 2; which++) {
        bucket_array *array = &table->arrays[which];
        if (array->size == 0)
            return NULL;
        size_t index = hash & (array->size - 1);
        /* Buckets below rehash_index are empty: skip the memory access. */
        if (which == 0 && index < table->rehash_index)
            continue;
        for (keytable_entry **link = &array->buckets[index]; *link; link = &(*link)->next) {
            keytable_entry *entry = *link;
            if (entry->key_length == key_length && memcmp(entry->key, key, key_length) == 0) {
                *array_index = which;
                return link;
            }
        }
    }
    return NULL;
}

/* Link a detached entry whose key is known to be absent; grow_if_needed
 * must have succeeded just before. */
static void link_entry(keytable *table, keytable_entry *entry, uint64_t hash)
{
    bucket_array *array = &table->arrays[is_rehashing(table) ? 1 : 0];
    size_t index = hash & (array->size - 1);
    entry->next = array->buckets[index];
    array->buckets[index] = entry;
    array->used++;
    table->entry_bytes += dblite_alloc_size(entry);
}

keytable_entry *keytable_find(keytable *table, const char *key, size_t key_length)
{
    if (keytable_size(table) == 0 || key_length > KEYTABLE_MAX_KEY_LENGTH)
        return NULL;
    rehash_step(table);
    int array_index;
    keytable_entry **link =
        find_link(table, key, key_length, hash_key(table, key, key_length), &array_index);
    return link ? *link : NULL;
}

keytable_entry *keytable_insert(keytable *table, const char *key, size_t key_length, int *created)
{
    if (created)
        *created = 0;
    if (key_length > KEYTABLE_MAX_KEY_LENGTH)
        return NULL;
    rehash_step(table);
    if (grow_if_needed(table) != 0)
        return NULL;
    uint64_t hash = hash_key(table, key, key_length);
    int array_index;
    keytable_entry **link = find_link(table, key, key_length, hash, &array_index);
    if (link)
        return *link;
    keytable_entry *entry = keytable_entry_create(key, key_length);
    if (!entry)
        return NULL;
    link_entry(table, entry, hash);
    if (created)
        *created = 1;
    return entry;
}

int keytable_insert_entry(keytable *table, keytable_entry *entry)
{
    rehash_step(table);
    if (grow_if_needed(table) != 0)
        return KEYTABLE_NOMEM;
    uint64_t hash = hash_key(table, entry->key, entry->key_length);
    int array_index;
    if (find_link(table, entry->key, entry->key_length, hash, &array_index))
        return KEYTABLE_EXISTS;
    link_entry(table, entry, hash);
    return KEYTABLE_OK;
}

keytable_entry *keytable_remove(keytable *table, const char *key, size_t key_length)
{
    if (keytable_size(table) == 0 || key_length > KEYTABLE_MAX_KEY_LENGTH)
        return NULL;
    rehash_step(table);
    int array_index;
    keytable_entry **link =
        find_link(table, key, key_length, hash_key(table, key, key_length), &array_index);
    if (!link)
        return NULL;
    keytable_entry *entry = *link;
    *link = entry->next;
    entry->next = NULL;
    table->arrays[array_index].used--;
    table->entry_bytes -= dblite_alloc_size(entry);
    shrink_if_needed(table);
    return entry;
}

/* ---- SCAN ------------------------------------------------------------------- */

static inline uint64_t reverse_bits(uint64_t value)
{
    value = __builtin_bswap64(value);
    value = ((value >> 4) & UINT64_C(0x0f0f0f0f0f0f0f0f)) |
            ((value & UINT64_C(0x0f0f0f0f0f0f0f0f)) << 4);
    value = ((value >> 2) & UINT64_C(0x3333333333333333)) |
            ((value & UINT64_C(0x3333333333333333)) << 2);
    value = ((value >> 1) & UINT64_C(0x5555555555555555)) |
            ((value & UINT64_C(0x5555555555555555)) << 1);
    return value;
}

/* The cursor counts in bit-reversed order: incrementing from the high bits
 * means a bucket's index in a table of any other power-of-two size keeps
 * the bits already visited, so a resize between calls neither skips nor
 * revisits whole regions.  Bits above the mask are set first so the carry
 * passes over them. */
static inline uint64_t advance_cursor(uint64_t cursor, uint64_t mask)
{
    cursor |= ~mask;
    cursor = reverse_bits(cursor);
    cursor++;
    return reverse_bits(cursor);
}

static void visit_chain(keytable_entry *entry, keytable_visit_fn visit, void *privdata)
{
    while (entry) {
        keytable_entry *next = entry->next;
        visit(entry, privdata);
        entry = next;
    }
}

uint64_t keytable_scan(keytable *table, uint64_t cursor, keytable_visit_fn visit, void *privdata)
{
    if (keytable_size(table) == 0)
        return 0;
    table->paused++;
    if (!is_rehashing(table)) {
        uint64_t mask = table->arrays[0].size - 1;
        visit_chain(table->arrays[0].buckets[cursor & mask], visit, privdata);
        cursor = advance_cursor(cursor, mask);
    } else {
        /* Visit the cursor's bucket in the smaller array, then every bucket
         * of the larger array whose index extends the same low bits. */
        const bucket_array *small = &table->arrays[0];
        const bucket_array *large = &table->arrays[1];
        if (small->size > large->size) {
            small = &table->arrays[1];
            large = &table->arrays[0];
        }
        uint64_t small_mask = small->size - 1;
        uint64_t large_mask = large->size - 1;
        visit_chain(small->buckets[cursor & small_mask], visit, privdata);
        do {
            visit_chain(large->buckets[cursor & large_mask], visit, privdata);
            cursor = advance_cursor(cursor, large_mask);
        } while (cursor & (small_mask ^ large_mask));
    }
    table->paused--;
    return cursor;
}

/* ---- Random entries ---------------------------------------------------------- */

/* A random non-empty bucket, then a random entry of its chain: biased
 * towards entries in short chains, which keytable_random corrects. */
static keytable_entry *random_entry_by_bucket(keytable *table)
{
    keytable_entry *head;
    if (is_rehashing(table)) {
        /* Index the two arrays as one range, leaving out the moved buckets. */
        size_t first_size = table->arrays[0].size;
        size_t span = first_size + table->arrays[1].size - table->rehash_index;
        do {
            size_t index = table->rehash_index + (size_t)(next_random(table) % span);
            head = index < first_size ? table->arrays[0].buckets[index]
                                      : table->arrays[1].buckets[index - first_size];
        } while (!head);
    } else {
        size_t mask = table->arrays[0].size - 1;
        do {
            head = table->arrays[0].buckets[next_random(table) & mask];
        } while (!head);
    }
    size_t chain_length = 0;
    for (keytable_entry *entry = head; entry; entry = entry->next)
        chain_length++;
    size_t position = (size_t)(next_random(table) % chain_length);
    while (position-- > 0)
        head = head->next;
    return head;
}

size_t keytable_sample(keytable *table, keytable_entry **entries, size_t count)
{
    size_t size = keytable_size(table);
    if (count > size)
        count = size;
    if (count == 0)
        return 0;
    for (size_t step = 0; step < count && is_rehashing(table); step++)
        rehash_step(table);

    int array_count = is_rehashing(table) ? 2 : 1;
    size_t max_mask = table->arrays[0].size - 1;
    if (array_count == 2 && table->arrays[1].size - 1 > max_mask)
        max_mask = table->arrays[1].size - 1;
    size_t steps_left = count * 10;
    size_t index = (size_t)next_random(table) & max_mask;
    size_t empty_run = 0;
    size_t stored = 0;

    /* Walk consecutive buckets from a random start; a long run of empty
     * buckets means a sparse region, so jump elsewhere. */
    while (stored < count && steps_left-- > 0) {
        for (int which = 0; which < array_count; which++) {
            const bucket_array *array = &table->arrays[which];
            if (array_count == 2 && which == 0 && index < table->rehash_index) {
                /* Already moved; when arrays[1] is too small to have this
                 * bucket either, continue from the first unmoved one. */
                if (index < table->arrays[1].size)
                    continue;
                index = table->rehash_index;
            }
            if (index >= array->size)
                continue;
            keytable_entry *entry = array->buckets[index];
            if (!entry) {
                empty_run++;
                if (empty_run >= 5 && empty_run > count) {
                    index = (size_t)next_random(table) & max_mask;
                    empty_run = 0;
                }
                continue;
            }
            empty_run = 0;
            for (; entry; entry = entry->next) {
                entries[stored++] = entry;
                if (stored == count)
                    return stored;
            }
        }
        index = (index + 1) & max_mask;
    }
    return stored;
}

keytable_entry *keytable_random(keytable *table)
{
    if (keytable_size(table) == 0)
        return NULL;
    rehash_step(table);
    keytable_entry *sample[FAIR_RANDOM_SAMPLE];
    size_t found = keytable_sample(table, sample, FAIR_RANDOM_SAMPLE);
    if (found == 0)
        return random_entry_by_bucket(table);
    return sample[next_random(table) % found];
}

/* ---- Iterator ------------------------------------------------------------------ */

void keytable_iterator_init(keytable_iterator *iterator, keytable *table)
{
    iterator->table = table;
    iterator->next_entry = NULL;
    iterator->bucket_index = 0;
    iterator->table_index = 0;
    table->paused++;
}

keytable_entry *keytable_iterator_next(keytable_iterator *iterator)
{
    while (!iterator->next_entry) {
        const bucket_array *array = &iterator->table->arrays[iterator->table_index];
        if (iterator->bucket_index >= array->size) {
            /* arrays[1] exists while rehashing; with rehashing paused
             * nothing moved between the two arrays meanwhile. */
            if (iterator->table_index == 1 || !is_rehashing(iterator->table))
                return NULL;
            iterator->table_index = 1;
            iterator->bucket_index = 0;
            continue;
        }
        iterator->next_entry = array->buckets[iterator->bucket_index++];
    }
    keytable_entry *entry = iterator->next_entry;
    iterator->next_entry = entry->next;
    return entry;
}

void keytable_iterator_finish(keytable_iterator *iterator)
{
    iterator->table->paused--;
    iterator->next_entry = NULL;
}

/* ---- Hash and memory -------------------------------------------------------------- */

uint64_t keytable_hash(const keytable *table, const char *key, size_t key_length)
{
    return hash_key(table, key, key_length);
}

size_t keytable_memory_usage(const keytable *table)
{
    return sizeof(*table) +
           (table->arrays[0].size + table->arrays[1].size) * sizeof(keytable_entry *) +
           table->entry_bytes;
}
