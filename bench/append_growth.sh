#!/usr/bin/env bash
# append_growth.sh - what growing one big string costs, for dblite-server
# and a stock redis-server side by side (issue 19, item 10).
#
#   1. Loop: APPENDS appends of CHUNK bytes to one key (default 20000 x
#      10 KB, a 200 MB string), pipelined DEPTH at a time over one
#      connection; the wall time of the whole loop is reported.
#   2. Stall: a BIG-byte string is made with one SETRANGE, then STEPS
#      appends of CHUNK bytes are sent one at a time; the slowest and the
#      median round trip are reported.  The slowest is the append that had
#      to grow the value while every other client waited.
#   3. MEMORY USAGE of both keys and the servers' used_memory, so the spare
#      room each growth policy leaves is visible.
# Both servers run at once on free loopback ports, without persistence;
# the order alternates per round.  Needs a built dblite-server and redis-tools.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/bench_common.sh"

appends=20000
chunk=10240
depth=16
big=$((100 * 1024 * 1024))
steps=300
rounds=1

usage() {
    cat <<USAGE
Usage: bench/append_growth.sh [options]
  -a, --appends N   appends in the loop (default $appends)
  -s, --chunk N     bytes per append (default $chunk)
  -P, --depth N     pipeline depth of the loop (default $depth)
  -b, --big N       size of the string for the stall test (default $big)
      --steps N     single appends timed on the big string (default $steps)
  -r, --rounds N    rounds (default $rounds)
$(shared_usage)
USAGE
}
own_option() {
    case "$1" in
        -a|--appends) appends=$2; return 2 ;;
        -s|--chunk) chunk=$2; return 2 ;;
        -P|--depth) depth=$2; return 2 ;;
        -b|--big) big=$2; return 2 ;;
        --steps) steps=$2; return 2 ;;
        -r|--rounds) rounds=$2; return 2 ;;
    esac
    return 0
}
parse_options "$@"
positive_numbers append_growth "$appends" "$chunk" "$depth" "$big" "$steps" "$rounds"
check_setup append_growth python3
start_both

measure() { # NAME PORT
    python3 - "$1" "$2" "$appends" "$chunk" "$depth" "$big" "$steps" <<'PY'
import sys, time
from resp_client import Connection, command
name, port, appends, chunk, depth, big, steps = sys.argv[1], int(sys.argv[2]), *map(int, sys.argv[3:])
connection = Connection(port, name)
call, read_reply = connection.call, connection.read_reply
call("DEL", "loop", "big")
payload = b"x" * chunk
start = time.monotonic()
sent = 0
while sent < appends:
    batch = min(depth, appends - sent)
    connection.send(command("APPEND", "loop", payload) * batch)
    for _ in range(batch):
        read_reply()
    sent += batch
loop_seconds = time.monotonic() - start
call("SETRANGE", "big", big - 1, "x")
latencies = []
for _ in range(steps):
    t = time.monotonic()
    call("APPEND", "big", payload)
    latencies.append(time.monotonic() - t)
latencies.sort()
usage_loop = int(call("MEMORY", "USAGE", "loop"))
usage_big = int(call("MEMORY", "USAGE", "big"))
info = call("INFO", "memory").decode()
used = next(l.split(":")[1] for l in info.split("\r\n") if l.startswith("used_memory:"))
print("%-7s loop %8.3f s   stall max %8.2f ms  median %6.3f ms   "
      "usage loop %5.1f MB (len %5.1f) big %5.1f MB (len %5.1f)  used_memory %6.1f MB" % (
      name, loop_seconds, latencies[-1] * 1000, latencies[len(latencies) // 2] * 1000,
      usage_loop / 2**20, appends * chunk / 2**20, usage_big / 2**20,
      (big + steps * chunk) / 2**20, int(used) / 2**20))
call("DEL", "loop", "big")
PY
}

echo "append_growth: $appends appends of $chunk bytes (pipeline $depth); stall: $steps appends on a $big-byte string"
for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then
        measure dblite "$DBLITE_PORT"; measure redis "$REDIS_PORT"
    else
        measure redis "$REDIS_PORT"; measure dblite "$DBLITE_PORT"
    fi
done
