/*
 * lists_module.c - entry point of lists.so, Redis's lists family (pushes,
 * pops, ranges, edits, moves and their blocking forms) as a dblite module.
 *
 * Init hands the module's state to the server first (so a failed init
 * leaves nothing behind: the server exits without calling the module
 * again), then registers the settings (applied from the [lists] section
 * right after init returns), the type and the commands.  The state is
 * freed in the shutdown hook, before the keyspace; lists do not point at
 * it, so that order is safe.
 */
#include "dblite_module.h"
#include "list_type.h"
#include "lists_commands.h"
#include "lists_state.h"

DBLITE_MODULE_DECLARE();

static void on_shutdown(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)event;
    lists_state_free(privdata);
    dblite_module_set_data(dblite_ctx_module(ctx), NULL);
}

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    lists_state *state = lists_state_create();
    if (state == NULL) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    dblite_module_set_data(module, state);
    int status = lists_state_register_settings(module, state);
    if (status != DBLITE_OK)
        return status;
    state->type = list_type_register(module);
    if (state->type == NULL)
        return DBLITE_ERR;
    status = lists_commands_register(module);
    if (status != DBLITE_OK)
        return status;
    status = dblite_event_subscribe(module, DBLITE_EVENT_SHUTDOWN, on_shutdown, state);
    if (status != DBLITE_OK)
        dblite_module_fail(module, "could not subscribe to the shutdown event (error %d)", status);
    return status;
}
