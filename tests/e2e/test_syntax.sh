#!/usr/bin/env bash
# End-to-end tests of the crontab syntax other crons use (DESIGN.md section
# 9, "Crontab syntax of the field"): cronie's '-' (start and exit at debug),
# random ranges '~' and RANDOM_DELAY (seen through --list and --next, never
# by waiting for them), a day-of-month range ending in L, steps larger than
# their field, and the warnings: at --check (exit 0 when there are only
# warnings) and as config.error records at level warn at start and reload.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"

# --check prints warnings as FILE:LINE:COL: warning: ..., and exits 0 when
# there is nothing else; every line still is a job.
check_warnings_only() {
    printf '\357\273\277* * * * * echo bom\n' >w.cron
    cat >>w.cron <<'EOF'
0 0 * * * date +\%Y
0 16 */2 * sat echo odd-saturdays
* * * * * * echo every-second
0 0 * * * 2100 echo x
*/100 * * * * echo hundred
RANDOM_DELAY=soon
0 3 * * * echo late
EOF
    local rc=0 out err
    out=$("$CROND_BIN" --check -f w.cron 2>err.txt) || rc=$?
    err=$(cat err.txt)
    expect_eq "exit status with warnings only" 0 "$rc"
    expect_eq "summary" "1 file, 7 jobs: no problems, 7 warnings" "$out"
    local want=(
        "w.cron:1:1: warning: the file starts with a UTF-8 byte-order mark (bytes EF BB BF), ignored: save it as UTF-8 without a BOM"
        "w.cron:2:17: warning: '\\%' reaches the shell with its backslash: '%' is literal here (as in busybox crond and supercronic), so write '%' alone, or use --percent-newline to read '%' as crontab(5) does"
        "w.cron:3:6: warning: day of month '*/2' has a step but starts with '*' while day of week is restricted: a day must match both, as in cron (supercronic: either); for either, write 1-31/2"
        "w.cron:4:11: warning: year '*' in a 6-field schedule (M H DOM MON DOW YEAR) matches every year: for a seconds field first, write 7 fields (S M H DOM MON DOW YEAR): '* * * * * * *'"
        "w.cron:5:11: warning: the command starts with '2100', not read as a schedule field: as 6 fields, year 2100 out of range 1970-2099 (column 11); fix that field if one is meant"
        "w.cron:6:3: warning: minute: step 100 is larger than the field (0-59), so only 0 matches (as in cronie): write 0"
        "w.cron:7:14: warning: RANDOM_DELAY: expected a whole number of minutes from 0 to 525600, got 'soon': the jobs after it start without a delay"
    )
    expect_eq "warnings" "$(printf '%s\n' "${want[@]}")" "$err"
    # the job after the BOM is a job like any other
    out=$("$CROND_BIN" --list --count 1 -f w.cron -z UTC)
    grep -qE $'^w.cron:1\t' <<<"$out" || fail "$out"
    # with --percent-newline's INI key, '\%' is crontab(5)'s escape: no warning
    printf '[daemon]\npercent_newline = true\n' >pn.ini
    printf '0 0 * * * date +\\%%Y\n' >p.cron
    out=$("$CROND_BIN" --check -c pn.ini -f p.cron 2>&1)
    expect_eq "no warning with percent_newline" "2 files, 1 job: no problems" "$out"
}

# An error beside warnings: exit 1, and the count names the errors only.
check_error_and_warning() {
    printf '*/100 * * * * echo hundred\n0 0 32 * * echo bad\n' >e.cron
    local rc=0 out
    out=$("$CROND_BIN" --check -f e.cron 2>&1) || rc=$?
    expect_eq "exit status" 1 "$rc"
    grep -qx "e.cron:1:3: warning: minute: step 100 .*" <<<"$out" || fail "$out"
    grep -qx "e.cron:2:5: day of month 32 out of range 1-31" <<<"$out" || fail "$out"
    grep -qx "crond-lite: 1 problem found" <<<"$out" || fail "$out"
}

# The times of one job in --list (UTC), one a line.
times_of() { awk -F'\t' -v id="$1" '$1 == id { print $2 }' <<<"$2"; }

# '~' picks one value from the job's text: in range, the same on every run,
# in every file (replica) and on every line; other commands draw on their own.
list_random_ranges() {
    cat >a.cron <<'EOF'
0~59 3 * * * backup
10~20 ~ * * * report
0 0 * * mon~fri weekday
EOF
    { echo '# the same jobs, elsewhere in another replica'; echo; cat a.cron; } >b.cron
    local out again t min
    out=$("$CROND_BIN" --list --count 3 -f a.cron -f b.cron -z UTC)
    again=$("$CROND_BIN" --list --count 3 -f a.cron -f b.cron -z UTC)
    expect_eq "the same on every run" "$out" "$again"
    expect_eq "replica 1" "$(times_of a.cron:1 "$out")" "$(times_of b.cron:3 "$out")"
    expect_eq "replica 2" "$(times_of a.cron:2 "$out")" "$(times_of b.cron:4 "$out")"
    expect_eq "replica 3" "$(times_of a.cron:3 "$out")" "$(times_of b.cron:5 "$out")"
    # one minute of hour 3, daily
    min=$(times_of a.cron:1 "$out" | cut -c15-16 | sort -u)
    [ "$(wc -l <<<"$min")" -eq 1 ] || fail "minutes of a.cron:1: $min"
    for t in $(times_of a.cron:1 "$out"); do
        [[ $t =~ T03:[0-5][0-9]:00\+00:00$ ]] || fail "a.cron:1 at $t"
    done
    # minute 10-20 of one hour
    [ "$(times_of a.cron:2 "$out" | cut -c12-16 | sort -u | wc -l)" -eq 1 ] || fail "$out"
    for t in $(times_of a.cron:2 "$out"); do
        [[ $t =~ T[0-2][0-9]:(1[0-9]|20):00 ]] || fail "a.cron:2 at $t"
    done
    # one weekday, Monday to Friday, a week apart
    for t in $(times_of a.cron:3 "$out"); do
        case $(date -u -d "$t" +%u) in [1-5]) ;; *) fail "a.cron:3 on $t" ;; esac
    done
    mapfile -t t < <(times_of a.cron:3 "$out")
    expect_eq "a week apart" 604800 $(( $(date -d "${t[1]}" +%s) - $(date -d "${t[0]}" +%s) ))
    # twenty commands: their minutes spread
    local i
    for i in $(seq 20); do echo "~ 4 * * * job-$i"; done >many.cron
    out=$("$CROND_BIN" --list --count 1 -f many.cron -z UTC)
    [ "$(cut -f2 <<<"$out" | sort -u | wc -l)" -ge 8 ] || fail "$out"
    # --next draws from the expression alone, the same each time
    out=$("$CROND_BIN" --next '0~59 3 * * *' --from 2026-05-01T00:00:00 --tz UTC --count 3)
    [[ $(cut -c15-16 <<<"$out" | sort -u | wc -l) -eq 1 ]] || fail "$out"
    expect_eq "--next again" "$out" \
        "$("$CROND_BIN" --next '0~59 3 * * *' --from 2026-05-01T00:00:00 --tz UTC --count 3)"
    local rc=0
    out=$("$CROND_BIN" --next '20~10 * * * *' 2>&1) || rc=$?
    expect_eq "reversed random range" 1 "$rc"
    grep -q "column 4: minute random range 20~10 is reversed" <<<"$out" || fail "$out"
}

# RANDOM_DELAY: jobs after it are delayed by whole seconds below N minutes,
# the same every day and on every run; jobs before it, @reboot and @every
# are not; a bad value is a warning and no delay.
list_random_delay() {
    cat >d.cron <<'EOF'
0 3 * * * before
RANDOM_DELAY=30
0 3 * * * delayed
@reboot boot
RANDOM_DELAY=bad
0 3 * * * after-bad
EOF
    local out t tod rc=0
    out=$("$CROND_BIN" --list --count 3 -f d.cron -z UTC 2>err.txt) || rc=$?
    expect_eq "exit" 0 "$rc"
    grep -q "^d.cron:5:14: warning: RANDOM_DELAY: expected a whole number" err.txt || fail "$(cat err.txt)"
    for t in $(times_of d.cron:1 "$out") $(times_of d.cron:6 "$out"); do
        [[ $t =~ T03:00:00\+00:00$ ]] || fail "undelayed job at $t"
    done
    tod=$(times_of d.cron:3 "$out" | cut -c12-19 | sort -u)
    [ "$(wc -l <<<"$tod")" -eq 1 ] || fail "one time of day: $tod"
    [[ $tod =~ ^03:[0-2][0-9]:[0-5][0-9]$ ]] || fail "delayed 03:00 by under 30 min: $tod"
    expect_eq "@reboot" "@reboot" "$(times_of d.cron:4 "$out")"
    expect_eq "the same on every run" "$out" "$("$CROND_BIN" --list --count 3 -f d.cron -z UTC 2>/dev/null)"
    mapfile -t t < <(times_of d.cron:3 "$out")
    expect_eq "a day apart" 86400 $(( $(date -d "${t[1]}" +%s) - $(date -d "${t[0]}" +%s) ))
    # many jobs: delays in seconds, spread over the 30 minutes
    local i
    { echo RANDOM_DELAY=30; for i in $(seq 40); do echo "0 5 * * * job-$i"; done; } >many.cron
    out=$("$CROND_BIN" --list --count 1 -f many.cron -z UTC)
    [ "$(cut -f2 <<<"$out" | sort -u | wc -l)" -ge 30 ] || fail "$out"
    [ "$(cut -f2 <<<"$out" | grep -vc ':00+00:00$')" -ge 30 ] || fail "whole minutes only: $out"
    cut -f2 <<<"$out" | grep -qvE 'T05:[0-2][0-9]:[0-5][0-9]\+00:00$' && fail "$out"
    return 0
}

# 29-L: the 29th to the last day; February of a common year has none.
next_dom_to_last() {
    local out
    out=$("$CROND_BIN" --next '0 0 29-L * *' --from 2023-01-31T00:00:00 --tz UTC --count 5)
    expect_eq "from January 2023" "2023-03-29T00:00:00+00:00
2023-03-30T00:00:00+00:00
2023-03-31T00:00:00+00:00
2023-04-29T00:00:00+00:00
2023-04-30T00:00:00+00:00" "$out"
    out=$("$CROND_BIN" --next '0 0 29-L * *' --from 2024-02-01T00:00:00 --tz UTC --count 2)
    expect_eq "leap year" $'2024-02-29T00:00:00+00:00\n2024-03-29T00:00:00+00:00' "$out"
    printf '0 12 30-L * * echo end\n' >l.cron
    out=$("$CROND_BIN" --check -f l.cron 2>&1)
    expect_eq "--check" "1 file, 1 job: no problems" "$out"
    out=$("$CROND_BIN" --list --count 12 -f l.cron -z UTC | cut -f2 | cut -c9-10 | sort -u | xargs)
    expect_eq "only the 30th and 31st" "30 31" "$out"
}

# A step larger than its field: once, at the first value, with a warning.
next_large_step() {
    local out err rc=0
    out=$("$CROND_BIN" --next '*/100 * * * *' --from 2026-05-01T10:20:00 --tz UTC --count 2 2>err.txt) || rc=$?
    err=$(cat err.txt)
    expect_eq "exit" 0 "$rc"
    expect_eq "at minute 0" $'2026-05-01T11:00:00+00:00\n2026-05-01T12:00:00+00:00' "$out"
    grep -q "column 3: warning: minute: step 100 is larger than the field" <<<"$err" || fail "$err"
    out=$("$CROND_BIN" --next '-@daily' --from 2026-05-01T10:20:00 --tz UTC --count 1)
    expect_eq "-@daily in --next" "2026-05-02T00:00:00+00:00" "$out"
}

# cronie's '-': job.start and job.exit at debug, output relayed as usual.
quiet_job_records() {
    mkdir tabs
    cat >tabs/app.cron <<'EOF'
-* * * * * * * echo quiet-out
* * * * * * * echo loud-out
CRON_TZ=UTC -@reboot echo quiet-boot
EOF
    start_daemon -f tabs --log-level info
    wait_started
    wait_rec 2 5 event=job.output job=app.cron:1 msg=quiet-out
    wait_rec 2 5 event=job.exit job=app.cron:2
    wait_rec 1 5 event=job.output job=app.cron:3 msg=quiet-boot
    expect_eq "job.start/job.exit of the quiet jobs at info" 0 \
        "$(nrec event~'^job\.(start|exit)$' job~'^app\.cron:[13]$')"
    expect_eq "output level" "info" "$(rec event=job.output job=app.cron:1 -f level | sort -u)"
    stop_daemon
    rm -f out.log
    start_daemon -f tabs --log-level debug
    wait_started
    wait_rec 2 5 event=job.exit job=app.cron:1
    wait_rec 1 5 event=job.exit job=app.cron:3
    wait_rec 1 5 event=job.exit job=app.cron:2
    expect_eq "quiet levels" "debug" "$(rec event~'^job\.(start|exit)$' job~'^app\.cron:[13]$' -f level | sort -u)"
    expect_eq "loud levels" "info" "$(rec event~'^job\.(start|exit)$' job=app.cron:2 -f level | sort -u)"
    expect_eq "quiet output level" "info" "$(rec event=job.output job=app.cron:1 -f level | sort -u)"
}

# Warnings at start and at each reload: config.error at level warn with
# file, line and column; the jobs run; jobs see RANDOM_DELAY.
daemon_warnings_and_env() {
    mkdir tabs
    cat >tabs/app.cron <<'EOF'
RANDOM_DELAY=1
* * * * * * * echo "rd=$RANDOM_DELAY"
*/100 * * * * echo hundred
EOF
    start_daemon -f tabs --no-reload
    wait_started
    wait_rec 1 5 event=job.output job=app.cron:2 msg=rd=1
    # (as root, a second config.error names the jobs that run as root)
    expect_eq "warning at start" "warn tabs/app.cron 3 3" \
        "$(rec event=config.error msg~'^minute: step 100 is larger' -f level -f file -f line -f col | tr '\t' ' ')"
    expect_eq "no error" 0 "$(nrec level=error)"
    kill -HUP "$DPID"
    wait_rec 1 5 event=daemon.reload
    wait_rec 2 5 event=config.error level=warn line=3 col=3
    expect_eq "reload level (warnings are no errors)" "info" "$(rec event=daemon.reload -f level)"
}

run_test "--check: warnings only, exit 0, each with line and column" check_warnings_only
run_test "--check: an error beside a warning, exit 1" check_error_and_warning
run_test "--list: '~' values from the job's text" list_random_ranges
run_test "--list: RANDOM_DELAY delays in seconds" list_random_delay
run_test "--next: 29-L, the 29th to the last day" next_dom_to_last
run_test "--next: a step larger than its field, and '-'" next_large_step
run_test "daemon: '-' jobs log start and exit at debug" quiet_job_records
run_test "daemon: warnings as config.error level=warn, RANDOM_DELAY in the env" daemon_warnings_and_env
