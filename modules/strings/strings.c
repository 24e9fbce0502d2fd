/*
 * strings.c - entry point of strings.so, Redis's strings family (GET, SET
 * and its variants, counters, ranges, LCS) and the bitmap commands that
 * work on string values (SETBIT ... BITFIELD), as a dblite module: the
 * type registration and the command table.
 *
 * Init hands the state to the server first (so a failed init leaves
 * nothing behind), then registers the type and the commands.  The server
 * frees the state at exit, after the keyspace; strings never point at it.
 */
#include "dblite_module.h"
#include "string_type.h"
#include "strings.h"
#include "strings_service.h"

DBLITE_MODULE_DECLARE();

#define SET_TIME_OPTIONS \
    "EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds"

/* Every command with Redis 7.0's arity, flags and key positions (as
 * COMMAND INFO shows them) and its COMMAND DOCS summary. */
#define STRING_COMMAND(...) DBLITE_COMMAND(.group = "string", __VA_ARGS__)
#define BITMAP_COMMAND(...) DBLITE_COMMAND(.group = "bitmap", __VA_ARGS__)
#define KEYS(first, last, step) .first_key = (first), .last_key = (last), .key_step = (step)

static const dblite_command_spec string_commands[] = {
    STRING_COMMAND(.name = "get", .arity = 2, .flags = "readonly fast", KEYS(1, 1, 1),
                   .handler = strings_get_command, .summary = "Get the value of a key",
                   .since = "1.0.0", .arguments = "key"),
    STRING_COMMAND(.name = "set", .arity = -3, .flags = "write deny-oom", KEYS(1, 1, 1),
                   .handler = strings_set_command, .summary = "Set the string value of a key",
                   .since = "1.0.0",
                   .arguments = "key value [NX | XX] [GET] [" SET_TIME_OPTIONS " | KEEPTTL]"),
    STRING_COMMAND(.name = "setnx", .arity = 3, .flags = "write deny-oom fast", KEYS(1, 1, 1),
                   .handler = strings_setnx_command,
                   .summary = "Set the value of a key, only if the key does not exist",
                   .since = "1.0.0", .arguments = "key value"),
    STRING_COMMAND(.name = "setex", .arity = 4, .flags = "write deny-oom", KEYS(1, 1, 1),
                   .handler = strings_setex_command,
                   .summary = "Set the value and expiration of a key", .since = "2.0.0",
                   .arguments = "key seconds value"),
    STRING_COMMAND(.name = "psetex", .arity = 4, .flags = "write deny-oom", KEYS(1, 1, 1),
                   .handler = strings_psetex_command,
                   .summary = "Set the value and expiration in milliseconds of a key",
                   .since = "2.6.0", .arguments = "key milliseconds value"),
    STRING_COMMAND(.name = "getset", .arity = 3, .flags = "write deny-oom fast", KEYS(1, 1, 1),
                   .handler = strings_getset_command,
                   .summary = "Set the string value of a key and return its old value",
                   .since = "1.0.0", .arguments = "key value"),
    STRING_COMMAND(.name = "getdel", .arity = 2, .flags = "write fast", KEYS(1, 1, 1),
                   .handler = strings_getdel_command,
                   .summary = "Get the value of a key and delete the key", .since = "6.2.0",
                   .arguments = "key"),
    STRING_COMMAND(.name = "getex", .arity = -2, .flags = "write fast", KEYS(1, 1, 1),
                   .handler = strings_getex_command,
                   .summary = "Get the value of a key and optionally set its expiration",
                   .since = "6.2.0", .arguments = "key [" SET_TIME_OPTIONS " | PERSIST]"),
    STRING_COMMAND(.name = "mget", .arity = -2, .flags = "readonly fast", KEYS(1, -1, 1),
                   .handler = strings_mget_command,
                   .summary = "Get the values of all the given keys", .since = "1.0.0",
                   .arguments = "key [key ...]"),
    STRING_COMMAND(.name = "mset", .arity = -3, .flags = "write deny-oom", KEYS(1, -1, 2),
                   .handler = strings_mset_command,
                   .summary = "Set multiple keys to multiple values", .since = "1.0.1",
                   .arguments = "key value [key value ...]"),
    STRING_COMMAND(.name = "msetnx", .arity = -3, .flags = "write deny-oom", KEYS(1, -1, 2),
                   .handler = strings_msetnx_command,
                   .summary =
                       "Set multiple keys to multiple values, only if none of the keys exist",
                   .since = "1.0.1", .arguments = "key value [key value ...]"),
    STRING_COMMAND(.name = "append", .arity = 3, .flags = "write deny-oom fast", KEYS(1, 1, 1),
                   .handler = strings_append_command, .summary = "Append a value to a key",
                   .since = "2.0.0", .arguments = "key value"),
    STRING_COMMAND(.name = "strlen", .arity = 2, .flags = "readonly fast", KEYS(1, 1, 1),
                   .handler = strings_strlen_command,
                   .summary = "Get the length of the value stored in a key", .since = "2.2.0",
                   .arguments = "key"),
    STRING_COMMAND(.name = "incr", .arity = 2, .flags = "write deny-oom fast", KEYS(1, 1, 1),
                   .handler = strings_incr_command,
                   .summary = "Increment the integer value of a key by one", .since = "1.0.0",
                   .arguments = "key"),
    STRING_COMMAND(.name = "decr", .arity = 2, .flags = "write deny-oom fast", KEYS(1, 1, 1),
                   .handler = strings_decr_command,
                   .summary = "Decrement the integer value of a key by one", .since = "1.0.0",
                   .arguments = "key"),
    STRING_COMMAND(.name = "incrby", .arity = 3, .flags = "write deny-oom fast", KEYS(1, 1, 1),
                   .handler = strings_incrby_command,
                   .summary = "Increment the integer value of a key by the given amount",
                   .since = "1.0.0", .arguments = "key increment"),
    STRING_COMMAND(.name = "decrby", .arity = 3, .flags = "write deny-oom fast", KEYS(1, 1, 1),
                   .handler = strings_decrby_command,
                   .summary = "Decrement the integer value of a key by the given number",
                   .since = "1.0.0", .arguments = "key decrement"),
    STRING_COMMAND(.name = "incrbyfloat", .arity = 3, .flags = "write deny-oom fast", KEYS(1, 1, 1),
                   .handler = strings_incrbyfloat_command,
                   .summary = "Increment the float value of a key by the given amount",
                   .since = "2.6.0", .arguments = "key increment"),
    STRING_COMMAND(.name = "getrange", .arity = 4, .flags = "readonly", KEYS(1, 1, 1),
                   .handler = strings_getrange_command,
                   .summary = "Get a substring of the string stored at a key", .since = "2.4.0",
                   .arguments = "key start end"),
    STRING_COMMAND(.name = "substr", .arity = 4, .flags = "readonly", KEYS(1, 1, 1),
                   .handler = strings_getrange_command,
                   .summary = "Get a substring of the string stored at a key", .since = "1.0.0",
                   .arguments = "key start end"),
    STRING_COMMAND(.name = "setrange", .arity = 4, .flags = "write deny-oom", KEYS(1, 1, 1),
                   .handler = strings_setrange_command,
                   .summary = "Overwrite part of a string at key starting at the specified offset",
                   .since = "2.2.0", .arguments = "key offset value"),
    STRING_COMMAND(.name = "lcs", .arity = -3, .flags = "readonly", KEYS(1, 2, 1),
                   .handler = strings_lcs_command, .summary = "Find longest common substring",
                   .since = "7.0.0",
                   .arguments = "key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]"),
    BITMAP_COMMAND(.name = "setbit", .arity = 4, .flags = "write deny-oom", KEYS(1, 1, 1),
                   .handler = strings_setbit_command,
                   .summary = "Sets or clears the bit at offset in the string value stored at key",
                   .since = "2.2.0", .arguments = "key offset value"),
    BITMAP_COMMAND(.name = "getbit", .arity = 3, .flags = "readonly fast", KEYS(1, 1, 1),
                   .handler = strings_getbit_command,
                   .summary = "Returns the bit value at offset in the string value stored at key",
                   .since = "2.2.0", .arguments = "key offset"),
    BITMAP_COMMAND(.name = "bitcount", .arity = -2, .flags = "readonly", KEYS(1, 1, 1),
                   .handler = strings_bitcount_command, .summary = "Count set bits in a string",
                   .since = "2.6.0", .arguments = "key [start end [BYTE | BIT]]"),
    BITMAP_COMMAND(.name = "bitpos", .arity = -3, .flags = "readonly", KEYS(1, 1, 1),
                   .handler = strings_bitpos_command,
                   .summary = "Find first bit set or clear in a string", .since = "2.8.7",
                   .arguments = "key bit [start [end [BYTE | BIT]]]"),
    BITMAP_COMMAND(.name = "bitop", .arity = -4, .flags = "write deny-oom", KEYS(2, -1, 1),
                   .handler = strings_bitop_command,
                   .summary = "Perform bitwise operations between strings", .since = "2.6.0",
                   .arguments = "AND | OR | XOR | NOT destkey key [key ...]"),
    BITMAP_COMMAND(.name = "bitfield", .arity = -2, .flags = "write deny-oom", KEYS(1, 1, 1),
                   .handler = strings_bitfield_command,
                   .summary = "Perform arbitrary bitfield integer operations on strings",
                   .since = "3.2.0",
                   .arguments = "key [GET encoding offset | [OVERFLOW WRAP | SAT | FAIL] "
                                "SET encoding offset value | INCRBY encoding offset increment "
                                "...]"),
    BITMAP_COMMAND(.name = "bitfield_ro", .arity = -2, .flags = "readonly fast", KEYS(1, 1, 1),
                   .handler = strings_bitfield_ro_command,
                   .summary = "Perform arbitrary bitfield integer operations on strings. "
                              "Read-only variant of BITFIELD",
                   .since = "6.0.0", .arguments = "key [GET encoding offset ...]"),
};

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    strings_state *state = dblite_alloc(sizeof *state);
    if (state == NULL) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    dblite_module_set_data_free(module, state, dblite_free);
    state->type = string_type_register(module);
    if (state->type == NULL)
        return DBLITE_ERR;
    if (strings_service_export(module, state) != DBLITE_OK)
        return DBLITE_ERR;
    return dblite_command_register_table(module, string_commands,
                                         DBLITE_ARRAY_LENGTH(string_commands));
}
