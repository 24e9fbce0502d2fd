/*
 * dblite_strings_service.h - the string-value service that strings.so
 * exports, so a module whose data lives in ordinary STRING values (the
 * HyperLogLog commands, Redis's way: TYPE says string, GET returns the
 * bytes) can read and write them without knowing how strings.so encodes a
 * value.
 *
 * Look it up with dblite_service_lookup(DBLITE_STRINGS_SERVICE) lazily (or
 * from a DBLITE_EVENT_STARTED handler) and cope with NULL: strings.so is
 * not loaded, and no key can hold a string.  The struct only grows; check
 * version before using a function added later.
 */
#ifndef DBLITE_STRINGS_SERVICE_H
#define DBLITE_STRINGS_SERVICE_H

#include <stddef.h>

#include "dblite_module.h"

#define DBLITE_STRINGS_SERVICE "strings.value/1"

/* Room a caller lends to read(): a value kept as a number has no bytes in
 * memory and is spelled out there. */
#define DBLITE_STRINGS_SCRATCH_SIZE DBLITE_LONG_LONG_TEXT_SIZE

typedef struct dblite_strings_service {
    int version; /* 1 */
    /* Looks key up (flags: DBLITE_LOOKUP_READ or _WRITE) as a string.
     * DBLITE_OK with *bytes set to the value's bytes, or bytes->ptr NULL
     * when the key does not exist; DBLITE_ERR_WRONGTYPE (nothing replied)
     * when it holds another type.  The bytes live in the value or in
     * scratch and stay valid until the key changes. */
    int (*read)(dblite_ctx *ctx, dblite_bytes key, int flags,
                char scratch[DBLITE_STRINGS_SCRATCH_SIZE], dblite_bytes *bytes);
    /* Stores a copy of ptr[0..len) as the string value of key.  flags as
     * dblite_key_set's: DBLITE_SET_KEEP updates an existing value (its TTL
     * stays), DBLITE_SET_DEFAULT replaces whatever key held.  DBLITE_OK or
     * DBLITE_ERR_NOMEM. */
    int (*store)(dblite_ctx *ctx, dblite_bytes key, const char *ptr, size_t len, int flags);
} dblite_strings_service;

#endif
