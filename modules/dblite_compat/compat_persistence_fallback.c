/*
 * compat_persistence_fallback.c - SAVE <file> and RESTORE <file> when
 * persistence.so is not loaded.
 *
 * With persistence.so the server's own SAVE and RESTORE take a file name
 * as DBLite's do, so DBLite clients use them directly.  Without it they
 * would meet "unknown command"; these dialect versions say instead which
 * module is missing and how to load it.
 */
#include "compat_state.h"

static void reply_persistence_missing(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    dblite_reply_error_format(ctx,
                              "ERR %.*s needs the persistence module, which this server has not loaded "
                              "(add 'load = persistence' under [modules])",
                              (int)(argv[0].len > 32 ? 32 : argv[0].len), argv[0].ptr);
}

static const dblite_command_spec fallback_specs[] = {
    {
        .api_version = DBLITE_API_VERSION,
        .name = "save",
        .arity = -1,
        .flags = "admin noscript",
        .handler = reply_persistence_missing,
        .summary = "DBLite's SAVE <file>: needs persistence.so.",
        .since = "1.0.0",
        .group = "server",
        .arguments = "file",
    },
    {
        .api_version = DBLITE_API_VERSION,
        .name = "restore",
        .arity = -1,
        .flags = "write deny-oom",
        .handler = reply_persistence_missing,
        .summary = "DBLite's RESTORE <file>: needs persistence.so.",
        .since = "1.0.0",
        .group = "server",
        .arguments = "file",
    },
};

int compat_persistence_fallback_register(dblite_module *module)
{
    for (size_t index = 0; index < sizeof(fallback_specs) / sizeof(fallback_specs[0]); index++) {
        int status = dblite_command_register_dialect(module, &fallback_specs[index]);
        if (status != DBLITE_OK)
            return status;
    }
    return DBLITE_OK;
}
