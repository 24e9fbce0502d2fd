/*
 * command_clash.c - clash.so: registers hooktest.events, a name hooktest.so
 * already owns, so loading both must fail naming the command and the owner.
 */
#include "dblite_module.h"

DBLITE_MODULE_DECLARE();

static void command_events(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    dblite_reply_ok(ctx);
}

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    dblite_command_spec spec = {.api_version = DBLITE_API_VERSION,
                                .name = "hooktest.events",
                                .arity = 1,
                                .flags = "readonly",
                                .handler = command_events};
    return dblite_command_register(module, &spec);
}
