/*
 * channel_table.c - the hash table of channel_table.h.  It doubles when it
 * holds as many channels as buckets, and a channel goes as soon as its last
 * subscriber does, as in Redis (PUBSUB CHANNELS lists only live ones).
 */
#include <string.h>

#include "dblite_module.h"
#include "pubsub/channel_table.h"

channel *channel_find(channel_table *table, const char *name, size_t length)
{
    if (table->bucket_count == 0)
        return NULL;
    uint64_t hash = dblite_hash_keyed(name, length, table->hash_key);
    for (channel *ch = table->buckets[hash & (table->bucket_count - 1)]; ch; ch = ch->next)
        if (ch->hash == hash && ch->length == length && memcmp(ch->name, name, length) == 0)
            return ch;
    return NULL;
}

static int table_grow(channel_table *table)
{
    size_t count = table->bucket_count ? table->bucket_count * 2 : 16;
    channel **buckets = dblite_calloc(count * sizeof *buckets);
    if (!buckets)
        return -1;
    for (channel *ch = table->all; ch; ch = ch->all_next) {
        size_t index = ch->hash & (count - 1);
        ch->next = buckets[index];
        buckets[index] = ch;
    }
    dblite_free(table->buckets);
    table->buckets = buckets;
    table->bucket_count = count;
    return 0;
}

static channel *channel_create(channel_table *table, const char *name, size_t length)
{
    if (table->count >= table->bucket_count && table_grow(table) != 0)
        return NULL;
    channel *ch = dblite_calloc(sizeof *ch);
    if (!ch)
        return NULL;
    ch->name = dblite_alloc(length + 1);
    if (!ch->name) {
        dblite_free(ch);
        return NULL;
    }
    memcpy(ch->name, name, length);
    ch->name[length] = '\0';
    ch->length = length;
    ch->hash = dblite_hash_keyed(name, length, table->hash_key);
    size_t index = ch->hash & (table->bucket_count - 1);
    ch->next = table->buckets[index];
    table->buckets[index] = ch;
    ch->all_next = table->all;
    if (table->all)
        table->all->all_prev = ch;
    table->all = ch;
    table->count++;
    return ch;
}

static void channel_destroy(channel_table *table, channel *ch)
{
    channel **link = &table->buckets[ch->hash & (table->bucket_count - 1)];
    while (*link != ch)
        link = &(*link)->next;
    *link = ch->next;
    if (ch->all_prev)
        ch->all_prev->all_next = ch->all_next;
    else
        table->all = ch->all_next;
    if (ch->all_next)
        ch->all_next->all_prev = ch->all_prev;
    table->count--;
    dblite_free(ch->subscribers);
    dblite_free(ch->name);
    dblite_free(ch);
}

int channel_subscribe(channel_table *table, const char *name, size_t length, void *subscriber,
                      channel **found)
{
    channel *ch = channel_find(table, name, length);
    if (ch) {
        for (size_t i = 0; i < ch->subscriber_count; i++)
            if (ch->subscribers[i] == subscriber) {
                *found = ch;
                return 0;
            }
    } else {
        ch = channel_create(table, name, length);
        if (!ch)
            return -1;
    }
    if (ch->subscriber_count == ch->subscriber_capacity) {
        size_t capacity = ch->subscriber_capacity ? ch->subscriber_capacity * 2 : 4;
        void **grown = dblite_realloc(ch->subscribers, capacity * sizeof *grown);
        if (!grown) {
            if (ch->subscriber_count == 0)
                channel_destroy(table, ch);
            return -1;
        }
        ch->subscribers = grown;
        ch->subscriber_capacity = capacity;
    }
    ch->subscribers[ch->subscriber_count++] = subscriber;
    *found = ch;
    return 1;
}

int channel_unsubscribe(channel_table *table, channel *ch, void *subscriber)
{
    for (size_t i = 0; i < ch->subscriber_count; i++) {
        if (ch->subscribers[i] != subscriber)
            continue;
        /* Order kept: deliveries follow subscription order, as Redis's list. */
        memmove(&ch->subscribers[i], &ch->subscribers[i + 1],
                (ch->subscriber_count - i - 1) * sizeof *ch->subscribers);
        if (--ch->subscriber_count == 0)
            channel_destroy(table, ch);
        return 1;
    }
    return 0;
}

void channel_table_free(channel_table *table)
{
    while (table->all)
        channel_destroy(table, table->all);
    dblite_free(table->buckets);
    table->buckets = NULL;
    table->bucket_count = 0;
}
