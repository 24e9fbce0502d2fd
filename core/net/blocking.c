/*
 * blocking.c - clients blocked on keys (BLPOP and friends), served in FIFO
 * order when another command makes a key ready, or answered on timeout.
 *
 * Each database has a table key -> FIFO of waiters.  A write that may make a
 * key ready (any store, or a module's signal) queues the key; after the
 * command, the ready keys' waiters are offered the key in order through
 * their module's callback, which replies and unblocks or keeps waiting.
 * Callbacks run in contexts of their own (context.c), like any command; a
 * client whose block ended goes back to the client layer, which runs its
 * next pipelined requests (client_unblocked).  Nothing here costs anything
 * while no client is blocked.
 */
#include <stdlib.h>
#include <string.h>

#include "commands/context.h"

typedef struct wait_node {
    client *client;
    struct wait_list *list;
    struct wait_node *prev, *next;
} wait_node;

typedef struct wait_list {
    wait_node *head, *tail;
    int ready_queued;
} wait_list;

typedef struct blocked_state {
    int db;
    int nkeys;
    dblite_bytes *keys; /* owned copies */
    wait_node *nodes;   /* one per key */
    dblite_unblock_fn on_ready;
    dblite_timeout_fn on_timeout;
    dblite_block_free_fn free_privdata;
    void *privdata;
    uint64_t timer;
    const command *command;
} blocked_state;

typedef struct ready_key {
    int db;
    char *key;
    size_t length;
} ready_key;

typedef struct blocking_state {
    keytable **waiting; /* per database */
    ARRAY_OF(ready_key) ready;
    long long blocked_count;
    int serving; /* inside blocking_handle_ready_keys */
} blocking_state;

int blocking_init(void)
{
    blocking_state *state = server_calloc(sizeof(*state));
    if (!state)
        return DBLITE_ERR_NOMEM;
    state->waiting = server_calloc(sizeof(keytable *) * (size_t)server.database_count);
    if (!state->waiting) {
        server_free(state);
        return DBLITE_ERR_NOMEM;
    }
    for (int i = 0; i < server.database_count; i++) {
        state->waiting[i] = keytable_create(server.hash_seed[0], server.hash_seed[1]);
        if (!state->waiting[i])
            return DBLITE_ERR_NOMEM;
    }
    server.blocking = state;
    return DBLITE_OK;
}

void blocking_free(void)
{
    blocking_state *state = server.blocking;
    if (!state)
        return;
    for (int i = 0; i < server.database_count; i++)
        if (state->waiting[i])
            keytable_destroy(state->waiting[i], NULL, NULL);
    server_free(state->waiting);
    for (size_t i = 0; i < state->ready.length; i++)
        server_free(state->ready.items[i].key);
    free(state->ready.items);
    server_free(state);
    server.blocking = NULL;
}

long long blocked_client_count(void)
{
    return server.blocking ? server.blocking->blocked_count : 0;
}

void signal_key_ready(database *db, const char *key, size_t length)
{
    blocking_state *state = server.blocking;
    if (!state || state->blocked_count == 0)
        return;
    keytable_entry *entry = keytable_find(state->waiting[db->id], key, length);
    if (!entry)
        return;
    wait_list *list = entry->value;
    if (list->ready_queued)
        return;
    ready_key ready = {db->id, server_strndup(key, length), length};
    if (!ready.key)
        return; /* the waiter keeps waiting until the next signal */
    if (ARRAY_PUSH(state->ready, ready) != 0) {
        server_free(ready.key);
        return;
    }
    list->ready_queued = 1;
}

/* After SWAPDB a waited-for key may exist in db with new contents: each key
 * waited on there that now holds a value is signalled, as Redis does, and
 * the waiters' callbacks decide (a value of another type serves nobody). */
void signal_database_ready(database *db)
{
    blocking_state *state = server.blocking;
    if (!state || state->blocked_count == 0)
        return;
    keytable_iterator iterator;
    keytable_iterator_init(&iterator, state->waiting[db->id]);
    keytable_entry *waited;
    while ((waited = keytable_iterator_next(&iterator)) != NULL)
        if (keytable_find(db->keys, waited->key, waited->key_length))
            signal_key_ready(db, waited->key, waited->key_length);
    keytable_iterator_finish(&iterator);
}

/* Take the client off every key it waits on and release its state; with
 * resume, hand it back to the client layer to run what it sent since. */
static void unblock(client *c, int resume)
{
    blocking_state *state = server.blocking;
    blocked_state *bs = c->blocked;
    if (!bs)
        return;
    for (int i = 0; i < bs->nkeys; i++) {
        wait_node *node = &bs->nodes[i];
        wait_list *list = node->list;
        if (!list)
            continue;
        if (node->prev)
            node->prev->next = node->next;
        else
            list->head = node->next;
        if (node->next)
            node->next->prev = node->prev;
        else
            list->tail = node->prev;
        if (!list->head) {
            keytable_entry *entry =
                keytable_remove(state->waiting[bs->db], bs->keys[i].ptr, bs->keys[i].len);
            if (entry)
                keytable_entry_free(entry);
            server_free(list);
        }
    }
    if (bs->timer)
        event_remove_timer(server.loop, bs->timer);
    if (bs->free_privdata)
        bs->free_privdata(bs->privdata);
    for (int i = 0; i < bs->nkeys; i++)
        server_free((void *)bs->keys[i].ptr);
    server_free(bs->keys);
    server_free(bs->nodes);
    server_free(bs);
    c->blocked = NULL;
    c->flags &= ~CLIENT_BLOCKED;
    state->blocked_count--;
    if (resume) {
        client_request_done(c);
        client_unblocked(c);
    }
}

void blocking_client_gone(client *c)
{
    unblock(c, 0);
}

static long long block_timeout(event_loop *loop, uint64_t id, void *privdata)
{
    (void)loop, (void)id;
    client *c = privdata;
    blocked_state *bs = c->blocked;
    if (!bs)
        return -1;
    bs->timer = 0; /* this timer ends by returning -1 */
    dblite_ctx ctx;
    context_begin(&ctx, NULL, c, &server.databases[bs->db], bs->command, 0);
    bs->on_timeout(&ctx, bs->privdata);
    /* Before the context ends: it serves ready keys, and this client has
     * had its answer. */
    unblock(c, 1);
    (void)context_end(&ctx);
    return -1;
}

int dblite_block_on_keys(dblite_ctx *ctx, int nkeys, const dblite_bytes *keys, long long timeout_ms,
                         dblite_unblock_fn on_ready, dblite_timeout_fn on_timeout,
                         dblite_block_free_fn free_privdata, void *privdata)
{
    client *c = ctx->client;
    if (dblite_ctx_cannot_block(ctx) || nkeys <= 0 || !on_ready || !on_timeout || (c && c->blocked))
        return DBLITE_ERR_INVALID;
    blocking_state *state = server.blocking;
    blocked_state *bs = server_calloc(sizeof(*bs));
    if (!bs)
        return DBLITE_ERR_NOMEM;
    bs->keys = server_calloc(sizeof(dblite_bytes) * (size_t)nkeys);
    bs->nodes = server_calloc(sizeof(wait_node) * (size_t)nkeys);
    if (!bs->keys || !bs->nodes)
        goto out_of_memory;
    bs->db = ctx->db->id;
    bs->on_ready = on_ready;
    bs->on_timeout = on_timeout;
    bs->free_privdata = free_privdata;
    bs->privdata = privdata;
    bs->command = ctx->command;
    c->blocked = bs;
    c->flags |= CLIENT_BLOCKED;
    state->blocked_count++;
    for (int i = 0; i < nkeys; i++) {
        /* A key named twice waits once. */
        int duplicate = 0;
        for (int j = 0; j < bs->nkeys; j++)
            if (bs->keys[j].len == keys[i].len &&
                memcmp(bs->keys[j].ptr, keys[i].ptr, keys[i].len) == 0)
                duplicate = 1;
        if (duplicate)
            continue;
        char *copy = server_strndup(keys[i].ptr, keys[i].len);
        int created;
        keytable_entry *entry =
            copy ? keytable_insert(state->waiting[bs->db], keys[i].ptr, keys[i].len, &created)
                 : NULL;
        if (!entry) {
            server_free(copy);
            goto out_of_memory_blocked;
        }
        if (created) {
            entry->value = server_calloc(sizeof(wait_list));
            if (!entry->value) {
                keytable_entry_free(
                    keytable_remove(state->waiting[bs->db], keys[i].ptr, keys[i].len));
                server_free(copy);
                goto out_of_memory_blocked;
            }
        }
        wait_list *list = entry->value;
        wait_node *node = &bs->nodes[bs->nkeys];
        bs->keys[bs->nkeys].ptr = copy;
        bs->keys[bs->nkeys].len = keys[i].len;
        bs->nkeys++;
        node->client = c;
        node->list = list;
        node->prev = list->tail;
        if (list->tail)
            list->tail->next = node;
        else
            list->head = node;
        list->tail = node;
    }
    if (timeout_ms > 0) {
        bs->timer = event_add_timer(server.loop, timeout_ms, block_timeout, NULL, c);
        if (!bs->timer)
            goto out_of_memory_blocked;
    }
    return DBLITE_OK;

out_of_memory_blocked:
    bs->free_privdata = NULL; /* the caller keeps privdata on failure */
    unblock(c, 0);
    return DBLITE_ERR_NOMEM;
out_of_memory:
    server_free(bs->keys);
    server_free(bs->nodes);
    server_free(bs);
    return DBLITE_ERR_NOMEM;
}

int blocking_block_for_timeout(dblite_ctx *ctx, long long timeout_ms, dblite_timeout_fn on_timeout)
{
    client *c = ctx->client;
    if (dblite_ctx_cannot_block(ctx) || !on_timeout || c->blocked)
        return DBLITE_ERR_INVALID;
    blocked_state *bs = server_calloc(sizeof(*bs));
    if (!bs)
        return DBLITE_ERR_NOMEM;
    bs->db = ctx->db->id;
    bs->on_timeout = on_timeout;
    bs->command = ctx->command;
    if (timeout_ms > 0) {
        bs->timer = event_add_timer(server.loop, timeout_ms, block_timeout, NULL, c);
        if (!bs->timer) {
            server_free(bs);
            return DBLITE_ERR_NOMEM;
        }
    }
    c->blocked = bs;
    c->flags |= CLIENT_BLOCKED;
    server.blocking->blocked_count++;
    return DBLITE_OK;
}

int blocking_unblock_client(client *c, int with_error)
{
    blocked_state *bs = c->blocked;
    if (!bs)
        return 0;
    dblite_ctx ctx;
    context_begin(&ctx, NULL, c, &server.databases[bs->db], bs->command, 0);
    if (with_error)
        dblite_reply_error(&ctx, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
    else
        bs->on_timeout(&ctx, bs->privdata);
    unblock(c, 1);
    (void)context_end(&ctx);
    return 1;
}

/* Offer one ready key to its waiters, oldest first. */
static void serve_key(int db, const char *key, size_t length)
{
    blocking_state *state = server.blocking;
    for (;;) {
        keytable_entry *entry = keytable_find(state->waiting[db], key, length);
        if (!entry)
            return;
        wait_list *list = entry->value;
        list->ready_queued = 0;
        wait_node *node = list->head;
        int served_one = 0;
        while (node) {
            wait_node *next = node->next;
            client *c = node->client;
            blocked_state *bs = c->blocked;
            /* A client closed in this loop turn is freed only in the
             * before-sleep pass: it must not take what a live waiter gets. */
            if (c->flags & CLIENT_CLOSE_ASAP) {
                node = next;
                continue;
            }
            /* The blocked command's arguments are gone: what it did goes
             * out as the replacement its callback gives. */
            dblite_ctx ctx;
            context_begin(&ctx, NULL, c, &server.databases[db], bs->command, 0);
            dblite_bytes ready = {key, length};
            int served = bs->on_ready(&ctx, ready, bs->privdata);
            if (served)
                unblock(c, 1);
            (void)context_end(&ctx);
            if (served) {
                served_one = 1;
                break; /* the list may be gone: look it up again */
            }
            node = next;
        }
        if (!served_one)
            return;
    }
}

/* Called at the end of every context of its own, the callbacks' included:
 * keys a callback makes ready (BLMOVE's destination) are served by the
 * loop already running, after the keys before them, not recursively. */
void blocking_handle_ready_keys(void)
{
    blocking_state *state = server.blocking;
    if (!state || state->serving || state->ready.length == 0)
        return;
    state->serving = 1;
    while (state->ready.length > 0) {
        ready_key *batch = state->ready.items;
        size_t count = state->ready.length;
        state->ready.items = NULL;
        state->ready.length = state->ready.capacity = 0;
        for (size_t i = 0; i < count; i++) {
            serve_key(batch[i].db, batch[i].key, batch[i].length);
            server_free(batch[i].key);
        }
        free(batch);
    }
    state->serving = 0;
}
