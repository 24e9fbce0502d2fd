/*
 * pubsub_subscriber.c - one subscribed client's subscriptions, kept as its
 * per-client state (API 6) so that the core's free callback, run when the
 * client disconnects or RESETs, takes it out of every channel: no channel
 * ever points to a client that is gone.  Also the subscribed mode (RESP2
 * clients may then run only the pubsub commands, PING, QUIT and RESET).
 */
#include <string.h>

#include "pubsub/pubsub.h"

static int allowed_in_subscribed_mode(const char *name)
{
    static const char *const allowed[] = {"subscribe",    "ssubscribe", "unsubscribe",
                                          "sunsubscribe", "psubscribe", "punsubscribe",
                                          "ping",         "quit",       "reset"};
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
        if (strcmp(name, allowed[i]) == 0)
            return 1;
    return 0;
}

static const dblite_client_mode subscribed_mode = {
    .api_version = DBLITE_API_VERSION,
    .flags = DBLITE_MODE_PUBSUB,
    .allows = allowed_in_subscribed_mode,
    .error = "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
             "RESET are allowed in this context",
};

/* CLIENT LIST's sub= psub= ssub=. */
static void report_counts(const subscriber *s)
{
    dblite_client_set_subscription_counts(s->client, (long long)s->counts[KIND_CHANNEL],
                                          (long long)s->counts[KIND_PATTERN],
                                          (long long)s->counts[KIND_SHARD]);
}

/* Out of every channel, then freed: the per-client state's free callback. */
static void subscriber_free(void *data)
{
    subscriber *s = data;
    for (int kind = 0; kind < KIND_COUNT; kind++) {
        for (size_t i = 0; i < s->counts[kind]; i++)
            channel_unsubscribe(&s->state->tables[kind], s->subscriptions[kind][i], s);
        dblite_free(s->subscriptions[kind]);
    }
    dblite_free(s);
}

subscriber *subscriber_of(pubsub_state *state, dblite_ctx *ctx, int create)
{
    dblite_client *client = dblite_ctx_client(ctx);
    if (!client)
        return NULL;
    subscriber *s = dblite_client_get_state(state->module, client);
    if (s || !create)
        return s;
    s = dblite_calloc(sizeof *s);
    if (!s)
        return NULL;
    s->state = state;
    s->client = client;
    if (dblite_client_set_state(state->module, client, s, subscriber_free) != DBLITE_OK) {
        dblite_free(s);
        return NULL;
    }
    dblite_client_set_mode(client, &subscribed_mode);
    return s;
}

int subscriber_add(subscriber *s, subscription_kind kind, const char *name, size_t length)
{
    if (s->counts[kind] == s->capacities[kind]) {
        size_t capacity = s->capacities[kind] ? s->capacities[kind] * 2 : 4;
        channel **grown = dblite_realloc(s->subscriptions[kind], capacity * sizeof *grown);
        if (!grown)
            return -1;
        s->subscriptions[kind] = grown;
        s->capacities[kind] = capacity;
    }
    channel *ch;
    int added = channel_subscribe(&s->state->tables[kind], name, length, s, &ch);
    if (added == 1) {
        s->subscriptions[kind][s->counts[kind]++] = ch;
        report_counts(s);
    }
    return added;
}

int subscriber_remove(subscriber *s, subscription_kind kind, channel *ch)
{
    for (size_t i = 0; i < s->counts[kind]; i++) {
        if (s->subscriptions[kind][i] != ch)
            continue;
        memmove(&s->subscriptions[kind][i], &s->subscriptions[kind][i + 1],
                (s->counts[kind] - i - 1) * sizeof *s->subscriptions[kind]);
        s->counts[kind]--;
        channel_unsubscribe(&s->state->tables[kind], ch, s);
        report_counts(s);
        return 1;
    }
    return 0;
}

long long subscriber_count_for(const subscriber *s, subscription_kind kind)
{
    if (!s)
        return 0;
    if (kind == KIND_SHARD)
        return (long long)s->counts[KIND_SHARD];
    return (long long)(s->counts[KIND_CHANNEL] + s->counts[KIND_PATTERN]);
}

void subscriber_release_if_idle(subscriber *s, dblite_ctx *ctx)
{
    (void)ctx;
    if (!s || s->counts[KIND_CHANNEL] || s->counts[KIND_PATTERN] || s->counts[KIND_SHARD])
        return;
    dblite_client_set_mode(s->client, NULL);
    dblite_client_set_state(s->state->module, s->client, NULL, NULL);
    subscriber_free(s);
}
