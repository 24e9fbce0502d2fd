/*
 * set_access.c - shared steps of the set commands.
 */
#include "set_access.h"

#include "common/collection_access.h"
#include "common/packed_list.h"
#include "int_set.h"
#include "sets.h"

int set_lookup_or_reply(dblite_ctx *ctx, dblite_bytes key, int flags, set_value **set)
{
    /* The API replies WRONGTYPE; this only gives the value its type. */
    void *found;
    if (dblite_key_lookup_or_reply(ctx, key, sets_state_of(ctx)->type, flags, &found) != DBLITE_OK)
        return DBLITE_ERR;
    *set = found;
    return DBLITE_OK;
}

int set_open_for_write(dblite_ctx *ctx, dblite_bytes key, value_holder *holder)
{
    void **slot;
    if (dblite_key_lookup_slot_or_reply(ctx, key, sets_state_of(ctx)->type, DBLITE_LOOKUP_WRITE,
                                        &slot) != DBLITE_OK)
        return DBLITE_ERR;
    value_holder_init_slot(holder, slot, set_value_free);
    return DBLITE_OK;
}

void set_notify(dblite_ctx *ctx, const char *event, dblite_bytes key)
{
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_SET, event, key);
}

void set_finish_removal(dblite_ctx *ctx, dblite_bytes key, value_holder *holder, const char *event)
{
    if (set_value_length(holder->current) == 0) {
        value_holder_discard(holder);
        dblite_key_delete(ctx, key);
        if (event)
            set_notify(ctx, event, key);
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "del", key);
        return;
    }
    set_value_trim(holder);
    /* Cannot fail: the key exists, so nothing is allocated for it. */
    (void)value_holder_commit(ctx, key, sets_state_of(ctx)->type, holder);
    if (event)
        set_notify(ctx, event, key);
}

int set_lookup_all_or_reply(dblite_ctx *ctx, const dblite_bytes *keys, int count, int flags,
                            set_value **sets)
{
    for (int i = 0; i < count; i++)
        if (set_lookup_or_reply(ctx, keys[i], flags, &sets[i]) != DBLITE_OK)
            return DBLITE_ERR;
    return DBLITE_OK;
}

void set_store_result(dblite_ctx *ctx, dblite_bytes key, set_value *result, const char *event,
                      int del_first)
{
    long long length = (long long)set_value_length(result);
    if (length == 0) {
        set_value_free(result);
        int deleted = dblite_key_delete(ctx, key);
        if (deleted && del_first)
            dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "del", key);
        dblite_reply_integer(ctx, 0);
        if (deleted && !del_first)
            dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "del", key);
        return;
    }
    int status = dblite_key_set(ctx, key, sets_state_of(ctx)->type, result, DBLITE_SET_DEFAULT);
    if (status == DBLITE_ERR_NOMEM) {
        collection_reply_out_of_memory(ctx);
    } else if (status != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR could not store the key");
    } else {
        dblite_reply_integer(ctx, length);
        set_notify(ctx, event, key);
    }
}

set_shape set_shape_of(const dblite_bytes *members, size_t count)
{
    set_shape shape = {.count = count, .all_integers = 1, .integer_width = 2};
    for (size_t i = 0; i < count; i++) {
        long long value;
        if (shape.all_integers) {
            if (dblite_parse_long_long(members[i], &value) == DBLITE_OK) {
                int width = int_set_width_for(value);
                if (width > shape.integer_width)
                    shape.integer_width = width;
            } else {
                shape.all_integers = 0;
            }
        }
        if (members[i].len > shape.longest)
            shape.longest = members[i].len;
        shape.payload += packed_list_text_size(members[i].len);
    }
    return shape;
}

int set_commit_or_reply(dblite_ctx *ctx, dblite_bytes key, value_holder *holder)
{
    if (set_value_length(holder->current) == 0) {
        if (holder->stored == NULL) {
            set_value_free(holder->current);
        } else {
            value_holder_discard(holder);
            dblite_key_delete(ctx, key);
        }
        holder->current = holder->stored = NULL;
        return DBLITE_OK;
    }
    return collection_commit_or_reply(ctx, key, sets_state_of(ctx)->type, holder);
}

set_value *set_create_result_or_reply(dblite_ctx *ctx)
{
    set_limits limits = sets_limits(sets_state_of(ctx));
    set_shape shape = {.all_integers = 1};
    set_value *set = set_value_create(&limits, &shape);
    if (set == NULL)
        collection_reply_out_of_memory(ctx);
    return set;
}

void set_reply_members(dblite_ctx *ctx, const set_value *set)
{
    dblite_reply_set(ctx, (long long)set_value_length(set));
    set_iterator iterator;
    set_iterator_init(&iterator, set);
    set_member member;
    while (set_iterator_next(&iterator, &member))
        dblite_reply_bulk(ctx, member.bytes.ptr, member.bytes.len);
}
