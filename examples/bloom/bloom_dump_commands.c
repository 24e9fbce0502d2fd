/*
 * bloom_dump_commands.c - copying a filter out and back in, in pieces:
 *
 *   BF.SCANDUMP key iterator        -> [next-iterator, data]; start at 0,
 *                                      stop when next-iterator is 0
 *   BF.LOADCHUNK key iterator data  -> OK; feed it every pair SCANDUMP gave
 *
 * The first pair is the filter's header (iterator 1), which (re)creates
 * the key with all bits clear; the others fill in bits.  Log compaction
 * rebuilds filters with the same commands.  The format is dblite's own
 * (bloom_dump.h): a dump from RedisBloom does not load here, nor the
 * reverse.
 */
#include "bloom_access.h"
#include "bloom_commands.h"
#include "bloom_dump.h"

static int parse_iterator(dblite_ctx *ctx, dblite_bytes argument, long long *iterator)
{
    if (dblite_parse_long_long(argument, iterator) != DBLITE_OK || *iterator < 0) {
        dblite_reply_error(ctx, "ERR invalid iterator");
        return 0;
    }
    return 1;
}

void bloom_scandump_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    long long iterator;
    if (!parse_iterator(ctx, argv[2], &iterator))
        return;
    bloom_state *state = bloom_state_of(ctx);
    bloom_filter *filter;
    if (!bloom_lookup(ctx, state, argv[1], DBLITE_LOOKUP_READ, &filter))
        return;
    if (filter == NULL) {
        bloom_reply_not_found(ctx);
        return;
    }
    dblite_reply_array(ctx, 2);
    if (iterator == 0) {
        unsigned char header[BLOOM_DUMP_MAX_HEADER_BYTES];
        bloom_dump_header_write(filter, header);
        dblite_reply_integer(ctx, BLOOM_DUMP_HEADER_ITERATOR);
        dblite_reply_bulk(ctx, (const char *)header, bloom_dump_header_size(filter));
        return;
    }
    const unsigned char *data;
    size_t length;
    long long next;
    if (bloom_dump_next_chunk(filter, iterator, &data, &length, &next)) {
        dblite_reply_integer(ctx, next);
        dblite_reply_bulk(ctx, (const char *)data, length);
    } else {
        dblite_reply_integer(ctx, 0);
        dblite_reply_bulk(ctx, "", 0);
    }
}

static void load_header(dblite_ctx *ctx, bloom_state *state, dblite_bytes key, dblite_bytes header)
{
    bloom_filter *existing;
    if (!bloom_lookup(ctx, state, key, DBLITE_LOOKUP_WRITE, &existing))
        return;
    bloom_filter *filter;
    int status = bloom_dump_header_read((const unsigned char *)header.ptr, header.len, &filter);
    if (status == BLOOM_ERR_INVALID) {
        dblite_reply_error(ctx, "ERR invalid header: not a filter header of this plugin");
        return;
    }
    if (status != BLOOM_OK) {
        bloom_reply_status(ctx, status);
        return;
    }
    /* Replaces a filter already there, as a restore does. */
    if (!bloom_store(ctx, state, key, filter))
        return;
    dblite_reply_ok(ctx);
}

void bloom_loadchunk_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    long long iterator;
    if (!parse_iterator(ctx, argv[2], &iterator))
        return;
    bloom_state *state = bloom_state_of(ctx);
    if (iterator == BLOOM_DUMP_HEADER_ITERATOR) {
        load_header(ctx, state, argv[1], argv[3]);
        return;
    }
    bloom_filter *filter;
    if (!bloom_lookup(ctx, state, argv[1], DBLITE_LOOKUP_WRITE, &filter))
        return;
    if (filter == NULL) {
        bloom_reply_not_found(ctx);
        return;
    }
    if (bloom_dump_load_chunk(filter, iterator, (const unsigned char *)argv[3].ptr, argv[3].len) !=
        BLOOM_OK) {
        dblite_reply_error(ctx, "ERR invalid chunk: iterator and length do not fit the filter");
        return;
    }
    dblite_key_modified(ctx, argv[1]);
    dblite_reply_ok(ctx);
}
