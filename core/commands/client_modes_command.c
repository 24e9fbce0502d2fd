/*
 * client_modes_command.c - the per-connection modes and the commands about
 * other clients' waits: CLIENT REPLY, CLIENT NO-EVICT, CLIENT UNBLOCK, and
 * TOUCH and WAIT, kept apart from client_command.c (which lists and names
 * connections) because each changes how a connection is served.
 *
 * CLIENT REPLY sets flags that reply.c reads (no output while OFF or SKIP)
 * and client.c advances after each request (client_request_done), as
 * Redis's resetClient.  WAIT has no replicas to count: like Redis with none
 * attached it answers 0 at once when numreplicas <= 0 and otherwise blocks
 * until its timeout (0: forever, or until CLIENT UNBLOCK), then answers 0.
 */
#include <string.h>

#include "commands/core_commands.h"
#include "util/numbers.h"

/* CLIENT REPLY ON|OFF|SKIP: only ON answers. */
void client_reply_mode(dblite_ctx *ctx, const dblite_bytes *mode)
{
    client *c = ctx->client;
    if (!c) {
        dblite_reply_ok(ctx);
        return;
    }
    if (dblite_bytes_equal_nocase(*mode, "ON")) {
        c->flags &= ~(CLIENT_REPLY_SKIP | CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP_NEXT);
        dblite_reply_ok(ctx);
    } else if (dblite_bytes_equal_nocase(*mode, "OFF")) {
        c->flags |= CLIENT_REPLY_OFF;
    } else if (dblite_bytes_equal_nocase(*mode, "SKIP")) {
        if (!(c->flags & CLIENT_REPLY_OFF))
            c->flags |= CLIENT_REPLY_SKIP_NEXT;
    } else {
        dblite_reply_syntax_error(ctx);
    }
}

/* CLIENT NO-EVICT ON|OFF.  There is no client eviction yet
 * (maxmemory-clients): the flag is kept and shown as 'e'. */
void client_no_evict_mode(dblite_ctx *ctx, const dblite_bytes *mode)
{
    client *c = ctx->client;
    int on;
    if (dblite_bytes_equal_nocase(*mode, "ON"))
        on = 1;
    else if (dblite_bytes_equal_nocase(*mode, "OFF"))
        on = 0;
    else {
        dblite_reply_syntax_error(ctx);
        return;
    }
    if (c) {
        if (on)
            c->flags |= CLIENT_NO_EVICT;
        else
            c->flags &= ~CLIENT_NO_EVICT;
    }
    dblite_reply_ok(ctx);
}

/* CLIENT UNBLOCK id [TIMEOUT|ERROR], checked in Redis 7.0's order: the
 * reason first, then the id.  argc is 3 or 4 (the caller checked). */
void client_unblock(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    int with_error = 0;
    if (argc == 4) {
        if (dblite_bytes_equal_nocase(argv[3], "TIMEOUT"))
            with_error = 0;
        else if (dblite_bytes_equal_nocase(argv[3], "ERROR"))
            with_error = 1;
        else {
            dblite_reply_error(ctx, "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    }
    long long id;
    if (!parse_long_long(argv[2].ptr, argv[2].len, &id)) {
        dblite_reply_not_integer(ctx);
        return;
    }
    client *target = NULL;
    for (client *c = server.clients; c; c = c->next)
        if (c->fd >= 0 && c->id == (uint64_t)id)
            target = c;
    int unblocked =
        target && (target->flags & CLIENT_BLOCKED) && blocking_unblock_client(target, with_error);
    dblite_reply_integer(ctx, unblocked ? 1 : 0);
}

/* TOUCH key [key ...]: how many exist, each looked up as a read (so a key
 * past its expiry is removed first and not counted). */
HANDLER(command_touch)
{
    long long count = 0;
    for (int i = 1; i < argc; i++)
        if (db_find(ctx, ctx->db, argv[i].ptr, argv[i].len, DBLITE_LOOKUP_READ))
            count++;
        else
            notify_keyspace_event(ctx, DBLITE_NOTIFY_KEY_MISS, "keymiss", ctx->db->id, argv[i].ptr,
                                  argv[i].len);
    dblite_reply_integer(ctx, count);
}

/* No replica ever acknowledges: a WAIT's timeout answers 0. */
static void wait_timed_out(dblite_ctx *ctx, void *privdata)
{
    (void)privdata;
    dblite_reply_integer(ctx, 0);
}

/* WAIT numreplicas timeout, with Redis 7.0's argument errors. */
HANDLER(command_wait)
{
    (void)argc;
    long long replicas, timeout;
    if (!parse_long_long(argv[1].ptr, argv[1].len, &replicas)) {
        dblite_reply_not_integer(ctx);
        return;
    }
    if (!parse_long_long(argv[2].ptr, argv[2].len, &timeout)) {
        dblite_reply_error(ctx, "ERR timeout is not an integer or out of range");
        return;
    }
    if (timeout < 0) {
        dblite_reply_error(ctx, "ERR timeout is negative");
        return;
    }
    /* Zero replicas acknowledged; enough when none were asked for, and a
     * context that cannot block (a replay) answers as the timeout would. */
    if (replicas <= 0 || dblite_ctx_cannot_block(ctx)) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    if (blocking_block_for_timeout(ctx, timeout, wait_timed_out) != DBLITE_OK)
        dblite_reply_error(ctx, "ERR out of memory");
}
