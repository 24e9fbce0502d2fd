/*
 * future_symbol.c - futuresymbol.so (and futuresymbolnow.so, linked with
 * -z now): built for a future API version 99 and calling a dblite_
 * function this server does not have.  The loader must refuse it with the
 * version message, not fail binding with "undefined symbol".
 */
#include "dblite_module.h"

#define FUTURE_API_VERSION 99

__attribute__((visibility("default"))) const int dblite_module_api_version = FUTURE_API_VERSION;

/* A call of API version 99, absent from this server. */
int dblite_call_from_the_future(dblite_module *module);

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    return dblite_call_from_the_future(module);
}
