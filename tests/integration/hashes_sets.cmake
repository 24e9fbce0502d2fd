# Integration test of the hashes and sets modules: fairness of random picks
# in every encoding, collections far past the conversion thresholds (with
# SSCAN/HSCAN while they change), RESP3 shapes, the encoding settings at
# runtime, what SPOP/HINCRBYFLOAT propagate, and (with persistence.so)
# snapshot and append-only log round trips, against the real server with
# tests/configs/hashes_sets.ini.
dblite_add_integration_test(test_hashes_sets ${CMAKE_CURRENT_LIST_DIR}/test_hashes_sets.c)
target_link_libraries(test_hashes_sets PRIVATE m dblite_test_reply_checks)
add_dependencies(test_hashes_sets hashes sets strings expiry)
# hooktest.so (tests/modules) records propagated commands for the
# propagation test; without it that test is skipped.
if(TARGET hooktest)
  add_dependencies(test_hashes_sets hooktest)
endif()
# persistence.so for the snapshot and log tests; without it they are skipped.
if(TARGET persistence)
  add_dependencies(test_hashes_sets persistence)
endif()
