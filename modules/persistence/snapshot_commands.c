/*
 * snapshot_commands.c - SAVE [file], BGSAVE [SCHEDULE] and LASTSAVE.
 *
 * SAVE with a file name is a DBLite extension: the snapshot goes to that
 * file (relative to 'dir') instead of dbfilename, and the save points'
 * change count is left alone since dbfilename did not get the changes.
 */
#include <stdio.h>
#include <string.h>

#include "persistence.h"

#define MAX_PATH_ARGUMENT 4096

static void command_save(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    persistence_state *state = persistence_state_get();
    if (argc > 2) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    if (child_running(state, CHILD_RDB)) {
        dblite_reply_error(ctx, "ERR Background save already in progress");
        return;
    }
    char path[MAX_PATH_ARGUMENT];
    if (argc == 2) {
        if (argv[1].len == 0 || argv[1].len >= sizeof(path) || memchr(argv[1].ptr, '\0', argv[1].len) != NULL) {
            dblite_reply_error(ctx, "ERR invalid file name");
            return;
        }
        memcpy(path, argv[1].ptr, argv[1].len);
        path[argv[1].len] = '\0';
    } else {
        snprintf(path, sizeof(path), "%s", state->settings.dbfilename);
    }
    char error[512];
    if (snapshot_save_now(state, ctx, path, error, sizeof(error)) != 0) {
        dblite_reply_error_format(ctx, "ERR %s", error);
        return;
    }
    dblite_reply_ok(ctx);
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
    {DBLITE_API_VERSION, "save", -1, "admin noscript", 0, 0, 0, command_save,
     "Synchronously saves the database(s) to disk (DBLite: optionally to the named file).", "1.0.0", "server",
     "[file]"},
    {DBLITE_API_VERSION, "bgsave", -1, "admin noscript", 0, 0, 0, command_bgsave,
     "Asynchronously saves the database(s) to disk.", "1.0.0", "server", "[SCHEDULE]"},
    {DBLITE_API_VERSION, "lastsave", 1, "fast loading stale", 0, 0, 0, command_lastsave,
     "Returns the Unix timestamp of the last successful save to disk.", "1.0.0", "server", ""},
};

int snapshot_commands_register(dblite_module *module)
{
    for (size_t i = 0; i < sizeof(snapshot_commands) / sizeof(snapshot_commands[0]); i++)
        if (dblite_command_register(module, &snapshot_commands[i]) != DBLITE_OK)
            return DBLITE_ERR;
    return DBLITE_OK;
}
