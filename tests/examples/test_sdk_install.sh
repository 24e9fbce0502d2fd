#!/usr/bin/env bash
# test_sdk_install.sh - the module SDK as a plugin author meets it: install
# the current build into a staging folder (DESTDIR), build examples/hello out
# of tree against the staged dblite.pc with its Makefile and with its
# standalone CMake project, then run the INSTALLED dblite-server with the
# installed strings module and each out-of-tree hello.so, and use them.
#
# Staging and the out-of-tree build steps are in sdk_stage_lib.sh.

. "$(dirname "${BASH_SOURCE[0]}")/sdk_stage_lib.sh"

require_tools cmake make cc pkg-config nm redis-cli python3

# ---- install into the staging folder ----------------------------------------
stage_sdk
check "exactly one dblite.pc installed" 1 "$(printf '%s\n' "$PC_FILES" | grep -c .)"
# Whatever libdir GNUInstallDirs chose (lib, lib64, lib/x86_64-linux-gnu):
# dblite.pc sits in LIBDIR/pkgconfig.
echo "# libdir: $(dirname "${PC_DIR#"$STAGE"}")"
INCLUDE_DIR=$(pkg-config --variable=includedir dblite)
check "pkg-config includedir is staged" "$STAGE" "${INCLUDE_DIR:0:${#STAGE}}"
check "public header installed" 1 "$([ -f "$INCLUDE_DIR/dblite_module.h" ] && echo 1)"
check "provider header installed" 1 "$([ -f "$INCLUDE_DIR/dblite_provider.h" ] && echo 1)"
check "TTL service header installed" 1 "$([ -f "$INCLUDE_DIR/dblite_expiry_service.h" ] && echo 1)"
check "moduledir is beside the pkgconfig folder" "$(dirname "$PC_DIR")/dblite/modules" "$MODULE_DIR"
check "strings.so installed in moduledir" 1 "$([ -f "$MODULE_DIR/strings.so" ] && echo 1)"
check "cflags name the staged header folder" "-I$INCLUDE_DIR" \
    "$(pkg-config --cflags dblite | tr ' ' '\n' | grep -e '^-I')"

# ---- out-of-tree builds ---------------------------------------------------------
MAKE_DIR=$WORK_DIR/hello-make
copy_plugin_sources hello "$MAKE_DIR"
run_step "make builds hello.so (-Werror)" make -C "$MAKE_DIR" CFLAGS="-O2 -Wall -Wextra -Werror"
check_loader_exports "make output exports only the loader's symbols" "$MAKE_DIR/hello.so"
build_with_standalone_cmake hello

# ---- the installed server with the make-built plugin, by explicit path -------
cat >"$WORK_DIR/hello-make.ini" <<EOF
[modules]
load = strings
load = $MAKE_DIR/hello.so

[hello]
greeting = Installed
default-period = 5
EOF
export DBLITE_MODULE_PATH=$MODULE_DIR
launch_server SERVER "$SERVER_BINARY" "$WORK_DIR/hello-make.ini" ||
    { check "installed server starts with the make-built plugin" started failed; finish_tests; }
check_contains "hello loaded from its explicit path" \
    "Module 'hello' loaded from $MAKE_DIR/hello.so" "$(cat "$SERVER_LOG")"
check_contains "strings loaded from the installed moduledir" \
    "Module 'strings' loaded from $MODULE_DIR/strings.so" "$(cat "$SERVER_LOG")"
check "greeting from the ini" "Installed, world!" "$(cli HELLO.GREET)"
check "greeting with a name" "Installed, SDK!" "$(cli HELLO.GREET SDK)"
first=$(cli HELLO.RATELIMIT api 2)
check "first request allowed" 1 "$(field allowed <<<"$first")"
check "first request leaves one" 1 "$(field remaining <<<"$first")"
reset=$(field reset-after-ms <<<"$first")
check "default period 5 s from [hello]: 2.5 s per request" 1 \
    "$([ "$reset" -gt 2000 ] && [ "$reset" -le 2500 ] && echo 1)"
check "second request allowed" 1 "$(cli HELLO.RATELIMIT api 2 | field allowed)"
third=$(cli HELLO.RATELIMIT api 2)
check "third request refused" 0 "$(field allowed <<<"$third")"
retry=$(field retry-after-ms <<<"$third")
check "refusal says when to retry" 1 "$([ "$retry" -gt 0 ] && [ "$retry" -le 2500 ] && echo 1)"
check "limiter keys have their own type" "ratelimit" "$(cli TYPE api)"
check "strings refuse a limiter key" \
    "WRONGTYPE Operation against a key holding the wrong kind of value" "$(cli GET api)"
check "SET a string" "OK" "$(cli SET text value)"
check "the limiter refuses a string key" \
    "WRONGTYPE Operation against a key holding the wrong kind of value" \
    "$(cli HELLO.RATELIMIT text 2)"
check_contains "RESP3 reply is a map with a boolean" "allowed" \
    "$(cli -3 --no-raw HELLO.RATELIMIT resp3 2 | head -n 1)"
check_contains "RESP3 boolean" "(true)" "$(cli -3 --no-raw HELLO.RATELIMIT resp3 2 | head -n 1)"
status=0
stop_server SERVER || status=$?
check "server exits 0 on SIGTERM" 0 "$status"

# ---- the installed server loading the CMake-installed plugin by name -----------
launch_server SERVER "$SERVER_BINARY" "" --load-module strings --load-module hello ||
    { check "installed server starts with the installed plugin" started failed; finish_tests; }
check_contains "hello loaded by name from moduledir" \
    "Module 'hello' loaded from $MODULE_DIR/hello.so" "$(cat "$SERVER_LOG")"
check "default greeting" "Hello, world!" "$(cli HELLO.GREET)"
check "default period setting" "$(printf 'hello.default-period\n60')" \
    "$(cli CONFIG GET hello.default-period)"
check "one request per minute: allowed" 1 "$(cli HELLO.RATELIMIT once 1 | field allowed)"
check "one request per minute: refused" 0 "$(cli HELLO.RATELIMIT once 1 | field allowed)"
check "strings work beside hello" "OK" "$(cli SET plain value)"
check "strings GET" "value" "$(cli GET plain)"

finish_tests
