/*
 * hash_type.h - the "hash" value type as registered with the core.
 */
#ifndef HASHES_HASH_TYPE_H
#define HASHES_HASH_TYPE_H

#include "dblite_module.h"

/* Registers "hash" (snapshot name "dblhash--", encoding 0, written as a
 * native RDB hash: the number of pairs, then field and value strings).
 * Returns the type, or NULL after dblite_module_fail(). */
const dblite_type *hash_type_register(dblite_module *module);

#endif
