/*
 * sets_command_table.c - what the sets module registers: every command
 * with Redis 7.0's arity, flags and key positions (as COMMAND INFO shows
 * them) and its COMMAND DOCS summary.
 */
#include "sets_commands.h"

#define SET_COMMAND(name, arity, flags, first, last, handler, summary, since, arguments)          \
    {DBLITE_API_VERSION, name, arity, flags, first, last, (first) != 0, handler, summary, since,  \
     "set", arguments, NULL}

static const dblite_command_spec set_commands[] = {
    SET_COMMAND("sadd", -3, "write deny-oom fast", 1, 1, sets_sadd_command,
                "Add one or more members to a set", "1.0.0", "key member [member ...]"),
    SET_COMMAND("srem", -3, "write fast", 1, 1, sets_srem_command,
                "Remove one or more members from a set", "1.0.0", "key member [member ...]"),
    SET_COMMAND("scard", 2, "readonly fast", 1, 1, sets_scard_command,
                "Get the number of members in a set", "1.0.0", "key"),
    SET_COMMAND("sismember", 3, "readonly fast", 1, 1, sets_sismember_command,
                "Determine if a given value is a member of a set", "1.0.0", "key member"),
    SET_COMMAND("smismember", -3, "readonly fast", 1, 1, sets_smismember_command,
                "Returns the membership associated with the given elements for a set", "6.2.0",
                "key member [member ...]"),
    SET_COMMAND("smembers", 2, "readonly", 1, 1, sets_smembers_command,
                "Get all the members in a set", "1.0.0", "key"),
    SET_COMMAND("srandmember", -2, "readonly", 1, 1, sets_srandmember_command,
                "Get one or multiple random members from a set", "1.0.0", "key [count]"),
    SET_COMMAND("spop", -2, "write fast", 1, 1, sets_spop_command,
                "Remove and return one or multiple random members from a set", "1.0.0",
                "key [count]"),
    SET_COMMAND("smove", 4, "write fast", 1, 2, sets_smove_command,
                "Move a member from one set to another", "1.0.0", "source destination member"),
    SET_COMMAND("sinter", -2, "readonly", 1, -1, sets_sinter_command, "Intersect multiple sets",
                "1.0.0", "key [key ...]"),
    SET_COMMAND("sintercard", -3, "readonly", 0, 0, sets_sintercard_command,
                "Intersect multiple sets and return the cardinality of the result", "7.0.0",
                "numkeys key [key ...] [LIMIT limit]"),
    SET_COMMAND("sinterstore", -3, "write deny-oom", 1, -1, sets_sinterstore_command,
                "Intersect multiple sets and store the resulting set in a key", "1.0.0",
                "destination key [key ...]"),
    SET_COMMAND("sunion", -2, "readonly", 1, -1, sets_sunion_command, "Add multiple sets",
                "1.0.0", "key [key ...]"),
    SET_COMMAND("sunionstore", -3, "write deny-oom", 1, -1, sets_sunionstore_command,
                "Add multiple sets and store the resulting set in a key", "1.0.0",
                "destination key [key ...]"),
    SET_COMMAND("sdiff", -2, "readonly", 1, -1, sets_sdiff_command, "Subtract multiple sets",
                "1.0.0", "key [key ...]"),
    SET_COMMAND("sdiffstore", -3, "write deny-oom", 1, -1, sets_sdiffstore_command,
                "Subtract multiple sets and store the resulting set in a key", "1.0.0",
                "destination key [key ...]"),
    SET_COMMAND("sscan", -3, "readonly", 1, 1, sets_sscan_command,
                "Incrementally iterate Set elements", "2.8.0",
                "key cursor [MATCH pattern] [COUNT count]"),
};

int sets_commands_register(dblite_module *module)
{
    for (size_t i = 0; i < sizeof set_commands / sizeof set_commands[0]; i++) {
        if (dblite_command_register(module, &set_commands[i]) != DBLITE_OK) {
            dblite_module_fail(module, "could not register command '%s'", set_commands[i].name);
            return DBLITE_ERR;
        }
    }
    return DBLITE_OK;
}
