/*
 * hashes_commands_scan.c - HSCAN.
 *
 * A packed hash is returned whole in one call with cursor 0, as Redis does
 * for its listpacks.  A table is walked from its last entry towards the
 * first: the cursor is the position where the next call resumes, so every
 * pair present for the whole scan is returned (see element_table.h).
 */
#include "common/scan_request.h"
#include "hash_access.h"
#include "hashes.h"

static void reply_pair_if_accepted(dblite_ctx *ctx, const scan_request *request, dblite_bytes field,
                                   dblite_bytes content, long long *replied)
{
    if (!scan_request_accepts(request, field.ptr, field.len))
        return;
    dblite_reply_bulk(ctx, field.ptr, field.len);
    dblite_reply_bulk(ctx, content.ptr, content.len);
    *replied += 2;
}

void hashes_hscan_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    scan_request request;
    if (scan_parse_cursor(ctx, argv[2], &request.cursor) != DBLITE_OK)
        return;
    hash_value *value;
    if (hash_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &value) != DBLITE_OK)
        return;
    if (value == NULL) {
        scan_reply_empty(ctx);
        return;
    }
    if (scan_parse_options(ctx, argc, argv, 3, &request) != DBLITE_OK)
        return;
    long long replied = 0;
    dblite_bytes field, content;
    if (hash_value_encoding(value) == HASH_ENCODING_PACKED) {
        void *deferred = scan_reply_begin(ctx, 0);
        hash_iterator iterator;
        hash_iterator_init(&iterator, value);
        while (hash_iterator_next(&iterator, &field, &content))
            reply_pair_if_accepted(ctx, &request, field, content, &replied);
        dblite_reply_set_length(ctx, deferred, replied);
        return;
    }
    size_t length = hash_value_length(value);
    size_t resume =
        request.cursor == 0 || request.cursor > length ? length : (size_t)request.cursor;
    size_t stop = (size_t)request.count >= resume ? 0 : resume - (size_t)request.count;
    void *deferred = scan_reply_begin(ctx, stop);
    for (size_t position = resume; position > stop; position--) {
        hash_value_pair_at(value, position - 1, &field, &content);
        reply_pair_if_accepted(ctx, &request, field, content, &replied);
    }
    dblite_reply_set_length(ctx, deferred, replied);
}
