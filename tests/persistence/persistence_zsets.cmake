# Sorted sets in RDB files, DUMP payloads and the append-only file, against
# a stock redis-server (see the script's header).
dblite_add_script_test(persistence_zsets python3 ${CMAKE_CURRENT_LIST_DIR}/test_persistence_zsets.py)
