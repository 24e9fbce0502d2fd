/*
 * lists.c - entry point of lists.so, Redis's lists family (pushes, pops,
 * ranges, edits, moves and their blocking forms) as a dblite module: its
 * state and settings, the type registration and the command table.
 *
 * Init hands the state to the server first (so a failed init leaves
 * nothing behind: the server exits without calling the module again),
 * then registers the settings (applied from the [lists] section right
 * after init returns), the type and the commands.  The server frees the
 * state at exit, after the keyspace (lists do not point at it anyway).
 */
#include <limits.h>

#include "dblite_module.h"
#include "list_fill.h"
#include "list_type.h"
#include "lists.h"

DBLITE_MODULE_DECLARE();

/* Every command with Redis 7.0's arity, flags and key positions (as
 * COMMAND INFO shows them) and its COMMAND DOCS summary.  LMPOP and BLMPOP
 * find their keys through numkeys, so like Redis they declare no fixed key
 * range. */
#define LIST_COMMAND(...) DBLITE_COMMAND(.group = "list", __VA_ARGS__)
#define KEYS(first, last, step) .first_key = (first), .last_key = (last), .key_step = (step)

static const dblite_command_spec list_commands[] = {
    LIST_COMMAND(.name = "lpush", .arity = -3, .flags = "write deny-oom fast", KEYS(1, 1, 1),
                 .handler = lists_lpush_command,
                 .summary = "Prepend one or multiple elements to a list", .since = "1.0.0",
                 .arguments = "key element [element ...]"),
    LIST_COMMAND(.name = "rpush", .arity = -3, .flags = "write deny-oom fast", KEYS(1, 1, 1),
                 .handler = lists_rpush_command,
                 .summary = "Append one or multiple elements to a list", .since = "1.0.0",
                 .arguments = "key element [element ...]"),
    LIST_COMMAND(.name = "lpushx", .arity = -3, .flags = "write deny-oom fast", KEYS(1, 1, 1),
                 .handler = lists_lpushx_command,
                 .summary = "Prepend an element to a list, only if the list exists",
                 .since = "2.2.0", .arguments = "key element [element ...]"),
    LIST_COMMAND(.name = "rpushx", .arity = -3, .flags = "write deny-oom fast", KEYS(1, 1, 1),
                 .handler = lists_rpushx_command,
                 .summary = "Append an element to a list, only if the list exists",
                 .since = "2.2.0", .arguments = "key element [element ...]"),
    LIST_COMMAND(.name = "linsert", .arity = 5, .flags = "write deny-oom", KEYS(1, 1, 1),
                 .handler = lists_linsert_command,
                 .summary = "Insert an element before or after another element in a list",
                 .since = "2.2.0", .arguments = "key BEFORE | AFTER pivot element"),
    LIST_COMMAND(.name = "lpop", .arity = -2, .flags = "write fast", KEYS(1, 1, 1),
                 .handler = lists_lpop_command,
                 .summary = "Remove and get the first elements in a list", .since = "1.0.0",
                 .arguments = "key [count]"),
    LIST_COMMAND(.name = "rpop", .arity = -2, .flags = "write fast", KEYS(1, 1, 1),
                 .handler = lists_rpop_command,
                 .summary = "Remove and get the last elements in a list", .since = "1.0.0",
                 .arguments = "key [count]"),
    LIST_COMMAND(.name = "lmpop", .arity = -4, .flags = "write", .handler = lists_lmpop_command,
                 .summary = "Pop elements from a list", .since = "7.0.0",
                 .arguments = "numkeys key [key ...] LEFT | RIGHT [COUNT count]"),
    LIST_COMMAND(.name = "llen", .arity = 2, .flags = "readonly fast", KEYS(1, 1, 1),
                 .handler = lists_llen_command, .summary = "Get the length of a list",
                 .since = "1.0.0", .arguments = "key"),
    LIST_COMMAND(.name = "lrange", .arity = 4, .flags = "readonly", KEYS(1, 1, 1),
                 .handler = lists_lrange_command, .summary = "Get a range of elements from a list",
                 .since = "1.0.0", .arguments = "key start stop"),
    LIST_COMMAND(.name = "lindex", .arity = 3, .flags = "readonly", KEYS(1, 1, 1),
                 .handler = lists_lindex_command,
                 .summary = "Get an element from a list by its index", .since = "1.0.0",
                 .arguments = "key index"),
    LIST_COMMAND(.name = "lpos", .arity = -3, .flags = "readonly", KEYS(1, 1, 1),
                 .handler = lists_lpos_command,
                 .summary = "Return the index of matching elements on a list", .since = "6.0.6",
                 .arguments = "key element [RANK rank] [COUNT num-matches] [MAXLEN len]"),
    LIST_COMMAND(.name = "lset", .arity = 4, .flags = "write deny-oom", KEYS(1, 1, 1),
                 .handler = lists_lset_command,
                 .summary = "Set the value of an element in a list by its index", .since = "1.0.0",
                 .arguments = "key index element"),
    LIST_COMMAND(.name = "lrem", .arity = 4, .flags = "write", KEYS(1, 1, 1),
                 .handler = lists_lrem_command, .summary = "Remove elements from a list",
                 .since = "1.0.0", .arguments = "key count element"),
    LIST_COMMAND(.name = "ltrim", .arity = 4, .flags = "write", KEYS(1, 1, 1),
                 .handler = lists_ltrim_command, .summary = "Trim a list to the specified range",
                 .since = "1.0.0", .arguments = "key start stop"),
    LIST_COMMAND(.name = "lmove", .arity = 5, .flags = "write deny-oom", KEYS(1, 2, 1),
                 .handler = lists_lmove_command,
                 .summary = "Pop an element from a list, push it to another list and return it",
                 .since = "6.2.0", .arguments = "source destination LEFT | RIGHT LEFT | RIGHT"),
    LIST_COMMAND(.name = "rpoplpush", .arity = 3, .flags = "write deny-oom", KEYS(1, 2, 1),
                 .handler = lists_rpoplpush_command,
                 .summary =
                     "Remove the last element in a list, prepend it to another list and return it",
                 .since = "1.2.0", .arguments = "source destination"),
    LIST_COMMAND(.name = "blpop", .arity = -3, .flags = "write noscript blocking", KEYS(1, -2, 1),
                 .handler = lists_blpop_command,
                 .summary =
                     "Remove and get the first element in a list, or block until one is available",
                 .since = "2.0.0", .arguments = "key [key ...] timeout"),
    LIST_COMMAND(.name = "brpop", .arity = -3, .flags = "write noscript blocking", KEYS(1, -2, 1),
                 .handler = lists_brpop_command,
                 .summary =
                     "Remove and get the last element in a list, or block until one is available",
                 .since = "2.0.0", .arguments = "key [key ...] timeout"),
    LIST_COMMAND(.name = "blmpop", .arity = -5, .flags = "write blocking",
                 .handler = lists_blmpop_command,
                 .summary = "Pop elements from a list, or block until one is available",
                 .since = "7.0.0",
                 .arguments = "timeout numkeys key [key ...] LEFT | RIGHT [COUNT count]"),
    LIST_COMMAND(.name = "blmove", .arity = 6, .flags = "write deny-oom noscript blocking",
                 KEYS(1, 2, 1), .handler = lists_blmove_command,
                 .summary =
                     "Pop an element from a list, push it to another list and return it; or block "
                     "until one is available",
                 .since = "6.2.0",
                 .arguments = "source destination LEFT | RIGHT LEFT | RIGHT timeout"),
    LIST_COMMAND(.name = "brpoplpush", .arity = 4, .flags = "write deny-oom noscript blocking",
                 KEYS(1, 2, 1), .handler = lists_brpoplpush_command,
                 .summary =
                     "Pop an element from a list, push it to another list and return it; or block "
                     "until one is available",
                 .since = "2.2.0", .arguments = "source destination timeout"),
};

static int register_settings(dblite_module *module, lists_state *state)
{
    /* Redis accepts any int; values below -5 act as -5 (list_fill.h). */
    int status = dblite_config_integer(module, "list-max-listpack-size", &state->fill,
                                       LIST_FILL_DEFAULT, INT_MIN, INT_MAX, DBLITE_CONFIG_MUTABLE);
    if (status != DBLITE_OK) {
        dblite_module_fail(module, "could not register list-max-listpack-size (error %d)", status);
        return status;
    }
    /* Redis's name from before listpacks. */
    status = dblite_config_alias(module, "list-max-listpack-size", "list-max-ziplist-size");
    if (status != DBLITE_OK)
        dblite_module_fail(module, "could not register list-max-ziplist-size (error %d)", status);
    return status;
}

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    lists_state *state = dblite_alloc(sizeof(*state));
    if (state == NULL) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    state->fill = LIST_FILL_DEFAULT;
    dblite_module_set_data_free(module, state, dblite_free);
    int status = register_settings(module, state);
    if (status != DBLITE_OK)
        return status;
    state->type = list_type_register(module);
    if (state->type == NULL)
        return DBLITE_ERR;
    return dblite_command_register_table(module, list_commands, DBLITE_ARRAY_LENGTH(list_commands));
}
