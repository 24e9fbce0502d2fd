/*
 * value_holder.h - tracks a collection value that may move while a command
 * edits it.
 *
 * Compact encodings live in one block, so growing one (or converting it to
 * another encoding) produces a new block.  The old block may be the very
 * value the keyspace holds, which only the core may free (it frees the old
 * value itself when dblite_key_set installs the new one), while blocks made
 * in between during the same command are ours to free.  The holder keeps
 * the two apart: edits report their result with value_holder_update(), and
 * value_holder_commit() installs the final block under the key.
 *
 * When the key was found with dblite_key_lookup_slot, the holder keeps the
 * slot and the commit writes the new block there and frees the old one
 * itself: no second hash lookup.  No other key call may come between the
 * lookup and the commit then (the slot would be stale).
 */
#ifndef DBLITE_COMMON_VALUE_HOLDER_H
#define DBLITE_COMMON_VALUE_HOLDER_H

#include "dblite_module.h"

typedef struct value_holder {
    void *stored;  /* what the keyspace holds, NULL for a new key */
    void *current; /* the value as edited so far */
    void (*free_value)(void *value);
    void **slot; /* where the keyspace keeps stored, or NULL */
} value_holder;

static inline void value_holder_init(value_holder *holder, void *stored,
                                     void (*free_value)(void *value))
{
    holder->stored = stored;
    holder->current = stored;
    holder->free_value = free_value;
    holder->slot = NULL;
}

/* For a value found with dblite_key_lookup_slot (slot NULL: a new key). */
static inline void value_holder_init_slot(value_holder *holder, void **slot,
                                          void (*free_value)(void *value))
{
    value_holder_init(holder, slot != NULL ? *slot : NULL, free_value);
    holder->slot = slot;
}

/* The edit produced updated (possibly current itself): adopt it, freeing an
 * intermediate block that the keyspace never saw. */
static inline void value_holder_update(value_holder *holder, void *updated)
{
    if (updated == holder->current)
        return;
    if (holder->current != holder->stored && holder->current != NULL)
        holder->free_value(holder->current);
    holder->current = updated;
}

/* Drops any block the keyspace never saw (after a failed command). */
static inline void value_holder_discard(value_holder *holder)
{
    value_holder_update(holder, holder->stored);
}

/* Makes the key hold the edited value: installs a moved or new value (the
 * previous one is freed and the key's TTL kept), or reports the in-place
 * change.  Returns DBLITE_OK or the core's error (the value is then
 * released by the core). */
int value_holder_commit(dblite_ctx *ctx, dblite_bytes key, const dblite_type *type,
                        value_holder *holder);

#endif
