/*
 * lists_state.c - creating the lists module's state and registering its
 * settings into it.
 */
#include "lists_state.h"

#include <limits.h>

#include "list_fill.h"

lists_state *lists_state_create(void)
{
    lists_state *state = dblite_alloc(sizeof(*state));
    if (state == NULL)
        return NULL;
    state->type = NULL;
    state->fill = LIST_FILL_DEFAULT;
    return state;
}

void lists_state_free(lists_state *state)
{
    dblite_free(state);
}

int lists_state_register_settings(dblite_module *module, lists_state *state)
{
    /* Redis accepts any int; values below -5 act as -5 (list_fill.h). */
    int status = dblite_config_integer(module, "list-max-listpack-size", &state->fill, LIST_FILL_DEFAULT,
                                       INT_MIN, INT_MAX, DBLITE_CONFIG_MUTABLE);
    if (status != DBLITE_OK)
        dblite_module_fail(module, "could not register list-max-listpack-size (error %d)", status);
    return status;
}
