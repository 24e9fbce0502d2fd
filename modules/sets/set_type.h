/*
 * set_type.h - the "set" value type as registered with the core.
 */
#ifndef SETS_SET_TYPE_H
#define SETS_SET_TYPE_H

#include "dblite_module.h"

/* Registers "set" (snapshot name "dblset---", encoding 0, written as a
 * native RDB set: the member count, then the members as strings).
 * Returns the type, or NULL after dblite_module_fail(). */
const dblite_type *set_type_register(dblite_module *module);

#endif
