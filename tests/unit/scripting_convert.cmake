# Unit test of the scripting conversions (modules/scripting/
# scripting_convert.c: Redis replies -> Lua values, Lua values -> RESP).
# Built apart from the core: the test supplies the few module API functions
# the converter uses (a hand-made reply tree, a context writing RESP into a
# buffer), so both directions run without a server.
add_executable(test_scripting_convert
  ${CMAKE_CURRENT_LIST_DIR}/test_scripting_convert.c
  ${PROJECT_SOURCE_DIR}/modules/scripting/scripting_convert.c)
target_include_directories(test_scripting_convert PRIVATE
  ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/modules/scripting)
target_link_libraries(test_scripting_convert PRIVATE PkgConfig::CMOCKA PkgConfig::LUA51 m)
add_test(NAME test_scripting_convert COMMAND test_scripting_convert)
set_tests_properties(test_scripting_convert PROPERTIES LABELS unit TIMEOUT 300)
