/*
 * zset_type.h - the "zset" value type as registered with the core, and its
 * snapshot methods.
 *
 * Registered natively as RDB type 5 (zset2: the member count, then each
 * member as a string and its score as an 8-byte binary double), so
 * files and DUMP payloads move to and from redis-server; the persistence
 * module writes packed sets as type 17 (listpack) as Redis 7.0 does and
 * reads every sorted-set type Redis has written (3, 5, 12, 17).
 */
#ifndef ZSETS_ZSET_TYPE_H
#define ZSETS_ZSET_TYPE_H

#include "dblite_module.h"

#define ZSET_SNAPSHOT_NAME "dblzset--"
#define ZSET_ENCODING_VERSION 0
#define RDB_ZSET_TYPE_CODE 5

/* Registers "zset".  Returns the type, or NULL after dblite_module_fail(). */
const dblite_type *zset_type_register(dblite_module *module);

/* zset_snapshot.c: the save and load methods (Redis's zset2 payload). */
int zset_snapshot_save(dblite_io *io, const void *zset);
void *zset_snapshot_load(dblite_io *io, int encoding_version);

#endif
