/*
 * strings_module.c - entry point of strings.so, Redis's strings family
 * (GET, SET and its variants, counters, ranges, LCS) as a dblite module.
 */
#include "dblite_module.h"
#include "string_type.h"
#include "strings_commands.h"

DBLITE_MODULE_DECLARE();

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    int status = string_type_register(module);
    if (status != DBLITE_OK)
        return status;
    return strings_commands_register(module);
}
