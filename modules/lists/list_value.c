/*
 * list_value.c - the two encodings of a list behind one interface (see
 * list_value.h).  Operations on the packed encoding go straight to the
 * packed list; an operation that would push it past the fill budget first
 * turns it into a one-node chain, so the chain code handles all splitting.
 */
#include "list_value.h"

#include "dblite_module.h"
#include "list_fill.h"

list_value *list_value_create(void)
{
    list_value *list = dblite_alloc(sizeof(*list));
    if (list == NULL)
        return NULL;
    list->chain = NULL;
    list->packed = list_pack_create();
    if (list->packed == NULL) {
        dblite_free(list);
        return NULL;
    }
    return list;
}

void list_value_free(list_value *list)
{
    if (list == NULL)
        return;
    if (list->packed)
        packed_list_free(list->packed);
    if (list->chain)
        list_chain_free(list->chain);
    dblite_free(list);
}

list_value *list_value_copy(const list_value *list)
{
    list_value *copy = dblite_alloc(sizeof(*copy));
    if (copy == NULL)
        return NULL;
    copy->packed = NULL;
    copy->chain = NULL;
    if (list->packed)
        copy->packed = packed_list_copy(list->packed);
    else
        copy->chain = list_chain_copy(list->chain);
    if (copy->packed == NULL && copy->chain == NULL) {
        dblite_free(copy);
        return NULL;
    }
    return copy;
}

size_t list_value_memory_usage(const list_value *list)
{
    size_t total = dblite_alloc_size(list);
    if (list->packed)
        return total + packed_list_allocated(list->packed);
    return total + list_chain_memory_usage(list->chain);
}

/* Moves a packed list into a one-node chain.  DBLITE_OK or DBLITE_ERR_NOMEM. */
static int convert_to_chain(list_value *list)
{
    list_chain *chain = list_chain_from_packed(list->packed);
    if (chain == NULL)
        return DBLITE_ERR_NOMEM;
    list->chain = chain;
    list->packed = NULL;
    return DBLITE_OK;
}

/* Whether the packed encoding can take growth of added_bytes (and
 * added_count more entries) without going over the budget. */
static int packed_fits(const list_value *list, size_t added_bytes, size_t added_count,
                       long long fill)
{
    return list_fill_allows(fill, packed_list_bytes(list->packed) + added_bytes,
                            packed_list_count(list->packed) + added_count);
}

void list_value_settle(list_value *list, long long fill)
{
    list_chain *chain = list->chain;
    if (chain == NULL || chain->node_count != 1)
        return;
    packed_list *pack = chain->head->pack;
    if (!list_fill_allows_packed_again(fill, packed_list_bytes(pack), packed_list_count(pack)))
        return;
    list->packed = list_chain_release_single(chain);
    list->chain = NULL;
}

int list_value_push(list_value *list, int where, const packed_value *value, long long fill)
{
    if (list->packed) {
        if (packed_fits(list, packed_list_value_size(list->packed, value), 1, fill))
            return where == LIST_TAIL ? packed_list_push_tail(&list->packed, value)
                                      : packed_list_push_head(&list->packed, value);
        if (convert_to_chain(list) != DBLITE_OK)
            return DBLITE_ERR_NOMEM;
    }
    return list_chain_push(list->chain, where == LIST_TAIL, value, fill);
}

void list_value_pop(list_value *list, int where, size_t count, long long fill)
{
    size_t length = list_value_length(list);
    if (count > length)
        count = length;
    size_t start = where == LIST_HEAD ? 0 : length - count;
    if (list->packed) {
        size_t offset = packed_list_seek(list->packed, (long long)start);
        if (offset != 0)
            (void)packed_list_delete(&list->packed, offset, count);
        return;
    }
    list_chain_delete_range(list->chain, start, count);
    list_value_settle(list, fill);
}

void list_value_trim(list_value *list, size_t start, size_t end, long long fill)
{
    size_t length = list_value_length(list);
    size_t keep = end - start + 1;
    if (list->packed) {
        if (end + 1 < length)
            (void)packed_list_delete(&list->packed,
                                     packed_list_seek(list->packed, (long long)end + 1),
                                     length - end - 1);
        if (start > 0)
            (void)packed_list_delete(&list->packed, packed_list_first(list->packed), start);
        return;
    }
    list_chain_delete_range(list->chain, start + keep, length - start - keep);
    list_chain_delete_range(list->chain, 0, start);
    list_value_settle(list, fill);
}

int list_value_seek(const list_value *list, long long index, list_position *position)
{
    if (list->chain)
        return list_chain_seek(list->chain, index, position);
    position->node = NULL;
    position->offset = packed_list_seek(list->packed, index);
    return position->offset != 0;
}

int list_value_next(const list_value *list, list_position *position)
{
    if (position->node)
        return list_chain_next(position);
    position->offset = packed_list_next(list->packed, position->offset);
    return position->offset != 0;
}

int list_value_prev(const list_value *list, list_position *position)
{
    if (position->node)
        return list_chain_prev(position);
    position->offset = packed_list_prev(list->packed, position->offset);
    return position->offset != 0;
}

static const packed_list *position_pack(const list_value *list, const list_position *position)
{
    return position->node ? position->node->pack : list->packed;
}

void list_value_read(const list_value *list, const list_position *position, packed_entry *entry)
{
    packed_list_read(position_pack(list, position), position->offset, entry);
}

int list_value_equals(const list_value *list, const list_position *position,
                      const packed_value *value)
{
    return packed_list_entry_equals(position_pack(list, position), position->offset, value);
}

void list_value_walk(const list_value *list, size_t start, size_t count, list_entry_fn fn,
                     void *privdata)
{
    list_position position;
    if (count == 0 || !list_value_seek(list, (long long)start, &position))
        return;
    const list_node *node = position.node;
    const packed_list *pack = node ? node->pack : list->packed;
    size_t offset = position.offset;
    for (;;) {
        packed_entry entry;
        offset = packed_list_read_next(pack, offset, &entry);
        fn(&entry, privdata);
        if (--count == 0)
            return;
        if (offset == 0) {
            node = node ? node->next : NULL;
            if (node == NULL)
                return;
            pack = node->pack;
            offset = packed_list_first(pack);
        }
    }
}

int list_value_insert(list_value *list, const list_position *position, int after,
                      const packed_value *value, long long fill)
{
    list_position at = *position;
    if (list->packed) {
        if (packed_fits(list, packed_list_value_size(list->packed, value), 1, fill)) {
            size_t offset = after ? packed_list_next(list->packed, at.offset) : at.offset;
            return packed_list_insert(&list->packed, offset, value);
        }
        if (convert_to_chain(list) != DBLITE_OK)
            return DBLITE_ERR_NOMEM;
        at.node = list->chain->head;
    }
    return list_chain_insert(list->chain, &at, after, value, fill);
}

int list_value_replace(list_value *list, const list_position *position, const packed_value *value,
                       long long fill)
{
    list_position at = *position;
    if (list->packed) {
        size_t old_size = packed_list_entry_size(list->packed, at.offset);
        size_t new_size = packed_list_value_size(list->packed, value);
        if (new_size <= old_size || packed_fits(list, new_size - old_size, 0, fill))
            return packed_list_replace(&list->packed, at.offset, value);
        if (convert_to_chain(list) != DBLITE_OK)
            return DBLITE_ERR_NOMEM;
        at.node = list->chain->head;
    }
    int status = list_chain_replace(list->chain, &at, value, fill);
    list_value_settle(list, fill);
    return status;
}

void list_value_delete_at(list_value *list, list_position *position, int toward_tail)
{
    if (position->node) {
        list_chain_delete_at(list->chain, position, toward_tail);
        return;
    }
    size_t next = packed_list_delete(&list->packed, position->offset, 1);
    if (toward_tail)
        position->offset = next;
    else
        position->offset =
            next ? packed_list_prev(list->packed, next) : packed_list_last(list->packed);
}
