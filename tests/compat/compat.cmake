# The DBLite dialect (dblite_compat.so): a client speaking DBLite's wire
# format against the real server started with config/dblite-compat.ini,
# beside redis-cli on the server's own port.
dblite_add_script_test(compat_dblite python3 ${CMAKE_CURRENT_LIST_DIR}/test_dblite_compat.py)
