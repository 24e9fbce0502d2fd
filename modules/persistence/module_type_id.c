/*
 * module_type_id.c - see module_type_id.h.  The symbol order is Redis's,
 * so ids match those a Redis module of the same name would write.
 */
#include "module_type_id.h"

#include <string.h>

static const char module_type_symbols[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "abcdefghijklmnopqrstuvwxyz"
                                          "0123456789-_";

uint64_t module_type_id_encode(const char *name, int encoding_version)
{
    if (name == NULL || strlen(name) != 9 || encoding_version < 0 || encoding_version > 1023)
        return 0;
    uint64_t id = 0;
    for (int i = 0; i < 9; i++) {
        const char *symbol = name[i] ? strchr(module_type_symbols, name[i]) : NULL;
        if (symbol == NULL)
            return 0;
        id = (id << 6) | (uint64_t)(symbol - module_type_symbols);
    }
    return (id << 10) | (uint64_t)encoding_version;
}

int module_type_id_decode(uint64_t id, char name[10])
{
    int encoding_version = (int)(id & 1023);
    uint64_t symbols = id >> 10;
    for (int i = 8; i >= 0; i--) {
        name[i] = module_type_symbols[symbols & 63];
        symbols >>= 6;
    }
    name[9] = '\0';
    return encoding_version;
}
