# Self-test of the integration-test harness (tests/support/server_process.c)
# against the real server, with the strings-only config.
dblite_add_integration_test(harness_test ${CMAKE_CURRENT_LIST_DIR}/harness_test.c)
target_link_libraries(harness_test PRIVATE dblite_test_reply_checks)

# The reply assertions (reply_checks.h) shared by the integration tests,
# compiled once; a test links it with
#   target_link_libraries(NAME PRIVATE dblite_test_reply_checks)
# (fragments included before this one may name it: CMake resolves target
# names when it generates, after every fragment is read).
add_library(dblite_test_reply_checks STATIC ${CMAKE_CURRENT_LIST_DIR}/reply_checks.c)
target_include_directories(dblite_test_reply_checks PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(dblite_test_reply_checks PUBLIC PkgConfig::CMOCKA PkgConfig::HIREDIS)
