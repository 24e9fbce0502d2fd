/*
 * aof_commands.c - BGREWRITEAOF.
 */
#include <stdio.h>

#include "aof_rewrite.h"
#include "persistence.h"

void persistence_bgrewriteaof_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    persistence_state *state = persistence_state_of(ctx);
    if (child_running(state, CHILD_AOF_REWRITE)) {
        dblite_reply_error(ctx, "ERR Background append only file rewriting already in progress");
        return;
    }
    if (child_running(state, CHILD_NONE)) {
        state->aof.rewrite_scheduled = 1;
        dblite_reply_simple(ctx, "Background append only file rewriting scheduled");
        return;
    }
    char error[512];
    if (aof_rewrite_start_background(state, ctx, error, sizeof(error)) != 0) {
        dblite_reply_error_format(ctx, "ERR Can't execute an AOF background rewriting: %s", error);
        return;
    }
    dblite_reply_simple(ctx, "Background append only file rewriting started");
}
