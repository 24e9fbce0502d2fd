#!/bin/sh
# exports_test.sh - the server exports the module API and nothing else.
#
# 1. nm -D --defined-only of dblite-server lists only dblite_* functions,
#    plus what the C library's own linking puts there (versioned copies
#    such as stderr@GLIBC_2.2.5 and the linker's section markers).
# 2. Every dblite_ function the public headers declare is exported (the
#    list the build generates is run again here from the headers).
# 3. Every dblite_ symbol a built module, test plugin or example needs is
#    exported, so all of them bind (the futuresymbol plugins, which call a
#    function of a future API on purpose, excepted).
# In a sanitized build (SANITIZER_CC given) the symbols the compiler's
# static sanitizer runtimes define are left out of step 1: the runtime
# exports its interceptors (malloc, read, ...) on purpose.
# Usage: exports_test.sh SOURCE_DIR BINARY_DIR [CMAKE [SANITIZER_CC]]
# (DBLITE_SERVER from ctest).
set -eu
source_dir=$1
binary_dir=$2
cmake=${3:-cmake}
sanitizer_cc=${4:-}
server=${DBLITE_SERVER:?DBLITE_SERVER is not set}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

nm -D --defined-only "$server" | awk '{print $NF}' | sort -u > "$work/exported"
grep -v '^dblite_' "$work/exported" |
    grep -v '@' |
    grep -vx -e _IO_stdin_used -e __bss_start -e __data_start -e _edata -e _end -e _start -e _init -e _fini \
    > "$work/foreign" || true
if [ -n "$sanitizer_cc" ]; then
    : > "$work/runtime"
    runtime_dir=$("$sanitizer_cc" -print-runtime-dir 2>/dev/null || true)
    for library in "$runtime_dir"/libclang_rt.*san*-x86_64.a "$runtime_dir"/libclang_rt.ubsan*-x86_64.a; do
        [ -f "$library" ] && nm -g --defined-only "$library" 2>/dev/null | awk 'NF >= 3 { print $3 }' >> "$work/runtime"
    done
    sort -u "$work/runtime" -o "$work/runtime"
    comm -23 "$work/foreign" "$work/runtime" > "$work/foreign_own"
    echo "sanitized build: $(($(wc -l < "$work/foreign") - $(wc -l < "$work/foreign_own"))) sanitizer runtime symbols left out"
    mv "$work/foreign_own" "$work/foreign"
fi
if [ -s "$work/foreign" ]; then
    echo "FAIL: the server exports symbols outside the module API:"
    sed 's/^/  /' "$work/foreign"
    failed=1
fi
count=$(grep -c '^dblite_' "$work/exported" || true)
if [ "$count" -lt 100 ]; then
    echo "FAIL: only $count dblite_ functions exported"
    failed=1
fi

"$cmake" -DOUTPUT="$work/list" "-DHEADERS=$(ls "$source_dir"/include/dblite_*.h | tr '\n' ';')" \
    -P "$source_dir/cmake/dblite_exports.cmake"
sed -n 's/^  \(dblite_[a-z0-9_]*\);$/\1/p' "$work/list" | sort -u > "$work/declared"
grep '^dblite_' "$work/exported" | sort -u > "$work/exported_api"
missing=$(comm -23 "$work/declared" "$work/exported_api")
if [ -n "$missing" ]; then
    echo "FAIL: declared in the headers but not exported by the server:"
    echo "$missing" | sed 's/^/  /'
    failed=1
fi

checked=0
for module in "$binary_dir"/modules/*.so "$binary_dir"/test-modules/*.so; do
    case $(basename "$module") in futuresymbol*.so) continue ;; esac
    checked=$((checked + 1))
    nm -D --undefined-only "$module" | awk '{print $NF}' | grep '^dblite_' | sort -u > "$work/needs" || true
    unbound=$(comm -23 "$work/needs" "$work/exported_api")
    if [ -n "$unbound" ]; then
        echo "FAIL: $(basename "$module") needs functions the server does not export:"
        echo "$unbound" | sed 's/^/  /'
        failed=1
    fi
done
if [ "$checked" -lt 10 ]; then
    echo "FAIL: only $checked modules found under $binary_dir"
    failed=1
fi

[ "$failed" -eq 0 ] && echo "ok: $count dblite_ functions exported, nothing else; $checked modules bind"
exit "$failed"
