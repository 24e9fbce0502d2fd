/*
 * sets_commands_move.c - SMOVE.
 *
 * Checks in Redis's order: a missing source answers 0 before any type
 * check; then both keys must be sets (or the destination missing); moving
 * within one set only answers whether the member is there.
 */
#include "common/collection_access.h"
#include "set_access.h"
#include "sets.h"

void sets_smove_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    const dblite_type *set_type = sets_state_of(ctx)->type;
    dblite_bytes source_key = argv[1], target_key = argv[2], member = argv[3];
    const dblite_type *source_type;
    set_value *source = dblite_key_value(ctx, source_key, DBLITE_LOOKUP_WRITE, &source_type);
    if (source == NULL) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    const dblite_type *target_type;
    set_value *target = dblite_key_value(ctx, target_key, DBLITE_LOOKUP_WRITE, &target_type);
    if (source_type != set_type || (target != NULL && target_type != set_type)) {
        dblite_reply_wrongtype(ctx);
        return;
    }
    if (source == target) {
        dblite_reply_integer(ctx, set_value_contains(source, member));
        return;
    }
    if (!set_value_contains(source, member)) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    /* The destination is written first: should it fail for memory, the
     * member is still in the source and nothing was lost.  Redis announces
     * the source's change first ("srem", and "del" when it empties), then
     * the destination's ("new", "sadd"), so that is the order of the
     * notifications (only a failed write would make them say too much). */
    set_notify(ctx, "srem", source_key);
    if (set_value_length(source) == 1)
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "del", source_key);
    set_limits limits = sets_limits(sets_state_of(ctx));
    value_holder target_holder;
    value_holder_init(&target_holder, target, set_value_free);
    if (target == NULL) {
        set_shape shape = set_shape_of(&member, 1);
        target_holder.current = set_value_create(&limits, &shape);
        if (target_holder.current == NULL) {
            collection_reply_out_of_memory(ctx);
            return;
        }
    }
    int added = set_value_add(&target_holder, &limits, member);
    if (added < 0) {
        value_holder_discard(&target_holder);
        collection_reply_out_of_memory(ctx);
        return;
    }
    if (added > 0 && set_commit_or_reply(ctx, target_key, &target_holder) != DBLITE_OK)
        return;
    set_value_remove(source, member);
    value_holder source_holder;
    value_holder_init(&source_holder, source, set_value_free);
    if (set_value_length(source) > 0)
        set_value_trim(&source_holder);
    if (set_commit_or_reply(ctx, source_key, &source_holder) != DBLITE_OK)
        return;
    if (added > 0)
        set_notify(ctx, "sadd", target_key);
    dblite_reply_integer(ctx, 1);
}
