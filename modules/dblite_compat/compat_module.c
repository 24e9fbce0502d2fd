/*
 * compat_module.c - entry point of dblite_compat.so, the DBLite dialect.
 *
 * The listener opens once every module is loaded (the STARTED event): the
 * server applies the [dblite_compat] section only after init returns, so
 * the port is not known earlier, and only then can we look up
 * persistence.so's files service for SAVE and RESTORE.  A hook cannot stop
 * a server that has started (and must not exit the process behind the
 * server's back: no clean shutdown would run), so a port that cannot be
 * bound is refused cleanly: the Redis port keeps serving, and the log says
 * at warning level that DBLite clients are not served.
 */
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
    const char *bind =
        state->bind != NULL && state->bind[0] != '\0' ? state->bind : DBLITE_DEFAULT_BIND;
    /* A failed listener has called dblite_module_fail, which stops startup
     * once the STARTED handlers are done: a server whose DBLite port is
     * taken does not run half-configured. */
    if (dblite_listener_open(state->module, bind, (int)state->port) != DBLITE_OK) {
        dblite_log(state->module, "warning",
                   "cannot listen on %s port %lld for DBLite clients: startup aborted", bind,
                   state->port);
        return;
    }
    dblite_log(state->module, "notice", "DBLite clients are served on %s port %lld", bind,
               state->port);
}

/* The module data's destructor, run by the server at exit. */
static void compat_state_free(void *data)
{
    compat_state *state = data;
    dblite_free(state->bind);
    dblite_free(state);
}

static int register_settings(dblite_module *module, compat_state *state)
{
    int status = dblite_config_integer(module, "port", &state->port, DBLITE_DEFAULT_PORT, 0, 65535,
                                       DBLITE_CONFIG_IMMUTABLE);
    if (status != DBLITE_OK)
        return status;
    return dblite_config_string(module, "bind", &state->bind, DBLITE_DEFAULT_BIND,
                                DBLITE_CONFIG_IMMUTABLE);
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
    /* The dialect's commands find the state here; from now on the server
     * owns it (and frees it at exit with the bind text). */
    dblite_module_set_data_free(module, state, compat_state_free);
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
