#!/usr/bin/env bash
# install-deps.sh - installs the Debian packages needed to build dblite and
# run its tests, benchmark and fuzzers.  Installs only what is missing (so a
# prepared machine pays nothing) and uses sudo only when not root.
#
# redis-server and redis-tools are the reference implementation and the
# stock clients the tests compare against.  Debian's redis-server package
# starts a system service on port 6379 where an init system runs; nothing of
# ours needs it (tests and bench/bench.sh pick free ports, never 6379), and
# it would take the port that scripts/run-server.sh serves on, so when this
# script is the one installing redis-server it keeps the service from
# starting and disables it.  A redis-server that was already installed is
# left as it was.  iproute2 (ip netns, veth) gives the protected-mode test
# a second address; util-linux's prlimit sets the descriptor-limit test's
# ulimit -n.  python3-rq, python3-celery, python3-django-redis and
# ruby-sidekiq are the applications tests/apps drives through their own
# libraries.  liblua5.1-0-dev, lua-cjson-dev and lua-bitop-dev are the Lua
# 5.1 and the cjson and bit libraries of the scripting module's Lua
# (modules/scripting, found with pkg-config).

set -euo pipefail

PACKAGES=(
    build-essential cmake pkg-config
    libinih-dev libcmocka-dev libhiredis-dev libedit-dev
    liblua5.1-0-dev lua-cjson-dev lua-bitop-dev
    redis-server redis-tools
    python3 python3-redis
    python3-rq python3-celery python3-django-redis ruby-sidekiq
    clang libclang-rt-dev clang-format
    iproute2 util-linux
)
# The node application tests (tests/apps/node) need node and npm: Debian's
# packages, unless the machine already has both (NodeSource's nodejs ships
# npm itself and conflicts with Debian's npm package).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    PACKAGES+=(nodejs npm)
fi

is_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for package in "${PACKAGES[@]}"; do
    is_installed "$package" || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    SUDO=(sudo)
fi

installing_redis_server=0
for package in "${missing[@]}"; do
    [ "$package" = redis-server ] && installing_redis_server=1
done

# policy-rc.d answering 101 tells the maintainer scripts not to start
# services; only put one in place (and remove it) when none exists.
policy=/usr/sbin/policy-rc.d
own_policy=0
remove_policy() {
    [ "$own_policy" = 1 ] && "${SUDO[@]}" rm -f "$policy"
    return 0
}
trap remove_policy EXIT
if [ "$installing_redis_server" = 1 ] && [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# temporary, from dblite scripts/install-deps.sh\nexit 101\n' |
        "${SUDO[@]}" tee "$policy" >/dev/null
    "${SUDO[@]}" chmod 755 "$policy"
    own_policy=1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q "${missing[@]}"

if [ "$installing_redis_server" = 1 ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    echo "install-deps: disabling the redis-server system service (dblite only uses the binary)"
    "${SUDO[@]}" systemctl disable --now redis-server >/dev/null 2>&1 || true
fi

for package in "${PACKAGES[@]}"; do
    is_installed "$package" || { echo "install-deps: $package did not install" >&2; exit 1; }
done
