/*
 * hashes_commands_all.c - HKEYS, HVALS and HGETALL: the whole hash in
 * storage order (insertion order while it is packed, as Redis).
 */
#include "hash_access.h"
#include "hashes.h"

#define WANT_FIELDS 1
#define WANT_VALUES 2

static void reply_all(dblite_ctx *ctx, dblite_bytes key, int wanted)
{
    hash_value *value;
    if (hash_lookup_or_reply(ctx, key, DBLITE_LOOKUP_READ, &value) != DBLITE_OK)
        return;
    long long length = value != NULL ? (long long)hash_value_length(value) : 0;
    if (wanted == (WANT_FIELDS | WANT_VALUES))
        dblite_reply_map(ctx, length);
    else
        dblite_reply_array(ctx, length);
    if (value == NULL)
        return;
    hash_iterator iterator;
    hash_iterator_init(&iterator, value);
    dblite_bytes field, content;
    while (hash_iterator_next(&iterator, &field, &content)) {
        if (wanted & WANT_FIELDS)
            dblite_reply_bulk(ctx, field.ptr, field.len);
        if (wanted & WANT_VALUES)
            dblite_reply_bulk(ctx, content.ptr, content.len);
    }
}

void hashes_hkeys_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    reply_all(ctx, argv[1], WANT_FIELDS);
}

void hashes_hvals_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    reply_all(ctx, argv[1], WANT_VALUES);
}

void hashes_hgetall_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    reply_all(ctx, argv[1], WANT_FIELDS | WANT_VALUES);
}
