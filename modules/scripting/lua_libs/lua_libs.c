/*
 * lua_libs.c - opens the four libraries of lua_libs.h as globals, in the
 * order Redis's scriptingInit opens them (cjson, struct, cmsgpack, bit).
 *
 * Each opener is called through lua_call with the library's name as its
 * argument, as Lua's own loader would call it, and the table it returns
 * becomes the global: Debian's luaopen_cjson returns its table without
 * setting a global (Redis builds its copy to set one), luaopen_bit sets
 * `bit` itself (setting it again is harmless), and the two openers written
 * here only return theirs.
 */
#include "lua_libs.h"

#include <lauxlib.h>
#include <lua-bitop.h>
#include <lua-cjson.h>

typedef struct {
    const char *name;
    lua_CFunction open;
} lua_library;

static const lua_library libraries[] = {
    {"cjson", luaopen_cjson},
    {"struct", scripting_lua_open_struct},
    {"cmsgpack", scripting_lua_open_cmsgpack},
    {"bit", luaopen_bit},
};

int scripting_lua_open_libraries(lua_State *L)
{
    for (size_t i = 0; i < sizeof(libraries) / sizeof(libraries[0]); i++) {
        lua_pushcfunction(L, libraries[i].open);
        lua_pushstring(L, libraries[i].name);
        lua_call(L, 1, 1);
        lua_setglobal(L, libraries[i].name);
    }
    return 0;
}
