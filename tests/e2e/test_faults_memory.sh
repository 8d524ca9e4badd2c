#!/usr/bin/env bash
# End-to-end memory tests (the other faults are in test_faults.sh and
# test_faults_load.sh): the daemon's resident memory stays flat over
# thousands of runs and over 1,000 reloads. Figures are printed as "# "
# lines (also when the test passes).
#
# Under AddressSanitizer every free goes to a quarantine (256 MB by
# default), so resident memory grows with every run whether or not anything
# leaks; these tests then run the daemon with a 1 MB quarantine, and the
# leak check proper is LeakSanitizer's at the daemon's exit (a report fails
# the test, see helpers/daemon.sh).
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"
. "$E2E_DIR/helpers/faults.sh"

# start_measured ARGS: the daemon, with a small quarantine under ASan.
start_measured() {
    if is_asan; then
        start_wrapped env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1" -- "$@"
    else
        start_daemon "$@"
    fi
}

# quiet_rss: VmRSS (kB) at a moment when the daemon has no child (every run
# reaped, its buffers freed), waiting up to 3 s for one.
quiet_rss() {
    local i
    for ((i = 0; i < 150; i++)); do
        [ -z "$(pgrep -P "$DPID")" ] && break
        sleep 0.02
    done
    status_kb "$DPID" VmRSS
}

# growth_ok WHAT R0 R1: R1 - R0 below 2 MB or 20 % of R0, whichever is more.
growth_ok() {
    local bound=$(($2 / 5))
    [ "$bound" -ge 2048 ] || bound=2048
    [ $(($3 - $2)) -lt "$bound" ] || fail "$1: VmRSS grew by $(($3 - $2)) kB (from $2 kB), more than $bound kB"
}

# Many runs: jobs `true` due every second, as many as the daemon can start
# and reap within the second on a loaded 2-core machine (100; 40 under a
# sanitizer, whose fork is slower), so that the samples are taken with no
# run in flight: each running job holds two 16 KiB relay buffers, and with
# more jobs than the daemon starts in a second the samples would measure
# how many runs happen to be in flight. VmRSS after 500 runs (warm-up)
# and at the end (RUNS runs, default 10,000, or 25 s, whichever comes
# first; RUNS and RUNS_SECONDS in the environment change those) grows by
# less than 2 MB or 20 %.
rss_many_runs() {
    local jobs target
    jobs=$(is_asan && echo 40 || echo 100)
    target=${RUNS:-10000}
    mkdir tabs
    write_jobs "$jobs" '* * * * * * * true' >tabs/many.cron
    start_measured -f tabs
    wait_started 10
    wait_count 500 60 job.exit
    local r0 r1 h1 t0 t1 n0 n i
    r0=$(quiet_rss)
    n0=$(count job.exit)
    t0=$(now_ms)
    for ((i = 0; i < ${RUNS_SECONDS:-25} * 10; i++)); do
        [ "$(count job.exit)" -ge "$target" ] && break
        sleep 0.1
    done
    r1=$(quiet_rss)
    h1=$(status_kb "$DPID" VmHWM)
    t1=$(now_ms)
    n=$(count job.exit)
    figure "$n runs ($jobs jobs every second, $(((n - n0) * 1000 / (t1 - t0))) runs/s): VmRSS ${r0} kB after $n0 runs, ${r1} kB after $n ($((r1 - r0)) kB), VmHWM ${h1} kB"
    growth_ok "$((n - n0)) runs" "$r0" "$r1"
    expect_eq "job.error" 0 "$(count job.error)"
    expect_eq "job.exit not 0" 0 "$(grep 'event=job.exit' out.log | grep -vc ' status=0 ' || true)"
    stop_daemon TERM 10
    expect_eq "exit status" 0 "$DRC"
}

# 1,000 reloads by SIGHUP, the crontab changing between two versions each
# time (one job added and one removed per reload): VmRSS after 50 (warm-up)
# and after 1,050 grows by less than 2 MB or 20 %.
rss_many_reloads() {
    mkdir tabs
    { write_jobs 49 '0 3 * * * echo a'; echo '* * * * * * * echo one'; } >v1
    { write_jobs 49 '0 3 * * * echo a'; echo '* * * * * * * echo two'; } >v2
    cp v1 tabs/app.cron
    start_measured --no-reload -f tabs
    wait_started
    "$PYTHON" "$E2E_DIR/helpers/hup_driver.py" "$DPID" out.log tabs/app.cron 50 v2 v1 >/dev/null
    local r0 r1 h1 res
    r0=$(quiet_rss)
    res=$("$PYTHON" "$E2E_DIR/helpers/hup_driver.py" "$DPID" out.log tabs/app.cron 1000 v2 v1) ||
        fail "$res"
    r1=$(quiet_rss)
    h1=$(status_kb "$DPID" VmHWM)
    figure "1,000 reloads (50 jobs, 1 added and 1 removed each): $res; VmRSS ${r0} kB after 50, ${r1} kB after 1,050 ($((r1 - r0)) kB), VmHWM ${h1} kB"
    expect_eq "daemon.reload records" 1050 "$(count daemon.reload)"
    expect_eq "last reload" "50 1 1 49" "$(rec event=daemon.reload -f jobs -f added -f removed -f kept | tail -1 | tr '\t' ' ')"
    growth_ok "1,000 reloads" "$r0" "$r1"
    daemon_alive
    # the job of the crontab's current version runs
    local n
    n=$(nrec event=job.output msg=one)
    wait_rec $((n + 1)) 3 event=job.output msg=one
    stop_daemon TERM 5
    expect_eq "exit status" 0 "$DRC"
}

run_test "memory flat over thousands of runs" rss_many_runs
run_test "memory flat over 1,000 reloads" rss_many_reloads
