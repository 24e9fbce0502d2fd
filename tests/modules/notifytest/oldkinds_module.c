/*
 * oldkinds_module.c - oldkinds.so, built against the frozen API version 3
 * header (tests/api_compat/v3/dblite_module.h), whose event kinds end where
 * API 6 appended DBLITE_EVENT_KEYSPACE_NOTIFICATION: subscribing to its
 * DBLITE_EVENT_KIND_COUNT must still be refused, so a module that checks
 * the end of its kinds that way keeps working.  OLDKINDS.STATUS replies
 * the code that subscription got (DBLITE_ERR_INVALID, -4, expected).
 */
#include "dblite_module.h"

DBLITE_MODULE_DECLARE();

typedef struct oldkinds_state {
    long long status;
} oldkinds_state;

static void ignore_event(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)ctx, (void)event, (void)privdata;
}

static void command_status(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    const oldkinds_state *state = dblite_module_get_data(dblite_ctx_module(ctx));
    dblite_reply_integer(ctx, state->status);
}

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    oldkinds_state *state = dblite_alloc(sizeof *state);
    if (!state) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    dblite_module_set_data(module, state);
    state->status = dblite_event_subscribe(module, DBLITE_EVENT_KIND_COUNT, ignore_event, state);
    static const dblite_command_spec status_command = {
        .api_version = DBLITE_API_VERSION,
        .name = "oldkinds.status",
        .arity = 1,
        .flags = "readonly fast",
        .handler = command_status,
        .summary = "The code of subscribing to the API 3 DBLITE_EVENT_KIND_COUNT.",
    };
    return dblite_command_register(module, &status_command);
}
