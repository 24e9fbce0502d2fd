/*
 * zset_skiplist.h - the large encoding of sorted sets: Redis's skiplist
 * with spans (t_zset.c's zsl*: at most 32 levels, each level kept with
 * probability 1/4) whose nodes are also the entries of an element_table
 * from member to node.
 *
 * One allocation per member: the table entry holds the member as its key,
 * then the node's level (one byte), then (8-byte aligned) the node's
 * links: score, backward pointer, the forward pointers and their 32-bit
 * spans.  Nodes point at each other by their table entry, so a member
 * found in the table is its node, and a node's member is its key.  Redis
 * spends a dict entry, an sds and a node per member; this spends one block
 * and the table's two 8-byte slots.
 *
 * Ranks here count from 1, as in Redis's zsl functions (the header is rank
 * 0); zset_value.c turns them into the 0-based ranks of its interface.
 * Spans of a level whose forward pointer is NULL hold the distance to the
 * end (length - rank), as Redis keeps them.
 */
#ifndef ZSETS_ZSET_SKIPLIST_H
#define ZSETS_ZSET_SKIPLIST_H

#include <stddef.h>
#include <stdint.h>

#include "common/element_table.h"
#include "dblite_module.h"

#define ZSL_MAX_LEVEL 32

typedef table_entry zsl_node;

/* What follows a node's member (at zsl_links_offset). */
typedef struct zsl_links {
    double score;
    zsl_node *backward;  /* NULL for the first node */
    zsl_node *forward[]; /* level pointers, then level uint32_t spans */
} zsl_links;

typedef struct zset_skiplist {
    uint8_t encoding; /* ZSET_ENCODING_SKIPLIST: the first byte names it */
    uint8_t level;    /* levels in use, 1..ZSL_MAX_LEVEL */
    uint64_t random_state;
    zsl_node *header; /* ZSL_MAX_LEVEL levels, no member, not in the table */
    zsl_node *tail;
    element_table table; /* member -> node; its count is the length */
} zset_skiplist;

static inline size_t zsl_links_offset(size_t member_length)
{
    size_t past_level = sizeof(table_entry) + member_length + 1;
    return (past_level + 7) & ~(size_t)7;
}

static inline zsl_links *zsl_links_of(const zsl_node *node)
{
    return (zsl_links *)((char *)node + zsl_links_offset(node->key_length));
}

static inline int zsl_node_level(const zsl_node *node)
{
    return (uint8_t)node->bytes[node->key_length];
}

static inline double zsl_score(const zsl_node *node)
{
    return zsl_links_of(node)->score;
}

static inline dblite_bytes zsl_member(const zsl_node *node)
{
    dblite_bytes member = {node->bytes, node->key_length};
    return member;
}

static inline zsl_node *zsl_forward(const zsl_node *node, int level)
{
    return zsl_links_of(node)->forward[level];
}

static inline zsl_node *zsl_backward(const zsl_node *node)
{
    return zsl_links_of(node)->backward;
}

static inline uint32_t *zsl_spans(const zsl_node *node)
{
    zsl_links *links = zsl_links_of(node);
    return (uint32_t *)(links->forward + zsl_node_level(node));
}

static inline size_t zsl_length(const zset_skiplist *zsl)
{
    return element_table_count(&zsl->table);
}

static inline zsl_node *zsl_first(const zset_skiplist *zsl)
{
    return zsl_forward(zsl->header, 0);
}

/* An empty skiplist sized for expected members; NULL on OOM. */
zset_skiplist *zsl_create(size_t expected);
void zsl_destroy(zset_skiplist *zsl);
/* A deep copy; NULL on OOM. */
zset_skiplist *zsl_copy(const zset_skiplist *zsl);
/* Bytes the skiplist holds. */
size_t zsl_memory(const zset_skiplist *zsl);

/* The node of member, or NULL. */
zsl_node *zsl_find(const zset_skiplist *zsl, dblite_bytes member);

/* Adds member, which must be absent, with score.  DBLITE_OK or
 * DBLITE_ERR_NOMEM with nothing changed. */
int zsl_insert(zset_skiplist *zsl, dblite_bytes member, double score);

/* Gives node another score, moving it as needed (never allocates). */
void zsl_update_score(zset_skiplist *zsl, zsl_node *node, double score);

/* Unlinks node from the list and the table and frees it. */
void zsl_delete_node(zset_skiplist *zsl, zsl_node *node);

/* Removes the nodes of ranks start..end (1-based, inclusive). */
size_t zsl_delete_rank_range(zset_skiplist *zsl, size_t start, size_t end);

/* The rank (1-based) of node. */
size_t zsl_rank_of(const zset_skiplist *zsl, const zsl_node *node);

/* The node at rank (1..length). */
zsl_node *zsl_node_at(const zset_skiplist *zsl, size_t rank);

/* Descends to the last node for which before(range, node) holds (before
 * must hold for a prefix of the list), giving its rank (0 and the header
 * when it holds for none). */
typedef int (*zsl_before_fn)(const void *range, const zsl_node *node);
const zsl_node *zsl_last_before(const zset_skiplist *zsl, zsl_before_fn before, const void *range,
                                size_t *rank);

#endif
