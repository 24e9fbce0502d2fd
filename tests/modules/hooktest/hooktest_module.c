/*
 * hooktest_module.c - entry point of hooktest.so: creates the state,
 * exports it (for the command handlers) and the counter service (for
 * hookpeer.so), lets every part register, and frees it all on shutdown.
 */
#include <string.h>

#include "hooktest.h"

DBLITE_MODULE_DECLARE();

hooktest_state *hooktest_state_get(void)
{
    return dblite_service_lookup(HOOKTEST_STATE_SERVICE);
}

int hooktest_command(dblite_module *module, const char *name, int arity, const char *flags,
                     int first_key, int last_key, int key_step, dblite_command_fn handler,
                     const char *summary)
{
    dblite_command_spec spec = {
        .api_version = DBLITE_API_VERSION,
        .name = name,
        .arity = arity,
        .flags = flags,
        .first_key = first_key,
        .last_key = last_key,
        .key_step = key_step,
        .handler = handler,
        .summary = summary,
        .since = "0.1.0",
        .group = "hooktest",
        .arguments = NULL,
    };
    return dblite_command_register(module, &spec);
}

static long long counter_add(void *self, long long delta)
{
    hooktest_state *state = self;
    state->counter += delta;
    return state->counter;
}

static void state_free(hooktest_state *state)
{
    hooktest_timers_free(state);
    hooktest_config_free(state);
    hooktest_log_clear(&state->events);
    hooktest_log_clear(&state->propagated);
    hooktest_log_clear(&state->timer_fires);
    dblite_free(state);
}

/* The last hook a module sees: nothing of ours is used after it. */
static void on_shutdown(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)ctx, (void)event;
    hooktest_state *state = privdata;
    dblite_log(state->module, "notice", "shutdown hook ran (counter %lld)", state->counter);
    state_free(state);
}

static void on_started(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)ctx, (void)event;
    hooktest_state *state = privdata;
    state->started_events++;
    hooktest_info_started(state);
}

static void on_before_sleep(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)ctx, (void)event;
    hooktest_state *state = privdata;
    state->before_sleep_calls++;
}

static int register_parts(hooktest_state *state)
{
    int (*const parts[])(hooktest_state *) = {
        hooktest_register_config,   hooktest_register_events,     hooktest_register_propagation,
        hooktest_register_timers,   hooktest_register_queue_type, hooktest_register_queue_commands,
        hooktest_register_blocking, hooktest_register_loading,    hooktest_register_info,
    };
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        int status = parts[i](state);
        if (status != DBLITE_OK)
            return status;
    }
    return DBLITE_OK;
}

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    hooktest_state *state = dblite_alloc(sizeof(*state));
    if (state == NULL) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    memset(state, 0, sizeof(*state));
    state->module = module;
    state->counter_service.version = 1;
    state->counter_service.self = state;
    state->counter_service.add = counter_add;

    /* Once subscribed, the shutdown hook frees the state. */
    int status = dblite_service_export(module, HOOKTEST_STATE_SERVICE, state);
    if (status == DBLITE_OK)
        status = dblite_service_export(module, HOOKTEST_COUNTER_SERVICE, &state->counter_service);
    if (status == DBLITE_OK)
        status = dblite_event_subscribe(module, DBLITE_EVENT_SHUTDOWN, on_shutdown, state);
    if (status == DBLITE_OK)
        status = dblite_event_subscribe(module, DBLITE_EVENT_STARTED, on_started, state);
    if (status == DBLITE_OK)
        status = dblite_event_subscribe(module, DBLITE_EVENT_BEFORE_SLEEP, on_before_sleep, state);
    if (status == DBLITE_OK)
        status = register_parts(state);
    if (status != DBLITE_OK) {
        dblite_module_fail(module, "registration failed with status %d", status);
        /* A failed init stops startup at once and the exported services
         * still point at state, so it is left for the exiting process. */
        return status;
    }
    dblite_log(module, "verbose", "hooktest ready");
    return DBLITE_OK;
}
