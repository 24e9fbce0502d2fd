# WATCH invalidated by every write path, side by side with redis-server, and
# EXEC's propagation as MULTI ... EXEC in the append only file (see the
# script's header).
dblite_add_script_test(transactions python3 ${CMAKE_CURRENT_LIST_DIR}/test_transactions.py)
set_property(TEST transactions APPEND PROPERTY ENVIRONMENT
  "DBLITE_TEST_MODULE_PATH=${CMAKE_BINARY_DIR}/test-modules")
