/*
 * zsets_commands_pop.c - placeholder until its commands land: registers nothing.
 */
#include "zsets.h"

int zsets_register_pops(dblite_module *module)
{
    (void)module;
    return DBLITE_OK;
}
