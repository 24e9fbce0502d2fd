/*
 * geo_commands.c - placeholder until its commands land: registers nothing.
 */
#include "zsets.h"

int zsets_register_geo(dblite_module *module)
{
    (void)module;
    return DBLITE_OK;
}
