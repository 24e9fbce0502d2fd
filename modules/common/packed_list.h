/*
 * packed_list.h - the one compact encoding of small collections: a single
 * allocation holding a short header and the entries back to back, like
 * Redis's listpack.  Lists (as the nodes of their chain), hashes (fields and
 * values alternating), sets (members) and the coming sorted sets (members
 * and scores alternating) all keep their small values in it.
 *
 * A general hash table or linked list costs several allocations and
 * pointers per element; a packed list costs one allocation and one or two
 * bytes per entry, and at a few dozen entries a linear scan is as fast as
 * hashing.
 *
 * Each entry is a tag that says what follows (a small integer, a wider
 * integer, or a string and its length), then the payload.  Canonical
 * integers ("17", "-3": what printing the number gives back) can be stored
 * in 1 to 9 bytes instead of as text; writers that hand out pointers to
 * their entries' bytes (hashes, sets) store text only.  A sorted set's
 * score goes in as its text through packed_value_prepare: integral scores
 * become integer entries, the others stay text, as in Redis.
 *
 * Two choices are made per list, at creation, in its flags:
 *  - PACKED_LIST_BOTH_WAYS: every entry also ends with its own size written
 *    backwards, so the list walks from either end, and pops at the head
 *    leave room that later pushes at the head reuse.  Lists need that; a
 *    hash or set walks forwards only and does not pay the byte per entry.
 *  - PACKED_LIST_COPY_ON_GROW: growing makes a new block and leaves the old
 *    one as it was, for owners whose old block may still be the value the
 *    keyspace holds (which only the core may free; see value_holder.h).
 *    Without it the block is reallocated in place.
 *
 * Positions are byte offsets from the start of the block; offset 0 never
 * names an entry and means "no entry" (past an end, not found).  Any edit
 * may move entries, so positions are valid only until then (delete returns
 * where a walk goes on).  Editing functions take a packed_list ** because
 * the block may move; they return DBLITE_OK, or DBLITE_ERR_NOMEM (out of
 * memory or past the format's limits) with the list untouched.
 */
#ifndef DBLITE_COMMON_PACKED_LIST_H
#define DBLITE_COMMON_PACKED_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "dblite_module.h"

typedef struct packed_list {
    uint8_t tag;      /* the owner's: hashes and sets keep their encoding kind here */
    uint8_t flags;    /* PACKED_LIST_BOTH_WAYS, PACKED_LIST_COPY_ON_GROW */
    uint16_t count;   /* entries */
    uint32_t end;     /* offset just past the last entry */
    uint32_t start[]; /* both-ways lists only: offset of the first entry */
} packed_list;

#define PACKED_LIST_BOTH_WAYS 0x01
#define PACKED_LIST_COPY_ON_GROW 0x02

/* Hard limits of the format, whatever the owner's thresholds say.  Lists
 * stay far below the count through their fill budget (64 KB at most per
 * node, two bytes at least per entry). */
#define PACKED_LIST_MAX_COUNT ((size_t)UINT16_MAX)
#define PACKED_LIST_MAX_BYTES ((size_t)UINT32_MAX - 64)
/* The longest element: one entry alone must fit in a packed list. */
#define PACKED_LIST_MAX_ELEMENT (PACKED_LIST_MAX_BYTES - 32)

/* One entry as read back: a string (string != NULL) or an integer. */
typedef struct packed_entry {
    const unsigned char *string;
    size_t length;
    long long integer;
} packed_entry;

/* An element prepared for writing: its encoding is decided once (is it
 * stored as an integer? how wide?) so size checks and writes agree. */
typedef struct packed_value {
    const char *string; /* the text */
    size_t length;
    long long integer;
    int is_integer;   /* stored as the integer above */
    size_t body_size; /* tag and payload, without the back-size */
} packed_value;

/* Prepares bytes for storage, as an integer when they are a canonical
 * integer.  DBLITE_OK, or DBLITE_ERR_INVALID when the element is too large
 * for any packed list. */
int packed_value_prepare(packed_value *value, const char *ptr, size_t len);
/* Prepares bytes for storage as text whatever they hold (len at most
 * PACKED_LIST_MAX_ELEMENT). */
void packed_value_text(packed_value *value, const char *ptr, size_t len);

/* True when ptr/len is the canonical text of a 64-bit integer (what
 * printing the integer gives back: no sign on 0, no leading zeros). */
int packed_parse_integer(const char *ptr, size_t len, long long *integer);

/* An empty list with room for room_bytes of entries without moving.  NULL
 * when memory runs out. */
packed_list *packed_list_create(uint8_t tag, unsigned flags, size_t room_bytes);
/* A copy without spare room; NULL when memory runs out. */
packed_list *packed_list_copy(const packed_list *list);
void packed_list_free(packed_list *list);

static inline size_t packed_list_count(const packed_list *list)
{
    return list->count;
}
static inline size_t packed_list_header_size(const packed_list *list)
{
    return list->flags & PACKED_LIST_BOTH_WAYS ? sizeof(packed_list) + sizeof(uint32_t)
                                               : sizeof(packed_list);
}
/* Offset of the first entry, or of the end when there is none. */
static inline size_t packed_list_start(const packed_list *list)
{
    return list->flags & PACKED_LIST_BOTH_WAYS ? list->start[0] : sizeof(packed_list);
}
/* Bytes in use, header included (what a fill budget counts). */
static inline size_t packed_list_bytes(const packed_list *list)
{
    return packed_list_header_size(list) + list->end - packed_list_start(list);
}
/* Bytes reserved for the list (what it costs in memory). */
size_t packed_list_allocated(const packed_list *list);

/* Bytes a string entry of length bytes takes in a list walked forwards
 * only (hints for reserving room). */
size_t packed_list_text_size(size_t length);
/* Bytes value takes as an entry of list. */
size_t packed_list_value_size(const packed_list *list, const packed_value *value);
/* Whether entries more entries taking added_bytes in all stay within the
 * format's limits. */
int packed_list_fits(const packed_list *list, size_t entries, size_t added_bytes);

/* Navigation; each answers 0 when there is no such entry.  Walking
 * backwards (last, prev) needs a both-ways list. */
static inline size_t packed_list_first(const packed_list *list)
{
    return list->count ? packed_list_start(list) : 0;
}
size_t packed_list_last(const packed_list *list);
size_t packed_list_next(const packed_list *list, size_t position);
size_t packed_list_prev(const packed_list *list, size_t position);
/* index counts from the head (0, 1...) or from the tail (-1, -2...); a
 * list walked forwards only is walked from the head either way. */
size_t packed_list_seek(const packed_list *list, long long index);

void packed_list_read(const packed_list *list, size_t position, packed_entry *entry);
/* Reads the entry at position and returns the next entry's position (0
 * after the last): one decoding of the tag for a forward walk. */
size_t packed_list_read_next(const packed_list *list, size_t position, packed_entry *entry);
/* Bytes taken by the entry at position. */
size_t packed_list_entry_size(const packed_list *list, size_t position);
/* Whether the entry at position holds exactly the bytes of value (a
 * canonical integer stored as text never equals one stored as an integer:
 * a list holds one way of writing them). */
int packed_list_entry_equals(const packed_list *list, size_t position, const packed_value *value);
/* Position of the first entry equal to value, from position on (0: from
 * the first entry), looking at one entry and then skipping skip entries
 * (skip 1 searches the fields of field/value pairs); 0 when absent. */
size_t packed_list_find(const packed_list *list, size_t position, const packed_value *value,
                        size_t skip);

/* Inserts value before the entry at position; position 0 appends. */
int packed_list_insert(packed_list **list, size_t position, const packed_value *value);
int packed_list_push_head(packed_list **list, const packed_value *value);
int packed_list_push_tail(packed_list **list, const packed_value *value);
/* Inserts count values in order before the entry at position (0: at the
 * end) with at most one move of the block: a hash's field and value, a
 * sorted set's member and score. */
int packed_list_insert_all(packed_list **list, size_t position, const packed_value *values,
                           size_t count);
/* Replaces the entry at position; value must not point into the list. */
int packed_list_replace(packed_list **list, size_t position, const packed_value *value);
/* Removes up to count entries starting at position (towards the tail) and
 * returns the position of the entry that followed them, 0 if none.  Never
 * fails.  A list without PACKED_LIST_COPY_ON_GROW gives memory back once
 * most of its block is unused (the block may move); a copy-on-grow list
 * never moves here, its owner calls packed_list_shrink_if_sparse. */
size_t packed_list_delete(packed_list **list, size_t position, size_t count);

/* Gives memory back when less than half of the block is in use (after
 * deletions).  Never fails: short of memory the list stays as it is. */
void packed_list_shrink_if_sparse(packed_list **list);
/* Gives back all growth room (a list that will not grow for a while). */
void packed_list_shrink_to_fit(packed_list **list);

/* Moves the entries from position to the end into a new packed list with
 * the same tag and flags, stored in *tail.  DBLITE_OK or DBLITE_ERR_NOMEM
 * (nothing moved).  The first part keeps its block, so putting the tail
 * back cannot fail. */
int packed_list_split(packed_list **list, size_t position, packed_list **tail);
/* Undoes packed_list_split: puts tail's entries back at the end of list
 * (whose block still has room for them) and frees tail. */
void packed_list_rejoin(packed_list *list, packed_list *tail);
/* Appends every entry of source (same flags) to *list. */
int packed_list_append(packed_list **list, const packed_list *source);

#endif
