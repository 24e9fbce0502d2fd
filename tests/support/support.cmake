# Self-test of the integration-test harness (tests/support/server_process.c)
# against the real server, with the strings-only config.
dblite_add_integration_test(harness_test ${CMAKE_CURRENT_LIST_DIR}/harness_test.c)
