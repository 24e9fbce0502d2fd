/*
 * channel_table.h - channels (or patterns) by name, each with the list of
 * subscribers, for pubsub.so: a chained hash table keyed with siphash
 * (dblite_hash_keyed) so PUBLISH finds a channel in O(1) and 10,000
 * channels cost one bucket array.  Subscribers are opaque pointers here.
 */
#ifndef PUBSUB_CHANNEL_TABLE_H
#define PUBSUB_CHANNEL_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct channel {
    struct channel *next; /* bucket chain */
    uint64_t hash;
    char *name;
    size_t length;
    void **subscribers; /* in subscription order */
    size_t subscriber_count, subscriber_capacity;
    struct channel *all_prev, *all_next; /* every channel, for iteration */
} channel;

typedef struct channel_table {
    channel **buckets;
    size_t bucket_count; /* a power of two, or 0 before the first insert */
    size_t count;
    channel *all; /* newest first */
    uint8_t hash_key[16];
} channel_table;

/* The channel named so, or NULL. */
channel *channel_find(channel_table *table, const char *name, size_t length);
/* Adds subscriber to the channel named so, creating it.  1 added, 0 it was
 * already subscribed, -1 out of memory.  *found is set to the channel. */
int channel_subscribe(channel_table *table, const char *name, size_t length, void *subscriber,
                      channel **found);
/* Removes subscriber from ch; ch is freed when it has no subscriber left.
 * 1 removed, 0 it was not subscribed. */
int channel_unsubscribe(channel_table *table, channel *ch, void *subscriber);
/* Frees every channel (module exit). */
void channel_table_free(channel_table *table);

#endif
