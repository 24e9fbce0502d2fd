/*
 * sets_module.c - entry point of sets.so, Redis's set family (SADD,
 * SPOP, set algebra, SSCAN) as a dblite module.
 *
 * Init hands the module's state to the server first (so a failed init
 * leaves nothing behind), then registers the settings (applied from the
 * [sets] section right after init returns), the type and the commands.
 * The state is freed in the shutdown hook; sets never point at it.
 */
#include "dblite_module.h"
#include "set_type.h"
#include "sets_commands.h"
#include "sets_state.h"

DBLITE_MODULE_DECLARE();

static void on_shutdown(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)event;
    sets_state_free(privdata);
    dblite_module_set_data(dblite_ctx_module(ctx), NULL);
}

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    sets_state *state = sets_state_create();
    if (state == NULL) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    dblite_module_set_data(module, state);
    int status = sets_state_register_settings(module, state);
    if (status != DBLITE_OK)
        return status;
    state->type = set_type_register(module);
    if (state->type == NULL)
        return DBLITE_ERR;
    status = sets_commands_register(module);
    if (status != DBLITE_OK)
        return status;
    status = dblite_event_subscribe(module, DBLITE_EVENT_SHUTDOWN, on_shutdown, state);
    if (status != DBLITE_OK)
        dblite_module_fail(module, "could not subscribe to the shutdown event (error %d)", status);
    return status;
}
