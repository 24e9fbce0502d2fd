# cli_test_lib.sh - sourced by the redis-cli / redis-benchmark shell tests:
# finds the server under test, starts it, and counts checks.
#
# The server is $DBLITE_SERVER with $DBLITE_CONFIG_DIR/dblite.ini (as ctest
# sets them; see tests/CMakeLists.txt), or any redis-server given as
# DBLITE_SERVER, which lets these tests be checked against stock Redis.
# Each check prints "ok" or "FAIL" with both values; finish_tests prints
# "N passed, N failed" and exits non-zero on any failure.

set -u
CLI_TEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_DIR=${DBLITE_SOURCE_DIR:-$(cd "$CLI_TEST_DIR/../.." && pwd)}
. "$SOURCE_DIR/scripts/lib/server_launch.sh"
. "$SOURCE_DIR/scripts/lib/resp_generate.sh"

PASSED=0
FAILED=0
SERVER_PID=""
SERVER_DIR=""

cleanup_server() {
    if [ -n "$SERVER_PID" ]; then
        kill -KILL "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    [ -n "$SERVER_DIR" ] && rm -rf "$SERVER_DIR"
    [ -n "${WORK_DIR:-}" ] && rm -rf "$WORK_DIR"
}
trap cleanup_server EXIT

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dblite-cli-XXXXXX")

# start_test_server: sets SERVER_PORT (and the other SERVER_* variables).
start_test_server() {
    local binary=${DBLITE_SERVER:-$SOURCE_DIR/build/dblite-server}
    local config=${DBLITE_CONFIG_DIR:-$SOURCE_DIR/config}/dblite.ini
    for tool in redis-cli redis-benchmark python3; do
        command -v "$tool" >/dev/null || { echo "missing $tool (run scripts/install-deps.sh)"; exit 2; }
    done
    launch_server SERVER "$binary" "$config" || { echo "FAIL - server did not start"; exit 1; }
    echo "# server $binary on port $SERVER_PORT"
}

# cli ARGS...: redis-cli against the test server, bounded in time.
cli() {
    timeout 60 redis-cli -p "$SERVER_PORT" "$@"
}

# check NAME EXPECTED ACTUAL
check() {
    if [ "$2" = "$3" ]; then
        PASSED=$((PASSED + 1))
        echo "ok - $1"
    else
        FAILED=$((FAILED + 1))
        echo "FAIL - $1"
        echo "    expected: $(printf '%q' "$2")"
        echo "    actual:   $(printf '%q' "$3")"
    fi
}

# check_contains NAME NEEDLE HAYSTACK
check_contains() {
    case "$3" in
        *"$2"*) check "$1" "$2" "$2" ;;
        *) check "$1" "...$2..." "$3" ;;
    esac
}

# finish_tests: stops the server (its SIGTERM exit status must be 0).
finish_tests() {
    local status=0
    if [ -n "$SERVER_PID" ]; then
        local log
        log=$(cat "$SERVER_LOG" 2>/dev/null)
        stop_server SERVER || status=$?
        check "server exits 0 on SIGTERM" 0 "$status"
        if [ "$FAILED" -ne 0 ]; then
            echo "# server log:"
            printf '%s\n' "$log"
        fi
    fi
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
    exit $?
}
