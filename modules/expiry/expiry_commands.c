/*
 * expiry_commands.c - EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT), TTL
 * PTTL EXPIRETIME PEXPIRETIME PERSIST, with Redis 7.0's order of checks and
 * error texts.  Every TTL change is propagated as PEXPIREAT with an absolute
 * deadline, so a replayed log is exact whatever the downtime.
 */
#include <limits.h>
#include <string.h>

#include "expiry.h"

#define EXPIRE_NX 1
#define EXPIRE_XX 2
#define EXPIRE_GT 4
#define EXPIRE_LT 8

static int parse_expire_flags(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int *flags)
{
    *flags = 0;
    for (int i = 3; i < argc; i++) {
        if (dblite_bytes_equal_nocase(argv[i], "NX"))
            *flags |= EXPIRE_NX;
        else if (dblite_bytes_equal_nocase(argv[i], "XX"))
            *flags |= EXPIRE_XX;
        else if (dblite_bytes_equal_nocase(argv[i], "GT"))
            *flags |= EXPIRE_GT;
        else if (dblite_bytes_equal_nocase(argv[i], "LT"))
            *flags |= EXPIRE_LT;
        else {
            dblite_reply_error_format(ctx, "ERR Unsupported option %.*s", (int)argv[i].len,
                                      argv[i].ptr);
            return -1;
        }
    }
    if ((*flags & EXPIRE_NX) && (*flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT))) {
        dblite_reply_error(ctx,
                           "ERR NX and XX, GT or LT options at the same time are not compatible");
        return -1;
    }
    if ((*flags & EXPIRE_GT) && (*flags & EXPIRE_LT)) {
        dblite_reply_error(ctx, "ERR GT and LT options at the same time are not compatible");
        return -1;
    }
    return 0;
}

static void reply_invalid_expire(dblite_ctx *ctx)
{
    dblite_reply_error_format(ctx, "ERR invalid expire time in '%s' command",
                              dblite_ctx_command_name(ctx));
}

/* unit_ms: 1000 for seconds, 1 for milliseconds; relative: add now. */
static void expire_generic(dblite_ctx *ctx, int argc, const dblite_bytes *argv, long long unit_ms,
                           int relative)
{
    int flags;
    if (parse_expire_flags(ctx, argc, argv, &flags) != 0)
        return;
    long long when;
    if (dblite_parse_long_long(argv[2], &when) != DBLITE_OK) {
        dblite_reply_not_integer(ctx);
        return;
    }
    if (unit_ms == 1000) {
        if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) {
            reply_invalid_expire(ctx);
            return;
        }
        when *= 1000;
    }
    long long base = relative ? dblite_time_ms() : 0;
    if (when > LLONG_MAX - base) {
        reply_invalid_expire(ctx);
        return;
    }
    when += base;
    dblite_bytes key = argv[1];
    const dblite_key_handle *handle = dblite_key_find_handle(ctx, key, DBLITE_LOOKUP_WRITE);
    if (!handle) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    ttl_index *index = expiry_index(expiry_state_of(ctx), ctx);
    if (flags) {
        long long current = ttl_index_get(index, handle);
        if ((flags & EXPIRE_NX) && current != -1) {
            dblite_reply_integer(ctx, 0);
            return;
        }
        if ((flags & EXPIRE_XX) && current == -1) {
            dblite_reply_integer(ctx, 0);
            return;
        }
        /* A key without TTL counts as an infinite TTL for GT and LT. */
        if ((flags & EXPIRE_GT) && (current == -1 || when <= current)) {
            dblite_reply_integer(ctx, 0);
            return;
        }
        if ((flags & EXPIRE_LT) && current != -1 && when >= current) {
            dblite_reply_integer(ctx, 0);
            return;
        }
    }
    /* While loading, a deadline already past is kept, as in Redis (the
     * key expires once loading is complete). */
    if (when <= dblite_time_ms() && !expiry_state_of(ctx)->loading) {
        dblite_key_delete(ctx, key);
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "del", key);
        dblite_bytes del[2] = {{"DEL", 3}, key};
        dblite_propagate_replace(ctx, 2, del);
        dblite_reply_integer(ctx, 1);
        return;
    }
    if (ttl_index_set(index, handle, when) != 0) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    dblite_key_modified(ctx, key);
    char deadline[DBLITE_LONG_LONG_TEXT_SIZE];
    size_t length = dblite_format_long_long(deadline, sizeof(deadline), when);
    dblite_bytes pexpireat[3] = {{"PEXPIREAT", 9}, key, {deadline, length}};
    dblite_propagate_replace(ctx, 3, pexpireat);
    /* Redis replies first, then announces. */
    dblite_reply_integer(ctx, 1);
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "expire", key);
}

static void command_expire(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    expire_generic(ctx, argc, argv, 1000, 1);
}
static void command_pexpire(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    expire_generic(ctx, argc, argv, 1, 1);
}
static void command_expireat(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    expire_generic(ctx, argc, argv, 1000, 0);
}
static void command_pexpireat(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    expire_generic(ctx, argc, argv, 1, 0);
}

/* absolute: the deadline itself instead of the time left. */
static void ttl_generic(dblite_ctx *ctx, const dblite_bytes *argv, int milliseconds, int absolute)
{
    const dblite_key_handle *handle = dblite_key_find_handle(ctx, argv[1], DBLITE_LOOKUP_READ);
    if (!handle) {
        /* A read of a missing key, as Redis's lookupKeyRead announces it. */
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_KEY_MISS, "keymiss", argv[1]);
        dblite_reply_integer(ctx, -2);
        return;
    }
    long long deadline = ttl_index_get(expiry_index(expiry_state_of(ctx), ctx), handle);
    if (deadline == -1) {
        dblite_reply_integer(ctx, -1);
        return;
    }
    long long value = absolute ? deadline : deadline - dblite_time_ms();
    if (value < 0)
        value = 0;
    /* Nearest second; (value + 500) / 1000 would overflow for deadlines
     * near LLONG_MAX (PEXPIREAT k 9223372036854775807 is accepted). */
    dblite_reply_integer(ctx, milliseconds ? value : value / 1000 + (value % 1000 >= 500));
}

static void command_ttl(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    ttl_generic(ctx, argv, 0, 0);
}
static void command_pttl(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    ttl_generic(ctx, argv, 1, 0);
}
static void command_expiretime(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    ttl_generic(ctx, argv, 0, 1);
}
static void command_pexpiretime(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    ttl_generic(ctx, argv, 1, 1);
}

static void command_persist(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    const dblite_key_handle *handle = dblite_key_find_handle(ctx, argv[1], DBLITE_LOOKUP_WRITE);
    if (!handle) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    int removed = ttl_index_remove(expiry_index(expiry_state_of(ctx), ctx), handle);
    if (removed) {
        dblite_key_modified(ctx, argv[1]);
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "persist", argv[1]);
    }
    dblite_reply_integer(ctx, removed);
}

/* Every command takes one key, the first argument. */
#define EXPIRY_COMMAND(...) \
    DBLITE_COMMAND(.first_key = 1, .last_key = 1, .key_step = 1, .group = "generic", __VA_ARGS__)

static const dblite_command_spec expiry_commands[] = {
    EXPIRY_COMMAND(.name = "expire", .arity = -3, .flags = "write fast", .handler = command_expire,
                   .since = "1.0.0", .arguments = "key seconds [NX | XX | GT | LT]",
                   .summary = "Sets the expiration time of a key in seconds."),
    EXPIRY_COMMAND(.name = "pexpire", .arity = -3, .flags = "write fast",
                   .handler = command_pexpire, .since = "2.6.0",
                   .arguments = "key milliseconds [NX | XX | GT | LT]",
                   .summary = "Sets the expiration time of a key in milliseconds."),
    EXPIRY_COMMAND(.name = "expireat", .arity = -3, .flags = "write fast",
                   .handler = command_expireat, .since = "1.2.0",
                   .arguments = "key unix-time-seconds [NX | XX | GT | LT]",
                   .summary = "Sets the expiration time of a key to a Unix timestamp."),
    EXPIRY_COMMAND(.name = "pexpireat", .arity = -3, .flags = "write fast",
                   .handler = command_pexpireat, .since = "2.6.0",
                   .arguments = "key unix-time-milliseconds [NX | XX | GT | LT]",
                   .summary =
                       "Sets the expiration time of a key to a Unix milliseconds timestamp."),
    EXPIRY_COMMAND(.name = "ttl", .arity = 2, .flags = "readonly fast", .handler = command_ttl,
                   .since = "1.0.0", .arguments = "key",
                   .summary = "Returns the expiration time in seconds of a key."),
    EXPIRY_COMMAND(.name = "pttl", .arity = 2, .flags = "readonly fast", .handler = command_pttl,
                   .since = "2.6.0", .arguments = "key",
                   .summary = "Returns the expiration time in milliseconds of a key."),
    EXPIRY_COMMAND(.name = "expiretime", .arity = 2, .flags = "readonly fast",
                   .handler = command_expiretime, .since = "7.0.0", .arguments = "key",
                   .summary = "Returns the expiration time of a key as a Unix timestamp."),
    EXPIRY_COMMAND(.name = "pexpiretime", .arity = 2, .flags = "readonly fast",
                   .handler = command_pexpiretime, .since = "7.0.0", .arguments = "key",
                   .summary =
                       "Returns the expiration time of a key as a Unix milliseconds timestamp."),
    EXPIRY_COMMAND(.name = "persist", .arity = 2, .flags = "write fast", .handler = command_persist,
                   .since = "2.2.0", .arguments = "key",
                   .summary = "Removes the expiration time of a key."),
};

int expiry_register_commands(dblite_module *module)
{
    return dblite_command_register_table(module, expiry_commands,
                                         DBLITE_ARRAY_LENGTH(expiry_commands));
}
