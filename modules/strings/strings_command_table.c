/*
 * strings_command_table.c - what the strings module registers: every
 * command with Redis 7.0's arity, flags and key positions (as COMMAND INFO
 * shows them) and its COMMAND DOCS summary.
 */
#include "strings_commands.h"

#define SET_TIME_OPTIONS \
    "EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds"

static const dblite_command_spec string_commands[] = {
    {DBLITE_API_VERSION, "get", 2, "readonly fast", 1, 1, 1, strings_get_command,
     "Get the value of a key", "1.0.0", "string", "key", NULL},
    {DBLITE_API_VERSION, "set", -3, "write deny-oom", 1, 1, 1, strings_set_command,
     "Set the string value of a key", "1.0.0", "string",
     "key value [NX | XX] [GET] [" SET_TIME_OPTIONS " | KEEPTTL]", NULL},
    {DBLITE_API_VERSION, "setnx", 3, "write deny-oom fast", 1, 1, 1, strings_setnx_command,
     "Set the value of a key, only if the key does not exist", "1.0.0", "string", "key value", NULL},
    {DBLITE_API_VERSION, "setex", 4, "write deny-oom", 1, 1, 1, strings_setex_command,
     "Set the value and expiration of a key", "2.0.0", "string", "key seconds value", NULL},
    {DBLITE_API_VERSION, "psetex", 4, "write deny-oom", 1, 1, 1, strings_psetex_command,
     "Set the value and expiration in milliseconds of a key", "2.6.0", "string",
     "key milliseconds value", NULL},
    {DBLITE_API_VERSION, "getset", 3, "write deny-oom fast", 1, 1, 1, strings_getset_command,
     "Set the string value of a key and return its old value", "1.0.0", "string", "key value", NULL},
    {DBLITE_API_VERSION, "getdel", 2, "write fast", 1, 1, 1, strings_getdel_command,
     "Get the value of a key and delete the key", "6.2.0", "string", "key", NULL},
    {DBLITE_API_VERSION, "getex", -2, "write fast", 1, 1, 1, strings_getex_command,
     "Get the value of a key and optionally set its expiration", "6.2.0", "string",
     "key [" SET_TIME_OPTIONS " | PERSIST]", NULL},
    {DBLITE_API_VERSION, "mget", -2, "readonly fast", 1, -1, 1, strings_mget_command,
     "Get the values of all the given keys", "1.0.0", "string", "key [key ...]", NULL},
    {DBLITE_API_VERSION, "mset", -3, "write deny-oom", 1, -1, 2, strings_mset_command,
     "Set multiple keys to multiple values", "1.0.1", "string", "key value [key value ...]", NULL},
    {DBLITE_API_VERSION, "msetnx", -3, "write deny-oom", 1, -1, 2, strings_msetnx_command,
     "Set multiple keys to multiple values, only if none of the keys exist", "1.0.1", "string",
     "key value [key value ...]", NULL},
    {DBLITE_API_VERSION, "append", 3, "write deny-oom fast", 1, 1, 1, strings_append_command,
     "Append a value to a key", "2.0.0", "string", "key value", NULL},
    {DBLITE_API_VERSION, "strlen", 2, "readonly fast", 1, 1, 1, strings_strlen_command,
     "Get the length of the value stored in a key", "2.2.0", "string", "key", NULL},
    {DBLITE_API_VERSION, "incr", 2, "write deny-oom fast", 1, 1, 1, strings_incr_command,
     "Increment the integer value of a key by one", "1.0.0", "string", "key", NULL},
    {DBLITE_API_VERSION, "decr", 2, "write deny-oom fast", 1, 1, 1, strings_decr_command,
     "Decrement the integer value of a key by one", "1.0.0", "string", "key", NULL},
    {DBLITE_API_VERSION, "incrby", 3, "write deny-oom fast", 1, 1, 1, strings_incrby_command,
     "Increment the integer value of a key by the given amount", "1.0.0", "string",
     "key increment", NULL},
    {DBLITE_API_VERSION, "decrby", 3, "write deny-oom fast", 1, 1, 1, strings_decrby_command,
     "Decrement the integer value of a key by the given number", "1.0.0", "string",
     "key decrement", NULL},
    {DBLITE_API_VERSION, "incrbyfloat", 3, "write deny-oom fast", 1, 1, 1,
     strings_incrbyfloat_command, "Increment the float value of a key by the given amount",
     "2.6.0", "string", "key increment", NULL},
    {DBLITE_API_VERSION, "getrange", 4, "readonly", 1, 1, 1, strings_getrange_command,
     "Get a substring of the string stored at a key", "2.4.0", "string", "key start end", NULL},
    {DBLITE_API_VERSION, "substr", 4, "readonly", 1, 1, 1, strings_getrange_command,
     "Get a substring of the string stored at a key", "1.0.0", "string", "key start end", NULL},
    {DBLITE_API_VERSION, "setrange", 4, "write deny-oom", 1, 1, 1, strings_setrange_command,
     "Overwrite part of a string at key starting at the specified offset", "2.2.0", "string",
     "key offset value", NULL},
    {DBLITE_API_VERSION, "lcs", -3, "readonly", 1, 2, 1, strings_lcs_command,
     "Find longest common substring", "7.0.0", "string",
     "key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]", NULL},
};

int strings_commands_register(dblite_module *module)
{
    for (size_t index = 0; index < sizeof string_commands / sizeof string_commands[0]; index++) {
        int status = dblite_command_register(module, &string_commands[index]);
        if (status != DBLITE_OK) {
            dblite_module_fail(module, "could not register command '%s' (error %d)",
                               string_commands[index].name, status);
            return status;
        }
    }
    return DBLITE_OK;
}
