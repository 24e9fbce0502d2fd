/*
 * strings_commands_edit.c - APPEND and SETRANGE, the commands that change
 * part of a string.
 *
 * An existing value is edited through its slot (one hash lookup): the
 * splice grows it in place or moves it, and the slot takes whatever it
 * returns, so the key keeps its deadline and a big value is never copied
 * just to be replaced.  A missing key is stored as a new value.
 */
#include "string_access.h"
#include "string_value.h"
#include "strings.h"

/* Writes bytes at offset of the value in slot and replies the new length. */
static void splice_existing(dblite_ctx *ctx, dblite_bytes key, void **slot, size_t offset,
                            dblite_bytes bytes, const char *event)
{
    void *edited = string_value_splice(*slot, offset, bytes.ptr, bytes.len);
    if (edited == NULL) {
        string_reply_out_of_memory(ctx);
        return;
    }
    *slot = edited;
    dblite_key_modified(ctx, key);
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_STRING, event, key);
    dblite_reply_integer(ctx, (long long)string_value_length(edited));
}

void strings_append_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    void **slot;
    if (dblite_key_lookup_slot_or_reply(ctx, argv[1], string_type(ctx), DBLITE_LOOKUP_WRITE,
                                        &slot) != DBLITE_OK)
        return;
    if (slot == NULL) {
        void *created = string_value_create(argv[2].ptr, argv[2].len);
        if (created == NULL) {
            string_reply_out_of_memory(ctx);
            return;
        }
        if (string_store_or_reply(ctx, argv[1], created, DBLITE_SET_DEFAULT) != DBLITE_OK)
            return;
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_STRING, "append", argv[1]);
        dblite_reply_integer(ctx, (long long)argv[2].len);
        return;
    }
    size_t old_length = string_value_length(*slot);
    if (string_check_length_or_reply(ctx, (long long)old_length, (long long)argv[2].len) !=
        DBLITE_OK)
        return;
    splice_existing(ctx, argv[1], slot, old_length, argv[2], "append");
}

void strings_setrange_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    long long offset;
    if (dblite_parse_long_long(argv[2], &offset) != DBLITE_OK) {
        dblite_reply_not_integer(ctx);
        return;
    }
    if (offset < 0) {
        dblite_reply_error(ctx, "ERR offset is out of range");
        return;
    }
    dblite_bytes patch = argv[3];
    void **slot;
    if (dblite_key_lookup_slot_or_reply(ctx, argv[1], string_type(ctx), DBLITE_LOOKUP_WRITE,
                                        &slot) != DBLITE_OK)
        return;
    if (patch.len == 0) {
        /* Nothing to write: no key is created and an existing one is untouched. */
        dblite_reply_integer(ctx, slot != NULL ? (long long)string_value_length(*slot) : 0);
        return;
    }
    if (string_check_length_or_reply(ctx, offset, (long long)patch.len) != DBLITE_OK)
        return;
    if (slot != NULL) {
        splice_existing(ctx, argv[1], slot, (size_t)offset, patch, "setrange");
        return;
    }
    void *created = string_value_splice(NULL, (size_t)offset, patch.ptr, patch.len);
    if (created == NULL) {
        string_reply_out_of_memory(ctx);
        return;
    }
    long long length = (long long)string_value_length(created);
    if (string_store_or_reply(ctx, argv[1], created, DBLITE_SET_DEFAULT) != DBLITE_OK)
        return;
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_STRING, "setrange", argv[1]);
    dblite_reply_integer(ctx, length);
}
