#!/usr/bin/env bash
# setup.sh DIR - installs the npm packages the node application tests use
# (ioredis, redis: package.json and package-lock.json beside this script)
# into DIR/node_modules with `npm ci`, only when DIR does not hold exactly
# that lock's install already.  DIR is in the build tree (git ignores it),
# so a clean clone needs nothing installed by hand; ctest runs this once as
# the apps_node fixture's setup, before the node tests.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
target=${1:?usage: setup.sh DIR}

for tool in node npm; do
    command -v "$tool" >/dev/null || {
        echo "setup: $tool not found (scripts/install-deps.sh installs nodejs and npm)" >&2
        exit 1
    }
done

mkdir -p "$target"
stamp=$target/node_modules/.dblite-package-lock.json
if [ -d "$target/node_modules" ] && cmp -s "$here/package-lock.json" "$stamp"; then
    echo "setup: $target/node_modules is up to date"
    exit 0
fi
cp "$here/package.json" "$here/package-lock.json" "$target/"
(cd "$target" && npm ci --no-audit --no-fund --loglevel=error)
cp "$here/package-lock.json" "$stamp"
echo "setup: installed $(cd "$target" && npm ls --depth=0 --parseable | wc -l) packages into $target"
