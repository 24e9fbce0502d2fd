# Keyspace notifications compared with a stock redis-server's: the scripts
# in tests/diff/notify/ run on both while RESP2 and RESP3 subscribers hold
# PSUBSCRIBE __key*__:*, and every message must be identical, in order.
dblite_add_script_test(diff_notify python3 ${PROJECT_SOURCE_DIR}/tests/diff/run_notify_diff.py)
