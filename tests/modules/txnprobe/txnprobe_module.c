/*
 * txnprobe_module.c - txnprobe.so: one command, TXNPROBE, answering what
 * its handler sees of the context it runs in, as a two-element array:
 * dblite_ctx_in_transaction (API 6) and dblite_ctx_cannot_block.  Run
 * directly both are 0; queued by MULTI and run by EXEC both are 1, which
 * is how a module's blocking command knows to answer at once instead.
 * tests/integration/test_transactions.py loads it with --load-module.
 */
#include "dblite_module.h"

DBLITE_MODULE_DECLARE();

static void txnprobe_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    (void)argv;
    dblite_reply_array(ctx, 2);
    dblite_reply_integer(ctx, dblite_ctx_in_transaction(ctx));
    dblite_reply_integer(ctx, dblite_ctx_cannot_block(ctx));
}

static const dblite_command_spec commands[] = {
    DBLITE_COMMAND(.name = "txnprobe", .arity = 1, .flags = "readonly fast",
                   .handler = txnprobe_command),
};

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    return dblite_command_register_table(module, commands, DBLITE_ARRAY_LENGTH(commands));
}
