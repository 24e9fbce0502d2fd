# CLIENT REPLY / UNBLOCK / NO-EVICT and WAIT over real sockets (see the
# script's header).
dblite_add_script_test(client_modes python3 ${CMAKE_CURRENT_LIST_DIR}/test_client_modes.py)
# MONITOR, CLIENT PAUSE/UNPAUSE, RESET, CLIENT HELP and pushes under CLIENT
# REPLY OFF over several connections, against a stock redis-server.
dblite_add_script_test(client_ops python3 ${CMAKE_CURRENT_LIST_DIR}/test_client_ops.py)
