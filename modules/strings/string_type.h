/*
 * string_type.h - the "string" value type as registered with the core.
 */
#ifndef STRINGS_STRING_TYPE_H
#define STRINGS_STRING_TYPE_H

#include "dblite_module.h"

/* Registers the type ("string", snapshot name "dblstring", encoding 0,
 * written as a native RDB string).  Returns the type, or NULL after
 * dblite_module_fail(). */
const dblite_type *string_type_register(dblite_module *module);

#endif
