#!/usr/bin/env bash
# End-to-end tests of the daemon: output relay, record formats, the job's
# environment, file descriptors and signals, start errors, @reboot.
# The contract is DESIGN.md sections 4, 5 and 7. Schedules have a seconds
# field so each test takes a few seconds; waits are bounded polls.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"

# Both streams, the job id, the pid of job.start, a last line without
# newline, and lines longer than 16 KiB split into pieces of 16384 bytes.
output_relayed() {
    mkdir tabs
    cat >tabs/app.cron <<'EOF'
* * * * * * * echo out1; echo err1 >&2; echo out2; printf 'no newline'

* * * * * * * head -c 40000 /dev/zero | tr '\0' x; echo; head -c 16384 /dev/zero | tr '\0' y; echo; echo after
* * * * * * * head -c 20000 /dev/zero | tr '\0' z; echo 100%done >&2
EOF
    start_daemon -f tabs
    wait_rec 1 4 event=job.start job=app.cron:1
    wait_rec 1 4 event=job.start job=app.cron:3
    local p1 p3 out
    p1=$(first_pid app.cron:1)
    p3=$(first_pid app.cron:3)
    wait_rec 1 4 event=job.exit job=app.cron:1 pid="$p1"
    wait_rec 1 4 event=job.exit job=app.cron:3 pid="$p3"
    wait_rec 3 2 event=job.output job=app.cron:1 pid="$p1" stream=stdout
    wait_rec 1 2 event=job.output job=app.cron:1 pid="$p1" stream=stderr
    wait_rec 5 2 event=job.output job=app.cron:3 pid="$p3"
    expect_eq "stdout of app.cron:1" $'out1\nout2\nno newline' "$(msgs app.cron:1 "$p1" stdout)"
    expect_eq "stderr of app.cron:1" "err1" "$(msgs app.cron:1 "$p1" stderr)"
    out=$(msgs app.cron:3 "$p3" stdout | awk '{ print length($0) ":" substr($0, 1, 1) }')
    expect_eq "pieces of the long lines" $'16384:x\n16384:x\n7232:x\n16384:y\n5:a' "$out"
    expect_eq "app.cron:3 wrote nothing to stderr" "" "$(msgs app.cron:3 "$p3" stderr)"
    # a long last line without newline; % is literal
    local p4
    p4=$(first_pid app.cron:4)
    wait_rec 1 4 event=job.exit job=app.cron:4 pid="$p4"
    wait_rec 3 2 event=job.output job=app.cron:4 pid="$p4"
    out=$(msgs app.cron:4 "$p4" stdout | awk '{ print length($0) ":" substr($0, 1, 1) }')
    expect_eq "pieces of a long last line" $'16384:z\n3616:z' "$out"
    expect_eq "stderr of app.cron:4" "100%done" "$(msgs app.cron:4 "$p4" stderr)"
    # every output record carries the pid of a job.start of the same job
    local outs starts bad
    outs=$(rec event=job.output -f job -f pid | sort -u)
    starts=$(rec event=job.start -f job -f pid | sort -u)
    bad=$(comm -23 <(echo "$outs") <(echo "$starts"))
    expect_eq "output records whose job/pid had no job.start" "" "$bad"
    expect_eq "job ids" "app.cron:1 app.cron:3 app.cron:4" "$(rec event~'^job\.' -f job | sort -u | tr '\n' ' ' | sed 's/ $//')"
}

# The crontab used by both format tests: quoting, escapes, UTF-8, an exit status.
format_tab() {
    mkdir tabs
    cat >tabs/app.cron <<'EOF'
# a comment line
* * * * * * * printf 'a "q" b\\c=d\tt\n'; printf 'h\303\251llo\n'; printf '\n'; echo e >&2; exit 4
* * * * * * * printf 'bad \377 byte\n'; printf 'cr\r ctl\001\n'
EOF
}

text_format() {
    format_tab
    start_wrapped env TZ=Asia/Tokyo -- -f tabs
    wait_started
    wait_rec 1 4 event=job.exit job=app.cron:2
    local p
    p=$(first_pid app.cron:2)
    wait_rec 4 2 event=job.output pid="$p"
    stop_daemon TERM
    expect_eq "exit status" 0 "$DRC"
    # decoded values
    expect_eq "stdout" $'a "q" b\\c=d\tt\nh\303\251llo\n\n-' "$(msgs app.cron:2 "$p" stdout; echo -)"
    expect_eq "stderr" "e" "$(msgs app.cron:2 "$p" stderr)"
    expect_eq "exit status 4" 4 "$(rec event=job.exit pid="$p" -f status)"
    local p3
    p3=$(first_pid app.cron:3)
    wait_rec 2 2 event=job.output pid="$p3"
    expect_eq "invalid UTF-8 and control bytes" $'bad \377 byte\ncr\r ctl\001' "$(msgs app.cron:3 "$p3")"
    grep -qF 'msg="cr\r ctl\x01"' out.log || fail "control bytes: $(grep -F "pid=$p3" out.log)"
    # daemon.start
    local ds tab=$'\t'
    ds=$(rec event=daemon.start -f files -f jobs -f user -f uid -f zone -f next)
    [[ "$ds" =~ ^[^"$tab"]+"$tab"2"$tab""$(id -un)""$tab""$(id -u)""$tab"Asia/Tokyo"$tab"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}$ ]] ||
        fail "daemon.start files jobs user uid zone next: '$ds'"
    # the raw text: key order and quoting as in DESIGN.md section 7
    local T='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'
    grep -qE "$T level=info event=job\.start job=app\.cron:2 pid=$p cmd=\"printf " out.log ||
        fail "job.start: $(grep job.start out.log | head -1)"
    expect_eq "cmd" "$(sed -n 2p tabs/app.cron | cut -d' ' -f8-)" "$(rec event=job.start pid="$p" -f cmd)"
    grep -qF " level=info event=job.output job=app.cron:2 pid=$p stream=stdout msg=\"a \\\"q\\\" b\\\\c=d\\tt\"" out.log ||
        fail "escaped msg: $(grep -F "pid=$p stream=stdout" out.log | head -1)"
    grep -qE "$T level=info event=job\.output job=app\.cron:2 pid=$p stream=stdout msg=h"$'\303\251'"llo$" out.log ||
        fail "plain msg: $(grep -F "pid=$p stream=stdout" out.log)"
    grep -qE "$T level=info event=job\.output job=app\.cron:2 pid=$p stream=stdout msg=\"\"$" out.log ||
        fail "empty msg: $(grep -F "pid=$p stream=stdout" out.log)"
    grep -qE "$T level=[a-z]+ event=job\.exit job=app\.cron:2 pid=$p status=4 duration_ms=[0-9]+$" out.log ||
        fail "job.exit: $(grep job.exit out.log | head -1)"
    grep -qE "$T level=info event=daemon\.stop signal=SIGTERM( |$)" out.log ||
        fail "daemon.stop: $(grep daemon.stop out.log)"
    # every line is a record (records.py fails otherwise); no value is quoted needlessly
    "$PYTHON" - out.log <<'PY'
import re, sys
for no, line in enumerate(open(sys.argv[1], encoding='utf-8', errors='surrogateescape'), 1):
    for m in re.finditer(r' [A-Za-z_][\w.]*="((?:[^"\\]|\\.)*)"', line):
        v = m.group(1)
        if v and not re.search(r'[ =\\"\x00-\x1f]|\\', v):
            sys.exit('line %d: needlessly quoted value %r' % (no, v))
PY
    # record times are UTC (whatever TZ says) and close to the real time
    local t
    t=$(rec event=daemon.start -f _ms)
    { [ $(( $(now_ms) - t )) -lt 15000 ] && [ $(( $(now_ms) - t )) -ge -1000 ]; } ||
        fail "daemon.start time $(rec event=daemon.start -f time) is not UTC now"
    # next: the first due second, just after the start
    local next
    next=$(date -d "$(rec event=daemon.start -f next)" +%s)
    { [ $((next * 1000 - t)) -gt 0 ] && [ $((next * 1000 - t)) -le 1000 ]; } ||
        fail "daemon.start next=$(rec event=daemon.start -f next) for a start at $(rec event=daemon.start -f time)"
}

json_format() {
    format_tab
    start_daemon --log-format json -f tabs
    wait_started
    wait_rec 1 4 event=job.exit job=app.cron:2
    wait_rec 1 4 event=job.exit job=app.cron:3
    local p
    p=$(first_pid app.cron:2)
    wait_rec 4 2 event=job.output pid="$p"
    wait_rec 2 2 event=job.output pid="$(first_pid app.cron:3)"
    stop_daemon TERM
    expect_eq "exit status" 0 "$DRC"
    "$PYTHON" - out.log "$p" <<'PY'
import json, re, sys
path, pid = sys.argv[1], int(sys.argv[2])
recs = []
for no, line in enumerate(open(path, encoding='utf-8'), 1):
    if not line.endswith('\n'):
        sys.exit('line %d: no newline' % no)
    try:
        r = json.loads(line)
    except ValueError as e:
        sys.exit('line %d is not JSON (%s): %r' % (no, e, line))
    keys = list(r)
    if keys[:3] != ['time', 'level', 'event']:
        sys.exit('line %d: keys start %s' % (no, keys[:3]))
    if not re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z', r['time']):
        sys.exit('line %d: time %r' % (no, r['time']))
    for k in ('pid', 'status', 'duration_ms', 'uid', 'jobs', 'line', 'col'):
        if k in r and type(r[k]) is not int:
            sys.exit('line %d: %s is not a JSON number: %r' % (no, k, r[k]))
    recs.append(r)
ev = lambda e: [r for r in recs if r['event'] == e]
start = ev('daemon.start')
assert len(start) == 1, start
for k in ('files', 'jobs', 'user', 'uid', 'zone', 'next'):
    assert k in start[0], 'daemon.start lacks %s: %s' % (k, start[0])
assert start[0]['jobs'] == 2, start[0]
p3 = [r['pid'] for r in ev('job.start') if r['job'] == 'app.cron:3'][0]
bad = [r['msg'] for r in ev('job.output') if r['pid'] == p3]
assert bad == ['bad \ufffd byte', 'cr\r ctl\x01'], 'invalid UTF-8 and control bytes: %r' % bad
js = [r for r in ev('job.start') if r['pid'] == pid][0]
assert list(js)[3:] == ['job', 'pid', 'cmd'], js
assert js['job'] == 'app.cron:2' and js['cmd'].startswith("printf 'a \"q\" b"), js
outs = [r for r in ev('job.output') if r['pid'] == pid]
for r in outs:
    assert list(r)[3:] == ['job', 'pid', 'stream', 'msg'], r
got = [(r['stream'], r['msg']) for r in outs]
want_out = [('stdout', 'a "q" b\\c=d\tt'), ('stdout', 'h\u00e9llo'), ('stdout', '')]
assert [g for g in got if g[0] == 'stdout'] == want_out, got
assert [g for g in got if g[0] == 'stderr'] == [('stderr', 'e')], got
ex = [r for r in ev('job.exit') if r['pid'] == pid][0]
assert list(ex)[3:] == ['job', 'pid', 'status', 'duration_ms'] and ex['status'] == 4, ex
stop = ev('daemon.stop')
assert len(stop) == 1 and stop[0]['signal'] == 'SIGTERM', stop
PY
}

# The daemon's environment is inherited; crontab variables override it;
# HOME/USER set in the daemon's environment are kept.
env_inherited_and_overridden() {
    mkdir tabs
    cat >tabs/app.cron <<'EOF'
OVR=tab
QUOTED = "two words"
SINGLE='x y'
* * * * * * * echo "FOO=$FOO OVR=$OVR Q=$QUOTED S=$SINGLE HOME=$HOME USER=$USER"
EOF
    start_wrapped env FOO=bar OVR=daemon HOME=/tmp/custom-home USER=alice -- -f tabs
    wait_rec 1 4 event=job.output job=app.cron:4
    expect_eq "job's view" "FOO=bar OVR=tab Q=two words S=x y HOME=/tmp/custom-home USER=alice" \
        "$(rec event=job.output job=app.cron:4 -f msg | head -1)"
}

# HOME, USER, LOGNAME and SHELL are set when the daemon's environment lacks
# them; SHELL= in the crontab picks the shell and is what the job sees.
env_defaults_when_missing() {
    mkdir tabs
    cat >tabs/app.cron <<'EOF'
* * * * * * * echo "HOME=$HOME USER=$USER LOGNAME=$LOGNAME SHELL=$SHELL PWD=$(pwd)"
SHELL=/bin/bash
* * * * * * * echo "SHELL=$SHELL bash=${BASH_VERSION:+yes}"
EOF
    local home
    home=$(getent passwd "$(id -un)" | cut -d: -f6)
    start_wrapped env -u HOME -u USER -u LOGNAME -u SHELL -- -f tabs
    wait_rec 1 4 event=job.output job=app.cron:1
    wait_rec 1 4 event=job.output job=app.cron:3
    expect_eq "defaults" "HOME=$home USER=$(id -un) LOGNAME=$(id -un) SHELL=/bin/sh PWD=$home" \
        "$(rec event=job.output job=app.cron:1 -f msg | head -1)"
    expect_eq "SHELL= in the crontab" "SHELL=/bin/bash bash=yes" \
        "$(rec event=job.output job=app.cron:3 -f msg | head -1)"
}

# --clean-env: only the crontab's variables plus HOME USER LOGNAME SHELL PATH.
env_clean() {
    mkdir tabs
    cat >tabs/app.cron <<'EOF'
A=1
B = two words
* * * * * * * tr '\0' '\n' </proc/$$/environ
EOF
    start_wrapped env FOO=bar LANG=C.UTF-8 -- --clean-env -f tabs
    wait_rec 1 4 event=job.exit job=app.cron:3
    local p
    p=$(first_pid app.cron:3)
    wait_rec 10 2 event=job.output pid="$p"
    # the run's own CROND_LITE_* (DESIGN section 11: every job has them)
    expect_eq "variable names" "A B CROND_LITE_DUE CROND_LITE_JOB CROND_LITE_RUN HOME LOGNAME PATH SHELL USER" \
        "$(msgs app.cron:3 "$p" | cut -d= -f1 | sort | tr '\n' ' ' | sed 's/ $//')"
    msgs app.cron:3 "$p" | grep -qx 'B=two words' || fail "B: $(msgs app.cron:3 "$p")"
    msgs app.cron:3 "$p" | grep -qx 'SHELL=/bin/sh' || fail "SHELL: $(msgs app.cron:3 "$p")"
    msgs app.cron:3 "$p" | grep -qE '^PATH=.*/bin' || fail "PATH: $(msgs app.cron:3 "$p")"
}

# A job sees fds 0, 1, 2 only (stdin /dev/null) and an empty signal mask with
# no ignored signal, though the daemon was started with an extra fd, ignored
# INT and HUP, and blocked USR2 and ALRM.
# The mask is read by a program the job's shell execs: a child reading
# /proc/$$/status races with dash, which blocks every signal for a moment
# while it waits for that child.
job_fds_and_signals() {
    mkdir tabs
    cat >tabs/app.cron <<'EOF'
* * * * * * * for f in /proc/$$/fd/*; do [ -e "$f" ] && echo "fd ${f##*/}"; done; echo "stdin $(readlink /proc/$$/fd/0)"; echo "pgid $(cut -d' ' -f5 /proc/$$/stat)"; exec grep -E '^Sig(Blk|Ign)' /proc/self/status
EOF
    exec 7</dev/null
    trap '' INT HUP
    start_wrapped "$PYTHON" -c 'import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR2, signal.SIGALRM])
os.execvp(sys.argv[1], sys.argv[1:])' -- -f tabs
    trap - INT HUP
    exec 7<&-
    wait_rec 1 4 event=job.exit job=app.cron:1
    local p
    p=$(first_pid app.cron:1)
    wait_rec 7 2 event=job.output pid="$p"
    expect_eq "fds, stdin, signals, process group" \
        $'fd 0\nfd 1\nfd 2\nstdin /dev/null\npgid '"$p"$'\nSigBlk: 0000000000000000\nSigIgn: 0000000000000000' \
        "$(msgs app.cron:1 "$p" | tr '\t' ' ')"
    # the daemon itself still reacts to SIGTERM although it was started with INT ignored
    stop_daemon INT 3
    expect_eq "exit status after SIGINT" 0 "$DRC"
    expect_eq "daemon.stop" SIGINT "$(rec event=daemon.stop -f signal)"
}

# 3 jobs write 20,000 lines each in the same second: nothing lost, nothing mixed.
concurrent_output_intact() {
    mkdir tabs
    local s i
    s=$(( ($(date +%s) + 2) % 60 ))
    for i in 1 2 3; do
        echo "$s * * * * * * seq -f 'job$i line %g' 20000"
    done >tabs/app.cron
    start_daemon -f tabs
    wait_rec 3 6 event=job.exit
    wait_rec 60000 10 event=job.output
    for i in 1 2 3; do
        expect_eq "job$i: one run" 1 "$(nrec event=job.start job=app.cron:$i)"
        rec event=job.output job=app.cron:$i -f stream -f msg >got$i
        seq -f "stdout"$'\t'"job$i line %g" 20000 >want$i
        cmp -s want$i got$i || fail "job$i: $(diff want$i got$i | head -5)"
    done
    expect_eq "records" 60000 "$(nrec event=job.output)"
}

# A job whose shell cannot be started: job.error naming the problem; the
# other job of the crontab keeps running.
job_cannot_start() {
    mkdir tabs
    cat >tabs/app.cron <<'EOF'
SHELL=/nonexistent
* * * * * * * echo never
SHELL=/bin/sh
* * * * * * * echo alive
EOF
    start_daemon -f tabs
    wait_rec 1 4 event=job.error job=app.cron:2
    wait_rec 3 5 event=job.output job=app.cron:4 msg=alive
    rec event=job.error job=app.cron:2 -f msg | head -1 | grep -q '/nonexistent' ||
        fail "msg does not name the shell: $(rec event=job.error -f msg | head -1)"
    rec event=job.error job=app.cron:2 -f msg | head -1 | grep -qiE 'no such file|not found' ||
        fail "msg does not say what is wrong: $(rec event=job.error -f msg | head -1)"
    expect_eq "output of the job that cannot start" 0 "$(nrec event=job.output job=app.cron:2)"
    is_dead "$DPID" && fail "daemon died"
    # it keeps running after the error: an "alive" later than the first job.error
    local t
    t=$(rec event=job.error job=app.cron:2 -f _ms | head -1)
    [ "$(rec event=job.output job=app.cron:4 -f _ms | tail -1)" -gt "$t" ] || fail "no alive after the error"
}

# An invalid crontab at start: every problem reported, exit 1, no job run.
start_invalid_crontab() {
    mkdir tabs
    printf '* * * * * * * echo ran\n0 0 32 * * echo bad dom\n*/0 * * * * echo bad step\n' >tabs/app.cron
    start_daemon -f tabs
    wait_exit "$DPID" 3
    expect_eq "exit status" 1 "$DRC"
    cat out.log err.log >all.log
    local errs
    errs=$("$PYTHON" "$RECORDS" all.log --lenient event=config.error -f file -f line -f col -f msg)
    grep -qE $'^(.*/)?app\\.cron\t2\t5\tday of month 32 out of range 1-31$' <<<"$errs" ||
        fail "config.error for line 2: '$errs' / $(cat all.log)"
    grep -qE $'^(.*/)?app\\.cron\t3\t3\tminute: step 0' <<<"$errs" ||
        fail "config.error for line 3: '$errs'"
    expect_eq "jobs started" 0 "$("$PYTHON" "$RECORDS" all.log --lenient event=job.start --count)"
}

# @reboot runs once at start, not again every second nor on reload.
reboot_once() {
    mkdir tabs
    printf '@reboot echo booted\n* * * * * * * echo tick\n' >tabs/app.cron
    start_daemon -f tabs
    wait_rec 1 3 event=job.output job=app.cron:1 msg=booted
    local t0 t1
    t0=$(rec event=daemon.start -f _ms)
    t1=$(rec event=job.start job=app.cron:1 -f _ms | head -1)
    [ $((t1 - t0)) -lt 1000 ] || fail "@reboot started $((t1 - t0)) ms after daemon.start"
    wait_rec 2 5 event=job.start job=app.cron:2
    kill -HUP "$DPID"
    local n
    n=$(nrec event=job.start job=app.cron:2)
    wait_rec $((n + 2)) 4 event=job.start job=app.cron:2   # still running after the reload
    expect_eq "@reboot runs" 1 "$(nrec event=job.start job=app.cron:1)"
}

# @every DURATION: every DURATION since the daemon started.
every_duration() {
    mkdir tabs
    echo '@every 2s echo every' >tabs/app.cron
    start_daemon -f tabs
    wait_started
    wait_rec 2 6 event=job.start job=app.cron:1
    local t0 t1 t2
    t0=$(rec event=daemon.start -f _ms)
    t1=$(rec event=job.start job=app.cron:1 -f _ms | sed -n 1p)
    t2=$(rec event=job.start job=app.cron:1 -f _ms | sed -n 2p)
    { [ $((t1 - t0)) -ge 900 ] && [ $((t1 - t0)) -le 2300 ]; } || fail "first run $((t1 - t0)) ms after start"
    { [ $((t2 - t1)) -ge 1700 ] && [ $((t2 - t1)) -le 2300 ]; } || fail "runs $((t2 - t1)) ms apart"
}

# Jobs start within milliseconds of their due second; the daemon does not poll.
starts_on_time() {
    mkdir tabs
    echo '* * * * * * * true' >tabs/app.cron
    start_daemon -f tabs
    wait_rec 4 6 event=job.start job=app.cron:1
    local late
    late=$(rec event=job.start -f time | awk -F. '{ ms = substr($2, 1, 3) + 0; if (ms > 250) print $0 }')
    expect_eq "job.start more than 250 ms after its second" "" "$late"
    expect_eq "one run per second" "$(rec event=job.start -f time | cut -c1-19 | sort -u | wc -l)" "$(nrec event=job.start)"
}

# A job of the INI file: its id is its name; timeout sends SIGTERM.
ini_job() {
    mkdir tabs
    echo '@reboot echo from-tab' >tabs/app.cron
    printf '%s\n' '[daemon]' "crontabs = $PWD/tabs" 'grace = 5s' '' '[job "slow"]' \
        'schedule = * * * * * * *' 'command = echo slow-start && exec sleep 10' 'timeout = 1s' >crond.ini
    start_daemon -c crond.ini
    wait_rec 1 4 event=job.output job=slow msg=slow-start
    wait_rec 1 3 event=job.output job=app.cron:1 msg=from-tab
    local p d
    p=$(first_pid slow)
    wait_rec 1 3 event=job.exit pid="$p"
    expect_eq "killed by the timeout" SIGTERM "$(rec event=job.exit pid="$p" -f signal)"
    d=$(rec event=job.exit pid="$p" -f duration_ms)
    { [ "$d" -ge 900 ] && [ "$d" -le 2000 ]; } || fail "ran $d ms with a 1 s timeout"
    expect_eq "job.kill SIGTERM" 1 "$(nrec event=job.kill pid="$p" signal=SIGTERM)"
}

# A crontab writable by others is refused: its jobs never run.
world_writable_refused() {
    mkdir tabs
    echo '* * * * * * * echo should-not-run' >tabs/bad.cron
    echo '* * * * * * * echo fine' >tabs/good.cron
    chmod 0666 tabs/bad.cron
    start_daemon -f tabs
    sleep 2.2
    expect_eq "runs of the world-writable crontab" 0 "$("$PYTHON" "$RECORDS" out.log --lenient job~'^bad\.cron:' event~'^job\.' --count)"
    grep -q 'bad.cron' out.log err.log || fail "the refusal is not reported"
}

run_test "job output: streams, job id, pid, last line, 16 KiB pieces" output_relayed
run_test "text records: logfmt keys, quoting, UTC times" text_format
run_test "JSON records: one object a line, time/level/event first" json_format
run_test "environment: inherited, crontab variables override" env_inherited_and_overridden
run_test "environment: HOME USER LOGNAME SHELL when missing" env_defaults_when_missing
run_test "--clean-env: crontab variables and HOME USER LOGNAME SHELL PATH" env_clean
run_test "jobs get fds 0-2 only and default signals" job_fds_and_signals
run_test "3 jobs x 20000 lines: nothing lost or mixed" concurrent_output_intact
run_test "a job that cannot start: job.error, others keep running" job_cannot_start
run_test "invalid crontab at start: config.error for each, exit 1" start_invalid_crontab
run_test "@reboot runs once" reboot_once
run_test "@every 2s runs every 2 s from the start" every_duration
run_test "jobs start within milliseconds of their second" starts_on_time
run_test "INI job: id is its name, timeout sends SIGTERM" ini_job
run_test "a world-writable crontab is refused" world_writable_refused
