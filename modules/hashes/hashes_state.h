/*
 * hashes_state.h - what hashes.so keeps between commands: its type handle,
 * its settings ([hashes] section, --hashes.NAME, CONFIG GET/SET
 * hashes.NAME):
 *   hash-max-listpack-entries  most pairs a hash keeps packed (512)
 *   hash-max-listpack-value    longest field or value kept packed (64)
 * and its random number generator (HRANDFIELD).
 *
 * The state lives with the server (dblite_module_set_data), not in a
 * global: handlers reach it from their context, the load method from its
 * stream (dblite_io_module).  Values never point at it (each hash table
 * carries its own secret key).
 */
#ifndef HASHES_HASHES_STATE_H
#define HASHES_HASHES_STATE_H

#include "common/random_source.h"
#include "dblite_module.h"
#include "hash_value.h"

typedef struct hashes_state {
    const dblite_type *type;
    long long max_packed_entries; /* written by the server */
    long long max_packed_value;
    random_source random;
} hashes_state;

/* A seeded state with the default settings; NULL on OOM. */
hashes_state *hashes_state_create(void);
void hashes_state_free(hashes_state *state);

/* Registers the settings into state.  DBLITE_OK, or an error after
 * dblite_module_fail(). */
int hashes_state_register_settings(dblite_module *module, hashes_state *state);

/* The state of the module whose command is running. */
static inline hashes_state *hashes_state_of(const dblite_ctx *ctx)
{
    return dblite_module_get_data(dblite_ctx_module(ctx));
}

/* The encoding limits as the settings say now. */
static inline hash_limits hashes_limits(const hashes_state *state)
{
    hash_limits limits = {(size_t)state->max_packed_entries, (size_t)state->max_packed_value};
    return limits;
}

#endif
