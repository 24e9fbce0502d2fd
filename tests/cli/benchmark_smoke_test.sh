#!/usr/bin/env bash
# benchmark_smoke_test.sh - runs the stock redis-benchmark against the real
# server (pipelined, 50 clients) and checks correctness, not speed: every
# test reported a rate, the server still answers, and the data it holds is
# exactly what the benchmark wrote (INCR totals equal the request count).

. "$(dirname "${BASH_SOURCE[0]}")/cli_test_lib.sh"
start_test_server
requests=20000

# ---- fixed keys: key:__rand_int__ and counter:__rand_int__ --------------------
timeout 300 redis-benchmark -p "$SERVER_PORT" -q -n "$requests" -t ping,set,get,incr,mset -P 16 \
    >"$WORK_DIR/bench.out" 2>&1
check "redis-benchmark exit status" 0 "$?"
tr '\r' '\n' <"$WORK_DIR/bench.out" | grep -v '^ *$' >"$WORK_DIR/bench.lines"
for test in PING_INLINE PING_MBULK SET GET INCR "MSET (10 keys)"; do
    line=$(grep -F "$test: " "$WORK_DIR/bench.lines" | grep "requests per second" | tail -n 1)
    rate=$(printf '%s' "$line" | sed -n 's/.*: \([0-9.]*\) requests per second.*/\1/p')
    check "$test reported a rate" "yes" "$(awk -v r="${rate:-0}" 'BEGIN { print (r > 0) ? "yes" : "no" }')"
done
check "no error reported by redis-benchmark" "0" "$(grep -ci error "$WORK_DIR/bench.lines")"
check "server answers after the benchmark" "PONG" "$(cli PING)"
check "INCR total equals the request count" "$requests" "$(cli GET counter:__rand_int__)"
check "SET/MSET value has the benchmark's 3-byte size" "3" "$(cli STRLEN key:__rand_int__)"
check "only the two benchmark keys exist" "2" "$(cli DBSIZE)"

# ---- random keys (-r): many keys, INCR totals still add up ------------------
check "FLUSHALL" "OK" "$(cli FLUSHALL)"
timeout 300 redis-benchmark -p "$SERVER_PORT" -q -n "$requests" -r 1000 -t set,incr -P 16 \
    >"$WORK_DIR/bench_random.out" 2>&1
check "redis-benchmark -r exit status" 0 "$?"
cli KEYS 'counter:*' >"$WORK_DIR/counters.txt"
counter_keys=$(wc -l <"$WORK_DIR/counters.txt" | tr -d ' ')
check "counter keys within -r range" "yes" \
    "$( [ "$counter_keys" -ge 1 ] && [ "$counter_keys" -le 1000 ] && echo yes || echo no)"
total=$(xargs redis-cli -p "$SERVER_PORT" MGET <"$WORK_DIR/counters.txt" | awk '{ s += $1 } END { print s + 0 }')
check "sum of random INCR counters equals the request count" "$requests" "$total"
key_count=$(cli KEYS 'key:*' | wc -l | tr -d ' ')
check "DBSIZE is counters plus SET keys" "$((counter_keys + key_count))" "$(cli DBSIZE)"

finish_tests
