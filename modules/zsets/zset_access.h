/*
 * zset_access.h - finding a key as a sorted set, and the steps the writing
 * sorted-set commands share.  Functions that can fail have replied when
 * they do.
 */
#ifndef ZSETS_ZSET_ACCESS_H
#define ZSETS_ZSET_ACCESS_H

#include "common/value_holder.h"
#include "dblite_module.h"
#include "zset_value.h"

/* DBLITE_OK with *zset set (NULL when the key is missing), or DBLITE_ERR
 * after replying WRONGTYPE. */
int zset_lookup_or_reply(dblite_ctx *ctx, dblite_bytes key, int flags, zset_value **zset);

/* Looks up every key of keys[0..count) as a sorted set: zsets[i] is NULL
 * for a missing key.  DBLITE_OK, or DBLITE_ERR after replying WRONGTYPE. */
int zset_lookup_all_or_reply(dblite_ctx *ctx, const dblite_bytes *keys, int count, int flags,
                             zset_value **zsets);

/* For writing commands: the sorted set under key in holder, found through
 * its slot (no other key call may come before the commit), or a holder of
 * nothing (current NULL) when the key is missing.  DBLITE_OK, or
 * DBLITE_ERR after replying WRONGTYPE. */
int zset_open_for_write(dblite_ctx *ctx, dblite_bytes key, value_holder *holder);

/* Installs the edited set under key (a new key when holder->stored is
 * NULL).  DBLITE_OK, or DBLITE_ERR after replying. */
int zset_commit_or_reply(dblite_ctx *ctx, dblite_bytes key, value_holder *holder);

/* After removals from the set in holder: deletes the key when the set is
 * empty, else trims it and reports the change; emits event ("zrem";
 * NULL: none), then "del" for a deleted key.  Nothing is replied. */
void zset_finish_removal(dblite_ctx *ctx, dblite_bytes key, value_holder *holder,
                         const char *event);

/* The keyspace notification of a sorted-set command (class z). */
void zset_notify(dblite_ctx *ctx, const char *event, dblite_bytes key);

/* Stores a computed result under key replacing whatever is there (its TTL
 * goes, as with Redis's setKey), converted to packed when it fits, or
 * deletes key when result is empty; replies the result's size as an
 * integer, then emits event ("zunionstore") or "del" when an existing key
 * was deleted.  Takes ownership of result. */
void zset_store_result(dblite_ctx *ctx, dblite_bytes key, zset_value *result, const char *event);

/* A new empty set for collecting a computed result, sized for expected
 * members none longer than longest bytes.  NULL after replying out of
 * memory. */
zset_value *zset_create_result_or_reply(dblite_ctx *ctx, size_t expected, size_t longest);

/* Replies one entry: the member, or with_scores the member and its score
 * (RESP2: two bulks in the surrounding flat array; RESP3: the caller has
 * opened an array of [member, score] pairs - see zset_reply_entries). */
void zset_reply_entry(dblite_ctx *ctx, const zset_entry *entry, int with_scores);

/* Opens the array for count entries as Redis 7.0 shapes it: with_scores
 * in RESP2 a flat array of 2*count, in RESP3 an array of count pairs
 * (each pair opened by zset_reply_entry).  deferred: count unknown yet,
 * returns the handle for zset_reply_entries_end (NULL otherwise). */
void *zset_reply_entries_begin(dblite_ctx *ctx, long long count, int with_scores, int deferred);
void zset_reply_entries_end(dblite_ctx *ctx, void *deferred, long long count, int with_scores);

/* Replies a score (RESP3 double, RESP2 bulk in Redis's %.17g form). */
void zset_reply_score(dblite_ctx *ctx, double score);

/* Parses a score argument as Redis's zslParseRange / ZADD do ("inf",
 * "-inf", "+inf", a double; NaN refused).  DBLITE_OK, or DBLITE_ERR after
 * replying "ERR value is not a valid float". */
int zset_parse_score_or_reply(dblite_ctx *ctx, dblite_bytes argument, double *score);

#endif
