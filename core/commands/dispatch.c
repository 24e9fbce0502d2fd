/*
 * dispatch.c - from a parsed request to a command call, with Redis 7.0's
 * checks in Redis's order: unknown command, arity, authentication, loading,
 * a monitor touching keys; then CLIENT PAUSE may hold it (client_pause.c).
 * The call itself, its propagation and the serving of clients it made
 * ready are context.c's, as for everything else the core runs.
 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include "call.h"
#include "client_pause.h"
#include "context.h"
#include "core_commands.h"
#include "monitor.h"
#include "transaction.h"

void unknown_command_message(char *message, size_t size, int argc, const dblite_bytes *argv)
{
    char args[256];
    size_t used = 0;
    args[0] = '\0';
    for (int i = 1; i < argc && used < 128; i++) {
        int room = 128 - (int)used;
        int written =
            snprintf(args + used, sizeof(args) - used, "'%.*s' ",
                     (int)(argv[i].len < (size_t)room ? argv[i].len : (size_t)room), argv[i].ptr);
        if (written < 0)
            break;
        /* %.*s stops at a NUL byte, as Redis's sdscatprintf does. */
        used += strlen(args + used);
    }
    snprintf(message, size, "ERR unknown command '%.*s', with args beginning with: %s",
             (int)(argv[0].len < 128 ? argv[0].len : 128), argv[0].ptr, args);
}

static void reply_unknown_command(client *c, int argc, const dblite_bytes *argv)
{
    char message[512];
    unknown_command_message(message, sizeof(message), argc, argv);
    reply_error(c, message);
}

/* The first write gate that refuses the command, its error text in error;
 * NULL when every gate lets it through.  PING is gated too, as in Redis, so
 * a health check sees that writes are refused. */
const char *write_gate_refusal(const client *c, const command *cmd, char *error, size_t size)
{
    if (server.write_gates.length == 0 ||
        !((cmd->flags & COMMAND_WRITE) || cmd->handler == command_ping ||
          (cmd->handler == command_exec && transaction_queues_write(c))))
        return NULL;
    for (size_t i = 0; i < server.write_gates.length; i++) {
        write_gate *gate = &server.write_gates.items[i];
        error[0] = '\0';
        if (gate->fn(error, size, gate->privdata))
            return error[0] ? error : "MISCONF writes are refused";
    }
    return NULL;
}

/* Redis 7.0's rejectCommand: the rejection flags a transaction in
 * progress, and a rejected EXEC discards it (EXECABORT with the reason),
 * in MULTI or not. */
static void reject(client *c, command *cmd, const char *error)
{
    cmd->rejected_calls++;
    transaction_flag_error(c);
    if (cmd->handler == command_exec)
        transaction_abort_exec(c, error);
    else
        reply_error(c, error);
}

void execute_request(client *c, int argc, const dblite_bytes *argv)
{
    command *cmd = c->dialect ? command_lookup_for(c->dialect, argv[0].ptr, argv[0].len)
                              : command_lookup(argv[0].ptr, argv[0].len);
    if (!cmd) {
        server.stats.unexpected_error_replies++;
        transaction_flag_error(c);
        reply_unknown_command(c, argc, argv);
        return;
    }
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
        char message[256];
        snprintf(message, sizeof(message), "ERR wrong number of arguments for '%s' command",
                 cmd->name);
        reject(c, cmd, message);
        return;
    }
    if (!c->authenticated && !(cmd->flags & COMMAND_NO_AUTH)) {
        reject(c, cmd, "NOAUTH Authentication required.");
        return;
    }
    if ((c->flags & CLIENT_MULTI) && (cmd->flags & COMMAND_NO_MULTI)) {
        reject(c, cmd, "ERR Command not allowed inside a transaction");
        return;
    }
    char gate_error[512];
    const char *refusal = write_gate_refusal(c, cmd, gate_error, sizeof(gate_error));
    if (refusal) {
        reject(c, cmd, refusal);
        return;
    }
    char mode_error[512];
    if (c->mode && client_mode_refuses(c, cmd->name, argc, argv, mode_error, sizeof(mode_error))) {
        reject(c, cmd, mode_error);
        return;
    }
    if (server.loading && !(cmd->flags & COMMAND_LOADING)) {
        reject(c, cmd, "LOADING Redis is loading the dataset in memory");
        return;
    }
    if ((c->flags & CLIENT_MONITOR) && monitor_refuses(c, cmd)) {
        cmd->rejected_calls++;
        transaction_flag_error(c);
        reply_error(c, "ERR Replica can't interact with the keyspace");
        return;
    }
    /* Held until the pause ends: the request stays unconsumed (client.c). */
    if (server.pause_type && client_pause_postpones(c, cmd))
        return;
    /* Its own context sends out what the command propagated and serves
     * the clients it made ready. */
    if ((c->flags & CLIENT_MULTI) && transaction_queue_request(c, cmd, argc, argv))
        return;
    context_call(c, cmd, argc, argv);
}

/* A logged command replayed by a module (append-only file loading): run
 * without a client so replies go nowhere and nothing blocks, and without
 * propagation, since the log it comes from already holds it. */
int dblite_call_replay(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (argc < 1)
        return DBLITE_ERR_INVALID;
    command *cmd = command_lookup(argv[0].ptr, argv[0].len);
    if (!cmd)
        return DBLITE_ERR_NOTFOUND;
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity ||
        !(cmd->flags & COMMAND_WRITE))
        return DBLITE_ERR_INVALID;
    /* Nested in the loader's context: served clients wait until it ends. */
    dblite_ctx inner;
    context_begin(&inner, ctx, NULL, ctx->db, cmd, CTX_REPLAY);
    int status = context_run_command(&inner, argc, argv);
    (void)context_end(&inner);
    return status;
}

int dblite_ctx_argument_is_integer(const dblite_ctx *ctx, int index)
{
    client *c = ctx->client;
    if (!c || !c->dialect || index < 0 || index >= ctx->argc || ctx->argv != c->parser.argv)
        return 0;
    return c->parser.argument_is_integer && c->parser.argument_is_integer[index];
}

const char *dblite_ctx_dialect(const dblite_ctx *ctx)
{
    return ctx->client && ctx->client->dialect ? ctx->client->dialect->name : NULL;
}

const char *dblite_ctx_command_name(const dblite_ctx *ctx)
{
    return ctx->command ? ctx->command->name : NULL;
}
int dblite_ctx_cannot_block(const dblite_ctx *ctx)
{
    return (ctx->flags & CTX_CANNOT_BLOCK) || !ctx->client || ctx->client->fd < 0;
}
