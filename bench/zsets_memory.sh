#!/usr/bin/env bash
# zsets_memory.sh - the memory sorted sets take, and the time a snapshot of
# many small ones takes to load, dblite-server and a stock redis-server side
# by side:
#   small   --keys sorted sets of 5 members each (packed in both servers)
#   big     one sorted set of --members members (a skiplist in both)
#   load    --load-keys sets of 10 members saved (SAVE) by each server, then
#           loaded by a fresh server of the same kind at startup
# Each server is started fresh per case, without persistence, and loaded
# through pipelined ZADDs (redis-cli --pipe; the same commands for both).
# Memory is reported per member: the used_memory delta (INFO memory) and
# the resident set size delta (VmRSS), both from just before loading to
# just after.  The load time is the server process's CPU time from its
# start to its first PING answer, minus that of an empty start.
#
# Run `bench/zsets_memory.sh --help` for the options.  Needs a built
# build/dblite-server with the zsets and persistence modules, and
# redis-tools.

set -u
. "$(dirname "${BASH_SOURCE[0]}")/bench_common.sh"

keys=1000000
members=1000000
load_keys=100000
rounds=1

usage() {
    cat <<USAGE
Usage: bench/zsets_memory.sh [options]
  -k, --keys N        5-member sets of the small case (default $keys)
  -m, --members N     members of the big case's one set (default $members)
  -l, --load-keys N   10-member sets of the load case (default $load_keys)
  -r, --rounds N      load case rounds, the time is the median (default $rounds)
$(shared_usage)
USAGE
}
own_option() {
    case "$1" in
        -k|--keys) keys=$2; return 2 ;;
        -m|--members) members=$2; return 2 ;;
        -l|--load-keys) load_keys=$2; return 2 ;;
        -r|--rounds) rounds=$2; return 2 ;;
    esac
    return 0
}
parse_options "$@"
positive_numbers zsets_memory "$keys" "$members" "$load_keys" "$rounds"
check_setup zsets_memory redis-cli python3 awk

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dblite-zsets-memory-XXXXXX")
cleanup() {
    stop_server DBLITE >/dev/null 2>&1
    stop_server REDIS >/dev/null 2>&1
    [ -n "${LOADER_PID:-}" ] && kill "$LOADER_PID" 2>/dev/null
    rm -rf "$WORK_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# generate KIND COUNT > file: the RESP ZADDs of a case.
generate() {
    python3 - "$1" "$2" <<'PY'
import sys
kind, count = sys.argv[1], int(sys.argv[2])
out = sys.stdout.buffer
def command(words):
    out.write(b"*%d\r\n" % len(words))
    for word in words:
        out.write(b"$%d\r\n%s\r\n" % (len(word), word))
if kind == "big":
    for start in range(0, count, 1000):
        words = [b"ZADD", b"big"]
        for i in range(start, min(count, start + 1000)):
            words += [b"%d" % i, b"member:%d" % i]
        command(words)
else:
    size = 5 if kind == "small" else 10
    for key in range(count):
        words = [b"ZADD", b"zset:%d" % key]
        for i in range(size):
            words += [b"%d" % (key + i), b"member:%d" % i]
        command(words)
PY
}

info_field() { # PORT FIELD
    redis-cli -p "$1" INFO memory | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2 }'
}

# pipe_in PORT FILE: loads FILE, failing on any error reply.
pipe_in() {
    local output
    output=$(redis-cli -p "$1" --pipe <"$2" 2>&1)
    case "$output" in
        *"errors: 0"*) ;;
        *) echo "zsets_memory: loading failed on port $1: $output" >&2; exit 1 ;;
    esac
}

# memory_case KIND COUNT MEMBERS: generates KIND with COUNT (keys, or the
# big set's members), loads it; one line per server of bytes per member.
memory_case() {
    local kind=$1 count=$2 total=$3 side port pid used_before rss_before used_after rss_after
    generate "$kind" "$count" >"$WORK_DIR/$kind.resp"
    dblite_extra_args=(--persistence.save "")
    start_both
    for side in DBLITE REDIS; do
        port_var="${side}_PORT" pid_var="${side}_PID"
        port=${!port_var} pid=${!pid_var}
        used_before=$(info_field "$port" used_memory)
        rss_before=$(rss_kb "$pid")
        pipe_in "$port" "$WORK_DIR/$kind.resp"
        used_after=$(info_field "$port" used_memory)
        rss_after=$(rss_kb "$pid")
        awk -v s="$side" -v k="$kind" -v n="$total" -v ub="$used_before" -v ua="$used_after" \
            -v rb="$rss_before" -v ra="$rss_after" -v e="$(redis-cli -p "$port" OBJECT ENCODING \
            "$([ "$kind" = big ] && echo big || echo zset:0)")" \
            'BEGIN { printf "%s|%s|%.1f|%.1f|%.1f|%s\n", k, s, (ua - ub) / n, (ra - rb) * 1024 / n, ra / 1024, e }' \
            >>"$WORK_DIR/memory"
    done
    stop_both
    rm -f "$WORK_DIR/$kind.resp"
}

# started_cpu SIDE DIR: starts that server in DIR (a dump.rdb there is
# loaded), prints its CPU ms once it answers PING, stops it.
started_cpu() {
    local side=$1 dir=$2 port pid cpu command
    port=$(free_port)
    if [ "$side" = REDIS ]; then
        command=("$redis_binary" --port "$port" --bind 127.0.0.1 --dir "$dir" --save ""
                 --appendonly no --daemonize no)
    else
        command=("$dblite_binary" "$dblite_config" --port "$port" --bind 127.0.0.1 --dir "$dir"
                 --module-path "$DBLITE_MODULE_PATH" --persistence.save "")
    fi
    (cd "$dir" && exec "${command[@]}") </dev/null >>"$dir/server.log" 2>&1 &
    pid=$!
    LOADER_PID=$pid
    pin_server "$pid"
    local deadline=$((SECONDS + 120))
    until [ "$(redis-cli -p "$port" PING 2>/dev/null)" = PONG ] &&
        [ "$(redis-cli -p "$port" INFO persistence 2>/dev/null | tr -d '\r' |
            awk -F: '$1 == "loading" { print $2 }')" = 0 ]; do
        kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ] ||
            { echo "zsets_memory: $side did not start in $dir:" >&2; cat "$dir/server.log" >&2; exit 1; }
        sleep 0.02
    done
    cpu=$(cpu_ns "$pid")
    local found
    found=$(redis-cli -p "$port" DBSIZE)
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null
    LOADER_PID=
    echo "$((cpu / 1000000)) $found"
}

# load_case: saves load_keys 10-member sets in each server, then times the
# startup of a fresh server on that file (less an empty startup).
load_case() {
    local side port dir empty_dir base full keys_found round
    generate load "$load_keys" >"$WORK_DIR/load.resp"
    dblite_extra_args=(--persistence.save "")
    start_both
    for side in DBLITE REDIS; do
        port_var="${side}_PORT" dir_var="${side}_DIR"
        port=${!port_var}
        pipe_in "$port" "$WORK_DIR/load.resp"
        [ "$(redis-cli -p "$port" SAVE)" = OK ] || { echo "zsets_memory: SAVE failed on $side" >&2; exit 1; }
        mkdir -p "$WORK_DIR/rdb-$side" "$WORK_DIR/empty-$side"
        cp "${!dir_var}/dump.rdb" "$WORK_DIR/rdb-$side/dump.rdb"
    done
    stop_both
    for round in $(seq 1 "$rounds"); do
        for side in DBLITE REDIS; do
            dir="$WORK_DIR/rdb-$side" empty_dir="$WORK_DIR/empty-$side"
            read -r base _ <<<"$(started_cpu "$side" "$empty_dir")"
            read -r full keys_found <<<"$(started_cpu "$side" "$dir")"
            [ "$keys_found" = "$load_keys" ] ||
                { echo "zsets_memory: $side loaded $keys_found keys, not $load_keys" >&2; exit 1; }
            echo "$side|$((full - base))|$(stat -c %s "$dir/dump.rdb")" >>"$WORK_DIR/load"
        done
    done
}

: >"$WORK_DIR/memory"
: >"$WORK_DIR/load"
echo "small: $keys sets of 5 members" >&2
memory_case small "$keys" $((keys * 5))
echo "big: one set of $members members" >&2
memory_case big "$members" "$members"
echo "load: $load_keys sets of 10 members, $rounds round(s)" >&2
load_case

printf '\n%-22s %-7s %14s %14s %10s %10s\n' case server "used B/member" "RSS B/member" "RSS MB" encoding
awk -F'|' '{ printf "%-22s %-7s %14s %14s %10s %10s\n", ($1 == "small" ? "'"$keys"' x 5 members" : "1 x '"$members"' members"), tolower($2), $3, $4, $5, $6 }' \
    "$WORK_DIR/memory"
for kind in small big; do
    awk -F'|' -v k="$kind" '$1 == k { v[$2] = $3; r[$2] = $4 }
        END { printf "%-22s ratio dblite/redis: used %.2f, RSS %.2f (<= 1 is better for dblite)\n",
              k, v["DBLITE"] / v["REDIS"], r["DBLITE"] / r["REDIS"] }' "$WORK_DIR/memory"
done
for side in DBLITE REDIS; do
    ms=$(awk -F'|' -v s="$side" '$1 == s { print $2 }' "$WORK_DIR/load" | median)
    bytes=$(awk -F'|' -v s="$side" '$1 == s { print $3 }' "$WORK_DIR/load" | head -1)
    printf 'load %d x 10 members  %-7s %8s ms CPU (median of %d), dump.rdb %s bytes\n' \
        "$load_keys" "${side,,}" "$ms" "$rounds" "$bytes"
done
cat <<NOTE

used = used_memory delta / members; RSS = VmRSS delta / members (RSS MB is the
total after loading).  load = the server's CPU time from start to the first
PING answer with loading:0, less that of an empty start.
NOTE
exit 0
