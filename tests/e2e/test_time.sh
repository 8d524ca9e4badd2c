#!/usr/bin/env bash
# End-to-end tests of the daemon and time: daylight saving transitions and
# steps of the wall clock, with the daemon's clock faked by libfaketime
# (helpers/time.sh). The contract is DESIGN.md section 3 and the README's
# "Time zones and daylight saving": the daemon fires when `--next` says; a
# forward step < 3 h runs each fixed-time job due in the skipped interval
# once (wildcard jobs follow the new clock); a backward step < 3 h runs
# nothing twice; a step >= 3 h is taken as the new time (no catch-up).
#
# The daemon runs with TZ=UTC (so the timestamp file is UTC) and -z ZONE for
# the schedules. Record times are UTC; checks compare their epoch ms (_ms).
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"
. "$E2E_DIR/helpers/time.sh"

# How late a job may start after its due time, and how long the daemon may
# take to see a step of its clock.
LATE_MS=500

skip_without_faketime() {
    have_faketime && return 1
    echo "# skipped: libfaketime not installed (Debian package faketime)"
}

# starts_at JOB WANT_MS: JOB ran exactly once, within LATE_MS after WANT_MS.
starts_once_at() {
    local t
    expect_eq "runs of $1" 1 "$(nrec event=job.start job="$1")"
    t=$(rec event=job.start job="$1" -f _ms)
    within "$t" "$2" $(($2 + LATE_MS)) ||
        fail "$1 started at $(rec event=job.start job="$1" -f time), due $(date -u -d "@$(($2 / 1000))" +%FT%TZ)"
}

# start_times JOB: the UTC times of its runs, one a line.
start_times() { rec event=job.start job="$1" -f time; }

# clock_step N: the Nth daemon.clock record as "ACTION STEP_MS".
clock_step() { rec event=daemon.clock -f action -f step_ms | sed -n "${1}p" | tr '\t' ' '; }

# expect_step N ACTION LO HI: the Nth daemon.clock record has that action
# and LO <= step_ms < HI.
expect_step() {
    local a s
    read -r a s <<<"$(clock_step "$1")"
    expect_eq "daemon.clock $1 action" "$2" "$a"
    within "$s" "$3" "$4" || fail "daemon.clock $1 step_ms=$s, expected [$3, $4)"
}

# status_next JOB: the next time SIGUSR1's job.status record gives for JOB.
status_next() {
    local n
    n=$(nrec event=job.status job="$1")
    kill -USR1 "$DPID"
    wait_rec $((n + 1)) 3 event=job.status job="$1"
    rec event=job.status job="$1" -f next | tail -1
}

# US spring forward, 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00Z).
# Fixed times in the gap run once right after the jump, several of them
# together; a wildcard job follows the wall clock; all as --next says. DST
# is no clock step.
spring_forward() {
    skip_without_faketime && return 0
    mkdir tabs
    printf '%s\n' '30 2 * * * echo fixed' '0,15,45 2 * * * echo several' \
        '*/30 * * * * echo wild' '30 3 * * * echo later' >tabs/app.cron
    start_faked "2026-03-08 06:59:58" -z America/New_York -f tabs
    wait_started
    expect_eq "daemon.start next" 2026-03-08T03:00:00-04:00 "$(rec event=daemon.start -f next)"
    wait_rec 3 6 event=job.start
    sleep 1.5
    local jump j expr
    jump=$(epoch_ms "2026-03-08 07:00:00Z")
    for j in 1 2 3; do
        expr=$(sed -n "${j}p" tabs/app.cron | cut -d' ' -f1-5)
        expect_eq "--next '$expr' after 01:59:58 EST" "$jump" "$(next_ms "$expr" 2026-03-08T01:59:58 America/New_York)"
        starts_once_at "app.cron:$j" "$jump"
    done
    expect_eq "runs of the 03:30 job" 0 "$(nrec event=job.start job=app.cron:4)"
    expect_eq "daemon.clock records (DST is no step)" 0 "$(nrec event=daemon.clock)"
}

# US fall back, 2026-11-01: 02:00 EDT becomes 01:00 EST (06:00Z); 01:30 is
# 05:30Z, then again 06:30Z. `30 1 * * *` runs once, in the first pass;
# `*/30 * * * *` in both. The daemon runs the first pass, then its clock is
# stepped (+1 h, a catch-up step) to just before the second 01:30: the
# wildcard job's 01:00 EST (06:00Z) is not caught up, the fixed job is not
# due again, the wildcard job runs at 06:30Z (not before).
fall_back() {
    skip_without_faketime && return 0
    mkdir tabs
    printf '%s\n' '30 1 * * * echo fixed' '*/30 * * * * echo wild' >tabs/app.cron
    start_faked "2026-11-01 05:29:58" -z America/New_York -f tabs
    wait_rec 2 6 event=job.start
    local first second
    first=$(epoch_ms "2026-11-01 05:30:00Z")
    second=$(epoch_ms "2026-11-01 06:30:00Z")
    expect_eq "--next fixed, first pass" "$first" "$(next_ms '30 1 * * *' 2026-11-01T01:29:58-04:00 America/New_York)"
    expect_eq "--next wild, first pass" "$first" "$(next_ms '*/30 * * * *' 2026-11-01T01:29:58-04:00 America/New_York)"
    starts_once_at app.cron:1 "$first"
    starts_once_at app.cron:2 "$first"
    step_clock "2026-11-01 06:29:58"
    wait_rec 1 2 event=daemon.clock
    expect_step 1 catch-up 3590000 3600000
    expect_eq "--next wild, second pass" "$second" "$(next_ms '*/30 * * * *' 2026-11-01T01:29:58-05:00 America/New_York)"
    sleep 2.8   # past 06:30:00Z
    expect_eq "runs of the fixed job" 1 "$(nrec event=job.start job=app.cron:1)"
    expect_eq "runs of the wildcard job" "2026-11-01T05:30:00 2026-11-01T06:30:00" \
        "$(start_times app.cron:2 | cut -c1-19 | xargs)"
    local t2
    t2=$(rec event=job.start job=app.cron:2 -f _ms | sed -n 2p)
    within "$t2" "$second" $((second + LATE_MS)) || fail "second pass run at $(start_times app.cron:2 | sed -n 2p)"
    expect_eq "fixed job's next (SIGUSR1)" \
        "$("$CROND_BIN" --next '30 1 * * *' --from 2026-11-01T01:30:00-05:00 --tz America/New_York --count 1)" \
        "$(status_next app.cron:1)"
    expect_eq "daemon.clock records" 1 "$(nrec event=daemon.clock)"
}

# Started inside the second pass of the repeated hour: the fixed 01:30 job
# does not run (it ran, or would have, in the first); the wildcard job does.
fall_back_started_in_second_pass() {
    skip_without_faketime && return 0
    mkdir tabs
    printf '%s\n' '30 1 * * * echo fixed' '*/30 * * * * echo wild' >tabs/app.cron
    start_faked "2026-11-01 06:29:58" -z America/New_York -f tabs
    wait_started
    expect_eq "daemon.start next" 2026-11-01T01:30:00-05:00 "$(rec event=daemon.start -f next)"
    wait_rec 1 5 event=job.start job=app.cron:2
    sleep 1.2
    starts_once_at app.cron:2 "$(epoch_ms "2026-11-01 06:30:00Z")"
    expect_eq "runs of the fixed job" 0 "$(nrec event=job.start job=app.cron:1)"
    local want
    want=$("$CROND_BIN" --next '30 1 * * *' --from 2026-11-01T01:29:58-05:00 --tz America/New_York --count 1)
    expect_eq "--next of the fixed job in the second pass" 2026-11-02T01:30:00-05:00 "$want"
    expect_eq "fixed job's next (SIGUSR1)" "$want" "$(status_next app.cron:1)"
    expect_eq "daemon.clock records" 0 "$(nrec event=daemon.clock)"
}

# Forward step of about 1 h (13:00:00 -> 13:59:58 UTC): each fixed-time job
# due in the skipped interval runs once, right after the step (`15,45 13`
# once, not twice); the wildcard */10 job does not run for 13:10...13:50, it
# follows the new clock (14:00, not earlier); a job due outside the interval
# does not run. The step comes IDLE seconds after the daemon last woke up
# (0: right after a run; 1: while it sleeps): its event loop must not act on
# a stale idea of the time either way.
forward_1h() {
    skip_without_faketime && return 0
    mkdir tabs
    printf '%s\n' '30 13 * * * echo fixed' '15,45 13 * * * echo two-missed' \
        '*/10 * * * * echo wild' '0 3 * * * echo far' >tabs/app.cron
    start_faked "2026-06-01 12:59:58" -z UTC -f tabs
    wait_rec 1 5 event=job.start job=app.cron:3
    sleep "$1"
    step_clock "2026-06-01 13:59:58"
    wait_rec 1 2 event=daemon.clock
    expect_step 1 catch-up 3590000 3600000
    sleep 2.8   # past 14:00:00
    local t_step fourteen j
    t_step=$(rec event=daemon.clock -f _ms)
    fourteen=$(epoch_ms "2026-06-01 14:00:00Z")
    for j in app.cron:1 app.cron:2; do
        starts_once_at "$j" "$t_step"
    done
    expect_eq "runs of the wildcard job" "2026-06-01T13:00:00 2026-06-01T14:00:00" \
        "$(start_times app.cron:3 | cut -c1-19 | xargs)"
    within "$(rec event=job.start job=app.cron:3 -f _ms | sed -n 2p)" "$fourteen" $((fourteen + LATE_MS)) ||
        fail "wildcard job ran at $(start_times app.cron:3 | sed -n 2p), due 14:00:00"
    expect_eq "runs of the job outside the interval" 0 "$(nrec event=job.start job=app.cron:4)"
    expect_eq "daemon.clock records" 1 "$(nrec event=daemon.clock)"
}
step_forward_1h() { forward_1h 0; }

# The policy of each class of step (catch-up, wait, replan) is unit-tested
# in tests/unit/test_sched.c; these tests keep one step of each class end to
# end, through the real detection (libfaketime's file here, the timerfd in
# production), both right after a run and while idle.

# Backward step of about 1 h (13:00:01 -> 12:00:01 UTC), then forward again
# to 12:59:59 (as NTP might): the clock passes 13:00:00-13:00:04 a second
# time, and no job runs twice for the same scheduled time: the 13:00 job
# and the */10 job once, the every-second job once per second.
step_backward_1h() {
    skip_without_faketime && return 0
    mkdir tabs
    printf '%s\n' '0 13 * * * echo fixed' '* * * * * * * echo secs' '*/10 * * * * echo wild' >tabs/app.cron
    start_faked "2026-06-01 12:59:58" -z UTC -f tabs
    wait_rec 1 5 event=job.start job=app.cron:1
    wait_rec 3 3 event=job.start job=app.cron:2   # 12:59:59 13:00:00 13:00:01
    step_clock "2026-06-01 12:00:01"
    wait_rec 1 2 event=daemon.clock
    expect_step 1 wait -3610000 -3590000
    sleep 1.5
    step_clock "2026-06-01 12:59:59"
    wait_rec 2 2 event=daemon.clock
    expect_step 2 catch-up 3590000 3600000
    sleep 5   # through 13:00:04 again
    expect_eq "runs of the 13:00 job" 1 "$(nrec event=job.start job=app.cron:1)"
    expect_eq "runs of the */10 job" 1 "$(nrec event=job.start job=app.cron:3)"
    local dups
    dups=$(start_times app.cron:2 | cut -c1-19 | sort | uniq -d)
    expect_eq "seconds the every-second job ran twice for" "" "$dups"
    # still scheduled: it ran again once the clock was past 13:00:01
    start_times app.cron:2 | grep -q '^2026-06-01T13:00:0[3-5]' ||
        fail "every-second job did not resume after 13:00:01: $(start_times app.cron:2 | xargs)"
}

# Forward step of 5 h (13:00 -> 17:59:58): taken as the new time, nothing is
# caught up (the 13:30 and 17:00 jobs do not run); jobs follow the new
# clock (the wildcard job at 18:00, not before); the fixed job's next time is
# tomorrow. IDLE as for forward_1h.
forward_5h() {
    skip_without_faketime && return 0
    mkdir tabs
    printf '%s\n' '30 13 * * * echo fixed' '0 17 * * * echo fixed2' '*/10 * * * * echo wild' >tabs/app.cron
    start_faked "2026-06-01 12:59:58" -z UTC -f tabs
    wait_rec 1 5 event=job.start job=app.cron:3
    sleep "$1"
    step_clock "2026-06-01 17:59:58"
    wait_rec 1 2 event=daemon.clock
    expect_step 1 replan 17990000 18000000
    sleep 2.8   # past 18:00:00
    expect_eq "runs of the 13:30 job" 0 "$(nrec event=job.start job=app.cron:1)"
    expect_eq "runs of the 17:00 job" 0 "$(nrec event=job.start job=app.cron:2)"
    expect_eq "runs of the wildcard job" "2026-06-01T13:00:00 2026-06-01T18:00:00" \
        "$(start_times app.cron:3 | cut -c1-19 | xargs)"
    local eighteen
    eighteen=$(epoch_ms "2026-06-01 18:00:00Z")
    within "$(rec event=job.start job=app.cron:3 -f _ms | sed -n 2p)" "$eighteen" $((eighteen + LATE_MS)) ||
        fail "wildcard job ran at $(start_times app.cron:3 | sed -n 2p), due 18:00:00"
    expect_eq "13:30 job's next (SIGUSR1)" 2026-06-02T13:30:00+00:00 "$(status_next app.cron:1)"
}
step_forward_5h_idle() { forward_5h 1; }

# Backward step of 5 h (13:00 -> 07:59:58): taken as the new time, jobs run
# by the new clock, on time (no waiting 5 h for the old time to come back,
# and nothing run ahead of the new clock). IDLE as for forward_1h.
backward_5h() {
    skip_without_faketime && return 0
    mkdir tabs
    printf '%s\n' '0 13 * * * echo fixed' '0 8 * * * echo eight' '*/10 * * * * echo wild' >tabs/app.cron
    start_faked "2026-06-01 12:59:58" -z UTC -f tabs
    wait_rec 1 5 event=job.start job=app.cron:1
    sleep "$1"
    step_clock "2026-06-01 07:59:58"
    wait_rec 1 2 event=daemon.clock
    expect_step 1 replan -18010000 -17990000
    sleep 2.8   # past 08:00:00
    local eight
    eight=$(epoch_ms "2026-06-01 08:00:00Z")
    starts_once_at app.cron:2 "$eight"
    expect_eq "runs of the wildcard job" "2026-06-01T13:00:00 2026-06-01T08:00:00" \
        "$(start_times app.cron:3 | cut -c1-19 | xargs)"
    expect_eq "runs of the 13:00 job" 1 "$(nrec event=job.start job=app.cron:1)"
    expect_eq "job.skip records" 0 "$(nrec event=job.skip)"
    expect_eq "13:00 job's next (SIGUSR1)" 2026-06-01T13:00:00+00:00 "$(status_next app.cron:1)"
}
step_backward_5h() { backward_5h 0; }

run_test "DST spring forward: 02:30 runs at 03:00 EDT, once, as --next says" spring_forward
run_test "DST fall back: 01:30 once in the first pass, */30 in both" fall_back
run_test "DST fall back: started in the second pass, 01:30 does not run" fall_back_started_in_second_pass
run_test "clock +1 h right after a run: missed fixed-time jobs once, wildcard follows" step_forward_1h
run_test "clock -1 h (then forward): nothing runs twice" step_backward_1h
run_test "clock +5 h while idle: re-planned, no catch-up" step_forward_5h_idle
run_test "clock -5 h right after a run: re-planned, nothing runs ahead" step_backward_5h
