/*
 * strings_commands_edit.c - APPEND and SETRANGE, the commands that change
 * part of a string.
 *
 * An edit that fits the value's spare room happens in place and is reported
 * with dblite_key_modified; otherwise the edited copy replaces the value
 * with DBLITE_SET_KEEP, so either way the key keeps its deadline.
 */
#include "string_access.h"
#include "string_value.h"
#include "strings_commands.h"

/* Writes bytes at offset of the existing value and stores the result;
 * returns the new length, or -1 after replying an error. */
static long long splice_existing(dblite_ctx *ctx, dblite_bytes key, void *value, size_t offset,
                                 dblite_bytes bytes)
{
    void *edited = string_value_splice(value, offset, bytes.ptr, bytes.len);
    if (edited == NULL) {
        string_reply_out_of_memory(ctx);
        return -1;
    }
    long long length = (long long)string_value_length(edited);
    if (edited == value)
        dblite_key_modified(ctx, key);
    else if (string_store_or_reply(ctx, key, edited, DBLITE_SET_KEEP) != DBLITE_OK)
        return -1;
    return length;
}

void strings_append_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    void *value;
    if (string_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_WRITE, &value) != DBLITE_OK)
        return;
    if (value == NULL) {
        void *created = string_value_create(argv[2].ptr, argv[2].len);
        if (created == NULL) {
            string_reply_out_of_memory(ctx);
            return;
        }
        if (string_store_or_reply(ctx, argv[1], created, DBLITE_SET_DEFAULT) == DBLITE_OK)
            dblite_reply_integer(ctx, (long long)argv[2].len);
        return;
    }
    size_t old_length = string_value_length(value);
    if (string_check_length_or_reply(ctx, (long long)old_length, (long long)argv[2].len) !=
        DBLITE_OK)
        return;
    long long length = splice_existing(ctx, argv[1], value, old_length, argv[2]);
    if (length >= 0)
        dblite_reply_integer(ctx, length);
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
    void *value;
    if (string_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_WRITE, &value) != DBLITE_OK)
        return;
    if (patch.len == 0) {
        /* Nothing to write: no key is created and an existing one is untouched. */
        dblite_reply_integer(ctx, value != NULL ? (long long)string_value_length(value) : 0);
        return;
    }
    if (string_check_length_or_reply(ctx, offset, (long long)patch.len) != DBLITE_OK)
        return;
    if (value != NULL) {
        long long length = splice_existing(ctx, argv[1], value, (size_t)offset, patch);
        if (length >= 0)
            dblite_reply_integer(ctx, length);
        return;
    }
    void *created = string_value_splice(NULL, (size_t)offset, patch.ptr, patch.len);
    if (created == NULL) {
        string_reply_out_of_memory(ctx);
        return;
    }
    long long length = (long long)string_value_length(created);
    if (string_store_or_reply(ctx, argv[1], created, DBLITE_SET_DEFAULT) == DBLITE_OK)
        dblite_reply_integer(ctx, length);
}
