#!/usr/bin/env bash
# bloom_sdk_build.sh - the bloom example as a plugin author builds it: stage
# an install of the current build (DESTDIR), build examples/bloom out of
# tree against the staged dblite.pc with its Makefile (gcc and clang,
# -Werror) and its standalone CMake project, then run the INSTALLED
# dblite-server with each out-of-tree bloom.so and use it.
#
# Needs DBLITE_BINARY_DIR (a built tree) and DBLITE_SOURCE_DIR, as ctest
# sets them.  See test_sdk_install.sh for the SDK layout checks themselves.

. "$(dirname "${BASH_SOURCE[0]}")/../cli/cli_test_lib.sh"

for tool in cmake make cc pkg-config nm redis-cli; do
    command -v "$tool" >/dev/null || { echo "missing $tool"; exit 2; }
done
BINARY_DIR=${DBLITE_BINARY_DIR:?set DBLITE_BINARY_DIR to a built dblite tree}
STAGE=$WORK_DIR/stage
LOG=$WORK_DIR/steps.log

# run_step NAME COMMAND...: runs a build step, its output shown only on failure.
run_step() {
    local name=$1
    shift
    if "$@" >"$LOG" 2>&1; then
        check "$name" 0 0
    else
        local status=$?
        check "$name" 0 "$status"
        cat "$LOG"
        finish_tests
    fi
}

# field NAME: the value after NAME in a RESP2 name/value reply read on stdin.
field() {
    awk -v name="$1" 'previous == name { print; exit } { previous = $0 }'
}

run_step "cmake --install into DESTDIR" env DESTDIR="$STAGE" cmake --install "$BINARY_DIR"
PC_DIR=$(dirname "$(find "$STAGE" -path '*/pkgconfig/dblite.pc' | head -n 1)")
SERVER_BINARY=$(find "$STAGE" -path '*/bin/dblite-server' -type f | head -n 1)
check "server binary installed" 1 "$([ -x "$SERVER_BINARY" ] && echo 1)"
# Only the staged SDK is visible to pkg-config, never a system-wide one.
export PKG_CONFIG_PATH=$PC_DIR PKG_CONFIG_LIBDIR=$PC_DIR PKG_CONFIG_SYSROOT_DIR=$STAGE
MODULE_DIR=$(pkg-config --variable=moduledir dblite)

# ---- out-of-tree builds ---------------------------------------------------------
# The Makefile builds in its own folder: a copy, so the source tree stays clean.
MAKE_DIR=$WORK_DIR/bloom-make
mkdir -p "$MAKE_DIR"
cp "$SOURCE_DIR"/examples/bloom/*.[ch] "$SOURCE_DIR"/examples/bloom/Makefile "$MAKE_DIR"/
run_step "make builds bloom.so with gcc (-Werror)" \
    make -C "$MAKE_DIR" CC=gcc CFLAGS="-O2 -Wall -Wextra -Werror"
check "make output exports only the loader's symbols" \
    "$(printf 'dblite_module_api_version\ndblite_module_init')" \
    "$(nm -D --defined-only "$MAKE_DIR/bloom.so" | awk '{ print $3 }' | sort)"
if command -v clang >/dev/null; then
    CLANG_DIR=$WORK_DIR/bloom-clang
    mkdir -p "$CLANG_DIR"
    cp "$MAKE_DIR"/*.[ch] "$MAKE_DIR"/Makefile "$CLANG_DIR"/
    run_step "make builds bloom.so with clang (-Werror)" \
        make -C "$CLANG_DIR" CC=clang CFLAGS="-O2 -Wall -Wextra -Werror"
fi

CMAKE_DIR=$WORK_DIR/bloom-cmake
run_step "standalone CMake configures against pkg-config" \
    cmake -S "$SOURCE_DIR/examples/bloom" -B "$CMAKE_DIR" -DCMAKE_C_FLAGS=-Werror
run_step "standalone CMake builds bloom.so" cmake --build "$CMAKE_DIR"
run_step "standalone CMake installs bloom.so into moduledir" cmake --install "$CMAKE_DIR"
check "bloom.so now in moduledir" 1 "$([ -f "$MODULE_DIR/bloom.so" ] && echo 1)"

# ---- the installed server with the make-built plugin, by explicit path -------
cat >"$WORK_DIR/bloom-make.ini" <<INI
[modules]
load = strings
load = $MAKE_DIR/bloom.so

[bloom]
default-capacity = 250
default-expansion = 3
INI
export DBLITE_MODULE_PATH=$MODULE_DIR
launch_server SERVER "$SERVER_BINARY" "$WORK_DIR/bloom-make.ini" ||
    { check "installed server starts with the make-built plugin" started failed; finish_tests; }
check_contains "bloom loaded from its explicit path" \
    "Module 'bloom' loaded from $MAKE_DIR/bloom.so" "$(cat "$SERVER_LOG")"
check "BF.ADD creates a filter" 1 "$(cli BF.ADD visitors alice)"
check "BF.ADD of the same item" 0 "$(cli BF.ADD visitors alice)"
check "BF.EXISTS of an added item" 1 "$(cli BF.EXISTS visitors alice)"
check "BF.EXISTS of another item" 0 "$(cli BF.EXISTS visitors bob)"
info=$(cli BF.INFO visitors)
check "capacity from [bloom]" 250 "$(field Capacity <<<"$info")"
check "expansion from [bloom]" 3 "$(field 'Expansion rate' <<<"$info")"
check "filters have their own type" "bloom" "$(cli TYPE visitors)"
check "strings refuse a filter key" \
    "WRONGTYPE Operation against a key holding the wrong kind of value" "$(cli GET visitors)"
check "SET a string" "OK" "$(cli SET text value)"
check "filters refuse a string key" \
    "WRONGTYPE Operation against a key holding the wrong kind of value" "$(cli BF.ADD text x)"
check_contains "INFO bloom" "bloom_items_added:1" "$(cli INFO bloom)"
status=0
stop_server SERVER || status=$?
check "server exits 0 on SIGTERM" 0 "$status"

# ---- the installed server loading the CMake-installed plugin by name -----------
launch_server SERVER "$SERVER_BINARY" "" --load-module strings --load-module bloom ||
    { check "installed server starts with the installed plugin" started failed; finish_tests; }
check_contains "bloom loaded by name from moduledir" \
    "Module 'bloom' loaded from $MODULE_DIR/bloom.so" "$(cat "$SERVER_LOG")"
check "BF.RESERVE" "OK" "$(cli BF.RESERVE fixed 0.01 2 NONSCALING)"
check "BF.MADD fills it" "$(printf '1\n1')" "$(cli BF.MADD fixed a b)"
check "a full non-scaling filter refuses" "ERR non scaling filter is full" "$(cli BF.ADD fixed c)"
check "plugin default capacity" 100 "$(cli BF.ADD other x >/dev/null; cli BF.INFO other CAPACITY)"

finish_tests
