/*
 * dblite_sets_service.h - the set-value service that sets.so exports, so a
 * module that accepts plain sets as inputs (ZUNION, ZINTER and friends take
 * a set as a sorted set whose scores are all 1, as Redis does) can read
 * their members without knowing how sets.so encodes a value.
 *
 * A caller finds the key itself (dblite_key_value), compares the value's
 * type with type(), and hands the value to the other functions; the value
 * is only read, and must not change while they run.
 *
 * Look it up with dblite_service_lookup(DBLITE_SETS_SERVICE) lazily (or
 * from a DBLITE_EVENT_STARTED handler) and cope with NULL: sets.so is not
 * loaded, and no key can hold a set.  The struct only grows; check version
 * before using a function added later.
 */
#ifndef DBLITE_SETS_SERVICE_H
#define DBLITE_SETS_SERVICE_H

#include <stddef.h>

#include "dblite_module.h"

#define DBLITE_SETS_SERVICE "sets.members/1"

/* Receives one member (its bytes valid during the call only); returns 0 to
 * go on, non-zero to stop the walk. */
typedef int (*dblite_sets_visit_fn)(dblite_bytes member, void *privdata);

typedef struct dblite_sets_service {
    int version; /* 1 */
    /* The "set" type, as dblite_key_value reports it for a set. */
    const dblite_type *(*type)(void);
    /* The number of members of set. */
    size_t (*length)(const void *set);
    /* 1 when member is in set, else 0. */
    int (*contains)(const void *set, dblite_bytes member);
    /* Calls visit for every member in storage order until it returns
     * non-zero; returns visit's last answer (0 when the walk finished). */
    int (*foreach)(const void *set, dblite_sets_visit_fn visit, void *privdata);
} dblite_sets_service;

#endif
