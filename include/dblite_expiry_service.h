/*
 * dblite_expiry_service.h - the TTL service that expiry.so exports to other
 * modules, installed beside dblite_module.h so an out-of-tree plugin can
 * give its keys a TTL too.
 *
 * Modules look it up by name with dblite_service_lookup(DBLITE_EXPIRY_SERVICE)
 * and must cope with NULL (expiry not loaded): then no key has a TTL and the
 * TTL options of their commands answer an error.  Look it up lazily (or from
 * a DBLITE_EVENT_STARTED handler): modules load in config order.  The struct
 * only grows; check version before using a function added later.
 */
#ifndef DBLITE_EXPIRY_SERVICE_H
#define DBLITE_EXPIRY_SERVICE_H

#include "dblite_module.h"

#define DBLITE_EXPIRY_SERVICE "expiry.ttl/1"

typedef struct dblite_expiry_service {
    int version; /* 3 */
    /* Give an existing key (in ctx's database) an absolute deadline in Unix
     * milliseconds.  A deadline in the past deletes the key at once. */
    int (*set_deadline)(dblite_ctx *ctx, dblite_bytes key, long long deadline_ms);
    /* The key's deadline in Unix ms, -1 when it has none, -2 when missing. */
    long long (*get_deadline)(dblite_ctx *ctx, dblite_bytes key);
    /* Drop the key's deadline; returns 1 when it had one. */
    int (*remove_deadline)(dblite_ctx *ctx, dblite_bytes key);
    /* Since version 2.  Delete key as expired (counted in INFO's
     * expired_keys, a DEL propagated), as Redis treats SET ... PXAT with a
     * time already past; returns 1 when the key existed. */
    int (*expire_now)(dblite_ctx *ctx, dblite_bytes key);
    /* Since version 3.  The loader says when a dataset is being loaded
     * (1) and when it is complete (0).  Meanwhile nothing expires, as in
     * Redis: neither lazily nor actively, and deadlines already past are
     * kept (set_deadline stores them, expire_now gives the key a past
     * deadline), so replaying a log reproduces its history; such keys
     * expire once loading is complete. */
    void (*set_loading)(int loading);
} dblite_expiry_service;

#endif
