/*
 * compat_persistence_commands.c - DBLite's SAVE [file] and RESTORE <file>
 * for DBLite clients.
 *
 * The Redis port's SAVE and RESTORE are exactly Redis's and take no file
 * name, so the file forms exist as this dialect's versions only, on
 * DBLite's own listener.  The work, including confining the name to a
 * plain file inside 'dir', is persistence.so's (its files service): this
 * module never touches a path.  Without persistence.so the commands say
 * which module is missing and how to load it.
 */
#include "compat_state.h"

static const dblite_files_service *files_service(dblite_ctx *ctx)
{
    const compat_state *state = dblite_module_get_data(dblite_ctx_module(ctx));
    return state != NULL ? state->files : NULL;
}

static int reply_if_persistence_missing(dblite_ctx *ctx, const dblite_bytes *argv)
{
    if (files_service(ctx) != NULL)
        return 0;
    dblite_reply_error_format(
        ctx,
        "ERR %.*s needs the persistence module, which this server has not loaded "
        "(add 'load = persistence' under [modules])",
        (int)(argv[0].len > 32 ? 32 : argv[0].len), argv[0].ptr);
    return 1;
}

static void compat_save(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (!reply_if_persistence_missing(ctx, argv))
        files_service(ctx)->save(ctx, argc, argv);
}

static void compat_restore(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (!reply_if_persistence_missing(ctx, argv))
        files_service(ctx)->restore(ctx, argc, argv);
}

static const dblite_command_spec persistence_specs[] = {
    {
        .api_version = DBLITE_API_VERSION,
        .name = "save",
        .arity = -1,
        .flags = "admin noscript",
        .handler = compat_save,
        .summary =
            "DBLite's SAVE [file]: the dataset to dbfilename, or to a plain file name inside 'dir'.",
        .since = "1.0.0",
        .group = "server",
        .arguments = "[file]",
    },
    {
        .api_version = DBLITE_API_VERSION,
        .name = "restore",
        .arity = -2,
        .flags = "write deny-oom",
        .handler = compat_restore,
        .summary =
            "DBLite's RESTORE file: the dataset replaced by an RDB file inside 'dir' (or Redis's "
            "RESTORE key ttl payload).",
        .since = "1.0.0",
        .group = "server",
        .arguments =
            "file | key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]",
    },
};

int compat_persistence_register(dblite_module *module)
{
    for (size_t index = 0; index < sizeof(persistence_specs) / sizeof(persistence_specs[0]);
         index++) {
        int status = dblite_command_register_dialect(module, &persistence_specs[index]);
        if (status != DBLITE_OK)
            return status;
    }
    return DBLITE_OK;
}
