/*
 * bloom_command_table.c - what the bloom plugin registers, with the flags
 * and key positions COMMAND INFO shows: "write" commands are propagated and
 * refused on read-only replicas, "deny-oom" ones are refused over
 * maxmemory because they may allocate, and key positions tell clients and
 * proxies which argument is the key.
 */
#include "bloom_commands.h"

/* Every bloom command has its key at argument 1.  Designated initializers
 * name each field, and leave unnamed ones (privdata since API 5) zero, so
 * this table builds against any API version from 3 on, which keeps bloom
 * the example of a plugin that loads into older servers too (API 5's
 * DBLITE_COMMAND row macro does the same for plugins that need 5). */
#define BLOOM_COMMAND(name_, arity_, flags_, handler_, summary_, arguments_)                    \
    {                                                                                           \
        .api_version = DBLITE_API_VERSION, .name = name_, .arity = arity_, .flags = flags_,     \
        .first_key = 1, .last_key = 1, .key_step = 1, .handler = handler_, .summary = summary_, \
        .since = "0.1.0", .group = "bloom", .arguments = arguments_                             \
    }

static const dblite_command_spec bloom_commands[] = {
    BLOOM_COMMAND("bf.reserve", -4, "write deny-oom", bloom_reserve_command,
                  "Creates an empty Bloom filter with an error rate and a capacity",
                  "key error_rate capacity [EXPANSION expansion] [NONSCALING]"),
    BLOOM_COMMAND("bf.add", 3, "write deny-oom fast", bloom_add_command,
                  "Adds an item to a Bloom filter, creating it when missing", "key item"),
    BLOOM_COMMAND("bf.madd", -3, "write deny-oom", bloom_madd_command,
                  "Adds items to a Bloom filter, creating it when missing", "key item [item ...]"),
    BLOOM_COMMAND(
        "bf.insert", -4, "write deny-oom", bloom_insert_command,
        "Adds items to a Bloom filter, creating it with the given parameters when missing",
        "key [CAPACITY capacity] [ERROR error] [EXPANSION expansion] [NOCREATE] [NONSCALING] "
        "ITEMS item [item ...]"),
    BLOOM_COMMAND("bf.exists", 3, "readonly fast", bloom_exists_command,
                  "Tells whether an item may be in a Bloom filter", "key item"),
    BLOOM_COMMAND("bf.mexists", -3, "readonly fast", bloom_mexists_command,
                  "Tells for each item whether it may be in a Bloom filter", "key item [item ...]"),
    BLOOM_COMMAND("bf.card", 2, "readonly fast", bloom_card_command,
                  "Returns the number of items added to a Bloom filter", "key"),
    BLOOM_COMMAND("bf.info", -2, "readonly fast", bloom_info_command,
                  "Returns the capacity, size, sub-filters, items and expansion of a Bloom filter",
                  "key [CAPACITY | SIZE | FILTERS | ITEMS | EXPANSION]"),
    BLOOM_COMMAND("bf.scandump", 3, "readonly", bloom_scandump_command,
                  "Returns the next chunk of a Bloom filter's dump", "key iterator"),
    BLOOM_COMMAND(
        BLOOM_LOADCHUNK_COMMAND_NAME, 4, "write deny-oom", bloom_loadchunk_command,
        "Restores a chunk of a Bloom filter's dump (also what the append-only log replays)",
        "key iterator data"),
};

int bloom_commands_register(dblite_module *module)
{
    size_t count = sizeof(bloom_commands) / sizeof(bloom_commands[0]);
    for (size_t index = 0; index < count; index++) {
        int status = dblite_command_register(module, &bloom_commands[index]);
        if (status != DBLITE_OK) {
            dblite_module_fail(module, "could not register command %s", bloom_commands[index].name);
            return status;
        }
    }
    return DBLITE_OK;
}
