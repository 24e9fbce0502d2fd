/*
 * zset_skiplist.c - Redis's span-keeping skiplist (t_zset.c's zslInsert,
 * zslDeleteNode, zslUpdateScore, zslGetRank...) over nodes that are
 * element_table entries (see zset_skiplist.h for the layout).
 *
 * The level of a new node comes from a small generator kept in the
 * skiplist itself (seeded through the keyed hash from the table's secret
 * key), so the encoding needs nothing from outside and no global.
 */
#include "zset_skiplist.h"

#include "zset_order.h"
#include "zset_value.h"

/* Size of a node of level levels for a member of member_length bytes. */
static size_t node_size(size_t member_length, int levels)
{
    return zsl_links_offset(member_length) + sizeof(zsl_links) +
           (size_t)levels * (sizeof(zsl_node *) + sizeof(uint32_t));
}

/* A node whose links are all empty (NULL pointers, zero spans). */
static zsl_node *node_create(dblite_bytes member, uint32_t hash, int levels, double score)
{
    size_t size = node_size(member.len, levels);
    zsl_node *node =
        table_entry_create(member.ptr, member.len, hash, size - sizeof(table_entry) - member.len);
    if (node == NULL)
        return NULL;
    node->bytes[member.len] = (char)levels;
    zsl_links *links = zsl_links_of(node);
    links->score = score;
    links->backward = NULL;
    for (int i = 0; i < levels; i++) {
        links->forward[i] = NULL;
        zsl_spans(node)[i] = 0;
    }
    return node;
}

/* splitmix64, as random_source.c; each level survives with probability
 * 1/4 (two random bits both zero), as Redis's ZSKIPLIST_P. */
static int random_level(zset_skiplist *zsl)
{
    uint64_t z = (zsl->random_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    int level = 1;
    while (level < ZSL_MAX_LEVEL && (z & 3) == 0) {
        level++;
        z >>= 2;
    }
    return level;
}

zset_skiplist *zsl_create(size_t expected)
{
    zset_skiplist *zsl = dblite_alloc(sizeof *zsl);
    if (zsl == NULL)
        return NULL;
    zsl->encoding = ZSET_ENCODING_SKIPLIST;
    zsl->level = 1;
    zsl->tail = NULL;
    if (element_table_init(&zsl->table, expected) != DBLITE_OK) {
        dblite_free(zsl);
        return NULL;
    }
    dblite_bytes none = {"", 0};
    zsl->header = node_create(none, 0, ZSL_MAX_LEVEL, 0);
    if (zsl->header == NULL) {
        element_table_destroy(&zsl->table);
        dblite_free(zsl);
        return NULL;
    }
    /* Derived one way from the table's secret, which the levels never
     * reveal. */
    static const char purpose[] = "zset skiplist levels";
    zsl->random_state = dblite_hash_keyed(purpose, sizeof purpose - 1, zsl->table.hash_key);
    return zsl;
}

void zsl_destroy(zset_skiplist *zsl)
{
    element_table_destroy(&zsl->table);
    dblite_free(zsl->header);
    dblite_free(zsl);
}

size_t zsl_memory(const zset_skiplist *zsl)
{
    return dblite_alloc_size(zsl) + dblite_alloc_size(zsl->header) +
           element_table_memory(&zsl->table);
}

zsl_node *zsl_find(const zset_skiplist *zsl, dblite_bytes member)
{
    uint32_t hash = element_table_hash(&zsl->table, member.ptr, member.len);
    size_t position = element_table_find(&zsl->table, member.ptr, member.len, hash);
    return position == ELEMENT_TABLE_ABSENT ? NULL : element_table_entry(&zsl->table, position);
}

/* Whether node a comes before node b. */
static int node_before(const zsl_node *a, const zsl_node *b)
{
    return zset_comes_before(zsl_score(a), a->bytes, a->key_length, zsl_score(b), b->bytes,
                             b->key_length);
}

/* Links node (its score and level set) at its place, as zslInsert. */
static void link_node(zset_skiplist *zsl, zsl_node *node)
{
    zsl_node *update[ZSL_MAX_LEVEL];
    uint32_t rank[ZSL_MAX_LEVEL];
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        rank[i] = i == zsl->level - 1 ? 0 : rank[i + 1];
        zsl_node *next;
        while ((next = zsl_forward(x, i)) != NULL && node_before(next, node)) {
            rank[i] += zsl_spans(x)[i];
            x = next;
        }
        update[i] = x;
    }
    int levels = zsl_node_level(node);
    if (levels > zsl->level) {
        /* The table counts node already: the list held one less. */
        uint32_t length = (uint32_t)zsl_length(zsl) - 1;
        for (int i = zsl->level; i < levels; i++) {
            rank[i] = 0;
            update[i] = zsl->header;
            zsl_spans(zsl->header)[i] = length;
        }
        zsl->level = (uint8_t)levels;
    }
    zsl_links *links = zsl_links_of(node);
    uint32_t *spans = zsl_spans(node);
    for (int i = 0; i < levels; i++) {
        zsl_links *previous = zsl_links_of(update[i]);
        links->forward[i] = previous->forward[i];
        previous->forward[i] = node;
        spans[i] = zsl_spans(update[i])[i] - (rank[0] - rank[i]);
        zsl_spans(update[i])[i] = (rank[0] - rank[i]) + 1;
    }
    for (int i = levels; i < zsl->level; i++)
        zsl_spans(update[i])[i]++;
    links->backward = update[0] == zsl->header ? NULL : update[0];
    if (links->forward[0] != NULL)
        zsl_links_of(links->forward[0])->backward = node;
    else
        zsl->tail = node;
}

int zsl_insert(zset_skiplist *zsl, dblite_bytes member, double score)
{
    uint32_t hash = element_table_hash(&zsl->table, member.ptr, member.len);
    zsl_node *node = node_create(member, hash, random_level(zsl), score);
    if (node == NULL)
        return DBLITE_ERR_NOMEM;
    if (element_table_add(&zsl->table, node) != DBLITE_OK) {
        dblite_free(node);
        return DBLITE_ERR_NOMEM;
    }
    link_node(zsl, node);
    return DBLITE_OK;
}

/* Fills update with, per level, the last node before node. */
static void find_update(const zset_skiplist *zsl, const zsl_node *node, zsl_node **update)
{
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        zsl_node *next;
        while ((next = zsl_forward(x, i)) != NULL && next != node && node_before(next, node))
            x = next;
        update[i] = x;
    }
}

/* zslDeleteNode: unlinks node, whose predecessors per level are update. */
static void unlink_node(zset_skiplist *zsl, zsl_node *node, zsl_node **update)
{
    zsl_links *links = zsl_links_of(node);
    uint32_t *spans = zsl_spans(node);
    int levels = zsl_node_level(node);
    for (int i = 0; i < zsl->level; i++) {
        zsl_links *previous = zsl_links_of(update[i]);
        if (i < levels && previous->forward[i] == node) {
            zsl_spans(update[i])[i] += spans[i] - 1;
            previous->forward[i] = links->forward[i];
        } else {
            zsl_spans(update[i])[i] -= 1;
        }
    }
    if (links->forward[0] != NULL)
        zsl_links_of(links->forward[0])->backward = links->backward;
    else
        zsl->tail = links->backward;
    while (zsl->level > 1 && zsl_forward(zsl->header, zsl->level - 1) == NULL)
        zsl->level--;
}

/* Takes node out of the table and frees it (already unlinked). */
static void drop_node(zset_skiplist *zsl, zsl_node *node)
{
    size_t position = element_table_find(&zsl->table, node->bytes, node->key_length, node->hash);
    dblite_free(element_table_remove(&zsl->table, position));
}

void zsl_delete_node(zset_skiplist *zsl, zsl_node *node)
{
    zsl_node *update[ZSL_MAX_LEVEL];
    find_update(zsl, node, update);
    unlink_node(zsl, node, update);
    drop_node(zsl, node);
}

void zsl_update_score(zset_skiplist *zsl, zsl_node *node, double score)
{
    zsl_links *links = zsl_links_of(node);
    /* Still between its neighbours: the score changes in place. */
    if ((links->backward == NULL || zsl_score(links->backward) < score) &&
        (links->forward[0] == NULL || zsl_score(links->forward[0]) > score)) {
        links->score = score;
        return;
    }
    zsl_node *update[ZSL_MAX_LEVEL];
    find_update(zsl, node, update);
    unlink_node(zsl, node, update);
    links->score = score;
    links->backward = NULL;
    int levels = zsl_node_level(node);
    for (int i = 0; i < levels; i++) {
        links->forward[i] = NULL;
        zsl_spans(node)[i] = 0;
    }
    link_node(zsl, node);
}

size_t zsl_delete_rank_range(zset_skiplist *zsl, size_t start, size_t end)
{
    zsl_node *update[ZSL_MAX_LEVEL];
    size_t traversed = 0;
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        zsl_node *next;
        while ((next = zsl_forward(x, i)) != NULL && traversed + zsl_spans(x)[i] < start) {
            traversed += zsl_spans(x)[i];
            x = next;
        }
        update[i] = x;
    }
    traversed++;
    x = zsl_forward(x, 0);
    size_t removed = 0;
    while (x != NULL && traversed <= end) {
        zsl_node *next = zsl_forward(x, 0);
        unlink_node(zsl, x, update);
        drop_node(zsl, x);
        removed++;
        traversed++;
        x = next;
    }
    return removed;
}

size_t zsl_rank_of(const zset_skiplist *zsl, const zsl_node *node)
{
    size_t rank = 0;
    const zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        zsl_node *next;
        while ((next = zsl_forward(x, i)) != NULL && (next == node || node_before(next, node))) {
            rank += zsl_spans(x)[i];
            x = next;
        }
        if (x == node)
            return rank;
    }
    return 0;
}

zsl_node *zsl_node_at(const zset_skiplist *zsl, size_t rank)
{
    size_t traversed = 0;
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        zsl_node *next;
        while ((next = zsl_forward(x, i)) != NULL && traversed + zsl_spans(x)[i] <= rank) {
            traversed += zsl_spans(x)[i];
            x = next;
        }
        if (traversed == rank)
            return x;
    }
    return NULL;
}

const zsl_node *zsl_last_before(const zset_skiplist *zsl, zsl_before_fn before, const void *range,
                                size_t *rank)
{
    size_t traversed = 0;
    const zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        zsl_node *next;
        while ((next = zsl_forward(x, i)) != NULL && before(range, next)) {
            traversed += zsl_spans(x)[i];
            x = next;
        }
    }
    *rank = traversed;
    return x;
}

zset_skiplist *zsl_copy(const zset_skiplist *zsl)
{
    zset_skiplist *copy = zsl_create(zsl_length(zsl));
    if (copy == NULL)
        return NULL;
    for (const zsl_node *node = zsl_first(zsl); node != NULL; node = zsl_forward(node, 0)) {
        if (zsl_insert(copy, zsl_member(node), zsl_score(node)) != DBLITE_OK) {
            zsl_destroy(copy);
            return NULL;
        }
    }
    return copy;
}
