/*
 * lists_commands_edit.c - changing a list in place: LSET, LREM and LTRIM.
 */
#include "list_access.h"
#include "lists.h"

void lists_lset_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    list_value *list;
    if (list_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_WRITE, &list) != DBLITE_OK)
        return;
    if (list == NULL) {
        dblite_reply_error(ctx, "ERR no such key");
        return;
    }
    long long index;
    if (list_parse_integer_or_reply(ctx, argv[2], &index) != DBLITE_OK)
        return;
    packed_value element;
    if (list_prepare_or_reply(ctx, argv[3], &element) != DBLITE_OK)
        return;
    list_position position;
    if (!list_value_seek(list, index, &position)) {
        dblite_reply_error(ctx, "ERR index out of range");
        return;
    }
    if (list_value_replace(list, &position, &element, list_fill(ctx)) != 0) {
        dblite_reply_error(ctx, LIST_OUT_OF_MEMORY_ERROR);
        return;
    }
    dblite_key_modified(ctx, argv[1]);
    dblite_reply_ok(ctx);
    list_notify(ctx, "lset", argv[1]);
}

/* LREM key count element: count > 0 removes the first count matches from
 * the head, count < 0 from the tail, 0 all of them. */
void lists_lrem_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    long long count;
    if (list_parse_integer_or_reply(ctx, argv[2], &count) != DBLITE_OK)
        return;
    list_value *list;
    if (list_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_WRITE, &list) != DBLITE_OK)
        return;
    if (list == NULL) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    packed_value element;
    if (list_prepare_or_reply(ctx, argv[3], &element) != DBLITE_OK)
        return;
    int toward_tail = count >= 0;
    unsigned long long limit = count == 0  ? UINT64_MAX
                               : count > 0 ? (unsigned long long)count
                                           : 0 - (unsigned long long)count;
    long long removed = 0;
    list_position position;
    int more = list_value_seek(list, toward_tail ? 0 : -1, &position);
    while (more && (unsigned long long)removed < limit) {
        if (list_value_equals(list, &position, &element)) {
            list_value_delete_at(list, &position, toward_tail);
            removed++;
            more = position.offset != 0;
        } else {
            more =
                toward_tail ? list_value_next(list, &position) : list_value_prev(list, &position);
        }
    }
    if (removed > 0) {
        list_value_settle(list, list_fill(ctx));
        list_removed_elements(ctx, argv[1], list, "lrem");
    }
    dblite_reply_integer(ctx, removed);
}

/* LTRIM key start stop: keeps the inclusive range; an empty range deletes
 * the key. */
void lists_ltrim_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    long long start, end;
    if (list_parse_integer_or_reply(ctx, argv[2], &start) != DBLITE_OK ||
        list_parse_integer_or_reply(ctx, argv[3], &end) != DBLITE_OK)
        return;
    list_value *list;
    if (list_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_WRITE, &list) != DBLITE_OK)
        return;
    if (list == NULL) {
        dblite_reply_ok(ctx);
        return;
    }
    long long length = (long long)list_value_length(list);
    if (start < 0)
        start += length;
    if (end < 0)
        end += length;
    if (start < 0)
        start = 0;
    if (start > end || start >= length) {
        list_notify(ctx, "ltrim", argv[1]);
        if (length > 0 && dblite_key_delete(ctx, argv[1]))
            dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "del", argv[1]);
        dblite_reply_ok(ctx);
        return;
    }
    if (end >= length)
        end = length - 1;
    if (start > 0 || end < length - 1) {
        list_value_trim(list, (size_t)start, (size_t)end, list_fill(ctx));
        dblite_key_modified(ctx, argv[1]);
    }
    /* Redis announces an LTRIM that removed nothing too. */
    list_notify(ctx, "ltrim", argv[1]);
    dblite_reply_ok(ctx);
}
