#!/usr/bin/env bash
# tests/run.sh BUILD_DIR: runs every unit test binary and every end-to-end
# script against BUILD_DIR/crond-lite, then prints "N passed, N failed".
# Unit counts come from cmocka's summary lines; e2e scripts print one
# "ok - NAME" / "not ok - NAME" line per test (tests/e2e/lib.sh).
set -u
cd "$(dirname "$0")/.." || exit 2
build=${1:-build}
export CROND_BIN="$PWD/$build/crond-lite"
passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    "$t" >"$log" 2>&1
    rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed before its summary
    if [ "$f" -ne 0 ]; then
        echo "--- $t"; grep -E '^\[  (FAILED|ERROR) |^\[ +(LINE|ERROR) |error|Error' "$log" | head -40
    fi
    echo "unit $(basename "$t"): $p passed, $f failed"
    passed=$((passed + p)) failed=$((failed + f))
done

for t in tests/e2e/test_*.sh; do
    [ -f "$t" ] || continue
    t0=$SECONDS
    bash "$t" >"$log" 2>&1
    rc=$?
    p=$(grep -c '^ok ' "$log")
    f=$(grep -c '^not ok ' "$log")
    s=$(grep -c '^skip ' "$log")
    grep '^skip ' "$log"
    skipped=$((skipped + s))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    if [ "$f" -ne 0 ]; then echo "--- $t"; grep -v '^ok ' "$log" | head -60; fi
    echo "e2e $(basename "$t"): $p passed, $f failed ($((SECONDS - t0)) s)"
    passed=$((passed + p)) failed=$((failed + f))
done

if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
