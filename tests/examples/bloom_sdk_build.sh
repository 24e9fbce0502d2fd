#!/usr/bin/env bash
# bloom_sdk_build.sh - the bloom example as a plugin author builds it: stage
# an install of the current build (DESTDIR), build examples/bloom out of
# tree against the staged dblite.pc with its Makefile (gcc and clang,
# -Werror) and its standalone CMake project, then run the INSTALLED
# dblite-server with each out-of-tree bloom.so and use it.
#
# Needs DBLITE_BINARY_DIR (a built tree) and DBLITE_SOURCE_DIR, as ctest
# sets them.  See test_sdk_install.sh for the SDK layout checks themselves,
# sdk_stage_lib.sh for the staging and build steps both share.

. "$(dirname "${BASH_SOURCE[0]}")/sdk_stage_lib.sh"

require_tools cmake make cc pkg-config nm redis-cli
stage_sdk

# ---- out-of-tree builds ---------------------------------------------------------
MAKE_DIR=$WORK_DIR/bloom-make
copy_plugin_sources bloom "$MAKE_DIR"
run_step "make builds bloom.so with gcc (-Werror)" \
    make -C "$MAKE_DIR" CC=gcc CFLAGS="-O2 -Wall -Wextra -Werror"
check_loader_exports "make output exports only the loader's symbols" "$MAKE_DIR/bloom.so"
if command -v clang >/dev/null; then
    CLANG_DIR=$WORK_DIR/bloom-clang
    copy_plugin_sources bloom "$CLANG_DIR"
    run_step "make builds bloom.so with clang (-Werror)" \
        make -C "$CLANG_DIR" CC=clang CFLAGS="-O2 -Wall -Wextra -Werror"
fi
build_with_standalone_cmake bloom

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
