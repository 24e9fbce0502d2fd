/*
 * sets_state.h - what sets.so keeps between commands: its type handle, its
 * settings ([sets] section, --sets.NAME, CONFIG GET/SET sets.NAME):
 *   set-max-intset-entries    most members an integer set holds (512)
 *   set-max-listpack-entries  most members a packed set holds (128)
 *   set-max-listpack-value    longest member a packed set holds (64)
 * and its random number generator (SPOP, SRANDMEMBER).
 *
 * The state lives with the server (dblite_module_set_data), not in a
 * global: handlers reach it from their context, the load method from its
 * stream (dblite_io_module).  Values never point at it (each hash table
 * carries its own secret key).
 */
#ifndef SETS_SETS_STATE_H
#define SETS_SETS_STATE_H

#include "common/random_source.h"
#include "dblite_module.h"
#include "set_value.h"

typedef struct sets_state {
    const dblite_type *type;
    long long max_intset_entries; /* written by the server */
    long long max_packed_entries;
    long long max_packed_value;
    random_source random;
} sets_state;

/* A seeded state with the default settings; NULL on OOM. */
sets_state *sets_state_create(void);
void sets_state_free(sets_state *state);

/* Registers the settings into state.  DBLITE_OK, or an error after
 * dblite_module_fail(). */
int sets_state_register_settings(dblite_module *module, sets_state *state);

/* The state of the module whose command is running. */
static inline sets_state *sets_state_of(const dblite_ctx *ctx)
{
    return dblite_module_get_data(dblite_ctx_module(ctx));
}

/* The encoding limits as the settings say now. */
static inline set_limits sets_limits(const sets_state *state)
{
    set_limits limits = {(size_t)state->max_intset_entries, (size_t)state->max_packed_entries,
                         (size_t)state->max_packed_value};
    return limits;
}

#endif
