/*
 * transaction.c - MULTI, EXEC, DISCARD, WATCH and UNWATCH, as Redis 7.0's
 * multi.c.
 *
 * In MULTI, dispatch.c hands each request that passed its checks to
 * transaction_queue_request, which copies it (the parser's buffer is
 * transient) and answers +QUEUED; a request rejected by those checks flags
 * the transaction (transaction_flag_error) and EXEC then answers EXECABORT.
 * EXEC runs the queued commands each nested in EXEC's own context
 * (context.c's design): they reply into one array, cannot block (BLPOP
 * answers as LPOP would with nothing to pop) and what they propagate
 * goes out together when EXEC's context ends.  The watches themselves are
 * watch.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "core_commands.h"
#include "transaction.h"

static void queued_command_free(queued_command *q)
{
    server_free(q->argv); /* one block: the array and the bytes after it */
}

static void discard_queue(client *c)
{
    transaction_state *state = c->transaction;
    if (state) {
        for (size_t i = 0; i < state->queued.length; i++)
            queued_command_free(&state->queued.items[i]);
        state->queued.length = 0;
    }
}

/* Redis's discardTransaction: the queue, the flags and the watches go. */
static void discard_transaction(client *c)
{
    discard_queue(c);
    c->flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_CAS | CLIENT_DIRTY_EXEC);
    unwatch_all_keys(c);
}

void transaction_client_reset(client *c)
{
    discard_transaction(c);
}

void transaction_client_free(client *c)
{
    transaction_state *state = c->transaction;
    if (!state)
        return;
    discard_transaction(c);
    free(state->queued.items); /* ARRAY_OF storage: array_grow's realloc, uncounted */
    free(state->watched.items);
    server_free(state);
    c->transaction = NULL;
}

long long transaction_queued_count(const client *c)
{
    if (!(c->flags & CLIENT_MULTI))
        return -1;
    return c->transaction ? (long long)c->transaction->queued.length : 0;
}

size_t transaction_memory(const client *c)
{
    const transaction_state *state = c->transaction;
    if (!state)
        return 0;
    size_t bytes = state->queued.length * sizeof(queued_command);
    for (size_t i = 0; i < state->queued.length; i++) {
        const queued_command *q = &state->queued.items[i];
        bytes += sizeof(dblite_bytes) * (size_t)q->argc;
        for (int a = 0; a < q->argc; a++)
            bytes += q->argv[a].len + 1;
    }
    return bytes;
}

void transaction_flag_error(client *c)
{
    if (c->flags & CLIENT_MULTI)
        c->flags |= CLIENT_DIRTY_EXEC;
}

int transaction_queue_request(client *c, const command *cmd, int argc, const dblite_bytes *argv)
{
    if (!(c->flags & CLIENT_MULTI) || cmd->handler == command_exec ||
        cmd->handler == command_discard || cmd->handler == command_multi ||
        cmd->handler == command_watch || cmd->handler == command_quit ||
        strcmp(cmd->name, "reset") == 0)
        return 0;
    /* An aborted transaction keeps nothing: EXEC will not run it (Redis's
     * queueMultiCommand), a pipeline past the abort costs no memory. */
    if (c->flags & (CLIENT_DIRTY_CAS | CLIENT_DIRTY_EXEC)) {
        reply_simple(c, "QUEUED");
        return 1;
    }
    transaction_state *state = transaction_state_of(c);
    size_t bytes = sizeof(dblite_bytes) * (size_t)argc;
    for (int i = 0; i < argc; i++)
        bytes += argv[i].len + 1;
    dblite_bytes *copy = state ? server_alloc(bytes) : NULL;
    queued_command q = {.cmd = cmd, .argc = argc, .argv = copy};
    if (!copy || ARRAY_PUSH(state->queued, q) != 0) {
        server_free(copy);
        c->flags |= CLIENT_DIRTY_EXEC;
        reply_error(c, "ERR out of memory");
        return 1;
    }
    char *data = (char *)(copy + argc);
    for (int i = 0; i < argc; i++) {
        memcpy(data, argv[i].ptr, argv[i].len);
        data[argv[i].len] = '\0';
        copy[i] = (dblite_bytes){data, argv[i].len};
        data += argv[i].len + 1;
    }
    reply_simple(c, "QUEUED");
    return 1;
}

/* Whether EXEC would write: a write gate (MISCONF) refuses such an EXEC, as
 * Redis counts EXEC as a write when a queued command is one. */
int transaction_queues_write(const client *c)
{
    if (!(c->flags & CLIENT_MULTI) || !c->transaction)
        return 0;
    for (size_t i = 0; i < c->transaction->queued.length; i++)
        if (c->transaction->queued.items[i].cmd->flags & COMMAND_WRITE)
            return 1;
    return 0;
}

/* Redis's execCommandAbort: EXEC itself was rejected (arity, MISCONF).
 * Redis's own rejection texts carry no "ERR " (addReplyError adds it), so
 * it is left out of the reason; a code like MISCONF stays. */
void transaction_abort_exec(client *c, const char *error)
{
    discard_transaction(c);
    if (strncmp(error, "ERR ", 4) == 0)
        error += 4;
    char message[600];
    snprintf(message, sizeof(message), "EXECABORT Transaction discarded because of: %s", error);
    reply_error(c, message);
}

HANDLER(command_multi)
{
    (void)argc;
    (void)argv;
    client *c = ctx->client;
    if (!c)
        return;
    if (c->flags & CLIENT_MULTI) {
        dblite_reply_error(ctx, "ERR MULTI calls can not be nested");
        return;
    }
    if (!transaction_state_of(c)) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    c->flags |= CLIENT_MULTI;
    dblite_reply_ok(ctx);
}

HANDLER(command_discard)
{
    (void)argc;
    (void)argv;
    client *c = ctx->client;
    if (!c || !(c->flags & CLIENT_MULTI)) {
        dblite_reply_error(ctx, "ERR DISCARD without MULTI");
        return;
    }
    discard_transaction(c);
    dblite_reply_ok(ctx);
}

HANDLER(command_exec)
{
    (void)argc;
    (void)argv;
    client *c = ctx->client;
    if (!c || !(c->flags & CLIENT_MULTI)) {
        dblite_reply_error(ctx, "ERR EXEC without MULTI");
        return;
    }
    /* A watched key expired since WATCH fails EXEC without being deleted
     * here (Redis 7.0's isWatchedKeyExpired): its DEL propagates when
     * expiry or an access removes it, as any other. */
    if (!(c->flags & CLIENT_DIRTY_CAS) && watched_key_expired(ctx, c))
        c->flags |= CLIENT_DIRTY_CAS;
    if (c->flags & (CLIENT_DIRTY_CAS | CLIENT_DIRTY_EXEC)) {
        if (c->flags & CLIENT_DIRTY_EXEC)
            dblite_reply_error(ctx, "EXECABORT Transaction discarded because of previous errors.");
        else
            reply_null_array(c);
        discard_transaction(c);
        return;
    }
    unwatch_all_keys(c);
    transaction_state *state = c->transaction;
    /* The queue is taken out of the state: a queued MULTI/EXEC cannot
     * exist, but the commands run may touch the state (UNWATCH). */
    queued_command *queued = state->queued.items;
    size_t count = state->queued.length;
    state->queued.items = NULL;
    state->queued.length = state->queued.capacity = 0;
    c->flags &= ~CLIENT_MULTI;
    ctx->flags |= CTX_WRAPS_MULTI; /* what they propagate goes out as MULTI ... EXEC */
    reply_aggregate(c, '*', (long long)count);
    for (size_t i = 0; i < count; i++) {
        dblite_ctx inner;
        context_begin(&inner, ctx, c, c->db, queued[i].cmd, CTX_CANNOT_BLOCK | CTX_IN_TRANSACTION);
        (void)context_run_command(&inner, queued[i].argc, queued[i].argv);
        (void)context_end(&inner);
    }
    for (size_t i = 0; i < count; i++)
        queued_command_free(&queued[i]);
    free(queued); /* the ARRAY_OF storage taken out of the state */
    discard_transaction(c);
}

HANDLER(command_watch)
{
    client *c = ctx->client;
    if (!c)
        return;
    if (c->flags & CLIENT_MULTI) {
        dblite_reply_error(ctx, "ERR WATCH inside MULTI is not allowed");
        return;
    }
    /* No point in watching if the client is already dirty (Redis 7.0). */
    if (c->flags & CLIENT_DIRTY_CAS) {
        dblite_reply_ok(ctx);
        return;
    }
    for (int i = 1; i < argc; i++) {
        /* No lookup, as Redis's watchForKey: a key already dead stays
         * until expiry removes it, flagged expired at WATCH. */
        if (watch_key(ctx, c, c->db, argv[i].ptr, argv[i].len) != DBLITE_OK) {
            dblite_reply_error(ctx, "ERR out of memory");
            return;
        }
    }
    dblite_reply_ok(ctx);
}

HANDLER(command_unwatch)
{
    (void)argc;
    (void)argv;
    client *c = ctx->client;
    if (c) {
        unwatch_all_keys(c);
        c->flags &= ~CLIENT_DIRTY_CAS;
    }
    dblite_reply_ok(ctx);
}

int dblite_ctx_in_transaction(const dblite_ctx *ctx)
{
    return (ctx->flags & CTX_IN_TRANSACTION) != 0;
}
