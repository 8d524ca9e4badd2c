#!/usr/bin/env bash
# End-to-end tests of the daemon's lifetime: overlap policies, graceful stop
# and grace expiry, reaping (as PID 1 and as a subreaper), SIGUSR1.
# The contract is DESIGN.md sections 4, 5 and 7.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"

PROCTREE="$E2E_DIR/helpers/proctree.py"

# no_overlap JOB: no job.start of JOB while an earlier run of JOB still runs.
no_overlap() {
    rec event~'^job\.(start|exit)$' job="$1" -f event -f pid -f time | awk '
        $1 == "job.start" { if (n > 0) { print "FAIL: " $2 " started at " $3 " while " n " run(s) ran"; bad = 1 } n++ }
        $1 == "job.exit"  { n-- }
        END { exit bad }'
}

overlap_skip() {
    mkdir tabs
    echo '* * * * * * * echo run; sleep 3' >tabs/app.cron
    start_daemon -f tabs
    wait_rec 1 3 event=job.start job=app.cron:1
    local p1
    p1=$(first_pid app.cron:1)
    wait_rec 2 4 event=job.skip job=app.cron:1
    wait_rec 1 3 event=job.exit pid="$p1"
    wait_rec 2 3 event=job.start job=app.cron:1
    no_overlap app.cron:1
    expect_eq "skips without a reason" "" "$(rec event=job.skip job=app.cron:1 -f reason | grep -vE '^.+$' || true)"
    expect_eq "skips without a reason key" 0 "$(nrec event=job.skip '!reason')"
    # the skips before the second run fall while the first run ran
    local t_start t_exit s2 bad
    t_start=$(rec event=job.start pid="$p1" -f _ms)
    t_exit=$(rec event=job.exit pid="$p1" -f _ms)
    s2=$(rec event=job.start job=app.cron:1 -f _ms | sed -n 2p)
    bad=$(rec event=job.skip -f _ms | awk -v a="$t_start" -v b="$t_exit" -v c="$s2" '$1 < a || ($1 > b + 50 && $1 < c)')
    expect_eq "skips outside the first run" "" "$bad"
}

overlap_allow() {
    mkdir tabs
    echo '* * * * * * * echo run; sleep 3' >tabs/app.cron
    start_daemon --overlap allow -f tabs
    wait_rec 3 5 event=job.start job=app.cron:1
    local second first_exit
    second=$(rec event=job.start job=app.cron:1 -f _n | sed -n 2p)
    first_exit=$(rec event=job.exit job=app.cron:1 -f _n | head -1)
    [ -z "$first_exit" ] || [ "$first_exit" -gt "$second" ] || fail "second run started after the first ended"
    expect_eq "job.skip records" 0 "$(nrec event=job.skip)"
    # they really run side by side: three distinct pids alive at once
    [ "$(rec event=job.start job=app.cron:1 -f pid | sort -u | wc -l)" -ge 3 ] || fail "pids not distinct"
}

# queue: a run due while the last one runs starts right after it ends, and at
# most one waits. The first run (which creates ./lock) takes 2.5 s, later
# runs are instant: after the first ends, exactly one queued run starts at
# once, the next one only at the next whole second.
overlap_queue() {
    mkdir tabs
    echo "* * * * * * * mkdir $PWD/lock 2>/dev/null && sleep 2.5; echo run" >tabs/app.cron
    start_daemon --overlap queue -f tabs
    wait_rec 4 7 event=job.start job=app.cron:1
    no_overlap app.cron:1
    local exit1 s2 s3
    exit1=$(rec event=job.exit job=app.cron:1 -f _ms | head -1)
    s2=$(rec event=job.start job=app.cron:1 -f _ms | sed -n 2p)
    s3=$(rec event=job.start job=app.cron:1 -f _ms | sed -n 3p)
    { [ $((s2 - exit1)) -ge 0 ] && [ $((s2 - exit1)) -lt 300 ]; } ||
        fail "queued run started $((s2 - exit1)) ms after the first ended"
    [ $((s3 - exit1)) -ge 300 ] ||
        fail "a second queued run started $((s3 - exit1)) ms after the first ended (more than one waited)"
}

# SIGTERM: the job gets SIGTERM, its trap runs, it exits 3; the daemon exits
# 0 as soon as it is done, long before the grace time.
graceful_stop() {
    mkdir tabs
    echo "* * * * * * * trap 'echo got TERM; exit 3' TERM; echo ready; sleep 100 & wait" >tabs/app.cron
    start_daemon --grace 5s -f tabs
    wait_rec 1 3 event=job.output job=app.cron:1 msg=ready
    local p t0 t1
    p=$(first_pid app.cron:1)
    t0=$(now_ms)
    kill -TERM "$DPID"
    wait_exit "$DPID" 4
    t1=$(now_ms)
    expect_eq "exit status" 0 "$DRC"
    [ $((t1 - t0)) -lt 2000 ] || fail "daemon took $((t1 - t0)) ms to stop"
    expect_eq "job's trap" "got TERM" "$(msgs app.cron:1 "$p" | tail -1)"
    expect_eq "job.exit status" 3 "$(rec event=job.exit pid="$p" -f status)"
    expect_eq "SIGKILLs" 0 "$(nrec event=job.kill signal=SIGKILL)"
    expect_eq "daemon.stop" SIGTERM "$(rec event=daemon.stop -f signal)"
    expect_eq "runs" 1 "$(nrec event=job.start)"
    ! pgroup_alive "$p" || fail "process group $p still has processes: $(pgrep -g "$p" -a)"
}

# A job that ignores SIGTERM (and its child, which inherits that) is
# SIGKILLed when the grace time is over; nothing of its group is left.
grace_expiry() {
    mkdir tabs
    echo "* * * * * * * trap '' TERM; echo ready; sleep 100; echo not reached" >tabs/app.cron
    start_daemon --grace 1s -f tabs
    wait_rec 1 3 event=job.output job=app.cron:1 msg=ready
    local p t0 t1
    p=$(first_pid app.cron:1)
    t0=$(now_ms)
    kill -TERM "$DPID"
    sleep 0.5
    pgroup_alive "$p" || fail "job killed before its grace time was over"
    wait_exit "$DPID" 4
    t1=$(now_ms)
    expect_eq "exit status" 0 "$DRC"
    [ $((t1 - t0)) -ge 900 ] || fail "daemon stopped after $((t1 - t0)) ms, before the grace time"
    [ $((t1 - t0)) -lt 3000 ] || fail "daemon took $((t1 - t0)) ms to stop"
    expect_eq "job.kill SIGKILL" 1 "$(nrec event=job.kill job=app.cron:1 pid="$p" signal=SIGKILL)"
    expect_eq "job.exit" SIGKILL "$(rec event=job.exit pid="$p" -f signal)"
    ! pgroup_alive "$p" || fail "process group $p still has processes: $(pgrep -g "$p" -a)"
}

# A second SIGTERM (or SIGINT) during the grace time kills at once.
second_term_kills() {
    second_signal_kills TERM TERM
}

second_int_kills() {
    second_signal_kills INT INT
}

second_signal_kills() {
    mkdir tabs
    echo "* * * * * * * trap '' TERM; echo ready; sleep 100" >tabs/app.cron
    start_daemon --grace 20s -f tabs
    wait_rec 1 3 event=job.output job=app.cron:1 msg=ready
    local p t0 t1
    p=$(first_pid app.cron:1)
    kill -"$1" "$DPID"
    sleep 0.3
    is_dead "$DPID" && fail "daemon gone after the first SIG$1"
    t0=$(now_ms)
    kill -"$2" "$DPID"
    wait_exit "$DPID" 3
    t1=$(now_ms)
    expect_eq "exit status" 0 "$DRC"
    [ $((t1 - t0)) -lt 1000 ] || fail "daemon took $((t1 - t0)) ms after the second SIG$2"
    expect_eq "daemon.stop" "SIG$1" "$(rec event=daemon.stop -f signal)"
    expect_eq "job.kill SIGKILL" 1 "$(nrec event=job.kill pid="$p" signal=SIGKILL)"
    ! pgroup_alive "$p" || fail "process group $p still has processes: $(pgrep -g "$p" -a)"
}

# zombie_watch ROOT SECONDS: samples the processes below ROOT twice a second;
# a zombie seen twice 300 ms apart is a leak. Sets SAW_ORPHAN when a sleep
# whose parent is ROOT (an adopted orphan) was seen.
zombie_watch() {
    local root=$1 n=$(($2 * 2)) i z z2 leaked=
    SAW_ORPHAN=
    for ((i = 0; i < n; i++)); do
        "$PYTHON" "$PROCTREE" "$root" >tree
        awk -v r="$root" '$2 == r && $4 == "sleep"' tree | grep -q . && SAW_ORPHAN=1
        z=$(awk '$3 == "Z" { print $1 }' tree)
        if [ -n "$z" ]; then
            sleep 0.3
            "$PYTHON" "$PROCTREE" "$root" >tree2
            z2=$(awk '$3 == "Z" { print $1 }' tree2 | grep -xF "$z" || true)
            [ -z "$z2" ] || leaked="$leaked $(awk '$3 == "Z"' tree2 | tr '\n' ';')"
        else
            sleep 0.5
        fi
    done
    [ -z "$leaked" ] || fail "zombies that stayed:$leaked"
}

ORPHANS_JOB="* * * * * * * sh -c 'sleep 1 &' ; ( sleep 0.5 & ) ; echo spawned"

# As PID 1 of a pid namespace: orphans of jobs are reaped.
no_zombies_as_pid1() {
    [ "$(id -u)" = 0 ] || { echo "# skipped: needs root for unshare"; return 0; }
    unshare --pid --fork --mount-proc true 2>/dev/null || { echo "# skipped: unshare --pid not permitted"; return 0; }
    mkdir tabs
    echo "$ORPHANS_JOB" >tabs/app.cron
    start_wrapped unshare --pid --fork --mount-proc -- -f tabs
    wait_rec 1 3 event=job.output msg=spawned
    local init
    init=$(pgrep -P "$DPID" | head -1)
    [ -n "$init" ] || fail "no crond-lite below unshare"
    expect_eq "pid inside the namespace" 1 "$(awk '/^NSpid:/ { print $NF }' "/proc/$init/status")"
    zombie_watch "$init" 4
    [ -n "$SAW_ORPHAN" ] || fail "never saw an orphaned sleep adopted by crond-lite"
    [ "$(nrec event=job.start)" -ge 4 ] || fail "job ran $(nrec event=job.start) times"
    kill -TERM "$init"
    wait_exit "$DPID" 4
    expect_eq "exit status" 0 "$DRC"
    expect_eq "daemon.stop" SIGTERM "$(rec event=daemon.stop -f signal)"
}

# Not PID 1: crond-lite is a child subreaper; orphans of jobs become its
# children and are reaped.
no_zombies_as_subreaper() {
    mkdir tabs
    echo "$ORPHANS_JOB" >tabs/app.cron
    start_daemon -f tabs
    wait_rec 1 3 event=job.output msg=spawned
    zombie_watch "$DPID" 4
    [ -n "$SAW_ORPHAN" ] || fail "no orphan was adopted by crond-lite (not a child subreaper?)"
    [ "$(nrec event=job.start)" -ge 4 ] || fail "job ran $(nrec event=job.start) times"
}

# Reloads (SIGHUP, file changes, directories, ConfigMaps, a kept job's
# running process) are tested in test_reload.sh, and what a reload does to
# the job table in tests/unit/test_jobtab.c.

# SIGUSR1: one record per job with its schedule, its next time and the pids
# of its running processes.
sigusr1_status() {
    mkdir tabs
    printf '* * * * * * * echo a; sleep 5\n0 3 * * * echo b\n' >tabs/app.cron
    start_daemon -f tabs
    wait_rec 1 3 event=job.output job=app.cron:1 msg=a
    local p
    p=$(first_pid app.cron:1)
    kill -USR1 "$DPID"
    wait_rec 1 2 job=app.cron:2
    sleep 0.2
    rec >all.json
    "$PYTHON" - "$p" <<'PY'
import json, re, sys
pid = sys.argv[1]
recs = [json.loads(l) for l in open('all.json')]
runs = {'job.start', 'job.output', 'job.exit', 'job.skip', 'job.kill', 'job.error'}
iso = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)')
for job, sched in (('app.cron:1', '* * * * * * *'), ('app.cron:2', '0 3 * * *')):
    st = [r for r in recs if r.get('job') == job and r['event'] not in runs]
    assert len(st) == 1, '%s: %d status records: %s' % (job, len(st), st)
    vals = [str(v) for k, v in st[0].items() if k not in ('time', 'job')]
    assert sched in vals, '%s: schedule %r not in %s' % (job, sched, st[0])
    assert any(iso.fullmatch(v) for v in vals), '%s: no next time in %s' % (job, st[0])
    if job == 'app.cron:1':
        assert any(re.search(r'(^|\D)%s(\D|$)' % pid, v) for v in vals), 'running pid %s not in %s' % (pid, st[0])
PY
}

run_test "overlap skip: job.skip with a reason, never two runs" overlap_skip
run_test "overlap allow: runs side by side" overlap_allow
run_test "overlap queue: right after the last run, at most one waiting" overlap_queue
run_test "SIGTERM: jobs get SIGTERM, daemon exits 0 before the grace" graceful_stop
run_test "grace over: SIGKILL to the job's group, exit 0" grace_expiry
run_test "a second SIGTERM kills at once" second_term_kills
run_test "SIGINT stops too; a second SIGINT kills at once" second_int_kills
run_test "no zombies as PID 1 (unshare --pid)" no_zombies_as_pid1
run_test "no zombies as a child subreaper" no_zombies_as_subreaper
run_test "SIGUSR1 logs each job's schedule, next time, pids" sigusr1_status
