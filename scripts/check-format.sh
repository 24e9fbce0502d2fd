#!/usr/bin/env bash
# check-format.sh - fails when a C source or header tracked by git differs
# from what clang-format makes of it with the tree's .clang-format.  The
# tree was formatted once in one commit; from then on this check (a stage of
# scripts/run-tests.sh, so of CI) keeps it so, and `scripts/check-format.sh
# --fix` rewrites the files in place.  Pinned to one clang-format major
# version, since versions format some constructs differently.

set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
WANTED_MAJOR=14

command -v clang-format >/dev/null || { echo "check-format: clang-format is not installed (scripts/install-deps.sh)" >&2; exit 1; }
major=$(clang-format --version | sed -n 's/.*version \([0-9]*\).*/\1/p')
if [ "$major" != "$WANTED_MAJOR" ]; then
    echo "check-format: clang-format $major found, the tree is formatted with $WANTED_MAJOR" >&2
    exit 1
fi

# tests/api_compat/v3 is a frozen copy of an old public header: kept as it was.
mapfile -t files < <(git ls-files '*.c' '*.h' | grep -v '^tests/api_compat/v3/')
if [ "${1:-}" = "--fix" ]; then
    clang-format -i "${files[@]}"
    exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/check-format.$$; then
    grep -o '^[^ :]*:[0-9]*:[0-9]*: error' /tmp/check-format.$$ | cut -d: -f1 | sort -u | head -20 >&2
    echo "check-format: the files above are not formatted; run scripts/check-format.sh --fix" >&2
    rm -f /tmp/check-format.$$
    exit 1
fi
rm -f /tmp/check-format.$$
echo "check-format: ${#files[@]} files formatted"
