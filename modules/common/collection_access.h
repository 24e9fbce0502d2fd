/*
 * collection_access.h - the steps every hash and set command shares:
 * install an edited value, and the error replies.  (Commands find a key
 * with dblite_key_lookup_or_reply / dblite_key_lookup_slot_or_reply.)
 * Each function that can fail has already replied when it returns an error.
 */
#ifndef DBLITE_COMMON_COLLECTION_ACCESS_H
#define DBLITE_COMMON_COLLECTION_ACCESS_H

#include "dblite_module.h"
#include "value_holder.h"

/* value_holder_commit, replying the error if the core refuses.  DBLITE_OK or
 * DBLITE_ERR after replying. */
int collection_commit_or_reply(dblite_ctx *ctx, dblite_bytes key, const dblite_type *type,
                               value_holder *holder);

void collection_reply_out_of_memory(dblite_ctx *ctx);

/* Replicates argv in place of the running command; should the core fail to
 * copy it, the command goes out as received. */
void collection_propagate_as(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

#endif
