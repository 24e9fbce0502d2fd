/*
 * list_type.h - the "list" value type: its registration and methods
 * (free, copy, memory usage, snapshot save/load as Redis's native list
 * payload, and rewrite as RPUSH commands).
 */
#ifndef LISTS_LIST_TYPE_H
#define LISTS_LIST_TYPE_H

#include "dblite_module.h"

/* Registers the type; NULL after dblite_module_fail(). */
const dblite_type *list_type_register(dblite_module *module);

#endif
