/*
 * list_value.h - a list as stored under a key: one packed list while it is
 * small (one allocation besides this handle), a chain of packed lists once
 * it outgrows the fill budget, and back to one packed list when it shrinks
 * to half the budget.  Converting either way moves no element: the packed
 * list simply becomes, or stops being, the chain's only node.
 *
 * Every operation that may grow a list takes the fill setting
 * (list-max-listpack-size).  Functions returning a status answer DBLITE_OK,
 * or DBLITE_ERR_NOMEM with the list unchanged (or, for multi-step edits,
 * changed only in ways that lose and duplicate nothing).
 */
#ifndef LISTS_LIST_VALUE_H
#define LISTS_LIST_VALUE_H

#include <stddef.h>

#include "list_chain.h"
#include "common/packed_list.h"

typedef struct list_value {
    packed_list *packed; /* the small encoding, or NULL */
    list_chain *chain;   /* the large encoding, or NULL */
} list_value;

#define LIST_HEAD 0
#define LIST_TAIL 1

list_value *list_value_create(void);
void list_value_free(list_value *list);
list_value *list_value_copy(const list_value *list);
size_t list_value_memory_usage(const list_value *list);

static inline size_t list_value_length(const list_value *list)
{
    return list->packed ? packed_list_count(list->packed) : list->chain->count;
}
static inline int list_value_is_packed(const list_value *list)
{
    return list->packed != NULL;
}

int list_value_push(list_value *list, int where, const packed_value *value, long long fill);
/* Removes count elements from one end (fewer if the list is shorter). */
void list_value_pop(list_value *list, int where, size_t count, long long fill);
/* Keeps elements start..end inclusive (0-based, already clamped by the
 * caller, start <= end < length), removing the rest. */
void list_value_trim(list_value *list, size_t start, size_t end, long long fill);

/* Positions: as list_chain's; node is NULL in the packed encoding. */
int list_value_seek(const list_value *list, long long index, list_position *position);
int list_value_next(const list_value *list, list_position *position);
int list_value_prev(const list_value *list, list_position *position);
void list_value_read(const list_value *list, const list_position *position, packed_entry *entry);
int list_value_equals(const list_value *list, const list_position *position,
                      const packed_value *value);

/* Calls fn on count elements from index start (which must exist) towards
 * the tail; the fast way to read a range. */
typedef void (*list_entry_fn)(const packed_entry *entry, void *privdata);
void list_value_walk(const list_value *list, size_t start, size_t count, list_entry_fn fn,
                     void *privdata);

int list_value_insert(list_value *list, const list_position *position, int after,
                      const packed_value *value, long long fill);
int list_value_replace(list_value *list, const list_position *position, const packed_value *value,
                       long long fill);
/* Deletes the entry at position, moving position to the following entry in
 * the walking direction.  Call list_value_settle afterwards (not in the
 * middle of a walk: it may change the encoding). */
void list_value_delete_at(list_value *list, list_position *position, int toward_tail);
/* Converts a chain that has shrunk enough back to the packed encoding. */
void list_value_settle(list_value *list, long long fill);

#endif
