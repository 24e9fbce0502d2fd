/*
 * packed_list.h - the compact encoding of small hashes and sets: one
 * allocation holding a short header and then length-prefixed byte strings,
 * like Redis's listpack.
 *
 * Small collections are the common case (a user profile, a tag set), and a
 * general hash table costs several allocations and pointers per element; a
 * packed list costs one allocation and one or two bytes of overhead per
 * element, and at a few dozen entries a linear scan is as fast as hashing.
 *
 * The first byte is the owner's tag (the module stores its encoding kind
 * there, so a value pointer says what it points to).  Entries are addressed
 * by byte positions, valid until the list is edited.
 *
 * Editing functions that need more room return a new list and leave the old
 * one untouched and still owned by the caller: the old block may still be
 * the value the keyspace holds, which only the core may free.  They return
 * NULL, again leaving the list untouched, when memory runs out.
 */
#ifndef DBLITE_COMMON_PACKED_LIST_H
#define DBLITE_COMMON_PACKED_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "dblite_module.h"

typedef struct packed_list packed_list;

/* Hard limits of the format, whatever the configured thresholds say. */
#define PACKED_LIST_MAX_COUNT ((size_t)UINT16_MAX)
#define PACKED_LIST_MAX_BYTES ((size_t)1 << 30)

/* Position value meaning "no such entry" (never a valid entry position). */
#define PACKED_LIST_NONE ((size_t)0)

/* An empty list with room for payload_bytes of entries (see
 * packed_list_entry_size) without moving.  NULL when memory runs out. */
packed_list *packed_list_create(uint8_t tag, size_t payload_bytes);
packed_list *packed_list_copy(const packed_list *list);
void packed_list_free(packed_list *list);

size_t packed_list_count(const packed_list *list);
/* Bytes in use, header included. */
size_t packed_list_used_bytes(const packed_list *list);
/* Bytes reserved for the list (what it costs in memory). */
size_t packed_list_allocated_bytes(const packed_list *list);
/* Bytes one entry of length bytes takes inside a list. */
size_t packed_list_entry_size(size_t length);

/* Whether entries more entries taking payload_bytes in total would still fit
 * the format's limits. */
int packed_list_fits(const packed_list *list, size_t entries, size_t payload_bytes);

/* Walking: position of the first entry (or the end), reading an entry, and
 * the end test. */
size_t packed_list_first(const packed_list *list);
int packed_list_at_end(const packed_list *list, size_t position);
/* The entry at position; returns the position of the next entry. */
size_t packed_list_read(const packed_list *list, size_t position, dblite_bytes *entry);
/* Position of entry number index (0-based, < count): a linear walk. */
size_t packed_list_seek(const packed_list *list, size_t index);

/* Position of the first entry equal to ptr[0..length), looking only at every
 * stride-th entry starting with the first (stride 2 searches the fields of
 * field/value pairs); PACKED_LIST_NONE when absent. */
size_t packed_list_find(const packed_list *list, const char *ptr, size_t length, size_t stride);

/* Append count entries.  Returns list or a new list (see above), or NULL. */
packed_list *packed_list_append(packed_list *list, const dblite_bytes *entries, size_t count);
/* Replace the entry at position with ptr[0..length), which must not point
 * into the list itself.  Same contract as packed_list_append. */
packed_list *packed_list_replace(packed_list *list, size_t position, const char *ptr,
                                 size_t length);
/* Remove count consecutive entries starting at position, in place. */
void packed_list_delete(packed_list *list, size_t position, size_t count);

/* A copy without spare room when more than half of the block is unused
 * (after many deletions); list itself otherwise.  NULL when memory runs out
 * (list stays valid). */
packed_list *packed_list_trim(packed_list *list);

#endif
