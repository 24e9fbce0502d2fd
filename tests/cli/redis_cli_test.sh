#!/usr/bin/env bash
# redis_cli_test.sh - drives the real server with the stock redis-cli the way
# users do: one-shot commands, commands piped on stdin, -x, -n, RESP3 (-3)
# output, and --pipe mass insertion of 100,000 keys checked with DBSIZE and
# spot reads.

. "$(dirname "${BASH_SOURCE[0]}")/cli_test_lib.sh"
start_test_server

# ---- one-shot commands (non-tty output is raw unless --no-raw) ----------
check "PING" "PONG" "$(cli PING)"
check "SET one-shot" "OK" "$(cli SET greeting hello)"
check "GET one-shot" "hello" "$(cli GET greeting)"
check "GET missing prints (nil)" "(nil)" "$(cli --no-raw GET missing)"
check "EXISTS counts" "(integer) 1" "$(cli --no-raw EXISTS greeting missing)"
check "value with spaces" "OK" "$(cli SET spaced "a value with spaces")"
check "value with spaces read back" '"a value with spaces"' "$(cli --no-raw GET spaced)"
check "DEL" "2" "$(cli DEL greeting spaced)"
check "unknown command error" \
    "ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' " "$(cli NOSUCHCOMMAND x)"
check "arity error" "ERR wrong number of arguments for 'get' command" "$(cli GET)"
check "-x takes the last argument from stdin" "OK" "$(printf 'line1\nline2' | cli -x SET multi)"
check "-x value is binary safe" "$(printf 'line1\nline2')" "$(cli GET multi)"
check "-n selects a database" "OK" "$(cli -n 3 SET in3 three)"
check "-n reads that database" "three" "$(cli -n 3 GET in3)"
check "other database untouched" "" "$(cli -n 0 GET in3)"
check "DBSIZE of db 3" "1" "$(cli -n 3 DBSIZE)"
check "FLUSHALL" "OK" "$(cli FLUSHALL)"

# ---- commands piped on stdin ----------------------------------------------
piped=$(printf 'SET p1 a\nSET p2 "b c"\nGET p1\nGET p2\nDBSIZE\nDEL p1 p2 p3\n' | cli)
check "piped commands" "$(printf 'OK\nOK\na\nb c\n2\n2')" "$piped"
for i in $(seq 1 1000); do echo "INCR piped:counter"; done >"$WORK_DIR/incr.txt"
cli <"$WORK_DIR/incr.txt" >"$WORK_DIR/incr.out"
check "1000 piped INCR replies" "1000" "$(wc -l <"$WORK_DIR/incr.out" | tr -d ' ')"
check "last piped INCR reply" "1000" "$(tail -n 1 "$WORK_DIR/incr.out")"
check "counter after piped INCR" "1000" "$(cli GET piped:counter)"

# ---- RESP3 output ------------------------------------------------------------
hello=$(cli -3 --no-raw HELLO 3)
check_contains "HELLO 3 reports proto 3 as a map entry" '"proto" => (integer) 3' "$hello"
check "RESP3 null" "(nil)" "$(cli -3 --no-raw GET missing)"
check "RESP3 SET" "OK" "$(cli -3 --no-raw SET r3 value)"
check "RESP3 bulk" '"value"' "$(cli -3 --no-raw GET r3)"
check "RESP3 integer" "(integer) 1" "$(cli -3 --no-raw EXISTS r3)"
check "RESP3 array" '1) "r3"' "$(cli -3 --no-raw KEYS 'r*')"
check "RESP3 error" "(error) ERR wrong number of arguments for 'get' command" \
    "$(cli -3 --no-raw GET)"
check "FLUSHALL before mass insertion" "OK" "$(cli FLUSHALL)"

# ---- --pipe mass insertion ---------------------------------------------------
key_count=100000
resp_set_commands "$key_count" 12 >"$WORK_DIR/mass.resp"
pipe_output=$(cli --pipe <"$WORK_DIR/mass.resp" 2>&1)
check_contains "--pipe reports every reply and no error" "errors: 0, replies: $key_count" "$pipe_output"
check "DBSIZE after --pipe" "$key_count" "$(cli DBSIZE)"
for n in 0 1 4242 99999; do
    key=$(printf 'key:%09d' "$n")
    check "value of $key" "$(resp_expected_value "$n" 12)" "$(cli GET "$key")"
done
check "key past the end" "" "$(cli GET "$(printf 'key:%09d' "$key_count")")"
check "server still answers" "PONG" "$(cli PING)"

finish_tests
