/*
 * ttl_index.h - the deadlines of one database: key handle -> absolute
 * deadline in Unix milliseconds, with the earliest deadline at hand.
 *
 * Keys are named by the core's opaque handles, compared by identity and
 * never dereferenced, so a record is 24 bytes and holds no copy of the key.
 * Records live by value in fixed-size pages; a chained hash table of record
 * numbers answers "what is this key's deadline" for lazy expiry, and a
 * binary min-heap of record numbers (kept in the same pages) answers "which
 * key dies next" for active expiry.  About 33 bytes per record at a million.
 *
 * No call does work proportional to the number of records (clear aside):
 * the hash table resizes incrementally like Redis's dict, pages are never
 * copied once full, and the largest block ever allocated is one bucket
 * array, which comes zero-filled from dblite_calloc without a pass over it.
 *
 * Not thread-safe; the server's command thread owns every index.
 */
#ifndef DBLITE_TTL_INDEX_H
#define DBLITE_TTL_INDEX_H

#include <stddef.h>
#include <stdint.h>

/* Records (and heap slots) per page; page 0 starts smaller and doubles up
 * to this, so a database with few TTLs holds little memory. */
#define TTL_INDEX_PAGE_SHIFT 12
#define TTL_INDEX_PAGE_RECORDS ((size_t)1 << TTL_INDEX_PAGE_SHIFT)
/* Record numbers are 32 bits, with 0 kept for "none" in links. */
#define TTL_INDEX_MAX_RECORDS ((size_t)UINT32_MAX - 1)

typedef struct ttl_record {
    const void *handle;
    long long deadline;
    uint32_t next;          /* record number + 1 of the next in the bucket chain; 0 ends it */
    uint32_t heap_position; /* where the heap holds this record's number */
} ttl_record;

/* One block: the page's records, then its heap slots. */
typedef struct ttl_page {
    ttl_record *records;
    uint32_t *heap;
} ttl_page;

typedef struct ttl_index {
    ttl_page *pages;   /* ceil(count / page) pages in use */
    size_t page_slots; /* capacity of the pages array */
    size_t
        first_page_records; /* capacity of page 0 (the full page size once a second page exists) */
    void *spare_page;       /* one emptied full page, kept against alloc/free flapping */
    /* Bucket arrays of record number + 1 (0: empty).  buckets[1] is non-NULL
     * only while rehashing from buckets[0] into it; old buckets below
     * rehash_cursor have been moved. */
    uint32_t *buckets[2];
    size_t bucket_count[2];
    size_t rehash_cursor;
    size_t count;
    size_t memory; /* dblite_alloc_size of every block held */
    uint64_t seed;
    __int128 deadline_sum; /* for the exact average TTL in INFO */
} ttl_index;

/* Empty, allocates nothing. */
void ttl_index_init(ttl_index *index, uint64_t seed);
/* Frees everything, back to the init state with the same seed. */
void ttl_index_clear(ttl_index *index);
/* The deadline, or -1 when the handle has none.  Not const: like every
 * get/set/remove it moves a bucket of an ongoing rehash.  Never allocates. */
long long ttl_index_get(ttl_index *index, const void *handle);
/* Adds or rewrites a deadline; 0, or -1 when out of memory or holding
 * TTL_INDEX_MAX_RECORDS already (the index is then unchanged).  Rewriting
 * an existing deadline never allocates and never fails. */
int ttl_index_set(ttl_index *index, const void *handle, long long deadline);
/* 1 when the handle had a deadline.  Never allocates, never fails; gives
 * back pages as they empty, and everything when the last record goes. */
int ttl_index_remove(ttl_index *index, const void *handle);
/* 1 and the earliest record's handle and deadline, 0 when empty. */
int ttl_index_earliest(const ttl_index *index, const void **handle, long long *deadline);
size_t ttl_index_count(const ttl_index *index);
/* Records whose deadline is before now_ms; O(that count + 1). */
size_t ttl_index_count_due(const ttl_index *index, long long now_ms);
/* Bytes held, O(1). */
size_t ttl_index_memory(const ttl_index *index);
/* Exact mean of (deadline - now_ms); 0 when empty or negative. */
long long ttl_index_average_ttl(const ttl_index *index, long long now_ms);
/* SWAPDB: exchanges the whole contents, seeds included. */
void ttl_index_swap(ttl_index *a, ttl_index *b);
/* Idle-time work: starts a due resize (growth that failed earlier, or a
 * shrink once fewer than an eighth of the buckets are used; removals never
 * allocate, so shrinking starts only here or in set), moves up to `buckets`
 * non-empty buckets (visiting at most ten times as many empty ones), and
 * halves an oversized page 0 or pages array (after mass removals).  Returns 1 while such work remains, 0 when
 * there is none or an allocation it needed failed. */
int ttl_index_rehash_step(ttl_index *index, size_t buckets);

#endif
