# WATCH invalidated by every write path, side by side with redis-server, and
# EXEC's propagation as MULTI ... EXEC in the append only file (see the
# script's header).
dblite_add_script_test(transactions python3 ${CMAKE_CURRENT_LIST_DIR}/test_transactions.py)
