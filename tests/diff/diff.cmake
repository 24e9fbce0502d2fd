# Differential test against a stock redis-server (found in PATH; installed
# by scripts/install-deps.sh): every case file in tests/diff/cases/ is run on
# both servers in RESP2 and RESP3 and the raw replies must be identical.
dblite_add_script_test(diff_redis python3 ${PROJECT_SOURCE_DIR}/tests/diff/run_diff.py)
