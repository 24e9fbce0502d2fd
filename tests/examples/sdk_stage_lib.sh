# sdk_stage_lib.sh - sourced by the out-of-tree plugin tests
# (test_sdk_install.sh, bloom_sdk_build.sh): stages an install of the
# current build the way a plugin author gets the SDK, and builds an example
# plugin out of tree against it with its Makefile and its standalone CMake
# project.  Brings in tests/cli/cli_test_lib.sh (check, launch_server,
# finish_tests, WORK_DIR, SOURCE_DIR).
#
# DESTDIR rather than --prefix because the install folder of modules is an
# absolute path; pkg-config finds the staged SDK through
# PKG_CONFIG_SYSROOT_DIR, as for any DESTDIR staging.  Needs
# DBLITE_BINARY_DIR (a built tree) and DBLITE_SOURCE_DIR, as ctest sets them.

. "$(dirname "${BASH_SOURCE[0]}")/../cli/cli_test_lib.sh"

# require_tools TOOL...: exits 2 (not a test failure) when one is missing.
require_tools() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "missing $tool"; exit 2; }
    done
}

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

# stage_sdk: `cmake --install` of the build into $STAGE, then sets
# PC_FILES (every dblite.pc installed), PC_DIR (the first one's folder),
# SERVER_BINARY (the installed dblite-server) and MODULE_DIR (moduledir of
# the staged dblite.pc), and points pkg-config at the staged SDK alone.
stage_sdk() {
    run_step "cmake --install into DESTDIR" env DESTDIR="$STAGE" cmake --install "$BINARY_DIR"
    PC_FILES=$(find "$STAGE" -path '*/pkgconfig/dblite.pc')
    PC_DIR=$(dirname "$(printf '%s\n' "$PC_FILES" | head -n 1)")
    SERVER_BINARY=$(find "$STAGE" -path '*/bin/dblite-server' -type f | head -n 1)
    check "server binary installed" 1 "$([ -x "$SERVER_BINARY" ] && echo 1)"
    # Only the staged SDK is visible to pkg-config, never a system-wide one.
    export PKG_CONFIG_PATH=$PC_DIR PKG_CONFIG_LIBDIR=$PC_DIR PKG_CONFIG_SYSROOT_DIR=$STAGE
    MODULE_DIR=$(pkg-config --variable=moduledir dblite)
}

# copy_plugin_sources PLUGIN DIR: examples/PLUGIN's sources and Makefile
# into DIR, because the Makefile builds in its own folder and the source
# tree must stay clean.
copy_plugin_sources() {
    mkdir -p "$2"
    cp "$SOURCE_DIR/examples/$1"/*.[ch] "$SOURCE_DIR/examples/$1/Makefile" "$2"/
}

# check_loader_exports NAME LIBRARY: LIBRARY exports nothing but the two
# symbols the module loader looks up.
check_loader_exports() {
    check "$1" "$(printf 'dblite_module_api_version\ndblite_module_init')" \
        "$(nm -D --defined-only "$2" | awk '{ print $3 }' | sort)"
}

# build_with_standalone_cmake PLUGIN: configures, builds and installs
# examples/PLUGIN's own CMake project (found through pkg-config) in
# $WORK_DIR/PLUGIN-cmake; PLUGIN.so must land in $MODULE_DIR.
build_with_standalone_cmake() {
    local plugin=$1
    local build_dir=$WORK_DIR/$plugin-cmake
    run_step "standalone CMake configures against pkg-config" \
        cmake -S "$SOURCE_DIR/examples/$plugin" -B "$build_dir" -DCMAKE_C_FLAGS=-Werror
    run_step "standalone CMake builds $plugin.so" cmake --build "$build_dir"
    run_step "standalone CMake installs $plugin.so into moduledir" cmake --install "$build_dir"
    check "$plugin.so now in moduledir" 1 "$([ -f "$MODULE_DIR/$plugin.so" ] && echo 1)"
}
