/*
 * sort.c - entry point of sort.so: SORT and SORT_RO (Redis 7.0) as a
 * module of their own, because they read lists, sets and sorted sets and
 * belong to none of those families.  They reach the data only through
 * dblite_call (sort.h), so the module has no state, no settings and no
 * type: init only registers the command table.
 */
#include "sort.h"

DBLITE_MODULE_DECLARE();

/* SORT's keys as Redis 7.0's sortGetKeys finds them: the sorted key, and
 * the destination of the last STORE, skipping LIMIT's two arguments and
 * GET's and BY's one (a word is read as an option even where it is
 * STORE's key, as there). */
static int sort_get_keys(int argc, const dblite_bytes *argv, int *positions, int max)
{
    if (max < 2 || argc < 2)
        return 0;
    int store = 0;
    for (int i = 2; i < argc; i++) {
        if (dblite_bytes_equal_nocase(argv[i], "limit"))
            i += 2;
        else if (dblite_bytes_equal_nocase(argv[i], "store") && i + 1 < argc)
            store = i + 1;
        else if (dblite_bytes_equal_nocase(argv[i], "get") ||
                 dblite_bytes_equal_nocase(argv[i], "by"))
            i += 1;
    }
    positions[0] = 1;
    if (!store)
        return 1;
    positions[1] = store;
    return 2;
}

/* Redis 7.0's arity, flags and first key, movablekeys included (STORE's
 * destination and the BY/GET keys are found by parsing; SORT's get_keys
 * finds STORE's, as Redis's sortGetKeys, the patterns' keys are unknown
 * until it runs). */
#define SORT_USAGE \
    "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA]"
static const dblite_command_spec sort_commands[] = {
    DBLITE_COMMAND(.name = "sort", .arity = -2, .flags = "write deny-oom movablekeys",
                   .first_key = 1, .last_key = 1, .key_step = 1, .handler = sort_command,
                   .get_keys = sort_get_keys,
                   .summary = "Sort the elements in a list, set or sorted set", .since = "1.0.0",
                   .group = "generic", .arguments = SORT_USAGE " [STORE destination]"),
    DBLITE_COMMAND(.name = "sort_ro", .arity = -2, .flags = "readonly movablekeys", .first_key = 1,
                   .last_key = 1, .key_step = 1, .handler = sort_ro_command,
                   .summary =
                       "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
                   .since = "7.0.0", .group = "generic", .arguments = SORT_USAGE),
};

int dblite_module_init(dblite_module *module)
{
    return dblite_command_register_table(module, sort_commands, DBLITE_ARRAY_LENGTH(sort_commands));
}
