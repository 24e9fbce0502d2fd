/*
 * lists_commands_push.c - adding elements: LPUSH, RPUSH, their X variants
 * (only onto an existing list) and LINSERT.
 *
 * A push of several elements is all or nothing: when memory runs out part
 * way, the elements already pushed are popped again before the error.
 */
#include "list_access.h"
#include "lists.h"

static void push_generic(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int where,
                         int only_existing)
{
    list_value *list;
    if (list_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_WRITE, &list) != DBLITE_OK)
        return;
    if (list == NULL && only_existing) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    for (int index = 2; index < argc; index++) {
        if (argv[index].len > PACKED_LIST_MAX_ELEMENT) {
            dblite_reply_error(ctx, LIST_ELEMENT_TOO_LARGE_ERROR);
            return;
        }
    }
    int created = list == NULL;
    if (created) {
        list = list_value_create();
        if (list == NULL) {
            dblite_reply_error(ctx, LIST_OUT_OF_MEMORY_ERROR);
            return;
        }
    }
    long long fill = list_fill(ctx);
    for (int index = 2; index < argc; index++) {
        packed_value element;
        int status = packed_value_prepare(&element, argv[index].ptr, argv[index].len);
        if (status == 0)
            status = list_value_push(list, where, &element, fill);
        if (status != 0) {
            if (created)
                list_value_free(list);
            else
                list_value_pop(list, where, (size_t)(index - 2), fill);
            dblite_reply_error(ctx, LIST_OUT_OF_MEMORY_ERROR);
            return;
        }
    }
    long long length = (long long)list_value_length(list);
    if (created) {
        if (list_store_new_or_reply(ctx, argv[1], list) != DBLITE_OK)
            return;
    } else {
        dblite_key_modified(ctx, argv[1]);
    }
    /* Redis replies first, then announces. */
    dblite_reply_integer(ctx, length);
    list_notify(ctx, list_push_event(where), argv[1]);
}

void lists_lpush_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    push_generic(ctx, argc, argv, LIST_HEAD, 0);
}

void lists_rpush_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    push_generic(ctx, argc, argv, LIST_TAIL, 0);
}

void lists_lpushx_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    push_generic(ctx, argc, argv, LIST_HEAD, 1);
}

void lists_rpushx_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    push_generic(ctx, argc, argv, LIST_TAIL, 1);
}

/* LINSERT key BEFORE|AFTER pivot element: the new length, 0 for a missing
 * key, -1 when the pivot is not in the list. */
void lists_linsert_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    int after;
    if (dblite_bytes_equal_nocase(argv[2], "after")) {
        after = 1;
    } else if (dblite_bytes_equal_nocase(argv[2], "before")) {
        after = 0;
    } else {
        dblite_reply_syntax_error(ctx);
        return;
    }
    list_value *list;
    if (list_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_WRITE, &list) != DBLITE_OK)
        return;
    if (list == NULL) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    packed_value pivot, element;
    if (list_prepare_or_reply(ctx, argv[3], &pivot) != DBLITE_OK ||
        list_prepare_or_reply(ctx, argv[4], &element) != DBLITE_OK)
        return;
    list_position position;
    int more = list_value_seek(list, 0, &position);
    while (more && !list_value_equals(list, &position, &pivot))
        more = list_value_next(list, &position);
    if (!more) {
        dblite_reply_integer(ctx, -1);
        return;
    }
    if (list_value_insert(list, &position, after, &element, list_fill(ctx)) != 0) {
        dblite_reply_error(ctx, LIST_OUT_OF_MEMORY_ERROR);
        return;
    }
    dblite_key_modified(ctx, argv[1]);
    list_notify(ctx, "linsert", argv[1]);
    dblite_reply_integer(ctx, (long long)list_value_length(list));
}
