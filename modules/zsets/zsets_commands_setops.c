/*
 * zsets_commands_setops.c - placeholder until its commands land: registers nothing.
 */
#include "zsets.h"

int zsets_register_setops(dblite_module *module)
{
    (void)module;
    return DBLITE_OK;
}
