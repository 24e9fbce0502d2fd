/*
 * zsets_commands_random.c - placeholder until its commands land: registers nothing.
 */
#include "zsets.h"

int zsets_register_random(dblite_module *module)
{
    (void)module;
    return DBLITE_OK;
}
