/*
 * lua_libs.h - the libraries Redis 7.0 gives every Lua script as globals:
 * cjson (JSON), cmsgpack (MessagePack), struct (binary packing) and bit
 * (32-bit bitwise operations).
 *
 * cjson and bit are Debian's lua-cjson 2.1.0 and lua-bitop 1.0.2, the same
 * versions Redis bundles, linked as shared libraries and opened through
 * their luaopen_ functions.  cmsgpack and struct are written here
 * (lua_cmsgpack.c, lua_struct.c) to answer as Redis's copies do, down to
 * the encodings chosen and the error messages.
 *
 * The scripting module calls scripting_lua_open_libraries once per
 * lua_State, after the standard libraries, as Redis's scriptingInit does.
 */
#ifndef DBLITE_SCRIPTING_LUA_LIBS_H
#define DBLITE_SCRIPTING_LUA_LIBS_H

#include <lua.h>

/* Opens cjson, struct, cmsgpack and bit (in Redis's order) and sets each as
 * the global of that name.  Returns 0; a failure (out of memory) is raised
 * as a Lua error, so call it protected (lua_cpcall) if that matters. */
int scripting_lua_open_libraries(lua_State *L);

/* The openers of the two libraries written here: each pushes its table
 * (without setting a global) and returns 1, like a luaopen_ function. */
int scripting_lua_open_struct(lua_State *L);
int scripting_lua_open_cmsgpack(lua_State *L);

#endif
