/*
 * reset_command.c - RESET: the connection back to the state of a new one,
 * as Redis 7.0's clearClientConnectionState, then +RESET.
 *
 * One function, client_reset(c), so every feature that keeps per-client
 * state has one place to undo it: the transaction (MULTI and WATCHes), the
 * modules' per-client state (pubsub's subscriptions go through its free
 * callback, which also leaves subscribed mode), MONITOR, the database (0),
 * client tracking (off), the protocol (RESP2), the name, authentication (the default user's: with
 * requirepass set, AUTH is needed again) and CLIENT REPLY (ON).  CLIENT
 * NO-EVICT stays as it was: Redis 7.0.15 keeps it (checked against it; a
 * later Redis clears it).  CLIENT PAUSE is the server's, not the client's:
 * RESET leaves it alone.  A pending CLIENT REPLY SKIP already applies to RESET
 * itself (its reply is skipped), as in Redis, which clears SKIP_NEXT and
 * OFF but not the SKIP of the running request.
 */
#include "commands/core_commands.h"
#include "commands/monitor.h"
#include "commands/transaction.h"

void client_reset(client *c)
{
    monitor_client_stop(c);
    tracking_client_reset(c);
    client_select_db(c, 0);
    c->protocol = 2;
    c->authenticated =
        server.settings.requirepass == NULL || server.settings.requirepass[0] == '\0';
    transaction_client_reset(c);
    client_module_state_reset(c);
    server_free(c->name);
    c->name = NULL;
    c->flags &= ~(CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP_NEXT);
}

HANDLER(command_reset)
{
    (void)argc, (void)argv;
    client *c = ctx->client;
    if (c) {
        client_reset(c);
        ctx->db = c->db;
    }
    dblite_reply_simple(ctx, "RESET");
}
