/*
 * tracking.c - client-side caching: which client read which key, and the
 * invalidation messages they get when those keys change (Redis 7.0's
 * tracking.c semantics; CLIENT TRACKING & co. are in
 * commands/client_tracking_command.c).
 *
 * Default mode.  After a read-only command of a tracking client runs
 * (context.c calls tracking_after_command), its keys go into the tracking
 * table: key -> the ids of the clients that may cache it.  When a key
 * changes (keyspace/watch.c's signal_modified_key calls
 * tracking_invalidate_key) every client remembered for it gets one
 * invalidation for it and the key leaves the table: a client must read it
 * again to hear of the next change.  Ids, not pointers: a client that goes
 * or turns tracking off is skipped when the key changes, as in Redis.
 *
 * BCAST mode.  Nothing is remembered per client: each prefix in use has a
 * list of clients and a set of the keys under it changed since the last
 * broadcast; before-sleep (tracking_before_sleep) sends each client the
 * keys of its prefixes, sorted as Redis's radix tree sorts them, and
 * NOLOOP drops those the client changed itself.
 *
 * Where messages go.  To the client itself in RESP3 (a push ">2 invalidate
 * [keys]"); with REDIRECT to the other client, as a push when it speaks
 * RESP3 or as a "message" of __redis__:invalidate when it is a RESP2
 * client in subscribed mode (CLIENT_PUBSUB); a redirect client that is
 * gone sets the broken-redirect flag and tells a RESP3 client with a
 * "tracking-redir-broken" push.  Pushes are written even under CLIENT
 * REPLY OFF, as Redis's CLIENT_PUSHING.
 *
 * Timing.  A key the running client changes is invalidated for that client
 * only after its command's reply (Redis's tracking_pending_keys, sent from
 * afterCommand): the message would otherwise cut into the reply, or into
 * EXEC's array.  Other clients get theirs at once.  FLUSHDB and FLUSHALL
 * (one signal per emptied database) send every tracking client one null
 * invalidation after the command and empty the whole table.
 *
 * Memory.  tracking-table-max-keys (default 1000000, 0: no limit) bounds the
 * table: over it, keys picked at random are invalidated, with an effort
 * that grows while the table stays over (Redis's trackingLimitUsedSlots),
 * from before-sleep, which every command's turn of the loop passes.
 *
 * Nothing is allocated until a client first turns tracking on; until then
 * every hook costs one pointer test (server.tracking).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands/core_commands.h"
#include "server.h"
#include "util/numbers.h"

typedef struct tracking_state tracking_state;

/* The clients that may cache one key (the tracking table's values). */
typedef struct tracked_key {
    ARRAY_OF(uint64_t) ids; /* sorted, no duplicates */
} tracked_key;

/* One prefix some BCAST client uses ("" for BCAST without PREFIX). */
typedef struct bcast_prefix {
    char *prefix;
    size_t length;
    ARRAY_OF(client *) clients;
    keytable *changed; /* changed keys under it -> the client that changed it last */
} bcast_prefix;

/* An invalidation for the running client, sent after its command; a NULL
 * key is a flush: every tracking client gets the null invalidation. */
typedef struct pending_invalidation {
    uint64_t client_id;
    char *key;
    size_t length;
    long long command_number; /* a flush marker's command, to send one per FLUSHALL */
} pending_invalidation;

struct tracking_state {
    keytable *keys;    /* key -> tracked_key */
    keytable *clients; /* 8-byte id -> client, every live client that turned tracking on */
    long long total_items;
    long long tracking_clients;        /* with CLIENT_TRACKING set */
    ARRAY_OF(bcast_prefix *) prefixes; /* sorted as Redis's PrefixTable */
    ARRAY_OF(pending_invalidation) pending;
    unsigned limit_rounds; /* trackingLimitUsedSlots's timeout_counter */
};

struct tracking_client_state {
    uint64_t redirect;               /* 0: none */
    ARRAY_OF(dblite_bytes) prefixes; /* BCAST prefixes, sorted, owned copies */
};

#define INVALIDATE_CHANNEL "__redis__:invalidate"

static int bytes_compare(const char *a, size_t a_length, const char *b, size_t b_length)
{
    size_t shorter = a_length < b_length ? a_length : b_length;
    int order = shorter ? memcmp(a, b, shorter) : 0;
    if (order)
        return order;
    return a_length < b_length ? -1 : a_length > b_length ? 1 : 0;
}

static void free_tracked_key(keytable_entry *entry, void *privdata)
{
    (void)privdata;
    tracked_key *tk = entry->value;
    if (tk) {
        free(tk->ids.items); /* array_grow's */
        server_free(tk);
    }
    entry->value = NULL;
}

static tracking_state *state_create(void)
{
    tracking_state *st = server_calloc(sizeof(*st));
    if (!st)
        return NULL;
    st->keys = keytable_create(server.hash_seed[0], server.hash_seed[1]);
    st->clients = keytable_create(server.hash_seed[0], server.hash_seed[1]);
    if (!st->keys || !st->clients) {
        keytable_destroy(st->keys, NULL, NULL);
        keytable_destroy(st->clients, NULL, NULL);
        server_free(st);
        return NULL;
    }
    return st;
}

static client *tracking_client_by_id(uint64_t id)
{
    keytable_entry *entry = keytable_find(server.tracking->clients, (const char *)&id, sizeof(id));
    return entry ? entry->value : NULL;
}

/* ---- writing the messages ---- */

/* Pushes are not replies: CLIENT REPLY OFF/SKIP does not hold them back
 * (CLIENT_PUSHING, the one check in reply.c, as Redis's). */
static unsigned begin_push(client *c)
{
    unsigned saved = c->flags & CLIENT_PUSHING;
    c->flags |= CLIENT_PUSHING;
    return saved;
}

static void end_push(client *c, unsigned saved)
{
    c->flags = (c->flags & ~CLIENT_PUSHING) | saved;
}

/* Redis's sendTrackingMessage: payload is the protocol of the keys (an
 * array of one key, a broadcast's array, or a null), already encoded. */
static void send_tracking_message(client *c, const char *payload, size_t length)
{
    if (c->flags & CLIENT_CLOSE_ASAP)
        return;
    int redirected = 0;
    if (c->tracking && c->tracking->redirect) {
        client *target = client_by_id(c->tracking->redirect);
        if (!target || target->fd < 0) {
            c->flags |= CLIENT_TRACKING_BROKEN_REDIR;
            if (c->protocol > 2) {
                unsigned saved = begin_push(c);
                reply_aggregate(c, '>', 2);
                reply_bulk(c, "tracking-redir-broken", 21);
                reply_integer(c, (long long)c->tracking->redirect);
                end_push(c, saved);
            }
            return;
        }
        c = target;
        redirected = 1;
        if (c->flags & CLIENT_CLOSE_ASAP)
            return;
    }
    unsigned saved = begin_push(c);
    if (c->protocol > 2) {
        reply_aggregate(c, '>', 2);
        reply_bulk(c, "invalidate", 10);
    } else if (redirected && (c->flags & CLIENT_PUBSUB)) {
        reply_aggregate(c, '*', 3);
        reply_bulk(c, "message", 7);
        reply_bulk(c, INVALIDATE_CHANNEL, sizeof(INVALIDATE_CHANNEL) - 1);
    } else {
        end_push(c, saved); /* RESP2 without a subscribed redirect: nowhere to say it */
        return;
    }
    reply_append(c, payload, length);
    end_push(c, saved);
}

static void send_key_invalidation(client *c, const char *key, size_t length)
{
    /* "*1\r\n$<len>\r\n<key>\r\n" as one payload. */
    char header[48];
    int used = snprintf(header, sizeof(header), "*1\r\n$%zu\r\n", length);
    size_t total = (size_t)used + length + 2;
    char small[256];
    char *payload = total <= sizeof(small) ? small : server_alloc(total);
    if (!payload) {
        server_log(LOG_WARNING, "out of memory invalidating a key for client %llu",
                   (unsigned long long)c->id);
        return;
    }
    memcpy(payload, header, (size_t)used);
    memcpy(payload + used, key, length);
    memcpy(payload + used + length, "\r\n", 2);
    send_tracking_message(c, payload, total);
    if (payload != small)
        server_free(payload);
}

static void send_flush_invalidation(client *c)
{
    /* Redis sends the null of the tracking client's own protocol. */
    if (c->protocol > 2)
        send_tracking_message(c, "_\r\n", 3);
    else
        send_tracking_message(c, "$-1\r\n", 5);
}

/* ---- pending invalidations of the running client ---- */

static void pending_add(uint64_t client_id, const char *key, size_t length)
{
    tracking_state *st = server.tracking;
    pending_invalidation p = {.client_id = client_id, .key = NULL, .length = length};
    if (key) {
        p.key = server_alloc(length ? length : 1);
        if (!p.key) {
            server_log(LOG_WARNING, "out of memory queueing an invalidation: client %llu misses it",
                       (unsigned long long)client_id);
            return;
        }
        memcpy(p.key, key, length);
    } else {
        p.command_number = server.stats.commands_processed;
        if (st->pending.length) {
            pending_invalidation *last = &st->pending.items[st->pending.length - 1];
            if (!last->key && last->command_number == p.command_number)
                return; /* FLUSHALL signals once per database: one null */
        }
    }
    if (ARRAY_PUSH(st->pending, p) != 0) {
        server_free(p.key);
        server_log(LOG_WARNING, "out of memory queueing an invalidation: client %llu misses it",
                   (unsigned long long)client_id);
    }
}

static void send_pending(void)
{
    tracking_state *st = server.tracking;
    /* Sending may not add to the list; still, walk it by index. */
    for (size_t i = 0; i < st->pending.length; i++) {
        pending_invalidation *p = &st->pending.items[i];
        if (p->key) {
            client *c = tracking_client_by_id(p->client_id);
            if (c)
                send_key_invalidation(c, p->key, p->length);
            server_free(p->key);
            continue;
        }
        for (client *c = server.clients; c; c = c->next)
            if ((c->flags & CLIENT_TRACKING) && c->fd >= 0)
                send_flush_invalidation(c);
    }
    st->pending.length = 0;
}

/* ---- remembering keys ---- */

static int ids_insert(tracked_key *tk, uint64_t id, int *added)
{
    size_t low = 0, high = tk->ids.length;
    while (low < high) {
        size_t middle = (low + high) / 2;
        if (tk->ids.items[middle] < id)
            low = middle + 1;
        else
            high = middle;
    }
    *added = 0;
    if (low < tk->ids.length && tk->ids.items[low] == id)
        return DBLITE_OK;
    if (array_grow((void **)&tk->ids.items, &tk->ids.capacity, sizeof(uint64_t),
                   tk->ids.length + 1) != 0)
        return DBLITE_ERR_NOMEM;
    memmove(tk->ids.items + low + 1, tk->ids.items + low,
            (tk->ids.length - low) * sizeof(uint64_t));
    tk->ids.items[low] = id;
    tk->ids.length++;
    *added = 1;
    return DBLITE_OK;
}

static int remember_key(client *c, const char *key, size_t length)
{
    tracking_state *st = server.tracking;
    int created;
    keytable_entry *entry = keytable_insert(st->keys, key, length, &created);
    if (!entry)
        return DBLITE_ERR_NOMEM;
    if (created) {
        entry->value = server_calloc(sizeof(tracked_key));
        if (!entry->value) {
            keytable_entry_free(keytable_remove(st->keys, key, length));
            return DBLITE_ERR_NOMEM;
        }
    }
    int added;
    if (ids_insert(entry->value, c->id, &added) != DBLITE_OK)
        return DBLITE_ERR_NOMEM;
    st->total_items += added;
    return DBLITE_OK;
}

/* A command that finds its keys through a count before them (SINTERCARD
 * numkeys key [key ...]) declares no positions: its documented arguments
 * say where they are, and the command ran, so the count is valid. */
static int numkeys_positions(const command *cmd, int argc, const dblite_bytes *argv, int *positions)
{
    static const char shape[] = "numkeys key";
    if (!cmd->arguments || strncmp(cmd->arguments, shape, sizeof(shape) - 1) != 0 || argc < 3)
        return 0;
    long long numkeys;
    if (!parse_long_long(argv[1].ptr, argv[1].len, &numkeys) || numkeys <= 0 || numkeys > argc - 2)
        return 0;
    for (int i = 0; i < (int)numkeys; i++)
        positions[i] = 2 + i;
    return (int)numkeys;
}

/* Redis's trackingRememberKeys: the command's keys, unless OPTIN without
 * CACHING yes or OPTOUT with CACHING no says this read is not cached. */
static void remember_keys(client *c, const command *cmd, int argc, const dblite_bytes *argv)
{
    unsigned optin = c->flags & CLIENT_TRACKING_OPTIN;
    unsigned optout = c->flags & CLIENT_TRACKING_OPTOUT;
    unsigned caching = c->flags & CLIENT_TRACKING_CACHING;
    if ((optin && !caching) || (optout && caching))
        return;
    if (!argv)
        return;
    int small[16];
    int *positions = small;
    if ((size_t)argc > sizeof(small) / sizeof(small[0]) &&
        !(positions = server_alloc(sizeof(int) * (size_t)argc))) {
        server_log(LOG_WARNING, "out of memory tracking the keys of client %llu",
                   (unsigned long long)c->id);
        return;
    }
    int count = command_key_positions(cmd, argc, argv, positions, argc);
    if (count == 0)
        count = numkeys_positions(cmd, argc, argv, positions);
    for (int i = 0; i < count; i++) {
        const dblite_bytes *key = &argv[positions[i]];
        if (remember_key(c, key->ptr, key->len) != DBLITE_OK) {
            server_log(LOG_WARNING, "out of memory tracking a key for client %llu",
                       (unsigned long long)c->id);
            break;
        }
    }
    if (positions != small)
        server_free(positions);
}

/* The client a context acts for: a dblite_call's private client stands for
 * the client whose command made the call (reads: for a script's call only). */
static client *acting_client(const dblite_ctx *ctx, unsigned call_flag)
{
    while (ctx && ctx->client && (ctx->client->flags & call_flag) && ctx->parent)
        ctx = ctx->parent;
    return ctx ? ctx->client : NULL;
}

void tracking_after_command(dblite_ctx *ctx)
{
    client *c = acting_client(ctx, CLIENT_SCRIPT_CALL);
    if (c && ctx->command && (ctx->command->flags & COMMAND_READONLY) &&
        (c->flags & (CLIENT_TRACKING | CLIENT_TRACKING_BCAST)) == CLIENT_TRACKING)
        remember_keys(c, ctx->command, ctx->argc, ctx->argv);
    if (!ctx->parent && server.tracking->pending.length)
        send_pending();
}

/* ---- invalidating ---- */

static void remember_key_to_broadcast(client *changer, const char *key, size_t length)
{
    tracking_state *st = server.tracking;
    for (size_t i = 0; i < st->prefixes.length; i++) {
        bcast_prefix *bp = st->prefixes.items[i];
        if (bp->length > length || (bp->length && memcmp(bp->prefix, key, bp->length) != 0))
            continue;
        int created;
        keytable_entry *entry = keytable_insert(bp->changed, key, length, &created);
        if (!entry) {
            server_log(LOG_WARNING, "out of memory broadcasting a key change to prefix clients");
            continue;
        }
        entry->value = changer; /* the last to change it, for NOLOOP */
    }
}

/* Redis's trackingInvalidateKey: changer is the running client (NULL for
 * expiry in a timer and for the table's own eviction). */
static void invalidate_key(client *changer, const char *key, size_t length, int broadcast)
{
    tracking_state *st = server.tracking;
    if (broadcast && st->prefixes.length)
        remember_key_to_broadcast(changer, key, length);
    keytable_entry *entry = keytable_find(st->keys, key, length);
    if (!entry)
        return;
    tracked_key *tk = entry->value;
    for (size_t i = 0; i < tk->ids.length; i++) {
        client *target = tracking_client_by_id(tk->ids.items[i]);
        if (!target ||
            (target->flags & (CLIENT_TRACKING | CLIENT_TRACKING_BCAST)) != CLIENT_TRACKING)
            continue;
        if (target == changer) {
            if (target->flags & CLIENT_TRACKING_NOLOOP)
                continue;
            pending_add(target->id, key, length); /* after its reply */
        } else {
            send_key_invalidation(target, key, length);
        }
    }
    st->total_items -= (long long)tk->ids.length;
    keytable_entry *gone = keytable_remove(st->keys, key, length);
    free_tracked_key(gone, NULL);
    keytable_entry_free(gone);
}

void tracking_invalidate_key(dblite_ctx *ctx, const char *key, size_t length)
{
    invalidate_key(acting_client(ctx, CLIENT_NESTED_CALL), key, length, 1);
}

void tracking_invalidate_all(dblite_ctx *ctx)
{
    (void)ctx;
    tracking_state *st = server.tracking;
    if (st->tracking_clients)
        pending_add(0, NULL, 0); /* the null goes to every tracking client after the command */
    keytable_clear(st->keys, free_tracked_key, NULL);
    st->total_items = 0;
}

/* ---- broadcasting (before-sleep) ---- */

typedef struct changed_key {
    const keytable_entry *entry;
} changed_key;

static int changed_key_order(const void *a, const void *b)
{
    const keytable_entry *x = ((const changed_key *)a)->entry;
    const keytable_entry *y = ((const changed_key *)b)->entry;
    return bytes_compare(x->key, x->key_length, y->key, y->key_length);
}

/* The array of keys (without those excluded changed last); NULL when none
 * is left or memory ran out, else its length in *length. */
static char *build_broadcast(const changed_key *keys, size_t count, const client *excluded,
                             size_t *length)
{
    size_t kept = 0, bytes = 32;
    for (size_t i = 0; i < count; i++) {
        if (excluded && keys[i].entry->value == excluded)
            continue;
        kept++;
        bytes += keys[i].entry->key_length + 32;
    }
    if (kept == 0)
        return NULL;
    char *out = server_alloc(bytes);
    if (!out)
        return NULL;
    size_t used = (size_t)snprintf(out, bytes, "*%zu\r\n", kept);
    for (size_t i = 0; i < count; i++) {
        const keytable_entry *e = keys[i].entry;
        if (excluded && e->value == excluded)
            continue;
        used += (size_t)snprintf(out + used, bytes - used, "$%u\r\n", e->key_length);
        memcpy(out + used, e->key, e->key_length);
        used += e->key_length;
        memcpy(out + used, "\r\n", 2);
        used += 2;
    }
    *length = used;
    return out;
}

static void broadcast_prefix(bcast_prefix *bp)
{
    size_t count = keytable_size(bp->changed);
    changed_key *keys = server_alloc(sizeof(changed_key) * count);
    if (!keys) {
        server_log(LOG_WARNING, "out of memory broadcasting invalidations");
        keytable_clear(bp->changed, NULL, NULL);
        return;
    }
    size_t n = 0;
    keytable_iterator it;
    keytable_iterator_init(&it, bp->changed);
    keytable_entry *entry;
    while ((entry = keytable_iterator_next(&it)) != NULL && n < count)
        keys[n++].entry = entry;
    keytable_iterator_finish(&it);
    qsort(keys, n, sizeof(changed_key), changed_key_order);
    size_t common_length = 0;
    char *common = build_broadcast(keys, n, NULL, &common_length);
    for (size_t i = 0; common && i < bp->clients.length; i++) {
        client *c = bp->clients.items[i];
        if (c->flags & CLIENT_TRACKING_NOLOOP) {
            size_t own_length = 0;
            char *own = build_broadcast(keys, n, c, &own_length);
            if (own) {
                send_tracking_message(c, own, own_length);
                server_free(own);
            }
        } else {
            send_tracking_message(c, common, common_length);
        }
    }
    if (!common)
        server_log(LOG_WARNING, "out of memory broadcasting invalidations");
    server_free(common);
    server_free(keys);
    keytable_clear(bp->changed, NULL, NULL);
}

/* Redis's trackingLimitUsedSlots. */
static void limit_used_slots(void)
{
    tracking_state *st = server.tracking;
    long long max_keys = server.settings.tracking_table_max_keys;
    if (max_keys <= 0 || (long long)keytable_size(st->keys) <= max_keys) {
        st->limit_rounds = 0;
        return;
    }
    int effort = 100 * (int)(st->limit_rounds + 1);
    while (effort-- > 0) {
        keytable_entry *victim = keytable_random(st->keys);
        if (!victim)
            break;
        /* The entry goes with its invalidation: copy the key first. */
        char small[256];
        size_t length = victim->key_length;
        char *key = length <= sizeof(small) ? small : server_alloc(length);
        if (!key)
            break;
        memcpy(key, victim->key, length);
        invalidate_key(NULL, key, length, 0);
        if (key != small)
            server_free(key);
        if ((long long)keytable_size(st->keys) <= max_keys) {
            st->limit_rounds = 0;
            return;
        }
    }
    st->limit_rounds++;
}

void tracking_before_sleep(void)
{
    tracking_state *st = server.tracking;
    if (st->pending.length)
        send_pending(); /* a client served outside a command's end (a block's) */
    if (!st->tracking_clients)
        return;
    for (size_t i = 0; i < st->prefixes.length; i++)
        if (keytable_size(st->prefixes.items[i]->changed))
            broadcast_prefix(st->prefixes.items[i]);
    limit_used_slots();
}

/* ---- per client: turning tracking on and off ---- */

static bcast_prefix *find_prefix(const char *prefix, size_t length, size_t *position)
{
    tracking_state *st = server.tracking;
    size_t low = 0, high = st->prefixes.length;
    while (low < high) {
        size_t middle = (low + high) / 2;
        bcast_prefix *bp = st->prefixes.items[middle];
        int order = bytes_compare(bp->prefix, bp->length, prefix, length);
        if (order == 0) {
            *position = middle;
            return bp;
        }
        if (order < 0)
            low = middle + 1;
        else
            high = middle;
    }
    *position = low;
    return NULL;
}

static void bcast_prefix_free(bcast_prefix *bp)
{
    keytable_destroy(bp->changed, NULL, NULL);
    free(bp->clients.items); /* array_grow's */
    server_free(bp->prefix);
    server_free(bp);
}

/* Redis's enableBcastTrackingForPrefix: c joins the prefix's clients (the
 * prefix made when new) and keeps its own sorted copy of the prefix. */
static int enable_prefix(client *c, const char *prefix, size_t length)
{
    tracking_state *st = server.tracking;
    struct tracking_client_state *cs = c->tracking;
    size_t position;
    bcast_prefix *bp = find_prefix(prefix, length, &position);
    if (!bp) {
        bp = server_calloc(sizeof(*bp));
        if (!bp)
            return DBLITE_ERR_NOMEM;
        bp->prefix = server_alloc(length ? length : 1);
        bp->length = length;
        bp->changed = keytable_create(server.hash_seed[0], server.hash_seed[1]);
        if (!bp->prefix || !bp->changed ||
            array_grow((void **)&st->prefixes.items, &st->prefixes.capacity,
                       sizeof(*st->prefixes.items), st->prefixes.length + 1) != 0) {
            bcast_prefix_free(bp);
            return DBLITE_ERR_NOMEM;
        }
        if (length)
            memcpy(bp->prefix, prefix, length);
        memmove(st->prefixes.items + position + 1, st->prefixes.items + position,
                (st->prefixes.length - position) * sizeof(*st->prefixes.items));
        st->prefixes.items[position] = bp;
        st->prefixes.length++;
    }
    /* Already there (ON BCAST again without a new prefix): nothing to add. */
    for (size_t i = 0; i < cs->prefixes.length; i++)
        if (bytes_compare(cs->prefixes.items[i].ptr, cs->prefixes.items[i].len, prefix, length) ==
            0)
            return DBLITE_OK;
    char *copy = server_alloc(length ? length : 1);
    if (!copy)
        return DBLITE_ERR_NOMEM;
    if (length)
        memcpy(copy, prefix, length);
    if (ARRAY_PUSH(bp->clients, c) != 0) {
        server_free(copy);
        return DBLITE_ERR_NOMEM;
    }
    size_t at = 0;
    while (at < cs->prefixes.length &&
           bytes_compare(cs->prefixes.items[at].ptr, cs->prefixes.items[at].len, prefix, length) <
               0)
        at++;
    if (array_grow((void **)&cs->prefixes.items, &cs->prefixes.capacity,
                   sizeof(*cs->prefixes.items), cs->prefixes.length + 1) != 0) {
        bp->clients.length--;
        server_free(copy);
        return DBLITE_ERR_NOMEM;
    }
    memmove(cs->prefixes.items + at + 1, cs->prefixes.items + at,
            (cs->prefixes.length - at) * sizeof(*cs->prefixes.items));
    cs->prefixes.items[at] = (dblite_bytes){.ptr = copy, .len = length};
    cs->prefixes.length++;
    return DBLITE_OK;
}

static void leave_prefixes(client *c)
{
    tracking_state *st = server.tracking;
    struct tracking_client_state *cs = c->tracking;
    if (!cs)
        return;
    for (size_t i = 0; i < cs->prefixes.length; i++) {
        size_t position;
        bcast_prefix *bp =
            find_prefix(cs->prefixes.items[i].ptr, cs->prefixes.items[i].len, &position);
        if (bp) {
            for (size_t j = 0; j < bp->clients.length; j++) {
                if (bp->clients.items[j] == c) {
                    bp->clients.items[j] = bp->clients.items[--bp->clients.length];
                    break;
                }
            }
            if (bp->clients.length == 0) {
                bcast_prefix_free(bp);
                memmove(st->prefixes.items + position, st->prefixes.items + position + 1,
                        (st->prefixes.length - position - 1) * sizeof(*st->prefixes.items));
                st->prefixes.length--;
            }
        }
        server_free((void *)cs->prefixes.items[i].ptr);
    }
    cs->prefixes.length = 0;
}

int tracking_enable(client *c, uint64_t redirect, unsigned options, int prefix_count,
                    const dblite_bytes *prefixes)
{
    if (!server.tracking && !(server.tracking = state_create()))
        return DBLITE_ERR_NOMEM;
    tracking_state *st = server.tracking;
    if (!c->tracking && !(c->tracking = server_calloc(sizeof(*c->tracking))))
        return DBLITE_ERR_NOMEM;
    int created;
    keytable_entry *entry =
        keytable_insert(st->clients, (const char *)&c->id, sizeof(c->id), &created);
    if (!entry)
        return DBLITE_ERR_NOMEM;
    entry->value = c;
    if (!(c->flags & CLIENT_TRACKING))
        st->tracking_clients++;
    c->flags |= CLIENT_TRACKING;
    c->flags &= ~(CLIENT_TRACKING_BROKEN_REDIR | CLIENT_TRACKING_BCAST | CLIENT_TRACKING_OPTIN |
                  CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_NOLOOP);
    c->tracking->redirect = redirect;
    if (options & CLIENT_TRACKING_BCAST) {
        c->flags |= CLIENT_TRACKING_BCAST;
        if (prefix_count == 0 && enable_prefix(c, "", 0) != DBLITE_OK)
            return DBLITE_ERR_NOMEM;
        for (int i = 0; i < prefix_count; i++)
            if (enable_prefix(c, prefixes[i].ptr, prefixes[i].len) != DBLITE_OK)
                return DBLITE_ERR_NOMEM;
    }
    c->flags |= options & (CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_NOLOOP);
    return DBLITE_OK;
}

void tracking_disable(client *c)
{
    if (!server.tracking)
        return;
    if (c->flags & CLIENT_TRACKING_BCAST)
        leave_prefixes(c);
    if (c->flags & CLIENT_TRACKING) {
        server.tracking->tracking_clients--;
        c->flags &= ~(CLIENT_TRACKING | CLIENT_TRACKING_BROKEN_REDIR | CLIENT_TRACKING_BCAST |
                      CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_CACHING |
                      CLIENT_TRACKING_NOLOOP);
    }
}

void tracking_client_reset(client *c)
{
    tracking_disable(c);
}

void tracking_client_free(client *c)
{
    if (!c->tracking)
        return;
    tracking_disable(c);
    leave_prefixes(c); /* a failed enable may have left some */
    keytable_entry *gone =
        keytable_remove(server.tracking->clients, (const char *)&c->id, sizeof(c->id));
    if (gone)
        keytable_entry_free(gone);
    free(c->tracking->prefixes.items); /* array_grow's */
    server_free(c->tracking);
    c->tracking = NULL;
}

/* Redis's resetClient: CACHING yes/no covers the next command (or the
 * next transaction), and CLIENT commands in between. */
void tracking_request_done(client *c)
{
    if (c->flags & CLIENT_MULTI)
        return;
    if (c->parser.argc > 0 && c->parser.argv[0].len == 6 &&
        strncasecmp(c->parser.argv[0].ptr, "client", 6) == 0)
        return;
    c->flags &= ~CLIENT_TRACKING_CACHING;
}

/* ---- what the commands and INFO read ---- */

uint64_t tracking_redirect(const client *c)
{
    return (c->flags & CLIENT_TRACKING) && c->tracking ? c->tracking->redirect : 0;
}

size_t tracking_prefix_count(const client *c)
{
    return c->tracking ? c->tracking->prefixes.length : 0;
}

const dblite_bytes *tracking_prefix_at(const client *c, size_t index)
{
    return &c->tracking->prefixes.items[index];
}

long long tracking_clients_count(void)
{
    return server.tracking ? server.tracking->tracking_clients : 0;
}

long long tracking_total_keys(void)
{
    return server.tracking ? (long long)keytable_size(server.tracking->keys) : 0;
}

long long tracking_total_items(void)
{
    return server.tracking ? server.tracking->total_items : 0;
}

long long tracking_total_prefixes(void)
{
    return server.tracking ? (long long)server.tracking->prefixes.length : 0;
}

void tracking_free(void)
{
    tracking_state *st = server.tracking;
    if (!st)
        return;
    for (size_t i = 0; i < st->pending.length; i++)
        server_free(st->pending.items[i].key);
    free(st->pending.items); /* array_grow's */
    for (size_t i = 0; i < st->prefixes.length; i++)
        bcast_prefix_free(st->prefixes.items[i]);
    free(st->prefixes.items); /* array_grow's */
    keytable_destroy(st->keys, free_tracked_key, NULL);
    keytable_destroy(st->clients, NULL, NULL);
    server_free(st);
    server.tracking = NULL;
}
