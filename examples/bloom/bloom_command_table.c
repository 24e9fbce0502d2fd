/*
 * bloom_command_table.c - what the bloom plugin registers, with the flags
 * and key positions COMMAND INFO shows: "write" commands are propagated and
 * refused on read-only replicas, "deny-oom" ones are refused over
 * maxmemory because they may allocate, and key positions tell clients and
 * proxies which argument is the key.
 */
#include "bloom_commands.h"

#define SINCE "0.1.0"
#define GROUP "bloom"

static const dblite_command_spec bloom_commands[] = {
    {DBLITE_API_VERSION, "bf.reserve", -4, "write deny-oom", 1, 1, 1, bloom_reserve_command,
     "Creates an empty Bloom filter with an error rate and a capacity", SINCE, GROUP,
     "key error_rate capacity [EXPANSION expansion] [NONSCALING]", NULL},
    {DBLITE_API_VERSION, "bf.add", 3, "write deny-oom fast", 1, 1, 1, bloom_add_command,
     "Adds an item to a Bloom filter, creating it when missing", SINCE, GROUP, "key item", NULL},
    {DBLITE_API_VERSION, "bf.madd", -3, "write deny-oom", 1, 1, 1, bloom_madd_command,
     "Adds items to a Bloom filter, creating it when missing", SINCE, GROUP,
     "key item [item ...]", NULL},
    {DBLITE_API_VERSION, "bf.insert", -4, "write deny-oom", 1, 1, 1, bloom_insert_command,
     "Adds items to a Bloom filter, creating it with the given parameters when missing",
     SINCE, GROUP,
     "key [CAPACITY capacity] [ERROR error] [EXPANSION expansion] [NOCREATE] [NONSCALING] "
     "ITEMS item [item ...]", NULL},
    {DBLITE_API_VERSION, "bf.exists", 3, "readonly fast", 1, 1, 1, bloom_exists_command,
     "Tells whether an item may be in a Bloom filter", SINCE, GROUP, "key item", NULL},
    {DBLITE_API_VERSION, "bf.mexists", -3, "readonly fast", 1, 1, 1, bloom_mexists_command,
     "Tells for each item whether it may be in a Bloom filter", SINCE, GROUP,
     "key item [item ...]", NULL},
    {DBLITE_API_VERSION, "bf.card", 2, "readonly fast", 1, 1, 1, bloom_card_command,
     "Returns the number of items added to a Bloom filter", SINCE, GROUP, "key", NULL},
    {DBLITE_API_VERSION, "bf.info", -2, "readonly fast", 1, 1, 1, bloom_info_command,
     "Returns the capacity, size, sub-filters, items and expansion of a Bloom filter", SINCE,
     GROUP, "key [CAPACITY | SIZE | FILTERS | ITEMS | EXPANSION]", NULL},
    {DBLITE_API_VERSION, "bf.scandump", 3, "readonly", 1, 1, 1, bloom_scandump_command,
     "Returns the next chunk of a Bloom filter's dump", SINCE, GROUP, "key iterator", NULL},
    {DBLITE_API_VERSION, BLOOM_LOADCHUNK_COMMAND_NAME, 4, "write deny-oom", 1, 1, 1,
     bloom_loadchunk_command,
     "Restores a chunk of a Bloom filter's dump (also what the append-only log replays)",
     SINCE, GROUP, "key iterator data", NULL},
};

int bloom_commands_register(dblite_module *module)
{
    size_t count = sizeof(bloom_commands) / sizeof(bloom_commands[0]);
    for (size_t index = 0; index < count; index++) {
        int status = dblite_command_register(module, &bloom_commands[index]);
        if (status != DBLITE_OK) {
            dblite_module_fail(module, "could not register command %s",
                               bloom_commands[index].name);
            return status;
        }
    }
    return DBLITE_OK;
}
