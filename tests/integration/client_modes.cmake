# CLIENT REPLY / UNBLOCK / NO-EVICT and WAIT over real sockets (see the
# script's header).
dblite_add_script_test(client_modes python3 ${CMAKE_CURRENT_LIST_DIR}/test_client_modes.py)
