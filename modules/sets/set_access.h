/*
 * set_access.h - finding a key as a set, and the steps the writing set
 * commands share.  Functions that can fail have replied when they do.
 */
#ifndef SETS_SET_ACCESS_H
#define SETS_SET_ACCESS_H

#include "common/value_holder.h"
#include "dblite_module.h"
#include "set_value.h"

/* DBLITE_OK with *set set (NULL when the key is missing), or DBLITE_ERR
 * after replying WRONGTYPE. */
int set_lookup_or_reply(dblite_ctx *ctx, dblite_bytes key, int flags, set_value **set);

/* For writing commands: the set under key in holder, found through its
 * slot (no other key call may come before the commit), or a holder of
 * nothing (current NULL) when the key is missing.  DBLITE_OK, or
 * DBLITE_ERR after replying WRONGTYPE. */
int set_open_for_write(dblite_ctx *ctx, dblite_bytes key, value_holder *holder);

/* After removals from the set in holder: deletes the key when the set is
 * empty, else shrinks a compact set wasting most of its room and reports
 * the change; emits event ("srem"; NULL: none), then "del" for a deleted
 * key.  Nothing is replied. */
void set_finish_removal(dblite_ctx *ctx, dblite_bytes key, value_holder *holder, const char *event);
/* The keyspace notification of a set command (class s). */
void set_notify(dblite_ctx *ctx, const char *event, dblite_bytes key);

/* Looks up every key of keys[0..count) as a set: sets[i] is NULL for a
 * missing key.  DBLITE_OK, or DBLITE_ERR after replying WRONGTYPE when any
 * key holds another type. */
int set_lookup_all_or_reply(dblite_ctx *ctx, const dblite_bytes *keys, int count, int flags,
                            set_value **sets);

/* Stores a computed result under key replacing whatever is there (its TTL
 * goes, as with Redis's setKey), or deletes key when result is empty, and
 * replies the result's size.  Redis's order: the reply, then event
 * ("sinterstore") or "del" - but "del" first when del_first (SINTERSTORE
 * of a missing set).  Takes ownership of result. */
void set_store_result(dblite_ctx *ctx, dblite_bytes key, set_value *result, const char *event,
                      int del_first);

/* The shape of a set made of members[0..count) (see set_shape). */
set_shape set_shape_of(const dblite_bytes *members, size_t count);

/* Installs the edited set under key, or deletes the key when the set ended
 * up empty (a new set is then just dropped).  DBLITE_OK or DBLITE_ERR after
 * replying. */
int set_commit_or_reply(dblite_ctx *ctx, dblite_bytes key, value_holder *holder);

/* A new empty set for collecting a computed result (SUNION and friends):
 * starts as an integer set and converts as members arrive.  NULL after
 * replying out of memory. */
set_value *set_create_result_or_reply(dblite_ctx *ctx);

/* Replies the members of set as a RESP3 set (array in RESP2). */
void set_reply_members(dblite_ctx *ctx, const set_value *set);

#endif
