/*
 * scripting_redis_api.c - the `redis` table scripts see, as Redis 7.0's
 * script_lua.c builds it: call and pcall (through dblite_call, with the
 * checks Redis's scriptCall makes first and their texts), error_reply,
 * status_reply, sha1hex, log and the LOG_* levels, setresp, set_repl and
 * the REPL_* constants, replicate_commands, breakpoint and debug (answered
 * as without the debugger), acl_check_cmd, REDIS_VERSION(_NUM).
 *
 * Errors raised here are Redis's error tables {err="CODE message"}: the
 * error handler adds where the script was, EVAL turns it into the reply.
 * Every function gets the module state as its upvalue.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "scripting.h"

#define COMMAND_CACHE "dblite.command_info"
#define COMMAND_WRITE 1
#define COMMAND_INFO_SHIFT 4

static scripting_state *api_state(lua_State *lua)
{
    return lua_touserdata(lua, lua_upvalueindex(1));
}

void scripting_push_error(lua_State *lua, const char *text)
{
    size_t len = strlen(text);
    while (len > 0 && (text[len - 1] == '\r' || text[len - 1] == '\n'))
        len--;
    luaL_Buffer buffer;
    lua_newtable(lua);
    luaL_buffinit(lua, &buffer);
    if (text[0] == '-') {
        const char *space = memchr(text, ' ', len);
        if (!space) {
            luaL_addstring(&buffer, "ERR ");
            luaL_addlstring(&buffer, text + 1, len - 1);
        } else {
            luaL_addlstring(&buffer, text + 1, len - 1);
        }
    } else {
        luaL_addstring(&buffer, "ERR ");
        luaL_addlstring(&buffer, text, len);
    }
    luaL_pushresult(&buffer);
    lua_setfield(lua, -2, "err");
}

static int raise_error(lua_State *lua, const char *text)
{
    scripting_push_error(lua, text);
    return lua_error(lua);
}

/* What COMMAND INFO says of argv[0]: (arity << COMMAND_INFO_SHIFT) |
 * COMMAND_WRITE..., cached per state; 0 when the command is unknown. */
static long long command_info(lua_State *lua, scripting_state *state, dblite_bytes name)
{
    char lower[64];
    if (name.len == 0 || name.len >= sizeof lower)
        return 0;
    for (size_t i = 0; i < name.len; i++)
        lower[i] = (char)tolower((unsigned char)name.ptr[i]);
    lower[name.len] = '\0';
    lua_getfield(lua, LUA_REGISTRYINDEX, COMMAND_CACHE);
    if (!lua_istable(lua, -1)) {
        lua_pop(lua, 1);
        lua_newtable(lua);
        lua_pushvalue(lua, -1);
        lua_setfield(lua, LUA_REGISTRYINDEX, COMMAND_CACHE);
    }
    lua_getfield(lua, -1, lower);
    if (lua_isnumber(lua, -1)) {
        long long info = (long long)lua_tonumber(lua, -1);
        lua_pop(lua, 2);
        return info;
    }
    lua_pop(lua, 1);
    dblite_bytes argv[3] = {{"command", 7}, {"info", 4}, {lower, name.len}};
    dblite_call_reply *reply =
        dblite_call(state->run_ctx, 3, argv, DBLITE_CALL_INTERNAL | DBLITE_CALL_RESP2);
    const dblite_call_reply *entry = dblite_call_reply_element(reply, 0);
    long long info = 0;
    if (dblite_call_reply_kind(entry) == DBLITE_CALL_REPLY_ARRAY) {
        long long arity = dblite_call_reply_integer(dblite_call_reply_element(entry, 1));
        const dblite_call_reply *flags = dblite_call_reply_element(entry, 2);
        int bits = 0;
        for (size_t i = 0; i < dblite_call_reply_length(flags); i++) {
            size_t len;
            const char *flag = dblite_call_reply_string(dblite_call_reply_element(flags, i), &len);
            if (flag && len == 5 && memcmp(flag, "write", 5) == 0)
                bits |= COMMAND_WRITE;
        }
        /* Arity is never 0, so a known command never caches 0. */
        info = arity * (1 << COMMAND_INFO_SHIFT) + (arity < 0 ? -bits : bits);
    }
    dblite_call_reply_free(reply);
    if (reply) {
        lua_pushnumber(lua, (lua_Number)info);
        lua_setfield(lua, -2, lower);
    }
    lua_pop(lua, 1);
    return info;
}

static long long info_arity(long long info)
{
    return info / (1 << COMMAND_INFO_SHIFT);
}

static int info_is_write(long long info)
{
    long long bits = info % (1 << COMMAND_INFO_SHIFT);
    return ((bits < 0 ? -bits : bits) & COMMAND_WRITE) != 0;
}

/* The arguments as bytes: strings as they are, numbers as Redis 7.0
 * writes them ("%.17g").  Returns the number of arguments, or -1 when one
 * is of another type.  numbers holds argc * 32 bytes. */
static int collect_arguments(lua_State *lua, int argc, dblite_bytes *argv, char *numbers)
{
    for (int j = 0; j < argc; j++) {
        if (lua_type(lua, j + 1) == LUA_TNUMBER) {
            char *text = numbers + 32 * j;
            int n = snprintf(text, 32, "%.17g", (double)lua_tonumber(lua, j + 1));
            argv[j].ptr = text;
            argv[j].len = (size_t)(n > 0 ? n : 0);
        } else if (lua_type(lua, j + 1) == LUA_TSTRING) {
            argv[j].ptr = lua_tolstring(lua, j + 1, &argv[j].len);
        } else {
            return -1;
        }
    }
    return argc;
}

/* Runs the call; NULL with *error set when it was refused before running. */
static dblite_call_reply *run_call(lua_State *lua, scripting_state *state, int argc,
                                   const dblite_bytes *argv, const char **error)
{
    long long info = command_info(lua, state, argv[0]);
    if (info == 0) {
        *error = "Unknown Redis command called from script";
        return NULL;
    }
    long long arity = info_arity(info);
    if ((arity > 0 && argc != arity) || (arity < 0 && argc < -arity)) {
        *error = "Wrong number of args calling Redis command from script";
        return NULL;
    }
    if (state->run_read_only && info_is_write(info)) {
        *error = "Write commands are not allowed from read-only scripts.";
        return NULL;
    }
    int flags = DBLITE_CALL_SCRIPT | (state->run_resp == 3 ? DBLITE_CALL_RESP3 : DBLITE_CALL_RESP2);
    dblite_call_reply *reply = dblite_call(state->run_ctx, argc, argv, flags);
    if (!reply) {
        *error = "-OOM command not allowed when used memory > 'maxmemory'.";
        return NULL;
    }
    /* A container's subcommand that Redis's lookup refuses before running
     * it: the container answered its own error here, Redis's scriptCall
     * its script texts. */
    size_t len;
    const char *text = dblite_call_reply_kind(reply) == DBLITE_CALL_REPLY_ERROR
                           ? dblite_call_reply_string(reply, &len)
                           : NULL;
    static const char unknown[] = "ERR unknown subcommand '";
    static const char arity_prefix[] = "ERR wrong number of arguments for '";
    if (text && len > sizeof unknown && memcmp(text, unknown, sizeof unknown - 1) == 0) {
        *error = "Unknown Redis command called from script";
    } else if (text && len > sizeof arity_prefix &&
               memcmp(text, arity_prefix, sizeof arity_prefix - 1) == 0 &&
               memchr(text, '|', len) != NULL) {
        *error = "Wrong number of args calling Redis command from script";
    } else {
        return reply;
    }
    dblite_call_reply_free(reply);
    return NULL;
}

static int generic_call(lua_State *lua, int raise)
{
    scripting_state *state = api_state(lua);
    int argc = lua_gettop(lua);
    if (!state->run_ctx) {
        scripting_push_error(lua, "redis.call/pcall can only be called inside a script invocation");
        return raise ? lua_error(lua) : 1;
    }
    if (argc == 0) {
        scripting_push_error(lua, "Please specify at least one argument for this redis lib call");
        return raise ? lua_error(lua) : 1;
    }
    dblite_bytes small_argv[16];
    char small_numbers[16 * 32];
    dblite_bytes *argv = small_argv;
    char *numbers = small_numbers;
    void *block = NULL;
    if (argc > 16) {
        block = dblite_alloc((size_t)argc * (sizeof(dblite_bytes) + 32));
        if (!block) {
            scripting_push_error(lua, "-OOM out of memory in redis.call");
            return raise ? lua_error(lua) : 1;
        }
        argv = block;
        numbers = (char *)(argv + argc);
    }
    const char *error = NULL;
    dblite_call_reply *reply = NULL;
    if (collect_arguments(lua, argc, argv, numbers) < 0)
        error = "Lua redis lib command arguments must be strings or integers";
    else
        reply = run_call(lua, state, argc, argv, &error);
    dblite_free(block);
    if (!reply) {
        scripting_push_error(lua, error);
        return raise ? lua_error(lua) : 1;
    }
    if (raise && dblite_call_reply_kind(reply) == DBLITE_CALL_REPLY_ERROR) {
        size_t len;
        const char *text = dblite_call_reply_string(reply, &len);
        lua_newtable(lua);
        lua_pushlstring(lua, text, len);
        dblite_call_reply_free(reply);
        lua_setfield(lua, -2, "err");
        return lua_error(lua);
    }
    int pushed = scripting_push_reply(lua, reply, state->run_resp);
    dblite_call_reply_free(reply);
    if (!pushed)
        return luaL_error(lua, "reached lua stack limit");
    return 1;
}

static int api_call(lua_State *lua)
{
    return generic_call(lua, 1);
}

static int api_pcall(lua_State *lua)
{
    return generic_call(lua, 0);
}

static int single_field_table(lua_State *lua, const char *field)
{
    if (lua_gettop(lua) != 1 || lua_type(lua, -1) != LUA_TSTRING) {
        scripting_push_error(lua, "wrong number or type of arguments");
        return 1;
    }
    lua_newtable(lua);
    lua_pushstring(lua, field);
    lua_pushvalue(lua, -3);
    lua_settable(lua, -3);
    return 1;
}

static int api_error_reply(lua_State *lua)
{
    if (lua_gettop(lua) != 1 || lua_type(lua, -1) != LUA_TSTRING) {
        scripting_push_error(lua, "wrong number or type of arguments");
        return 1;
    }
    const char *text = lua_tostring(lua, -1);
    if (text[0] == '-') {
        scripting_push_error(lua, text);
    } else {
        lua_pushliteral(lua, "-");
        lua_pushvalue(lua, 1);
        lua_concat(lua, 2);
        scripting_push_error(lua, lua_tostring(lua, -1));
    }
    return 1;
}

static int api_status_reply(lua_State *lua)
{
    return single_field_table(lua, "ok");
}

static int api_sha1hex(lua_State *lua)
{
    if (lua_gettop(lua) != 1)
        return raise_error(lua, "wrong number of arguments");
    size_t len = 0;
    const char *text = lua_tolstring(lua, 1, &len);
    char hex[41];
    scripting_sha1_hex(hex, text ? text : "", text ? len : 0);
    lua_pushstring(lua, hex);
    return 1;
}

static int api_log(lua_State *lua)
{
    scripting_state *state = api_state(lua);
    int argc = lua_gettop(lua);
    if (argc < 2)
        return raise_error(lua, "redis.log() requires two arguments or more.");
    if (!lua_isnumber(lua, -argc))
        return raise_error(lua, "First argument must be a number (log level).");
    int level = (int)lua_tonumber(lua, -argc);
    static const char *const levels[] = {"debug", "verbose", "notice", "warning"};
    if (level < 0 || level > 3)
        return raise_error(lua, "Invalid debug level.");
    luaL_Buffer buffer;
    luaL_buffinit(lua, &buffer);
    for (int j = 1; j < argc; j++) {
        size_t len;
        const char *text = lua_tolstring(lua, (-argc) + j, &len);
        if (text) {
            if (j != 1)
                luaL_addchar(&buffer, ' ');
            luaL_addlstring(&buffer, text, len);
        }
    }
    luaL_pushresult(&buffer);
    dblite_log(state->module, levels[level], "%s", lua_tostring(lua, -1));
    return 0;
}

static int api_setresp(lua_State *lua)
{
    scripting_state *state = api_state(lua);
    int argc = lua_gettop(lua);
    if (argc != 1)
        return raise_error(lua, "redis.setresp() requires one argument.");
    int resp = (int)lua_tonumber(lua, -argc);
    if (resp != 2 && resp != 3)
        return raise_error(lua, "RESP version must be 2 or 3.");
    state->run_resp = resp;
    return 0;
}

static int api_set_repl(lua_State *lua)
{
    scripting_state *state = api_state(lua);
    if (!state->run_ctx)
        return raise_error(lua, "redis.set_repl can only be called inside a script invocation");
    if (lua_gettop(lua) != 1)
        return raise_error(lua, "redis.set_repl() requires two arguments.");
    long long flags = (long long)lua_tonumber(lua, -1);
    if ((flags & ~3LL) != 0)
        return raise_error(
            lua, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
    return 0;
}

static int api_replicate_commands(lua_State *lua)
{
    lua_pushboolean(lua, 1);
    return 1;
}

static int api_breakpoint(lua_State *lua)
{
    lua_pushboolean(lua, 0);
    return 1;
}

static int api_debug(lua_State *lua)
{
    (void)lua;
    return 0;
}

static int api_acl_check_cmd(lua_State *lua)
{
    scripting_state *state = api_state(lua);
    if (!state->run_ctx)
        return raise_error(lua,
                           "redis.acl_check_cmd can only be called inside a script invocation");
    int argc = lua_gettop(lua);
    if (argc == 0)
        return raise_error(lua, "Please specify at least one argument for this redis lib call");
    if (lua_type(lua, 1) != LUA_TSTRING && lua_type(lua, 1) != LUA_TNUMBER)
        return raise_error(lua, "Lua redis lib command arguments must be strings or integers");
    dblite_bytes name;
    name.ptr = lua_tolstring(lua, 1, &name.len);
    if (command_info(lua, state, name) == 0)
        return raise_error(lua, "Invalid command passed to redis.acl_check_cmd()");
    lua_pushboolean(lua, 1);
    return 1;
}

void scripting_redis_api_open(lua_State *lua, scripting_state *state)
{
    static const struct {
        const char *name;
        lua_CFunction fn;
    } functions[] = {
        {"call", api_call},
        {"pcall", api_pcall},
        {"log", api_log},
        {"setresp", api_setresp},
        {"error_reply", api_error_reply},
        {"status_reply", api_status_reply},
        {"set_repl", api_set_repl},
        {"replicate_commands", api_replicate_commands},
        {"sha1hex", api_sha1hex},
        {"breakpoint", api_breakpoint},
        {"debug", api_debug},
        {"acl_check_cmd", api_acl_check_cmd},
    };
    static const struct {
        const char *name;
        int value;
    } constants[] = {
        {"LOG_DEBUG", 0},  {"LOG_VERBOSE", 1},
        {"LOG_NOTICE", 2}, {"LOG_WARNING", 3},
        {"REPL_NONE", 0},  {"REPL_AOF", 1},
        {"REPL_SLAVE", 2}, {"REPL_REPLICA", 2},
        {"REPL_ALL", 3},   {"REDIS_VERSION_NUM", 0x07000f},
    };
    lua_newtable(lua);
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
        lua_pushlightuserdata(lua, state);
        lua_pushcclosure(lua, functions[i].fn, 1);
        lua_setfield(lua, -2, functions[i].name);
    }
    for (size_t i = 0; i < sizeof constants / sizeof constants[0]; i++) {
        lua_pushnumber(lua, constants[i].value);
        lua_setfield(lua, -2, constants[i].name);
    }
    lua_pushliteral(lua, "7.0.15");
    lua_setfield(lua, -2, "REDIS_VERSION");
}
