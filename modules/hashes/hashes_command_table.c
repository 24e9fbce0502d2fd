/*
 * hashes_command_table.c - what the hashes module registers: every command
 * with Redis 7.0's arity, flags and key positions (as COMMAND INFO shows
 * them) and its COMMAND DOCS summary.
 */
#include "hashes_commands.h"

#define HASH_COMMAND(name, arity, flags, handler, summary, since, arguments)                     \
    {DBLITE_API_VERSION, name, arity, flags, 1, 1, 1, handler, summary, since, "hash", arguments, NULL}

static const dblite_command_spec hash_commands[] = {
    HASH_COMMAND("hset", -4, "write deny-oom fast", hashes_hset_command,
                 "Set the string value of a hash field", "2.0.0", "key field value [field value ...]"),
    HASH_COMMAND("hsetnx", 4, "write deny-oom fast", hashes_hsetnx_command,
                 "Set the value of a hash field, only if the field does not exist", "2.0.0",
                 "key field value"),
    HASH_COMMAND("hmset", -4, "write deny-oom fast", hashes_hmset_command,
                 "Set multiple hash fields to multiple values", "2.0.0",
                 "key field value [field value ...]"),
    HASH_COMMAND("hget", 3, "readonly fast", hashes_hget_command, "Get the value of a hash field",
                 "2.0.0", "key field"),
    HASH_COMMAND("hmget", -3, "readonly fast", hashes_hmget_command,
                 "Get the values of all the given hash fields", "2.0.0", "key field [field ...]"),
    HASH_COMMAND("hdel", -3, "write fast", hashes_hdel_command, "Delete one or more hash fields",
                 "2.0.0", "key field [field ...]"),
    HASH_COMMAND("hlen", 2, "readonly fast", hashes_hlen_command,
                 "Get the number of fields in a hash", "2.0.0", "key"),
    HASH_COMMAND("hstrlen", 3, "readonly fast", hashes_hstrlen_command,
                 "Get the length of the value of a hash field", "3.2.0", "key field"),
    HASH_COMMAND("hexists", 3, "readonly fast", hashes_hexists_command,
                 "Determine if a hash field exists", "2.0.0", "key field"),
    HASH_COMMAND("hkeys", 2, "readonly", hashes_hkeys_command, "Get all the fields in a hash",
                 "2.0.0", "key"),
    HASH_COMMAND("hvals", 2, "readonly", hashes_hvals_command, "Get all the values in a hash",
                 "2.0.0", "key"),
    HASH_COMMAND("hgetall", 2, "readonly", hashes_hgetall_command,
                 "Get all the fields and values in a hash", "2.0.0", "key"),
    HASH_COMMAND("hincrby", 4, "write deny-oom fast", hashes_hincrby_command,
                 "Increment the integer value of a hash field by the given number", "2.0.0",
                 "key field increment"),
    HASH_COMMAND("hincrbyfloat", 4, "write deny-oom fast", hashes_hincrbyfloat_command,
                 "Increment the float value of a hash field by the given amount", "2.6.0",
                 "key field increment"),
    HASH_COMMAND("hrandfield", -2, "readonly", hashes_hrandfield_command,
                 "Get one or multiple random fields from a hash", "6.2.0",
                 "key [count [WITHVALUES]]"),
    HASH_COMMAND("hscan", -3, "readonly", hashes_hscan_command,
                 "Incrementally iterate hash fields and associated values", "2.8.0",
                 "key cursor [MATCH pattern] [COUNT count]"),
};

int hashes_commands_register(dblite_module *module)
{
    for (size_t i = 0; i < sizeof hash_commands / sizeof hash_commands[0]; i++) {
        if (dblite_command_register(module, &hash_commands[i]) != DBLITE_OK) {
            dblite_module_fail(module, "could not register command '%s'", hash_commands[i].name);
            return DBLITE_ERR;
        }
    }
    return DBLITE_OK;
}
