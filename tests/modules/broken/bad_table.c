/*
 * bad_table.c - badtable.so: registers a command table whose second row
 * has an unknown flag, so dblite_command_register_table must stop there
 * and the loader's message must name that command.
 */
#include "dblite_module.h"

DBLITE_MODULE_DECLARE();

static void reply_ok(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    dblite_reply_ok(ctx);
}

static const dblite_command_spec commands[] = {
    DBLITE_COMMAND(.name = "badtable.first", .arity = 1, .flags = "readonly", .handler = reply_ok),
    DBLITE_COMMAND(.name = "badtable.second", .arity = 1, .flags = "readonly sparkly",
                   .handler = reply_ok),
    DBLITE_COMMAND(.name = "badtable.third", .arity = 1, .flags = "readonly", .handler = reply_ok),
};

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    return dblite_command_register_table(module, commands, DBLITE_ARRAY_LENGTH(commands));
}
