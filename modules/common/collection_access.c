/*
 * collection_access.c - shared steps of the hash and set commands.
 */
#include "collection_access.h"

int collection_commit_or_reply(dblite_ctx *ctx, dblite_bytes key, const dblite_type *type,
                               value_holder *holder)
{
    int status = value_holder_commit(ctx, key, type, holder);
    if (status == DBLITE_OK)
        return DBLITE_OK;
    if (status == DBLITE_ERR_NOMEM)
        collection_reply_out_of_memory(ctx);
    else
        dblite_reply_error(ctx, "ERR could not store the key");
    return DBLITE_ERR;
}

void collection_reply_out_of_memory(dblite_ctx *ctx)
{
    dblite_reply_error(ctx, "ERR out of memory");
}

void collection_propagate_as(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)dblite_propagate_replace(ctx, argc, argv);
}
