/*
 * list_chain.c - large lists as a chain of packed lists (see list_chain.h).
 *
 * Inserting into a full node splits it at the insertion point rather than
 * shifting entries into neighbours, and then merges neighbours that fit
 * together again, so nodes stay reasonably full without ever moving more
 * than two nodes' worth of bytes.
 */
#include "list_chain.h"

#include "dblite_module.h"
#include "list_fill.h"

static list_node *node_create(packed_list *pack)
{
    list_node *node = dblite_alloc(sizeof(*node));
    if (node == NULL)
        return NULL;
    node->prev = node->next = NULL;
    node->pack = pack;
    return node;
}

static list_node *node_create_with(const packed_value *value)
{
    packed_list *pack = list_pack_create();
    if (pack == NULL)
        return NULL;
    if (packed_list_push_tail(&pack, value) != DBLITE_OK) {
        packed_list_free(pack);
        return NULL;
    }
    list_node *node = node_create(pack);
    if (node == NULL)
        packed_list_free(pack);
    return node;
}

static void node_free(list_node *node)
{
    packed_list_free(node->pack);
    dblite_free(node);
}

/* Links node after anchor (anchor NULL: at the head). */
static void link_after(list_chain *chain, list_node *anchor, list_node *node)
{
    node->prev = anchor;
    node->next = anchor ? anchor->next : chain->head;
    if (node->next)
        node->next->prev = node;
    else
        chain->tail = node;
    if (anchor)
        anchor->next = node;
    else
        chain->head = node;
    chain->node_count++;
}

static void unlink_node(list_chain *chain, list_node *node)
{
    if (node->prev)
        node->prev->next = node->next;
    else
        chain->head = node->next;
    if (node->next)
        node->next->prev = node->prev;
    else
        chain->tail = node->prev;
    chain->node_count--;
}

list_chain *list_chain_from_packed(packed_list *pack)
{
    list_chain *chain = dblite_alloc(sizeof(*chain));
    if (chain == NULL)
        return NULL;
    list_node *node = node_create(pack);
    if (node == NULL) {
        dblite_free(chain);
        return NULL;
    }
    chain->head = chain->tail = node;
    chain->count = packed_list_count(pack);
    chain->node_count = 1;
    return chain;
}

packed_list *list_chain_release_single(list_chain *chain)
{
    packed_list *pack = chain->head->pack;
    dblite_free(chain->head);
    dblite_free(chain);
    return pack;
}

void list_chain_free(list_chain *chain)
{
    list_node *node = chain->head;
    while (node) {
        list_node *next = node->next;
        node_free(node);
        node = next;
    }
    dblite_free(chain);
}

list_chain *list_chain_copy(const list_chain *chain)
{
    list_chain *copy = dblite_alloc(sizeof(*copy));
    if (copy == NULL)
        return NULL;
    copy->head = copy->tail = NULL;
    copy->count = chain->count;
    copy->node_count = 0;
    for (const list_node *node = chain->head; node; node = node->next) {
        packed_list *pack = packed_list_copy(node->pack);
        list_node *duplicate = pack ? node_create(pack) : NULL;
        if (duplicate == NULL) {
            if (pack)
                packed_list_free(pack);
            list_chain_free(copy);
            return NULL;
        }
        link_after(copy, copy->tail, duplicate);
    }
    return copy;
}

size_t list_chain_memory_usage(const list_chain *chain)
{
    size_t total = dblite_alloc_size(chain);
    for (const list_node *node = chain->head; node; node = node->next)
        total += dblite_alloc_size(node) + packed_list_allocated(node->pack);
    return total;
}

static int node_accepts(const list_node *node, const packed_value *value, long long fill)
{
    size_t added_bytes = packed_list_value_size(node->pack, value);
    return list_fill_allows(fill, packed_list_bytes(node->pack) + added_bytes,
                            packed_list_count(node->pack) + 1);
}

int list_chain_push(list_chain *chain, int at_tail, const packed_value *value, long long fill)
{
    list_node *node = at_tail ? chain->tail : chain->head;
    if (node && node_accepts(node, value, fill)) {
        int status = at_tail ? packed_list_push_tail(&node->pack, value)
                             : packed_list_push_head(&node->pack, value);
        if (status != DBLITE_OK)
            return DBLITE_ERR_NOMEM;
    } else {
        list_node *fresh = node_create_with(value);
        if (fresh == NULL)
            return DBLITE_ERR_NOMEM;
        link_after(chain, at_tail ? chain->tail : NULL, fresh);
        /* The old end node is full: it will not grow again. */
        if (node)
            packed_list_shrink_to_fit(&node->pack);
    }
    chain->count++;
    return DBLITE_OK;
}

void list_chain_delete_range(list_chain *chain, size_t start, size_t count)
{
    if (start >= chain->count)
        return;
    if (count > chain->count - start)
        count = chain->count - start;
    /* Find the node holding start, walking from the nearer end. */
    list_node *node;
    size_t node_start;
    if (start < chain->count / 2) {
        node = chain->head;
        node_start = 0;
        while (node_start + packed_list_count(node->pack) <= start) {
            node_start += packed_list_count(node->pack);
            node = node->next;
        }
    } else {
        node = chain->tail;
        node_start = chain->count - packed_list_count(node->pack);
        while (node_start > start) {
            node = node->prev;
            node_start -= packed_list_count(node->pack);
        }
    }
    size_t local = start - node_start;
    while (count > 0 && node) {
        list_node *next = node->next;
        size_t in_node = packed_list_count(node->pack);
        size_t taken = in_node - local < count ? in_node - local : count;
        if (local == 0 && taken == in_node) {
            unlink_node(chain, node);
            node_free(node);
        } else {
            (void)packed_list_delete(&node->pack, packed_list_seek(node->pack, (long long)local),
                                     taken);
        }
        chain->count -= taken;
        count -= taken;
        local = 0;
        node = next;
    }
}

int list_chain_seek(const list_chain *chain, long long index, list_position *position)
{
    long long count = (long long)chain->count;
    position->node = NULL;
    position->offset = 0;
    if (index < 0)
        index += count;
    if (index < 0 || index >= count)
        return 0;
    list_node *node;
    long long local;
    if (index < count / 2) {
        node = chain->head;
        local = index;
        while (local >= (long long)packed_list_count(node->pack)) {
            local -= (long long)packed_list_count(node->pack);
            node = node->next;
        }
    } else {
        node = chain->tail;
        local = index - count; /* negative: from the node's tail */
        while (-local > (long long)packed_list_count(node->pack)) {
            local += (long long)packed_list_count(node->pack);
            node = node->prev;
        }
    }
    position->node = node;
    position->offset = packed_list_seek(node->pack, local);
    return 1;
}

int list_chain_next(list_position *position)
{
    list_node *node = position->node;
    size_t next = packed_list_next(node->pack, position->offset);
    while (next == 0 && node->next) {
        node = node->next;
        next = packed_list_first(node->pack);
    }
    position->node = node;
    position->offset = next;
    return next != 0;
}

int list_chain_prev(list_position *position)
{
    list_node *node = position->node;
    size_t prev = packed_list_prev(node->pack, position->offset);
    while (prev == 0 && node->prev) {
        node = node->prev;
        prev = packed_list_last(node->pack);
    }
    position->node = node;
    position->offset = prev;
    return prev != 0;
}

/* Splits node before the entry at offset (not its first); the entries
 * from offset on go to a new node linked after it, which is returned.
 * NULL when out of memory, with node as it was. */
static list_node *split_node(list_chain *chain, list_node *node, size_t offset)
{
    packed_list *rest;
    if (packed_list_split(&node->pack, offset, &rest) != DBLITE_OK)
        return NULL;
    list_node *second = node_create(rest);
    if (second == NULL) {
        packed_list_rejoin(node->pack, rest);
        return NULL;
    }
    packed_list_shrink_to_fit(&node->pack);
    link_after(chain, node, second);
    return second;
}

/* Joins node->next into node when both fit in one budget. */
static void try_merge_with_next(list_chain *chain, list_node *node, long long fill)
{
    if (node == NULL || node->next == NULL)
        return;
    list_node *next = node->next;
    size_t bytes = packed_list_bytes(node->pack) + packed_list_bytes(next->pack) -
                   packed_list_header_size(next->pack);
    size_t count = packed_list_count(node->pack) + packed_list_count(next->pack);
    if (!list_fill_allows(fill, bytes, count))
        return;
    if (packed_list_append(&node->pack, next->pack) != DBLITE_OK)
        return; /* staying split is fine */
    unlink_node(chain, next);
    node_free(next);
}

int list_chain_insert(list_chain *chain, const list_position *position, int after,
                      const packed_value *value, long long fill)
{
    list_node *node = position->node;
    size_t offset = after ? packed_list_next(node->pack, position->offset) : position->offset;
    /* offset is where the value goes in node; 0 = at its end. */
    if (node_accepts(node, value, fill)) {
        if (packed_list_insert(&node->pack, offset, value) != DBLITE_OK)
            return DBLITE_ERR_NOMEM;
        chain->count++;
        return DBLITE_OK;
    }
    int at_end = offset == 0;
    int at_start = offset == packed_list_first(node->pack);
    if (at_end && node->next && node_accepts(node->next, value, fill)) {
        if (packed_list_push_head(&node->next->pack, value) != DBLITE_OK)
            return DBLITE_ERR_NOMEM;
        chain->count++;
        return DBLITE_OK;
    }
    if (at_start && node->prev && node_accepts(node->prev, value, fill)) {
        if (packed_list_push_tail(&node->prev->pack, value) != DBLITE_OK)
            return DBLITE_ERR_NOMEM;
        chain->count++;
        return DBLITE_OK;
    }
    if (at_end || at_start) {
        list_node *fresh = node_create_with(value);
        if (fresh == NULL)
            return DBLITE_ERR_NOMEM;
        link_after(chain, at_end ? node : node->prev, fresh);
        chain->count++;
        return DBLITE_OK;
    }
    /* In the middle of a full node: split it there. */
    list_node *second = split_node(chain, node, offset);
    if (second == NULL)
        return DBLITE_ERR_NOMEM;
    int status;
    if (node_accepts(node, value, fill)) {
        status = packed_list_push_tail(&node->pack, value);
    } else if (node_accepts(second, value, fill)) {
        status = packed_list_push_head(&second->pack, value);
    } else {
        list_node *fresh = node_create_with(value);
        status = fresh ? DBLITE_OK : DBLITE_ERR_NOMEM;
        if (fresh)
            link_after(chain, node, fresh);
    }
    if (status == DBLITE_OK)
        chain->count++;
    list_node *right = second;
    try_merge_with_next(chain, right, fill);
    try_merge_with_next(chain, node->prev, fill);
    return status;
}

void list_chain_delete_at(list_chain *chain, list_position *position, int toward_tail)
{
    list_node *node = position->node;
    size_t next = packed_list_delete(&node->pack, position->offset, 1);
    chain->count--;
    if (packed_list_count(node->pack) == 0) {
        list_node *neighbour = toward_tail ? node->next : node->prev;
        unlink_node(chain, node);
        node_free(node);
        position->node = neighbour;
        position->offset = neighbour == NULL ? 0
                           : toward_tail     ? packed_list_first(neighbour->pack)
                                             : packed_list_last(neighbour->pack);
        return;
    }
    size_t following = toward_tail ? next
                       : next      ? packed_list_prev(node->pack, next)
                                   : packed_list_last(node->pack);
    if (following != 0) {
        position->offset = following;
        return;
    }
    list_node *neighbour = toward_tail ? node->next : node->prev;
    position->node = neighbour ? neighbour : node;
    position->offset = neighbour == NULL ? 0
                       : toward_tail     ? packed_list_first(neighbour->pack)
                                         : packed_list_last(neighbour->pack);
}

int list_chain_replace(list_chain *chain, const list_position *position, const packed_value *value,
                       long long fill)
{
    list_node *node = position->node;
    size_t offset = position->offset;
    packed_list *pack = node->pack;
    size_t old_size = packed_list_entry_size(pack, offset);
    size_t new_bytes = packed_list_bytes(pack) - old_size + packed_list_value_size(pack, value);
    if (list_fill_allows(fill, new_bytes, packed_list_count(pack)))
        return packed_list_replace(&node->pack, offset, value);
    /* The value does not fit beside its neighbours: give the entry a node of
     * its own by splitting around it, then replace it there. */
    list_node *target = node;
    if (offset != packed_list_first(pack)) {
        target = split_node(chain, node, offset);
        if (target == NULL)
            return DBLITE_ERR_NOMEM;
    }
    size_t after_entry = packed_list_next(target->pack, packed_list_first(target->pack));
    if (after_entry != 0 && split_node(chain, target, after_entry) == NULL)
        return DBLITE_ERR_NOMEM;
    return packed_list_replace(&target->pack, packed_list_first(target->pack), value);
}
