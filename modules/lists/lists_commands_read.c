/*
 * lists_commands_read.c - the read-only list commands: LLEN, LRANGE,
 * LINDEX and LPOS, with Redis 7.0's argument checks in Redis's order.
 */
#include "list_access.h"
#include "lists.h"

#define RANK_ZERO_ERROR                                                                      \
    "RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use " \
    "negative to start from the end of the list"

void lists_llen_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    list_value *list;
    if (list_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &list) != DBLITE_OK)
        return;
    dblite_reply_integer(ctx, list ? (long long)list_value_length(list) : 0);
}

static void reply_entry(const packed_entry *entry, void *privdata)
{
    list_reply_entry(privdata, entry);
}

/* Inclusive range, negative indexes from the end, clamped to the list. */
void lists_lrange_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    long long start, end;
    if (list_parse_integer_or_reply(ctx, argv[2], &start) != DBLITE_OK ||
        list_parse_integer_or_reply(ctx, argv[3], &end) != DBLITE_OK)
        return;
    list_value *list;
    if (list_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &list) != DBLITE_OK)
        return;
    long long length = list ? (long long)list_value_length(list) : 0;
    if (start < 0)
        start += length;
    if (end < 0)
        end += length;
    if (start < 0)
        start = 0;
    if (start > end || start >= length) {
        dblite_reply_array(ctx, 0);
        return;
    }
    if (end >= length)
        end = length - 1;
    long long count = end - start + 1;
    dblite_reply_array(ctx, count);
    list_value_walk(list, (size_t)start, (size_t)count, reply_entry, ctx);
}

void lists_lindex_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    list_value *list;
    if (list_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &list) != DBLITE_OK)
        return;
    if (list == NULL) {
        dblite_reply_null(ctx);
        return;
    }
    long long index;
    if (list_parse_integer_or_reply(ctx, argv[2], &index) != DBLITE_OK)
        return;
    list_position position;
    if (list_value_seek(list, index, &position))
        list_reply_position(ctx, list, &position);
    else
        dblite_reply_null(ctx);
}

/* LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
void lists_lpos_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    long long rank = 1, count = -1, maxlen = 0; /* count -1: no COUNT given */
    for (int index = 3; index < argc; index++) {
        int has_value = index + 1 < argc;
        if (dblite_bytes_equal_nocase(argv[index], "rank") && has_value) {
            if (list_parse_integer_or_reply(ctx, argv[++index], &rank) != DBLITE_OK)
                return;
            if (rank == 0) {
                dblite_reply_error(ctx, "ERR " RANK_ZERO_ERROR);
                return;
            }
        } else if (dblite_bytes_equal_nocase(argv[index], "count") && has_value) {
            if (list_parse_range_or_reply(ctx, argv[++index], 0, INT64_MAX,
                                          "COUNT can't be negative", &count) != DBLITE_OK)
                return;
        } else if (dblite_bytes_equal_nocase(argv[index], "maxlen") && has_value) {
            if (list_parse_range_or_reply(ctx, argv[++index], 0, INT64_MAX,
                                          "MAXLEN can't be negative", &maxlen) != DBLITE_OK)
                return;
        } else {
            dblite_reply_syntax_error(ctx);
            return;
        }
    }
    list_value *list;
    if (list_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &list) != DBLITE_OK)
        return;
    if (list == NULL) {
        if (count != -1)
            dblite_reply_array(ctx, 0);
        else
            dblite_reply_null(ctx);
        return;
    }
    packed_value element;
    if (list_prepare_or_reply(ctx, argv[2], &element) != DBLITE_OK)
        return;
    int from_tail = rank < 0;
    /* Redis 7.0 negates the rank in a long: the smallest one stays
     * negative, so every match counts and COUNT never stops the scan. */
    int unbounded = rank == INT64_MIN;
    if (unbounded)
        rank = 1;
    else if (from_tail)
        rank = -rank;
    long long length = (long long)list_value_length(list);
    void *deferred = count != -1 ? dblite_reply_deferred(ctx, DBLITE_AGGREGATE_ARRAY) : NULL;
    long long matches = 0, replied = 0, found = -1;
    list_position position;
    int more = list_value_seek(list, from_tail ? -1 : 0, &position);
    for (long long scanned = 0; more && (maxlen == 0 || scanned < maxlen); scanned++) {
        if (list_value_equals(list, &position, &element)) {
            matches++;
            if (matches >= rank) {
                long long index = from_tail ? length - scanned - 1 : scanned;
                if (deferred == NULL) {
                    found = index;
                    break;
                }
                dblite_reply_integer(ctx, index);
                replied++;
                if (count != 0 && !unbounded && matches - rank + 1 >= count)
                    break;
            }
        }
        more = from_tail ? list_value_prev(list, &position) : list_value_next(list, &position);
    }
    if (deferred != NULL)
        dblite_reply_set_length(ctx, deferred, replied);
    else if (found != -1)
        dblite_reply_integer(ctx, found);
    else
        dblite_reply_null(ctx);
}
