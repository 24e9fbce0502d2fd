# Issue 19, security and descriptor limits: every test runs the real server
# binary over real sockets (see each file's header for what it proves).
dblite_add_script_test(hardening_path_confinement python3 ${CMAKE_CURRENT_LIST_DIR}/test_path_confinement.py)
dblite_add_script_test(hardening_protected_configs python3 ${CMAKE_CURRENT_LIST_DIR}/test_protected_configs.py)
dblite_add_script_test(hardening_unauthenticated_output python3 ${CMAKE_CURRENT_LIST_DIR}/test_unauthenticated_output.py)
dblite_add_script_test(hardening_protected_mode python3 ${CMAKE_CURRENT_LIST_DIR}/test_protected_mode.py)
dblite_add_script_test(hardening_descriptor_limit python3 ${CMAKE_CURRENT_LIST_DIR}/test_descriptor_limit.py)
