/*
 * hashes_commands_read.c - HGET, HMGET, HLEN, HSTRLEN and HEXISTS.
 */
#include "hash_access.h"
#include "hashes.h"

void hashes_hget_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    hash_value *value;
    if (hash_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &value) != DBLITE_OK)
        return;
    dblite_bytes content;
    if (value != NULL && hash_value_get(value, argv[2], &content))
        dblite_reply_bulk(ctx, content.ptr, content.len);
    else
        dblite_reply_null(ctx);
}

void hashes_hmget_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    hash_value *value;
    if (hash_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &value) != DBLITE_OK)
        return;
    dblite_reply_array(ctx, argc - 2);
    for (int i = 2; i < argc; i++) {
        dblite_bytes content;
        if (value != NULL && hash_value_get(value, argv[i], &content))
            dblite_reply_bulk(ctx, content.ptr, content.len);
        else
            dblite_reply_null(ctx);
    }
}

void hashes_hlen_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    hash_value *value;
    if (hash_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &value) != DBLITE_OK)
        return;
    dblite_reply_integer(ctx, value != NULL ? (long long)hash_value_length(value) : 0);
}

void hashes_hstrlen_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    hash_value *value;
    if (hash_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &value) != DBLITE_OK)
        return;
    dblite_bytes content;
    int found = value != NULL && hash_value_get(value, argv[2], &content);
    dblite_reply_integer(ctx, found ? (long long)content.len : 0);
}

void hashes_hexists_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    hash_value *value;
    if (hash_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &value) != DBLITE_OK)
        return;
    dblite_bytes content;
    dblite_reply_integer(ctx, value != NULL && hash_value_get(value, argv[2], &content));
}
