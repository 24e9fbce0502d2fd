/*
 * sets_service.h - exporting the set-value service (dblite_sets_service.h)
 * from sets.so's init.
 */
#ifndef SETS_SETS_SERVICE_H
#define SETS_SETS_SERVICE_H

#include "dblite_module.h"

/* DBLITE_OK, or the error after dblite_module_fail(). */
int sets_service_export(dblite_module *module);

#endif
