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
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_DIR=$(cd "$BENCH_DIR/.." && pwd)
. "$SOURCE_DIR/scripts/lib/server_launch.sh"

appends=20000
chunk=10240
depth=16
big=$((100 * 1024 * 1024))
steps=300
rounds=1
dblite_binary=${DBLITE_SERVER:-$SOURCE_DIR/build/dblite-server}
dblite_config=$SOURCE_DIR/config/dblite.ini
redis_binary=$(command -v redis-server || true)

usage() {
    cat <<USAGE
Usage: bench/append_growth.sh [options]
  -a, --appends N   appends in the loop (default $appends)
  -s, --chunk N     bytes per append (default $chunk)
  -P, --depth N     pipeline depth of the loop (default $depth)
  -b, --big N       size of the string for the stall test (default $big)
      --steps N     single appends timed on the big string (default $steps)
  -r, --rounds N    rounds (default $rounds)
      --dblite PATH server binary (default $dblite_binary)
      --redis PATH  reference redis-server (default ${redis_binary:-none found})
USAGE
}
while [ $# -gt 0 ]; do
    case "$1" in
        -a|--appends) appends=$2; shift ;;
        -s|--chunk) chunk=$2; shift ;;
        -P|--depth) depth=$2; shift ;;
        -b|--big) big=$2; shift ;;
        --steps) steps=$2; shift ;;
        -r|--rounds) rounds=$2; shift ;;
        --dblite) dblite_binary=$2; shift ;;
        --redis) redis_binary=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
    shift
done
[ -x "$dblite_binary" ] || { echo "no dblite-server at $dblite_binary" >&2; exit 1; }
[ -n "$redis_binary" ] || { echo "no redis-server found" >&2; exit 1; }

cleanup() {
    stop_server DBL >/dev/null 2>&1
    stop_server RDS >/dev/null 2>&1
}
trap cleanup EXIT
launch_server DBL "$dblite_binary" "$dblite_config" || exit 1
launch_server RDS "$redis_binary" "" || exit 1

measure() { # NAME PORT
    python3 - "$1" "$2" "$appends" "$chunk" "$depth" "$big" "$steps" <<'PY'
import socket, sys, time
name, port, appends, chunk, depth, big, steps = sys.argv[1], int(sys.argv[2]), *map(int, sys.argv[3:])
sock = socket.create_connection(("127.0.0.1", port))
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
buffer = b""
def command(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out
def read_reply():
    global buffer
    while b"\r\n" not in buffer:
        buffer += sock.recv(65536)
    line, _, buffer = buffer.partition(b"\r\n")
    if line[:1] == b"$":
        n = int(line[1:])
        while len(buffer) < n + 2:
            buffer += sock.recv(65536)
        value, buffer = buffer[:n], buffer[n + 2:]
        return value
    if line[:1] == b"-":
        raise SystemExit("%s: error %s" % (name, line))
    return line[1:]
def call(*args):
    sock.sendall(command(*args))
    return read_reply()
call("DEL", "loop", "big")
payload = b"x" * chunk
start = time.monotonic()
sent = 0
while sent < appends:
    batch = min(depth, appends - sent)
    sock.sendall(command("APPEND", "loop", payload) * batch)
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
        measure dblite "$DBL_PORT"; measure redis "$RDS_PORT"
    else
        measure redis "$RDS_PORT"; measure dblite "$DBL_PORT"
    fi
done
