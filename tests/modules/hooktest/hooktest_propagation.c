/*
 * hooktest_propagation.c - the write-propagation hook and commands that use
 * its two levers.  Every propagated command is logged as "DB arg arg...";
 * HOOKTEST.PROPAGATED returns and clears the log.
 *
 *   HOOKTEST.PUSHREWRITE key value  pushes, and asks to be propagated as
 *       HOOKTEST.PUSH key value preceded by HOOKTEST.NOTE before-push key
 *   HOOKTEST.NOTE word...           readonly; propagates itself as an extra
 *   HOOKTEST.FAILWRITE key          a write that fails without changing data
 */
#include <stdio.h>
#include <string.h>

#include "hooktest.h"

static void on_propagate(int db, int argc, const dblite_bytes *argv, void *privdata)
{
    hooktest_state *state = privdata;
    char line[400];
    size_t used = (size_t)snprintf(line, sizeof(line), "%d", db);
    for (int i = 0; i < argc && used < sizeof(line); i++)
        used += (size_t)snprintf(line + used, sizeof(line) - used, " %.*s", (int)argv[i].len,
                                 argv[i].ptr);
    hooktest_log_append(&state->propagated, "%s", line);
}

static void command_propagated(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    hooktest_log_reply_and_clear(ctx, &hooktest_state_get()->propagated);
}

static void command_pushrewrite(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    hooktest_state *state = hooktest_state_get();
    void *value;
    if (dblite_key_lookup(ctx, argv[1], state->queue_type, DBLITE_LOOKUP_WRITE, &value) !=
        DBLITE_OK) {
        dblite_reply_wrongtype(ctx);
        return;
    }
    hooktest_queue *queue = value;
    int created = queue == NULL;
    if (created && (queue = hooktest_queue_create()) == NULL) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    if (hooktest_queue_push(queue, argv[2]) != DBLITE_OK) {
        if (created)
            hooktest_queue_free(queue);
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    if (created) {
        if (dblite_key_set(ctx, argv[1], state->queue_type, queue, DBLITE_SET_DEFAULT) !=
            DBLITE_OK) {
            dblite_reply_error(ctx, "ERR out of memory");
            return;
        }
    } else {
        dblite_key_modified(ctx, argv[1]);
    }
    const dblite_bytes note[] = {{"hooktest.note", 13}, {"before-push", 11}, argv[1]};
    const dblite_bytes replacement[] = {{"hooktest.push", 13}, argv[1], argv[2]};
    if (dblite_propagate_extra(ctx, 3, note) != DBLITE_OK ||
        dblite_propagate_replace(ctx, 3, replacement) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    dblite_reply_integer(ctx, 1);
}

static void command_note(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (dblite_propagate_extra(ctx, argc, argv) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    dblite_reply_ok(ctx);
}

static void command_failwrite(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    dblite_reply_error(ctx, "ERR hooktest.failwrite always fails");
}

int hooktest_register_propagation(hooktest_state *state)
{
    dblite_module *module = state->module;
    int status = dblite_propagation_subscribe(module, on_propagate, state);
    if (status != DBLITE_OK) {
        dblite_module_fail(module, "cannot subscribe to propagation");
        return status;
    }
    if ((status = hooktest_command(
             module, "hooktest.propagated", 1, "readonly fast", 0, 0, 0, command_propagated,
             "Returns and clears the propagated commands seen.")) != DBLITE_OK ||
        (status = hooktest_command(
             module, "hooktest.pushrewrite", 3, "write deny-oom", 1, 1, 1, command_pushrewrite,
             "Pushes a value, propagated as HOOKTEST.PUSH after a note.")) != DBLITE_OK ||
        (status = hooktest_command(module, "hooktest.note", -1, "readonly fast", 0, 0, 0,
                                   command_note, "Propagates itself as an extra command.")) !=
            DBLITE_OK ||
        (status = hooktest_command(module, "hooktest.failwrite", 2, "write", 1, 1, 1,
                                   command_failwrite, "A write command that always fails.")) !=
            DBLITE_OK)
        return status;
    return DBLITE_OK;
}
