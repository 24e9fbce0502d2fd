#!/bin/sh
# run-fuzz.sh - builds the request parser's libFuzzer target with clang
# (-fsanitize=fuzzer,address,undefined) and fuzzes it for N seconds.
#
#   tests/fuzz/run-fuzz.sh [seconds]        (default 30)
#
# The build, the growing corpus and any crash artifacts go to
# $DBLITE_FUZZ_BUILD_DIR (default <repo>/build-fuzz); tests/fuzz/corpus holds
# the seeds and is only read.  $DBLITE_FUZZ_CC picks the compiler (clang).
# Extra libFuzzer flags may follow the seconds, e.g. -jobs=2 -workers=2.
# Exits non-zero when the fuzzer finds a failure.
set -eu

seconds=${1:-30}
[ $# -gt 0 ] && shift
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${DBLITE_FUZZ_BUILD_DIR:-$repo/build-fuzz}
compiler=${DBLITE_FUZZ_CC:-clang}

mkdir -p "$build/corpus" "$build/artifacts"
"$compiler" -std=gnu11 -g -O1 -Wall -Wextra -Werror \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$repo/include" -I"$repo/core" \
    "$here/fuzz_request_parser.c" "$repo/core/protocol/request_parser.c" "$repo/core/util/numbers.c" \
    -o "$build/fuzz_request_parser"

cd "$build"
exec ./fuzz_request_parser -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -dict="$here/request_parser.dict" -artifact_prefix="$build/artifacts/" \
    -print_final_stats=1 "$@" "$build/corpus" "$here/corpus"
