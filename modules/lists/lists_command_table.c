/*
 * lists_command_table.c - what the lists module registers: every command
 * with Redis 7.0's arity, flags and key positions (as COMMAND INFO shows
 * them) and its COMMAND DOCS summary.  LMPOP and BLMPOP find their keys
 * through numkeys, so like Redis they declare no fixed key range.
 */
#include "lists_commands.h"

static const dblite_command_spec list_commands[] = {
    {DBLITE_API_VERSION, "lpush", -3, "write deny-oom fast", 1, 1, 1, lists_lpush_command,
     "Prepend one or multiple elements to a list", "1.0.0", "list", "key element [element ...]", NULL},
    {DBLITE_API_VERSION, "rpush", -3, "write deny-oom fast", 1, 1, 1, lists_rpush_command,
     "Append one or multiple elements to a list", "1.0.0", "list", "key element [element ...]", NULL},
    {DBLITE_API_VERSION, "lpushx", -3, "write deny-oom fast", 1, 1, 1, lists_lpushx_command,
     "Prepend an element to a list, only if the list exists", "2.2.0", "list",
     "key element [element ...]", NULL},
    {DBLITE_API_VERSION, "rpushx", -3, "write deny-oom fast", 1, 1, 1, lists_rpushx_command,
     "Append an element to a list, only if the list exists", "2.2.0", "list",
     "key element [element ...]", NULL},
    {DBLITE_API_VERSION, "linsert", 5, "write deny-oom", 1, 1, 1, lists_linsert_command,
     "Insert an element before or after another element in a list", "2.2.0", "list",
     "key BEFORE | AFTER pivot element", NULL},
    {DBLITE_API_VERSION, "lpop", -2, "write fast", 1, 1, 1, lists_lpop_command,
     "Remove and get the first elements in a list", "1.0.0", "list", "key [count]", NULL},
    {DBLITE_API_VERSION, "rpop", -2, "write fast", 1, 1, 1, lists_rpop_command,
     "Remove and get the last elements in a list", "1.0.0", "list", "key [count]", NULL},
    {DBLITE_API_VERSION, "lmpop", -4, "write", 0, 0, 0, lists_lmpop_command,
     "Pop elements from a list", "7.0.0", "list", "numkeys key [key ...] LEFT | RIGHT [COUNT count]", NULL},
    {DBLITE_API_VERSION, "llen", 2, "readonly fast", 1, 1, 1, lists_llen_command,
     "Get the length of a list", "1.0.0", "list", "key", NULL},
    {DBLITE_API_VERSION, "lrange", 4, "readonly", 1, 1, 1, lists_lrange_command,
     "Get a range of elements from a list", "1.0.0", "list", "key start stop", NULL},
    {DBLITE_API_VERSION, "lindex", 3, "readonly", 1, 1, 1, lists_lindex_command,
     "Get an element from a list by its index", "1.0.0", "list", "key index", NULL},
    {DBLITE_API_VERSION, "lpos", -3, "readonly", 1, 1, 1, lists_lpos_command,
     "Return the index of matching elements on a list", "6.0.6", "list",
     "key element [RANK rank] [COUNT num-matches] [MAXLEN len]", NULL},
    {DBLITE_API_VERSION, "lset", 4, "write deny-oom", 1, 1, 1, lists_lset_command,
     "Set the value of an element in a list by its index", "1.0.0", "list", "key index element", NULL},
    {DBLITE_API_VERSION, "lrem", 4, "write", 1, 1, 1, lists_lrem_command,
     "Remove elements from a list", "1.0.0", "list", "key count element", NULL},
    {DBLITE_API_VERSION, "ltrim", 4, "write", 1, 1, 1, lists_ltrim_command,
     "Trim a list to the specified range", "1.0.0", "list", "key start stop", NULL},
    {DBLITE_API_VERSION, "lmove", 5, "write deny-oom", 1, 2, 1, lists_lmove_command,
     "Pop an element from a list, push it to another list and return it", "6.2.0", "list",
     "source destination LEFT | RIGHT LEFT | RIGHT", NULL},
    {DBLITE_API_VERSION, "rpoplpush", 3, "write deny-oom", 1, 2, 1, lists_rpoplpush_command,
     "Remove the last element in a list, prepend it to another list and return it", "1.2.0", "list",
     "source destination", NULL},
    {DBLITE_API_VERSION, "blpop", -3, "write noscript blocking", 1, -2, 1, lists_blpop_command,
     "Remove and get the first element in a list, or block until one is available", "2.0.0", "list",
     "key [key ...] timeout", NULL},
    {DBLITE_API_VERSION, "brpop", -3, "write noscript blocking", 1, -2, 1, lists_brpop_command,
     "Remove and get the last element in a list, or block until one is available", "2.0.0", "list",
     "key [key ...] timeout", NULL},
    {DBLITE_API_VERSION, "blmpop", -5, "write blocking", 0, 0, 0, lists_blmpop_command,
     "Pop elements from a list, or block until one is available", "7.0.0", "list",
     "timeout numkeys key [key ...] LEFT | RIGHT [COUNT count]", NULL},
    {DBLITE_API_VERSION, "blmove", 6, "write deny-oom noscript blocking", 1, 2, 1, lists_blmove_command,
     "Pop an element from a list, push it to another list and return it; or block until one is "
     "available",
     "6.2.0", "list", "source destination LEFT | RIGHT LEFT | RIGHT timeout", NULL},
    {DBLITE_API_VERSION, "brpoplpush", 4, "write deny-oom noscript blocking", 1, 2, 1,
     lists_brpoplpush_command,
     "Pop an element from a list, push it to another list and return it; or block until one is "
     "available",
     "2.2.0", "list", "source destination timeout", NULL},
};

int lists_commands_register(dblite_module *module)
{
    for (size_t index = 0; index < sizeof list_commands / sizeof list_commands[0]; index++) {
        int status = dblite_command_register(module, &list_commands[index]);
        if (status != DBLITE_OK) {
            dblite_module_fail(module, "could not register command '%s' (error %d)", list_commands[index].name,
                               status);
            return status;
        }
    }
    return DBLITE_OK;
}
