#!/usr/bin/env bash
# pubsub.sh - PUBLISH throughput to 1 and to 50 subscribers, for
# dblite-server and a stock redis-server side by side (issue 12).
#
# Each run, on each server in turn (order alternating per round, both
# servers up at once, no persistence): SUBSCRIBERS connections subscribe to
# a channel of their own for this run (bench/pubsub_subscribers.py, one
# reader process for them all), the script waits until the reader has every
# SUBSCRIBE confirmation and PUBSUB NUMSUB reports them all (30 s limit,
# then a clear error), then `redis-benchmark -n PUBLISHES -c CLIENTS -P P
# PUBLISH chan <payload>` publishes.  The reader checks that every
# subscriber got every message byte for byte; a run where one did not (for
# instance closed by the pubsub output buffer limit) is reported as FAILED
# and is not a result.
#
# Reported, medians over the rounds: publishes/s (redis-benchmark),
# deliveries/s (subscribers x publishes over the time from the start of the
# publishing until the last subscriber had its last byte), and server CPU
# microseconds per publish, measured until the last delivery.  The
# publishers and the reader share the client core, so at high fan-out the
# reader's speed is part of the numbers: CPU per publish compares the servers.
#
# Run `bench/pubsub.sh --help` for the options.

set -u
. "$(dirname "${BASH_SOURCE[0]}")/bench_common.sh"

subscribers="1,50"
publishes=50000
clients=50
pipelines="1,16"
payload=16
rounds=3

usage() {
    cat <<USAGE
Usage: bench/pubsub.sh [options]
  -s, --subscribers L  comma-separated subscriber counts (default $subscribers)
  -n, --publishes N    PUBLISH requests per run (default $publishes)
  -c, --clients N      publishing connections (default $clients)
  -P, --pipelines L    comma-separated pipeline depths (default $pipelines)
  -d, --payload N      message size in bytes (default $payload)
  -r, --rounds N       rounds, results are medians (default $rounds)
$(shared_usage)
USAGE
}
own_option() {
    case "$1" in
        -s|--subscribers) subscribers=$2; return 2 ;;
        -n|--publishes) publishes=$2; return 2 ;;
        -c|--clients) clients=$2; return 2 ;;
        -P|--pipelines) pipelines=$2; return 2 ;;
        -d|--payload) payload=$2; return 2 ;;
        -r|--rounds) rounds=$2; return 2 ;;
    esac
    return 0
}
parse_options "$@"
positive_numbers pubsub "$publishes" "$clients" "$payload" "$rounds" ${subscribers//,/ } ${pipelines//,/ }
check_setup pubsub redis-benchmark redis-cli python3 awk

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dblite-pubsub-XXXXXX")
READER_PID=""
cleanup() {
    [ -n "$READER_PID" ] && kill "$READER_PID" 2>/dev/null
    stop_server DBLITE >/dev/null 2>&1
    stop_server REDIS >/dev/null 2>&1
    rm -rf "$WORK_DIR"
}
trap 'exit 130' INT TERM

# numsub PORT CHANNEL: the subscriber count PUBSUB NUMSUB reports (or -1).
numsub() {
    local reply
    reply=$(timeout 10 redis-cli -p "$1" PUBSUB NUMSUB "$2" 2>/dev/null | sed -n 2p)
    [[ "$reply" =~ ^[0-9]+$ ]] && echo "$reply" || echo -1
}

# wait_subscribed SIDE PORT CHANNEL COUNT READY: until the reader has all
# its confirmations and NUMSUB agrees; exits with a message after 30 s.
wait_subscribed() {
    local side=$1 port=$2 channel=$3 count=$4 ready=$5 deadline=$((SECONDS + 30)) seen=-1
    while [ "$SECONDS" -lt "$deadline" ]; do
        kill -0 "$READER_PID" 2>/dev/null || [ -s "$ready" ] || {
            echo "pubsub: ${side,,}: the subscriber reader exited before subscribing (see above)" >&2
            exit 1
        }
        if [ -s "$ready" ]; then
            seen=$(numsub "$port" "$channel")
            [ "$seen" -eq "$count" ] && return 0
        fi
        sleep 0.05
    done
    echo "pubsub: ${side,,}: $count subscribers not confirmed within 30 s (reader ready: $([ -s "$ready" ] && echo yes || echo no), PUBSUB NUMSUB $channel: $seen)" >&2
    exit 1
}

# run_one SIDE SUBSCRIBERS PIPELINE ROUND: appends
# "side subs p publishes/s deliveries/s cpu_us_per_publish verdict" to results.
run_one() {
    local side=$1 count=$2 pipeline=$3 round=$4
    local pid_var="${side}_PID" port_var="${side}_PORT"
    local pid=${!pid_var} port=${!port_var}
    local channel="bench:$count:$pipeline:$round"
    local base="$WORK_DIR/$side.$count.$pipeline.$round"
    client python3 "$BENCH_DIR/pubsub_subscribers.py" "$port" "$channel" "$count" "$publishes" \
        "$payload" "$base.ready" "$base.result" &
    READER_PID=$!
    wait_subscribed "$side" "$port" "$channel" "$count" "$base.ready"
    local cpu_before cpu_after started errors=0
    cpu_before=$(cpu_ns "$pid")
    started=$(date +%s.%N)
    client timeout 600 redis-benchmark -p "$port" -n "$publishes" -c "$clients" -P "$pipeline" --csv \
        PUBLISH "$channel" "$(head -c "$payload" /dev/zero | tr '\0' x)" >"$base.csv" 2>"$base.err" || errors=1
    wait "$READER_PID"
    READER_PID=""
    cpu_after=$(cpu_ns "$pid")
    grep -q "Error from server" "$base.csv" "$base.err" && errors=1
    kill -0 "$pid" 2>/dev/null || { echo "pubsub: $side died" >&2; exit 1; }
    local rps verdict last complete low high closed corrupt
    rps=$(grep -v '^"test"' "$base.csv" | grep '^"' | tail -1 | cut -d, -f2 | tr -d '"')
    read -r verdict last complete low high closed corrupt <"$base.result" || verdict=FAILED
    [ "$errors" = 1 ] && verdict=FAILED
    if [ "$verdict" != ok ]; then
        echo "pubsub: ${side,,} $count subscribers P$pipeline round $round: $complete of $count got all $publishes messages (per subscriber $low..$high, $closed closed, $corrupt with wrong bytes)$([ "$errors" = 1 ] && echo ", redis-benchmark errors: $(head -c 300 "$base.err" "$base.csv")")" >&2
    fi
    awk -v s="$side" -v c="$count" -v p="$pipeline" -v rps="${rps:-0}" -v n="$publishes" \
        -v start="$started" -v last="$last" -v cpu=$((cpu_after - cpu_before)) -v v="$verdict" 'BEGIN {
        span = last - start
        printf "%s %d %d %s %.0f %.3f %s\n", s, c, p, rps, (span > 0) ? c * n / span : 0, cpu / n / 1000, v
    }' >>"$WORK_DIR/results"
}

start_both
trap cleanup EXIT
echo "dblite-server pid $DBLITE_PID port $DBLITE_PORT; redis-server pid $REDIS_PID port $REDIS_PORT"
echo "publishes $publishes, clients $clients, payload $payload bytes, rounds $rounds, pinned $pin"
: >"$WORK_DIR/results"
for round in $(seq 1 "$rounds"); do
    for count in ${subscribers//,/ }; do
        for pipeline in ${pipelines//,/ }; do
            printf '\rround %d/%d: %d subscribers P%-3s' "$round" "$rounds" "$count" "$pipeline" >&2
            if [ $((round % 2)) = 1 ]; then
                run_one DBLITE "$count" "$pipeline" "$round"; run_one REDIS "$count" "$pipeline" "$round"
            else
                run_one REDIS "$count" "$pipeline" "$round"; run_one DBLITE "$count" "$pipeline" "$round"
            fi
        done
    done
done
printf '\r%40s\r' "" >&2

printf '\n%5s %3s %12s %12s %6s %13s %13s %6s %9s %9s %6s\n' subs P "dblite pub/s" "redis pub/s" ratio \
    "dblite dlv/s" "redis dlv/s" ratio "d us/pub" "r us/pub" cpu
failed=0
for count in ${subscribers//,/ }; do
    for pipeline in ${pipelines//,/ }; do
        v=()
        for side in DBLITE REDIS; do
            for column in 4 5 6; do
                v+=("$(awk -v s="$side" -v c="$count" -v p="$pipeline" -v k="$column" \
                    '$1 == s && $2 == c && $3 == p && $7 == "ok" { print $k }' "$WORK_DIR/results" | median)")
            done
        done
        bad=$(awk -v c="$count" -v p="$pipeline" '$2 == c && $3 == p && $7 != "ok" { n++ } END { print n + 0 }' "$WORK_DIR/results")
        [ "$bad" -gt 0 ] && failed=1
        awk -v c="$count" -v p="$pipeline" -v bad="$bad" \
            -v dr="${v[0]}" -v dd="${v[1]}" -v dc="${v[2]}" -v rr="${v[3]}" -v rd="${v[4]}" -v rc="${v[5]}" '
            function ratio(a, b) { return (a + 0 > 0 && b + 0 > 0) ? sprintf("%.2f", a / b) : "-" }
            BEGIN {
                printf "%5d %3d %12.0f %12.0f %6s %13.0f %13.0f %6s %9.3f %9.3f %6s%s\n", c, p, dr, rr, ratio(dr, rr),
                    dd, rd, ratio(dd, rd), dc, rc, ratio(rc, dc), (bad > 0) ? "  " bad " FAILED run(s) left out" : ""
            }'
    done
done
cat <<NOTE

pub/s = PUBLISH requests/s (redis-benchmark); dlv/s = messages delivered per
second, from the start of publishing until the last subscriber had all of
them; us/pub = server CPU microseconds per PUBLISH ($(cpu_source "$DBLITE_PID") source),
deliveries included.  ratio = dblite / redis for the rates; cpu = redis
us/pub / dblite us/pub (higher is better for dblite everywhere).  Every
subscriber of every run counted here received every message byte for byte.
NOTE
stop_both
[ "$failed" = 0 ] || { echo "pubsub: some runs lost messages (see above): those are not results" >&2; exit 1; }
exit 0
