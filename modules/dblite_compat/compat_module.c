/*
 * compat_module.c - entry point of dblite_compat.so, the DBLite dialect.
 *
 * The listener opens once every module is loaded (the STARTED event): the
 * server applies the [dblite_compat] section only after init returns, so
 * the port is not known earlier, and only then can we look up
 * persistence.so's files service for SAVE and RESTORE.  Not being able to
 * listen stops the server, as for its own port: a DBLite deployment whose
 * clients cannot connect is not running.
 */
#include <stdlib.h>

#include "compat_state.h"

DBLITE_MODULE_DECLARE();

#define DBLITE_DEFAULT_PORT 31337
#define DBLITE_DEFAULT_BIND "127.0.0.1"
static void on_started(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)ctx, (void)event;
    compat_state *state = privdata;
    state->files = dblite_service_lookup(DBLITE_FILES_SERVICE);
    if (state->port == 0) {
        dblite_log(state->module, "notice", "port is 0: no listener for DBLite clients");
        return;
    }
    const char *bind = state->bind != NULL && state->bind[0] != '\0' ? state->bind : DBLITE_DEFAULT_BIND;
    if (dblite_listener_open(state->module, bind, (int)state->port) != DBLITE_OK) {
        dblite_log(state->module, "warning", "cannot listen on %s port %lld for DBLite clients: startup aborted",
                   bind, state->port);
        exit(1);
    }
    dblite_log(state->module, "notice", "DBLite clients are served on %s port %lld", bind, state->port);
}

static void on_shutdown(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)ctx, (void)event;
    compat_state *state = privdata;
    dblite_free(state->bind);
    dblite_free(state);
}

static int register_settings(dblite_module *module, compat_state *state)
{
    int status = dblite_config_integer(module, "port", &state->port, DBLITE_DEFAULT_PORT, 0, 65535,
                                       DBLITE_CONFIG_IMMUTABLE);
    if (status != DBLITE_OK)
        return status;
    return dblite_config_string(module, "bind", &state->bind, DBLITE_DEFAULT_BIND, DBLITE_CONFIG_IMMUTABLE);
}

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    compat_state *state = dblite_alloc(sizeof(*state));
    if (state == NULL) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    state->module = module;
    state->port = DBLITE_DEFAULT_PORT;
    state->bind = NULL;
    state->files = NULL;
    /* Command handlers get no private data: they find the state here. */
    dblite_module_set_data(module, state);
    /* From here the shutdown handler owns state.  Should init fail below,
     * startup stops and the process exits, taking state with it. */
    int status = dblite_event_subscribe(module, DBLITE_EVENT_SHUTDOWN, on_shutdown, state);
    if (status != DBLITE_OK) {
        dblite_free(state);
        dblite_module_fail(module, "cannot subscribe to the shutdown event");
        return status;
    }
    if (register_settings(module, state) != DBLITE_OK) {
        dblite_module_fail(module, "cannot register the settings port and bind");
        return DBLITE_ERR;
    }
    if (dblite_event_subscribe(module, DBLITE_EVENT_STARTED, on_started, state) != DBLITE_OK) {
        dblite_module_fail(module, "cannot subscribe to the started event");
        return DBLITE_ERR;
    }
    if (compat_persistence_register(module) != DBLITE_OK) {
        dblite_module_fail(module, "cannot register DBLite's SAVE and RESTORE");
        return DBLITE_ERR;
    }
    if (compat_info_register(module) != DBLITE_OK) {
        dblite_module_fail(module, "cannot register the DBLite INFO command");
        return DBLITE_ERR;
    }
    return DBLITE_OK;
}
