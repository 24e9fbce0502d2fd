/*
 * sets_commands_members.c - SADD, SREM, SCARD, SISMEMBER, SMISMEMBER and
 * SMEMBERS.
 */
#include "common/collection_access.h"
#include "set_access.h"
#include "sets.h"

void sets_sadd_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    value_holder holder;
    if (set_open_for_write(ctx, argv[1], &holder) != DBLITE_OK)
        return;
    set_limits limits = sets_limits(sets_state_of(ctx));
    if (holder.current == NULL) {
        /* A new set gets its final size at once: most sets are written by
         * one SADD and then grow slowly if at all. */
        set_shape shape = set_shape_of(argv + 2, (size_t)(argc - 2));
        holder.current = set_value_create(&limits, &shape);
        if (holder.current == NULL) {
            collection_reply_out_of_memory(ctx);
            return;
        }
    }
    long long added = 0;
    int failed = 0;
    for (int i = 2; i < argc; i++) {
        int result = set_value_add(&holder, &limits, argv[i]);
        if (result < 0) {
            failed = 1;
            break;
        }
        added += result;
    }
    if (added == 0 && !failed && holder.current == holder.stored) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    if (set_commit_or_reply(ctx, argv[1], &holder) != DBLITE_OK)
        return;
    if (added > 0)
        set_notify(ctx, "sadd", argv[1]);
    if (failed)
        collection_reply_out_of_memory(ctx);
    else
        dblite_reply_integer(ctx, added);
}

void sets_srem_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    value_holder holder;
    if (set_open_for_write(ctx, argv[1], &holder) != DBLITE_OK)
        return;
    if (holder.current == NULL) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    long long removed = 0;
    for (int i = 2; i < argc && set_value_length(holder.current) > 0; i++)
        removed += set_value_remove(holder.current, argv[i]);
    if (removed > 0)
        set_finish_removal(ctx, argv[1], &holder, "srem");
    dblite_reply_integer(ctx, removed);
}

void sets_scard_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    set_value *set;
    if (set_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &set) != DBLITE_OK)
        return;
    dblite_reply_integer(ctx, set != NULL ? (long long)set_value_length(set) : 0);
}

void sets_sismember_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    set_value *set;
    if (set_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &set) != DBLITE_OK)
        return;
    dblite_reply_integer(ctx, set != NULL && set_value_contains(set, argv[2]));
}

void sets_smismember_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    set_value *set;
    if (set_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &set) != DBLITE_OK)
        return;
    dblite_reply_array(ctx, argc - 2);
    for (int i = 2; i < argc; i++)
        dblite_reply_integer(ctx, set != NULL && set_value_contains(set, argv[i]));
}

void sets_smembers_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    set_value *set;
    if (set_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &set) != DBLITE_OK)
        return;
    if (set == NULL) {
        dblite_reply_set(ctx, 0);
        return;
    }
    set_reply_members(ctx, set);
}
