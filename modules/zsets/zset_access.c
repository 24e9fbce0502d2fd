/*
 * zset_access.c - the shared steps of the sorted-set commands: finding a
 * key as a sorted set, installing an edit, storing a computed result, the
 * notifications, and the reply shapes of members with scores.
 */
#include "zset_access.h"

#include "common/collection_access.h"
#include "zsets.h"

int zset_lookup_or_reply(dblite_ctx *ctx, dblite_bytes key, int flags, zset_value **zset)
{
    /* The API replies WRONGTYPE; this only gives the value its type. */
    void *found;
    if (dblite_key_lookup_or_reply(ctx, key, zsets_state_of(ctx)->type, flags, &found) != DBLITE_OK)
        return DBLITE_ERR;
    *zset = found;
    return DBLITE_OK;
}

int zset_lookup_all_or_reply(dblite_ctx *ctx, const dblite_bytes *keys, int count, int flags,
                             zset_value **zsets)
{
    for (int i = 0; i < count; i++)
        if (zset_lookup_or_reply(ctx, keys[i], flags, &zsets[i]) != DBLITE_OK)
            return DBLITE_ERR;
    return DBLITE_OK;
}

int zset_open_for_write(dblite_ctx *ctx, dblite_bytes key, value_holder *holder)
{
    void **slot;
    if (dblite_key_lookup_slot_or_reply(ctx, key, zsets_state_of(ctx)->type, DBLITE_LOOKUP_WRITE,
                                        &slot) != DBLITE_OK)
        return DBLITE_ERR;
    value_holder_init_slot(holder, slot, zset_value_free);
    return DBLITE_OK;
}

int zset_commit_or_reply(dblite_ctx *ctx, dblite_bytes key, value_holder *holder)
{
    if (holder->current == NULL)
        return DBLITE_OK;
    if (zset_value_length(holder->current) == 0) {
        if (holder->stored == NULL) {
            zset_value_free(holder->current);
        } else {
            value_holder_discard(holder);
            dblite_key_delete(ctx, key);
        }
        holder->current = holder->stored = NULL;
        return DBLITE_OK;
    }
    return collection_commit_or_reply(ctx, key, zsets_state_of(ctx)->type, holder);
}

void zset_notify(dblite_ctx *ctx, const char *event, dblite_bytes key)
{
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_ZSET, event, key);
}

void zset_finish_removal(dblite_ctx *ctx, dblite_bytes key, value_holder *holder, const char *event)
{
    if (zset_value_length(holder->current) == 0) {
        value_holder_discard(holder);
        dblite_key_delete(ctx, key);
        if (event != NULL)
            zset_notify(ctx, event, key);
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "del", key);
        return;
    }
    zset_value_trim(holder);
    /* Cannot fail: the key exists, so nothing is allocated for it. */
    (void)value_holder_commit(ctx, key, zsets_state_of(ctx)->type, holder);
    if (event != NULL)
        zset_notify(ctx, event, key);
}

void zset_store_result(dblite_ctx *ctx, dblite_bytes key, zset_value *result, const char *event)
{
    long long length = (long long)zset_value_length(result);
    if (length == 0) {
        zset_value_free(result);
        int deleted = dblite_key_delete(ctx, key);
        dblite_reply_integer(ctx, 0);
        if (deleted)
            dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "del", key);
        return;
    }
    zsets_state *state = zsets_state_of(ctx);
    zset_limits limits = zsets_limits(state);
    value_holder holder;
    value_holder_init(&holder, NULL, zset_value_free);
    holder.current = result;
    zset_value_fit_encoding(&holder, &limits);
    /* A packed result made with room to spare gives it back. */
    zset_value_trim(&holder);
    int status = dblite_key_set(ctx, key, state->type, holder.current, DBLITE_SET_DEFAULT);
    if (status == DBLITE_ERR_NOMEM) {
        collection_reply_out_of_memory(ctx);
    } else if (status != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR could not store the key");
    } else {
        dblite_reply_integer(ctx, length);
        zset_notify(ctx, event, key);
    }
}

zset_value *zset_create_result_or_reply(dblite_ctx *ctx, size_t expected, size_t longest)
{
    zset_limits limits = zsets_limits(zsets_state_of(ctx));
    zset_value *zset = zset_value_create(&limits, expected, longest);
    if (zset == NULL)
        collection_reply_out_of_memory(ctx);
    return zset;
}

void zset_reply_score(dblite_ctx *ctx, double score)
{
    dblite_reply_double(ctx, score);
}

void zset_reply_entry(dblite_ctx *ctx, const zset_entry *entry, int with_scores)
{
    if (with_scores && dblite_ctx_protocol(ctx) == 3)
        dblite_reply_array(ctx, 2);
    dblite_reply_bulk(ctx, entry->member.ptr, entry->member.len);
    if (with_scores)
        zset_reply_score(ctx, entry->score);
}

/* Elements of the reply array for count entries. */
static long long reply_elements(dblite_ctx *ctx, long long count, int with_scores)
{
    return with_scores && dblite_ctx_protocol(ctx) == 2 ? 2 * count : count;
}

void *zset_reply_entries_begin(dblite_ctx *ctx, long long count, int with_scores, int deferred)
{
    if (deferred)
        return dblite_reply_deferred(ctx, DBLITE_AGGREGATE_ARRAY);
    dblite_reply_array(ctx, reply_elements(ctx, count, with_scores));
    return NULL;
}

void zset_reply_entries_end(dblite_ctx *ctx, void *deferred, long long count, int with_scores)
{
    if (deferred != NULL)
        dblite_reply_set_length(ctx, deferred, reply_elements(ctx, count, with_scores));
}

int zset_parse_score_or_reply(dblite_ctx *ctx, dblite_bytes argument, double *score)
{
    if (dblite_parse_double(argument, score) == DBLITE_OK)
        return DBLITE_OK;
    dblite_reply_error(ctx, "ERR value is not a valid float");
    return DBLITE_ERR;
}
