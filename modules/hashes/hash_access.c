/*
 * hash_access.c - shared steps of the hash commands.
 */
#include "hash_access.h"

#include "common/collection_access.h"
#include "common/packed_list.h"
#include "hashes.h"

int hash_lookup_or_reply(dblite_ctx *ctx, dblite_bytes key, int flags, hash_value **value)
{
    /* The API replies WRONGTYPE; this only gives the value its type. */
    void *found;
    if (dblite_key_lookup_or_reply(ctx, key, hashes_state_of(ctx)->type, flags, &found) !=
        DBLITE_OK)
        return DBLITE_ERR;
    *value = found;
    return DBLITE_OK;
}

int hash_open_for_write(dblite_ctx *ctx, dblite_bytes key, int argc, const dblite_bytes *argv,
                        int first, value_holder *holder)
{
    void **slot;
    if (dblite_key_lookup_slot_or_reply(ctx, key, hashes_state_of(ctx)->type, DBLITE_LOOKUP_WRITE,
                                        &slot) != DBLITE_OK)
        return DBLITE_ERR;
    value_holder_init_slot(holder, slot, hash_value_free);
    if (slot != NULL)
        return DBLITE_OK;
    /* A new hash gets its final size at once: most hashes are written by
     * one HSET and never grow again. */
    size_t longest = 0, payload = 0;
    for (int i = first; i < argc; i++) {
        if (argv[i].len > longest)
            longest = argv[i].len;
        payload += packed_list_text_size(argv[i].len);
    }
    hash_limits limits = hashes_limits(hashes_state_of(ctx));
    holder->current = hash_value_create(&limits, (size_t)(argc - first) / 2, longest, payload);
    if (holder->current == NULL) {
        collection_reply_out_of_memory(ctx);
        return DBLITE_ERR;
    }
    return DBLITE_OK;
}

int hash_commit_or_reply(dblite_ctx *ctx, dblite_bytes key, value_holder *holder)
{
    if (holder->stored == NULL && hash_value_length(holder->current) == 0) {
        hash_value_free(holder->current);
        holder->current = NULL;
        return DBLITE_OK;
    }
    return collection_commit_or_reply(ctx, key, hashes_state_of(ctx)->type, holder);
}

void hash_finish_removal(dblite_ctx *ctx, dblite_bytes key, value_holder *holder, const char *event)
{
    if (hash_value_length(holder->current) == 0) {
        value_holder_discard(holder);
        dblite_key_delete(ctx, key);
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_HASH, event, key);
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "del", key);
        return;
    }
    hash_value_trim(holder);
    /* Cannot fail: the key exists, so nothing is allocated for it. */
    (void)value_holder_commit(ctx, key, hashes_state_of(ctx)->type, holder);
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_HASH, event, key);
}
