#!/bin/bash
# bench_persistence.sh - persistence timings of dblite next to redis-server
# on the same data: BGSAVE and startup load of N keys (default 1,000,000),
# and SET throughput with appendonly yes / appendfsync everysec.
#
#   tests/persistence/bench_persistence.sh [BUILD_DIR] [KEYS]
#
# Needs redis-server, redis-cli, redis-benchmark.  Prints one line per
# measurement; the ratio columns are dblite / redis.
set -eu

build=${1:-build}
keys=${2:-1000000}
repo=$(cd "$(dirname "$0")/../.." && pwd)
case "$build" in /*) ;; *) build="$repo/$build" ;; esac
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port_dblite=7391
port_redis=7392

cat > "$work/dblite.ini" <<INI
[server]
bind = 127.0.0.1
[modules]
load = strings
load = expiry
load = persistence
[persistence]
save =
INI

now() { date +%s.%N; }

start_dblite() { # dir [args...]
    local dir=$1; shift
    "$build/dblite-server" "$work/dblite.ini" --port $port_dblite --dir "$dir" \
        --module-path "$build/modules" "$@" > "$dir/server.log" 2>&1 &
}
start_redis() { # dir [args...]
    local dir=$1; shift
    redis-server --port $port_redis --dir "$dir" --save "" --daemonize no "$@" > "$dir/server.log" 2>&1 &
}
# Seconds until DBSIZE answers a number (not -LOADING) on port.
wait_ready() {
    local port=$1 started=$2
    until redis-cli -p "$port" dbsize 2>/dev/null | grep -qE '^[0-9]+$'; do sleep 0.005; done
    echo "$(now) - $started" | bc
}
stop() { redis-cli -p "$1" shutdown nosave >/dev/null 2>&1 || true; sleep 0.3; }

fill() { # port: N keys, 16-byte values, some with a deadline
    python3 - "$keys" <<'PY' | redis-cli -p "$1" --pipe > /dev/null
import sys
out = sys.stdout.buffer
n = int(sys.argv[1])
for i in range(n):
    key = b"key:%d" % i
    value = b"value-%010d" % i
    if i % 10 == 0:
        out.write(b"*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$2\r\nEX\r\n$6\r\n360000\r\n" % (len(key), key, len(value), value))
    else:
        out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(value), value))
PY
}
bgsave_seconds() { # port
    local started
    started=$(now)
    redis-cli -p "$1" bgsave > /dev/null
    sleep 0.01
    until redis-cli -p "$1" info persistence | grep -q "rdb_bgsave_in_progress:0"; do sleep 0.005; done
    echo "$(now) - $started" | bc
}

mkdir -p "$work/dblite" "$work/redis"
start_dblite "$work/dblite"; wait_ready $port_dblite "$(now)" > /dev/null
start_redis "$work/redis"; wait_ready $port_redis "$(now)" > /dev/null
fill $port_dblite
fill $port_redis
echo "keys: dblite $(redis-cli -p $port_dblite dbsize), redis $(redis-cli -p $port_redis dbsize)"

# Each timing is the best of three runs: this measures the code, not the
# neighbours of a shared machine.
best() { printf '%s\n' "$@" | sort -g | head -1; }
d1=$(bgsave_seconds $port_dblite); r1=$(bgsave_seconds $port_redis)
d2=$(bgsave_seconds $port_dblite); r2=$(bgsave_seconds $port_redis)
d3=$(bgsave_seconds $port_dblite); r3=$(bgsave_seconds $port_redis)
d=$(best $d1 $d2 $d3); r=$(best $r1 $r2 $r3)
echo "bgsave   dblite ${d}s  redis ${r}s  ratio $(echo "scale=2; $d / $r" | bc)  (runs: dblite $d1 $d2 $d3; redis $r1 $r2 $r3)"
ls -l "$work/dblite/dump.rdb" "$work/redis/dump.rdb" | awk '{print "  " $5 " bytes " $9}'
stop $port_dblite; stop $port_redis

loads_d=""; loads_r=""
for run in 1 2 3; do
    started=$(now); start_dblite "$work/dblite"; loads_d="$loads_d $(wait_ready $port_dblite "$started")"
    started=$(now); start_redis "$work/redis"; loads_r="$loads_r $(wait_ready $port_redis "$started")"
    counts="$(redis-cli -p $port_dblite dbsize) / $(redis-cli -p $port_redis dbsize)"
    stop $port_dblite; stop $port_redis
done
d=$(best $loads_d); r=$(best $loads_r)
echo "load     dblite ${d}s  redis ${r}s  ratio $(echo "scale=2; $d / $r" | bc)  (keys $counts; runs: dblite$loads_d; redis$loads_r)"

# Cross loads: each server reads the other's file.
started=$(now); start_dblite "$work/redis"; d=$(wait_ready $port_dblite "$started")
echo "dblite loads redis's file: ${d}s ($(redis-cli -p $port_dblite dbsize) keys)"
stop $port_dblite

rm -rf "$work/dblite" "$work/redis"; mkdir -p "$work/dblite" "$work/redis"
start_dblite "$work/dblite" --persistence.appendonly yes --persistence.appendfsync everysec
start_redis "$work/redis" --appendonly yes --appendfsync everysec
wait_ready $port_dblite "$(now)" > /dev/null; wait_ready $port_redis "$(now)" > /dev/null
for pipeline in 1 16; do
    d=$(redis-benchmark -p $port_dblite -t set -n 1000000 -r 1000000 -c 50 -P $pipeline --csv | awk -F'"' '/SET/ {print $4}')
    r=$(redis-benchmark -p $port_redis -t set -n 1000000 -r 1000000 -c 50 -P $pipeline --csv | awk -F'"' '/SET/ {print $4}')
    echo "SET appendonly everysec -P $pipeline: dblite $d/s  redis $r/s  ratio $(echo "scale=2; $d / $r" | bc)"
done
ls -l "$work/dblite/appendonly.aof" | awk '{print "  dblite log " $5 " bytes"}'
stop $port_dblite; stop $port_redis
