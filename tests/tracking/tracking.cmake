# Client-side caching over several connections, against a stock
# redis-server where the bytes must match (see the script's header).
dblite_add_script_test(tracking_clients python3 ${CMAKE_CURRENT_LIST_DIR}/test_tracking.py)
