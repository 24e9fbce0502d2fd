/*
 * notify.c - keyspace notifications, as Redis's notify.c: the classes of
 * notify-keyspace-events (its letters to bits and back) and the one place an
 * event is emitted.
 *
 * The core only decides whether an event's class is enabled and hands it
 * to the DBLITE_EVENT_KEYSPACE_NOTIFICATION hook; publishing it on
 * __keyspace@<db>__:<key> and __keyevent@<db>__:<event> is the pubsub
 * module's handler, so without that module nothing is published (as
 * without Pub/Sub there is nobody to publish to) and a disabled class costs
 * one test of a bit.
 */
#include <string.h>

#include "server.h"

int keyspace_events_parse(const char *text)
{
    int flags = 0;
    for (const char *p = text; *p; p++) {
        switch (*p) {
            case 'A':
                flags |= DBLITE_NOTIFY_ALL;
                break;
            case 'g':
                flags |= DBLITE_NOTIFY_GENERIC;
                break;
            case '$':
                flags |= DBLITE_NOTIFY_STRING;
                break;
            case 'l':
                flags |= DBLITE_NOTIFY_LIST;
                break;
            case 's':
                flags |= DBLITE_NOTIFY_SET;
                break;
            case 'h':
                flags |= DBLITE_NOTIFY_HASH;
                break;
            case 'z':
                flags |= DBLITE_NOTIFY_ZSET;
                break;
            case 'x':
                flags |= DBLITE_NOTIFY_EXPIRED;
                break;
            case 'e':
                flags |= DBLITE_NOTIFY_EVICTED;
                break;
            case 'K':
                flags |= DBLITE_NOTIFY_KEYSPACE;
                break;
            case 'E':
                flags |= DBLITE_NOTIFY_KEYEVENT;
                break;
            case 't':
                flags |= DBLITE_NOTIFY_STREAM;
                break;
            case 'm':
                flags |= DBLITE_NOTIFY_KEY_MISS;
                break;
            case 'd':
                flags |= DBLITE_NOTIFY_MODULE;
                break;
            case 'n':
                flags |= DBLITE_NOTIFY_NEW;
                break;
            default:
                return -1;
        }
    }
    return flags;
}

/* Redis's keyspaceEventsFlagsToString: "A" stands for its classes (and
 * then hides n), K E m come last. */
void keyspace_events_format(int flags, char *buffer, size_t size)
{
    static const struct {
        int bit;
        char letter;
    } classes[] = {
        {DBLITE_NOTIFY_GENERIC, 'g'}, {DBLITE_NOTIFY_STRING, '$'},  {DBLITE_NOTIFY_LIST, 'l'},
        {DBLITE_NOTIFY_SET, 's'},     {DBLITE_NOTIFY_HASH, 'h'},    {DBLITE_NOTIFY_ZSET, 'z'},
        {DBLITE_NOTIFY_EXPIRED, 'x'}, {DBLITE_NOTIFY_EVICTED, 'e'}, {DBLITE_NOTIFY_STREAM, 't'},
        {DBLITE_NOTIFY_MODULE, 'd'},  {DBLITE_NOTIFY_NEW, 'n'},
    };
    char text[32];
    size_t used = 0;
    if ((flags & DBLITE_NOTIFY_ALL) == DBLITE_NOTIFY_ALL) {
        text[used++] = 'A';
    } else {
        for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
            if (flags & classes[i].bit)
                text[used++] = classes[i].letter;
    }
    if (flags & DBLITE_NOTIFY_KEYSPACE)
        text[used++] = 'K';
    if (flags & DBLITE_NOTIFY_KEYEVENT)
        text[used++] = 'E';
    if (flags & DBLITE_NOTIFY_KEY_MISS)
        text[used++] = 'm';
    text[used] = '\0';
    if (size == 0)
        return;
    size_t length = used < size - 1 ? used : size - 1;
    memcpy(buffer, text, length);
    buffer[length] = '\0';
}

void notify_keyspace_event(dblite_ctx *ctx, int type, const char *event, int db, const char *key,
                           size_t length)
{
    int enabled = server.settings.notify_keyspace_events;
    if (!(enabled & type) || (ctx && (ctx->flags & CTX_NO_NOTIFY)) ||
        server.event_handlers[DBLITE_EVENT_KEYSPACE_NOTIFICATION].length == 0)
        return;
    dblite_event notification = {
        .kind = DBLITE_EVENT_KEYSPACE_NOTIFICATION,
        .db = db,
        .key = {key, length},
        .target_db = -1,
        .flags = type | (enabled & (DBLITE_NOTIFY_KEYSPACE | DBLITE_NOTIFY_KEYEVENT)),
        .notification = event,
    };
    dispatch_event(ctx, &notification);
}

void dblite_notify_keyspace_event(dblite_ctx *ctx, int type, const char *event, dblite_bytes key)
{
    if (!ctx || !event)
        return;
    notify_keyspace_event(ctx, type, event, ctx->db->id, key.ptr, key.len);
}
