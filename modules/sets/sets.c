/*
 * sets.c - entry point of sets.so, Redis's set family (SADD, SPOP, set
 * algebra, SSCAN) as a dblite module: its state and settings, the type
 * registration and the command table.
 *
 * Init hands the state to the server first (so a failed init leaves
 * nothing behind), then registers the settings (Redis 7.0's
 * set-max-intset-entries and Redis 7.2's listpack settings, with their
 * defaults, applied from the [sets] section right after init returns), the
 * type and the commands.  The server frees the state at exit, after the
 * keyspace; sets never point at it.
 */
#include <limits.h>

#include "dblite_module.h"
#include "set_type.h"
#include "sets.h"
#include "sets_service.h"

DBLITE_MODULE_DECLARE();

/* Every command with Redis 7.0's arity, flags and key positions (as
 * COMMAND INFO shows them) and its COMMAND DOCS summary.  SINTERCARD finds
 * its keys through numkeys, so like Redis it declares no fixed key range. */
#define SET_COMMAND(...) DBLITE_COMMAND(.group = "set", __VA_ARGS__)
#define KEYS(first, last, step) .first_key = (first), .last_key = (last), .key_step = (step)

static const dblite_command_spec set_commands[] = {
    SET_COMMAND(.name = "sadd", .arity = -3, .flags = "write deny-oom fast", KEYS(1, 1, 1),
                .handler = sets_sadd_command, .summary = "Add one or more members to a set",
                .since = "1.0.0", .arguments = "key member [member ...]"),
    SET_COMMAND(.name = "srem", .arity = -3, .flags = "write fast", KEYS(1, 1, 1),
                .handler = sets_srem_command, .summary = "Remove one or more members from a set",
                .since = "1.0.0", .arguments = "key member [member ...]"),
    SET_COMMAND(.name = "scard", .arity = 2, .flags = "readonly fast", KEYS(1, 1, 1),
                .handler = sets_scard_command, .summary = "Get the number of members in a set",
                .since = "1.0.0", .arguments = "key"),
    SET_COMMAND(.name = "sismember", .arity = 3, .flags = "readonly fast", KEYS(1, 1, 1),
                .handler = sets_sismember_command,
                .summary = "Determine if a given value is a member of a set", .since = "1.0.0",
                .arguments = "key member"),
    SET_COMMAND(.name = "smismember", .arity = -3, .flags = "readonly fast", KEYS(1, 1, 1),
                .handler = sets_smismember_command,
                .summary = "Returns the membership associated with the given elements for a set",
                .since = "6.2.0", .arguments = "key member [member ...]"),
    SET_COMMAND(.name = "smembers", .arity = 2, .flags = "readonly", KEYS(1, 1, 1),
                .handler = sets_smembers_command, .summary = "Get all the members in a set",
                .since = "1.0.0", .arguments = "key"),
    SET_COMMAND(.name = "srandmember", .arity = -2, .flags = "readonly", KEYS(1, 1, 1),
                .handler = sets_srandmember_command,
                .summary = "Get one or multiple random members from a set", .since = "1.0.0",
                .arguments = "key [count]"),
    SET_COMMAND(.name = "spop", .arity = -2, .flags = "write fast", KEYS(1, 1, 1),
                .handler = sets_spop_command,
                .summary = "Remove and return one or multiple random members from a set",
                .since = "1.0.0", .arguments = "key [count]"),
    SET_COMMAND(.name = "smove", .arity = 4, .flags = "write fast", KEYS(1, 2, 1),
                .handler = sets_smove_command, .summary = "Move a member from one set to another",
                .since = "1.0.0", .arguments = "source destination member"),
    SET_COMMAND(.name = "sinter", .arity = -2, .flags = "readonly", KEYS(1, -1, 1),
                .handler = sets_sinter_command, .summary = "Intersect multiple sets",
                .since = "1.0.0", .arguments = "key [key ...]"),
    SET_COMMAND(.name = "sintercard", .arity = -3, .flags = "readonly",
                .handler = sets_sintercard_command,
                .summary = "Intersect multiple sets and return the cardinality of the result",
                .since = "7.0.0", .arguments = "numkeys key [key ...] [LIMIT limit]"),
    SET_COMMAND(.name = "sinterstore", .arity = -3, .flags = "write deny-oom", KEYS(1, -1, 1),
                .handler = sets_sinterstore_command,
                .summary = "Intersect multiple sets and store the resulting set in a key",
                .since = "1.0.0", .arguments = "destination key [key ...]"),
    SET_COMMAND(.name = "sunion", .arity = -2, .flags = "readonly", KEYS(1, -1, 1),
                .handler = sets_sunion_command, .summary = "Add multiple sets", .since = "1.0.0",
                .arguments = "key [key ...]"),
    SET_COMMAND(.name = "sunionstore", .arity = -3, .flags = "write deny-oom", KEYS(1, -1, 1),
                .handler = sets_sunionstore_command,
                .summary = "Add multiple sets and store the resulting set in a key",
                .since = "1.0.0", .arguments = "destination key [key ...]"),
    SET_COMMAND(.name = "sdiff", .arity = -2, .flags = "readonly", KEYS(1, -1, 1),
                .handler = sets_sdiff_command, .summary = "Subtract multiple sets",
                .since = "1.0.0", .arguments = "key [key ...]"),
    SET_COMMAND(.name = "sdiffstore", .arity = -3, .flags = "write deny-oom", KEYS(1, -1, 1),
                .handler = sets_sdiffstore_command,
                .summary = "Subtract multiple sets and store the resulting set in a key",
                .since = "1.0.0", .arguments = "destination key [key ...]"),
    SET_COMMAND(.name = "sscan", .arity = -3, .flags = "readonly", KEYS(1, 1, 1),
                .handler = sets_sscan_command, .summary = "Incrementally iterate Set elements",
                .since = "2.8.0", .arguments = "key cursor [MATCH pattern] [COUNT count]"),
};

static int register_settings(dblite_module *module, sets_state *state)
{
    if (dblite_config_integer(module, "set-max-intset-entries", &state->max_intset_entries,
                              SET_DEFAULT_MAX_INTSET_ENTRIES, 0, LLONG_MAX,
                              DBLITE_CONFIG_MUTABLE) != DBLITE_OK ||
        dblite_config_integer(module, "set-max-listpack-entries", &state->max_packed_entries,
                              SET_DEFAULT_MAX_PACKED_ENTRIES, 0, LLONG_MAX,
                              DBLITE_CONFIG_MUTABLE) != DBLITE_OK ||
        dblite_config_integer(module, "set-max-listpack-value", &state->max_packed_value,
                              SET_DEFAULT_MAX_PACKED_LENGTH, 0, LLONG_MAX,
                              DBLITE_CONFIG_MUTABLE) != DBLITE_OK)
        return DBLITE_ERR;
    return DBLITE_OK;
}

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    sets_state *state = dblite_alloc(sizeof *state);
    if (state == NULL) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    state->max_intset_entries = SET_DEFAULT_MAX_INTSET_ENTRIES;
    state->max_packed_entries = SET_DEFAULT_MAX_PACKED_ENTRIES;
    state->max_packed_value = SET_DEFAULT_MAX_PACKED_LENGTH;
    random_source_seed(&state->random);
    dblite_module_set_data_free(module, state, dblite_free);
    int status = register_settings(module, state);
    if (status != DBLITE_OK)
        return status;
    state->type = set_type_register(module);
    if (state->type == NULL)
        return DBLITE_ERR;
    status = sets_service_export(module);
    if (status != DBLITE_OK)
        return status;
    return dblite_command_register_table(module, set_commands, DBLITE_ARRAY_LENGTH(set_commands));
}
