/*
 * scripting_sandbox.c - the Lua state scripts run in, as Redis 7.0.15's:
 * the base, table, string, math libraries (debug only for the error
 * handler), cjson, struct, cmsgpack, bit and redis; no os, io, print,
 * loadfile, dofile, require, getfenv/setfenv; math.random from Redis's
 * 48-bit generator (rand.c), one sequence for the server's life as in
 * Redis 7.0 (which no longer reseeds per script: effects replication makes
 * a script's randomness harmless), math.randomseed restarting it;
 * loadstring/load refusing bytecode.
 *
 * Redis's patched Lua has readonly tables; stock Lua 5.1 has not, so they
 * are emulated: _G and each library global are empty proxies whose
 * metatable reads through to the real table and refuses writes ("Attempt
 * to modify a readonly table"), and the few base functions that bypass
 * metatables (rawset, rawget, next, pairs, ipairs, setmetatable,
 * getmetatable) are replaced by versions that see through or refuse a
 * proxy.  A missing global raises "Script attempted to access nonexistent
 * global variable".  The registry keeps proxy -> real table
 * (PROXY_BACKING), the metatables getmetatable must hide (HIDDEN_META) and
 * the metatables it must show as proxies (META_PROXY).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lualib.h>

#include "lua_libs.h"
#include "scripting.h"

#define PROXY_BACKING "dblite.proxy_backing"
#define HIDDEN_META "dblite.hidden_meta"
#define META_PROXY "dblite.meta_proxy"
#define GLOBALS_BACKING "dblite.globals"
#define READONLY_ERROR "Attempt to modify a readonly table"

static void *lua_allocator(void *ud, void *ptr, size_t old_size, size_t new_size)
{
    (void)ud;
    (void)old_size;
    if (new_size == 0) {
        dblite_free(ptr);
        return NULL;
    }
    return dblite_realloc(ptr, new_size);
}

/* ---- Redis's rand48 (rand.c): x = x * 0x5DEECE66D + 0xB mod 2^48 ---- */

void scripting_rand_seed(scripting_state *state, int32_t seed)
{
    state->rand_state = (((uint64_t)(uint32_t)seed) << 16 | 0x330E) & 0xFFFFFFFFFFFFull;
}

int32_t scripting_rand_next(scripting_state *state)
{
    state->rand_state = (state->rand_state * 0x5DEECE66Dull + 0xB) & 0xFFFFFFFFFFFFull;
    return (int32_t)(state->rand_state >> 17);
}

static int math_random(lua_State *lua)
{
    scripting_state *state = lua_touserdata(lua, lua_upvalueindex(1));
    lua_Number r = (lua_Number)(scripting_rand_next(state) % INT32_MAX) / (lua_Number)INT32_MAX;
    switch (lua_gettop(lua)) {
        case 0:
            lua_pushnumber(lua, r);
            break;
        case 1: {
            int upper = luaL_checkint(lua, 1);
            luaL_argcheck(lua, 1 <= upper, 1, "interval is empty");
            lua_pushnumber(lua, floor(r * upper) + 1);
            break;
        }
        case 2: {
            int lower = luaL_checkint(lua, 1);
            int upper = luaL_checkint(lua, 2);
            luaL_argcheck(lua, lower <= upper, 2, "interval is empty");
            lua_pushnumber(lua, floor(r * (upper - lower + 1)) + lower);
            break;
        }
        default:
            return luaL_error(lua, "wrong number of arguments");
    }
    return 1;
}

static int math_randomseed(lua_State *lua)
{
    scripting_state *state = lua_touserdata(lua, lua_upvalueindex(1));
    scripting_rand_seed(state, luaL_checkint(lua, 1));
    return 0;
}

/* ---- loading without bytecode ---------------------------------------- */

static int load_chunk(lua_State *lua, const char *text, size_t len, const char *name)
{
    if (len > 0 && text[0] == LUA_SIGNATURE[0]) {
        lua_pushnil(lua);
        lua_pushliteral(lua, "attempt to load a binary chunk");
        return 2;
    }
    if (luaL_loadbuffer(lua, text, len, name) == 0)
        return 1;
    lua_pushnil(lua);
    lua_insert(lua, -2);
    return 2;
}

static int safe_loadstring(lua_State *lua)
{
    size_t len;
    const char *text = luaL_checklstring(lua, 1, &len);
    const char *name = luaL_optstring(lua, 2, text);
    return load_chunk(lua, text, len, name);
}

static int safe_load(lua_State *lua)
{
    luaL_checktype(lua, 1, LUA_TFUNCTION);
    const char *name = luaL_optstring(lua, 2, "=(load)");
    lua_settop(lua, 2);
    lua_pushliteral(lua, "");
    for (;;) {
        lua_pushvalue(lua, 1);
        lua_call(lua, 0, 1);
        if (lua_isnil(lua, -1)) {
            lua_pop(lua, 1);
            break;
        }
        if (!lua_isstring(lua, -1))
            return luaL_error(lua, "reader function must return a string");
        if (lua_objlen(lua, -1) == 0) {
            lua_pop(lua, 1);
            break;
        }
        lua_concat(lua, 2);
    }
    size_t len;
    const char *text = lua_tolstring(lua, 3, &len);
    return load_chunk(lua, text, len, name);
}

/* ---- readonly proxies ------------------------------------------------- */

/* Replaces the value at index by its real table when it is a proxy. */
static void see_through(lua_State *lua, int index)
{
    if (lua_type(lua, index) != LUA_TTABLE)
        return;
    lua_getfield(lua, LUA_REGISTRYINDEX, PROXY_BACKING);
    lua_pushvalue(lua, index);
    lua_rawget(lua, -2);
    if (lua_istable(lua, -1))
        lua_replace(lua, index);
    else
        lua_pop(lua, 1);
    lua_pop(lua, 1);
}

static int is_proxy(lua_State *lua, int index)
{
    if (lua_type(lua, index) != LUA_TTABLE)
        return 0;
    lua_getfield(lua, LUA_REGISTRYINDEX, PROXY_BACKING);
    lua_pushvalue(lua, index);
    lua_rawget(lua, -2);
    int found = !lua_isnil(lua, -1);
    lua_pop(lua, 2);
    return found;
}

static int readonly_error(lua_State *lua)
{
    lua_pushliteral(lua, READONLY_ERROR);
    return lua_error(lua);
}

/* __newindex of every proxy: the position of the writing line, as the
 * patched VM gives it. */
static int proxy_newindex(lua_State *lua)
{
    return luaL_error(lua, READONLY_ERROR);
}

static int globals_index(lua_State *lua)
{
    lua_getfield(lua, LUA_REGISTRYINDEX, GLOBALS_BACKING);
    lua_pushvalue(lua, 2);
    lua_rawget(lua, -2);
    if (!lua_isnil(lua, -1))
        return 1;
    const char *name = lua_tostring(lua, 2);
    return luaL_error(lua, "Script attempted to access nonexistent global variable '%s'",
                      name ? name : "?");
}

static int safe_rawset(lua_State *lua)
{
    luaL_checktype(lua, 1, LUA_TTABLE);
    luaL_checkany(lua, 2);
    luaL_checkany(lua, 3);
    if (is_proxy(lua, 1))
        return readonly_error(lua);
    lua_settop(lua, 3);
    lua_rawset(lua, 1);
    return 1;
}

static int safe_rawget(lua_State *lua)
{
    luaL_checktype(lua, 1, LUA_TTABLE);
    luaL_checkany(lua, 2);
    see_through(lua, 1);
    lua_settop(lua, 2);
    lua_rawget(lua, 1);
    return 1;
}

static int safe_next(lua_State *lua)
{
    luaL_checktype(lua, 1, LUA_TTABLE);
    see_through(lua, 1);
    lua_settop(lua, 2);
    if (lua_next(lua, 1))
        return 2;
    lua_pushnil(lua);
    return 1;
}

static int safe_pairs(lua_State *lua)
{
    luaL_checktype(lua, 1, LUA_TTABLE);
    lua_pushvalue(lua, lua_upvalueindex(1));
    lua_pushvalue(lua, 1);
    lua_pushnil(lua);
    return 3;
}

static int ipairs_step(lua_State *lua)
{
    int i = luaL_checkint(lua, 2);
    luaL_checktype(lua, 1, LUA_TTABLE);
    i++;
    lua_pushinteger(lua, i);
    lua_rawgeti(lua, 1, i);
    return lua_isnil(lua, -1) ? 0 : 2;
}

static int safe_ipairs(lua_State *lua)
{
    luaL_checktype(lua, 1, LUA_TTABLE);
    see_through(lua, 1);
    lua_pushvalue(lua, lua_upvalueindex(1));
    lua_pushvalue(lua, 1);
    lua_pushinteger(lua, 0);
    return 3;
}

static int safe_setmetatable(lua_State *lua)
{
    int t = lua_type(lua, 2);
    luaL_checktype(lua, 1, LUA_TTABLE);
    luaL_argcheck(lua, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table expected");
    if (is_proxy(lua, 1))
        return readonly_error(lua);
    if (luaL_getmetafield(lua, 1, "__metatable"))
        return luaL_error(lua, "cannot change a protected metatable");
    lua_settop(lua, 2);
    lua_setmetatable(lua, 1);
    return 1;
}

static int safe_getmetatable(lua_State *lua)
{
    luaL_checkany(lua, 1);
    if (!lua_getmetatable(lua, 1)) {
        lua_pushnil(lua);
        return 1;
    }
    luaL_getmetafield(lua, 1, "__metatable");
    int mt = lua_gettop(lua);
    lua_getfield(lua, LUA_REGISTRYINDEX, HIDDEN_META);
    lua_pushvalue(lua, mt);
    lua_rawget(lua, -2);
    if (!lua_isnil(lua, -1)) {
        lua_pushnil(lua);
        return 1;
    }
    lua_getfield(lua, LUA_REGISTRYINDEX, META_PROXY);
    lua_pushvalue(lua, mt);
    lua_rawget(lua, -2);
    if (!lua_isnil(lua, -1))
        return 1;
    lua_pushvalue(lua, mt);
    return 1;
}

/* Pushes a readonly proxy of the table at index (absolute). */
static void push_proxy(lua_State *lua, int index)
{
    lua_newtable(lua); /* proxy */
    lua_newtable(lua); /* its metatable */
    lua_pushvalue(lua, index);
    lua_setfield(lua, -2, "__index");
    lua_pushcfunction(lua, proxy_newindex);
    lua_setfield(lua, -2, "__newindex");
    lua_getfield(lua, LUA_REGISTRYINDEX, HIDDEN_META);
    lua_pushvalue(lua, -2);
    lua_pushboolean(lua, 1);
    lua_rawset(lua, -3);
    lua_pop(lua, 1);
    lua_setmetatable(lua, -2);
    lua_getfield(lua, LUA_REGISTRYINDEX, PROXY_BACKING);
    lua_pushvalue(lua, -2);
    lua_pushvalue(lua, index);
    lua_rawset(lua, -3);
    lua_pop(lua, 1);
}

/* A metatable the scripts must not change (the string metatable, _G's):
 * getmetatable shows a proxy of it. */
static void protect_metatable(lua_State *lua, int index)
{
    lua_getfield(lua, LUA_REGISTRYINDEX, META_PROXY);
    lua_pushvalue(lua, index);
    push_proxy(lua, index);
    lua_rawset(lua, -3);
    lua_pop(lua, 1);
}

static void set_function(lua_State *lua, int table, const char *name, lua_CFunction fn)
{
    lua_pushcfunction(lua, fn);
    lua_setfield(lua, table, name);
}

void scripting_sandbox_set_global(lua_State *lua, const char *name)
{
    lua_getfield(lua, LUA_REGISTRYINDEX, GLOBALS_BACKING);
    lua_insert(lua, -2);
    lua_setfield(lua, -2, name);
    lua_pop(lua, 1);
}

static const char *const removed_globals[] = {"print",   "dofile",   "loadfile", "getfenv",
                                              "setfenv", "newproxy", "module",   "require",
                                              "package", "os",       "io",       NULL};
static const char *const library_globals[] = {"string", "table",    "math", "coroutine", "cjson",
                                              "struct", "cmsgpack", "bit",  "redis",     NULL};

/* Redis's handler (eval.c), with debug captured before it is removed. */
static const char error_handler_code[] = "local dbg = debug\n"
                                         "function __redis__err__handler(err)\n"
                                         "  local i = dbg.getinfo(2,'nSl')\n"
                                         "  if i and i.what == 'C' then\n"
                                         "    i = dbg.getinfo(3,'nSl')\n"
                                         "  end\n"
                                         "  if type(err) ~= 'table' then\n"
                                         "    err = {err='ERR ' .. tostring(err)}"
                                         "  end"
                                         "  if i then\n"
                                         "    err['source'] = i.source\n"
                                         "    err['line'] = i.currentline\n"
                                         "  end"
                                         "  return err\n"
                                         "end\n";

static int sandbox_build(lua_State *lua)
{
    scripting_state *state = lua_touserdata(lua, 1);
    static const lua_CFunction openers[] = {luaopen_base, luaopen_table, luaopen_string,
                                            luaopen_math, luaopen_debug};
    static const char *const names[] = {"", LUA_TABLIBNAME, LUA_STRLIBNAME, LUA_MATHLIBNAME,
                                        LUA_DBLIBNAME};
    for (size_t i = 0; i < sizeof openers / sizeof openers[0]; i++) {
        lua_pushcfunction(lua, openers[i]);
        lua_pushstring(lua, names[i]);
        lua_call(lua, 1, 0);
    }
    scripting_lua_open_libraries(lua);
    scripting_redis_api_open(lua, state);
    lua_setglobal(lua, "redis");

    lua_newtable(lua);
    lua_setfield(lua, LUA_REGISTRYINDEX, PROXY_BACKING);
    lua_newtable(lua);
    lua_setfield(lua, LUA_REGISTRYINDEX, HIDDEN_META);
    lua_newtable(lua);
    lua_setfield(lua, LUA_REGISTRYINDEX, META_PROXY);

    lua_pushvalue(lua, LUA_GLOBALSINDEX);
    int globals = lua_gettop(lua);
    lua_pushvalue(lua, globals);
    lua_setfield(lua, LUA_REGISTRYINDEX, GLOBALS_BACKING);

    lua_getfield(lua, globals, "math");
    lua_pushlightuserdata(lua, state);
    lua_pushcclosure(lua, math_random, 1);
    lua_setfield(lua, -2, "random");
    lua_pushlightuserdata(lua, state);
    lua_pushcclosure(lua, math_randomseed, 1);
    lua_setfield(lua, -2, "randomseed");
    lua_pop(lua, 1);

    set_function(lua, globals, "loadstring", safe_loadstring);
    set_function(lua, globals, "load", safe_load);
    set_function(lua, globals, "rawset", safe_rawset);
    set_function(lua, globals, "rawget", safe_rawget);
    set_function(lua, globals, "setmetatable", safe_setmetatable);
    set_function(lua, globals, "getmetatable", safe_getmetatable);
    set_function(lua, globals, "next", safe_next);
    lua_getfield(lua, globals, "next");
    lua_pushcclosure(lua, safe_pairs, 1);
    lua_setfield(lua, globals, "pairs");
    lua_pushcfunction(lua, ipairs_step);
    lua_pushcclosure(lua, safe_ipairs, 1);
    lua_setfield(lua, globals, "ipairs");

    if (luaL_loadbuffer(lua, error_handler_code, sizeof error_handler_code - 1, "@err_handler_def"))
        return lua_error(lua);
    lua_call(lua, 0, 0);
    for (size_t i = 0; removed_globals[i]; i++) {
        lua_pushnil(lua);
        lua_setfield(lua, globals, removed_globals[i]);
    }
    lua_pushnil(lua);
    lua_setfield(lua, globals, LUA_DBLIBNAME);

    /* The string metatable's __index becomes string's proxy, so that
     * getmetatable("").__index == string still holds. */
    for (size_t i = 0; library_globals[i]; i++) {
        lua_getfield(lua, globals, library_globals[i]);
        push_proxy(lua, lua_gettop(lua));
        lua_setfield(lua, globals, library_globals[i]);
        lua_pop(lua, 1);
    }
    lua_pushliteral(lua, "");
    lua_getmetatable(lua, -1);
    lua_getfield(lua, globals, "string");
    lua_setfield(lua, -2, "__index");
    protect_metatable(lua, lua_gettop(lua));
    lua_pop(lua, 2);

    /* _G itself: an empty proxy whose reads go to the real table. */
    lua_newtable(lua);
    int proxy = lua_gettop(lua);
    lua_newtable(lua);
    int meta = lua_gettop(lua);
    lua_pushcfunction(lua, globals_index);
    lua_setfield(lua, meta, "__index");
    lua_pushcfunction(lua, proxy_newindex);
    lua_setfield(lua, meta, "__newindex");
    lua_pushvalue(lua, meta);
    lua_setmetatable(lua, proxy);
    protect_metatable(lua, meta);
    lua_getfield(lua, LUA_REGISTRYINDEX, PROXY_BACKING);
    lua_pushvalue(lua, proxy);
    lua_pushvalue(lua, globals);
    lua_rawset(lua, -3);
    lua_pop(lua, 1);
    lua_pushvalue(lua, proxy);
    lua_setfield(lua, globals, "_G");
    lua_pushvalue(lua, proxy);
    lua_replace(lua, LUA_GLOBALSINDEX);
    return 0;
}

lua_State *scripting_sandbox_create(scripting_state *state)
{
    lua_State *lua = lua_newstate(lua_allocator, NULL);
    if (!lua)
        return NULL;
    if (lua_cpcall(lua, sandbox_build, state) != 0) {
        dblite_log(state->module, "warning", "cannot build the Lua sandbox: %s",
                   lua_isstring(lua, -1) ? lua_tostring(lua, -1) : "out of memory");
        lua_close(lua);
        return NULL;
    }
    return lua;
}
