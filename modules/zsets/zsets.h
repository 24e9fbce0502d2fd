/*
 * zsets.h - the family header of zsets.so, Redis's sorted-set family (and
 * geo, which stores its points in sorted sets): the module's state,
 * reached from every command, and the command tables that zsets.c
 * registers, one per file of commands.
 *
 * The state holds the type handle, the settings ([zsets] section,
 * --zsets.NAME, CONFIG GET/SET zsets.NAME or the bare name):
 *   zset-max-listpack-entries  most members a set keeps packed (128)
 *   zset-max-listpack-value    longest member kept packed (64)
 * (Redis's older names zset-max-ziplist-entries/-value are aliases) and
 * the random number generator (ZRANDMEMBER).  It lives with the server
 * (dblite_module_set_data_free), not in a global.
 */
#ifndef ZSETS_ZSETS_H
#define ZSETS_ZSETS_H

#include "common/random_source.h"
#include "dblite_module.h"
#include "zset_value.h"

typedef struct zsets_state {
    const dblite_type *type;
    long long max_packed_entries; /* written by the server */
    long long max_packed_value;
    random_source random;
} zsets_state;

/* The state of the module whose command is running. */
static inline zsets_state *zsets_state_of(const dblite_ctx *ctx)
{
    return dblite_module_get_data(dblite_ctx_module(ctx));
}

/* The encoding limits as the settings say now. */
static inline zset_limits zsets_limits(const zsets_state *state)
{
    zset_limits limits = {(size_t)state->max_packed_entries, (size_t)state->max_packed_value};
    return limits;
}

/* Every command spec of the module uses these, with Redis 7.0's arity,
 * flags and key positions (as COMMAND INFO shows them). */
#define ZSET_COMMAND(...) DBLITE_COMMAND(.group = "sorted_set", __VA_ARGS__)
#define GEO_COMMAND(...) DBLITE_COMMAND(.group = "geo", __VA_ARGS__)
#define ZSET_KEYS(first, last, step) .first_key = (first), .last_key = (last), .key_step = (step)

/* ---- Command tables, by the file that holds them ----
 * Each registers its commands (dblite_command_register_table) and returns
 * DBLITE_OK or the error after dblite_module_fail(). */

int zsets_register_basic(dblite_module *module);  /* zsets_commands_basic.c: ZADD ZREM ZSCORE ... */
int zsets_register_ranges(dblite_module *module); /* zsets_commands_range.c: ZRANGE ... */
int zsets_register_pops(dblite_module *module);   /* zsets_commands_pop.c: ZPOPMIN, BZMPOP ... */
int zsets_register_random(dblite_module *module); /* zsets_commands_random.c: ZRANDMEMBER, ZSCAN */
int zsets_register_setops(dblite_module *module); /* zsets_commands_setops.c: ZUNION ... */
int zsets_register_geo(dblite_module *module);    /* geo_commands.c: GEOADD ... */

#endif
