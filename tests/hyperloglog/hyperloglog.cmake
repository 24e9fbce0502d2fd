# hyperloglog.so against a stock redis-server: 1M elements counted on both,
# HLL bytes moved between the servers, hll-sparse-max-bytes, random
# mutations of valid HLLs answered as redis-server answers them, and the
# module without strings.so (see the script's header).
dblite_add_script_test(hyperloglog python3 ${CMAKE_CURRENT_LIST_DIR}/test_hyperloglog.py)
