# notifytest.so, a plugin on the keyspace-notification API, and the test that
# drives it (test_notify_plugin.py): what a plugin subscribed to
# DBLITE_EVENT_KEYSPACE_NOTIFICATION receives, and a plugin's own events.
dblite_add_test_module(notifytest ${CMAKE_CURRENT_LIST_DIR}/notifytest/notifytest_module.c)
# A module of API version 3: the kind API 6 appended is out of its range.
add_library(oldkinds MODULE ${CMAKE_CURRENT_LIST_DIR}/notifytest/oldkinds_module.c)
target_include_directories(oldkinds PRIVATE ${PROJECT_SOURCE_DIR}/tests/api_compat/v3)
set_target_properties(oldkinds PROPERTIES
  PREFIX ""
  LIBRARY_OUTPUT_DIRECTORY ${DBLITE_TEST_MODULE_DIR}
  C_VISIBILITY_PRESET hidden)
dblite_add_script_test(notify_plugin python3 ${CMAKE_CURRENT_LIST_DIR}/test_notify_plugin.py)
set_property(TEST notify_plugin APPEND PROPERTY ENVIRONMENT
  "DBLITE_TEST_MODULE_PATH=${CMAKE_BINARY_DIR}/test-modules")
