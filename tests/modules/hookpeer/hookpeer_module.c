/*
 * hookpeer_module.c - hookpeer.so, a second module that uses the service
 * hooktest.so exports, to prove services work across shared objects:
 *
 *   HOOKPEER.ADD delta   calls hooktest's counter service; replies the new
 *                        value, or an error when hooktest is not loaded
 *   HOOKPEER.REPORT      [found at init, found at STARTED, a lookup of a
 *                        name nobody exports gave NULL] as 0/1 integers
 *
 * Whether the service is visible during init depends on load order; from
 * the STARTED event on it must be, which is what the header recommends.
 */
#include <string.h>

#include "dblite_module.h"
#include "hooktest/hooktest_service.h"

DBLITE_MODULE_DECLARE();

#define HOOKPEER_STATE_SERVICE "hookpeer.state/1"
#define NO_SUCH_SERVICE "hookpeer.no-such-service/1"

typedef struct hookpeer_state {
    int found_at_init;
    int found_at_started;
    int missing_is_null;
} hookpeer_state;

static void command_add(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    long long delta;
    if (dblite_parse_long_long(argv[1], &delta) != DBLITE_OK) {
        dblite_reply_not_integer(ctx);
        return;
    }
    hooktest_counter_service *service = dblite_service_lookup(HOOKTEST_COUNTER_SERVICE);
    if (service == NULL) {
        dblite_reply_error(ctx, "ERR service " HOOKTEST_COUNTER_SERVICE
                                " is not exported by any module");
        return;
    }
    if (service->version < 1) {
        dblite_reply_error(ctx, "ERR service " HOOKTEST_COUNTER_SERVICE " has an unknown version");
        return;
    }
    dblite_reply_integer(ctx, service->add(service->self, delta));
}

static void command_report(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    const hookpeer_state *state = dblite_service_lookup(HOOKPEER_STATE_SERVICE);
    dblite_reply_array(ctx, 3);
    dblite_reply_integer(ctx, state->found_at_init);
    dblite_reply_integer(ctx, state->found_at_started);
    dblite_reply_integer(ctx, state->missing_is_null);
}

static void on_started(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)ctx, (void)event;
    hookpeer_state *state = privdata;
    state->found_at_started = dblite_service_lookup(HOOKTEST_COUNTER_SERVICE) != NULL;
    state->missing_is_null = dblite_service_lookup(NO_SUCH_SERVICE) == NULL;
}

static void on_shutdown(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)ctx, (void)event;
    dblite_free(privdata);
}

static int register_command(dblite_module *module, const char *name, int arity,
                            dblite_command_fn handler)
{
    dblite_command_spec spec = {.api_version = DBLITE_API_VERSION,
                                .name = name,
                                .arity = arity,
                                .flags = "fast",
                                .handler = handler,
                                .group = "hookpeer"};
    return dblite_command_register(module, &spec);
}

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    hookpeer_state *state = dblite_alloc(sizeof(*state));
    if (state == NULL) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    memset(state, 0, sizeof(*state));
    state->found_at_init = dblite_service_lookup(HOOKTEST_COUNTER_SERVICE) != NULL;
    int status = dblite_service_export(module, HOOKPEER_STATE_SERVICE, state);
    if (status != DBLITE_OK) {
        dblite_free(state);
        return status;
    }
    if ((status = dblite_event_subscribe(module, DBLITE_EVENT_SHUTDOWN, on_shutdown, state)) !=
            DBLITE_OK ||
        (status = dblite_event_subscribe(module, DBLITE_EVENT_STARTED, on_started, state)) !=
            DBLITE_OK ||
        (status = register_command(module, "hookpeer.add", 2, command_add)) != DBLITE_OK ||
        (status = register_command(module, "hookpeer.report", 1, command_report)) != DBLITE_OK)
        return status;
    return DBLITE_OK;
}
