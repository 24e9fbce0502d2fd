/*
 * rate_limit_type.c - the methods of "ratelimit" values.
 *
 * A value is a single number, so snapshots store it as one signed integer,
 * and log compaction rebuilds it with HELLO.RATELIMIT.RESTORE rather than
 * HELLO.RATELIMIT, whose effect depends on the time it runs at.
 */
#include "rate_limit_type.h"

#include <stdio.h>

#include "hello_commands.h"

/* Nine characters, as snapshot type names must be. */
#define RATE_LIMIT_SNAPSHOT_NAME "hello-gcr"
#define RATE_LIMIT_ENCODING_VERSION 0
/* Not one of Redis's native encodings: saved as a module type. */
#define RATE_LIMIT_NOT_NATIVE (-1)

rate_limit_value *rate_limit_value_create(long long arrival_time_us)
{
    rate_limit_value *value = dblite_alloc(sizeof(*value));
    if (value != NULL)
        value->arrival_time_us = arrival_time_us;
    return value;
}

static void rate_limit_free(void *value)
{
    dblite_free(value);
}

static size_t rate_limit_memory_usage(const void *value)
{
    return dblite_alloc_size(value);
}

static void *rate_limit_copy(const void *value)
{
    const rate_limit_value *source = value;
    return rate_limit_value_create(source->arrival_time_us);
}

static int rate_limit_save(dblite_io *io, const void *value)
{
    const rate_limit_value *limiter = value;
    return dblite_io_write_signed(io, limiter->arrival_time_us);
}

static void *rate_limit_load(dblite_io *io, int encoding_version)
{
    if (encoding_version != RATE_LIMIT_ENCODING_VERSION) {
        dblite_io_fail(io, "hello: unknown ratelimit encoding version");
        return NULL;
    }
    int64_t arrival_time_us;
    if (dblite_io_read_signed(io, &arrival_time_us) != DBLITE_OK) {
        dblite_io_fail(io, "hello: could not read a ratelimit value");
        return NULL;
    }
    rate_limit_value *value = rate_limit_value_create(arrival_time_us);
    if (value == NULL)
        dblite_io_fail(io, "hello: out of memory loading a ratelimit value");
    return value;
}

static int rate_limit_rewrite(dblite_rewriter *rewriter, dblite_bytes key, const void *value)
{
    const rate_limit_value *limiter = value;
    char arrival_text[32];
    int length = snprintf(arrival_text, sizeof(arrival_text), "%lld", limiter->arrival_time_us);
    dblite_bytes command[3] = {
        {HELLO_RESTORE_COMMAND_NAME, sizeof(HELLO_RESTORE_COMMAND_NAME) - 1},
        key,
        {arrival_text, (size_t)length},
    };
    return dblite_rewriter_emit(rewriter, 3, command);
}

static const dblite_type_methods rate_limit_methods = {
    .api_version = DBLITE_API_VERSION,
    .free = rate_limit_free,
    .memory_usage = rate_limit_memory_usage,
    .copy = rate_limit_copy,
    .save = rate_limit_save,
    .load = rate_limit_load,
    .rewrite = rate_limit_rewrite,
};

const dblite_type *rate_limit_type_register(dblite_module *module)
{
    dblite_type *type = dblite_type_register(module, RATE_LIMIT_TYPE_NAME,
                                             RATE_LIMIT_SNAPSHOT_NAME,
                                             RATE_LIMIT_ENCODING_VERSION,
                                             RATE_LIMIT_NOT_NATIVE, &rate_limit_methods);
    if (type == NULL)
        dblite_module_fail(module, "could not register the %s type", RATE_LIMIT_TYPE_NAME);
    return type;
}
