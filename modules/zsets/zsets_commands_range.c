/*
 * zsets_commands_range.c - placeholder until its commands land: registers nothing.
 */
#include "zsets.h"

int zsets_register_ranges(dblite_module *module)
{
    (void)module;
    return DBLITE_OK;
}
