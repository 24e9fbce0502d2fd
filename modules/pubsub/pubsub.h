/*
 * pubsub.h - what pubsub.so's files share: the module's state (channels,
 * patterns and shard channels, each a channel_table) and one subscriber
 * per subscribed client, kept as that client's per-client state so the
 * core frees it (unsubscribing everywhere) when the client goes or RESETs.
 */
#ifndef PUBSUB_H
#define PUBSUB_H

#include "dblite_module.h"
#include "pubsub/channel_table.h"

/* The three kinds of subscription, with the words of their replies. */
typedef enum { KIND_CHANNEL, KIND_PATTERN, KIND_SHARD, KIND_COUNT } subscription_kind;

typedef struct pubsub_state {
    dblite_module *module;
    channel_table tables[KIND_COUNT];
} pubsub_state;

/* A subscribed client: what it is subscribed to, per kind, in order. */
typedef struct subscriber {
    pubsub_state *state;
    dblite_client *client;
    channel **subscriptions[KIND_COUNT];
    size_t counts[KIND_COUNT], capacities[KIND_COUNT];
} subscriber;

/* The calling client's subscriber, created (and the client put in
 * subscribed mode) when create is set; NULL without a client or memory. */
subscriber *subscriber_of(pubsub_state *state, dblite_ctx *ctx, int create);
/* Subscribes to name: 1 new, 0 already, -1 out of memory. */
int subscriber_add(subscriber *s, subscription_kind kind, const char *name, size_t length);
/* Unsubscribes from ch (one of s's): 1 done, 0 it was not. */
int subscriber_remove(subscriber *s, subscription_kind kind, channel *ch);
/* Channels + patterns (what SUBSCRIBE/PSUBSCRIBE count), or shard ones. */
long long subscriber_count_for(const subscriber *s, subscription_kind kind);
/* Leaves subscribed mode and frees s when it has no subscription left. */
void subscriber_release_if_idle(subscriber *s, dblite_ctx *ctx);

/* Sends message on a channel of kind KIND_CHANNEL (with patterns) or
 * KIND_SHARD; the number of clients that received it (PUBLISH, and the
 * keyspace notifications of keyspace_events.c). */
long long pubsub_publish(pubsub_state *state, subscription_kind kind, const char *channel_name,
                         size_t channel_length, const char *message, size_t message_length);

int pubsub_commands_register(dblite_module *module);
/* keyspace_events.c: publishes the server's keyspace notifications. */
int pubsub_keyspace_events_register(pubsub_state *state);

#endif
