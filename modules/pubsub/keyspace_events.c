/*
 * keyspace_events.c - publishes the server's keyspace notifications, as
 * Redis's notifyKeyspaceEvent does once a class is enabled: the event name
 * on __keyspace@<db>__:<key> when K is set, the key on
 * __keyevent@<db>__:<event> when E is set.  The core decides what is
 * enabled and fires DBLITE_EVENT_KEYSPACE_NOTIFICATION; this handler only
 * builds the channel names and publishes like PUBLISH (patterns included).
 */
#include <stdio.h>
#include <string.h>

#include "pubsub/pubsub.h"

/* "__keyspace@" or "__keyevent@", the db, "__:", then name: in buffer when
 * it fits, else in a block the caller frees (*allocated).  NULL when out
 * of memory. */
static char *channel_name(char *buffer, size_t size, const char *prefix, int db, const char *name,
                          size_t name_length, size_t *length, char **allocated)
{
    char head[48];
    int head_length = snprintf(head, sizeof(head), "%s%d__:", prefix, db);
    size_t total = (size_t)head_length + name_length;
    char *out = buffer;
    *allocated = NULL;
    if (total > size) {
        out = dblite_alloc(total);
        if (!out)
            return NULL;
        *allocated = out;
    }
    memcpy(out, head, (size_t)head_length);
    if (name_length)
        memcpy(out + head_length, name, name_length);
    *length = total;
    return out;
}

static void publish_on(pubsub_state *state, const char *prefix, int db, const char *name,
                       size_t name_length, const char *message, size_t message_length)
{
    char buffer[256];
    char *allocated;
    size_t length;
    char *channel =
        channel_name(buffer, sizeof(buffer), prefix, db, name, name_length, &length, &allocated);
    if (!channel) {
        dblite_log(state->module, "warning",
                   "out of memory: a keyspace notification was not published");
        return;
    }
    pubsub_publish(state, KIND_CHANNEL, channel, length, message, message_length);
    dblite_free(allocated);
}

static void on_keyspace_notification(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)ctx;
    pubsub_state *state = privdata;
    const char *name = event->notification;
    if (!name)
        return;
    size_t name_length = strlen(name);
    if (event->flags & DBLITE_NOTIFY_KEYSPACE)
        publish_on(state, "__keyspace@", event->db, event->key.ptr, event->key.len, name,
                   name_length);
    if (event->flags & DBLITE_NOTIFY_KEYEVENT)
        publish_on(state, "__keyevent@", event->db, name, name_length, event->key.ptr,
                   event->key.len);
}

int pubsub_keyspace_events_register(pubsub_state *state)
{
    return dblite_event_subscribe(state->module, DBLITE_EVENT_KEYSPACE_NOTIFICATION,
                                  on_keyspace_notification, state);
}
