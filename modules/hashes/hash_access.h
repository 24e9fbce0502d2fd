/*
 * hash_access.h - finding a key as a hash, and the steps the writing hash
 * commands share.  Functions that can fail have replied when they do.
 */
#ifndef HASHES_HASH_ACCESS_H
#define HASHES_HASH_ACCESS_H

#include "common/value_holder.h"
#include "dblite_module.h"
#include "hash_value.h"

/* DBLITE_OK with *value set (NULL when the key is missing), or DBLITE_ERR
 * after replying WRONGTYPE. */
int hash_lookup_or_reply(dblite_ctx *ctx, dblite_bytes key, int flags, hash_value **value);

/* For writing commands: the hash under key in holder (found through its
 * slot: no other key call may come before the commit), or a new empty one
 * sized for the pairs in argv[first..argc) (field, value, field, value...)
 * when the key is missing.  DBLITE_OK, or DBLITE_ERR after replying. */
int hash_open_for_write(dblite_ctx *ctx, dblite_bytes key, int argc, const dblite_bytes *argv,
                        int first, value_holder *holder);

/* Installs the edited hash under key; a hash left empty (a new key whose
 * only edit failed) is dropped instead.  DBLITE_OK or DBLITE_ERR after
 * replying. */
int hash_commit_or_reply(dblite_ctx *ctx, dblite_bytes key, value_holder *holder);

/* After removals from the hash in holder: deletes the key when the hash is
 * empty, else shrinks a packed hash wasting most of its room and reports
 * the change; emits event ("hdel"), then "del" for a deleted key. */
void hash_finish_removal(dblite_ctx *ctx, dblite_bytes key, value_holder *holder,
                         const char *event);

#endif
