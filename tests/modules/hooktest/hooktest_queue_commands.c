/*
 * hooktest_queue_commands.c - commands on hookqueue keys:
 *
 *   HOOKTEST.PUSH key value [value ...]  append; a new key goes through
 *       dblite_key_set, an existing one changes in place (dblite_key_modified)
 *   HOOKTEST.PUSHQUIET key value         append to an existing queue without
 *       telling the server (no change counted, nobody woken)
 *   HOOKTEST.SIGNAL key                  only dblite_key_signal_ready
 *   HOOKTEST.RANGE key                   every item, oldest first
 *   HOOKTEST.LEN key                     the item count, looked up without
 *       firing the lookup hook (DBLITE_LOOKUP_NO_HOOK)
 *   HOOKTEST.POP key                     remove and return the oldest item
 *       (what a served HOOKTEST.BPOP is propagated as)
 *
 * Unlike a Redis list, an emptied queue stays as a key: that is what lets
 * a test block on a key that exists and fill it without a signal.
 */
#include "hooktest.h"

/* Looks key up as a queue; replies WRONGTYPE and returns -1 for another type. */
static int lookup_queue(dblite_ctx *ctx, dblite_bytes key, int flags, hooktest_queue **queue)
{
    void *value;
    if (dblite_key_lookup(ctx, key, hooktest_state_get()->queue_type, flags, &value) != DBLITE_OK) {
        dblite_reply_wrongtype(ctx);
        return -1;
    }
    *queue = value;
    return 0;
}

static void command_push(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    hooktest_queue *queue;
    if (lookup_queue(ctx, argv[1], DBLITE_LOOKUP_WRITE, &queue) != 0)
        return;
    int created = queue == NULL;
    if (created && (queue = hooktest_queue_create()) == NULL) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    for (int i = 2; i < argc; i++) {
        if (hooktest_queue_push(queue, argv[i]) != DBLITE_OK) {
            /* Items pushed so far stay: a partial push, like a partial RPUSH under OOM. */
            if (created)
                hooktest_queue_free(queue);
            else
                dblite_key_modified(ctx, argv[1]);
            dblite_reply_error(ctx, "ERR out of memory");
            return;
        }
    }
    long long length = (long long)queue->count;
    if (created) {
        if (dblite_key_set(ctx, argv[1], hooktest_state_get()->queue_type, queue,
                           DBLITE_SET_DEFAULT) != DBLITE_OK) {
            dblite_reply_error(ctx, "ERR out of memory");
            return;
        }
    } else {
        dblite_key_modified(ctx, argv[1]);
    }
    dblite_reply_integer(ctx, length);
}

static void command_pushquiet(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    hooktest_queue *queue;
    if (lookup_queue(ctx, argv[1], DBLITE_LOOKUP_WRITE, &queue) != 0)
        return;
    if (queue == NULL) {
        dblite_reply_error(ctx, "ERR no such key");
        return;
    }
    if (hooktest_queue_push(queue, argv[2]) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    dblite_reply_integer(ctx, (long long)queue->count);
}

static void command_signal(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    dblite_key_signal_ready(ctx, argv[1]);
    dblite_reply_ok(ctx);
}

static void command_range(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    hooktest_queue *queue;
    if (lookup_queue(ctx, argv[1], DBLITE_LOOKUP_READ, &queue) != 0)
        return;
    if (queue == NULL) {
        dblite_reply_array(ctx, 0);
        return;
    }
    dblite_reply_array(ctx, (long long)queue->count);
    for (size_t i = 0; i < queue->count; i++) {
        dblite_bytes item = queue->items[(queue->head + i) % queue->capacity];
        dblite_reply_bulk(ctx, item.ptr, item.len);
    }
}

static void command_pop(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    hooktest_queue *queue;
    if (lookup_queue(ctx, argv[1], DBLITE_LOOKUP_WRITE, &queue) != 0)
        return;
    dblite_bytes item;
    if (queue == NULL || hooktest_queue_pop(queue, &item) != DBLITE_OK) {
        dblite_reply_null(ctx);
        return;
    }
    dblite_reply_bulk(ctx, item.ptr, item.len);
    dblite_free((void *)item.ptr);
    dblite_key_modified(ctx, argv[1]);
}

static void command_len(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    hooktest_queue *queue;
    if (lookup_queue(ctx, argv[1], DBLITE_LOOKUP_READ | DBLITE_LOOKUP_NO_HOOK, &queue) != 0)
        return;
    dblite_reply_integer(ctx, queue != NULL ? (long long)queue->count : 0);
}

int hooktest_register_queue_commands(hooktest_state *state)
{
    dblite_module *module = state->module;
    int status;
    if ((status = hooktest_command(module, "hooktest.push", -3, "write deny-oom fast", 1, 1, 1,
                                   command_push, "Appends values to a hookqueue.")) != DBLITE_OK ||
        (status = hooktest_command(
             module, "hooktest.pushquiet", 3, "write fast", 1, 1, 1, command_pushquiet,
             "Appends without signalling or counting a change.")) != DBLITE_OK ||
        (status = hooktest_command(module, "hooktest.signal", 2, "readonly fast", 1, 1, 1,
                                   command_signal, "Signals the key ready for blocked clients.")) !=
            DBLITE_OK ||
        (status = hooktest_command(module, "hooktest.range", 2, "readonly", 1, 1, 1, command_range,
                                   "Returns every item of a hookqueue.")) != DBLITE_OK ||
        (status = hooktest_command(module, "hooktest.len", 2, "readonly fast", 1, 1, 1, command_len,
                                   "Returns the item count without firing the lookup hook.")) !=
            DBLITE_OK ||
        (status = hooktest_command(module, "hooktest.pop", 2, "write fast", 1, 1, 1, command_pop,
                                   "Removes and returns the oldest item.")) != DBLITE_OK)
        return status;
    return DBLITE_OK;
}
