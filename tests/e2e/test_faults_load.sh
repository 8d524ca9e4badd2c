#!/usr/bin/env bash
# End-to-end load fault tests (the other faults are in test_faults.sh,
# memory in test_faults_memory.sh): 1,000 jobs due at the same second,
# 10,000 jobs in one file, SIGTERM while a burst of 1,000 is being started
# and while a 10,000 job crontab is being reloaded. Measured figures are
# printed as "# " lines (also when the test passes).
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"
. "$E2E_DIR/helpers/faults.sh"

HEALTHY='* * * * * * * echo tick'

# 10,000 distinct jobs that are not due during a test (January 1st only).
write_10000() {
    awk 'BEGIN { for (i = 0; i < 10000; i++) printf "%d %d 1 1 * /usr/bin/job-%d --run\n", i % 60, int(i / 60) % 24, i }'
}

# every job of PIDS (one a line) has ended: no process of its group is left.
groups_gone() {
    local left
    left=$(ps -eo pgid=,pid=,stat=,comm= | awk 'NR == FNR { g[$1] = 1; next } ($1 in g) && $3 !~ /^Z/' "$1" -)
    [ -z "$left" ] || fail "processes of the jobs' groups still running: $(echo "$left" | head -5 | xargs)"
}

# ------------------------------------------------------- 1,000 at one second

# 1,000 jobs due at the same second: each starts exactly once and exits 0,
# no job.error, no job.skip. The daemon starts them one after another
# (each spawn waits for the exec), so the burst takes a while; figures
# give how long.
burst_1000() {
    mkdir tabs
    local s
    s=$(due_in 4)
    write_jobs 1000 "$s * * * * * * true" >tabs/burst.cron
    echo "$HEALTHY" >tabs/tick.cron
    start_daemon -f tabs
    wait_started 10
    wait_count 1000 "$(is_asan && echo 60 || echo 30)" job.start 'job=burst'
    wait_count 1000 10 job.exit 'job=burst'
    local due first last lastexit
    first=$(rec event=job.start job~'^burst' -f _ms | sort -n | head -1)
    due=$((first / 1000 * 1000))
    last=$(rec event=job.start job~'^burst' -f _ms | sort -n | tail -1)
    lastexit=$(rec event=job.exit job~'^burst' -f _ms | sort -n | tail -1)
    figure "burst of 1,000: first job.start +$((first - due)) ms after the due second, 1,000th +$((last - due)) ms, last job.exit +$((lastexit - due)) ms"
    expect_eq "distinct jobs started" 1000 "$(rec event=job.start job~'^burst' -f job | sort -u | wc -l)"
    expect_eq "job.exit status 0" 1000 "$(nrec event=job.exit job~'^burst' status=0)"
    expect_eq "job.error" 0 "$(nrec event=job.error)"
    expect_eq "job.skip" 0 "$(nrec event=job.skip)"
    [ "$(rec event=job.start job=burst.cron:1 -f _ms)" -ge "$due" ] || fail "started before the due second"
    # after the burst, the job due every second has its seconds again
    local n t1
    # (whole seconds strictly inside the window count: at least two after
    # the burst's last exit plus a second)
    n=$(nrec event=job.start job=tick.cron:1)
    wait_rec $((n + 4)) 6 event=job.start job=tick.cron:1
    t1=$(rec event=job.start job=tick.cron:1 -f _ms | tail -1)
    every_second tick.cron:1 "$((lastexit + 1000))" "$t1"
    every_second tick.cron:1 "$(rec event=daemon.start -f _ms)" "$due"
    # the job due every second waits for the burst, then runs late once
    # (README: a late job runs once), never twice in one second
    figure "burst of 1,000: the job due every second started $(rec event=job.start job=tick.cron:1 -f _ms | awk -v a="$due" -v b="$last" '$1 >= a && $1 <= b + 1000' | wc -l) times from the due second to 1 s after the 1,000th start ($((last - due + 1000)) ms)"
    expect_eq "starts of the job due every second in a second that has two" "" \
        "$(rec event=job.start job=tick.cron:1 -f time -f _ms | awk '{ s = int($2 / 1000); t[s] = t[s] " " $1; c[s]++ } END { for (s in c) if (c[s] > 1) print t[s] }')"
    daemon_alive
}

# -------------------------------------------------------- 10,000 in one file

jobs_10000() {
    mkdir tabs
    write_10000 >tabs/big.cron
    local t0 t1 out
    t0=$(now_ms)
    out=$("$CROND_BIN" --check -f tabs 2>&1)
    t1=$(now_ms)
    expect_eq "--check" "1 file, 10000 jobs: no problems" "$out"
    figure "10,000 jobs: --check in $((t1 - t0)) ms"
    [ $((t1 - t0)) -lt "$(is_asan && echo 15000 || echo 5000)" ] || fail "--check took $((t1 - t0)) ms"
    t0=$(now_ms)
    start_daemon -f tabs
    wait_started 20
    t1=$(rec event=daemon.start -f _ms)
    expect_eq "daemon.start jobs" 10000 "$(rec event=daemon.start -f jobs)"
    sleep 1
    local rss hwm
    rss=$(status_kb "$DPID" VmRSS)
    hwm=$(status_kb "$DPID" VmHWM)
    figure "10,000 jobs: daemon.start $((t1 - t0)) ms after exec; VmRSS ${rss} kB, VmHWM ${hwm} kB"
    is_asan || [ "$rss" -lt 32768 ] || fail "VmRSS ${rss} kB with 10,000 jobs"
    expect_eq "job.start" 0 "$(nrec event=job.start)"
    stop_daemon TERM 5
    expect_eq "exit status" 0 "$DRC"
}

# --------------------------------------------------------- SIGTERM mid-burst

# SIGTERM as soon as the burst of 1,000 begins: the daemon stops scheduling
# (no job.start later than 1 s after the signal, 3 s under a sanitizer;
# not all 1,000 start), every started job gets job.exit or job.kill,
# nothing of the jobs is left, exit 0.
sigterm_during_burst() {
    mkdir tabs
    local s
    s=$(due_in 3)
    write_jobs 1000 "$s * * * * * * sleep 5" >tabs/burst.cron
    start_daemon --grace 2s -f tabs
    wait_started 10
    local i t_term
    for ((i = 0; i < 1000; i++)); do
        grep -q 'event=job.start' out.log && break
        sleep 0.005
    done
    kill -TERM "$DPID"
    t_term=$(now_ms)
    wait_exit "$DPID" "$(is_asan && echo 60 || echo 30)"
    local t_exit
    t_exit=$(now_ms)
    expect_eq "exit status" 0 "$DRC"
    # the jobs being started when the signal came may still start (the
    # daemon sees signals between slices of a burst), later ones must not
    local started late slack
    slack=$(is_asan && echo 3000 || echo 1000)
    started=$(nrec event=job.start)
    late=$(rec event=job.start -f _ms | awk -v t="$t_term" -v s="$slack" '$1 > t + s' | wc -l)
    figure "SIGTERM at the start of a burst of 1,000: $started started, $late of them more than $slack ms after the signal; exit $((t_exit - t_term)) ms after it"
    [ "$late" -eq 0 ] || fail "$late job.start records more than $slack ms after SIGTERM (scheduling did not stop)"
    [ "$started" -lt 1000 ] || fail "all 1,000 jobs started after SIGTERM"
    [ $((t_exit - t_term)) -lt 4000 ] || fail "the daemon exited $((t_exit - t_term)) ms after SIGTERM (--grace 2s)"
    expect_eq "daemon.stop" SIGTERM "$(rec event=daemon.stop -f signal)"
    # every started job is accounted for
    rec event=job.start -f pid | sort >started
    rec event~'^job\.(exit|kill)$' -f pid | sort -u >ended
    expect_eq "started jobs without job.exit/job.kill" "" "$(comm -23 started ended | head -5 | xargs)"
    expect_eq "job.exit records" "$started" "$(nrec event=job.exit)"
    groups_gone started
}

# ------------------------------------------------------ SIGTERM mid-reload

# SIGHUP then SIGTERM right away, with a 10,000 job crontab (a reload takes
# tens of ms): a clean stop, exit 0. Twice: both signals pending together,
# and SIGTERM 10 ms into the reload.
sigterm_during_reload() {
    mkdir tabs
    write_10000 >tabs/big.cron
    echo '* * * * * * * echo tick; sleep 0.3' >tabs/tick.cron
    local pause
    for pause in 0 0.01; do
        start_daemon --grace 2s -f tabs
        wait_started 20
        wait_rec 1 3 event=job.output msg=tick
        kill -HUP "$DPID"
        [ "$pause" = 0 ] || sleep "$pause"
        kill -TERM "$DPID"
        wait_exit "$DPID" 10
        expect_eq "exit status (pause $pause)" 0 "$DRC"
        expect_eq "daemon.stop (pause $pause)" SIGTERM "$(rec event=daemon.stop -f signal)"
        rec event=job.start -f pid >started
        groups_gone started
        figure "SIGTERM $pause s after SIGHUP (10,000 jobs): reload records: $(rec event=daemon.reload -f jobs -f duration_us | tr '\t' ' ' | xargs)"
        mv out.log "out.$pause.log"
        mv err.log "err.$pause.log"
        DPID=
    done
}

run_test "1,000 jobs due at one second: each runs once, no error" burst_1000
run_test "10,000 jobs in one file: --check, load, memory" jobs_10000
run_test "SIGTERM as a burst of 1,000 starts: stops scheduling, all reaped, exit 0" sigterm_during_burst
run_test "SIGTERM right after SIGHUP (10,000 jobs): clean stop, exit 0" sigterm_during_reload
