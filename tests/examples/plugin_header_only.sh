#!/bin/sh
# plugin_header_only.sh - the examples are plugins as an author writes them:
# every examples/*/*.c compiles (-Wall -Wextra -Werror, syntax only) with
# nothing of dblite on the include path but dblite_module.h, the plugin
# author's header (no dblite_provider.h, no module folders).
# Usage: plugin_header_only.sh SOURCE_DIR [CC]
set -eu
source_dir=$1
cc=${2:-cc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$source_dir/include/dblite_module.h" "$work/"
failed=0
count=0
for source in "$source_dir"/examples/*/*.c; do
    count=$((count + 1))
    if ! "$cc" -std=gnu11 -Wall -Wextra -Werror -fsyntax-only -I "$work" -I "$(dirname "$source")" "$source"; then
        echo "FAIL: $source needs more than dblite_module.h"
        failed=1
    fi
done
if [ "$count" -eq 0 ]; then
    echo "FAIL: no example sources under $source_dir/examples"
    exit 1
fi
[ "$failed" -eq 0 ] && echo "ok: $count example sources need only dblite_module.h"
exit "$failed"
