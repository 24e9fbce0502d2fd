/*
 * hyperloglog.c - entry point of hyperloglog.so, Redis's HyperLogLog
 * commands (PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST) as a dblite module:
 * the state, the hll-sparse-max-bytes setting and the command table.
 *
 * The values are strings owned by strings.so; this module keeps no type of
 * its own.  Its state lives with the server (dblite_module_set_data_free).
 */
#include <limits.h>

#include "dblite_module.h"
#include "hyperloglog.h"

DBLITE_MODULE_DECLARE();

#define HLL_COMMAND(...) DBLITE_COMMAND(.group = "hyperloglog", __VA_ARGS__)
#define KEYS(first, last, step) .first_key = (first), .last_key = (last), .key_step = (step)

/* Redis 7.0's arity, flags and key positions (COMMAND INFO) and summaries. */
static const dblite_command_spec hyperloglog_commands[] = {
    HLL_COMMAND(.name = "pfadd", .arity = -2, .flags = "write deny-oom fast", KEYS(1, 1, 1),
                .handler = hll_pfadd_command,
                .summary = "Adds the specified elements to the specified HyperLogLog.",
                .since = "2.8.9", .arguments = "key [element [element ...]]"),
    HLL_COMMAND(.name = "pfcount", .arity = -2, .flags = "readonly", KEYS(1, -1, 1),
                .handler = hll_pfcount_command,
                .summary = "Return the approximated cardinality of the set(s) observed by the "
                           "HyperLogLog at key(s).",
                .since = "2.8.9", .arguments = "key [key ...]"),
    HLL_COMMAND(.name = "pfmerge", .arity = -2, .flags = "write deny-oom", KEYS(1, -1, 1),
                .handler = hll_pfmerge_command,
                .summary = "Merge N different HyperLogLogs into a single one.", .since = "2.8.9",
                .arguments = "destkey [sourcekey [sourcekey ...]]"),
    HLL_COMMAND(.name = "pfdebug", .arity = 3, .flags = "write deny-oom admin", KEYS(2, 2, 1),
                .handler = hll_pfdebug_command,
                .summary = "Internal commands for debugging HyperLogLog values", .since = "2.8.9",
                .arguments = "subcommand key"),
    HLL_COMMAND(.name = "pfselftest", .arity = 1, .flags = "admin",
                .handler = hll_pfselftest_command,
                .summary = "An internal command for testing HyperLogLog values", .since = "2.8.9"),
};

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    hyperloglog_state *state = dblite_calloc(sizeof *state);
    if (state == NULL) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    dblite_module_set_data_free(module, state, dblite_free);
    int status = dblite_config_integer(module, "hll-sparse-max-bytes", &state->sparse_max_bytes,
                                       3000, 0, LONG_MAX, DBLITE_CONFIG_MUTABLE);
    if (status != DBLITE_OK)
        return status;
    return dblite_command_register_table(module, hyperloglog_commands,
                                         DBLITE_ARRAY_LENGTH(hyperloglog_commands));
}
