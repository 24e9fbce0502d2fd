/*
 * pubsub.c - pubsub.so's entry point: Redis's publish/subscribe as a
 * module.  Its state is three channel tables (channels, patterns, shard
 * channels) with keys for siphash drawn at startup, its commands are in
 * pubsub_commands.c and INFO's pubsub_channels, pubsub_patterns and
 * pubsubshard_channels come from an INFO extension in the stats section.
 */
#include <stdio.h>
#include <string.h>

#include "pubsub/pubsub.h"

static void fill_hash_key(uint8_t key[16])
{
    FILE *random = fopen("/dev/urandom", "rb");
    size_t got = random ? fread(key, 1, 16, random) : 0;
    if (random)
        fclose(random);
    if (got == 16)
        return;
    /* No random source: the clock still varies the key between runs. */
    long long seed = dblite_monotonic_us() ^ dblite_time_ms();
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)(seed >> ((i % 8) * 8)) ^ (uint8_t)(i * 131);
}

static void pubsub_state_free(void *data)
{
    pubsub_state *state = data;
    for (int kind = 0; kind < KIND_COUNT; kind++)
        channel_table_free(&state->tables[kind]);
    dblite_free(state);
}

static void pubsub_info(dblite_info *info, void *privdata)
{
    pubsub_state *state = privdata;
    dblite_info_field(info, "pubsub_channels", "%zu", state->tables[KIND_CHANNEL].count);
    dblite_info_field(info, "pubsub_patterns", "%zu", state->tables[KIND_PATTERN].count);
    dblite_info_field(info, "pubsubshard_channels", "%zu", state->tables[KIND_SHARD].count);
}

DBLITE_MODULE_DECLARE();

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    pubsub_state *state = dblite_calloc(sizeof *state);
    if (!state) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    state->module = module;
    for (int kind = 0; kind < KIND_COUNT; kind++)
        fill_hash_key(state->tables[kind].hash_key);
    dblite_module_set_data_free(module, state, pubsub_state_free);
    int status = dblite_info_register(module, "stats", pubsub_info, state);
    if (status != DBLITE_OK)
        return status;
    status = pubsub_keyspace_events_register(state);
    if (status != DBLITE_OK) {
        dblite_module_fail(module, "cannot subscribe to keyspace notifications");
        return status;
    }
    return pubsub_commands_register(module);
}
