#!/usr/bin/env bash
# bench.sh - compares dblite-server with a stock redis-server side by side.
#
# Throughput: both servers run at once on free loopback ports (never 6379),
# without persistence; for each test and pipeline depth redis-benchmark runs
# against each in turn (order alternating per round), and the table shows the
# median requests/s and p99 latency over the rounds plus the server CPU time
# per request.  At pipeline 1 the benchmark client saturates its own core
# long before the server does, so the rates there mostly measure the client:
# CPU per request is the number that compares the servers.  Servers are
# pinned to core 0 and the client to core 1 (when there are two cores) so
# they do not steal each other's time.
#
# Memory: fresh servers each load the same KEYS small string keys through
# `redis-cli --pipe`; resident memory (VmRSS) is compared in absolute terms
# and above the empty-server baseline.  Then each empties itself with a
# (synchronous) FLUSHALL, timed over one connection: the cost of freeing a
# whole dataset.
#
# Run `bench/bench.sh --help` for the options.  Needs a built
# build/dblite-server (scripts/run-server.sh or cmake) and redis-tools.

set -u
. "$(dirname "${BASH_SOURCE[0]}")/bench_common.sh"
. "$SOURCE_DIR/scripts/lib/resp_generate.sh"

STRING_TESTS="ping_inline,ping_mbulk,set,get,incr,mset"
ALL_TESTS="$STRING_TESTS,lpush,rpush,lpop,rpop,sadd,spop,hset,lrange_100"

requests=200000
clients=50
rounds=3
pipelines="1,16"
tests=$STRING_TESTS
keys=1000000
value_size=16
run_throughput=1
run_memory=1

usage() {
    cat <<USAGE
Usage: bench/bench.sh [options]
  -n, --requests N     requests per benchmark run (default $requests)
  -c, --clients N      parallel connections (default $clients)
  -r, --rounds N       rounds per test, results are medians (default $rounds)
  -P, --pipelines L    comma-separated pipeline depths (default $pipelines)
  -t, --tests L        redis-benchmark tests (default $STRING_TESTS;
                       "all" = $ALL_TESTS)
  -k, --keys N         keys loaded for the memory comparison (default $keys)
  -s, --value-size N   value size in bytes for the memory keys (default $value_size)
      --no-throughput  skip the throughput part
      --no-memory      skip the memory part
      --dblite-arg A   extra argument for dblite-server (repeatable)
$(shared_usage)
USAGE
}

own_option() {
    case "$1" in
        -n|--requests) requests=$2; return 2 ;;
        -c|--clients) clients=$2; return 2 ;;
        -r|--rounds) rounds=$2; return 2 ;;
        -P|--pipelines) pipelines=$2; return 2 ;;
        -t|--tests) tests=$2; return 2 ;;
        -k|--keys) keys=$2; return 2 ;;
        -s|--value-size) value_size=$2; return 2 ;;
        --no-throughput) run_throughput=0; return 1 ;;
        --no-memory) run_memory=0; return 1 ;;
        --dblite-arg) dblite_extra_args+=("$2"); return 2 ;;
    esac
    return 0
}
parse_options "$@"
[ "$tests" = all ] && tests=$ALL_TESTS
tests=${tests//ping,/ping_inline,ping_mbulk,}
[ "${tests##*,}" = ping ] && tests="${tests%ping}ping_inline,ping_mbulk"

positive_numbers bench "$requests" "$clients" "$rounds" "$keys" "$value_size"
check_setup bench redis-benchmark redis-cli python3 awk

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dblite-bench-XXXXXX")
DBLITE_PID="" REDIS_PID=""
cleanup() {
    stop_server DBLITE >/dev/null 2>&1
    stop_server REDIS >/dev/null 2>&1
    rm -rf "$WORK_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_both stops the servers at exit; the work directory goes too.
start_servers() {
    start_both
    trap cleanup EXIT
}

# run_one SIDE TEST PIPELINE ROUND: one redis-benchmark run; appends
# "side|test name|pipeline|rps|p99|cpu_ns|requests|errors" to results.
run_one() {
    local side=$1 test=$2 pipeline=$3 round=$4
    local pid_var="${side}_PID" port_var="${side}_PORT"
    local pid=${!pid_var} port=${!port_var}
    local out="$WORK_DIR/$side.$test.$pipeline.$round"
    local cpu_before cpu_after
    cpu_before=$(cpu_ns "$pid")
    # redis-benchmark stops at the first error reply, exiting non-zero.
    local errors=0
    client timeout 600 redis-benchmark -p "$port" -n "$requests" -c "$clients" -P "$pipeline" \
        -t "$test" --csv >"$out.csv" 2>"$out.err" || errors=1
    cpu_after=$(cpu_ns "$pid")
    grep -q "Error from server" "$out.csv" "$out.err" && errors=1
    kill -0 "$pid" 2>/dev/null || { echo "bench: $side died during $test"; exit 1; }
    # Rows look like "SET","909090.94","0.581","0.280","0.535","0.967","1.087","1.199".
    local rows
    rows=$(grep -v '^"test"' "$out.csv" | grep '^"' | wc -l)
    [ "$rows" -gt 0 ] || { errors=1; rows=1; }
    grep -v '^"test"' "$out.csv" | grep '^"' | tr -d '"' |
        awk -F, -v side="$side" -v p="$pipeline" -v cpu=$((cpu_after - cpu_before)) \
            -v n=$((requests * rows)) -v errors="$errors" \
            '{ print side "|" $1 "|" p "|" $2 "|" $7 "|" cpu "|" n "|" errors }' >>"$WORK_DIR/results"
}

print_throughput_table() {
    local results="$WORK_DIR/results"
    printf '\n%-36s %3s %12s %12s %6s %8s %8s %9s %9s %6s\n' \
        test P "dblite rps" "redis rps" ratio "d p99ms" "r p99ms" "d us/req" "r us/req" "cpu"
    local names test pipeline
    names=$(cut -d'|' -f2 "$results" | awk '!seen[$0]++')
    while IFS= read -r test; do
        for pipeline in ${pipelines//,/ }; do
            local values=() side
            for side in DBLITE REDIS; do
                local rows
                rows=$(awk -F'|' -v s="$side" -v t="$test" -v p="$pipeline" \
                    '$1 == s && $2 == t && $3 == p' "$results")
                [ -n "$rows" ] || { values+=(nan nan nan 0); continue; }
                values+=("$(cut -d'|' -f4 <<<"$rows" | median)")
                values+=("$(cut -d'|' -f5 <<<"$rows" | median)")
                values+=("$(awk -F'|' '{ cpu += $6; n += $7 } END { printf "%.3f", cpu / n / 1000 }' <<<"$rows")")
                values+=("$(awk -F'|' '{ e += $8 } END { print e + 0 }' <<<"$rows")")
            done
            awk -v t="$test" -v p="$pipeline" \
                -v dr="${values[0]}" -v dp="${values[1]}" -v dc="${values[2]}" -v de="${values[3]}" \
                -v rr="${values[4]}" -v rp="${values[5]}" -v rc="${values[6]}" -v re="${values[7]}" \
                'BEGIN {
                    ratio = (rr > 0) ? sprintf("%.2f", dr / rr) : "-"
                    cpu = (dc > 0) ? sprintf("%.2f", rc / dc) : "-"
                    flag = (de > 0 || re > 0) ? "  ERRORS (" (de > 0 ? "dblite" : "redis") ")" : ""
                    printf "%-36s %3s %12.0f %12.0f %6s %8.3f %8.3f %9.3f %9.3f %6s%s\n",
                        t, p, dr, rr, ratio, dp, rp, dc, rc, cpu, flag
                }'
        done
    done <<<"$names"
    cat <<NOTE

ratio = dblite rps / redis rps (higher is better for dblite); us/req = server
CPU microseconds per request ($(cpu_source "$DBLITE_PID") source), cpu = redis us/req
/ dblite us/req (higher is better for dblite).  At P1 the client is the
bottleneck: compare the CPU columns there.  Tests that pre-fill data
(LRANGE after LPUSH) count the pre-fill's CPU too.
NOTE
}

throughput() {
    start_servers
    echo "dblite-server pid $DBLITE_PID port $DBLITE_PORT; redis-server pid $REDIS_PID port $REDIS_PORT"
    echo "requests $requests, clients $clients, rounds $rounds, pipelines $pipelines, pinned $pin"
    : >"$WORK_DIR/results"
    local round test pipeline
    for round in $(seq 1 "$rounds"); do
        for test in ${tests//,/ }; do
            for pipeline in ${pipelines//,/ }; do
                printf '\rround %d/%d: %-12s P%-3s' "$round" "$rounds" "$test" "$pipeline" >&2
                if [ $((round % 2)) = 1 ]; then
                    run_one DBLITE "$test" "$pipeline" "$round"
                    run_one REDIS "$test" "$pipeline" "$round"
                else
                    run_one REDIS "$test" "$pipeline" "$round"
                    run_one DBLITE "$test" "$pipeline" "$round"
                fi
            done
        done
    done
    printf '\r%40s\r' "" >&2
    print_throughput_table
    stop_both
}

memory() {
    echo
    echo "memory: $keys keys, values of $value_size bytes, loaded with redis-cli --pipe"
    resp_set_commands "$keys" "$value_size" >"$WORK_DIR/keys.resp"
    start_servers
    sleep 1
    local side
    declare -A baseline loaded flush_ms
    for side in DBLITE REDIS; do
        local pid_var="${side}_PID" port_var="${side}_PORT"
        baseline[$side]=$(rss_kb "${!pid_var}")
        local output
        output=$(timeout 600 redis-cli -p "${!port_var}" --pipe <"$WORK_DIR/keys.resp" 2>&1)
        case "$output" in
            *"errors: 0, replies: $keys"*) ;;
            *) echo "bench: loading $side failed: $output" >&2 ;;
        esac
        local size
        size=$(timeout 60 redis-cli -p "${!port_var}" DBSIZE)
        [ "$size" = "$keys" ] || echo "bench: $side holds $size keys, expected $keys" >&2
        sleep 1
        loaded[$side]=$(rss_kb "${!pid_var}")
    done
    for side in DBLITE REDIS; do
        local port_var="${side}_PORT"
        flush_ms[$side]=$(python3 - "${!port_var}" <<'PY'
import socket, sys, time
connection = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
started = time.monotonic()
connection.sendall(b"*1\r\n$8\r\nFLUSHALL\r\n")
reply = connection.recv(16)
print("%.1f" % ((time.monotonic() - started) * 1000) if reply == b"+OK\r\n" else "failed")
PY
)
    done
    awk -v keys="$keys" -v db="${baseline[DBLITE]}" -v dl="${loaded[DBLITE]}" \
        -v rb="${baseline[REDIS]}" -v rl="${loaded[REDIS]}" \
        -v df="${flush_ms[DBLITE]}" -v rf="${flush_ms[REDIS]}" 'BEGIN {
        printf "%-8s %14s %14s %14s %12s\n", "", "empty RSS kB", "loaded RSS kB", "growth kB", "bytes/key"
        printf "%-8s %14d %14d %14d %12.1f\n", "dblite", db, dl, dl - db, (dl - db) * 1024 / keys
        printf "%-8s %14d %14d %14d %12.1f\n", "redis", rb, rl, rl - rb, (rl - rb) * 1024 / keys
        printf "ratio dblite/redis: absolute %.2f, growth %.2f (lower is better for dblite)\n",
            dl / rl, (rl - rb > 0) ? (dl - db) / (rl - rb) : 0
        printf "FLUSHALL of the %d keys: dblite %s ms, redis %s ms", keys, df, rf
        if (df + 0 > 0 && rf + 0 > 0) printf ", ratio %.2f (lower is better for dblite)", df / rf
        printf "\n"
    }'
    stop_both
}

[ "$run_throughput" = 1 ] && throughput
[ "$run_memory" = 1 ] && memory
exit 0
