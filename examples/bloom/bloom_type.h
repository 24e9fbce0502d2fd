/*
 * bloom_type.h - the "bloom" value type: how a filter in the keyspace is
 * freed, copied, measured, saved in snapshots and rewritten into the log.
 */
#ifndef BLOOM_TYPE_H
#define BLOOM_TYPE_H

#include "dblite_module.h"

/* What TYPE answers for a filter key. */
#define BLOOM_TYPE_NAME "bloom"

/* Registers the type; NULL after dblite_module_fail explained why. */
const dblite_type *bloom_type_register(dblite_module *module);

#endif
