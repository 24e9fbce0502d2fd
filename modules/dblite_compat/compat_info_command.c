/*
 * compat_info_command.c - INFO as DBLite answers it: a map of five integer
 * figures, written as RESP3's '%' although DBLite clients speak RESP2.
 *
 * The figures are DBLite's names for what the server already counts, read
 * through dblite_server_statistic so they agree with the Redis port's INFO.
 */
#include "compat_state.h"

typedef struct info_figure {
    const char *dblite_name; /* the key DBLite clients read */
    const char *server_name; /* the same figure's INFO name */
} info_figure;

static const info_figure info_figures[] = {
    {"keys", "keys"},
    {"connections", "total_connections_received"},
    {"active_connections", "connected_clients"},
    {"commands_processed", "total_commands_processed"},
    {"command_errors", "total_error_replies"},
};

#define INFO_FIGURE_COUNT (sizeof(info_figures) / sizeof(info_figures[0]))

static void compat_info_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argv;
    if (argc > 1) {
        /* DBLite's INFO has no sections; the text sections stay one port away. */
        dblite_reply_error(
            ctx,
            "ERR DBLite's INFO takes no argument (INFO sections are served on the Redis port)");
        return;
    }
    /* Every figure is read before the reply starts, so a failure can still
     * be answered as one error instead of a torn map. */
    long long values[INFO_FIGURE_COUNT];
    for (size_t index = 0; index < INFO_FIGURE_COUNT; index++) {
        if (dblite_server_statistic(ctx, info_figures[index].server_name, &values[index]) !=
            DBLITE_OK) {
            dblite_reply_error_format(ctx, "ERR this server does not report %s",
                                      info_figures[index].server_name);
            return;
        }
    }
    dblite_reply_dialect_map(ctx, (long long)INFO_FIGURE_COUNT);
    for (size_t index = 0; index < INFO_FIGURE_COUNT; index++) {
        dblite_reply_bulk_cstring(ctx, info_figures[index].dblite_name);
        dblite_reply_integer(ctx, values[index]);
    }
}

static const dblite_command_spec info_spec = {
    .api_version = DBLITE_API_VERSION,
    .name = "info",
    .arity = -1,
    .flags = "loading stale",
    .handler = compat_info_command,
    .summary =
        "Returns DBLite's statistics: keys, connections, active_connections, commands_processed, "
        "command_errors.",
    .since = "1.0.0",
    .group = "server",
    .arguments = "",
};

int compat_info_register(dblite_module *module)
{
    return dblite_command_register_dialect(module, &info_spec);
}
