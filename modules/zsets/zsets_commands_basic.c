/*
 * zsets_commands_basic.c - placeholder until its commands land: registers nothing.
 */
#include "zsets.h"

int zsets_register_basic(dblite_module *module)
{
    (void)module;
    return DBLITE_OK;
}
