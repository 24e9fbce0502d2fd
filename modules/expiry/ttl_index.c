/*
 * ttl_index.c - records in pages, a chained hash table and a min-heap over
 * record numbers (see ttl_index.h).
 *
 * Records stay dense: removing one moves the last record into the hole, so
 * record numbers are 0..count-1, the pages in use are exactly those that
 * numbers reach, and both the bucket chains and the heap can name records by
 * 32-bit number instead of 64-bit pointer.  Heap slot n lives in the same
 * page as record n because the heap always has as many slots as there are
 * records, so a page is one allocation.
 */
#include "ttl_index.h"

#include <string.h>

#include "dblite_module.h"

#define PAGE_MASK (TTL_INDEX_PAGE_RECORDS - 1)
/* Page 0 starts this small and doubles while it is the only page. */
#define FIRST_PAGE_MIN_RECORDS 16
#define MIN_BUCKETS 16
#define INITIAL_PAGE_SLOTS 4
/* Buckets moved by each get/set/remove during a rehash, and how many empty
 * old buckets a step may skip per bucket it moves: a shrink starts from a
 * mostly empty array and must still finish in bounded calls. */
#define STEP_BUCKETS 1
#define EMPTY_VISITS_PER_BUCKET 10
/* A heap of fewer than 2^32 slots is at most 32 levels deep. */
#define DUE_STACK_SIZE 64

/* ---- Memory, counted as it is taken and given back ------------------------ */

static void *tracked_alloc(ttl_index *index, size_t size)
{
    void *block = dblite_alloc(size);
    if (block)
        index->memory += dblite_alloc_size(block);
    return block;
}

static void *tracked_calloc(ttl_index *index, size_t size)
{
    void *block = dblite_calloc(size);
    if (block)
        index->memory += dblite_alloc_size(block);
    return block;
}

static void *tracked_realloc(ttl_index *index, void *block, size_t size)
{
    size_t before = dblite_alloc_size(block);
    void *moved = dblite_realloc(block, size);
    if (moved)
        index->memory = index->memory - before + dblite_alloc_size(moved);
    return moved;
}

static void tracked_free(ttl_index *index, void *block)
{
    if (!block)
        return;
    index->memory -= dblite_alloc_size(block);
    dblite_free(block);
}

/* ---- Pages ------------------------------------------------------------------ */

static size_t page_block_size(size_t records)
{
    return records * (sizeof(ttl_record) + sizeof(uint32_t));
}

static ttl_page page_view(void *block, size_t records)
{
    ttl_page page = {block, (uint32_t *)((char *)block + records * sizeof(ttl_record))};
    return page;
}

static ttl_record *record_at(const ttl_index *index, size_t number)
{
    return &index->pages[number >> TTL_INDEX_PAGE_SHIFT].records[number & PAGE_MASK];
}

static uint32_t *heap_slot(const ttl_index *index, size_t position)
{
    return &index->pages[position >> TTL_INDEX_PAGE_SHIFT].heap[position & PAGE_MASK];
}

/* Page 0 exists whenever the pages array does, even while count is 0 in
 * the middle of a removal. */
static size_t pages_held(const ttl_index *index)
{
    if (!index->pages)
        return 0;
    return index->count == 0 ? 1 : ((index->count - 1) >> TTL_INDEX_PAGE_SHIFT) + 1;
}

/* The first record: buckets, page 0 and the pages array, all or nothing. */
static int reserve_first_record(ttl_index *index)
{
    uint32_t *buckets = tracked_calloc(index, MIN_BUCKETS * sizeof(uint32_t));
    if (!buckets)
        return -1;
    void *block = tracked_alloc(index, page_block_size(FIRST_PAGE_MIN_RECORDS));
    if (!block) {
        tracked_free(index, buckets);
        return -1;
    }
    ttl_page *pages = tracked_alloc(index, INITIAL_PAGE_SLOTS * sizeof(ttl_page));
    if (!pages) {
        tracked_free(index, block);
        tracked_free(index, buckets);
        return -1;
    }
    index->buckets[0] = buckets;
    index->bucket_count[0] = MIN_BUCKETS;
    index->pages = pages;
    index->page_slots = INITIAL_PAGE_SLOTS;
    index->pages[0] = page_view(block, FIRST_PAGE_MIN_RECORDS);
    index->first_page_records = FIRST_PAGE_MIN_RECORDS;
    return 0;
}

/* Doubling page 0 copies at most half a page. */
static int grow_first_page(ttl_index *index)
{
    size_t old_records = index->first_page_records, records = old_records * 2;
    char *block = tracked_realloc(index, index->pages[0].records, page_block_size(records));
    if (!block)
        return -1;
    ttl_page page = page_view(block, records);
    memmove(page.heap, block + old_records * sizeof(ttl_record), index->count * sizeof(uint32_t));
    index->pages[0] = page;
    index->first_page_records = records;
    return 0;
}

/* A full page for record number count, from the spare when there is one. */
static int add_page(ttl_index *index)
{
    size_t page = index->count >> TTL_INDEX_PAGE_SHIFT;
    void *block = index->spare_page;
    if (!block) {
        block = tracked_alloc(index, page_block_size(TTL_INDEX_PAGE_RECORDS));
        if (!block)
            return -1;
    }
    if (page == index->page_slots) {
        ttl_page *pages =
            tracked_realloc(index, index->pages, index->page_slots * 2 * sizeof(ttl_page));
        if (!pages) {
            if (block != index->spare_page)
                tracked_free(index, block);
            return -1;
        }
        index->pages = pages;
        index->page_slots *= 2;
    }
    index->spare_page = NULL;
    index->pages[page] = page_view(block, TTL_INDEX_PAGE_RECORDS);
    return 0;
}

/* Room for record number count; on failure the index is as it was. */
static int reserve_record(ttl_index *index)
{
    size_t number = index->count;
    if (number == 0)
        return reserve_first_record(index);
    if (number < index->first_page_records)
        return 0;
    if (number < TTL_INDEX_PAGE_RECORDS)
        return grow_first_page(index);
    if ((number & PAGE_MASK) != 0)
        return 0;
    return add_page(index);
}

/* After a removal: an emptied page becomes the spare, and the spare goes
 * once the last page is less than half full, so counts hovering at a page
 * boundary neither allocate nor free.  (Counts fall one by one, so there is
 * no spare left by the time the next page empties.) */
static void release_pages(ttl_index *index)
{
    size_t offset = index->count & PAGE_MASK;
    if (offset == 0 && index->count >= TTL_INDEX_PAGE_RECORDS) {
        size_t page = index->count >> TTL_INDEX_PAGE_SHIFT;
        tracked_free(index, index->spare_page);
        index->spare_page = index->pages[page].records;
        index->pages[page].records = NULL;
        index->pages[page].heap = NULL;
    } else if (index->spare_page && offset != 0 && offset < TTL_INDEX_PAGE_RECORDS / 2) {
        tracked_free(index, index->spare_page);
        index->spare_page = NULL;
    }
}

/* ---- Hash table ------------------------------------------------------------- */

/* Handles are addresses, aligned and clustered: a full 64-bit mix spreads
 * them over the low bits the bucket mask keeps.  The seed varies the
 * collisions from process to process. */
static uint64_t handle_hash(uint64_t seed, const void *handle)
{
    uint64_t x = (uint64_t)(uintptr_t)handle ^ seed;
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDULL;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ULL;
    x ^= x >> 33;
    return x;
}

static int rehashing(const ttl_index *index)
{
    return index->buckets[1] != NULL;
}

/* The bucket a hash belongs to now: old buckets below the cursor have been
 * moved to the new array. */
static uint32_t *bucket_for(const ttl_index *index, uint64_t hash)
{
    size_t old_bucket = hash & (index->bucket_count[0] - 1);
    if (rehashing(index) && old_bucket < index->rehash_cursor)
        return &index->buckets[1][hash & (index->bucket_count[1] - 1)];
    return &index->buckets[0][old_bucket];
}

/* The link (bucket or chain field) holding the record's number + 1. */
static uint32_t *find_link(const ttl_index *index, uint64_t hash, const void *handle)
{
    uint32_t *link = bucket_for(index, hash);
    while (*link) {
        ttl_record *record = record_at(index, *link - 1);
        if (record->handle == handle)
            return link;
        link = &record->next;
    }
    return NULL;
}

static void finish_rehash_when_done(ttl_index *index)
{
    if (index->rehash_cursor < index->bucket_count[0])
        return;
    tracked_free(index, index->buckets[0]);
    index->buckets[0] = index->buckets[1];
    index->bucket_count[0] = index->bucket_count[1];
    index->buckets[1] = NULL;
    index->bucket_count[1] = 0;
    index->rehash_cursor = 0;
}

static void rehash_buckets(ttl_index *index, size_t moves)
{
    size_t empty_visits =
        moves > SIZE_MAX / EMPTY_VISITS_PER_BUCKET ? SIZE_MAX : moves * EMPTY_VISITS_PER_BUCKET;
    size_t new_mask = index->bucket_count[1] - 1;
    while (moves > 0 && index->rehash_cursor < index->bucket_count[0]) {
        uint32_t *old_bucket = &index->buckets[0][index->rehash_cursor];
        if (*old_bucket == 0) {
            if (empty_visits == 0)
                break;
            empty_visits--;
            index->rehash_cursor++;
            continue;
        }
        for (uint32_t number = *old_bucket; number != 0;) {
            ttl_record *record = record_at(index, number - 1);
            uint32_t next = record->next;
            uint32_t *new_bucket =
                &index->buckets[1][handle_hash(index->seed, record->handle) & new_mask];
            record->next = *new_bucket;
            *new_bucket = number;
            number = next;
        }
        *old_bucket = 0;
        index->rehash_cursor++;
        moves--;
    }
    finish_rehash_when_done(index);
}

static void rehash_a_little(ttl_index *index)
{
    if (rehashing(index))
        rehash_buckets(index, STEP_BUCKETS);
}

static size_t power_of_two_at_least(size_t wanted, size_t minimum)
{
    size_t size = minimum;
    while (size < wanted)
        size *= 2;
    return size;
}

/* Load above 1 grows, below 1/8 shrinks; 0 when the size is right.  Only
 * asked while not rehashing. */
static size_t wanted_bucket_count(const ttl_index *index)
{
    size_t size = index->bucket_count[0];
    if (index->count > size)
        return power_of_two_at_least(index->count, size * 2);
    if (size > MIN_BUCKETS && index->count < size / 8)
        return power_of_two_at_least(index->count, MIN_BUCKETS);
    return 0;
}

/* A failed allocation is not an error: the current array keeps working,
 * with longer chains, and the next set or idle step tries again. */
static int start_resize(ttl_index *index, size_t bucket_count)
{
    if (bucket_count > SIZE_MAX / sizeof(uint32_t))
        return -1;
    uint32_t *buckets = tracked_calloc(index, bucket_count * sizeof(uint32_t));
    if (!buckets)
        return -1;
    index->buckets[1] = buckets;
    index->bucket_count[1] = bucket_count;
    index->rehash_cursor = 0;
    return 0;
}

/* ---- Heap --------------------------------------------------------------------- */

static long long heap_deadline(const ttl_index *index, size_t position)
{
    return record_at(index, *heap_slot(index, position))->deadline;
}

static void heap_place(ttl_index *index, size_t position, uint32_t number)
{
    *heap_slot(index, position) = number;
    record_at(index, number)->heap_position = (uint32_t)position;
}

static void heap_sift_up(ttl_index *index, size_t position)
{
    uint32_t number = *heap_slot(index, position);
    long long deadline = record_at(index, number)->deadline;
    while (position > 0) {
        size_t parent = (position - 1) / 2;
        uint32_t above = *heap_slot(index, parent);
        if (record_at(index, above)->deadline <= deadline)
            break;
        heap_place(index, position, above);
        position = parent;
    }
    heap_place(index, position, number);
}

static void heap_sift_down(ttl_index *index, size_t position, size_t size)
{
    uint32_t number = *heap_slot(index, position);
    long long deadline = record_at(index, number)->deadline;
    for (;;) {
        size_t child = position * 2 + 1;
        if (child >= size)
            break;
        long long child_deadline = heap_deadline(index, child);
        if (child + 1 < size) {
            long long right_deadline = heap_deadline(index, child + 1);
            if (right_deadline < child_deadline) {
                child++;
                child_deadline = right_deadline;
            }
        }
        if (child_deadline >= deadline)
            break;
        heap_place(index, position, *heap_slot(index, child));
        position = child;
    }
    heap_place(index, position, number);
}

/* Takes the slot at position out of a heap of size + 1 slots. */
static void heap_delete(ttl_index *index, size_t position, size_t size)
{
    if (position == size)
        return;
    uint32_t moved = *heap_slot(index, size);
    heap_place(index, position, moved);
    heap_sift_down(index, position, size);
    heap_sift_up(index, record_at(index, moved)->heap_position);
}

/* ---- Keeping records dense ------------------------------------------------------ */

/* Moves record from into the free slot to, repointing its chain link and
 * its heap slot. */
static void move_record(ttl_index *index, size_t from, size_t to)
{
    ttl_record *source = record_at(index, from);
    uint32_t *link = bucket_for(index, handle_hash(index->seed, source->handle));
    while (*link != from + 1)
        link = &record_at(index, *link - 1)->next;
    *link = (uint32_t)to + 1;
    *record_at(index, to) = *source;
    *heap_slot(index, source->heap_position) = (uint32_t)to;
}

/* ---- Compacting page 0 and the pages array (idle time only: allocates) ---- */

static int first_page_oversized(const ttl_index *index)
{
    return index->first_page_records > FIRST_PAGE_MIN_RECORDS &&
           index->count <= index->first_page_records / 4;
}

static int pages_array_oversized(const ttl_index *index)
{
    return index->page_slots > INITIAL_PAGE_SLOTS && pages_held(index) * 4 <= index->page_slots;
}

static int shrink_first_page(ttl_index *index)
{
    size_t records = index->first_page_records / 2;
    void *block = tracked_alloc(index, page_block_size(records));
    if (!block)
        return -1;
    ttl_page page = page_view(block, records);
    memcpy(page.records, index->pages[0].records, index->count * sizeof(ttl_record));
    memcpy(page.heap, index->pages[0].heap, index->count * sizeof(uint32_t));
    tracked_free(index, index->pages[0].records);
    index->pages[0] = page;
    index->first_page_records = records;
    return 0;
}

static int shrink_pages_array(ttl_index *index)
{
    ttl_page *pages =
        tracked_realloc(index, index->pages, index->page_slots / 2 * sizeof(ttl_page));
    if (!pages)
        return -1;
    index->pages = pages;
    index->page_slots /= 2;
    return 0;
}

/* ---- Interface ------------------------------------------------------------------- */

void ttl_index_init(ttl_index *index, uint64_t seed)
{
    memset(index, 0, sizeof(*index));
    index->seed = seed;
}

void ttl_index_clear(ttl_index *index)
{
    size_t held = pages_held(index);
    for (size_t page = 0; page < held; page++)
        tracked_free(index, index->pages[page].records);
    tracked_free(index, index->spare_page);
    tracked_free(index, index->pages);
    tracked_free(index, index->buckets[0]);
    tracked_free(index, index->buckets[1]);
    ttl_index_init(index, index->seed);
}

long long ttl_index_get(ttl_index *index, const void *handle)
{
    if (index->count == 0)
        return -1;
    rehash_a_little(index);
    uint32_t *link = find_link(index, handle_hash(index->seed, handle), handle);
    return link ? record_at(index, *link - 1)->deadline : -1;
}

int ttl_index_set(ttl_index *index, const void *handle, long long deadline)
{
    uint64_t hash = handle_hash(index->seed, handle);
    if (index->count > 0) {
        uint32_t *link = find_link(index, hash, handle);
        if (link) {
            ttl_record *record = record_at(index, *link - 1);
            long long old = record->deadline;
            index->deadline_sum += (__int128)deadline - old;
            record->deadline = deadline;
            if (deadline < old)
                heap_sift_up(index, record->heap_position);
            else if (deadline > old)
                heap_sift_down(index, record->heap_position, index->count);
            rehash_a_little(index);
            return 0;
        }
    }
    if (index->count >= TTL_INDEX_MAX_RECORDS)
        return -1;
    if (reserve_record(index) != 0)
        return -1;
    size_t number = index->count;
    ttl_record *record = record_at(index, number);
    record->handle = handle;
    record->deadline = deadline;
    uint32_t *bucket = bucket_for(index, hash);
    record->next = *bucket;
    *bucket = (uint32_t)number + 1;
    index->count++;
    index->deadline_sum += deadline;
    heap_place(index, number, (uint32_t)number);
    heap_sift_up(index, number);
    rehash_a_little(index);
    if (!rehashing(index)) {
        size_t wanted = wanted_bucket_count(index);
        if (wanted)
            (void)start_resize(index, wanted);
    }
    return 0;
}

int ttl_index_remove(ttl_index *index, const void *handle)
{
    if (index->count == 0)
        return 0;
    rehash_a_little(index);
    uint32_t *link = find_link(index, handle_hash(index->seed, handle), handle);
    if (!link)
        return 0;
    size_t hole = *link - 1;
    ttl_record *removed = record_at(index, hole);
    *link = removed->next;
    index->deadline_sum -= removed->deadline;
    size_t last = index->count - 1;
    heap_delete(index, removed->heap_position, last);
    if (hole != last)
        move_record(index, last, hole);
    index->count = last;
    if (last == 0)
        ttl_index_clear(index);
    else
        release_pages(index);
    return 1;
}

int ttl_index_earliest(const ttl_index *index, const void **handle, long long *deadline)
{
    if (index->count == 0)
        return 0;
    const ttl_record *record = record_at(index, *heap_slot(index, 0));
    *handle = record->handle;
    *deadline = record->deadline;
    return 1;
}

size_t ttl_index_count(const ttl_index *index)
{
    return index->count;
}

/* Walks the heap from the top through due slots only: a slot that is not
 * due has no due slot below it. */
size_t ttl_index_count_due(const ttl_index *index, long long now_ms)
{
    if (index->count == 0 || heap_deadline(index, 0) >= now_ms)
        return 0;
    size_t pending[DUE_STACK_SIZE];
    size_t depth = 0, due = 0;
    pending[depth++] = 0;
    while (depth > 0) {
        size_t position = pending[--depth];
        due++;
        /* Right child first, so the stack holds one pending slot per level. */
        for (size_t child = position * 2 + 2; child > position * 2; child--)
            if (child < index->count && heap_deadline(index, child) < now_ms)
                pending[depth++] = child;
    }
    return due;
}

size_t ttl_index_memory(const ttl_index *index)
{
    return index->memory;
}

long long ttl_index_average_ttl(const ttl_index *index, long long now_ms)
{
    if (index->count == 0)
        return 0;
    long long average = (long long)(index->deadline_sum / (__int128)index->count) - now_ms;
    return average > 0 ? average : 0;
}

void ttl_index_swap(ttl_index *a, ttl_index *b)
{
    ttl_index saved = *a;
    *a = *b;
    *b = saved;
}

int ttl_index_rehash_step(ttl_index *index, size_t buckets)
{
    if (index->count == 0)
        return 0;
    if (!rehashing(index)) {
        size_t wanted = wanted_bucket_count(index);
        if (wanted && start_resize(index, wanted) != 0)
            return 0;
    }
    if (rehashing(index)) {
        rehash_buckets(index, buckets ? buckets : 1);
        if (rehashing(index))
            return 1;
    }
    if (first_page_oversized(index) && shrink_first_page(index) != 0)
        return 0;
    if (pages_array_oversized(index) && shrink_pages_array(index) != 0)
        return 0;
    return wanted_bucket_count(index) != 0 || first_page_oversized(index) ||
           pages_array_oversized(index);
}
