#!/usr/bin/env bash
# End-to-end fault tests: what the daemon does when the system says no.
# fork fails (RLIMIT_NPROC), exec fails (shell missing or not executable),
# the working directory is missing, file descriptors run out, a job floods
# output faster than crond-lite's stdout is read, crond-lite's own stdout
# is closed or broken, a job closes its stdout early, a grandchild keeps a
# job's pipe open, a crontab is deleted, made unreadable, replaced by a
# directory or made world-writable while the daemon runs.
#
# Each test checks that the daemon survives (still running, still starting
# other jobs), that a record says what happened (event and message), and
# that no other job loses a run: a healthy job due every second has exactly
# one job.start in every whole second of the window (every_second).
# The load tests (1,000 and 10,000 jobs) are in test_faults_load.sh, the
# memory tests in test_faults_memory.sh.
# The contract is README.md: "Jobs", "Output", "Signals", "Reload" and the
# daemon's exit status.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"
. "$E2E_DIR/helpers/faults.sh"

HEALTHY='* * * * * * * echo tick'

# --------------------------------------------------------------- fork fails

# RLIMIT_NPROC: the daemon runs as a uid of its own (root ignores the
# limit) with room for itself and two more processes. Jobs of 2.5 s due
# every second (overlap allow) fill that room: the third fork in a row
# fails with EAGAIN and is a job.error; when a run ends its slot is free
# again and the next due run starts. Every due second is either a start or
# an error, never silence.
fork_fails_nproc() {
    needs_root_tools setpriv prlimit || return 0
    make_world_readable
    mkdir tabs
    echo '* * * * * * * exec sleep 2.5' >tabs/app.cron
    chmod -R a+rX tabs
    start_wrapped prlimit --nproc=3 setpriv --reuid="$NPROC_UID" --regid="$NPROC_UID" \
        --clear-groups env HOME=/ -- --overlap allow -f tabs
    wait_started 5
    wait_rec 1 6 event=job.error job=app.cron:1
    local t_err
    t_err=$(rec event=job.error job=app.cron:1 -f _ms | head -1)
    expect_eq "job.error msg" "fork: Resource temporarily unavailable" \
        "$(rec event=job.error job=app.cron:1 -f msg | head -1)"
    # runs resume once a run has ended and freed its slot
    local later
    for _ in $(seq 50); do
        later=$(rec event=job.start job=app.cron:1 -f _ms | awk -v t="$t_err" '$1 > t' | wc -l)
        [ "$later" -ge 1 ] && break
        sleep 0.1
    done
    [ "$later" -ge 1 ] || fail "no job.start after the first fork failure (at $t_err)"
    daemon_alive
    # no due second went unaccounted for: one start or one error each
    local first last
    first=$(rec event=job.start job=app.cron:1 -f _ms | head -1)
    last=$(now_ms)
    rec event~'^job\.(start|error)$' job=app.cron:1 -f _ms | awk -v a="$first" -v b="$last" '
        { c[int($1 / 1000)]++ }
        END { for (s = int(a / 1000); s < int(b / 1000) - 1; s++) if (c[s] != 1) { print "FAIL: second " s ": " c[s] + 0 " start/error records"; bad = 1 } exit bad }'
    expect_eq "other job.error messages" "" \
        "$(rec event=job.error -f msg | grep -v '^fork: Resource temporarily unavailable$' || true)"
    stop_daemon TERM 5
    expect_eq "exit status" 0 "$DRC"
}

# --------------------------------------------------------------- exec fails

# SHELL= naming a missing file, and a file without execute permission:
# job.error names the path and the errno text; a job of the same file with
# the default shell runs every second regardless.
exec_fails() {
    mkdir tabs
    printf '#!/bin/sh\necho should not run\n' >noexec.sh
    chmod 0644 noexec.sh
    printf '%s\n' 'SHELL=/nonexistent/sh' '* * * * * * * echo missing' \
        "SHELL=$PWD/noexec.sh" '* * * * * * * echo noexec' \
        'SHELL=' "$HEALTHY" >tabs/app.cron
    start_daemon -f tabs
    wait_started
    wait_rec 2 4 event=job.error job=app.cron:2
    wait_rec 2 2 event=job.error job=app.cron:4
    local t0 t1
    t0=$(rec event=daemon.start -f _ms)
    expect_eq "missing shell" "exec /nonexistent/sh: No such file or directory" \
        "$(rec event=job.error job=app.cron:2 -f msg | sort -u)"
    expect_eq "shell not executable" "exec $PWD/noexec.sh: Permission denied" \
        "$(rec event=job.error job=app.cron:4 -f msg | sort -u)"
    expect_eq "job.start of the failing jobs" 0 "$(nrec event=job.start job~'^app\.cron:[24]$')"
    wait_rec 4 6 event=job.exit job=app.cron:6 status=0
    t1=$(rec event=job.start job=app.cron:6 -f _ms | tail -1)
    every_second app.cron:6 "$t0" "$t1"
    expect_eq "healthy job's output" tick "$(rec event=job.output job=app.cron:6 -f msg | sort -u)"
    expect_eq "output of the shell that must not run" 0 "$(nrec event=job.output msg='should not run')"
    # the children that failed to exec were reaped
    no_zombies "$DPID"
    daemon_alive
}

# --------------------------------------------------- missing work directory

# An INI job whose workdir does not exist: job.error "chdir DIR: ...", the
# crontab's job runs on.
workdir_missing() {
    mkdir tabs
    echo "$HEALTHY" >tabs/app.cron
    printf '%s\n' '[job "wd"]' 'schedule = * * * * * * *' 'command = echo ran in $PWD' \
        "workdir = $PWD/no/such/dir" >crond.ini
    start_daemon -f tabs -c crond.ini
    wait_started
    local t0 t1
    t0=$(rec event=daemon.start -f _ms)
    wait_rec 3 5 event=job.error job=wd
    expect_eq "job.error msg" "chdir $PWD/no/such/dir: No such file or directory" \
        "$(rec event=job.error job=wd -f msg | sort -u)"
    expect_eq "runs of the job" 0 "$(nrec event=job.start job=wd)"
    wait_rec 3 2 event=job.exit job=app.cron:1
    t1=$(rec event=job.start job=app.cron:1 -f _ms | tail -1)
    every_second app.cron:1 "$t0" "$t1"
    daemon_alive
}

# A user whose home does not exist (Debian's nobody: /nonexistent) runs
# its jobs in "/".
home_missing() {
    needs_root_tools setpriv || return 0
    local home
    home=$(getent passwd nobody | cut -d: -f6)
    if [ -z "$home" ] || [ -e "$home" ]; then
        echo "# skipped: nobody's home '$home' exists"
        return 0
    fi
    make_world_readable
    mkdir tabs
    echo '* * * * * * * echo "pwd=$(pwd)"' >tabs/app.cron
    chmod -R a+rX tabs
    start_wrapped setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
        env -u HOME -- -f tabs
    wait_rec 2 5 event=job.exit job=app.cron:1
    expect_eq "working directory" "pwd=/" "$(rec event=job.output job=app.cron:1 -f msg | sort -u)"
    expect_eq "job.error records" 0 "$(nrec event=job.error)"
    expect_eq "exit statuses" 0 "$(rec event=job.exit job=app.cron:1 -f status | sort -u)"
}

# ------------------------------------------------------ file descriptors run out

# bursts: "FIRST_MS COUNT" for each burst of the burst jobs' start and
# error records (records less than a second apart), but the one that may
# still be going on.
bursts() {
    rec event~'^job\.(start|error)$' job~'^burst\.cron:' -f _ms | sort -n | awk -v now="$(now_ms)" '
        NR == 1 || $1 - last > 1000 { if (NR > 1) printf "%.0f %d\n", first, n; first = $1; n = 0 }
        { n++; last = $1 }
        END { if (NR > 0 && now - first > 1000) printf "%.0f %d\n", first, n }'
}

# RLIMIT_NOFILE of 24 (soft and hard: the daemon cannot raise it): ten jobs
# of one second are due together every 3 s; each running job holds two pipe
# ends in the daemon, so only some of them can start and the others fail
# with EMFILE. The daemon logs that, does not spin, leaks no descriptor,
# and once the runs end the next ones start again; a job due every second
# starts at every second between the bursts.
nofile_exhausted() {
    need_tools prlimit || return 0
    mkdir tabs
    for _ in $(seq 10); do echo '@every 3s sleep 1'; done >tabs/burst.cron
    echo "$HEALTHY" >tabs/tick.cron
    start_wrapped prlimit --nofile=24 -- -f tabs
    wait_started
    local fds0
    fds0=$(fd_count "$DPID")
    wait_rec 1 5 event=job.error msg~'Too many open files'
    local c0 c1
    c0=$(cpu_ticks "$DPID")
    sleep 3
    c1=$(cpu_ticks "$DPID")
    daemon_alive
    figure "nofile 24: daemon CPU over 3 s of EMFILE bursts: $((c1 - c0)) ticks of $(getconf CLK_TCK)/s"
    [ $((c1 - c0)) -le "$(cpu_bound 30)" ] || fail "the daemon used $((c1 - c0)) ticks of CPU in 3 s"
    # at least two whole bursts, each job accounted for once per burst
    local per_burst i
    for ((i = 0; i < 40; i++)); do
        per_burst=$(bursts)
        [ "$(wc -l <<<"$per_burst")" -ge 2 ] && break
        sleep 0.1
    done
    [ "$(wc -l <<<"$per_burst")" -ge 2 ] || fail "bursts seen: $per_burst"
    echo "$per_burst" | awk '$2 != 10 { print "FAIL: burst at " $1 " ms: " $2 " start/error records, not 10"; bad = 1 } END { exit bad }'
    local started
    started=$(nrec event=job.start job~'^burst\.cron:')
    [ "$started" -ge 2 ] || fail "only $started runs of the burst jobs started"
    # the error says which call ran out
    figure "nofile 24: job.error messages: $(rec event=job.error -f msg | sort | uniq -c | xargs)"
    rec event=job.error -f msg | grep -vE '^(pipe|open /dev/null): Too many open files$' |
        { ! grep . || fail "unexpected job.error messages"; }
    # all runs of a burst end after 1 s: between bursts every descriptor
    # the burst took is back
    wait_quiet_fds "$fds0"
    # the healthy job: exactly one start in every second outside the bursts
    # (during a burst its own fork may meet EMFILE too: then a job.error)
    local t0 t1
    t0=$(rec event=daemon.start -f _ms)
    t1=$(now_ms)
    rec event~'^job\.(start|error)$' job=tick.cron:1 -f _ms | awk -v a="$t0" -v b="$t1" '
        { c[int($1 / 1000)]++ }
        END { for (s = int(a / 1000) + 1; s < int(b / 1000) - 1; s++) if (c[s] != 1) { print "FAIL: tick.cron:1, second " s ": " c[s] + 0 " start/error records"; bad = 1 } exit bad }'
    [ "$(nrec event=job.exit job=tick.cron:1 status=0)" -ge 4 ] || fail "the healthy job ran $(nrec event=job.exit job=tick.cron:1 status=0) times"
    # a run after the bursts relays its output: the pipes work again
    local n
    n=$(nrec event=job.output job=tick.cron:1 msg=tick)
    wait_rec $((n + 1)) 3 event=job.output job=tick.cron:1 msg=tick
    stop_daemon TERM 5
    expect_eq "exit status" 0 "$DRC"
}

# ----------------------------------------------------- slow stdout, big output

# A job writes 20,000 numbered lines of 1,000 bytes (20 MB) while
# crond-lite's stdout goes into a pipe read slowly (16 KiB every 2 ms, at
# most 8 MB/s). Nothing is dropped: every number appears once, in order;
# the daemon's memory stays bounded (it waits for its stdout, the job waits
# for its pipe); the job due every second keeps its seconds.
output_flood_slow_reader() {
    mkdir tabs
    printf '%s\n' "@reboot awk 'BEGIN { p = \"x\"; while (length(p) < 990) p = p p; p = substr(p, 1, 990); for (i = 1; i <= 20000; i++) print i \"-\" p; print \"done\" }'" \
        "$HEALTHY" >tabs/app.cron
    start_piped "$PYTHON $E2E_DIR/helpers/slow_reader.py 16384 0.002 out.log" -- -f tabs
    wait_started
    local hwm0
    hwm0=$(status_kb "$DPID" VmHWM)
    # (grep, not records.py: the log grows to 22 MB)
    wait_count 1 60 job.output ' msg=done$'
    wait_count 1 5 job.exit 'job=app.cron:1 '
    local hwm1 t0 t1
    hwm1=$(status_kb "$DPID" VmHWM)
    figure "flood: 20 MB relayed to a slow stdout; daemon VmHWM ${hwm0} kB at start, ${hwm1} kB after"
    rec event=job.output job=app.cron:1 -f msg | awk -F- '
        $0 == "done" { done = 1; next }
        { n++; if ($1 != n) { print "FAIL: line " n " is number " $1; exit 1 } if (length($0) != length(n) + 991) { print "FAIL: line " n " has " length($0) " bytes"; exit 1 } }
        END { if (n != 20000 || !done) { print "FAIL: " n " numbered lines, done=" done + 0; exit 1 } }'
    expect_eq "job.exit status" 0 "$(rec event=job.exit job=app.cron:1 -f status)"
    [ "$hwm1" -lt $((hwm0 + 32768)) ] || fail "daemon VmHWM grew from $hwm0 kB to $hwm1 kB"
    is_asan || [ "$hwm1" -lt 65536 ] || fail "daemon VmHWM $hwm1 kB"
    # the healthy job's seconds from the start to two runs after the flood
    # (a flood of 2.5 s alone can leave one whole second to check)
    local n
    n=$(count job.start 'job=app.cron:2 ')
    wait_count $((n + 2)) 4 job.start 'job=app.cron:2 '
    t0=$(rec event=daemon.start -f _ms)
    t1=$(rec event=job.start job=app.cron:2 -f _ms | tail -1)
    every_second app.cron:2 "$t0" "$t1"
    daemon_alive
}

# ----------------------------------------------------- crond-lite's stdout

# stdout_gone_checks T0: the daemon exited within 2 s of T0 (ms), with
# status 1 and a message on stderr, using little CPU.
stdout_gone_checks() {
    local t0=$1 i
    for ((i = 0; i < 40; i++)); do
        is_dead "$DPID" && break
        sleep 0.05
    done
    local cpu
    cpu=$(cpu_ticks "$DPID")
    if ! is_dead "$DPID"; then
        local c0=$cpu
        sleep 1
        cpu=$(cpu_ticks "$DPID")
        echo "# still running $(($(now_ms) - t0)) ms later; CPU in the last second: $((cpu - c0)) ticks" >&2
        echo "# its fds: $(fd_list "$DPID")" >&2
        fail "the daemon did not exit within 2 s"
        return 1
    fi
    wait_exit "$DPID" 1
    [ "$cpu" -le "$(cpu_bound 20)" ] || fail "the daemon used $cpu ticks of CPU"
    expect_eq "exit status" 1 "$DRC"
    # the record that could not be written and a daemon.error saying why go
    # to stderr (in the chosen format), then every later record
    grep -qE '(crond-lite: |event=daemon.error ).*(stdout|log records)' err.log ||
        fail "no message on stderr: $(cat err.log)"
}

# stdout closed (>&-): fd 1 is free, so the first descriptor the daemon
# opens lands there (libev's epoll): writing a record must fail, and the
# daemon must exit rather than run blind.
stdout_closed() {
    mkdir tabs
    echo "$HEALTHY" >tabs/app.cron
    trap cleanup_daemon EXIT
    local t0
    t0=$(now_ms)
    "$CROND_BIN" -f tabs >&- 2>err.log &
    DPID=$!
    stdout_gone_checks "$t0"
    # "Invalid argument" (a write to whatever landed on fd 1) does not say
    # what is wrong: the message must name stdout
    grep -q 'stdout' err.log || fail "stderr does not name stdout: $(cat err.log)"
}

# stdout a pipe whose reader is gone before the daemon starts: the first
# record is EPIPE.
stdout_no_reader() {
    mkdir tabs
    echo "$HEALTHY" >tabs/app.cron
    mkfifo fifo
    # a reader (fd 7) lets the writer's open (fd 8) through; then it goes
    # shellcheck disable=SC2094
    exec 7<>fifo 8>fifo
    exec 7<&-
    trap cleanup_daemon EXIT
    local t0
    t0=$(now_ms)
    "$CROND_BIN" -f tabs >&8 2>err.log 8>&- &
    DPID=$!
    exec 8>&-
    stdout_gone_checks "$t0"
    grep -q 'Broken pipe' err.log || fail "stderr does not say Broken pipe: $(cat err.log)"
}

# The reader of stdout exits while a job runs (as `| head` would): the next
# record is EPIPE; the daemon stops its jobs (the job's process group is
# gone) and exits 1 with a message.
stdout_reader_exits() {
    mkdir tabs
    echo '* * * * * * * echo ready; exec sleep 30' >tabs/app.cron
    start_piped "$PYTHON $E2E_DIR/helpers/slow_reader.py 65536 0 out.log msg=ready" -- -f tabs
    wait_rec 1 5 event=job.output msg=ready
    local p t0
    p=$(first_pid app.cron:1)
    t0=$(now_ms)
    # the next record (job.skip a second later) hits the closed pipe
    stdout_gone_checks "$t0"
    grep -q 'Broken pipe' err.log || fail "stderr does not say Broken pipe: $(cat err.log)"
    # nothing said after the break is lost: it is on stderr, in records
    grep -q "event=job.exit job=app.cron:1 pid=$p " err.log ||
        fail "the job's exit is not on stderr: $(cat err.log)"
    ! pgroup_alive "$p" || fail "the job's process group $p is still running: $(pgrep -g "$p" -a)"
}

# ------------------------------------------------ jobs and their pipes

# A job closes its stdout and runs on: what it writes to stderr later is
# still relayed, and job.exit comes once, with its status, when it ends.
job_closes_stdout() {
    mkdir tabs
    printf '%s\n' '@reboot echo before; exec >&-; sleep 2; echo done >&2; exit 3' "$HEALTHY" >tabs/app.cron
    start_daemon -f tabs
    wait_rec 1 3 event=job.output job=app.cron:1 msg=before
    local p
    p=$(first_pid app.cron:1)
    sleep 1
    expect_eq "job.exit while the job runs" 0 "$(nrec event=job.exit pid="$p")"
    wait_rec 1 4 event=job.exit pid="$p"
    sleep 0.3
    expect_eq "job.exit records" 1 "$(nrec event=job.exit pid="$p")"
    expect_eq "status" 3 "$(rec event=job.exit pid="$p" -f status)"
    local d
    d=$(rec event=job.exit pid="$p" -f duration_ms)
    [ "$d" -ge 1900 ] || fail "job.exit after $d ms, before the job ended"
    expect_eq "output" "stdout before|stderr done" "$(rec event=job.output pid="$p" -f stream -f msg | tr '\t' ' ' | paste -sd'|')"
    # its stderr line came before its exit
    local n_out n_exit
    n_out=$(rec event=job.output pid="$p" msg=done -f _n)
    n_exit=$(rec event=job.exit pid="$p" -f _n)
    [ "$n_out" -lt "$n_exit" ] || fail "the stderr line (record $n_out) after job.exit (record $n_exit)"
    local n
    n=$(nrec event=job.start job=app.cron:2)
    wait_rec $((n + 1)) 3 event=job.start job=app.cron:2
    every_second app.cron:2 "$(rec event=daemon.start -f _ms)" "$(rec event=job.start job=app.cron:2 -f _ms | tail -1)"
    daemon_alive
}

# A grandchild keeps the job's pipe open after the job exits: job.exit is
# logged when the job exits, the grandchild's line is relayed later under
# the job's id and pid, the grandchild is reaped, and nothing else is
# disturbed.
grandchild_keeps_pipe() {
    mkdir tabs
    printf '%s\n' '@reboot (sleep 2; echo late) & echo early; exit 0' "$HEALTHY" >tabs/app.cron
    start_daemon -f tabs
    wait_rec 1 3 event=job.exit job=app.cron:1
    local p d
    p=$(first_pid app.cron:1)
    d=$(rec event=job.exit pid="$p" -f duration_ms)
    [ "$d" -lt 1000 ] || fail "job.exit after $d ms: it waited for the grandchild"
    expect_eq "job.exit status" 0 "$(rec event=job.exit pid="$p" -f status)"
    # the grandchild still runs, adopted by the daemon (subreaper)
    pgroup_alive "$p" || fail "the grandchild is gone already"
    wait_rec 1 4 event=job.output msg=late
    expect_eq "late line's job and pid" "app.cron:1 $p stdout" \
        "$(rec event=job.output msg=late -f job -f pid -f stream | tr '\t' ' ')"
    expect_eq "job.exit records" 1 "$(nrec event=job.exit pid="$p")"
    # reaped: nothing of the job's group left, no zombie below the daemon
    local i
    for ((i = 0; i < 20; i++)); do
        pgroup_alive "$p" || break
        sleep 0.1
    done
    ! pgroup_alive "$p" || fail "the grandchild is still running: $(pgrep -g "$p" -a)"
    no_zombies "$DPID"
    local n
    n=$(nrec event=job.start job=app.cron:2)
    wait_rec $((n + 2)) 3 event=job.start job=app.cron:2
    every_second app.cron:2 "$(rec event=daemon.start -f _ms)" "$(rec event=job.start job=app.cron:2 -f _ms | tail -1)"
    expect_eq "job.error records" 0 "$(nrec event=job.error)"
}

# ------------------------------------------------ crontabs changing under us

# victim_files: tabs/victim.cron and tabs/other.cron, each a job due every
# second.
victim_files() {
    mkdir -p tabs
    echo '* * * * * * * echo victim' >tabs/victim.cron
    echo "$HEALTHY" >tabs/other.cron
}

# crontab_fault MUTATION EXPECT [RESTORE]: victim_files are loaded;
# MUTATION (a shell snippet run in the test's folder) is done to
# victim.cron while both run; EXPECT is "removed" (the victim's job is
# unloaded: daemon.reload removed=1, no start after it) or "kept:REGEX" (a
# config.error for victim.cron with msg matching REGEX, daemon.reload
# invalid_kept=1, the victim's job keeps running). RESTORE undoes it; the
# victim's job runs on. other.cron's job never misses a second.
crontab_fault() {
    local mutate=$1 expect=$2 restore=${3:-}
    wait_rec 1 4 event=job.start job=victim.cron:1
    wait_rec 2 3 event=job.start job=other.cron:1
    local nreload
    nreload=$(nrec event=daemon.reload)
    eval "$mutate"
    case $expect in
    removed)
        wait_rec $((nreload + 1)) 4 event=daemon.reload
        expect_eq "daemon.reload" "1 0 1 1" "$(rec event=daemon.reload -f jobs -f added -f removed -f kept | tail -1 | tr '\t' ' ')"
        local t_rel
        t_rel=$(rec event=daemon.reload -f _ms | tail -1)
        sleep 1.5
        expect_eq "starts of the removed job after the reload" "" \
            "$(rec event=job.start job=victim.cron:1 -f _ms | awk -v t="$t_rel" '$1 > t')"
        ;;
    kept:*)
        wait_rec 1 4 event=config.error level=error file~'victim\.cron$'
        local msg re
        msg=$(rec event=config.error level=error file~'victim\.cron$' -f line -f col -f msg | head -1)
        re="^0"$'\t'"0"$'\t'"${expect#kept:}"
        [[ "$msg" =~ $re ]] || fail "config.error: '$msg'"
        wait_rec 1 2 event=daemon.reload invalid_kept=1
        local n
        n=$(nrec event=job.start job=victim.cron:1)
        wait_rec $((n + 2)) 3 event=job.start job=victim.cron:1
        ;;
    esac
    if [ -n "$restore" ]; then
        local errs n
        errs=$(nrec event=config.error level=error)
        eval "$restore"
        sleep 0.6 # the reload, 200 ms after the change
        n=$(nrec event=job.start job=victim.cron:1)
        wait_rec $((n + 1)) 2 event=job.start job=victim.cron:1
        expect_eq "config.error after the restore" "$errs" "$(nrec event=config.error level=error)"
    fi
    local t1
    t1=$(rec event=job.start job=other.cron:1 -f _ms | tail -1)
    every_second other.cron:1 "$(rec event=job.start job=other.cron:1 -f _ms | head -1)" "$t1"
    [ "$(nrec event=job.exit job=other.cron:1 status=0)" -ge 4 ] || fail "other.cron:1 ran $(nrec event=job.exit job=other.cron:1 status=0) times"
    daemon_alive
}

crontab_deleted() {
    victim_files
    start_daemon -f tabs
    crontab_fault 'rm tabs/victim.cron' removed
}

# What the table does when a file named by -f is deleted (kept, read again
# when back), is replaced by a folder (removed) or made writable by others
# (refused, kept) is unit-tested (tests/unit/test_jobtab.c); here, the two
# ways a change is seen: in a directory, and as an unprivileged daemon.

# chmod 000: root reads anything, so the daemon runs as nobody. An
# unreadable file is an invalid one: its old jobs stay.
crontab_unreadable() {
    needs_root_tools setpriv || return 0
    make_world_readable
    victim_files
    chmod -R a+rX tabs
    start_wrapped setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups env HOME=/ -- -f tabs
    crontab_fault 'chmod 000 tabs/victim.cron' 'kept:cannot open: Permission denied' 'chmod 644 tabs/victim.cron'
}

run_test "fork fails (RLIMIT_NPROC): job.error, runs resume when a slot frees" fork_fails_nproc
run_test "exec fails (shell missing, not executable): job.error with path and errno" exec_fails
run_test "INI workdir missing: job.error, other jobs run" workdir_missing
run_test "user whose home does not exist: jobs run in /" home_missing
run_test "file descriptors run out (nofile 24): EMFILE job.error, no spin, recovery" nofile_exhausted
run_test "20 MB of output into a slow stdout: nothing dropped, memory bounded" output_flood_slow_reader
run_test "stdout closed (>&-): exit 1 with a message, no spin" stdout_closed
run_test "stdout pipe without reader: exit 1 with a message, no spin" stdout_no_reader
run_test "stdout reader exits while a job runs: job stopped, exit 1" stdout_reader_exits
run_test "a job closes its stdout early: stderr relayed, one job.exit" job_closes_stdout
run_test "a grandchild keeps the pipe: exit logged, late line relayed, reaped" grandchild_keeps_pipe
run_test "crontab deleted from a directory: its jobs removed, others keep their seconds" crontab_deleted
run_test "crontab made unreadable: old jobs kept, config.error" crontab_unreadable
