#!/usr/bin/env bash
# expiry_wave.sh - what a million keys expiring at once costs the clients,
# and the throughput of SET with a TTL, for dblite-server and a stock
# redis-server side by side.
#
# Expiry wave, on each server in turn (fresh, no persistence):
#   1. 100k keys for the GET load go to db 1 (never expire).
#   2. Baseline: KEYS keys are loaded into db 0 without TTL through
#      `redis-cli --pipe`, then a GET load (`redis-benchmark -t get -c 50
#      --dbnum 1`) runs; p50/p99/max are recorded.  db 0 is flushed.
#   3. Wave: the same KEYS keys are loaded with `SET ... PXAT T`, T chosen
#      so that the load ends shortly (about WAVE_DELAY ms) before T: every
#      key dies in the same millisecond, the worst case for active expiry;
#      the last keys loaded get a TTL of about a second.  The same GET load starts as soon as
#      the load ends, so the wave lands inside it; the count of keys holding
#      a TTL is polled (in a way that purges nothing) to time the wave.  The
#      baseline GET run is polled the same way, so both pay for the polling.
#      With --ex1 the keys are set with a plain `EX 1` instead, so they die
#      spread over the load's duration.
#   4. A few seconds later: DBSIZE of db 0 and resident memory (VmRSS)
#      against the value before the load.
# The GET load is identical in both runs (same keys, same hit rate): the
# only difference is the keys dying in db 0.  redis-benchmark's clients wait
# for each reply (closed loop), so a server stall shows in the max latency
# far more than in p99.
#
# SET with TTL: `redis-benchmark -r 1000000 set key:__rand_int__ <value> EX
# 100` at pipeline 1 and 16, rounds alternating which server goes first;
# medians of requests/s, p99 and server CPU microseconds per request.
#
# Servers are pinned to core 0 and clients to core 1 when there are two
# cores.  Needs a built dblite-server (cmake) and redis-tools.
# Run `bench/expiry_wave.sh --help` for the options.

set -u
. "$(dirname "${BASH_SOURCE[0]}")/bench_common.sh"

keys=1000000
get_keys=100000
get_seconds=10
wave_delay_ms=500
set_requests=200000
rounds=3
pipelines="1,16"
spread=0
run_wave=1
run_set=1

usage() {
    cat <<USAGE
Usage: bench/expiry_wave.sh [options]
  -k, --keys N          keys in the expiry wave (default $keys)
      --get-seconds S   approximate length of each GET run (default $get_seconds)
      --wave-delay MS   time from the end of the load to the deadline (default $wave_delay_ms)
      --ex1             set the wave keys with EX 1 (deadlines spread over the load)
  -n, --requests N      requests per SET-with-TTL run (default $set_requests)
  -r, --rounds N        rounds of SET-with-TTL runs, medians reported (default $rounds)
  -P, --pipelines L     pipeline depths for SET with TTL (default $pipelines)
      --no-wave         skip the expiry wave
      --no-set          skip the SET-with-TTL throughput
$(shared_usage)
USAGE
}

own_option() {
    case "$1" in
        -k|--keys) keys=$2; return 2 ;;
        --get-seconds) get_seconds=$2; return 2 ;;
        --wave-delay) wave_delay_ms=$2; return 2 ;;
        --ex1) spread=1; return 1 ;;
        -n|--requests) set_requests=$2; return 2 ;;
        -r|--rounds) rounds=$2; return 2 ;;
        -P|--pipelines) pipelines=$2; return 2 ;;
        --no-wave) run_wave=0; return 1 ;;
        --no-set) run_set=0; return 1 ;;
    esac
    return 0
}
parse_options "$@"

positive_numbers expiry_wave "$keys" "$get_seconds" "$wave_delay_ms" "$set_requests" "$rounds"
check_setup expiry_wave redis-benchmark redis-cli python3 awk sed

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dblite-expiry-wave-XXXXXX")
SERVER_PID="" MONITOR_PID=""
cleanup() {
    touch "$WORK_DIR/stop_polling" 2>/dev/null
    [ -n "$MONITOR_PID" ] && kill "$MONITOR_PID" 2>/dev/null
    stop_server SERVER >/dev/null 2>&1
    stop_server DBLITE >/dev/null 2>&1
    stop_server REDIS >/dev/null 2>&1
    rm -rf "$WORK_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms() { date +%s%3N; }

# start_server SIDE: a fresh dblite (DBLITE) or redis (REDIS) as SERVER_*.
start_server() {
    if [ "$1" = DBLITE ]; then
        launch_server SERVER "$dblite_binary" "$dblite_config" || exit 1
    else
        launch_server SERVER "$redis_binary" "" || exit 1
    fi
    pin_server "$SERVER_PID"
}

cli() { client timeout 300 redis-cli -p "$SERVER_PORT" "$@"; }

# pipe_load NAME < RESP: redis-cli --pipe; fails unless every reply came
# back clean.
pipe_load() {
    local output
    output=$(client timeout 600 redis-cli -p "$SERVER_PORT" --pipe 2>&1)
    case "$output" in
        *"errors: 0, replies: "*) ;;
        *) echo "expiry_wave: loading $1 failed: $output" >&2; exit 1 ;;
    esac
}

# wave_resp MODE: SET wave:NNNNNNNNN <16 bytes> for the wave keys, MODE
# plain (no TTL), pxat (PXAT with a placeholder replaced at load time) or ex1.
wave_resp() {
    awk -v count="$keys" -v mode="$1" 'BEGIN {
        for (i = 0; i < count; i++) {
            key = sprintf("wave:%09d", i)
            value = substr("v" i "xxxxxxxxxxxxxxxx", 1, 16)
            if (mode == "plain")
                printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$16\r\n%s\r\n", length(key), key, value
            else if (mode == "pxat")
                printf "*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$16\r\n%s\r\n$4\r\nPXAT\r\n$13\r\nDEADLINEXXXXX\r\n", length(key), key, value
            else
                printf "*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$16\r\n%s\r\n$2\r\nEX\r\n$1\r\n1\r\n", length(key), key, value
        }
    }'
}

# The GET keys go to db 1, named as redis-benchmark -r names them.
make_files() {
    awk -v count="$get_keys" 'BEGIN {
        printf "*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n"
        for (i = 0; i < count; i++) {
            key = sprintf("key:%012d", i)
            printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$3\r\nxxx\r\n", length(key), key
        }
    }' >"$WORK_DIR/get_keys.resp"
    wave_resp plain >"$WORK_DIR/wave_plain.resp"
    if [ "$spread" = 1 ]; then
        wave_resp ex1 >"$WORK_DIR/wave_ttl.resp"
    else
        wave_resp pxat >"$WORK_DIR/wave_ttl.resp"
    fi
}

# get_load REQUESTS OUT: the GET load on db 1; prints "rps p50 p99 max".
get_load() {
    client timeout 600 redis-benchmark -p "$SERVER_PORT" -t get -n "$1" -c 50 -r "$get_keys" \
        --dbnum 1 --csv >"$2" 2>&1
    # "GET","96525.09","0.320","0.072","0.295","0.487","0.655","5.863"
    grep '^"GET"' "$2" | tr -d '"' | awk -F, '{ print $2, $5, $7, $8 }'
}

# monitor_wave SIDE OUT MODE: every ~20 ms writes "ms keys-with-TTL" to OUT,
# the keys of db 0 holding a TTL, dead or not, read without purging
# anything (dblite: INFO expiry; redis: INFO keyspace expires=).  One
# long-lived connection, so the polling costs the client core little.
# MODE "wave" stops when none is left (or after 120 s); "steady" polls
# until the file $WORK_DIR/stop_polling exists - the baseline runs it too,
# so both GET runs share its cost.  (A stop file rather than kill: the
# poller is a grandchild of the background job, which kill would miss.)
monitor_wave() {
    client python3 - "$SERVER_PORT" "$1" "$2" "$3" "$WORK_DIR/stop_polling" <<'PY'
import os, socket, sys, time
port, side, out, mode, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
section = b"expiry" if side == "DBLITE" else b"keyspace"
request = b"*2\r\n$4\r\nINFO\r\n$%d\r\n%s\r\n" % (len(section), section)
connection = socket.create_connection(("127.0.0.1", port))
stream = connection.makefile("rb")

def ttl_count():
    connection.sendall(request)
    header = stream.readline()
    body = stream.read(int(header[1:]) + 2).decode()
    for line in body.split("\r\n"):
        if side == "DBLITE" and line.startswith("expiry_keys_with_ttl:"):
            return int(line.split(":")[1])
        if side != "DBLITE" and line.startswith("db0:"):
            return int(line.split("expires=")[1].split(",")[0])
    return 0

limit = time.time() + 120
with open(out, "a") as log:
    while (mode == "steady" and not os.path.exists(stop)) or \
            (mode == "wave" and time.time() < limit):
        count = ttl_count()
        log.write("%d %d\n" % (time.time() * 1000, count))
        log.flush()
        if mode == "wave" and count == 0:
            break
        time.sleep(0.02)
PY
}

wave_one() {
    local side=$1
    start_server "$side"
    local rss_empty rss_get rss_loaded rss_flushed rss_after
    rss_empty=$(rss_kb "$SERVER_PID")
    pipe_load "GET keys" <"$WORK_DIR/get_keys.resp"
    sleep 1
    rss_get=$(rss_kb "$SERVER_PID")

    # Calibrate the GET load to about get_seconds (same count in both runs).
    local calibration requests
    calibration=$(get_load 100000 "$WORK_DIR/$side.calibrate.csv")
    requests=$(awk -v r="${calibration%% *}" -v s="$get_seconds" \
        'BEGIN { n = int(r * s / 10000) * 10000; print (n < 50000) ? 50000 : n }')

    # Baseline: the wave keys present but persistent.
    local load_started load_ms baseline
    load_started=$(now_ms)
    pipe_load "wave keys without TTL" <"$WORK_DIR/wave_plain.resp"
    load_ms=$(( $(now_ms) - load_started ))
    sleep 1
    rss_loaded=$(rss_kb "$SERVER_PID")
    rm -f "$WORK_DIR/stop_polling"
    monitor_wave "$side" /dev/null steady &
    MONITOR_PID=$!
    baseline=$(get_load "$requests" "$WORK_DIR/$side.baseline.csv")
    touch "$WORK_DIR/stop_polling"
    wait "$MONITOR_PID" 2>/dev/null
    MONITOR_PID=""
    cli FLUSHDB >/dev/null
    sleep 2
    rss_flushed=$(rss_kb "$SERVER_PID")

    # The wave: every key gets the deadline "end of the load + wave_delay_ms",
    # the load's length estimated from the baseline's (plus half: TTLs cost
    # something); a load that overran its deadline (a busy machine) is
    # redone with a later one.
    local deadline=0 attempt margin=$((load_ms * 3 / 2 + 300))
    for attempt in 1 2 3; do
        if [ "$spread" = 1 ]; then
            pipe_load "wave keys with EX 1" <"$WORK_DIR/wave_ttl.resp"
            break
        fi
        deadline=$(( $(now_ms) + margin + wave_delay_ms ))
        # sed streams into the pipe, so it adds nothing to the load time.
        sed "s/DEADLINEXXXXX/$deadline/" "$WORK_DIR/wave_ttl.resp" | pipe_load "wave keys with PXAT" || exit 1
        [ "$(now_ms)" -lt "$deadline" ] && break
        echo "expiry_wave: ${side,,}: the load ended after the deadline; again with a later one" >&2
        cli FLUSHDB >/dev/null
        sleep 2
        margin=$((margin * 2))
    done
    local loaded_at wave get_ended rss_ttl
    loaded_at=$(now_ms)
    rss_ttl=$(rss_kb "$SERVER_PID")
    : >"$WORK_DIR/$side.monitor"
    monitor_wave "$side" "$WORK_DIR/$side.monitor" wave &
    MONITOR_PID=$!
    wave=$(get_load "$requests" "$WORK_DIR/$side.wave.csv")
    get_ended=$(now_ms)
    wait "$MONITOR_PID"
    MONITOR_PID=""
    sleep 3
    local dbsize
    dbsize=$(cli DBSIZE)
    rss_after=$(rss_kb "$SERVER_PID")
    # The first poll that saw keys gone and the first that saw none left.
    local timing
    timing=$(awk -v keys="$keys" '
        $2 != "unknown" && $2 < keys && first == "" { first = $1 }
        $2 == "0" && done == "" { done = $1 }
        END { print (first == "" ? "-" : first), (done == "" ? "-" : done) }' "$WORK_DIR/$side.monitor")
    {
        echo "$side load_ms $load_ms requests $requests"
        echo "$side baseline $baseline"
        echo "$side wave $wave"
        echo "$side times loaded_at $loaded_at deadline $deadline first_expiry ${timing% *} all_expired ${timing#* } get_ended $get_ended"
        echo "$side rss empty $rss_empty get $rss_get loaded $rss_loaded flushed $rss_flushed ttl $rss_ttl after $rss_after"
        echo "$side dbsize $dbsize"
    } >>"$WORK_DIR/wave_results"
    stop_server SERVER >/dev/null || echo "expiry_wave: $side exited non-zero on SIGTERM" >&2
}

print_wave() {
    local results="$WORK_DIR/wave_results" side
    echo
    if [ "$spread" = 1 ]; then
        echo "expiry wave: $keys keys set with EX 1 (deadlines spread over the load), GET load on $get_keys other keys, 50 clients"
    else
        echo "expiry wave: $keys keys sharing one deadline ${wave_delay_ms} ms after their load ended, GET load on $get_keys other keys, 50 clients"
    fi
    printf '%-7s %9s %8s | %-28s | %-28s | %s\n' "" "load ms" "GETs" "no wave: rps p50 p99 max ms" "wave: rps p50 p99 max ms" "wave timing (ms)"
    for side in DBLITE REDIS; do
        local load requests base wave times
        read -r _ _ load _ requests <<<"$(grep "^$side load_ms" "$results")"
        base=$(grep "^$side baseline" "$results" | cut -d' ' -f3-)
        wave=$(grep "^$side wave" "$results" | cut -d' ' -f3-)
        times=$(grep "^$side times" "$results" | awk '
            function at(t) { return (t == "-") ? "never" : sprintf("%+d", t - ref) }
            {
                loaded = $4; deadline = $6; ref = (deadline > 0) ? deadline : loaded
                printf "load end %s, first expired %s, all expired %s, GET run end %s",
                    at(loaded), at($8), at($10), at($12)
            }')
        printf '%-7s %9s %8s | %-28s | %-28s | %s\n' "${side,,}" "$load" "$requests" "$base" "$wave" "$times"
    done
    echo
    printf '%-7s %10s %12s %14s %11s %14s %14s %7s\n' "" "empty kB" "+GET keys kB" "+wave keys kB" "flushed kB" "+with TTL kB" "after wave kB" "DBSIZE"
    for side in DBLITE REDIS; do
        local r dbsize
        r=$(grep "^$side rss" "$results")
        dbsize=$(grep "^$side dbsize" "$results" | cut -d' ' -f3)
        awk -v s="${side,,}" -v d="$dbsize" '{ printf "%-7s %10d %12d %14d %11d %14d %14d %7s\n", s, $4, $6, $8, $10, $12, $14, d }' <<<"$r"
    done
    cat <<NOTE
RSS "+wave keys" is with the $keys keys loaded persistent (baseline run),
"flushed" after FLUSHDB of them, "+with TTL" with them loaded again with a
TTL (just before the deadline), "after wave" a few seconds after they all
expired.  Latency columns come from redis-benchmark --csv
(milliseconds); wave timing from the count of keys holding a TTL (dblite
INFO expiry, redis INFO keyspace expires=) polled every ~20 ms, relative to
the shared deadline (or to the end of the load with --ex1).
NOTE
}

set_one() {
    local side=$1 pipeline=$2 round=$3
    local out="$WORK_DIR/set.$side.$pipeline.$round" pid port cpu_before cpu_after
    if [ "$side" = DBLITE ]; then pid=$DBLITE_PID port=$DBLITE_PORT; else pid=$REDIS_PID port=$REDIS_PORT; fi
    cpu_before=$(cpu_ns "$pid")
    client timeout 600 redis-benchmark -p "$port" -n "$set_requests" -c 50 -P "$pipeline" -r 1000000 \
        --csv set key:__rand_int__ value-of-16-byte EX 100 >"$out.csv" 2>&1
    cpu_after=$(cpu_ns "$pid")
    grep -q "Error from server\|ERR" "$out.csv" && { echo "expiry_wave: $side answered errors:" >&2; cat "$out.csv" >&2; exit 1; }
    # "set key:__rand_int__ ...","123.4","0.3","0.1","0.2","0.5","0.6","2.1"
    grep -v '^"test"' "$out.csv" | grep '^"' | tail -1 | awk -F'","' -v s="$side" -v p="$pipeline" \
        -v cpu=$((cpu_after - cpu_before)) -v n="$set_requests" \
        '{ gsub(/"/, "", $7); print s, p, $2, $7, cpu / n / 1000 }' >>"$WORK_DIR/set_results"
}

set_throughput() {
    start_both
    trap cleanup EXIT
    : >"$WORK_DIR/set_results"
    local round pipeline
    for round in $(seq 1 "$rounds"); do
        for pipeline in ${pipelines//,/ }; do
            printf '\rSET with TTL: round %d/%d P%-3s' "$round" "$rounds" "$pipeline" >&2
            if [ $((round % 2)) = 1 ]; then
                set_one DBLITE "$pipeline" "$round"; set_one REDIS "$pipeline" "$round"
            else
                set_one REDIS "$pipeline" "$round"; set_one DBLITE "$pipeline" "$round"
            fi
        done
    done
    printf '\r%40s\r' "" >&2
    local keys_d keys_r
    keys_d=$(timeout 60 redis-cli -p "$DBLITE_PORT" INFO keyspace | tr -d '\r' | grep '^db0')
    keys_r=$(timeout 60 redis-cli -p "$REDIS_PORT" INFO keyspace | tr -d '\r' | grep '^db0')
    stop_both
    echo
    echo "SET key:__rand_int__ <16 bytes> EX 100, -r 1000000, 50 clients, $set_requests requests, $rounds rounds (medians)"
    printf '%3s %12s %12s %6s %8s %8s %9s %9s %6s\n' P "dblite rps" "redis rps" ratio "d p99ms" "r p99ms" "d us/req" "r us/req" cpu
    for pipeline in ${pipelines//,/ }; do
        local v=() side column
        for side in DBLITE REDIS; do
            for column in 3 4 5; do
                v+=("$(awk -v s="$side" -v p="$pipeline" -v c="$column" '$1 == s && $2 == p { print $c }' "$WORK_DIR/set_results" | median)")
            done
        done
        awk -v p="$pipeline" -v dr="${v[0]}" -v dp="${v[1]}" -v dc="${v[2]}" -v rr="${v[3]}" -v rp="${v[4]}" -v rc="${v[5]}" 'BEGIN {
            printf "%3s %12.0f %12.0f %6.2f %8.3f %8.3f %9.3f %9.3f %6.2f\n", p, dr, rr, dr / rr, dp, rp, dc, rc, rc / dc }'
    done
    echo "keyspace after: dblite $keys_d; redis $keys_r"
    echo "ratio = dblite rps / redis rps; cpu = redis us/req / dblite us/req (higher is better for dblite)"
}

if [ "$run_wave" = 1 ]; then
    echo "preparing $keys wave keys and $get_keys GET keys..." >&2
    make_files
    : >"$WORK_DIR/wave_results"
    wave_one DBLITE
    wave_one REDIS
    print_wave
fi
[ "$run_set" = 1 ] && set_throughput
exit 0
