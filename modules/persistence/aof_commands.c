/*
 * aof_commands.c - BGREWRITEAOF: a rewrite in a child now, or scheduled for
 * the cron when another child runs or it is called inside a transaction.
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
    /* Inside EXEC the fork would catch the transaction half done while
     * all of it still reaches the rewrite's buffer (it is propagated when
     * EXEC ends): as Redis 7.0, it starts once EXEC is over. */
    if (child_running(state, CHILD_NONE) || dblite_ctx_in_transaction(ctx)) {
        state->aof.rewrite_scheduled = 1;
        /* Asked for by hand: the back-off after failures does not apply. */
        state->aof.consecutive_failures = 0;
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
