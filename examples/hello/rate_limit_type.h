/*
 * rate_limit_type.h - the "ratelimit" value type: what a HELLO.RATELIMIT key
 * holds in the keyspace, and how it is freed, copied, measured and saved.
 */
#ifndef HELLO_RATE_LIMIT_TYPE_H
#define HELLO_RATE_LIMIT_TYPE_H

#include "dblite_module.h"

/* TYPE answers this for a rate-limiter key. */
#define RATE_LIMIT_TYPE_NAME "ratelimit"

typedef struct rate_limit_value {
    long long arrival_time_us; /* the limiter's TAT, Unix microseconds */
} rate_limit_value;

/* A new value (dblite_alloc'd); NULL when out of memory. */
rate_limit_value *rate_limit_value_create(long long arrival_time_us);

/* Registers the type; on failure the reason went to dblite_module_fail. */
const dblite_type *rate_limit_type_register(dblite_module *module);

#endif
