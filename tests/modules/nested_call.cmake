# calltest.so, a plugin on the nested-call API (dblite_call, API 8), and the
# test that drives it (test_call_api.py): every reply kind captured and
# relayed, refusals, blocking commands, MONITOR, statistics and what reaches
# the append-only file.
dblite_add_test_module(calltest ${CMAKE_CURRENT_LIST_DIR}/calltest/calltest_module.c)
dblite_add_script_test(call_api python3 ${CMAKE_CURRENT_LIST_DIR}/test_call_api.py)
set_property(TEST call_api APPEND PROPERTY ENVIRONMENT
  "DBLITE_TEST_MODULE_PATH=${CMAKE_BINARY_DIR}/test-modules")
