#!/usr/bin/env bash
# zsets.sh - the core sorted-set commands, dblite-server and a stock
# redis-server side by side:
#   -t zadd, -t zpopmin  redis-benchmark's own tests (ZADD myzset with a
#                     random score and element:__rand_int__, then ZPOPMIN
#                     myzset, which pops what that run added)
#   ZADD              a random member (and score) into one key, which grows
#   ZRANGE 0 99       of a 1000-member set (a skiplist), 100 members a reply
#   ZRANGEBYSCORE     from a random score to +inf, LIMIT 0 10, on a
#                     1M-member set: the O(log n) seek plus 10 steps
# at pipeline depths 1 and 16 (redis-benchmark's command form, with
# __rand_int__ for the random parts).  Both servers run at once without
# persistence and load the same sets first (redis-cli --pipe); each run goes
# to each server in turn, the order alternating per round.  The table shows
# median requests/s, median p50 and p99 latency, and the server CPU time per
# request.  At P1 the client is the bottleneck long before either server:
# compare the CPU column there.
#
# Run `bench/zsets.sh --help` for the options.  Needs a built
# build/dblite-server with the zsets module, and redis-tools.

set -u
. "$(dirname "${BASH_SOURCE[0]}")/bench_common.sh"

requests=100000
clients=50
rounds=3
pipelines="1,16"
big=1000000

usage() {
    cat <<USAGE
Usage: bench/zsets.sh [options]
  -n, --requests N   requests per benchmark run (default $requests)
  -c, --clients N    parallel connections (default $clients)
  -r, --rounds N     rounds, results are medians (default $rounds)
  -P, --pipelines L  comma-separated pipeline depths (default $pipelines)
  -b, --big N        members of the ZRANGEBYSCORE set (default $big)
$(shared_usage)
USAGE
}
own_option() {
    case "$1" in
        -n|--requests) requests=$2; return 2 ;;
        -c|--clients) clients=$2; return 2 ;;
        -r|--rounds) rounds=$2; return 2 ;;
        -P|--pipelines) pipelines=$2; return 2 ;;
        -b|--big) big=$2; return 2 ;;
    esac
    return 0
}
parse_options "$@"
positive_numbers zsets "$requests" "$clients" "$rounds" "$big" ${pipelines//,/ }
check_setup zsets redis-benchmark redis-cli python3 awk

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dblite-zsets-XXXXXX")
cleanup() {
    stop_server DBLITE >/dev/null 2>&1
    stop_server REDIS >/dev/null 2>&1
    rm -rf "$WORK_DIR"
}
trap 'exit 130' INT TERM

# The tests: a label, the -r keyspace for __rand_int__, the command.
# "-t zadd" and "-t zpopmin" are redis-benchmark's built-in tests; the
# pop run follows the add run of the same pipeline depth on each server.
TEST_LABELS=("redis-benchmark -t zadd" "redis-benchmark -t zpopmin" "ZADD random member"
    "ZRANGE 0 99 (1000)" "ZRANGEBYSCORE LIMIT 0 10 (${big})")
TEST_RANDOM=(1000000 0 1000000 0 "$big")
TEST_COMMANDS=("-t zadd" "-t zpopmin" "ZADD bench:zadd __rand_int__ member:__rand_int__"
    "ZRANGE bench:1k 0 99"
    "ZRANGEBYSCORE bench:big __rand_int__ +inf LIMIT 0 10")

# load_sets PORT: bench:1k (1000 members) and bench:big ($big members,
# scores 0..big-1), as ZADDs of 1000 pairs; checks the sizes.
load_sets() {
    local port=$1 output
    output=$(redis-cli -p "$port" --pipe <"$WORK_DIR/load.resp" 2>&1)
    case "$output" in
        *"errors: 0"*) ;;
        *) echo "zsets: loading failed on port $port: $output" >&2; exit 1 ;;
    esac
    [ "$(redis-cli -p "$port" ZCARD bench:big)" = "$big" ] &&
        [ "$(redis-cli -p "$port" ZCARD bench:1k)" = 1000 ] ||
        { echo "zsets: the sets on port $port do not have their sizes" >&2; exit 1; }
}

python3 - "$big" >"$WORK_DIR/load.resp" <<'PY'
import random, sys
big = int(sys.argv[1])
out = sys.stdout.buffer
def command(*words):
    out.write(b"*%d\r\n" % len(words))
    for word in words:
        out.write(b"$%d\r\n%s\r\n" % (len(word), word))
rng = random.Random(1)
def load(key, count, score):
    for start in range(0, count, 1000):
        words = [b"ZADD", key]
        for i in range(start, min(count, start + 1000)):
            words += [score(i), b"member:%d" % i]
        command(*words)
load(b"bench:1k", 1000, lambda i: b"%d" % rng.randint(0, 1000000))
load(b"bench:big", big, lambda i: b"%d" % i)
PY

# run_one SIDE INDEX PIPELINE: one redis-benchmark run; appends
# "side|index|pipeline|rps|p50|p99|cpu_ns|requests|errors" to results.
run_one() {
    local side=$1 index=$2 pipeline=$3
    local pid_var="${side}_PID" port_var="${side}_PORT"
    local pid=${!pid_var} port=${!port_var} out="$WORK_DIR/run"
    local random_args=() errors=0 cpu_before cpu_after
    [ "${TEST_RANDOM[$index]}" != 0 ] && random_args=(-r "${TEST_RANDOM[$index]}")
    cpu_before=$(cpu_ns "$pid")
    # shellcheck disable=SC2086 # the command splits into its words
    client timeout 600 redis-benchmark -p "$port" -n "$requests" -c "$clients" -P "$pipeline" \
        "${random_args[@]}" --csv ${TEST_COMMANDS[$index]} >"$out.csv" 2>"$out.err" || errors=1
    cpu_after=$(cpu_ns "$pid")
    grep -q "Error from server" "$out.csv" "$out.err" && errors=1
    kill -0 "$pid" 2>/dev/null || { echo "zsets: $side died during ${TEST_LABELS[$index]}" >&2; exit 1; }
    # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
    grep -v '^"test"' "$out.csv" | grep '^"' | tail -1 | tr -d '"' |
        awk -F, -v s="$side" -v i="$index" -v p="$pipeline" -v cpu=$((cpu_after - cpu_before)) \
            -v n="$requests" -v e="$errors" \
            '{ n_fields = NF; print s "|" i "|" p "|" $(n_fields - 6) "|" $(n_fields - 3) "|" $(n_fields - 1) "|" cpu "|" n "|" e }' \
        >>"$WORK_DIR/results"
}

dblite_extra_args=(--persistence.save "")
start_both
trap cleanup EXIT
echo "dblite-server pid $DBLITE_PID port $DBLITE_PORT; redis-server pid $REDIS_PID port $REDIS_PORT"
echo "loading bench:1k (1000 members) and bench:big ($big members) into both"
load_sets "$DBLITE_PORT"
load_sets "$REDIS_PORT"
echo "requests $requests, clients $clients, rounds $rounds, pipelines $pipelines, pinned $pin"
: >"$WORK_DIR/results"
for round in $(seq 1 "$rounds"); do
    for pipeline in ${pipelines//,/ }; do
        for index in "${!TEST_LABELS[@]}"; do
            printf '\rround %d/%d: %-28s P%-3s' "$round" "$rounds" "${TEST_LABELS[$index]}" "$pipeline" >&2
            if [ $((round % 2)) = 1 ]; then
                run_one DBLITE "$index" "$pipeline"; run_one REDIS "$index" "$pipeline"
            else
                run_one REDIS "$index" "$pipeline"; run_one DBLITE "$index" "$pipeline"
            fi
        done
    done
done
printf '\r%60s\r' "" >&2

printf '\n%-34s %3s %10s %10s %6s %7s %7s %7s %7s %8s %8s %6s\n' test P "dblite rps" "redis rps" \
    ratio "d p50" "r p50" "d p99" "r p99" "d us/req" "r us/req" cpu
for index in "${!TEST_LABELS[@]}"; do
    for pipeline in ${pipelines//,/ }; do
        v=()
        for side in DBLITE REDIS; do
            rows=$(awk -F'|' -v s="$side" -v i="$index" -v p="$pipeline" '$1 == s && $2 == i && $3 == p' \
                "$WORK_DIR/results")
            v+=("$(cut -d'|' -f4 <<<"$rows" | median)" "$(cut -d'|' -f5 <<<"$rows" | median)"
                "$(cut -d'|' -f6 <<<"$rows" | median)"
                "$(awk -F'|' '{ cpu += $7; n += $8 } END { printf "%.3f", n ? cpu / n / 1000 : 0 }' <<<"$rows")"
                "$(awk -F'|' '{ e += $9 } END { print e + 0 }' <<<"$rows")")
        done
        awk -v t="${TEST_LABELS[$index]}" -v p="$pipeline" \
            -v dr="${v[0]}" -v d50="${v[1]}" -v d99="${v[2]}" -v dc="${v[3]}" -v de="${v[4]}" \
            -v rr="${v[5]}" -v r50="${v[6]}" -v r99="${v[7]}" -v rc="${v[8]}" -v re="${v[9]}" 'BEGIN {
            ratio = (rr > 0) ? sprintf("%.2f", dr / rr) : "-"
            cpu = (dc > 0) ? sprintf("%.2f", rc / dc) : "-"
            flag = (de > 0 || re > 0) ? "  ERRORS (" (de > 0 ? "dblite" : "redis") ")" : ""
            printf "%-34s %3d %10.0f %10.0f %6s %7.3f %7.3f %7.3f %7.3f %8.3f %8.3f %6s%s\n",
                t, p, dr, rr, ratio, d50, r50, d99, r99, dc, rc, cpu, flag
        }'
    done
done
cat <<NOTE

rps = requests/s; p50, p99 = latency in ms as redis-benchmark reports it
(median over the rounds); us/req = server CPU microseconds per request
($(cpu_source "$DBLITE_PID") source).  ratio = dblite rps / redis rps, cpu = redis us/req /
dblite us/req (higher is better for dblite for both).  At P1 the client is
the bottleneck: compare the CPU columns there.
NOTE
stop_both
exit 0
