/*
 * client_pause.c - CLIENT PAUSE timeout [WRITE|ALL] and CLIENT UNPAUSE with
 * Redis 7.0's semantics: a paused client's commands wait, they do not fail.
 *
 * - ALL holds every command; WRITE holds writes, commands that may
 *   replicate (PUBLISH) and an EXEC whose queue holds a write.  A held
 *   request is checked again from the start when the pause ends, as Redis
 *   re-runs processCommand.  Inside MULTI, queueing a write waits too.
 * - A second PAUSE never shortens nor softens the pause in effect: the
 *   type becomes the more restrictive of the two and the end the later
 *   (Redis's pauseClients).  The end is now + timeout, computed as Redis
 *   7.0 does without an overflow check, so a huge timeout wraps into the
 *   past and pauses nothing.
 * - Monitoring clients are never held (Redis exempts its replicas, and a
 *   monitor is one); CLIENT UNPAUSE itself is held by an ALL pause, as in
 *   Redis, so only the timeout ends that one.
 * - While paused, nothing may change the dataset behind the clients'
 *   backs: dblite_server_paused_writes() tells modules (the expiry module
 *   neither deletes expired keys nor lets lookups see them).
 *
 * Why here: the held request must stay in the client's query buffer, so
 * holding is a flag (CLIENT_PAUSED) that client.c's input loop stops at;
 * the end of the pause hands each held client to the client_unblocked
 * list, whose requests before-sleep runs, as for a block that ended.
 */
#include <string.h>

#include "commands/client_pause.h"
#include "commands/core_commands.h"
#include "commands/transaction.h"
#include "util/numbers.h"

int client_pause_postpones(client *c, const command *cmd)
{
    if (server.pause_type == PAUSE_NONE || (c->flags & CLIENT_MONITOR))
        return 0;
    if (server.pause_type == PAUSE_WRITE &&
        !(cmd->flags & (COMMAND_WRITE | COMMAND_MAY_REPLICATE)) &&
        !(cmd->handler == command_exec && transaction_queues_write(c)))
        return 0;
    c->flags |= CLIENT_PAUSED;
    c->last_command = cmd; /* CLIENT LIST shows it as cmd=, as Redis */
    return 1;
}

/* Ends the pause: every held client runs its requests from before-sleep. */
static void clients_unpause(void)
{
    server.pause_type = PAUSE_NONE;
    server.pause_end_ms = 0;
    if (server.pause_timer) {
        event_remove_timer(server.loop, server.pause_timer);
        server.pause_timer = 0;
    }
    for (client *c = server.clients; c; c = c->next) {
        if (!(c->flags & CLIENT_PAUSED))
            continue;
        c->flags &= ~CLIENT_PAUSED;
        client_unblocked(c);
    }
}

static long long pause_timer_fired(event_loop *loop, uint64_t id, void *privdata)
{
    (void)loop, (void)id, (void)privdata;
    long long left = server.pause_end_ms - wall_clock_ms();
    if (left > 0)
        return left;
    server.pause_timer = 0; /* this timer ends as it returns -1 */
    clients_unpause();
    return -1;
}

/* Redis's pauseClients: never shorter, never less restrictive. */
static int clients_pause(long long end_ms, int type)
{
    if (type > server.pause_type)
        server.pause_type = type;
    if (end_ms > server.pause_end_ms)
        server.pause_end_ms = end_ms;
    long long left = server.pause_end_ms - wall_clock_ms();
    if (left <= 0) {
        clients_unpause();
        return DBLITE_OK;
    }
    if (server.pause_timer)
        event_remove_timer(server.loop, server.pause_timer);
    server.pause_timer = event_add_timer(server.loop, left, pause_timer_fired, NULL, NULL);
    if (!server.pause_timer) {
        clients_unpause();
        return DBLITE_ERR_NOMEM;
    }
    return DBLITE_OK;
}

/* The mode is checked before the timeout, as Redis does. */
void client_pause(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    int type = PAUSE_ALL;
    if (argc == 4) {
        if (dblite_bytes_equal_nocase(argv[3], "WRITE"))
            type = PAUSE_WRITE;
        else if (dblite_bytes_equal_nocase(argv[3], "ALL"))
            type = PAUSE_ALL;
        else {
            dblite_reply_error(ctx, "ERR CLIENT PAUSE mode must be WRITE or ALL");
            return;
        }
    }
    long long timeout;
    if (!parse_long_long(argv[2].ptr, argv[2].len, &timeout)) {
        dblite_reply_error(ctx, "ERR timeout is not an integer or out of range");
        return;
    }
    if (timeout < 0) {
        dblite_reply_error(ctx, "ERR timeout is negative");
        return;
    }
    /* Redis 7.0 adds the clock unchecked: a huge timeout wraps. */
    long long end_ms =
        timeout > 0 ? (long long)((unsigned long long)timeout + (unsigned long long)wall_clock_ms())
                    : 0;
    if (clients_pause(end_ms, type) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    dblite_reply_ok(ctx);
}

void client_unpause(dblite_ctx *ctx)
{
    clients_unpause();
    dblite_reply_ok(ctx);
}

int dblite_server_paused_writes(void)
{
    return server.pause_type != PAUSE_NONE;
}

void dblite_key_lookup_hide(dblite_ctx *ctx)
{
    (void)ctx;
    server.lookup_hidden = 1;
}
