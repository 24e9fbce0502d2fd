/*
 * value_holder.c - installing an edited collection value under its key.
 */
#include "value_holder.h"

int value_holder_commit(dblite_ctx *ctx, dblite_bytes key, const dblite_type *type,
                        value_holder *holder)
{
    if (holder->current == holder->stored) {
        dblite_key_modified(ctx, key);
        return DBLITE_OK;
    }
    if (holder->slot != NULL) {
        *holder->slot = holder->current;
        holder->free_value(holder->stored);
        holder->stored = holder->current;
        dblite_key_modified(ctx, key);
        return DBLITE_OK;
    }
    int flags = holder->stored != NULL ? DBLITE_SET_KEEP : DBLITE_SET_DEFAULT;
    int status = dblite_key_set(ctx, key, type, holder->current, flags);
    holder->stored = holder->current;
    return status;
}
