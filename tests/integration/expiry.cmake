# Integration test of the expiry module: lazy and active expiry, INFO
# counters across RENAME/MOVE/COPY/FLUSH/SWAPDB, TTL-rewrite churn,
# millisecond resolution, propagation (through tests/modules' hooktest.so)
# and the strings-only deployment, against the real server.
dblite_add_integration_test(test_expiry ${CMAKE_CURRENT_LIST_DIR}/test_expiry.c)
add_dependencies(test_expiry strings expiry hooktest)
target_link_libraries(test_expiry PRIVATE dblite_test_reply_checks)
