#!/usr/bin/env bash
# run-server.sh - installs dependencies, builds an optimised server into
# build/ and runs it in the foreground with config/dblite.ini (all modules,
# port 6379).  Extra arguments override config keys, e.g.
#   scripts/run-server.sh --port 7000 --loglevel verbose
# BUILD_TYPE (default Release) selects the CMake build type.

set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=$ROOT/build

"$ROOT/scripts/install-deps.sh"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" >&2
cmake --build "$BUILD_DIR" --parallel "$(nproc)" >&2

# A system redis-server service may hold the default port; say so plainly
# instead of leaving the user with a bare "address in use".
case " $* " in
    *" --port "*) ;;
    *)
        if command -v ss >/dev/null && ss -Hltn 'sport = :6379' 2>/dev/null | grep -q .; then
            echo "run-server: port 6379 is already taken (a system redis-server service?" \
                 "stop it, or pass --port N)" >&2
        fi
        ;;
esac

exec "$BUILD_DIR/dblite-server" "$ROOT/config/dblite.ini" --module-path "$BUILD_DIR/modules" "$@"
