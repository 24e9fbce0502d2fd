/*
 * future_api.c - futureapi.so: claims to be built for an API version newer
 * than the server provides, so the loader must refuse it before calling
 * its entry point (which would otherwise fail loudly).
 */
#include "dblite_module.h"

#define FUTURE_API_VERSION (DBLITE_API_VERSION + 41)

__attribute__((visibility("default"))) const int dblite_module_api_version = FUTURE_API_VERSION;

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    dblite_module_fail(module, "futureapi's init must never run (api version %d)",
                       FUTURE_API_VERSION);
    return DBLITE_ERR;
}
