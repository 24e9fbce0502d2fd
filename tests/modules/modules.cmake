# Test modules: hooktest.so exercises every hook of the module API, hookpeer.so
# consumes hooktest's service, and the broken/ ones trip each loader error.
# They go to ${CMAKE_BINARY_DIR}/test-modules and are never installed.
set(DBLITE_TEST_MODULE_DIR ${CMAKE_BINARY_DIR}/test-modules)

function(dblite_add_test_module name)
  add_library(${name} MODULE ${ARGN})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY ${DBLITE_TEST_MODULE_DIR}
    C_VISIBILITY_PRESET hidden)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/include ${CMAKE_CURRENT_FUNCTION_LIST_DIR})
endfunction()

set(hooktest_dir ${CMAKE_CURRENT_LIST_DIR}/hooktest)
dblite_add_test_module(hooktest
  ${hooktest_dir}/hooktest_module.c
  ${hooktest_dir}/hooktest_log.c
  ${hooktest_dir}/hooktest_events.c
  ${hooktest_dir}/hooktest_propagation.c
  ${hooktest_dir}/hooktest_timers.c
  ${hooktest_dir}/hooktest_config.c
  ${hooktest_dir}/hooktest_queue_type.c
  ${hooktest_dir}/hooktest_queue_commands.c
  ${hooktest_dir}/hooktest_blocking.c
  ${hooktest_dir}/hooktest_loading.c
  ${hooktest_dir}/hooktest_info.c)
target_link_libraries(hooktest PRIVATE m)

dblite_add_test_module(hookpeer ${CMAKE_CURRENT_LIST_DIR}/hookpeer/hookpeer_module.c)
# txnprobe.so: what a handler run by EXEC sees (tests/integration/test_transactions.py).
dblite_add_test_module(txnprobe ${CMAKE_CURRENT_LIST_DIR}/txnprobe/txnprobe_module.c)

set(broken_dir ${CMAKE_CURRENT_LIST_DIR}/broken)
dblite_add_test_module(notmodule ${broken_dir}/not_a_module.c)
dblite_add_test_module(noentry ${broken_dir}/no_entry_point.c)
dblite_add_test_module(futureapi ${broken_dir}/future_api.c)
dblite_add_test_module(initfail ${broken_dir}/init_fails.c)
dblite_add_test_module(silentfail ${broken_dir}/silent_fail.c)
dblite_add_test_module(clash ${broken_dir}/command_clash.c)
dblite_add_test_module(badtable ${broken_dir}/bad_table.c)
dblite_add_test_module(futuresymbol ${broken_dir}/future_symbol.c)
dblite_add_test_module(futuresymbolnow ${broken_dir}/future_symbol.c)
target_link_options(futuresymbolnow PRIVATE -Wl,-z,now)

# API version 5: apiv5.so uses each new call; apiv5peer.so is the same
# source reduced to module data with a destructor (the order of exit).
dblite_add_test_module(apiv5 ${CMAKE_CURRENT_LIST_DIR}/apiv5/apiv5_module.c)
dblite_add_test_module(apiv5peer ${CMAKE_CURRENT_LIST_DIR}/apiv5/apiv5_module.c)
target_compile_definitions(apiv5peer PRIVATE APIV5_PEER)

set(DBLITE_TEST_MODULES hooktest hookpeer txnprobe notmodule noentry futureapi initfail silentfail clash badtable apiv5
  apiv5peer futuresymbol futuresymbolnow)

dblite_add_integration_test(test_module_api_v5
  ${CMAKE_CURRENT_LIST_DIR}/test_module_api_v5.c
  ${PROJECT_SOURCE_DIR}/tests/integration/hooks_support.c)
target_include_directories(test_module_api_v5 PRIVATE ${PROJECT_SOURCE_DIR}/tests/integration)
target_link_libraries(test_module_api_v5 PRIVATE dblite_test_reply_checks)
add_dependencies(test_module_api_v5 apiv5 apiv5peer badtable futuresymbol futuresymbolnow strings)
set_property(TEST test_module_api_v5 APPEND PROPERTY ENVIRONMENT
  "DBLITE_TEST_MODULE_PATH=${DBLITE_TEST_MODULE_DIR}")

# The server exports only the module API (cmake/dblite_exports.cmake), and
# every built module and example binds against it.
# A sanitized build links the sanitizer runtime, whose interceptors are
# exported by design: the test then leaves out what that runtime defines.
if(DBLITE_SANITIZE)
  set(DBLITE_EXPORTS_SANITIZER_COMPILER ${CMAKE_C_COMPILER})
else()
  set(DBLITE_EXPORTS_SANITIZER_COMPILER "")
endif()
dblite_add_script_test(module_api_exports sh ${CMAKE_CURRENT_LIST_DIR}/exports_test.sh
  ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR} ${CMAKE_COMMAND} "${DBLITE_EXPORTS_SANITIZER_COMPILER}")

# The loader's read of a module file's API version, on real, foreign,
# truncated and damaged files.
dblite_add_unit_test(test_module_version ${CMAKE_CURRENT_LIST_DIR}/test_module_version.c)
target_compile_definitions(test_module_version PRIVATE
  "APIV5_MODULE=\"$<TARGET_FILE:apiv5>\""
  "FUTURE_NOW_MODULE=\"$<TARGET_FILE:futuresymbolnow>\""
  "NOT_A_MODULE=\"$<TARGET_FILE:notmodule>\"")
add_dependencies(test_module_version apiv5 futuresymbolnow notmodule)
