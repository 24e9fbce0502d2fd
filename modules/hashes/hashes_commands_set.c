/*
 * hashes_commands_set.c - HSET, HMSET and HSETNX.
 */
#include "common/collection_access.h"
#include "hash_access.h"
#include "hashes.h"

/* Sets the pairs of argv[2..argc) and returns how many fields were new, or
 * -1 after replying an error.  A failure midway keeps the pairs already set
 * (each pair is one independent write, as Redis applies them). */
static long long set_pairs(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (argc % 2 != 0) {
        dblite_reply_wrong_arity(ctx);
        return -1;
    }
    value_holder holder;
    if (hash_open_for_write(ctx, argv[1], argc, argv, 2, &holder) != DBLITE_OK)
        return -1;
    hash_limits limits = hashes_limits(hashes_state_of(ctx));
    long long added = 0;
    int failed = 0;
    for (int i = 2; i < argc; i += 2) {
        int result = hash_value_set(&holder, &limits, argv[i], argv[i + 1]);
        if (result < 0) {
            failed = 1;
            break;
        }
        added += result == HASH_VALUE_ADDED;
    }
    if (hash_commit_or_reply(ctx, argv[1], &holder) != DBLITE_OK)
        return -1;
    if (failed) {
        collection_reply_out_of_memory(ctx);
        return -1;
    }
    return added;
}

void hashes_hset_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    long long added = set_pairs(ctx, argc, argv);
    if (added < 0)
        return;
    /* Redis replies first, then announces. */
    dblite_reply_integer(ctx, added);
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_HASH, "hset", argv[1]);
}

void hashes_hmset_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (set_pairs(ctx, argc, argv) < 0)
        return;
    dblite_reply_ok(ctx);
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_HASH, "hset", argv[1]);
}

void hashes_hsetnx_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    value_holder holder;
    if (hash_open_for_write(ctx, argv[1], argc, argv, 2, &holder) != DBLITE_OK)
        return;
    dblite_bytes existing;
    if (hash_value_get(holder.current, argv[2], &existing)) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    hash_limits limits = hashes_limits(hashes_state_of(ctx));
    int result = hash_value_set(&holder, &limits, argv[2], argv[3]);
    if (hash_commit_or_reply(ctx, argv[1], &holder) != DBLITE_OK)
        return;
    if (result < 0) {
        collection_reply_out_of_memory(ctx);
        return;
    }
    dblite_reply_integer(ctx, 1);
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_HASH, "hset", argv[1]);
}
