/*
 * silent_fail.c - silentfail.so: an entry point that fails without giving
 * a reason; the loader must still name the module and say so.
 */
#include "dblite_module.h"

DBLITE_MODULE_DECLARE();

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    (void)module;
    return DBLITE_ERR;
}
