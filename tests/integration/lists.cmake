# Integration test of the lists module: blocking commands with several
# clients (FIFO service, timeouts, disconnects, BLMOVE chains), a 100k-item
# producer/consumer run, blocked_clients in INFO and the node-size setting,
# against the real server with tests/configs/lists-only.ini.
find_package(Threads REQUIRED)
dblite_add_integration_test(test_lists ${CMAKE_CURRENT_LIST_DIR}/test_lists.c)
target_link_libraries(test_lists PRIVATE Threads::Threads)
add_dependencies(test_lists lists strings)
# hooktest.so (tests/modules) records propagated commands for the
# propagation test; without it that test is skipped.
if(TARGET hooktest)
  add_dependencies(test_lists hooktest)
endif()
target_link_libraries(test_lists PRIVATE dblite_test_reply_checks)
