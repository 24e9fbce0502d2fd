/*
 * list_chain.h - the encoding of large lists: a doubly linked chain of
 * packed lists (nodes), each kept within the fill budget (list_fill.h).
 * Pushing and popping at either end touches one node; finding an index
 * walks nodes by their counts, not entries.
 *
 * A position names one entry: its node and its offset in the node's packed
 * list; offset 0 means no entry.  Every mutating call returns DBLITE_OK, or
 * DBLITE_ERR_NOMEM when an allocation fails, with the chain consistent (no
 * element lost or duplicated).
 *
 * The nodes are packed lists walked both ways (packed_list.h), as a list is
 * read from either end.
 */
#ifndef LISTS_LIST_CHAIN_H
#define LISTS_LIST_CHAIN_H

#include <stddef.h>

#include "common/packed_list.h"

/* An empty node's packed list; NULL when out of memory. */
static inline packed_list *list_pack_create(void)
{
    return packed_list_create(0, PACKED_LIST_BOTH_WAYS, 0);
}

typedef struct list_node {
    struct list_node *prev, *next;
    packed_list *pack;
} list_node;

typedef struct list_chain {
    list_node *head, *tail;
    size_t count; /* elements in all nodes */
    size_t node_count;
} list_chain;

typedef struct list_position {
    list_node *node;
    size_t offset;
} list_position;

/* A chain of one node that takes ownership of pack; NULL when out of
 * memory (pack stays with the caller). */
list_chain *list_chain_from_packed(packed_list *pack);
/* Frees a one-node chain and hands back its packed list. */
packed_list *list_chain_release_single(list_chain *chain);
void list_chain_free(list_chain *chain);
list_chain *list_chain_copy(const list_chain *chain);
size_t list_chain_memory_usage(const list_chain *chain);

int list_chain_push(list_chain *chain, int at_tail, const packed_value *value, long long fill);
/* Removes count elements starting at index start (0-based from the head). */
void list_chain_delete_range(list_chain *chain, size_t start, size_t count);

/* index from the head (0...) or the tail (-1...); returns 0 when out of
 * range (position->offset is then 0). */
int list_chain_seek(const list_chain *chain, long long index, list_position *position);
/* Move to the next / previous entry; returns 0 at the end. */
int list_chain_next(list_position *position);
int list_chain_prev(list_position *position);

/* Inserts value before or after the entry at position. */
int list_chain_insert(list_chain *chain, const list_position *position, int after,
                      const packed_value *value, long long fill);
/* Deletes the entry at position and moves position to the entry that
 * followed it in the walking direction (offset 0 when none). */
void list_chain_delete_at(list_chain *chain, list_position *position, int toward_tail);
int list_chain_replace(list_chain *chain, const list_position *position, const packed_value *value,
                       long long fill);

#endif
