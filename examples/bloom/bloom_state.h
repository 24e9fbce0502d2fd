/*
 * bloom_state.h - what the bloom plugin keeps between calls: its type
 * handle, the storage of its [bloom] settings and a few counters for INFO.
 *
 * It is allocated in init and handed to the server with
 * dblite_module_set_data(); command handlers get it back from their
 * context, hooks and INFO from their privdata, so the plugin has no global.
 */
#ifndef BLOOM_STATE_H
#define BLOOM_STATE_H

#include "dblite_module.h"

typedef struct bloom_settings {
    /* [bloom] default-error-rate, as text: the config API has no doubles.
     * Read when BF.ADD, BF.MADD or BF.INSERT create a filter. */
    char *default_error_rate;
    long long default_capacity;  /* [bloom] default-capacity */
    long long default_expansion; /* [bloom] default-expansion */
} bloom_settings;

/* Shown by INFO bloom. */
typedef struct bloom_counters {
    long long filters_created;  /* by BF.RESERVE, the adding commands, BF.LOADCHUNK */
    long long subfilters_added; /* scale-ups */
    long long items_added;      /* items that set at least one bit */
    long long items_checked;    /* by BF.EXISTS and BF.MEXISTS */
    long long items_found;      /* of those, answered "may exist" */
} bloom_counters;

typedef struct bloom_state {
    const dblite_type *type;
    bloom_settings settings;
    bloom_counters counters;
} bloom_state;

/* A zeroed state (dblite_alloc'd), or NULL when out of memory. */
bloom_state *bloom_state_create(void);
/* Frees the state and the setting strings the server handed over. */
void bloom_state_free(bloom_state *state);

/* The state of the plugin whose command is running. */
bloom_state *bloom_state_of(const dblite_ctx *ctx);

#endif
