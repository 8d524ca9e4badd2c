#!/usr/bin/env bash
# valgrind over a 30-second daemon run with jobs (output, a failing start, a
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
    sleep 12
    printf '*/2 * * * * * * echo after-reload\n* * * * * * * sleep 100\n' >>tabs/a.cron
    kill -HUP "$pid"
    sleep 16
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

run_test "valgrind: 30 s with jobs, a reload and a stop is clean" valgrind_daemon_run
