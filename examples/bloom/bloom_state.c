/*
 * bloom_state.c - the plugin's state, reached through the module handle
 * (dblite_ctx_module + dblite_module_get_data) rather than a global, so
 * nothing in the .so is writable static data.
 */
#include "bloom_state.h"

#include <string.h>

bloom_state *bloom_state_create(void)
{
    bloom_state *state = dblite_alloc(sizeof(*state));
    if (state != NULL)
        memset(state, 0, sizeof(*state));
    return state;
}

void bloom_state_free(bloom_state *state)
{
    if (state == NULL)
        return;
    /* The last value of a string setting belongs to the module. */
    dblite_free(state->settings.default_error_rate);
    dblite_free(state);
}

bloom_state *bloom_state_of(const dblite_ctx *ctx)
{
    return dblite_module_get_data(dblite_ctx_module(ctx));
}
