/*
 * string_access.c - shared steps of the string commands (see the header).
 */
#include "string_access.h"

#include "dblite_provider.h"
#include "string_value.h"
#include "strings.h"

/* Redis's default proto-max-bulk-len, used if the server cannot say. */
#define DEFAULT_MAX_LENGTH (512LL * 1024 * 1024)
/* The smallest value proto-max-bulk-len accepts (in Redis and dblite):
 * strings that stay below it need no look at the setting. */
#define SMALLEST_MAX_LENGTH (1024LL * 1024)

int string_store_or_reply(dblite_ctx *ctx, dblite_bytes key, void *value, int flags)
{
    int status = dblite_key_set(ctx, key, string_type(ctx), value, flags);
    if (status == DBLITE_OK)
        return DBLITE_OK;
    if (status == DBLITE_ERR_NOMEM)
        string_reply_out_of_memory(ctx);
    else
        dblite_reply_error(ctx, "ERR could not store the key");
    return DBLITE_ERR;
}

void *string_create_from_argument(dblite_ctx *ctx, const dblite_bytes *argv, int index)
{
    if (dblite_ctx_argument_is_integer(ctx, index))
        return string_value_create_sent_as_integer(argv[index].ptr, argv[index].len);
    return string_value_create(argv[index].ptr, argv[index].len);
}

void string_reply_value(dblite_ctx *ctx, const void *value)
{
    /* Only dialect clients can send integers, so only they get one back;
     * Redis clients always read a bulk string. */
    long long number;
    if (string_value_sent_as_integer(value) && dblite_ctx_dialect(ctx) != NULL &&
        string_value_to_integer(value, &number) == DBLITE_OK) {
        dblite_reply_integer(ctx, number);
        return;
    }
    char scratch[STRING_VALUE_SCRATCH_SIZE];
    dblite_bytes bytes = string_value_bytes(value, scratch);
    dblite_reply_bulk(ctx, bytes.ptr, bytes.len);
}

void string_reply_value_or_null(dblite_ctx *ctx, const void *value)
{
    if (value != NULL)
        string_reply_value(ctx, value);
    else
        dblite_reply_null(ctx);
}

void string_reply_out_of_memory(dblite_ctx *ctx)
{
    dblite_reply_error(ctx, "ERR out of memory");
}

void string_propagate_as(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    /* The only failure is running out of memory, and the write has already
     * happened: the command as received still replays to the same value
     * (a relative TTL merely starts at replay time), so nothing is lost by
     * going on. */
    (void)dblite_propagate_replace(ctx, argc, argv);
}

long long string_max_length(void)
{
    long long limit = DEFAULT_MAX_LENGTH;
    /* Unchanged on failure: the server always has this setting. */
    (void)dblite_config_server_memory("proto-max-bulk-len", &limit);
    return limit;
}

int string_check_length_or_reply(dblite_ctx *ctx, long long size, long long growth)
{
    if (growth <= SMALLEST_MAX_LENGTH && size <= SMALLEST_MAX_LENGTH - growth)
        return DBLITE_OK;
    long long limit = string_max_length();
    if (growth > limit || size > limit - growth) {
        dblite_reply_error(ctx, "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        return DBLITE_ERR;
    }
    return DBLITE_OK;
}
