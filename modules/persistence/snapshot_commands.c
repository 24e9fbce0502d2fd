/*
 * snapshot_commands.c - SAVE, BGSAVE [SCHEDULE] and LASTSAVE, as Redis's.
 *
 * SAVE takes no argument here, as in Redis: a file name would let any
 * client of the Redis port write a snapshot wherever the server may write.
 * DBLite's SAVE <file> is served on the dialect's port only, confined to
 * 'dir' (files_service.c); it shares snapshot_save_and_reply.
 */
#include <stdio.h>
#include <string.h>

#include "persistence.h"

void snapshot_save_and_reply(dblite_ctx *ctx, const char *path)
{
    persistence_state *state = persistence_state_get();
    if (child_running(state, CHILD_RDB)) {
        dblite_reply_error(ctx, "ERR Background save already in progress");
        return;
    }
    char error[512];
    if (snapshot_save_now(state, ctx, path, error, sizeof(error)) != 0) {
        dblite_reply_error_format(ctx, "ERR %s", error);
        return;
    }
    dblite_reply_ok(ctx);
}

static void command_save(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    snapshot_save_and_reply(ctx, persistence_state_get()->settings.dbfilename);
}

static void command_bgsave(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    persistence_state *state = persistence_state_get();
    int schedule = 0;
    if (argc == 2 && dblite_bytes_equal_nocase(argv[1], "SCHEDULE")) {
        schedule = 1;
    } else if (argc > 1) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    if (child_running(state, CHILD_RDB)) {
        dblite_reply_error(ctx, "ERR Background save already in progress");
        return;
    }
    if (child_running(state, CHILD_NONE)) {
        if (!schedule) {
            dblite_reply_error(ctx, "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE "
                                    "SCHEDULE in order to schedule a BGSAVE whenever possible.");
            return;
        }
        state->bgsave_scheduled = 1;
        dblite_reply_simple(ctx, "Background saving scheduled");
        return;
    }
    char error[512];
    if (snapshot_start_background(state, ctx, error, sizeof(error)) != 0) {
        dblite_reply_error_format(ctx, "ERR %s", error);
        return;
    }
    dblite_reply_simple(ctx, "Background saving started");
}

static void command_lastsave(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    dblite_reply_integer(ctx, persistence_state_get()->last_save_time);
}

static const dblite_command_spec snapshot_commands[] = {
    {DBLITE_API_VERSION, "save", 1, "admin noscript", 0, 0, 0, command_save,
     "Synchronously saves the database(s) to disk.", "1.0.0", "server", "", NULL},
    {DBLITE_API_VERSION, "bgsave", -1, "admin noscript", 0, 0, 0, command_bgsave,
     "Asynchronously saves the database(s) to disk.", "1.0.0", "server", "[SCHEDULE]", NULL},
    {DBLITE_API_VERSION, "lastsave", 1, "fast loading stale", 0, 0, 0, command_lastsave,
     "Returns the Unix timestamp of the last successful save to disk.", "1.0.0", "server", "", NULL},
};

int snapshot_commands_register(dblite_module *module)
{
    for (size_t i = 0; i < sizeof(snapshot_commands) / sizeof(snapshot_commands[0]); i++)
        if (dblite_command_register(module, &snapshot_commands[i]) != DBLITE_OK)
            return DBLITE_ERR;
    return DBLITE_OK;
}
