# The blocking sorted-set pops side by side with redis-server: arrival
# order, fractional timeouts, several keys, wake-ups by stores, MULTI, and
# the append-only files of both compared; full ZSCAN walks and random
# ZRANDMEMBER shapes (see the script's header).  Standard library only.
dblite_add_script_test(zsets_blocking python3 ${CMAKE_CURRENT_LIST_DIR}/test_zsets_blocking.py)
