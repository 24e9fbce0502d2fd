/*
 * zsets.c - entry point of zsets.so, Redis's sorted-set family and geo as a
 * dblite module: its state and settings, the type registration, and the
 * command tables of the command files.
 *
 * Init hands the state to the server first (so a failed init leaves
 * nothing behind), then registers the settings (applied from the [zsets]
 * section right after init returns), the type and the commands.  The
 * server frees the state at exit, after the keyspace; sets never point at
 * it.
 */
#include <limits.h>

#include "dblite_module.h"
#include "zset_type.h"
#include "zsets.h"

DBLITE_MODULE_DECLARE();

static int register_settings(dblite_module *module, zsets_state *state)
{
    if (dblite_config_integer(module, "zset-max-listpack-entries", &state->max_packed_entries,
                              ZSET_DEFAULT_MAX_PACKED_ENTRIES, 0, LLONG_MAX,
                              DBLITE_CONFIG_MUTABLE) != DBLITE_OK ||
        dblite_config_integer(module, "zset-max-listpack-value", &state->max_packed_value,
                              ZSET_DEFAULT_MAX_PACKED_VALUE, 0, LLONG_MAX,
                              DBLITE_CONFIG_MUTABLE) != DBLITE_OK)
        return DBLITE_ERR;
    return DBLITE_OK;
}

typedef int (*register_fn)(dblite_module *module);

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    zsets_state *state = dblite_alloc(sizeof *state);
    if (state == NULL) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    state->max_packed_entries = ZSET_DEFAULT_MAX_PACKED_ENTRIES;
    state->max_packed_value = ZSET_DEFAULT_MAX_PACKED_VALUE;
    random_source_seed(&state->random);
    dblite_module_set_data_free(module, state, dblite_free);
    int status = register_settings(module, state);
    if (status != DBLITE_OK)
        return status;
    state->type = zset_type_register(module);
    if (state->type == NULL)
        return DBLITE_ERR;
    static const register_fn tables[] = {zsets_register_basic,  zsets_register_ranges,
                                         zsets_register_pops,   zsets_register_random,
                                         zsets_register_setops, zsets_register_geo};
    for (size_t i = 0; i < DBLITE_ARRAY_LENGTH(tables); i++) {
        status = tables[i](module);
        if (status != DBLITE_OK)
            return status;
    }
    return DBLITE_OK;
}
