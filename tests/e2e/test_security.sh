#!/usr/bin/env bash
# End-to-end tests of the promises in SECURITY.md, one test (or more) each.
# Most need root (to start the daemon as root or as someone else); CI runs
# them as root.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"

NOBODY_UID=$(id -u nobody 2>/dev/null || echo 65534)
NOBODY_GID=$(id -g nobody 2>/dev/null || echo 65534)

needs_root() {
    [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null
}

# tab FILE LINE...: a world-readable crontab
tab() {
    local f=$1
    shift
    printf '%s\n' "$@" >"$f"
    chmod 644 "$f"
}

# status_field PID NAME: a line of /proc/PID/status without its name
status_field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr -s '\t ' ' '; }

# Promise 1: a job runs as root only when the daemon is root and the
# configuration says so; that is warned about, and refused otherwise.
root_only_when_said() {
    needs_root || { echo "# skipped: needs root"; return 0; }
    make_world_readable
    mkdir -m 755 tabs
    tab tabs/app.cron '* * * * * * * echo "app uid=$(id -u)"'
    tab tabs/root '* * * * * * * echo "root-file uid=$(id -u)"'
    # root without -u: app.cron runs as root, and each such job is named in a warning
    start_daemon -f tabs
    wait_rec 1 4 event=job.output 'msg~^app uid='
    expect_eq "app.cron as root" "app uid=0" "$(rec event=job.output 'msg~^app uid=' -f msg | head -1)"
    rec event=config.error level=warn -f msg | grep -q 'app.cron:1' || fail "no warning naming app.cron:1"
    stop_daemon
    # with -u the same files run as that user, the file named root too
    rm -f out.log
    start_daemon -u nobody -f tabs
    wait_rec 1 4 event=job.output 'msg~^root-file uid='
    wait_rec 1 4 event=job.output 'msg~^app uid='
    expect_eq "file 'root' after -u" "root-file uid=$NOBODY_UID" \
        "$(rec event=job.output 'msg~^root-file' -f msg | head -1)"
    expect_eq "app.cron after -u" "app uid=$NOBODY_UID" "$(rec event=job.output 'msg~^app uid=' -f msg | head -1)"
    [ "$(rec 'msg~uid=0$' --count)" -eq 0 ] || fail "something ran as root after -u"
    [ "$(rec event=config.error level=warn --count)" -eq 0 ] || fail "root warning after -u"
    stop_daemon
    # and a --system line naming root is refused, not run, once dropped
    tab sys.cron '* * * * * * * root echo "sys uid=$(id -u)"'
    set +e
    out=$("$CROND_BIN" -u nobody --system -f sys.cron 2>&1)
    rc=$?
    set -e
    expect_eq "exit status" 1 "$rc"
    grep -q "cannot run as user 'root'" <<<"$out" || fail "no refusal: $out"
    ! grep -q 'sys uid=' <<<"$out" || fail "the root line ran"
}

# Promise 2: --user drops everything (ids, saved ids, supplementary groups,
# capabilities) and root cannot be regained, by the daemon or its jobs.
user_drop_is_complete() {
    needs_root || { echo "# skipped: needs root"; return 0; }
    command -v python3 >/dev/null || fail "python3 missing"
    make_world_readable
    cat >regain.py <<'PY'
import os
for what, call in (("setuid(0)", lambda: os.setuid(0)), ("setgroups", lambda: os.setgroups([0])),
                   ("setresuid", lambda: os.setresuid(0, 0, 0))):
    try:
        call()
        print("regained with", what)
    except PermissionError:
        print(what, "refused")
print("ids", os.getresuid(), os.getresgid(), os.getgroups())
PY
    chmod 644 regain.py
    tab app.cron "@reboot python3 $PWD/regain.py"
    # started as root with supplementary groups, which must not survive
    start_wrapped setpriv --groups=0,4,27 -- -u nobody -f app.cron
    wait_rec 4 4 event=job.output
    expect_eq "daemon's uids" "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" "$(status_field "$DPID" Uid)"
    expect_eq "daemon's gids" "$NOBODY_GID $NOBODY_GID $NOBODY_GID $NOBODY_GID" "$(status_field "$DPID" Gid)"
    expect_eq "daemon's groups" "$NOBODY_GID" "$(status_field "$DPID" Groups | sed 's/ $//')"
    expect_eq "daemon's permitted caps" 0000000000000000 "$(status_field "$DPID" CapPrm)"
    expect_eq "daemon's effective caps" 0000000000000000 "$(status_field "$DPID" CapEff)"
    local msgs
    msgs=$(rec event=job.output -f msg)
    grep -qx 'setuid(0) refused' <<<"$msgs" || fail "job: $msgs"
    grep -qx 'setgroups refused' <<<"$msgs" || fail "job: $msgs"
    grep -qx 'setresuid refused' <<<"$msgs" || fail "job: $msgs"
    ! grep -q regained <<<"$msgs" || fail "job: $msgs"
    grep -qx "ids ($NOBODY_UID, $NOBODY_UID, $NOBODY_UID) ($NOBODY_GID, $NOBODY_GID, $NOBODY_GID) \[$NOBODY_GID\]" <<<"$msgs" ||
        fail "job's ids: $msgs"
}

# Promise 3: no file descriptor of the daemon reaches a job, and every fd
# the daemon opens is close-on-exec.
no_fd_leaks() {
    tab app.cron '@reboot echo started; sleep 30'
    # descriptors the daemon inherits, without close-on-exec
    exec 7<app.cron 9>extra.txt
    # every fd this shell has is inherited by the daemon (the harness's
    # too); only the ones it opens itself must be close-on-exec
    local inherited
    # shellcheck disable=SC2012  # fd names are numbers; ls must list its own fds ($BASHPID is ls's pid), as before
    inherited=" $(ls /proc/$BASHPID/fd | tr '\n' ' ') "
    start_daemon -f app.cron
    exec 7<&- 9>&-
    wait_rec 1 4 event=job.output msg=started
    local pid
    pid=$(first_pid app.cron:1)
    # the job's shell and whatever it runs now (sleep)
    local p fds
    for p in "$pid" $(pgrep -P "$pid"); do
        fds=$(find "/proc/$p/fd" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -n | tr '\n' ' ')
        expect_eq "fds of job process $p ($(cat "/proc/$p/comm"))" "0 1 2 " "$fds"
    done
    local fd flags bad=""
    while read -r fd; do
        [ "$fd" -le 2 ] && continue
        [[ "$inherited" == *" $fd "* ]] && continue
        flags=$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$DPID/fdinfo/$fd" 2>/dev/null) || continue
        [ -n "$flags" ] || continue
        (( (8#$flags & 8#2000000) != 0 )) || bad="$bad $fd($(readlink "/proc/$DPID/fd/$fd"))"
    done < <(find "/proc/$DPID/fd" -mindepth 1 -maxdepth 1 -printf '%f\n')
    [ -z "$bad" ] || fail "fds without close-on-exec:$bad"
}

# Promise 4: a crontab writable by others is refused (at start and on
# reload, keeping the old jobs); group-writable is warned about.
writable_crontab_refused() {
    tab bad.cron '* * * * * * * echo bad-ran'
    chmod 666 bad.cron
    tab good.cron '* * * * * * * echo good-ran'
    chmod 664 good.cron
    set +e
    out=$("$CROND_BIN" --check -f bad.cron -f good.cron 2>&1)
    rc=$?
    set -e
    expect_eq "--check status" 1 "$rc"
    grep -q 'bad.cron:.*writable by others' <<<"$out" || fail "--check: $out"
    set +e
    out=$("$CROND_BIN" -f bad.cron 2>&1)
    rc=$?
    set -e
    expect_eq "start status" 1 "$rc"
    ! grep -q bad-ran <<<"$out" || fail "a world-writable crontab ran"
    # on reload: the old jobs stay, the new text is not read
    chmod 644 bad.cron
    start_daemon -f bad.cron -f good.cron
    wait_rec 1 4 event=job.output msg=bad-ran
    rec event=config.error level=warn -f msg | grep -q 'writable by its group' || fail "no group-writable warning"
    printf '%s\n' '* * * * * * * echo injected' >bad.cron
    chmod 666 bad.cron
    wait_rec 1 4 event=config.error 'msg~writable by others'
    local n
    n=$(nrec event=job.output msg=bad-ran)
    sleep 2
    [ "$(nrec event=job.output msg=bad-ran)" -gt "$n" ] || fail "old jobs lost"
    [ "$(nrec event=job.output msg=injected)" -eq 0 ] || fail "the world-writable text ran"
}

# Promise 5: under --clean-env a job's environment is exactly the crontab's
# variables plus HOME, USER, LOGNAME, SHELL and PATH, and the run's own
# CROND_LITE_JOB, _DUE and _RUN (DESIGN section 11: every job has them);
# none of crond-lite's own variables (CROND_LITE_LOG_LEVEL here).
clean_env_is_exact() {
    tab app.cron 'MYVAR=1' '* * * * * * * echo "env=$(tr "\0" "\n" </proc/$$/environ | cut -d= -f1 | sort | tr "\n" " ")"'
    SECRET_TOKEN=hunter2 AWS_SECRET_ACCESS_KEY=x CROND_LITE_LOG_LEVEL=info start_daemon --clean-env -f app.cron
    wait_rec 1 4 event=job.output 'msg~^env='
    expect_eq "the job's variables" \
        "env=CROND_LITE_DUE CROND_LITE_JOB CROND_LITE_RUN HOME LOGNAME MYVAR PATH SHELL USER " \
        "$(rec event=job.output 'msg~^env=' -f msg | head -1)"
    stop_daemon
    # without --clean-env they are inherited: the test can tell the difference
    rm -f out.log
    SECRET_TOKEN=hunter2 start_daemon -f app.cron
    wait_rec 1 4 event=job.output 'msg~^env='
    rec event=job.output 'msg~^env=' -f msg | head -1 | grep -q SECRET_TOKEN || fail "inheritance not seen"
}

# Promise 6: with no_new_privs (--no-new-privs, CROND_LITE_NO_NEW_PRIVS or
# the INI key) no job gains privileges through a setuid program.
no_new_privs_applied() {
    needs_root || { echo "# skipped: needs root (a setuid-root program)"; return 0; }
    make_world_readable
    # a setuid-root copy of id, in a folder on a file system that honours setuid
    cp "$(command -v id)" ./suid-id
    chown 0:0 suid-id
    chmod 4755 suid-id
    findmnt -n -o OPTIONS --target "$PWD" | grep -qw nosuid && { echo "# skipped: $PWD is nosuid"; return 0; }
    tab app.cron "* * * * * * * echo \"euid=\$($PWD/suid-id -u) nnp=\$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' /proc/self/status)\""
    printf '[daemon]\nno_new_privs = true\n' >nnp.ini
    chmod 644 nnp.ini
    local how expected
    for how in none cli env ini; do
        rm -f out.log
        case $how in
            none) start_wrapped setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups -- -f app.cron ;;
            cli) start_wrapped setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups -- --no-new-privs -f app.cron ;;
            env) start_wrapped setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups \
                     env CROND_LITE_NO_NEW_PRIVS=yes -- -f app.cron ;;
            ini) start_wrapped setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups -- -c nnp.ini -f app.cron ;;
        esac
        wait_rec 1 4 event=job.output 'msg~^euid='
        # without the setting, the setuid bit works (the test can fail)
        if [ $how = none ]; then expected="euid=0 nnp=0"; else expected="euid=$NOBODY_UID nnp=1"; fi
        expect_eq "$how" "$expected" "$(rec event=job.output 'msg~^euid=' -f msg | head -1)"
        stop_daemon
    done
}

# Promise 7: crond-lite itself writes nothing to disk: over a run with jobs,
# a reload, a status dump and a stop, its process (not its jobs) opens no file
# for writing and creates, renames or removes nothing.
writes_nothing() {
    command -v strace >/dev/null || fail "strace missing (scripts/install-deps.sh installs it)"
    mkdir -m 755 tabs
    tab tabs/app.cron '* * * * * * * echo tick; echo x >"$HOME/../job-may-write" 2>/dev/null || true'
    # LeakSanitizer cannot work under ptrace (make check-asan): the other
    # tests check leaks
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    # -f is not given: the daemon only, not its jobs
    start_wrapped strace -qq -o trace.txt \
        -e trace=open,openat,openat2,creat,mkdir,mkdirat,unlink,unlinkat,rename,renameat,renameat2,link,linkat,symlink,symlinkat,truncate,ftruncate,chmod,fchmod,fchmodat,chown,fchown,fchownat,lchown,mknod,mknodat -- -f tabs
    wait_rec 2 8 event=job.output msg=tick
    tab tabs/app.cron '* * * * * * * echo tock'
    wait_rec 1 8 event=job.output msg=tock
    # signals go to the daemon, strace's child, not to strace
    local cpid
    cpid=$(pgrep -P "$DPID" -x crond-lite)
    [ -n "$cpid" ] || fail "no daemon under strace"
    local reloads
    reloads=$(nrec event=daemon.reload)
    kill -HUP "$cpid"
    wait_rec $((reloads + 1)) 8 event=daemon.reload
    kill -USR1 "$cpid"
    wait_rec 1 4 event=job.status
    kill -TERM "$cpid"
    wait_exit "$DPID" 10
    expect_eq "exit status" 0 "$DRC"
    [ -s trace.txt ] || fail "strace recorded nothing"
    grep -q 'openat(.*app.cron' trace.txt || fail "the trace misses the crontab's reads"
    local writes
    writes=$(grep -E 'O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|^[0-9 ]*(creat|mkdir|unlink|rename|link|symlink|truncate|ftruncate|chmod|fchmod|chown|fchown|lchown|mknod)' trace.txt |
        grep -v ' = -1 ' || true)
    [ -z "$writes" ] || fail "the daemon wrote: $writes"
}

run_test jobs_run_as_root_only_when_configured root_only_when_said
run_test user_drop_is_complete_and_final user_drop_is_complete
run_test no_fd_leaks_into_jobs no_fd_leaks
run_test crontabs_writable_by_others_refused writable_crontab_refused
run_test clean_env_holds_only_the_contract clean_env_is_exact
run_test no_new_privs_applied_to_jobs no_new_privs_applied
run_test daemon_writes_nothing_to_disk writes_nothing
