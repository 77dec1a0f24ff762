#!/bin/sh
# Runs every unit-test binary and integration script, then prints the one
# closing line "N passed, N failed".  BUILD names the build directory.
#
# Unit binaries print "RESULT <passed> <failed>"; integration scripts print
# "ok - name" / "not ok - name" lines (tests/integration/lib.sh).  A binary
# or script that dies without reporting counts as one failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
export BUILD SRCDIR="$top"
export CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-300}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
only=${TESTS:-}
passed=0 failed=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    [ -n "$only" ] && case " $only " in *" $name "*) ;; *) continue ;; esac
    timeout 1200 "$t" >"$log/out" 2>&1
    rc=$?
    res=$(sed -n 's/^RESULT \([0-9]*\) \([0-9]*\)$/\1 \2/p' "$log/out" | tail -1)
    if [ -z "$res" ]; then
        echo "FAIL $name: exited $rc without a result"; tail -20 "$log/out"
        failed=$((failed + 1)); continue
    fi
    p=${res% *} f=${res#* }
    passed=$((passed + p)) failed=$((failed + f))
    if [ "$f" -ne 0 ] || [ "$rc" -ne 0 ]; then
        [ "$f" -eq 0 ] && failed=$((failed + 1))
        echo "FAIL $name ($p passed, $f failed, exit $rc)"; grep -v '^RESULT' "$log/out" | tail -40
    else
        echo "ok   $name ($p)"
    fi
done

for s in tests/integration/t_*.sh; do
    [ -f "$s" ] || continue
    name=$(basename "$s" .sh)
    [ -n "$only" ] && case " $only " in *" $name "*) ;; *) continue ;; esac
    timeout 1200 sh "$s" >"$log/out" 2>&1
    rc=$?
    p=$(grep -c '^ok ' "$log/out") f=$(grep -c '^not ok ' "$log/out")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    passed=$((passed + p)) failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
        echo "FAIL $name ($p passed, $f failed, exit $rc)"; tail -40 "$log/out"
    else
        echo "ok   $name ($p)"
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
