/*
 * context.c - running commands and callbacks in contexts, and sending out
 * what they propagated.
 *
 * Everything the core runs on behalf of someone runs between context_begin
 * and context_end (context.h), and nowhere else:
 *
 *   a client's request        dispatch.c    own context, the client's db
 *   a served blocked client   blocking.c    own context, the db it waits in
 *   a block's timeout         blocking.c    own context
 *   a module timer            module_api.c  own context, no client, db 0
 *   a hook fired outside      database.c    own context, CTX_KEEPS_CLOCK
 *     any command (STARTED, BEFORE_SLEEP, SHUTDOWN, INFO's counts)
 *   a replayed log command    dispatch.c    nested in the loader's context,
 *                                           CTX_REPLAY
 *
 * Hooks fired by a command (a key lookup, a delete) run in that command's
 * context, so what they propagate (the DEL of an expired key) rides with it.
 *
 * Propagation.  A context collects, in order, what is propagated while it
 * runs: each dblite_propagate_extra, then, when it ends, its own command -
 * the replacement given to dblite_propagate_replace, else the arguments of
 * a write command - but only if the dataset changed (server.dirty moved)
 * since it began.  When a context of its own ends, that list goes to the
 * subscribers (the append-only log, replication) at once.  When a nested
 * context ends, the list is appended to its parent's: it goes out when the
 * parent ends, after what the parent propagated before it and before the
 * parent's own command.  So only the outermost context ever talks to the
 * subscribers, and whatever ran inside it reaches them as one ordered run.
 * One shortcut keeps that order: a context of its own that runs no command
 * (a timer, a hook fired outside a command) has nothing of its own to send
 * after its extras, so each goes out at once, uncopied, and so does each
 * nested context's run when it ends.  Active expiry deletes thousands of
 * keys in one timer run, and persistence, which ignores what is propagated
 * while it loads, sees a STARTED handler's commands while it still loads.
 *
 * Nesting is explicit: a context is nested only when begun with a parent.
 * One begun while another is running but without a parent (a client served
 * from inside a long load, a timer firing there) is a unit of its own.  A
 * nested context cannot block (its parent could not wait for it), keeps its
 * parent's clock (one instant for the whole unit, as Redis keeps one for
 * a transaction or a script) and inherits CTX_NO_PROPAGATE.
 *
 * What the next features do with it, unchanged:
 *   MULTI/EXEC - EXEC runs in its client's context; each queued command
 *     runs nested in it (context_begin with EXEC's ctx as parent,
 *     context_run_command, context_end).  Their commands collect in EXEC's
 *     list in order and go out together when EXEC's context ends; wrapping
 *     them in MULTI ... EXEC is one more step of send_propagated, chosen by
 *     a flag on EXEC's context (CTX_WRAPS_MULTI), taken when more than one
 *     command goes out.  EXEC, not a write, adds nothing of its own.
 *   Scripts calling commands - the same, with the script's command as the
 *     parent: what the script ran propagates, in order, as its effects.
 *   Replication of effects - a replica is one more subscriber; it already
 *     receives effects (replacements, extras, nested commands), never the
 *     commands that produced them.
 *
 * Blocked clients.  Keys made ready while a context runs are offered to
 * their waiters when the outermost context ends, after its propagation, so
 * a served pop follows the push that served it (and EXEC's commands all run
 * before anyone is served).  Each waiter's callback runs in a context of its
 * own; blocking.c keeps that from serving recursively.
 *
 * Cost.  A context lives on its caller's stack and allocates nothing unless
 * an extra or a replacement is propagated; a client's command propagates
 * its own arguments without copying them.  The clock is read once per
 * context of its own, as each caller did before.  A client's request takes
 * context_call, the three steps inlined into one function as call_command
 * was.
 */
#include <stdlib.h>

#include "context.h"
#include "monitor.h"

/* The three steps are written once, here, and inlined both into their
 * public functions below and into context_call, the path every client
 * request takes: one call instead of three per request. */
#define HOT static inline __attribute__((always_inline))

HOT void begin(dblite_ctx *ctx, dblite_ctx *parent, client *c, database *db, const command *cmd,
               int flags)
{
    if (parent)
        flags |= CTX_CANNOT_BLOCK | CTX_KEEPS_CLOCK |
                 (parent->flags & (CTX_NO_PROPAGATE | CTX_NO_NOTIFY));
    /* Field by field: every request begins one, and a compound literal
     * costs a zeroed copy on top of these stores. */
    ctx->client = c;
    ctx->db = db;
    ctx->command = cmd;
    ctx->module = cmd ? cmd->owner : NULL;
    ctx->flags = flags;
    ctx->argc = 0;
    ctx->argv = NULL;
    ctx->parent = parent;
    ctx->dirty_at_begin = server.dirty;
    ctx->db_at_begin = db ? db->id : 0;
    ctx->replacement = NULL;
    ctx->propagated.items = NULL;
    ctx->propagated.length = ctx->propagated.capacity = 0;
    if (!(flags & CTX_KEEPS_CLOCK))
        update_cached_time();
}

HOT int run_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    command *cmd = (command *)ctx->command;
    client *c = ctx->client;
    ctx->argc = argc;
    ctx->argv = argv;
    ctx->errors_before = server.stats.command_errors;
    if (ctx->flags & CTX_UNCOUNTED) {
        cmd->handler(ctx, argc, argv);
        if (ctx->parent)
            ctx->parent->errors_before = server.stats.command_errors;
        return server.stats.command_errors != ctx->errors_before ? DBLITE_ERR : DBLITE_OK;
    }
    int64_t started = monotonic_us();
    /* The arguments may point into c's query buffer: its reads wait until
     * the outermost command using them returns (client_read_handler). */
    unsigned already_in_call = c ? c->flags & CLIENT_IN_CALL : 0;
    if (c)
        c->flags |= CLIENT_IN_CALL;
    cmd->handler(ctx, argc, argv);
    if (c && !already_in_call)
        c->flags &= ~CLIENT_IN_CALL;
    if (c && server.monitors.length)
        monitor_feed(c, cmd, argc, argv); /* after the call, as Redis (monitor.c) */
    cmd->microseconds += monotonic_us() - started;
    cmd->calls++;
    int failed = server.stats.command_errors != ctx->errors_before;
    /* A nested command's errors are its own, not its parent's (Redis's
     * incrCommandStatsOnError keeps the count of the last call). */
    if (ctx->parent)
        ctx->parent->errors_before = server.stats.command_errors;
    if (failed)
        cmd->failed_calls++;
    server.stats.commands_processed++;
    if (c)
        c->last_command = cmd;

    if (server.tracking) /* client-side caching: keys read, own invalidations */
        tracking_after_command(ctx);
    return failed ? DBLITE_ERR : DBLITE_OK;
}

/* ---- what a context propagated ---- */

static void propagate(int db, int argc, const dblite_bytes *argv)
{
    for (size_t i = 0; i < server.propagation_subscribers.length; i++) {
        propagation_subscriber *s = &server.propagation_subscribers.items[i];
        s->fn(db, argc, argv, s->privdata);
    }
}

static void propagated_free(propagated_command *p)
{
    for (int i = 0; i < p->argc; i++)
        server_free((void *)p->argv[i].ptr);
    server_free(p->argv);
    p->argv = NULL;
    p->argc = 0;
}

static int propagated_copy(propagated_command *out, int argc, const dblite_bytes *argv)
{
    out->argc = 0;
    out->argv = server_alloc(sizeof(dblite_bytes) * (size_t)(argc > 0 ? argc : 1));
    if (!out->argv)
        return DBLITE_ERR_NOMEM;
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

static void replacement_free(dblite_ctx *ctx)
{
    if (!ctx->replacement)
        return;
    propagated_free(ctx->replacement);
    server_free(ctx->replacement);
    ctx->replacement = NULL;
}

int dblite_propagate_replace(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (server.propagation_subscribers.length == 0 || (ctx->flags & CTX_NO_PROPAGATE))
        return DBLITE_OK;
    propagated_command *replacement = server_alloc(sizeof(*replacement));
    if (!replacement)
        return DBLITE_ERR_NOMEM;
    if (propagated_copy(replacement, argc, argv) != DBLITE_OK) {
        server_free(replacement);
        return DBLITE_ERR_NOMEM;
    }
    replacement_free(ctx);
    ctx->replacement = replacement;
    return DBLITE_OK;
}

/* A context of its own without a command: what it propagates goes out at
 * once (see the top of the file). */
static int sends_at_once(const dblite_ctx *ctx)
{
    return !ctx->command && !ctx->parent;
}

int dblite_propagate_extra(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (server.propagation_subscribers.length == 0 || (ctx->flags & CTX_NO_PROPAGATE))
        return DBLITE_OK;
    if (sends_at_once(ctx)) {
        propagate(ctx->db ? ctx->db->id : 0, argc, argv);
        return DBLITE_OK;
    }
    propagated_command extra;
    if (propagated_copy(&extra, argc, argv) != DBLITE_OK)
        return DBLITE_ERR_NOMEM;
    /* A hook may run in another database than the client's (COPY's target). */
    extra.db = ctx->db ? ctx->db->id : 0;
    if (ARRAY_PUSH(ctx->propagated, extra) != 0) {
        propagated_free(&extra);
        return DBLITE_ERR_NOMEM;
    }
    return DBLITE_OK;
}

/* The context's own command as it is propagated, into argc and argv; 0 when
 * it has none: it changed nothing, is not a write, or (a timer, a served
 * client) ran no arguments of its own and asked for no replacement. */
static int own_command(const dblite_ctx *ctx, int *argc, const dblite_bytes **argv)
{
    if (server.dirty == ctx->dirty_at_begin)
        return 0;
    if (ctx->command && !(ctx->command->flags & COMMAND_WRITE))
        return 0;
    if (ctx->flags & CTX_PROPAGATED_BY_PARENT)
        return 0; /* dblite_call's rule (call.c): its caller propagates itself */
    if (ctx->replacement) {
        *argc = ctx->replacement->argc;
        *argv = ctx->replacement->argv;
        return 1;
    }
    *argc = ctx->argc;
    *argv = ctx->argv;
    return ctx->argc > 0;
}

/* EXEC's context (CTX_WRAPS_MULTI) sends its commands' run between MULTI
 * and EXEC when it holds more than one command, as Redis 7.0's
 * propagatePendingCommands: a single command goes out alone, a read-only
 * transaction sends nothing.  MULTI goes out in the first command's
 * database and EXEC in the last's, so neither makes the log SELECT. */
static void send_propagated(dblite_ctx *ctx)
{
    static const dblite_bytes multi[] = {{"MULTI", 5}};
    static const dblite_bytes exec[] = {{"EXEC", 4}};
    int argc;
    const dblite_bytes *argv;
    int has_own = own_command(ctx, &argc, &argv);
    int wrapped = (ctx->flags & CTX_WRAPS_MULTI) && ctx->propagated.length + (size_t)has_own > 1;
    if (wrapped)
        propagate(ctx->propagated.items[0].db, 1, multi);
    for (size_t i = 0; i < ctx->propagated.length; i++) {
        propagated_command *p = &ctx->propagated.items[i];
        propagate(p->db, p->argc, p->argv);
    }
    if (has_own)
        propagate(ctx->db_at_begin, argc, argv);
    if (wrapped)
        propagate(has_own ? ctx->db_at_begin : ctx->propagated.items[ctx->propagated.length - 1].db,
                  1, exec);
}

/* Moves ctx's list, then its own command, to the end of its parent's.  The
 * own command is copied unless it is a replacement (its arguments belong to
 * whoever runs the nested command). */
static int hand_to_parent(dblite_ctx *ctx)
{
    dblite_ctx *parent = ctx->parent;
    int argc;
    const dblite_bytes *argv;
    int has_own = own_command(ctx, &argc, &argv);
    size_t wanted = parent->propagated.length + ctx->propagated.length + (size_t)has_own;
    if (array_grow((void **)&parent->propagated.items, &parent->propagated.capacity,
                   sizeof(*parent->propagated.items), wanted) != 0)
        return DBLITE_ERR_NOMEM;
    for (size_t i = 0; i < ctx->propagated.length; i++)
        parent->propagated.items[parent->propagated.length++] = ctx->propagated.items[i];
    ctx->propagated.length = 0; /* the parent owns them now */
    if (!has_own)
        return DBLITE_OK;
    propagated_command own;
    if (ctx->replacement) {
        own = *ctx->replacement;
        server_free(ctx->replacement);
        ctx->replacement = NULL;
    } else if (propagated_copy(&own, argc, argv) != DBLITE_OK) {
        return DBLITE_ERR_NOMEM;
    }
    own.db = ctx->db_at_begin;
    parent->propagated.items[parent->propagated.length++] = own;
    return DBLITE_OK;
}

/* Out of the way of context_end: most commands have nothing to release. */
static void release_propagated(dblite_ctx *ctx)
{
    replacement_free(ctx);
    for (size_t i = 0; i < ctx->propagated.length; i++)
        propagated_free(&ctx->propagated.items[i]);
    free(ctx->propagated.items);
    ctx->propagated.items = NULL;
    ctx->propagated.length = ctx->propagated.capacity = 0;
}

HOT int end(dblite_ctx *ctx)
{
    int status = DBLITE_OK;
    if (server.propagation_subscribers.length > 0 && !(ctx->flags & CTX_NO_PROPAGATE)) {
        if (!ctx->parent || sends_at_once(ctx->parent)) {
            send_propagated(ctx);
        } else if ((status = hand_to_parent(ctx)) != DBLITE_OK) {
            server_log(LOG_WARNING,
                       "out of memory propagating '%s': the append only file and replicas miss it",
                       ctx->command ? ctx->command->name : "a nested call");
        }
    }
    if (ctx->replacement || ctx->propagated.items)
        release_propagated(ctx);
    if (!ctx->parent)
        blocking_handle_ready_keys();
    return status;
}

/* ---- the API (context.h) ---- */

void context_begin(dblite_ctx *ctx, dblite_ctx *parent, client *c, database *db, const command *cmd,
                   int flags)
{
    begin(ctx, parent, c, db, cmd, flags);
}

int context_run_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    return run_command(ctx, argc, argv);
}

int context_end(dblite_ctx *ctx)
{
    return end(ctx);
}

void context_call(client *c, const command *cmd, int argc, const dblite_bytes *argv)
{
    dblite_ctx ctx;
    begin(&ctx, NULL, c, c->db, cmd, 0);
    (void)run_command(&ctx, argc, argv);
    (void)end(&ctx);
}
