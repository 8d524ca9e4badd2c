#!/usr/bin/env bash
# tests/run.sh BUILD_DIR: runs every unit test binary and every end-to-end
# script against BUILD_DIR/crond-lite, then prints "N passed, N failed".
# Unit counts come from cmocka's summary lines; e2e scripts print one
# "ok - NAME" / "not ok - NAME" line per test (tests/e2e/lib.sh).
#
# The e2e scripts mostly wait on real seconds, so they run in two lanes at
# once (E2E_LANES=1 runs them one after the other): the lanes are balanced
# by time, and the scripts that load the machine most (bursts of 1,000
# jobs, valgrind, the memory test) share lane 1, so they never overlap each
# other. test_stop.sh runs two CPU hogs on purpose: it runs alone, after
# the lanes. Results are printed in file order either way.
set -u
cd "$(dirname "$0")/.." || exit 2
build=${1:-build}
export CROND_BIN="$PWD/$build/crond-lite"
passed=0 failed=0 skipped=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    log="$work/unit.log"
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

# Lane 1: the heavy scripts, and enough others to balance the lanes.
lane1=" test_faults_load test_faults_memory test_daemon_valgrind test_daemon test_faults "
lane1+=" test_cli test_manpage test_fuzz_replay test_static "
solo=" test_stop "

# run_e2e SCRIPT: runs it, keeping its output and time in $work.
run_e2e() {
    local t=$1 name t0
    name=$(basename "$t" .sh)
    t0=$SECONDS
    bash "$t" >"$work/$name.log" 2>&1
    echo "$? $((SECONDS - t0))" >"$work/$name.rc"
}

lane() {
    local which=$1 t name in1
    for t in tests/e2e/test_*.sh; do
        [ -f "$t" ] || continue
        name=$(basename "$t" .sh)
        in1=2
        case $lane1 in *" $name "*) in1=1 ;; esac
        case $solo in *" $name "*) in1=solo ;; esac
        [ "${E2E_LANES:-2}" = 1 ] || [ "$in1" = "$which" ] || continue
        run_e2e "$t"
    done
}

if [ "${E2E_LANES:-2}" = 1 ]; then
    lane 1
else
    lane 1 &
    lane 2 &
    wait
    lane solo
fi

for t in tests/e2e/test_*.sh; do
    [ -f "$t" ] || continue
    name=$(basename "$t" .sh)
    log="$work/$name.log"
    read -r rc secs <"$work/$name.rc" || { rc=1; secs=0; }
    p=$(grep -c '^ok ' "$log")
    f=$(grep -c '^not ok ' "$log")
    s=$(grep -c '^skip ' "$log")
    grep '^skip ' "$log"
    skipped=$((skipped + s))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    if [ "$f" -ne 0 ]; then echo "--- $t"; grep -v '^ok ' "$log" | head -60; fi
    echo "e2e $name.sh: $p passed, $f failed ($secs s)"
    passed=$((passed + p)) failed=$((failed + f))
done

if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
