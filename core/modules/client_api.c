/*
 * client_api.c - what a module may do with a client other than the one it
 * replies to (API 6): name it by an opaque handle, keep its own state for
 * it (freed by the core when the client goes or is RESET, which is what
 * keeps handles from dangling), write messages on its output through the
 * ordinary reply path, and put it in a mode that restricts its commands
 * (subscribed mode).  pubsub.so is the first user; plugins may use it too.
 */
#include <stdio.h>
#include <string.h>

#include "server.h"

/* One module's pointer for a client; the client's list is short (one entry
 * per module that keeps state), so a linked list is enough. */
typedef struct client_module_state {
    const module *owner;
    void *state;
    dblite_data_free_fn free_fn;
    struct client_module_state *next;
} client_module_state;

dblite_client *dblite_ctx_client(const dblite_ctx *ctx)
{
    return (dblite_client *)ctx->client;
}

unsigned long long dblite_client_id(const dblite_client *handle)
{
    return ((const client *)handle)->id;
}

int dblite_client_protocol(const dblite_client *handle)
{
    return ((const client *)handle)->protocol;
}

int dblite_client_set_state(dblite_module *owner, dblite_client *handle, void *state,
                            dblite_data_free_fn free_fn)
{
    client *c = (client *)handle;
    client_module_state **link = &c->module_state;
    while (*link && (*link)->owner != owner)
        link = &(*link)->next;
    if (!state) {
        if (*link) {
            client_module_state *gone = *link;
            *link = gone->next;
            server_free(gone);
        }
        return DBLITE_OK;
    }
    if (!*link) {
        client_module_state *entry = server_calloc(sizeof *entry);
        if (!entry)
            return DBLITE_ERR_NOMEM;
        entry->owner = owner;
        *link = entry;
    }
    (*link)->state = state;
    (*link)->free_fn = free_fn;
    return DBLITE_OK;
}

void *dblite_client_get_state(const dblite_module *owner, const dblite_client *handle)
{
    for (client_module_state *entry = ((const client *)handle)->module_state; entry;
         entry = entry->next)
        if (entry->owner == owner)
            return entry->state;
    return NULL;
}

void client_module_state_reset(client *c)
{
    /* Detached first: a free callback that looks the state up finds none. */
    client_module_state *entry = c->module_state;
    c->module_state = NULL;
    while (entry) {
        client_module_state *next = entry->next;
        if (entry->free_fn)
            entry->free_fn(entry->state);
        server_free(entry);
        entry = next;
    }
    c->mode = NULL;
    c->flags &= ~CLIENT_PUBSUB;
    memset(c->subscription_counts, 0, sizeof c->subscription_counts);
}

void dblite_client_set_subscription_counts(dblite_client *handle, long long channels,
                                           long long patterns, long long shard_channels)
{
    client *c = (client *)handle;
    c->subscription_counts[0] = channels;
    c->subscription_counts[1] = patterns;
    c->subscription_counts[2] = shard_channels;
}

void dblite_client_deliver(dblite_client *target, dblite_deliver_fn fn, void *privdata)
{
    client *c = (client *)target;
    if (!c || (c->flags & CLIENT_CLOSE_ASAP))
        return;
    /* A bare context: only replies are meaningful in it, nothing to end. */
    dblite_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.client = c;
    ctx.db = c->db;
    ctx.flags = CTX_CANNOT_BLOCK | CTX_NO_PROPAGATE | CTX_UNCOUNTED | CTX_KEEPS_CLOCK;
    unsigned pushing_before = c->flags & CLIENT_PUSHING;
    fn(&ctx, privdata);
    /* A push written here ends with the delivery; the target's own
     * command, if it is running, goes on as it was. */
    c->flags = (c->flags & ~CLIENT_PUSHING) | pushing_before;
}

/* As Redis's CLIENT_PUSHING (set around its pubsub and tracking replies),
 * a push passes CLIENT REPLY OFF/SKIP: the flag lasts until the end of the
 * delivery, or of the command writing it (client_request_done). */
void dblite_reply_push(dblite_ctx *ctx, long long count)
{
    if (ctx->client)
        ctx->client->flags |= CLIENT_PUSHING;
    reply_aggregate(ctx->client, '>', count);
}

void dblite_client_set_mode(dblite_client *handle, const dblite_client_mode *mode)
{
    client *c = (client *)handle;
    c->mode = mode;
    if (mode && (mode->flags & DBLITE_MODE_PUBSUB))
        c->flags |= CLIENT_PUBSUB;
    else
        c->flags &= ~CLIENT_PUBSUB;
}

/* Redis 7.0's container commands: its errors name "client|id", not "client". */
static int has_subcommands(const char *name)
{
    static const char *const containers[] = {"acl",      "client",  "cluster", "command", "config",
                                             "function", "latency", "memory",  "module",  "object",
                                             "pubsub",   "script",  "slowlog", "xgroup",  "xinfo"};
    for (size_t i = 0; i < sizeof containers / sizeof *containers; i++)
        if (strcmp(name, containers[i]) == 0)
            return 1;
    return 0;
}

int client_mode_refuses(const client *c, const char *cmd_name, int argc, const dblite_bytes *argv,
                        char *error, size_t size)
{
    const dblite_client_mode *mode = c->mode;
    if (!mode || (c->protocol >= 3 && !(mode->flags & DBLITE_MODE_ALL_PROTOCOLS)))
        return 0;
    if (mode->allows && mode->allows(cmd_name))
        return 0;
    char full_name[160];
    if (argc >= 2 && has_subcommands(cmd_name)) {
        size_t used = (size_t)snprintf(full_name, sizeof full_name, "%s|", cmd_name);
        for (size_t i = 0; i < argv[1].len && used + 1 < sizeof full_name; i++) {
            char letter = argv[1].ptr[i];
            full_name[used++] = (char)(letter >= 'A' && letter <= 'Z' ? letter + 32 : letter);
        }
        full_name[used] = '\0';
    } else {
        snprintf(full_name, sizeof full_name, "%s", cmd_name);
    }
    snprintf(error, size, mode->error ? mode->error : "ERR Can't execute '%s' in this mode",
             full_name);
    return 1;
}
