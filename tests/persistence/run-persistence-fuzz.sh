#!/bin/sh
# run-persistence-fuzz.sh - builds the libFuzzer target of the persistence
# loaders (tests/fuzz/fuzz_rdb_loader.c: RDB files, append-only files, DUMP
# payloads) with clang -fsanitize=fuzzer,address,undefined and fuzzes it for
# N seconds.
#
#   tests/persistence/run-persistence-fuzz.sh [seconds]      (default 30)
#
# Seeds are made here, at run time: small hand-written files, and when
# redis-server is installed, a snapshot and an append-only file it writes
# with every compact encoding.  The build, the corpus and any crash
# artifacts go to $DBLITE_FUZZ_BUILD_DIR/persistence (default
# <repo>/build-fuzz/persistence).  Exits non-zero when the fuzzer fails.
set -eu

seconds=${1:-30}
[ $# -gt 0 ] && shift
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${DBLITE_FUZZ_BUILD_DIR:-$repo/build-fuzz}/persistence
compiler=${DBLITE_FUZZ_CC:-clang}
module="$repo/modules/persistence"

mkdir -p "$build/corpus" "$build/seeds" "$build/artifacts"
"$compiler" -std=gnu11 -g -O1 -Wall -Wextra -Werror \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$repo/include" -I"$repo/modules" -I"$module" \
    "$repo/tests/fuzz/fuzz_rdb_loader.c" \
    "$module/rdb_load.c" "$module/rdb_reader.c" "$module/rdb_value_load.c" "$module/compact_decode.c" \
    "$module/score_text.c" \
    "$module/element_list.c" "$module/lzf.c" "$module/crc64.c" "$module/module_type_id.c" \
    "$module/aof_parse.c" "$module/aof_load.c" "$module/file_map.c" \
    -o "$build/fuzz_rdb_loader"

# Seeds: the first byte picks the mode (0 RDB, 1 RDB with checksum, 2 AOF,
# 4 DUMP payload).
seeds="$build/seeds"
printf '\000REDIS0010\376\000\373\001\000\000\001a\001b\377\000\000\000\000\000\000\000\000' > "$seeds/rdb-minimal"
printf '\002*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n*1\r\n$4\r\nEXEC\r\n' > "$seeds/aof-minimal"
printf '\004\000\003abc' > "$seeds/payload-string"
if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
    work=$(mktemp -d)
    redis-server --port 0 --unixsocket "$work/redis.sock" --dir "$work" --save "" \
        --appendonly yes --aof-use-rdb-preamble yes --daemonize no >"$work/log" 2>&1 &
    redis_pid=$!
    tries=0
    until redis-cli -s "$work/redis.sock" ping >/dev/null 2>&1 || [ $tries -ge 100 ]; do
        sleep 0.05
        tries=$((tries + 1))
    done
    cli() { redis-cli -s "$work/redis.sock" "$@" >/dev/null; }
    cli rpush list a b 1 2 300 -5 70000 4294967296
    cli hset hash f v g 12 h -7
    cli sadd intset 1 2 3 -100 5000000000
    cli sadd strset x y z
    cli zadd zpacked 1 a 2.5 b -3 c inf d 0.1 e 12 70000
    cli zadd zskip 1 a 2 b 3 c 4 "$(printf 'long-member-%.0s' $(seq 1 10))" -inf e
    cli set int 12345
    cli set long "$(printf 'abcdefgh%.0s' $(seq 1 40))"
    cli set ttl v px 100000000
    cli select 3
    cli set other db3
    cli save
    cli bgrewriteaof
    sleep 0.5
    cli set after rewrite
    cli incr int
    cli shutdown nosave || true
    wait "$redis_pid" 2>/dev/null || true
    { printf '\001'; cat "$work/dump.rdb"; } > "$seeds/rdb-redis"
    { printf '\000'; cat "$work/dump.rdb"; } > "$seeds/rdb-redis-unchecked"
    if [ -d "$work/appendonlydir" ]; then
        { printf '\002'; cat "$work"/appendonlydir/*.base.rdb "$work"/appendonlydir/*.incr.aof; } > "$seeds/aof-preamble"
    fi
    rm -rf "$work"
fi

cd "$build"
exec ./fuzz_rdb_loader -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$build/artifacts/" -print_final_stats=1 "$@" "$build/corpus" "$seeds"
