#!/usr/bin/env bash
# End-to-end tests of --on-failure and --on-success (DESIGN.md section 10,
# README "Hooks"): which hook runs after a run, the variables it sees, its
# records under JOB!on-failure / JOB!on-success, a failing hook, hooks at a
# stop, and the last 4 KiB of a chatty run. Schedules have a seconds field;
# waits are bounded polls.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"

# hook.sh: at its first call for a job id, writes each CROND_LITE_ variable
# of the hook (UNSET when it is not set) into vars.JOB/NAME, then says one
# line on stdout.
write_hook() {
    cat >hook.sh <<'EOF'
d="$(dirname "$0")/vars.$CROND_LITE_JOB"
mkdir "$d" 2>/dev/null || exit 0
for v in JOB DUE STATUS SIGNAL ERROR DURATION_MS OUTPUT; do
    eval "x=\${CROND_LITE_$v-UNSET}"
    printf '%s' "$x" >"$d/$v"
done
printf '%s' "${MYVAR-UNSET}" >"$d/MYVAR"
echo "hook of $CROND_LITE_JOB: status ${CROND_LITE_STATUS-none}"
EOF
}

# var JOB NAME: what the hook of JOB saw in CROND_LITE_NAME.
var() { cat "vars.$1/$2"; }

# The due second of a run that started on time: its job.start's second.
start_second() { rec event=job.start pid="$1" -f time | sed 's/\.[0-9]*Z$/Z/'; }

# A run that fails once (later runs of the job exit 0): its hook sees every
# variable, with the values of that run; its output is relayed under the
# hook's id.
failing_job_variables() {
    write_hook
    mkdir tabs
    cat >tabs/app.cron <<EOF
MYVAR=from the crontab
* * * * * * * [ -e $PWD/ran ] && exit 0; touch $PWD/ran; echo out1; sleep 0.1; echo err1 >&2; sleep 0.1; printf out2; exit 3
EOF
    start_daemon -f tabs --on-failure "sh $PWD/hook.sh"
    wait_rec 1 5 event=job.exit job='app.cron:2!on-failure'
    local p h
    p=$(first_pid app.cron:2)
    h=$(first_pid 'app.cron:2!on-failure')
    expect_eq "CROND_LITE_JOB" "app.cron:2" "$(var app.cron:2 JOB)"
    expect_eq "CROND_LITE_DUE" "$(start_second "$p")" "$(var app.cron:2 DUE)"
    expect_eq "CROND_LITE_STATUS" 3 "$(var app.cron:2 STATUS)"
    expect_eq "CROND_LITE_SIGNAL" UNSET "$(var app.cron:2 SIGNAL)"
    expect_eq "CROND_LITE_ERROR" UNSET "$(var app.cron:2 ERROR)"
    expect_eq "CROND_LITE_DURATION_MS" "$(rec event=job.exit pid="$p" -f duration_ms)" \
        "$(var app.cron:2 DURATION_MS)"
    expect_eq "CROND_LITE_OUTPUT" $'out1\nerr1\nout2' "$(var app.cron:2 OUTPUT)"
    expect_eq "the run's own records" $'out1\nerr1\nout2' "$(msgs app.cron:2 "$p")"
    expect_eq "the crontab's variable" "from the crontab" "$(var app.cron:2 MYVAR)"
    # the hook's records: its own id, its command, its line, its exit
    expect_eq "hook's cmd" "sh $PWD/hook.sh" "$(rec event=job.start pid="$h" -f cmd)"
    wait_rec 1 2 event=job.output job='app.cron:2!on-failure' pid="$h"
    expect_eq "hook's output" "hook of app.cron:2: status 3" \
        "$(msgs 'app.cron:2!on-failure' "$h" stdout)"
    expect_eq "hook's exit" 0 "$(rec event=job.exit pid="$h" -f status)"
    # later runs succeed: no on-failure hook, none configured on success
    wait_rec 3 4 event=job.exit job=app.cron:2
    expect_eq "hooks" 1 "$(nrec event=job.start job~'!on-')"
}

# On success, --on-success runs and --on-failure does not.
success_hook_only() {
    write_hook
    mkdir tabs
    echo '* * * * * * * echo fine' >tabs/app.cron
    start_daemon -f tabs --on-failure "echo FAILURE-HOOK" --on-success "sh $PWD/hook.sh"
    wait_rec 2 5 event=job.exit job='app.cron:1!on-success'
    expect_eq "on-failure hooks" 0 "$(nrec job~'on-failure')"
    expect_eq "CROND_LITE_STATUS" 0 "$(var app.cron:1 STATUS)"
    expect_eq "CROND_LITE_SIGNAL" UNSET "$(var app.cron:1 SIGNAL)"
    expect_eq "CROND_LITE_OUTPUT" fine "$(var app.cron:1 OUTPUT)"
    wait_rec 1 2 event=job.output job='app.cron:1!on-success' msg="hook of app.cron:1: status 0"
}

# A run its timeout ends is a failure: CROND_LITE_SIGNAL, or its exit status
# when it traps SIGTERM and exits 0.
timeout_is_failure() {
    write_hook
    mkdir tabs
    cat >crond.ini <<EOF
[daemon]
crontabs = $PWD/tabs
on_failure = sh $PWD/hook.sh
on_success = echo SUCCESS-HOOK
grace = 5s

[job "slow"]
schedule = * * * * * * *
command = echo started; exec sleep 10
timeout = 1s

[job "polite"]
schedule = * * * * * * *
command = trap 'echo bye; exit 0' TERM; echo started; sleep 10 & wait
timeout = 1s
EOF
    start_daemon -c crond.ini
    wait_rec 1 6 event=job.exit job='slow!on-failure'
    wait_rec 1 3 event=job.exit job='polite!on-failure'
    local d
    expect_eq "slow: SIGNAL" SIGTERM "$(var slow SIGNAL)"
    expect_eq "slow: STATUS" UNSET "$(var slow STATUS)"
    expect_eq "slow: OUTPUT" started "$(var slow OUTPUT)"
    d=$(var slow DURATION_MS)
    { [ "$d" -ge 900 ] && [ "$d" -lt 3000 ]; } || fail "slow ran $d ms with a 1 s timeout"
    expect_eq "polite: STATUS (exit 0 after its timeout)" 0 "$(var polite STATUS)"
    expect_eq "polite: SIGNAL" UNSET "$(var polite SIGNAL)"
    expect_eq "polite: OUTPUT" $'started\nbye' "$(var polite OUTPUT)"
    expect_eq "success hooks" 0 "$(nrec job~'on-success')"
    [ "$(nrec event=job.kill job=slow reason=timeout signal=SIGTERM)" -ge 1 ] ||
        fail "no job.kill for the timeout"
}

# A job's own INI on_failure / on_success wins over the daemon's; jobs
# without one (INI or crontab) get the daemon's.
own_hook_wins() {
    mkdir tabs
    echo '* * * * * * * exit 4' >tabs/app.cron
    cat >crond.ini <<EOF
[daemon]
crontabs = $PWD/tabs
on_failure = echo daemon-hook for \$CROND_LITE_JOB

[job "own"]
schedule = * * * * * * *
command = exit 1
on_failure = echo own-hook for \$CROND_LITE_JOB

[job "plain"]
schedule = * * * * * * *
command = exit 2

[job "ok"]
schedule = * * * * * * *
command = true
on_success = echo own-success for \$CROND_LITE_JOB
EOF
    start_daemon -c crond.ini
    wait_rec 2 5 event=job.output job='own!on-failure'
    wait_rec 2 3 event=job.output job='plain!on-failure'
    wait_rec 2 3 event=job.output job='app.cron:1!on-failure'
    wait_rec 2 3 event=job.output job='ok!on-success'
    expect_eq "own's hook" "own-hook for own" "$(rec event=job.output job='own!on-failure' -f msg | sort -u)"
    expect_eq "plain's hook" "daemon-hook for plain" \
        "$(rec event=job.output job='plain!on-failure' -f msg | sort -u)"
    expect_eq "the crontab job's hook" "daemon-hook for app.cron:1" \
        "$(rec event=job.output job='app.cron:1!on-failure' -f msg | sort -u)"
    expect_eq "ok's own on_success" "own-success for ok" \
        "$(rec event=job.output job='ok!on-success' -f msg | sort -u)"
    expect_eq "hooks of other ids" "" \
        "$(rec event=job.start job~'!on-' -f job | sort -u | grep -vxE '(own|plain|app\.cron:1)!on-failure|ok!on-success')"
}

# A hook that fails is logged (job.exit with its status) and starts nothing:
# every job.exit of the job before the stop has exactly one hook, no hook
# has one.
failing_hook_starts_nothing() {
    mkdir tabs
    echo "* * * * * * * [ -e $PWD/ran ] && exit 0; touch $PWD/ran; exit 1" >tabs/app.cron
    start_daemon -f tabs --on-failure 'echo hook-fails; exit 7' --on-success 'echo hook-too; exit 9'
    wait_rec 1 5 event=job.exit job='app.cron:1!on-failure'
    wait_rec 2 4 event=job.exit job='app.cron:1!on-success'
    stop_daemon TERM
    expect_eq "exit status" 0 "$DRC"
    expect_eq "the failing hook's status" 7 "$(rec event=job.exit job='app.cron:1!on-failure' -f status)"
    expect_eq "the failing hook's line" hook-fails "$(rec event=job.output job='app.cron:1!on-failure' -f msg)"
    [ "$(rec event=job.exit job='app.cron:1!on-success' -f status | sort -u)" = 9 ] ||
        fail "on-success hooks' status: $(rec event=job.exit job='app.cron:1!on-success' -f status)"
    local stop exits hooks
    stop=$(rec event=daemon.stop -f _n)
    exits=$(rec event=job.exit job=app.cron:1 -f _n | awk -v s="$stop" '$1 < s' | wc -l)
    hooks=$(rec event=job.start job~'^app\.cron:1!on-' -f _n | awk -v s="$stop" '$1 < s' | wc -l)
    expect_eq "one hook per run" "$exits" "$hooks"
    expect_eq "hooks of hooks" 0 "$(nrec job~'!on-.*!')"
}

# A run that cannot start: its hook gets CROND_LITE_ERROR (in the user's
# home, though the job's workdir is missing); a hook that cannot start
# itself (the job's shell is missing) is a job.error, and nothing follows.
start_failures() {
    write_hook
    mkdir tabs
    cat >tabs/app.cron <<'EOF'
SHELL=/nonexistent/sh
* * * * * * * echo never
EOF
    cat >crond.ini <<EOF
[daemon]
crontabs = $PWD/tabs
on_failure = sh $PWD/hook.sh

[job "lost"]
schedule = * * * * * * *
command = echo never
workdir = $PWD/no-such-dir
EOF
    start_daemon -c crond.ini
    wait_rec 1 5 event=job.exit job='lost!on-failure'
    wait_rec 1 3 event=job.error job='app.cron:2!on-failure'
    local msg
    msg=$(rec event=job.error job=lost -f msg | head -1)
    case $msg in *no-such-dir*) ;; *) fail "job.error of lost: $msg" ;; esac
    expect_eq "CROND_LITE_ERROR" "$msg" "$(var lost ERROR)"
    expect_eq "CROND_LITE_STATUS" UNSET "$(var lost STATUS)"
    expect_eq "CROND_LITE_SIGNAL" UNSET "$(var lost SIGNAL)"
    expect_eq "CROND_LITE_DURATION_MS" 0 "$(var lost DURATION_MS)"
    expect_eq "CROND_LITE_OUTPUT" "" "$(var lost OUTPUT)"
    expect_eq "CROND_LITE_JOB" lost "$(var lost JOB)"
    case $(rec event=job.error job='app.cron:2!on-failure' -f msg | head -1) in
        */nonexistent/sh*) ;;
        *) fail "the hook's job.error does not name the shell" ;;
    esac
    expect_eq "hooks of hooks" 0 "$(nrec job~'!on-.*!')"
    expect_eq "starts of app.cron:2's hook" 0 "$(nrec event=job.start job='app.cron:2!on-failure')"
}

# A hook that runs when SIGTERM comes is signalled with the jobs (job.kill
# reason=stop) and the daemon waits for it to end, as for a job.
stop_waits_for_hook() {
    mkdir tabs
    echo '@reboot exit 1' >tabs/app.cron
    cat >hook.sh <<'EOF'
trap 'echo term >>"$1/h.log"; sleep 0.3; echo done >>"$1/h.log"; exit 0' TERM
echo hook-ready
sleep 30 &
wait
EOF
    start_daemon -f tabs --grace 5s --on-failure "exec sh $PWD/hook.sh $PWD"
    wait_rec 1 5 event=job.output job='app.cron:1!on-failure' msg=hook-ready
    local h
    h=$(first_pid 'app.cron:1!on-failure')
    stop_daemon TERM 6
    expect_eq "exit status" 0 "$DRC"
    expect_eq "the hook's cleanup ran to its end" $'term\ndone' "$(cat h.log)"
    expect_eq "daemon.stop counts the hook" 1 "$(rec event=daemon.stop -f running)"
    expect_eq "job.kill of the hook" SIGTERM \
        "$(rec event=job.kill job='app.cron:1!on-failure' reason=stop -f signal)"
    expect_eq "the hook's exit" 0 "$(rec event=job.exit pid="$h" -f status)"
    if pgroup_alive "$h"; then fail "the hook's group outlived the daemon"; fi
}

# CROND_LITE_OUTPUT of a run that wrote 2,000 lines (22,000 bytes): the
# last whole lines within 4 KiB.
chatty_run_tail() {
    write_hook
    mkdir tabs
    echo "@reboot seq -f 'line-%05g' 1 2000; exit 1" >tabs/app.cron
    start_daemon -f tabs --on-failure "sh $PWD/hook.sh"
    wait_rec 1 5 event=job.exit job='app.cron:1!on-failure'
    local out
    out=$(var app.cron:1 OUTPUT)
    # 4096 bytes from the end start inside line 1628: lines 1629-2000 remain
    expect_eq "length" 4091 "$(printf '%s' "$out" | wc -c)"
    expect_eq "first line" line-01629 "$(head -n 1 <<<"$out")"
    expect_eq "last line" line-02000 "$(tail -n 1 <<<"$out")"
    expect_eq "lines" "$(seq -f 'line-%05g' 1629 2000)" "$out"
}

# A hook is no run of its job: with overlap skip, the job starts again
# while its hook still runs.
job_runs_beside_its_hook() {
    mkdir tabs
    echo '* * * * * * * exit 1' >tabs/app.cron
    start_daemon -f tabs --on-failure 'sleep 5'
    wait_rec 3 5 event=job.start job=app.cron:1
    expect_eq "skips" 0 "$(nrec event=job.skip)"
    [ "$(nrec event=job.start job='app.cron:1!on-failure')" -ge 2 ] || fail "hooks did not overlap"
}

# zombies PID: the zombie children of PID, one pid a line.
zombies() { ps -o pid=,stat= --ppid "$1" | awk '$2 ~ /^Z/ { print $1 }' | sort; }

# As PID 1 of a pid namespace: hooks, and the orphans they leave, are reaped
# as jobs are.
hooks_reaped_as_pid1() {
    [ "$(id -u)" = 0 ] || { echo "# skipped: needs root for unshare"; return 0; }
    unshare --pid --fork --mount-proc true 2>/dev/null || { echo "# skipped: unshare --pid not permitted"; return 0; }
    mkdir tabs
    echo '* * * * * * * exit 1' >tabs/app.cron
    start_wrapped unshare --pid --fork --mount-proc -- -f tabs \
        --on-failure "sh -c 'sleep 1 &'; ( sleep 0.5 & ); echo hooked"
    wait_rec 1 3 event=job.output msg=hooked
    local init i z stayed=
    init=$(pgrep -P "$DPID" | head -1)
    expect_eq "pid inside the namespace" 1 "$(awk '/^NSpid:/ { print $NF }' "/proc/$init/status")"
    for i in 1 2 3 4 5 6; do
        z=$(zombies "$init")
        sleep 0.4
        [ -z "$z" ] || stayed+=$(comm -12 <(echo "$z") <(zombies "$init"))
    done
    expect_eq "zombies that stayed" "" "$stayed"
    [ "$(nrec event=job.exit job='app.cron:1!on-failure' status=0)" -ge 3 ] ||
        fail "hooks ended $(nrec event=job.exit job='app.cron:1!on-failure') times"
    kill -TERM "$init"
    wait_exit "$DPID" 4
    expect_eq "exit status" 0 "$DRC"
}

run_test "a failing run's hook: every variable, its records under JOB!on-failure" failing_job_variables
run_test "a succeeding run: on-success runs, on-failure does not" success_hook_only
run_test "a timeout is a failure: CROND_LITE_SIGNAL, or STATUS 0 after a trap" timeout_is_failure
run_test "a job's own INI hook wins over the daemon's" own_hook_wins
run_test "a failing hook is logged and starts nothing" failing_hook_starts_nothing
run_test "start failures: CROND_LITE_ERROR; a hook that cannot start is a job.error" start_failures
run_test "SIGTERM: a running hook is signalled and waited for" stop_waits_for_hook
run_test "CROND_LITE_OUTPUT: the last 4 KiB of a chatty run" chatty_run_tail
run_test "a hook does not count as a run for overlap" job_runs_beside_its_hook
run_test "as PID 1: hooks and their orphans are reaped" hooks_reaped_as_pid1
