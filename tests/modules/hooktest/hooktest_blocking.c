/*
 * hooktest_blocking.c - clients blocked on keys:
 *
 *   HOOKTEST.BPOP key [key ...] timeout  pop the oldest item of the first
 *       non-empty hookqueue, else block until a key is signalled and has
 *       an item; replies [key, item], or a null array on timeout
 *   HOOKTEST.WAITKEY key timeout         block until key exists (any type,
 *       e.g. a string another client SETs); replies the key's type name
 *
 * Timeouts are seconds and may be fractional, as BLPOP's; 0 waits forever.
 * A served pop is propagated as HOOKTEST.POP key.  INFO hooktest counts
 * blocks, serves, timeouts and block releases, which must add up.
 */
#include <math.h>

#include "hooktest.h"

int hooktest_parse_timeout(dblite_ctx *ctx, dblite_bytes arg, long long *timeout_ms)
{
    double seconds;
    if (dblite_parse_double(arg, &seconds) != DBLITE_OK || isnan(seconds) || isinf(seconds)) {
        dblite_reply_error(ctx, "ERR timeout is not a float or out of range");
        return -1;
    }
    if (seconds < 0) {
        dblite_reply_error(ctx, "ERR timeout is negative");
        return -1;
    }
    double milliseconds = ceil(seconds * 1000.0);
    if (milliseconds > 1e15) {
        dblite_reply_error(ctx, "ERR timeout is out of range");
        return -1;
    }
    *timeout_ms = (long long)milliseconds;
    return 0;
}

/* Pops from key into a [key, item] reply; returns 1 when it did. */
static int pop_and_reply(dblite_ctx *ctx, dblite_bytes key)
{
    void *value;
    if (dblite_key_lookup(ctx, key, hooktest_state_get()->queue_type, DBLITE_LOOKUP_WRITE,
                          &value) != DBLITE_OK)
        return 0; /* another type: keep waiting, as BLPOP does */
    hooktest_queue *queue = value;
    dblite_bytes item;
    if (queue == NULL || hooktest_queue_pop(queue, &item) != DBLITE_OK)
        return 0;
    dblite_reply_array(ctx, 2);
    dblite_reply_bulk(ctx, key.ptr, key.len);
    dblite_reply_bulk(ctx, item.ptr, item.len);
    dblite_free((void *)item.ptr);
    dblite_key_modified(ctx, key);
    const dblite_bytes replacement[] = {{"hooktest.pop", 12}, key};
    (void)dblite_propagate_replace(ctx, 2, replacement);
    return 1;
}

static int bpop_ready(dblite_ctx *ctx, dblite_bytes ready_key, void *privdata)
{
    hooktest_state *state = privdata;
    if (!pop_and_reply(ctx, ready_key))
        return 0;
    state->served++;
    return 1;
}

static void block_timed_out(dblite_ctx *ctx, void *privdata)
{
    hooktest_state *state = privdata;
    state->timeouts++;
    dblite_reply_null_array(ctx);
}

static void block_released(void *privdata)
{
    hooktest_state *state = privdata;
    state->block_frees++;
}

static void block_or_reply(dblite_ctx *ctx, int nkeys, const dblite_bytes *keys,
                           long long timeout_ms, dblite_unblock_fn on_ready)
{
    hooktest_state *state = hooktest_state_get();
    if (dblite_ctx_cannot_block(ctx)) {
        dblite_reply_null_array(ctx);
        return;
    }
    int status = dblite_block_on_keys(ctx, nkeys, keys, timeout_ms, on_ready, block_timed_out,
                                      block_released, state);
    if (status != DBLITE_OK) {
        dblite_reply_error_format(ctx, "ERR cannot block (status %d)", status);
        return;
    }
    state->blocks++;
}

static void command_bpop(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    long long timeout_ms;
    if (hooktest_parse_timeout(ctx, argv[argc - 1], &timeout_ms) != 0)
        return;
    for (int i = 1; i < argc - 1; i++) {
        void *value;
        if (dblite_key_lookup(ctx, argv[i], hooktest_state_get()->queue_type, DBLITE_LOOKUP_WRITE,
                              &value) != DBLITE_OK) {
            dblite_reply_wrongtype(ctx);
            return;
        }
        if (value != NULL && pop_and_reply(ctx, argv[i]))
            return;
    }
    block_or_reply(ctx, argc - 2, argv + 1, timeout_ms, bpop_ready);
}

static int waitkey_ready(dblite_ctx *ctx, dblite_bytes ready_key, void *privdata)
{
    hooktest_state *state = privdata;
    const dblite_type *type = dblite_key_type(ctx, ready_key, DBLITE_LOOKUP_READ);
    if (type == NULL)
        return 0;
    dblite_reply_bulk_cstring(ctx, dblite_type_name(type));
    state->served++;
    return 1;
}

static void command_waitkey(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    long long timeout_ms;
    if (hooktest_parse_timeout(ctx, argv[2], &timeout_ms) != 0)
        return;
    const dblite_type *type = dblite_key_type(ctx, argv[1], DBLITE_LOOKUP_READ);
    if (type != NULL) {
        dblite_reply_bulk_cstring(ctx, dblite_type_name(type));
        return;
    }
    block_or_reply(ctx, 1, argv + 1, timeout_ms, waitkey_ready);
}

int hooktest_register_blocking(hooktest_state *state)
{
    dblite_module *module = state->module;
    int status;
    if ((status = hooktest_command(
             module, "hooktest.bpop", -3, "write blocking", 1, -2, 1, command_bpop,
             "Pops from the first non-empty queue, blocking until one has an item.")) !=
            DBLITE_OK ||
        (status = hooktest_command(module, "hooktest.waitkey", 3, "readonly blocking", 1, 1, 1,
                                   command_waitkey,
                                   "Blocks until the key exists; replies its type.")) != DBLITE_OK)
        return status;
    return DBLITE_OK;
}
