#!/usr/bin/env bash
# valgrind over a 13-second daemon run with jobs (output, a failing start, a
# job killed at stop), a reload (SIGHUP) and a graceful stop: no leak, no
# error. Uses the plain build ($VALGRIND_BIN under `make check-asan`).
. "$(dirname "$0")/lib.sh"

valgrind_daemon_run() {
    local vg=${VALGRIND_BIN:-$CROND_BIN}
    command -v valgrind >/dev/null || fail "valgrind is not installed (scripts/install-deps.sh)"
    mkdir tabs
    cat >tabs/a.cron <<'CRON'
* * * * * * * echo tick; echo tock >&2
*/3 * * * * * * seq 1 500
@reboot echo booted
CRON
    printf 'SHELL=/nonexistent/sh\n*/5 * * * * * * echo never\n' >tabs/b.cron
    valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
        --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
        --trace-children=no "$vg" -f tabs --grace 2s >out.log 2>vg.log &
    local pid=$! rc=0
    sleep 6
    printf '*/2 * * * * * * echo after-reload\n* * * * * * * sleep 100\n' >>tabs/a.cron
    kill -HUP "$pid"
    sleep 7
    kill -TERM "$pid"
    wait "$pid" || rc=$?
    if [ $rc -ne 0 ]; then cat vg.log; tail -5 out.log; fail "valgrind/daemon exit $rc"; fi
    [ ! -s vg.log ] || { cat vg.log; fail "valgrind reported something"; }
    grep -q 'event=daemon.reload .*added=2' out.log || fail "no reload record"
    grep -q 'msg=after-reload' out.log || fail "reloaded job did not run"
    grep -q 'event=job.error job=b.cron:2' out.log || fail "no job.error for the missing shell"
    grep -q 'event=job.kill job=a.cron:5 .*signal=SIGTERM' out.log || fail "running job not signalled"
    grep -q 'event=job.exit job=a.cron:5 .*signal=SIGTERM' out.log || fail "killed job's exit not logged"
    [ "$(grep -c 'msg=booted' out.log)" -eq 1 ] || fail "@reboot did not run exactly once"
}

# 100 reloads, alternating a valid and an invalid version of one file (so
# both the replace and the keep-the-old-jobs paths run), while a job runs.
valgrind_100_reloads() {
    local vg=${VALGRIND_BIN:-$CROND_BIN}
    mkdir tabs
    printf '* * * * * * * sleep 1000
0 3 * * * echo a
' >tabs/a.cron
    printf '0 4 * * * echo b
' >tabs/b.cron
    valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
        --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
        --trace-children=no "$vg" -f tabs --no-reload --grace 1s >out.log 2>vg.log &
    local pid=$! rc=0 i n
    for _ in $(seq 100); do grep -q 'event=job.start' out.log 2>/dev/null && break; sleep 0.1; done
    for i in $(seq 1 100); do
        if [ $((i % 2)) -eq 0 ]; then
            printf '0 %d * * * echo b%d
' $((i % 24)) "$i" >tabs/b.cron
        else
            printf '0 99 * * * echo bad
' >tabs/b.cron
        fi
        kill -HUP "$pid"
        for _ in $(seq 200); do
            n=$(grep -c 'event=daemon.reload' out.log || true)
            [ "$n" -ge "$i" ] && break
            sleep 0.05
        done
    done
    kill -TERM "$pid"
    wait "$pid" || rc=$?
    if [ $rc -ne 0 ]; then cat vg.log; tail -5 out.log; fail "valgrind/daemon exit $rc"; fi
    [ ! -s vg.log ] || { cat vg.log; fail "valgrind reported something"; }
    expect_eq "reload records" 100 "$(grep -c 'event=daemon.reload' out.log)"
    expect_eq "the running job was never restarted" 1 "$(grep -c 'event=job.start' out.log)"
    expect_eq "invalid versions kept the old job" 50 "$(grep -c 'event=daemon.reload .*invalid_kept=1' out.log)"
}

run_test "valgrind: 13 s with jobs, a reload and a stop is clean" valgrind_daemon_run
run_test "valgrind: 100 reloads leak nothing" valgrind_100_reloads
