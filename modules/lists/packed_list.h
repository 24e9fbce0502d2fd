/*
 * packed_list.h - the compact encoding of list elements: one allocation
 * holding a short header and the elements back to back, each as a tag that
 * says what follows (a small integer, a wider integer, or a string with its
 * length), then the payload, then the entry's own size written backwards so
 * the list can be walked from either end.
 *
 * Small lists are exactly one packed list; large lists are a chain of them
 * (list_chain.h).  Integers that print back to the same text ("17", "-3")
 * are stored in 1 to 9 bytes instead of as text.
 *
 * The entries need not start right after the header: pops at the head
 * leave room there and pushes at the head reuse it (or make some, an
 * eighth of the list at a time), so both ends take pushes and pops
 * without moving the other entries.
 *
 * Positions are byte offsets from the start of the packed list; offset 0
 * never names an entry and means "no entry" (past an end, not found).
 * Any change may move entries, so positions are only valid until then
 * (packed_list_delete returns where the walk goes on).  Functions that
 * grow the allocation take a packed_list ** because the block may move; on
 * failure they leave it untouched.
 */
#ifndef LISTS_PACKED_LIST_H
#define LISTS_PACKED_LIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct packed_list {
    uint32_t start; /* offset of the first entry (free room before it) */
    uint32_t end;   /* offset just past the last entry */
    uint32_t count; /* entries */
    unsigned char entries[];
} packed_list;

#define PACKED_LIST_HEADER_SIZE ((size_t)sizeof(packed_list))
/* The largest packed list; an element that cannot fit in one is refused. */
#define PACKED_LIST_MAX_BYTES ((size_t)UINT32_MAX - 64)
/* The longest element: one entry alone must fit in a packed list. */
#define PACKED_LIST_MAX_ELEMENT (PACKED_LIST_MAX_BYTES - PACKED_LIST_HEADER_SIZE - 16)

/* One element as read back: a string (string != NULL) or an integer. */
typedef struct packed_entry {
    const unsigned char *string;
    size_t length;
    long long integer;
} packed_entry;

/* An element prepared for writing: its encoding is decided once (is it a
 * canonical integer? how wide?) so size checks and writes agree. */
typedef struct packed_value {
    const char *string;     /* the text, when stored as a string */
    size_t length;
    long long integer;
    int is_integer;
    size_t encoded_size;    /* whole entry: tag, payload and back-size */
} packed_value;

/* Classifies bytes for storage.  Returns 0, or -1 when the element is too
 * large for any packed list. */
int packed_value_prepare(packed_value *value, const char *ptr, size_t len);

/* True when ptr/len is the canonical text of a 64-bit integer (what
 * printing the integer gives back: no sign on 0, no leading zeros). */
int packed_parse_integer(const char *ptr, size_t len, long long *integer);

packed_list *packed_list_create(void);
void packed_list_free(packed_list *list);
packed_list *packed_list_copy(const packed_list *list);

static inline size_t packed_list_count(const packed_list *list) { return list->count; }
/* The list's size as the fill budget counts it: header and entries. */
static inline size_t packed_list_bytes(const packed_list *list)
{
    return PACKED_LIST_HEADER_SIZE + list->end - list->start;
}

/* Navigation; each answers 0 when there is no such entry. */
static inline size_t packed_list_first(const packed_list *list)
{
    return list->count ? list->start : 0;
}
size_t packed_list_last(const packed_list *list);
size_t packed_list_next(const packed_list *list, size_t offset);
size_t packed_list_prev(const packed_list *list, size_t offset);
/* index counts from the head (0, 1...) or from the tail (-1, -2...). */
size_t packed_list_seek(const packed_list *list, long long index);

void packed_list_read(const packed_list *list, size_t offset, packed_entry *entry);
/* Bytes taken by the entry at offset. */
size_t packed_list_entry_size(const packed_list *list, size_t offset);
/* Reads the entry at offset and returns the next entry's offset (0 after
 * the last): one decoding of the tag for a forward walk. */
size_t packed_list_read_next(const packed_list *list, size_t offset, packed_entry *entry);
/* Whether the entry at offset holds exactly the bytes of value. */
int packed_list_entry_equals(const packed_list *list, size_t offset, const packed_value *value);

/* Inserts value before the entry at offset; offset 0 appends.  Returns 0 or
 * -1 when out of memory (the list is unchanged). */
int packed_list_insert(packed_list **list, size_t offset, const packed_value *value);
int packed_list_push_head(packed_list **list, const packed_value *value);
int packed_list_push_tail(packed_list **list, const packed_value *value);

/* Removes up to count entries starting at offset (towards the tail) and
 * returns the offset of the entry that followed them, 0 if none.  Never
 * fails; the block may shrink and move. */
size_t packed_list_delete(packed_list **list, size_t offset, size_t count);
/* Replaces the entry at offset.  Returns 0 or -1 (out of memory, list
 * unchanged). */
int packed_list_replace(packed_list **list, size_t offset, const packed_value *value);

/* Moves the entries from offset to the end into a new packed list, stored
 * in *tail.  Returns 0 or -1 (out of memory, nothing moved).  The first
 * part keeps its block, so appending the tail back cannot fail. */
int packed_list_split(packed_list **list, size_t offset, packed_list **tail);
/* Undoes packed_list_split: puts tail's entries back at the end of list
 * (whose block still has room for them) and frees tail. */
void packed_list_rejoin(packed_list *list, packed_list *tail);
/* Appends every entry of source to *list.  Returns 0 or -1 (unchanged). */
int packed_list_append(packed_list **list, const packed_list *source);

/* Gives back growth slack at both ends (a node that will not grow). */
void packed_list_shrink_to_fit(packed_list **list);

/* Bytes reserved for the list (at least packed_list_bytes). */
size_t packed_list_allocated(const packed_list *list);

#endif
