# Unit tests of the Lua libraries of Redis scripts (modules/scripting/
# lua_libs: cjson, cmsgpack, struct, bit) in a lua_State of their own.
# realloc is wrapped so the test can make the pack buffer's growth fail.
dblite_add_unit_test(test_lua_libs ${CMAKE_CURRENT_LIST_DIR}/test_lua_libs.c)
target_link_libraries(test_lua_libs PRIVATE scripting_lua_libs)
target_link_options(test_lua_libs PRIVATE "LINKER:--wrap=realloc")
