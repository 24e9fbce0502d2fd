/*
 * lists_commands_move.c - LMOVE and RPOPLPUSH: pop from one list, push onto
 * another (or the same one, rotating it), atomically.
 *
 * The element is pushed before it is popped: if the push runs out of
 * memory nothing has changed, and for a list moved onto itself the popped
 * end is still found where it was.
 */
#include <string.h>

#include "list_access.h"
#include "lists.h"

/* An element copied out of its list, for when the list it is read from is
 * about to change under the pointer (moving within one list). */
typedef struct element_copy {
    char inline_bytes[128];
    char *bytes;
    size_t length;
} element_copy;

static int element_copy_take(element_copy *copy, dblite_bytes source)
{
    copy->length = source.len;
    copy->bytes = copy->inline_bytes;
    if (source.len > sizeof(copy->inline_bytes)) {
        copy->bytes = dblite_alloc(source.len);
        if (copy->bytes == NULL)
            return DBLITE_ERR_NOMEM;
    }
    if (source.len > 0)
        memcpy(copy->bytes, source.ptr, source.len);
    return DBLITE_OK;
}

static void element_copy_release(element_copy *copy)
{
    if (copy->bytes != copy->inline_bytes)
        dblite_free(copy->bytes);
}

/* Pushes value onto destination, creating the list if needed.  DBLITE_OK,
 * or an error after replying it. */
static int push_to_destination(dblite_ctx *ctx, dblite_bytes destination,
                               list_value *destination_list, int where_to, dblite_bytes value)
{
    packed_value element;
    int status = list_prepare_or_reply(ctx, value, &element);
    if (status != DBLITE_OK)
        return status;
    int created = destination_list == NULL;
    if (created) {
        destination_list = list_value_create();
        if (destination_list == NULL) {
            dblite_reply_error(ctx, LIST_OUT_OF_MEMORY_ERROR);
            return DBLITE_ERR_NOMEM;
        }
    }
    if (list_value_push(destination_list, where_to, &element, list_fill(ctx)) != 0) {
        if (created)
            list_value_free(destination_list);
        dblite_reply_error(ctx, LIST_OUT_OF_MEMORY_ERROR);
        return DBLITE_ERR_NOMEM;
    }
    if (created) {
        status = list_store_new_or_reply(ctx, destination, destination_list);
        if (status != DBLITE_OK)
            return status;
    } else {
        dblite_key_modified(ctx, destination);
    }
    list_notify(ctx, list_push_event(where_to), destination);
    return DBLITE_OK;
}

int lists_move_element(dblite_ctx *ctx, dblite_bytes source, list_value *source_list,
                       dblite_bytes destination, int where_from, int where_to)
{
    list_value *destination_list;
    int status = list_lookup_or_reply(ctx, destination, DBLITE_LOOKUP_WRITE, &destination_list);
    if (status != DBLITE_OK)
        return status;
    list_position position;
    list_value_seek(source_list, where_from == LIST_HEAD ? 0 : -1, &position);
    packed_entry entry;
    list_value_read(source_list, &position, &entry);
    char scratch[24];
    dblite_bytes value = list_entry_bytes(&entry, scratch, sizeof(scratch));
    element_copy copy;
    copy.bytes = copy.inline_bytes;
    if (destination_list == source_list) {
        if (element_copy_take(&copy, value) != DBLITE_OK) {
            dblite_reply_error(ctx, LIST_OUT_OF_MEMORY_ERROR);
            return DBLITE_ERR_NOMEM;
        }
        value = (dblite_bytes){copy.bytes, copy.length};
    }
    status = push_to_destination(ctx, destination, destination_list, where_to, value);
    if (status != DBLITE_OK) {
        element_copy_release(&copy);
        return status;
    }
    /* Reply first: value may point into the element about to be popped. */
    dblite_reply_bulk(ctx, value.ptr, value.len);
    element_copy_release(&copy);
    list_value_pop(source_list, where_from, 1, list_fill(ctx));
    list_removed_elements(ctx, source, source_list, list_pop_event(where_from));
    return DBLITE_OK;
}

static void move_generic(dblite_ctx *ctx, const dblite_bytes *argv, int where_from, int where_to)
{
    list_value *source_list;
    if (list_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_WRITE, &source_list) != DBLITE_OK)
        return;
    if (source_list == NULL || list_value_length(source_list) == 0) {
        dblite_reply_null(ctx);
        return;
    }
    lists_move_element(ctx, argv[1], source_list, argv[2], where_from, where_to);
}

/* LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
void lists_lmove_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    int where_from, where_to;
    if (list_parse_end_or_reply(ctx, argv[3], &where_from) != DBLITE_OK ||
        list_parse_end_or_reply(ctx, argv[4], &where_to) != DBLITE_OK)
        return;
    move_generic(ctx, argv, where_from, where_to);
}

void lists_rpoplpush_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    move_generic(ctx, argv, LIST_TAIL, LIST_HEAD);
}
