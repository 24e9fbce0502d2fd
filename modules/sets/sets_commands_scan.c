/*
 * sets_commands_scan.c - SSCAN.
 *
 * Integer and packed sets are returned whole in one call with cursor 0, as
 * Redis does for its intsets and listpacks.  A table is walked from its
 * last entry towards the first: the cursor is the position where the next
 * call resumes, so every member present for the whole scan is returned
 * (see element_table.h).
 */
#include "common/scan_request.h"
#include "set_access.h"
#include "sets.h"

static void reply_if_accepted(dblite_ctx *ctx, const scan_request *request,
                              const set_member *member, long long *replied)
{
    if (!scan_request_accepts(request, member->bytes.ptr, member->bytes.len))
        return;
    dblite_reply_bulk(ctx, member->bytes.ptr, member->bytes.len);
    (*replied)++;
}

void sets_sscan_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    scan_request request;
    if (scan_parse_cursor(ctx, argv[2], &request.cursor) != DBLITE_OK)
        return;
    set_value *set;
    if (set_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &set) != DBLITE_OK)
        return;
    if (set == NULL) {
        scan_reply_empty(ctx);
        return;
    }
    if (scan_parse_options(ctx, argc, argv, 3, &request) != DBLITE_OK)
        return;
    long long replied = 0;
    set_member member;
    if (set_value_encoding(set) != SET_ENCODING_TABLE) {
        void *deferred = scan_reply_begin(ctx, 0);
        set_iterator iterator;
        set_iterator_init(&iterator, set);
        while (set_iterator_next(&iterator, &member))
            reply_if_accepted(ctx, &request, &member, &replied);
        dblite_reply_set_length(ctx, deferred, replied);
        return;
    }
    size_t length = set_value_length(set);
    size_t resume =
        request.cursor == 0 || request.cursor > length ? length : (size_t)request.cursor;
    size_t stop = (size_t)request.count >= resume ? 0 : resume - (size_t)request.count;
    void *deferred = scan_reply_begin(ctx, stop);
    for (size_t position = resume; position > stop; position--) {
        set_value_member_at(set, position - 1, &member);
        reply_if_accepted(ctx, &request, &member, &replied);
    }
    dblite_reply_set_length(ctx, deferred, replied);
}
