/*
 * no_entry_point.c - noentry.so: declares the API version but has no
 * dblite_module_init, for the loader's missing-entry-point error.
 */
#include "dblite_module.h"

DBLITE_MODULE_DECLARE();
