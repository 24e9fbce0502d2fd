/*
 * strings_service.h - exporting the string-value service (see
 * include/dblite_strings_service.h) from strings.so's init.
 */
#ifndef STRINGS_STRINGS_SERVICE_H
#define STRINGS_STRINGS_SERVICE_H

#include "dblite_module.h"
#include "strings.h"

/* DBLITE_OK, or an error after dblite_module_fail(). */
int strings_service_export(dblite_module *module, strings_state *state);

#endif
