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

void snapshot_save_and_reply(persistence_state *state, dblite_ctx *ctx, const char *path)
{
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

void persistence_save_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    persistence_state *state = persistence_state_of(ctx);
    snapshot_save_and_reply(state, ctx, state->settings.dbfilename);
}

void persistence_bgsave_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    persistence_state *state = persistence_state_of(ctx);
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
    /* Inside EXEC the snapshot would catch the transaction half done: as
     * Redis 7.0, it is scheduled then. */
    int in_transaction = dblite_ctx_in_transaction(ctx);
    if (child_running(state, CHILD_NONE) || in_transaction) {
        if (!schedule && !in_transaction) {
            dblite_reply_error(
                ctx,
                "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE "
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

void persistence_lastsave_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    dblite_reply_integer(ctx, persistence_state_of(ctx)->last_save_time);
}
