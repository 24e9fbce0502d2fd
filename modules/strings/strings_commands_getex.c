/*
 * strings_commands_getex.c - GETDEL and GETEX: read a value, then delete the
 * key or change its deadline.
 *
 * Neither is replicated as received: GETDEL goes out as DEL, GETEX as
 * PEXPIREAT with an absolute deadline, PERSIST, or DEL when an absolute time
 * is already past (what Redis 7.0 sends).  A changed deadline counts as a
 * change of the key (dblite_key_modified), as in Redis, since the core only
 * propagates commands that changed something.
 */
#include "expire_options.h"
#include "string_access.h"
#include "strings.h"

static void propagate_key_command(dblite_ctx *ctx, const char *name, size_t name_len,
                                  dblite_bytes key)
{
    dblite_bytes args[2] = {{name, name_len}, key};
    string_propagate_as(ctx, 2, args);
}

void strings_getdel_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    void *value;
    if (dblite_key_lookup_or_reply(ctx, argv[1], string_type(ctx), DBLITE_LOOKUP_READ, &value) !=
        DBLITE_OK)
        return;
    if (value == NULL) {
        dblite_reply_null(ctx);
        return;
    }
    /* The reply copies the bytes, so the key may go right after it. */
    string_reply_value(ctx, value);
    if (!dblite_key_delete(ctx, argv[1]))
        return;
    propagate_key_command(ctx, "DEL", 3, argv[1]);
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "del", argv[1]);
}

void strings_getex_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    expire_options options;
    if (expire_options_parse(ctx, argc, argv, 2, EXPIRE_GRAMMAR_GETEX, &options) != DBLITE_OK)
        return;
    void *value;
    if (dblite_key_lookup_or_reply(ctx, argv[1], string_type(ctx), DBLITE_LOOKUP_READ, &value) !=
        DBLITE_OK)
        return;
    if (value == NULL) {
        dblite_reply_null(ctx);
        return;
    }

    if (options.time != NULL) {
        long long deadline_ms;
        if (expire_options_deadline(ctx, &options, "getex", &deadline_ms) != DBLITE_OK)
            return;
        const dblite_expiry_service *expiry = expiry_service_or_reply(ctx);
        if (expiry == NULL)
            return;
        int absolute = (options.flags & (EXPIRE_OPTION_EXAT | EXPIRE_OPTION_PXAT)) != 0;
        if (absolute && deadline_ms <= dblite_time_ms()) {
            string_reply_value(ctx, value);
            if (dblite_key_delete(ctx, argv[1])) {
                propagate_key_command(ctx, "DEL", 3, argv[1]);
                dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "del", argv[1]);
            }
            return;
        }
        /* The deadline is set before replying so that a failure can still
         * be answered; the value is untouched by it. */
        if (expiry_set_deadline_or_reply(ctx, expiry, argv[1], deadline_ms) != DBLITE_OK)
            return;
        dblite_key_modified(ctx, argv[1]);
        string_reply_value(ctx, value);
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "expire", argv[1]);
        char deadline_text[DBLITE_LONG_LONG_TEXT_SIZE];
        size_t deadline_length =
            dblite_format_long_long(deadline_text, sizeof deadline_text, deadline_ms);
        dblite_bytes args[3] = {
            {"PEXPIREAT", 9},
            argv[1],
            {deadline_text, deadline_length},
        };
        string_propagate_as(ctx, 3, args);
        return;
    }

    string_reply_value(ctx, value);
    if (options.flags & EXPIRE_OPTION_PERSIST) {
        const dblite_expiry_service *expiry = expiry_service();
        if (expiry != NULL && expiry->remove_deadline(ctx, argv[1]) == 1) {
            dblite_key_modified(ctx, argv[1]);
            propagate_key_command(ctx, "PERSIST", 7, argv[1]);
            dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "persist", argv[1]);
        }
    }
}
