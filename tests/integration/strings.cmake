# Integration test of the strings module: binary and megabyte values, long
# INCR sequences, APPEND growth, many-pair MSET and a pipelined burst,
# against the real server with the strings-only config.
dblite_add_integration_test(test_strings ${CMAKE_CURRENT_LIST_DIR}/test_strings.c)
add_dependencies(test_strings strings)
target_link_libraries(test_strings PRIVATE dblite_test_reply_checks)
