# client-output-buffer-limit over real sockets: clients and subscribers that
# never read are cut at their class's hard or soft limit, logged, with the
# server's memory bounded and other clients served (see the script's header).
dblite_add_script_test(output_buffer_limit python3 ${CMAKE_CURRENT_LIST_DIR}/test_output_buffer_limit.py)
