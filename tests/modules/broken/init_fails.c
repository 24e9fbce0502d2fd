/*
 * init_fails.c - initfail.so: an entry point that refuses to start with a
 * reason, which the loader must print beside the module name.
 */
#include "dblite_module.h"

DBLITE_MODULE_DECLARE();

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    dblite_module_fail(module, "initfail refuses to start: %s", "the frobnicator is missing");
    return DBLITE_ERR;
}
