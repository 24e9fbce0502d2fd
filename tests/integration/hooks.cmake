# Module hook tests (test_hooks) and startup-error tests for the config and
# the module loader (test_config_errors).  Both need the test modules from
# tests/modules/modules.cmake, found through DBLITE_TEST_MODULE_PATH.
set(hooks_test_module_dir ${CMAKE_BINARY_DIR}/test-modules)
set(hooks_test_modules hooktest hookpeer notmodule noentry futureapi initfail silentfail clash)

foreach(hooks_test test_hooks test_config_errors)
  dblite_add_integration_test(${hooks_test}
    ${CMAKE_CURRENT_LIST_DIR}/${hooks_test}.c
    ${CMAKE_CURRENT_LIST_DIR}/hooks_support.c)
  target_link_libraries(${hooks_test} PRIVATE dblite_test_reply_checks)
  add_dependencies(${hooks_test} ${hooks_test_modules} strings)
  set_property(TEST ${hooks_test} APPEND PROPERTY ENVIRONMENT
    "DBLITE_TEST_MODULE_PATH=${hooks_test_module_dir}"
    "DBLITE_TEST_CONFIG_DIR=${PROJECT_SOURCE_DIR}/tests/configs")
endforeach()
