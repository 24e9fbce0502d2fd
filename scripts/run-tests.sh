#!/usr/bin/env bash
# run-tests.sh - the whole check, as CI runs it (.ci/run): install
# dependencies; check the C sources' formatting (scripts/check-format.sh);
# build with gcc into build/ (warnings are errors) and run every ctest
# label; build again with clang, AddressSanitizer and UBSan into
# build-sanitize/ and run the tests there (leaks fail the run); then a short
# fuzz run when tests/fuzz/run-fuzz.sh exists.  Every stage runs even after
# an earlier one failed, so one run reports everything; the exit status is
# non-zero when any stage failed.

set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
JOBS=$(nproc)
failed=()

stage() {
    echo
    echo "==== run-tests: $1 ===="
}

stage "dependencies"
scripts/install-deps.sh || { echo "run-tests: installing dependencies failed" >&2; exit 1; }

# build_and_test NAME BUILD_DIR [cmake options...]
build_and_test() {
    local name=$1 build_dir=$2
    shift 2
    stage "$name: configure and build ($build_dir)"
    if ! cmake -S . -B "$build_dir" -G "Unix Makefiles" -DDBLITE_WERROR=ON "$@"; then
        failed+=("$name configure")
        return
    fi
    # -k: a target that fails to build should not hide the tests of the
    # others; ctest then reports the missing ones as not run.
    cmake --build "$build_dir" --parallel "$JOBS" -- -k || failed+=("$name build")
    stage "$name: ctest"
    ctest --test-dir "$build_dir" --output-on-failure -j2 || failed+=("$name tests")
}

stage "format (scripts/check-format.sh)"
scripts/check-format.sh || failed+=("format")

build_and_test release build -DCMAKE_BUILD_TYPE=RelWithDebInfo

export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
CC=clang build_and_test sanitize build-sanitize -DCMAKE_BUILD_TYPE=Debug -DDBLITE_SANITIZE=ON

if [ -f tests/fuzz/run-fuzz.sh ]; then
    stage "fuzz (30 s)"
    bash tests/fuzz/run-fuzz.sh 30 || failed+=("fuzz")
fi

echo
if [ "${#failed[@]}" -ne 0 ]; then
    echo "run-tests: FAILED: ${failed[*]}"
    exit 1
fi
echo "run-tests: all stages passed"
