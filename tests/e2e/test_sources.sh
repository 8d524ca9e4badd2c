#!/usr/bin/env bash
# End-to-end tests of where jobs come from besides -f (DESIGN section 9):
# -F/--system-file files in /etc/crontab format beside user-format -f files,
# run-parts directories (--run-parts-hourly ... and --run-parts DURATION:DIR):
# which files are jobs, their ids, --list and --check, a running daemon that
# picks up scripts added and removed; --percent-newline.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"

me=$(id -un)

# A run-parts directory as Debian ships them: scripts, and files run-parts
# does not run (a dot in the name, a backup copy, not executable).
make_parts() {
    mkdir -p "$1"
    printf '#!/bin/sh\necho "backup ran as $(id -un)"\n' >"$1/backup"
    printf '#!/bin/sh\necho rotated\n' >"$1/log-rotate_2"
    printf 'read me\n' >"$1/README.txt"
    printf '#!/bin/sh\necho old\n' >"$1/backup.dpkg-old"
    printf '#!/bin/sh\necho never\n' >"$1/disabled"
    chmod 755 "$1/backup" "$1/log-rotate_2" "$1/README.txt" "$1/backup.dpkg-old"
    chmod 644 "$1/disabled"
}

test_system_file_beside_user_file() {
    printf '0 5 * * * echo user-format\n' >user.cron
    printf 'SHELL=/bin/sh\n30 6 * * * %s echo system-format\n' "$me" >system.cron
    local out
    out=$("$CROND_BIN" --list --count 1 -f user.cron -F system.cron)
    grep -q "^user.cron:1	.*T05:00:00" <<<"$out" || fail "user-format job: $out"
    grep -q "^system.cron:2	.*T06:30:00" <<<"$out" || fail "system-format job: $out"
    out=$("$CROND_BIN" --check --system-file system.cron)
    expect_eq "only -F given: /etc/crontabs is not read" "1 file, 1 job: no problems" "$out"
}

test_system_file_from_environment() {
    printf '30 6 * * * %s echo a\n' "$me" >a.cron
    printf '45 7 * * * %s echo b\n' "$me" >b.cron
    local out
    out=$(CROND_LITE_SYSTEM_FILE="a.cron b.cron" "$CROND_BIN" --check)
    expect_eq "two -F files from one variable" "2 files, 2 jobs: no problems" "$out"
}

test_run_parts_list_and_check() {
    make_parts parts
    local out err rc=0
    out=$("$CROND_BIN" --list --count 1 --run-parts-daily parts 2>err.txt)
    expect_eq "jobs: the two scripts run-parts runs, named DIR/NAME" \
        "parts/backup parts/log-rotate_2" "$(cut -f1 <<<"$out" | tr '\n' ' ' | sed 's/ $//')"
    grep -q "^parts/backup	.*T00:00:00" <<<"$out" || fail "daily at midnight: $out"
    "$CROND_BIN" --check --run-parts-daily parts >out.txt 2>err.txt || rc=$?
    expect_eq "--check: notes are no problems" 0 "$rc"
    expect_eq "--check summary" "1 file, 2 jobs: no problems" "$(cat out.txt)"
    err=$(cat err.txt)
    grep -q "parts/README.txt: note: skipped: run-parts runs only names made of" <<<"$err" || fail "$err"
    grep -q "parts/backup.dpkg-old: note: skipped" <<<"$err" || fail "$err"
    grep -q "parts/disabled: note: skipped: not executable" <<<"$err" || fail "$err"
    # every named schedule
    local opt want
    for opt in 1min:'@every 1m' 15min:'' hourly:'T..:00:00' weekly:'' monthly:'-01T00:00:00'; do
        want=${opt#*:}
        out=$("$CROND_BIN" --list --count 2 "--run-parts-${opt%%:*}" parts)
        [ "$(grep -c '^parts/backup' <<<"$out")" = 2 ] || fail "--run-parts-${opt%%:*}: $out"
        [ -z "$want" ] || [ "${want:0:1}" = @ ] || grep -q -- "$want" <<<"$out" || fail "$opt: $out"
    done
    out=$("$CROND_BIN" --list --count 2 --run-parts-15min parts | grep '^parts/backup' | cut -f2)
    grep -qE ':(00|15|30|45):00' <<<"$out" || fail "15min: $out"
}

test_run_parts_errors() {
    make_parts parts
    local rc=0 err
    err=$("$CROND_BIN" --check --run-parts 5m 2>&1) || rc=$?
    expect_eq "no directory: usage error" 2 "$rc"
    grep -q "expected DURATION:\[USER:\]DIR" <<<"$err" || fail "$err"
    rc=0
    err=$("$CROND_BIN" --check --run-parts soon:parts 2>&1) || rc=$?
    expect_eq "bad duration: usage error" 2 "$rc"
    grep -q "'soon': expected a duration" <<<"$err" || fail "$err"
    rc=0
    err=$("$CROND_BIN" --check --run-parts-hourly nosuchdir 2>&1) || rc=$?
    expect_eq "missing directory: invalid" 1 "$rc"
    grep -q "nosuchdir: run-parts directory: cannot read" <<<"$err" || fail "$err"
    rc=0
    err=$("$CROND_BIN" --check --run-parts-hourly no-such-user-x:parts 2>&1) || rc=$?
    expect_eq "unknown user: invalid" 1 "$rc"
    grep -q "no-such-user-x" <<<"$err" || fail "$err"
    # a script anyone may write to is refused, the others load
    chmod 777 parts/backup
    rc=0
    err=$("$CROND_BIN" --check --run-parts-hourly parts 2>&1) || rc=$?
    expect_eq "world-writable script: invalid" 1 "$rc"
    grep -q "parts/backup: writable by others" <<<"$err" || fail "$err"
}

test_run_parts_user_form() {
    make_parts parts
    local out
    out=$("$CROND_BIN" --list --count 1 --run-parts-hourly "$me:parts")
    grep -q "^parts/backup	" <<<"$out" || fail "USER:DIR: $out"
    out=$(CROND_LITE_RUN_PARTS_HOURLY="$me:parts" "$CROND_BIN" --check)
    expect_eq "from the variable" "1 file, 2 jobs: no problems" "$out"
    # a path with a slash before the colon is all directory
    mkdir -p "./odd:dir"
    cp parts/backup "./odd:dir/"
    out=$("$CROND_BIN" --list --count 1 --run-parts-hourly "./odd:dir")
    grep -q "^./odd:dir/backup	" <<<"$out" || fail "colon in the directory: $out"
}

test_run_parts_daemon() {
    make_parts parts
    start_daemon --run-parts 1s:parts
    wait_rec 1 10 event=job.output job=parts/backup
    local msg
    msg=$(rec event=job.output job=parts/backup -f msg | head -1)
    expect_eq "the script runs as the daemon's user" "backup ran as $me" "$msg"
    wait_rec 1 10 event=job.output job=parts/log-rotate_2 msg=rotated
    expect_eq "files run-parts skips never run" "0 0" "$(nrec event=job.output msg=never) $(nrec event=job.output msg=old)"
    # a new script is seen; a removed one stops
    printf '#!/bin/sh\necho added\n' >parts/new_one
    chmod 755 parts/new_one
    wait_rec 1 10 event=job.output job=parts/new_one msg=added
    rm parts/log-rotate_2
    wait_rec 1 10 event=daemon.reload removed=1
    local n
    n=$(nrec event=job.start job=parts/log-rotate_2)
    sleep 2.5
    expect_eq "a removed script runs no more" "$n" "$(nrec event=job.start job=parts/log-rotate_2)"
    stop_daemon
    expect_eq "clean stop" 0 "$DRC"
}

test_percent_newline_option() {
    printf '* * * * * * * cat%%hello from stdin\n' >p.cron
    start_daemon -f p.cron --percent-newline
    wait_rec 1 10 event=job.output job=p.cron:1
    expect_eq "--percent-newline: the rest is the job's input" "hello from stdin" \
        "$(rec event=job.output job=p.cron:1 -f msg | head -1)"
    stop_daemon
    rm -f out.log
    printf '* * * * * * * echo 50%%\n' >q.cron
    start_wrapped env CROND_LITE_PERCENT_NEWLINE=0 -- -f q.cron
    wait_rec 1 10 event=job.output job=q.cron:1
    expect_eq "off: % is literal" "50%" "$(rec event=job.output job=q.cron:1 -f msg | head -1)"
    stop_daemon
}

test_system_unknown_user_skipped() {
    printf 'SHELL=/bin/sh\n0 5 * * * no-such-user-x echo skipped\n  30   6 * * *   %s echo kept\n' "$me" >sys.cron
    local out rc=0
    out=$("$CROND_BIN" --check -F sys.cron 2>&1) || rc=$?
    expect_eq "a warning only: --check passes" 0 "$rc"
    grep -qF "sys.cron:2:11: warning: unknown user 'no-such-user-x' (crond-lite reads /etc/passwd only" <<<"$out" ||
        fail "the user column's line and column: $out"
    grep -q "1 job" <<<"$out" || fail "the other line loads: $out"
    out=$("$CROND_BIN" --list --count 1 --system -f sys.cron 2>/dev/null)
    expect_eq "--list: the rest" "sys.cron:3" "$(cut -f1 <<<"$out")"
    start_daemon -F sys.cron
    wait_started
    expect_eq "at start: a config.error warning at the column" "warn 2 11" \
        "$(rec event=config.error -f level -f line -f col | head -1 | tr '\t' ' ')"
    expect_eq "daemon.start counts the loaded job" 1 "$(rec event=daemon.start -f jobs)"
    stop_daemon
}

test_user_format_command_is_a_user() {
    printf '0 5 * * * %s /usr/bin/backup --full\n0 6 * * * sync\n0 7 * * * echo root\n' "$me" >u.cron
    local out rc=0
    out=$("$CROND_BIN" --check -f u.cron 2>&1) || rc=$?
    expect_eq "a warning only" 0 "$rc"
    grep -qF "u.cron:1:11: warning: the command starts with '$me', a user in /etc/passwd" <<<"$out" ||
        fail "$out"
    grep -q "use -F (or --system)" <<<"$out" || fail "says what to write instead: $out"
    expect_eq "one warning: a one-word command and a later word are no user column" 1 \
        "$(grep -c warning: <<<"$out")"
    # the same line in system format is fine
    out=$("$CROND_BIN" --check -F u.cron 2>&1) || true
    if grep -q "a user in /etc/passwd" <<<"$out"; then fail "system format: $out"; fi
}

run_test system_file_beside_user_file test_system_file_beside_user_file
run_test system_file_from_environment test_system_file_from_environment
run_test system_unknown_user_skipped test_system_unknown_user_skipped
run_test user_format_command_is_a_user test_user_format_command_is_a_user
run_test run_parts_list_and_check test_run_parts_list_and_check
run_test run_parts_errors test_run_parts_errors
run_test run_parts_user_form test_run_parts_user_form
run_test run_parts_daemon test_run_parts_daemon
run_test percent_newline_option test_percent_newline_option
