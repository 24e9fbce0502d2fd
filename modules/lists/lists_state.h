/*
 * lists_state.h - the lists module's state: its registered type and its
 * settings ([lists] section, --lists.NAME, CONFIG GET/SET lists.NAME):
 *   list-max-listpack-size  the fill budget of one packed list (see
 *                           list_fill.h); Redis's default -2 = 8 KB
 *
 * The state lives with the server (dblite_module_set_data), not in a
 * global: handlers reach it from their context.
 */
#ifndef LISTS_LISTS_STATE_H
#define LISTS_LISTS_STATE_H

#include "dblite_module.h"

typedef struct lists_state {
    const dblite_type *type;
    long long fill; /* list-max-listpack-size, written by the server */
} lists_state;

lists_state *lists_state_create(void);
void lists_state_free(lists_state *state);
/* Registers the settings into state.  DBLITE_OK or an error after
 * dblite_module_fail(). */
int lists_state_register_settings(dblite_module *module, lists_state *state);

/* The state of the module whose command or callback is running. */
static inline lists_state *lists_state_of(const dblite_ctx *ctx)
{
    return dblite_module_get_data(dblite_ctx_module(ctx));
}
static inline const dblite_type *list_type(const dblite_ctx *ctx) { return lists_state_of(ctx)->type; }
static inline long long list_fill(const dblite_ctx *ctx) { return lists_state_of(ctx)->fill; }

#endif
