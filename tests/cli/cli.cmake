# Shell tests that drive the real server with the stock redis-cli and
# redis-benchmark (redis-tools, installed by scripts/install-deps.sh).
dblite_add_script_test(cli_redis_cli bash ${PROJECT_SOURCE_DIR}/tests/cli/redis_cli_test.sh)
dblite_add_script_test(cli_benchmark_smoke bash ${PROJECT_SOURCE_DIR}/tests/cli/benchmark_smoke_test.sh)
