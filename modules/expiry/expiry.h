/*
 * expiry.h - state shared by the files of the expiry module.
 *
 * The state lives with the server as module data: commands reach it from
 * their context (expiry_state_of), hooks, the timer and INFO as their
 * privdata, the service's functions as the exporter's data.
 */
#ifndef DBLITE_EXPIRY_H
#define DBLITE_EXPIRY_H

#include "dblite_expiry_service.h"
#include "dblite_provider.h"
#include "ttl_index.h"

typedef struct expiry_module {
    dblite_module *module;
    ttl_index *databases;
    int database_count;
    int active_cursor_db;         /* where the next active cycle starts */
    long long expired_keys;       /* INFO stats expired_keys */
    long long time_cap_reached;   /* active cycles that ran out of budget */
    long long cycle_time_us;      /* time spent in active cycles, in total */
    long long active_interval_ms; /* setting: how often the active cycle runs */
    long long active_budget_us;   /* setting: CPU time one cycle may take */
    int loading;                  /* a dataset is being loaded: nothing expires */
    dblite_expiry_service service;
} expiry_module;

/* The state, for expiry's own commands (their ctx names this module). */
static inline expiry_module *expiry_state_of(const dblite_ctx *ctx)
{
    return dblite_module_get_data(dblite_ctx_module(ctx));
}
/* The TTL index of ctx's database. */
static inline ttl_index *expiry_index(expiry_module *state, dblite_ctx *ctx)
{
    return &state->databases[dblite_ctx_db(ctx)];
}
/* Delete the key of a live handle as expired: counts it, propagates a DEL. */
void expiry_expire_handle(expiry_module *state, dblite_ctx *ctx, const dblite_key_handle *handle);
int expiry_register_commands(dblite_module *module);

#endif
