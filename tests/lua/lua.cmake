# The Lua libraries of Redis scripts (modules/scripting/lua_libs: cjson,
# cmsgpack, struct, bit).  lua_libs_runner runs snippets in a lua_State with
# them opened and prints the result as Redis's EVAL would reply it;
# test_lua_libs_diff.py runs hundreds of snippets through it and through a
# stock redis-server's EVAL and compares the replies byte for byte.
add_executable(lua_libs_runner ${CMAKE_CURRENT_LIST_DIR}/lua_libs_runner.c)
target_link_libraries(lua_libs_runner PRIVATE scripting_lua_libs)
dblite_add_script_test(lua_libs_diff python3 ${CMAKE_CURRENT_LIST_DIR}/test_lua_libs_diff.py
  $<TARGET_FILE:lua_libs_runner>)
