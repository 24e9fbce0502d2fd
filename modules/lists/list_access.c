/*
 * list_access.c - shared steps of the list commands (see list_access.h).
 */
#include "list_access.h"
#include "lists.h"

int list_lookup_or_reply(dblite_ctx *ctx, dblite_bytes key, int flags, list_value **list)
{
    /* The API replies WRONGTYPE; this only gives the value its type. */
    void *value;
    int status = dblite_key_lookup_or_reply(ctx, key, list_type(ctx), flags, &value);
    if (status == DBLITE_OK)
        *list = value;
    return status;
}

int list_store_new_or_reply(dblite_ctx *ctx, dblite_bytes key, list_value *list)
{
    int status = dblite_key_set(ctx, key, list_type(ctx), list, DBLITE_SET_DEFAULT);
    if (status != DBLITE_OK)
        dblite_reply_error(ctx, LIST_OUT_OF_MEMORY_ERROR);
    return status;
}

int list_prepare_or_reply(dblite_ctx *ctx, dblite_bytes bytes, packed_value *value)
{
    if (packed_value_prepare(value, bytes.ptr, bytes.len) == 0)
        return DBLITE_OK;
    dblite_reply_error(ctx, LIST_ELEMENT_TOO_LARGE_ERROR);
    return DBLITE_ERR_INVALID;
}

void list_notify(dblite_ctx *ctx, const char *event, dblite_bytes key)
{
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_LIST, event, key);
}

const char *list_pop_event(int where)
{
    return where == LIST_HEAD ? "lpop" : "rpop";
}

const char *list_push_event(int where)
{
    return where == LIST_HEAD ? "lpush" : "rpush";
}

void list_removed_elements(dblite_ctx *ctx, dblite_bytes key, list_value *list, const char *event)
{
    if (list_value_length(list) == 0) {
        list_notify(ctx, event, key);
        dblite_key_delete(ctx, key);
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "del", key);
    } else {
        dblite_key_modified(ctx, key);
        list_notify(ctx, event, key);
    }
}

dblite_bytes list_entry_bytes(const packed_entry *entry, char *scratch, size_t size)
{
    dblite_bytes bytes;
    if (entry->string) {
        bytes.ptr = (const char *)entry->string;
        bytes.len = entry->length;
    } else {
        bytes.ptr = scratch;
        bytes.len = dblite_format_long_long(scratch, size, entry->integer);
    }
    return bytes;
}

void list_reply_entry(dblite_ctx *ctx, const packed_entry *entry)
{
    if (entry->string)
        dblite_reply_bulk(ctx, (const char *)entry->string, entry->length);
    else
        dblite_reply_bulk_long_long(ctx, entry->integer);
}

void list_reply_position(dblite_ctx *ctx, const list_value *list, const list_position *position)
{
    packed_entry entry;
    list_value_read(list, position, &entry);
    list_reply_entry(ctx, &entry);
}

int list_parse_end_or_reply(dblite_ctx *ctx, dblite_bytes arg, int *where)
{
    if (dblite_bytes_equal_nocase(arg, "left")) {
        *where = LIST_HEAD;
        return DBLITE_OK;
    }
    if (dblite_bytes_equal_nocase(arg, "right")) {
        *where = LIST_TAIL;
        return DBLITE_OK;
    }
    dblite_reply_syntax_error(ctx);
    return DBLITE_ERR_INVALID;
}

const char *list_end_name(int where)
{
    return where == LIST_HEAD ? "LEFT" : "RIGHT";
}

int list_parse_integer_or_reply(dblite_ctx *ctx, dblite_bytes arg, long long *value)
{
    if (dblite_parse_long_long(arg, value) == DBLITE_OK)
        return DBLITE_OK;
    dblite_reply_not_integer(ctx);
    return DBLITE_ERR_INVALID;
}

int list_parse_range_or_reply(dblite_ctx *ctx, dblite_bytes arg, long long min, long long max,
                              const char *message, long long *value)
{
    if (dblite_parse_long_long(arg, value) != DBLITE_OK) {
        if (message)
            dblite_reply_error_format(ctx, "ERR %s", message);
        else
            dblite_reply_not_integer(ctx);
        return DBLITE_ERR_INVALID;
    }
    if (*value < min || *value > max) {
        if (message)
            dblite_reply_error_format(ctx, "ERR %s", message);
        else
            dblite_reply_error_format(
                ctx, "ERR value is out of range, value must between %lld and %lld", min, max);
        return DBLITE_ERR_INVALID;
    }
    return DBLITE_OK;
}
