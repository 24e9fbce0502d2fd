/*
 * hashes_commands_delete.c - HDEL.  A hash left empty is deleted with its
 * key, as Redis never keeps empty collections.
 */
#include "hash_access.h"
#include "hashes.h"

void hashes_hdel_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    void **slot;
    if (dblite_key_lookup_slot_or_reply(ctx, argv[1], hashes_state_of(ctx)->type,
                                        DBLITE_LOOKUP_WRITE, &slot) != DBLITE_OK)
        return;
    if (slot == NULL) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    value_holder holder;
    value_holder_init_slot(&holder, slot, hash_value_free);
    long long deleted = 0;
    for (int i = 2; i < argc && hash_value_length(holder.current) > 0; i++)
        deleted += hash_value_delete(holder.current, argv[i]);
    if (deleted > 0)
        hash_finish_removal(ctx, argv[1], &holder, "hdel");
    dblite_reply_integer(ctx, deleted);
}
