/*
 * strings_commands_read.c - the read-only string commands: GET, MGET,
 * STRLEN, GETRANGE and its old name SUBSTR.
 */
#include "string_access.h"
#include "string_value.h"
#include "strings.h"

void strings_get_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    void *value;
    if (dblite_key_lookup_or_reply(ctx, argv[1], string_type(ctx), DBLITE_LOOKUP_READ, &value) !=
        DBLITE_OK)
        return;
    string_reply_value_or_null(ctx, value);
}

/* A key of another type reads as missing, as in Redis. */
void strings_mget_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    const dblite_type *type = string_type(ctx);
    dblite_reply_array(ctx, argc - 1);
    for (int index = 1; index < argc; index++) {
        void *value = NULL;
        if (dblite_key_lookup(ctx, argv[index], type, DBLITE_LOOKUP_READ, &value) != DBLITE_OK)
            value = NULL;
        string_reply_value_or_null(ctx, value);
    }
}

void strings_strlen_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    void *value;
    if (dblite_key_lookup_or_reply(ctx, argv[1], string_type(ctx), DBLITE_LOOKUP_READ, &value) !=
        DBLITE_OK)
        return;
    dblite_reply_integer(ctx, value != NULL ? (long long)string_value_length(value) : 0);
}

/* Inclusive range with negative positions counted from the end, clamped to
 * the string; both bounds negative and reversed is empty even when clamping
 * would make them meet (Redis's exact rule). */
void strings_getrange_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    long long start, end;
    if (dblite_parse_long_long(argv[2], &start) != DBLITE_OK ||
        dblite_parse_long_long(argv[3], &end) != DBLITE_OK) {
        dblite_reply_not_integer(ctx);
        return;
    }
    void *value;
    if (dblite_key_lookup_or_reply(ctx, argv[1], string_type(ctx), DBLITE_LOOKUP_READ, &value) !=
        DBLITE_OK)
        return;
    if (value == NULL || (start < 0 && end < 0 && start > end)) {
        dblite_reply_bulk(ctx, "", 0);
        return;
    }
    char scratch[STRING_VALUE_SCRATCH_SIZE];
    dblite_bytes bytes = string_value_bytes(value, scratch);
    long long length = (long long)bytes.len;
    if (start < 0)
        start += length;
    if (end < 0)
        end += length;
    if (start < 0)
        start = 0;
    if (end < 0)
        end = 0;
    if (end >= length)
        end = length - 1;
    if (length == 0 || start > end) {
        dblite_reply_bulk(ctx, "", 0);
        return;
    }
    dblite_reply_bulk(ctx, bytes.ptr + start, (size_t)(end - start + 1));
}
