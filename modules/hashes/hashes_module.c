/*
 * hashes_module.c - entry point of hashes.so, Redis's hash family (HSET,
 * HGET, counters, random fields, HSCAN) as a dblite module.
 *
 * Init hands the module's state to the server first (so a failed init
 * leaves nothing behind), then registers the settings (applied from the
 * [hashes] section right after init returns), the type and the commands.
 * The state is freed in the shutdown hook; hashes never point at it.
 */
#include "dblite_module.h"
#include "hash_type.h"
#include "hashes_commands.h"
#include "hashes_state.h"

DBLITE_MODULE_DECLARE();

static void on_shutdown(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)event;
    hashes_state_free(privdata);
    dblite_module_set_data(dblite_ctx_module(ctx), NULL);
}

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    hashes_state *state = hashes_state_create();
    if (state == NULL) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    dblite_module_set_data(module, state);
    int status = hashes_state_register_settings(module, state);
    if (status != DBLITE_OK)
        return status;
    state->type = hash_type_register(module);
    if (state->type == NULL)
        return DBLITE_ERR;
    status = hashes_commands_register(module);
    if (status != DBLITE_OK)
        return status;
    status = dblite_event_subscribe(module, DBLITE_EVENT_SHUTDOWN, on_shutdown, state);
    if (status != DBLITE_OK)
        dblite_module_fail(module, "could not subscribe to the shutdown event (error %d)", status);
    return status;
}
