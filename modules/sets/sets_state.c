/*
 * sets_state.c - creating the module's state and registering its settings
 * (Redis 7.0's set-max-intset-entries and Redis 7.2's listpack settings,
 * with their defaults).
 */
#include "sets_state.h"

#include <limits.h>

sets_state *sets_state_create(void)
{
    sets_state *state = dblite_alloc(sizeof *state);
    if (state == NULL)
        return NULL;
    state->type = NULL;
    state->max_intset_entries = SET_DEFAULT_MAX_INTSET_ENTRIES;
    state->max_packed_entries = SET_DEFAULT_MAX_PACKED_ENTRIES;
    state->max_packed_value = SET_DEFAULT_MAX_PACKED_LENGTH;
    random_source_seed(&state->random);
    return state;
}

void sets_state_free(sets_state *state)
{
    dblite_free(state);
}

int sets_state_register_settings(dblite_module *module, sets_state *state)
{
    if (dblite_config_integer(module, "set-max-intset-entries", &state->max_intset_entries,
                              SET_DEFAULT_MAX_INTSET_ENTRIES, 0, LLONG_MAX,
                              DBLITE_CONFIG_MUTABLE) != DBLITE_OK ||
        dblite_config_integer(module, "set-max-listpack-entries", &state->max_packed_entries,
                              SET_DEFAULT_MAX_PACKED_ENTRIES, 0, LLONG_MAX,
                              DBLITE_CONFIG_MUTABLE) != DBLITE_OK ||
        dblite_config_integer(module, "set-max-listpack-value", &state->max_packed_value,
                              SET_DEFAULT_MAX_PACKED_LENGTH, 0, LLONG_MAX,
                              DBLITE_CONFIG_MUTABLE) != DBLITE_OK)
        return DBLITE_ERR;
    return DBLITE_OK;
}
