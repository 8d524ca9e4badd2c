#!/usr/bin/env bash
# tests/fuzz/run.sh FUZZ_DIR TARGET...: runs each libFuzzer binary
# FUZZ_DIR/fuzz_TARGET for FUZZ_TIME seconds (default 60), FUZZ_JOBS targets
# at a time (default 2), then prints one summary line per target and
# "N passed, N failed"; fails when any target crashed, leaked, timed out or
# did not finish.
#
# The committed corpus (tests/fuzz/corpus/TARGET) and regression inputs
# (tests/fuzz/regressions/TARGET) are read-only inputs: new inputs go to the
# work directory FUZZ_DIR/corpus/TARGET (kept between runs), crash files to
# FUZZ_DIR/artifacts/TARGET/, the output to FUZZ_DIR/logs/TARGET.log.
set -u
cd "$(dirname "$0")/../.." || exit 2
[ $# -ge 2 ] || { echo "usage: $0 FUZZ_DIR TARGET..." >&2; exit 2; }
dir=$1
shift
time=${FUZZ_TIME:-60}
jobs=${FUZZ_JOBS:-2}

# -max_len per target: a schedule, a duration or a time is short; relay inputs must
# cross 16 KiB pieces; real TZif files are under 4 KiB; HTTP inputs hold two
# 8 KiB heads. Crontab inputs stay at 8 KiB: at 70 KB (past the 64 KiB
# line limit) the fuzzer spends its time on huge inputs, at 40% of the
# executions for the same coverage; the longer seeds are cut to 8 KiB while
# fuzzing and replayed whole by tests/e2e/test_fuzz_replay.sh.
max_len() {
    case $1 in
        cronspec) echo 256 ;;
        duration) echo 128 ;;
        config) echo 16384 ;;
        crontab) echo 8192 ;;
        relay) echo 100000 ;;
        tzif) echo 4096 ;;
        posix_tz) echo 256 ;;
        timefmt) echo 128 ;;
        options) echo 1024 ;;
        pwfile) echo 4096 ;;
        httpreq) echo 16384 ;;
        compat) echo 1024 ;;
        claimurl) echo 512 ;;
        *) echo 4096 ;;
    esac
}

run_one() {
    local t=$1 bin="$dir/fuzz_$1" work="$dir/corpus/$1" art="$dir/artifacts/$1/"
    local log="$dir/logs/$1.log" inputs=("tests/fuzz/corpus/$1")
    mkdir -p "$work" "$art" "$dir/logs"
    [ -d "tests/fuzz/regressions/$1" ] && inputs+=("tests/fuzz/regressions/$1")
    "$bin" -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$t")" \
        -artifact_prefix="$art" -print_final_stats=1 "$work" "${inputs[@]}" >"$log" 2>&1
    echo $? >"$dir/logs/$1.rc"
}

for t in "$@"; do
    [ -x "$dir/fuzz_$t" ] || { echo "$dir/fuzz_$t: not built (make fuzz-build)" >&2; exit 2; }
    rm -f "$dir/logs/$t.rc"
done

echo "fuzzing $* for ${time}s each, $jobs at a time"
running=0
for t in "$@"; do
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
    run_one "$t" &
    running=$((running + 1))
done
wait

failed=0
for t in "$@"; do
    log="$dir/logs/$t.log"
    rc=$(cat "$dir/logs/$t.rc" 2>/dev/null || echo missing)
    done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1)
    runs=$(sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1/' <<<"$done_line")
    secs=$(sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\2/' <<<"$done_line")
    corpus=$(grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]+' "$log" | tail -1 | cut -d' ' -f2)
    if [ "$rc" = 0 ] && [ -n "$done_line" ]; then
        printf 'fuzz_%-9s ok    %12s executions in %ss (corpus %s)\n' "$t" "$runs" "$secs" "$corpus"
    else
        failed=$((failed + 1))
        printf 'fuzz_%-9s FAIL  exit %s, log %s, crash files in %s\n' "$t" "$rc" "$log" \
            "$dir/artifacts/$t/"
        grep -E '^==[0-9]+==ERROR|CHECK failed|runtime error|SUMMARY|^artifact_prefix|Test unit written' \
            "$log" | head -8 | sed 's/^/    /'
    fi
done
# the closing line every test run prints (.ci/run sums them)
echo "$(($# - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
