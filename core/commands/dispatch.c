/*
 * dispatch.c - from a parsed request to a command call, with Redis 7.0's
 * checks in Redis's order: unknown command, arity, authentication, loading.
 * After the call, a command that changed the dataset is handed to the
 * propagation subscribers (append-only log, replication), and clients
 * blocked on keys it made ready are served.
 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include "server.h"
#include "core_commands.h"

void ctx_init(dblite_ctx *ctx, client *c, database *db) {
    memset(ctx, 0, sizeof(*ctx));
    ctx->client = c;
    ctx->db = db;
}

static void propagated_free(propagated_command *p) {
    for (int i = 0; i < p->argc; i++) server_free((void *)p->argv[i].ptr);
    server_free(p->argv);
    p->argv = NULL;
    p->argc = 0;
}

void ctx_finish(dblite_ctx *ctx) {
    if (ctx->replacement) {
        propagated_free(ctx->replacement);
        server_free(ctx->replacement);
        ctx->replacement = NULL;
    }
    for (size_t i = 0; i < ctx->extras.length; i++) propagated_free(&ctx->extras.items[i]);
    free(ctx->extras.items);
    ctx->extras.items = NULL;
    ctx->extras.length = ctx->extras.capacity = 0;
}

void propagate(int db, int argc, const dblite_bytes *argv) {
    for (size_t i = 0; i < server.propagation_subscribers.length; i++) {
        propagation_subscriber *s = &server.propagation_subscribers.items[i];
        s->fn(db, argc, argv, s->privdata);
    }
}

static int propagated_copy(propagated_command *out, int argc, const dblite_bytes *argv) {
    out->argc = 0;
    out->argv = server_alloc(sizeof(dblite_bytes) * (size_t)(argc > 0 ? argc : 1));
    if (!out->argv) return DBLITE_ERR_NOMEM;
    for (int i = 0; i < argc; i++) {
        char *copy = server_strndup(argv[i].ptr, argv[i].len);
        if (!copy) {
            propagated_free(out);
            return DBLITE_ERR_NOMEM;
        }
        out->argv[i].ptr = copy;
        out->argv[i].len = argv[i].len;
        out->argc++;
    }
    return DBLITE_OK;
}

int dblite_propagate_replace(dblite_ctx *ctx, int argc, const dblite_bytes *argv) {
    if (server.propagation_subscribers.length == 0) return DBLITE_OK;
    propagated_command *replacement = server_alloc(sizeof(*replacement));
    if (!replacement) return DBLITE_ERR_NOMEM;
    if (propagated_copy(replacement, argc, argv) != DBLITE_OK) {
        server_free(replacement);
        return DBLITE_ERR_NOMEM;
    }
    if (ctx->replacement) {
        propagated_free(ctx->replacement);
        server_free(ctx->replacement);
    }
    ctx->replacement = replacement;
    return DBLITE_OK;
}

int dblite_propagate_extra(dblite_ctx *ctx, int argc, const dblite_bytes *argv) {
    if (server.propagation_subscribers.length == 0) return DBLITE_OK;
    /* Outside a command (timers, hooks) the command goes out at once. */
    if (!ctx->command) {
        propagate(ctx->db ? ctx->db->id : 0, argc, argv);
        return DBLITE_OK;
    }
    propagated_command extra;
    if (propagated_copy(&extra, argc, argv) != DBLITE_OK) return DBLITE_ERR_NOMEM;
    /* A hook may run in another database than the client's (COPY's target). */
    extra.db = ctx->db ? ctx->db->id : 0;
    if (ARRAY_PUSH(ctx->extras, extra) != 0) {
        propagated_free(&extra);
        return DBLITE_ERR_NOMEM;
    }
    return DBLITE_OK;
}

void call_command(client *c, const command *cmd, int argc, const dblite_bytes *argv) {
    dblite_ctx ctx;
    ctx_init(&ctx, c, c->db);
    ctx.command = cmd;
    ctx.module = cmd->owner;
    ctx.argc = argc;
    ctx.argv = argv;
    int db_at_start = c->db_index;
    long long dirty_before = server.dirty;
    long long errors_before = server.stats.command_errors;
    update_cached_time();
    int64_t started = monotonic_us();
    c->flags |= CLIENT_IN_CALL;
    cmd->handler(&ctx, argc, argv);
    c->flags &= ~CLIENT_IN_CALL;
    command *mutable_cmd = (command *)cmd;
    mutable_cmd->microseconds += monotonic_us() - started;
    mutable_cmd->calls++;
    if (server.stats.command_errors != errors_before) mutable_cmd->failed_calls++;
    server.stats.commands_processed++;
    c->last_command = cmd;
    if (server.propagation_subscribers.length > 0) {
        for (size_t i = 0; i < ctx.extras.length; i++)
            propagate(ctx.extras.items[i].db, ctx.extras.items[i].argc, ctx.extras.items[i].argv);
        if (server.dirty != dirty_before && (cmd->flags & COMMAND_WRITE)) {
            if (ctx.replacement) propagate(db_at_start, ctx.replacement->argc, ctx.replacement->argv);
            else propagate(db_at_start, argc, argv);
        }
    }
    ctx_finish(&ctx);
    blocking_handle_ready_keys();
}

static void reply_unknown_command(client *c, int argc, const dblite_bytes *argv) {
    char args[256];
    size_t used = 0;
    args[0] = '\0';
    for (int i = 1; i < argc && used < 128; i++) {
        int room = 128 - (int)used;
        int written = snprintf(args + used, sizeof(args) - used, "'%.*s' ",
                               (int)(argv[i].len < (size_t)room ? argv[i].len : (size_t)room), argv[i].ptr);
        if (written < 0) break;
        /* %.*s stops at a NUL byte, as Redis's sdscatprintf does. */
        used += strlen(args + used);
    }
    char message[512];
    snprintf(message, sizeof(message), "ERR unknown command '%.*s', with args beginning with: %s",
             (int)(argv[0].len < 128 ? argv[0].len : 128), argv[0].ptr, args);
    reply_error(c, message);
}

/* The first write gate that refuses the command, its error text in error;
 * NULL when every gate lets it through.  PING is gated too, as in Redis, so
 * a health check sees that writes are refused. */
static const char *write_gate_refusal(const command *cmd, char *error, size_t size) {
    if (server.write_gates.length == 0 || !((cmd->flags & COMMAND_WRITE) || cmd->handler == command_ping))
        return NULL;
    for (size_t i = 0; i < server.write_gates.length; i++) {
        write_gate *gate = &server.write_gates.items[i];
        error[0] = '\0';
        if (gate->fn(error, size, gate->privdata)) return error[0] ? error : "MISCONF writes are refused";
    }
    return NULL;
}

void execute_request(client *c, int argc, const dblite_bytes *argv) {
    command *cmd = c->dialect ? command_lookup_for(c->dialect, argv[0].ptr, argv[0].len)
                              : command_lookup(argv[0].ptr, argv[0].len);
    if (!cmd) {
        server.stats.unexpected_error_replies++;
        reply_unknown_command(c, argc, argv);
        return;
    }
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
        char message[256];
        snprintf(message, sizeof(message), "ERR wrong number of arguments for '%s' command", cmd->name);
        cmd->rejected_calls++;
        reply_error(c, message);
        return;
    }
    if (!c->authenticated && !(cmd->flags & COMMAND_NO_AUTH)) {
        cmd->rejected_calls++;
        reply_error(c, "NOAUTH Authentication required.");
        return;
    }
    char gate_error[512];
    const char *refusal = write_gate_refusal(cmd, gate_error, sizeof(gate_error));
    if (refusal) {
        cmd->rejected_calls++;
        reply_error(c, refusal);
        return;
    }
    if (server.loading && !(cmd->flags & COMMAND_LOADING)) {
        cmd->rejected_calls++;
        reply_error(c, "LOADING Redis is loading the dataset in memory");
        return;
    }
    call_command(c, cmd, argc, argv);
}

/* A logged command replayed by a module (append-only file loading): run
 * without a client so replies go nowhere and nothing blocks, and without
 * propagation, since the log it comes from already holds it. */
int dblite_call_replay(dblite_ctx *ctx, int argc, const dblite_bytes *argv) {
    if (argc < 1) return DBLITE_ERR_INVALID;
    command *cmd = command_lookup(argv[0].ptr, argv[0].len);
    if (!cmd) return DBLITE_ERR_NOTFOUND;
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity || !(cmd->flags & COMMAND_WRITE))
        return DBLITE_ERR_INVALID;
    dblite_ctx inner;
    ctx_init(&inner, NULL, ctx->db);
    inner.command = cmd;
    inner.module = cmd->owner;
    inner.flags = CTX_NO_REPLY | CTX_CANNOT_BLOCK;
    inner.argc = argc;
    inner.argv = argv;
    long long errors_before = server.stats.command_errors;
    update_cached_time();
    cmd->handler(&inner, argc, argv);
    int failed = server.stats.command_errors != errors_before;
    ctx_finish(&inner);
    blocking_handle_ready_keys();
    return failed ? DBLITE_ERR : DBLITE_OK;
}

int dblite_ctx_argument_is_integer(const dblite_ctx *ctx, int index) {
    client *c = ctx->client;
    if (!c || !c->dialect || index < 0 || index >= ctx->argc || ctx->argv != c->parser.argv) return 0;
    return c->parser.argument_is_integer && c->parser.argument_is_integer[index];
}

const char *dblite_ctx_dialect(const dblite_ctx *ctx) {
    return ctx->client && ctx->client->dialect ? ctx->client->dialect->name : NULL;
}

const char *dblite_ctx_command_name(const dblite_ctx *ctx) { return ctx->command ? ctx->command->name : NULL; }
int dblite_ctx_cannot_block(const dblite_ctx *ctx) { return (ctx->flags & CTX_CANNOT_BLOCK) || !ctx->client || ctx->client->fd < 0; }
