#!/bin/sh
# Runs every benchmark: the bench_* binaries, then the bench/*.sh scripts.
# Each prints its own figures (ratios against a peer measured in the same run).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
export BUILD SRCDIR="$top"
for b in "$BUILD"/bench/bench_*; do
    [ -x "$b" ] || continue
    echo "== $(basename "$b")"
    "$b" || echo "(exit $?)"
done
for s in bench/*.sh; do
    [ "$s" = bench/run-bench.sh ] && continue
    [ -f "$s" ] || continue
    echo "== $(basename "$s" .sh)"
    sh "$s" || echo "(exit $?)"
done
