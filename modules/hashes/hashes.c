/*
 * hashes.c - entry point of hashes.so, Redis's hash family (HSET, HGET,
 * counters, random fields, HSCAN) as a dblite module: its state and
 * settings, the type registration and the command table.
 *
 * Init hands the state to the server first (so a failed init leaves
 * nothing behind), then registers the settings (Redis 7.0 names and
 * defaults, applied from the [hashes] section right after init returns;
 * 512 entries is what a stock redis-server 7.0 reports, and matching it
 * keeps small-hash reply order identical to Redis's), the type and the
 * commands.  The server frees the state at exit, after the keyspace;
 * hashes never point at it.
 */
#include <limits.h>

#include "dblite_module.h"
#include "hash_type.h"
#include "hashes.h"

DBLITE_MODULE_DECLARE();

/* Every command with Redis 7.0's arity, flags and key positions (as
 * COMMAND INFO shows them) and its COMMAND DOCS summary.  Every hash
 * command takes one key, the first argument. */
#define HASH_COMMAND(...) \
    DBLITE_COMMAND(.first_key = 1, .last_key = 1, .key_step = 1, .group = "hash", __VA_ARGS__)

static const dblite_command_spec hash_commands[] = {
    HASH_COMMAND(.name = "hset", .arity = -4, .flags = "write deny-oom fast",
                 .handler = hashes_hset_command, .summary = "Set the string value of a hash field",
                 .since = "2.0.0", .arguments = "key field value [field value ...]"),
    HASH_COMMAND(.name = "hsetnx", .arity = 4, .flags = "write deny-oom fast",
                 .handler = hashes_hsetnx_command,
                 .summary = "Set the value of a hash field, only if the field does not exist",
                 .since = "2.0.0", .arguments = "key field value"),
    HASH_COMMAND(.name = "hmset", .arity = -4, .flags = "write deny-oom fast",
                 .handler = hashes_hmset_command,
                 .summary = "Set multiple hash fields to multiple values", .since = "2.0.0",
                 .arguments = "key field value [field value ...]"),
    HASH_COMMAND(.name = "hget", .arity = 3, .flags = "readonly fast",
                 .handler = hashes_hget_command, .summary = "Get the value of a hash field",
                 .since = "2.0.0", .arguments = "key field"),
    HASH_COMMAND(.name = "hmget", .arity = -3, .flags = "readonly fast",
                 .handler = hashes_hmget_command,
                 .summary = "Get the values of all the given hash fields", .since = "2.0.0",
                 .arguments = "key field [field ...]"),
    HASH_COMMAND(.name = "hdel", .arity = -3, .flags = "write fast", .handler = hashes_hdel_command,
                 .summary = "Delete one or more hash fields", .since = "2.0.0",
                 .arguments = "key field [field ...]"),
    HASH_COMMAND(.name = "hlen", .arity = 2, .flags = "readonly fast",
                 .handler = hashes_hlen_command, .summary = "Get the number of fields in a hash",
                 .since = "2.0.0", .arguments = "key"),
    HASH_COMMAND(.name = "hstrlen", .arity = 3, .flags = "readonly fast",
                 .handler = hashes_hstrlen_command,
                 .summary = "Get the length of the value of a hash field", .since = "3.2.0",
                 .arguments = "key field"),
    HASH_COMMAND(.name = "hexists", .arity = 3, .flags = "readonly fast",
                 .handler = hashes_hexists_command, .summary = "Determine if a hash field exists",
                 .since = "2.0.0", .arguments = "key field"),
    HASH_COMMAND(.name = "hkeys", .arity = 2, .flags = "readonly", .handler = hashes_hkeys_command,
                 .summary = "Get all the fields in a hash", .since = "2.0.0", .arguments = "key"),
    HASH_COMMAND(.name = "hvals", .arity = 2, .flags = "readonly", .handler = hashes_hvals_command,
                 .summary = "Get all the values in a hash", .since = "2.0.0", .arguments = "key"),
    HASH_COMMAND(.name = "hgetall", .arity = 2, .flags = "readonly",
                 .handler = hashes_hgetall_command,
                 .summary = "Get all the fields and values in a hash", .since = "2.0.0",
                 .arguments = "key"),
    HASH_COMMAND(.name = "hincrby", .arity = 4, .flags = "write deny-oom fast",
                 .handler = hashes_hincrby_command,
                 .summary = "Increment the integer value of a hash field by the given number",
                 .since = "2.0.0", .arguments = "key field increment"),
    HASH_COMMAND(.name = "hincrbyfloat", .arity = 4, .flags = "write deny-oom fast",
                 .handler = hashes_hincrbyfloat_command,
                 .summary = "Increment the float value of a hash field by the given amount",
                 .since = "2.6.0", .arguments = "key field increment"),
    HASH_COMMAND(.name = "hrandfield", .arity = -2, .flags = "readonly",
                 .handler = hashes_hrandfield_command,
                 .summary = "Get one or multiple random fields from a hash", .since = "6.2.0",
                 .arguments = "key [count [WITHVALUES]]"),
    HASH_COMMAND(.name = "hscan", .arity = -3, .flags = "readonly", .handler = hashes_hscan_command,
                 .summary = "Incrementally iterate hash fields and associated values",
                 .since = "2.8.0", .arguments = "key cursor [MATCH pattern] [COUNT count]"),
};

static int register_settings(dblite_module *module, hashes_state *state)
{
    if (dblite_config_integer(module, "hash-max-listpack-entries", &state->max_packed_entries,
                              HASH_DEFAULT_MAX_PACKED_PAIRS, 0, LLONG_MAX,
                              DBLITE_CONFIG_MUTABLE) != DBLITE_OK ||
        dblite_config_integer(module, "hash-max-listpack-value", &state->max_packed_value,
                              HASH_DEFAULT_MAX_PACKED_LENGTH, 0, LLONG_MAX,
                              DBLITE_CONFIG_MUTABLE) != DBLITE_OK)
        return DBLITE_ERR;
    /* Redis's names from before listpacks. */
    if (dblite_config_alias(module, "hash-max-listpack-entries", "hash-max-ziplist-entries") !=
            DBLITE_OK ||
        dblite_config_alias(module, "hash-max-listpack-value", "hash-max-ziplist-value") !=
            DBLITE_OK) {
        dblite_module_fail(module, "could not register the hash-max-ziplist-* aliases");
        return DBLITE_ERR;
    }
    return DBLITE_OK;
}

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    hashes_state *state = dblite_alloc(sizeof *state);
    if (state == NULL) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    state->max_packed_entries = HASH_DEFAULT_MAX_PACKED_PAIRS;
    state->max_packed_value = HASH_DEFAULT_MAX_PACKED_LENGTH;
    random_source_seed(&state->random);
    dblite_module_set_data_free(module, state, dblite_free);
    int status = register_settings(module, state);
    if (status != DBLITE_OK)
        return status;
    state->type = hash_type_register(module);
    if (state->type == NULL)
        return DBLITE_ERR;
    return dblite_command_register_table(module, hash_commands, DBLITE_ARRAY_LENGTH(hash_commands));
}
