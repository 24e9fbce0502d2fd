/*
 * notifytest_module.c - notifytest.so, a plugin on the keyspace
 * notification API (API 6), for tests/modules/test_notify_plugin.py:
 *
 *   it subscribes to DBLITE_EVENT_KEYSPACE_NOTIFICATION and keeps one line
 *   per notification, "<db> <flags> <event> <key>", checking that the
 *   handler's context has the event's database selected;
 *   NOTIFYTEST.EVENTS     replies the lines (and forgets them)
 *   NOTIFYTEST.EMIT key   emits "notifytest" of class d (DBLITE_NOTIFY_MODULE)
 *                         for key, as a plugin's own type would
 *
 * So a test sees what a plugin subscribing to notifications gets, and that
 * a plugin's own events are published like the core's.
 */
#include <stdio.h>
#include <string.h>

#include "dblite_module.h"

DBLITE_MODULE_DECLARE();

#define MAX_LINES 256
#define LINE_SIZE 160

typedef struct notifytest_state {
    char lines[MAX_LINES][LINE_SIZE];
    int count;
    int dropped; /* lines beyond MAX_LINES */
} notifytest_state;

static notifytest_state *state_of(dblite_ctx *ctx)
{
    return dblite_module_get_data(dblite_ctx_module(ctx));
}

static void on_notification(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    notifytest_state *state = privdata;
    if (state->count == MAX_LINES) {
        state->dropped++;
        return;
    }
    /* The handler's context is in the event's database (the API promise). */
    const char *where = dblite_ctx_db(ctx) == event->db ? "" : " (context in another db)";
    snprintf(state->lines[state->count++], LINE_SIZE, "%d %d %s %.*s%s", event->db, event->flags,
             event->notification ? event->notification : "(null)",
             (int)(event->key.len > 64 ? 64 : event->key.len), event->key.ptr, where);
}

static void command_events(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    notifytest_state *state = state_of(ctx);
    dblite_reply_array(ctx, state->count + (state->dropped ? 1 : 0));
    for (int i = 0; i < state->count; i++)
        dblite_reply_bulk_cstring(ctx, state->lines[i]);
    if (state->dropped)
        dblite_reply_error_format(ctx, "ERR %d lines dropped", state->dropped);
    state->count = 0;
    state->dropped = 0;
}

static void command_emit(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_MODULE, "notifytest", argv[1]);
    dblite_reply_ok(ctx);
}

static void state_free(void *data)
{
    dblite_free(data);
}

static const dblite_command_spec commands[] = {
    DBLITE_COMMAND(.name = "notifytest.events", .arity = 1, .flags = "readonly fast",
                   .handler = command_events,
                   .summary = "Replies and forgets the keyspace notifications seen."),
    DBLITE_COMMAND(.name = "notifytest.emit", .arity = 2, .flags = "write fast", .first_key = 1,
                   .last_key = 1, .key_step = 1, .handler = command_emit,
                   .summary = "Emits the keyspace notification 'notifytest' (class d)."),
};

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    notifytest_state *state = dblite_calloc(sizeof *state);
    if (!state) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    dblite_module_set_data_free(module, state, state_free);
    int status =
        dblite_event_subscribe(module, DBLITE_EVENT_KEYSPACE_NOTIFICATION, on_notification, state);
    if (status != DBLITE_OK) {
        dblite_module_fail(module, "cannot subscribe to keyspace notifications");
        return status;
    }
    return dblite_command_register_table(module, commands, DBLITE_ARRAY_LENGTH(commands));
}
