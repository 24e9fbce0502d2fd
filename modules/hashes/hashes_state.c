/*
 * hashes_state.c - creating the module's state and registering its
 * settings (Redis 7.0 names and defaults; 512 entries is what a stock
 * redis-server 7.0 reports, and matching it keeps small-hash reply order
 * identical to Redis's).
 */
#include "hashes_state.h"

#include <limits.h>

hashes_state *hashes_state_create(void)
{
    hashes_state *state = dblite_alloc(sizeof *state);
    if (state == NULL)
        return NULL;
    state->type = NULL;
    state->max_packed_entries = HASH_DEFAULT_MAX_PACKED_PAIRS;
    state->max_packed_value = HASH_DEFAULT_MAX_PACKED_LENGTH;
    random_source_seed(&state->random);
    return state;
}

void hashes_state_free(hashes_state *state)
{
    dblite_free(state);
}

int hashes_state_register_settings(dblite_module *module, hashes_state *state)
{
    if (dblite_config_integer(module, "hash-max-listpack-entries", &state->max_packed_entries,
                              HASH_DEFAULT_MAX_PACKED_PAIRS, 0, LLONG_MAX,
                              DBLITE_CONFIG_MUTABLE) != DBLITE_OK ||
        dblite_config_integer(module, "hash-max-listpack-value", &state->max_packed_value,
                              HASH_DEFAULT_MAX_PACKED_LENGTH, 0, LLONG_MAX,
                              DBLITE_CONFIG_MUTABLE) != DBLITE_OK)
        return DBLITE_ERR;
    return DBLITE_OK;
}
