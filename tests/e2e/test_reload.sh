#!/usr/bin/env bash
# End-to-end tests of reloading: every way a crontab gets changed in
# practice (editor save by rename, cp over, sed -i, files added and removed
# in a directory, a Kubernetes ConfigMap update, SIGHUP), invalid edits, and
# the INI file's jobs (timeout) and errors. The contract is DESIGN.md
# sections 5 and 6 and the README's "Signals".
#
# Each reload scenario checks the same things:
#   - the new job runs;
#   - the removed job stops being scheduled (no start after the reload);
#   - an invalid edit keeps the old jobs (config.error with file, line,
#     column; the old jobs keep running; the edit's new valid lines don't);
#   - with KEEP (the editor save and directory scenarios; the other ways of
#     changing a file differ only in how the change is seen): an unchanged
#     job that is running is not disturbed: the same process keeps running,
#     no second job.start for it while it runs, and its job.exit comes
#     normally (status 0, its last line printed). What a reload does to the
#     table itself is unit-tested (tests/unit/test_jobtab.c).
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"

# The unchanged job runs 3 s (every second, overlap skip: one at a time).
KEEP_CMD='echo keep-start; sleep 3; echo keep-end'
KEEP="* * * * * * * $KEEP_CMD"
OLD='* * * * * * * echo old'
NEW='* * * * * * * echo new'
NEVER='* * * * * * * echo never'
BAD='0 0 32 * * echo bad' # column 5: day of month 32 out of range 1-31
OLD_CMD='echo old'         # the removed job's command (a test may change it)

# write_file PATH LINE...: the lines as the file's whole content.
write_file() {
    local f=$1
    shift
    printf '%s\n' "$@" >"$f"
}

# without_keep: this scenario has no unchanged running job (KEEP is a
# comment line); the jobs/kept counts of daemon.reload are one less.
without_keep() {
    KEEP='# nothing kept'
    NOKEEP=1
}
NOKEEP=

# before_edit: waits until the unchanged job runs (KP: its pid) and the old
# job has run; the edit must come while KP runs (it runs 3 s).
before_edit() {
    if [ -z "$NOKEEP" ]; then
        wait_rec 1 4 event=job.output msg=keep-start
        KP=$(rec event=job.output msg=keep-start -f pid | head -1)
    fi
    wait_rec 1 3 event=job.start cmd="$OLD_CMD"
    NRELOAD=$(nrec event=daemon.reload)
}

# after_valid_edit [FILTER...]: the checks after a valid edit that replaced
# OLD by NEW; FILTER... what the daemon.reload record must also match.
after_valid_edit() {
    wait_rec 1 4 event=job.output msg=new
    wait_rec $((NRELOAD + 1)) 2 event=daemon.reload
    local t_reload t_exit late
    t_reload=$(rec event=daemon.reload -f _ms | sed -n "$((NRELOAD + 1))p")
    [ $# -eq 0 ] || [ "$(nrec event=daemon.reload "$@")" -ge 1 ] ||
        fail "no daemon.reload record with $*: $(rec event=daemon.reload)"
    late=$(rec event=job.start cmd="$OLD_CMD" -f _ms -f time | awk -v t="$t_reload" '$1 > t { print $2 }')
    expect_eq "starts of the removed job after the reload" "" "$late"
    [ -z "$NOKEEP" ] || return 0
    # not "is KP still alive now": under load the reload can come late
    # in KP's 3 s. Its exit record shows whether the reload ended it.
    wait_rec 1 4 event=job.exit pid="$KP"
    expect_eq "the unchanged job's run ended normally" "0 keep-end" \
        "$(rec event=job.exit pid="$KP" -f status) $(rec event=job.output pid="$KP" -f msg | tail -1)"
    local d
    d=$(rec event=job.exit pid="$KP" -f duration_ms)
    [ "$d" -ge 2900 ] || fail "the unchanged job's run lasted $d ms, not 3 s"
    t_exit=$(rec event=job.exit pid="$KP" -f _ms)
    expect_eq "starts of the unchanged job while it ran" "$KP" \
        "$(rec event=job.start cmd="$KEEP_CMD" -f _ms -f pid | awk -v e="$t_exit" '$1 <= e { print $2 }' | xargs)"
    # the unchanged job is still scheduled: it runs again after its run ends
    wait_rec 2 3 event=job.start cmd="$KEEP_CMD"
}

# after_invalid_edit FILE_RE LINE: the edit added NEVER and, at LINE, BAD.
after_invalid_edit() {
    wait_rec 1 4 event=config.error level=error line="$2"
    local e nn nk
    e=$(rec event=config.error level=error line="$2" -f file -f line -f col -f msg | head -1)
    grep -qE "^$1"$'\t'"$2"$'\t5\tday of month 32 out of range 1-31$' <<<"$e" ||
        fail "config.error: '$e'"
    wait_rec $((NRELOAD + 2)) 2 event=daemon.reload
    nn=$(nrec event=job.start cmd="echo new")
    nk=$(nrec event=job.start cmd="$KEEP_CMD")
    wait_rec $((nn + 2)) 4 event=job.start cmd="echo new"
    # the unchanged job's next run (it runs 3 s, then one more second)
    [ -n "$NOKEEP" ] || wait_rec $((nk + 1)) 5 event=job.start cmd="$KEEP_CMD"
    expect_eq "runs of the invalid file's new line" 0 "$(nrec event=job.start cmd="echo never")"
}

# Editor save: the new content goes to a temporary file, renamed over the
# crontab (vim, emacs, VS Code, Ansible). A single file given to -f, saved
# twice (the second time invalid): the daemon must follow the name, not the
# first inode. The edit also moves the unchanged job down a line (kept:
# same file, schedule, command...; the line does not count).
reload_editor_rename() {
    write_file app.cron "$KEEP" "$OLD"
    start_daemon -f app.cron
    before_edit
    write_file .app.cron.swp '# saved by an editor' "$KEEP" "$NEW"
    mv .app.cron.swp app.cron
    after_valid_edit jobs=2 added=1 removed=1 kept=1
    write_file .app.cron.swp '# saved by an editor' "$KEEP" "$NEW" "$NEVER" "$BAD"
    mv .app.cron.swp app.cron
    after_invalid_edit '(.*/)?app\.cron' 5
}

# cp over the file: truncated and rewritten in place (same inode). A copy
# of identical content changes the file's stat data but no job: no
# daemon.reload record and nothing disturbed.
reload_cp_over() {
    without_keep
    write_file app.cron "$KEEP" "$OLD"
    write_file v1 "$KEEP" "$OLD"
    write_file v2 "$KEEP" "$NEW"
    write_file v3 "$KEEP" "$NEW" "$NEVER" "$BAD"
    start_daemon -f app.cron
    before_edit
    sleep 0.05
    cp v1 app.cron
    sleep 0.8
    expect_eq "daemon.reload records after copying the same content" "$NRELOAD" "$(nrec event=daemon.reload)"
    cp v2 app.cron
    after_valid_edit jobs=1 added=1 removed=1 kept=0
    cp v3 app.cron
    after_invalid_edit '(.*/)?app\.cron' 4
}

# sed -i in a crontab directory: GNU sed writes a temporary file (sedXXXXXX)
# in the same directory and renames it over the crontab.
reload_sed_inplace() {
    without_keep
    mkdir tabs
    write_file tabs/app.cron "$KEEP" "$OLD"
    start_daemon -f tabs
    before_edit
    sed -i 's/echo old$/echo new/' tabs/app.cron
    after_valid_edit jobs=1 added=1 removed=1 kept=0
    sed -i -e "\$a $NEVER" -e "\$a $BAD" tabs/app.cron
    after_invalid_edit '(.*/)?app\.cron' 4
    expect_eq "files left in tabs" app.cron "$(find tabs -mindepth 1 -printf '%f\n' | xargs)"
}

# A crontab directory: a file created in it is read, a removed file's jobs
# are unloaded (its running process is left to finish), names the loader
# skips stay skipped; a file made invalid keeps its jobs while a file added
# at the same time is read.
reload_directory_add_remove() {
    mkdir tabs
    write_file tabs/keep.cron "$KEEP"
    OLD_CMD='echo old; sleep 2; echo old-end'
    write_file tabs/old.cron "* * * * * * * $OLD_CMD"
    start_daemon -f tabs
    before_edit
    local op
    op=$(rec event=job.start cmd="$OLD_CMD" -f pid | tail -1)
    write_file tabs/new.cron "$NEW"
    rm tabs/old.cron
    local skipped
    for skipped in .hidden new.cron~ new.cron.swp new.cron.dpkg-new new.cron.rpmsave; do
        write_file "tabs/$skipped" "* * * * * * * echo skipped $skipped"
    done
    after_valid_edit jobs=2 added=1 removed=1 kept=1
    # the removed job's running process was left to finish
    wait_rec 1 3 event=job.exit pid="$op"
    expect_eq "the removed job's last run" "0 old-end" \
        "$(rec event=job.exit pid="$op" -f status) $(rec event=job.output pid="$op" -f msg | tail -1)"
    expect_eq "job.kill of the removed job" 0 "$(nrec event=job.kill pid="$op")"
    expect_eq "runs of skipped names" "" "$(rec event=job.output msg~'^skipped' -f msg | sort -u)"
    write_file tabs/new.cron "$NEW" "$NEVER" "$BAD"
    write_file tabs/other.cron '* * * * * * * echo other'
    after_invalid_edit '(.*/)?new\.cron' 3
    wait_rec 1 3 event=job.output msg=other
}

# A Kubernetes ConfigMap volume, updated exactly as the kubelet does it
# (AtomicWriter): the visible names are symlinks NAME -> ..data/NAME,
# ..data -> ..TIMESTAMP; an update writes a new ..TIMESTAMP directory,
# points ..data_tmp at it, renames ..data_tmp over ..data (atomic), adds
# symlinks for new keys, removes symlinks of keys gone, deletes the old
# directory.
cm_init() {   # cm_init DIR: first version, key app.cron
    mkdir -p "$1/..2026_12_01_00_00_00.123"
    write_file "$1/..2026_12_01_00_00_00.123/app.cron" "$KEEP" "$OLD"
    ln -s ..2026_12_01_00_00_00.123 "$1/..data"
    ln -s ..data/app.cron "$1/app.cron"
}
cm_update() { # cm_update DIR STAMP KEY=CONTENT-FILE...: new version with these keys
    local dir=$1 stamp=$2 old kv key
    shift 2
    old=$(readlink "$dir/..data")
    mkdir "$dir/..$stamp"
    for kv in "$@"; do
        cp "${kv#*=}" "$dir/..$stamp/${kv%%=*}"
    done
    chmod 0755 "$dir/..$stamp"
    ln -s "..$stamp" "$dir/..data_tmp"
    mv -T "$dir/..data_tmp" "$dir/..data"
    for kv in "$@"; do
        key=${kv%%=*}
        [ -L "$dir/$key" ] || ln -s "..data/$key" "$dir/$key"
    done
    for key in "$dir"/*; do
        key=${key##*/}
        [ -e "$dir/..data/$key" ] || rm "$dir/$key"
    done
    rm -rf "${dir:?}/$old"
}

reload_configmap() {
    without_keep
    cm_init cm
    write_file v2 "$KEEP" "$NEW"
    write_file extra '* * * * * * * echo extra'
    write_file v3 "$KEEP" "$NEW" "$NEVER" "$BAD"
    start_daemon -f cm
    before_edit
    cm_update cm 2026_12_01_00_01_00.456 app.cron=v2 extra.cron=extra
    after_valid_edit jobs=2 added=2 removed=1 kept=0
    wait_rec 1 2 event=job.output msg=extra
    cm_update cm 2026_12_01_00_02_00.789 app.cron=v3
    after_invalid_edit '(.*/)?app\.cron' 4
    # the key removed from the ConfigMap took its job with it
    local n
    n=$(nrec event=job.start cmd="echo extra")
    sleep 1.5
    expect_eq "runs of the removed key's job" "$n" "$(nrec event=job.start cmd="echo extra")"
}

# The same, with -f naming the ConfigMap's file (a symlink into ..data).
reload_configmap_file() {
    without_keep
    cm_init cm
    write_file v2 "$KEEP" "$NEW"
    write_file v3 "$KEEP" "$NEW" "$NEVER" "$BAD"
    start_daemon -f cm/app.cron
    before_edit
    cm_update cm 2026_12_01_00_01_00.456 app.cron=v2
    after_valid_edit jobs=1 added=1 removed=1 kept=0
    cm_update cm 2026_12_01_00_02_00.789 app.cron=v3
    after_invalid_edit '(.*/)?app\.cron' 4
}

# SIGHUP (with --no-reload, the only trigger): a changed file applies only
# then; daemon.reload is always logged, also when nothing changed.
reload_sighup() {
    without_keep
    mkdir tabs
    write_file tabs/app.cron "$KEEP" "$OLD"
    start_daemon --no-reload -f tabs
    before_edit
    write_file tabs/app.cron "$KEEP" "$NEW"
    sleep 0.6
    expect_eq "runs of the new job before SIGHUP" 0 "$(nrec event=job.start cmd="echo new")"
    kill -HUP "$DPID"
    after_valid_edit jobs=1 added=1 removed=1 kept=0
    kill -HUP "$DPID"
    wait_rec 1 2 event=daemon.reload jobs=1 added=0 removed=0 kept=1
    NRELOAD=$(nrec event=daemon.reload)
    NRELOAD=$((NRELOAD - 1))
    write_file tabs/app.cron "$KEEP" "$NEW" "$NEVER" "$BAD"
    sleep 0.6
    expect_eq "config.error before SIGHUP" 0 "$(nrec event=config.error level=error)"
    kill -HUP "$DPID"
    after_invalid_edit '(.*/)?app\.cron' 4
}

# An invalid edit reports every problem (file, line, column, what was
# expected) and keeps the file's old jobs; a later valid edit applies.
reload_invalid_edit() {
    mkdir tabs
    write_file tabs/app.cron "$OLD"
    start_daemon -f tabs
    wait_rec 1 3 event=job.start cmd="echo old"
    write_file tabs/app.cron "$NEW" '61 * * * * echo bad minute' '* * * * mon-xyz echo bad weekday' '*/0 * * * * * * echo bad step'
    wait_rec 3 4 event=config.error level=error
    local errs n
    errs=$(rec event=config.error level=error -f file -f line -f col -f msg)
    grep -qE $'^(.*/)?app\\.cron\t2\t1\tminute 61 out of range 0-59' <<<"$errs" || fail "line 2: '$errs'"
    grep -qE $'^(.*/)?app\\.cron\t3\t(5|9|13)\t' <<<"$errs" || fail "line 3: '$errs'"
    grep -qE $'^(.*/)?app\\.cron\t4\t(1|3)\t' <<<"$errs" || fail "line 4: '$errs'"
    n=$(nrec event=job.start cmd="echo old")
    wait_rec $((n + 2)) 3 event=job.start cmd="echo old"
    expect_eq "runs of the invalid file's new job" 0 "$(nrec event=job.start cmd="echo new")"
    write_file tabs/app.cron "$NEW"
    wait_rec 1 4 event=job.start cmd="echo new"
    wait_rec 1 1 event=daemon.reload added=1 removed=1
    local t
    t=$(rec event=daemon.reload added=1 removed=1 -f _ms | tail -1)
    expect_eq "starts of the old job after the valid edit" "" \
        "$(sleep 1.2; rec event=job.start cmd="echo old" -f _ms | awk -v t="$t" '$1 > t')"
}

# An INI job with a timeout: SIGTERM when it is over (job.kill
# reason=timeout), the job's trap runs and it exits; a job that ignores
# SIGTERM is SIGKILLed after --grace. The job's id is its name; its shell,
# workdir and env.NAME keys apply.
ini_timeout() {
    mkdir tabs
    write_file crond.ini '[daemon]' "crontabs = $PWD/tabs" 'grace = 1s' '' \
        '[job "polite"]' 'schedule = * * * * * * *' \
        "command = trap 'echo got TERM; exit 7' TERM; echo ready; sleep 30 & wait" 'timeout = 1s' '' \
        '[job "stubborn"]' 'schedule = * * * * * * *' \
        "command = trap '' TERM; echo ready; sleep 30; echo not reached" 'timeout = 500ms' '' \
        '[job "settings"]' 'schedule = * * * * * * *' 'command = echo "$GREETING|$PWD|${BASH_VERSION:+bash}"' \
        'env.GREETING = hello there' 'workdir = /tmp' 'shell = /bin/bash'
    start_daemon -c crond.ini
    wait_rec 1 4 event=job.output job=polite msg=ready
    local p s
    p=$(first_pid polite)
    s=$(first_pid stubborn)
    wait_rec 1 3 event=job.exit pid="$p"
    expect_eq "polite: job.kill" "SIGTERM timeout" "$(rec event=job.kill pid="$p" -f signal -f reason | tr '\t' ' ')"
    expect_eq "polite: trap output" "got TERM" "$(rec event=job.output pid="$p" -f msg | tail -1)"
    expect_eq "polite: exit status" 7 "$(rec event=job.exit pid="$p" -f status)"
    local d
    d=$(rec event=job.exit pid="$p" -f duration_ms)
    { [ "$d" -ge 900 ] && [ "$d" -lt 1500 ]; } || fail "polite ran $d ms with a 1 s timeout"
    wait_rec 1 3 event=job.exit pid="$s"
    expect_eq "stubborn: job.kill signals" "SIGTERM SIGKILL" "$(rec event=job.kill pid="$s" -f signal | xargs)"
    expect_eq "stubborn: SIGTERM reason" timeout "$(rec event=job.kill pid="$s" signal=SIGTERM -f reason)"
    expect_eq "stubborn: exit" SIGKILL "$(rec event=job.exit pid="$s" -f signal)"
    d=$(rec event=job.exit pid="$s" -f duration_ms)
    { [ "$d" -ge 1400 ] && [ "$d" -lt 2100 ]; } || fail "stubborn ran $d ms (500 ms timeout + 1 s grace)"
    expect_eq "stubborn: output" ready "$(rec event=job.output pid="$s" -f msg | xargs)"
    wait_rec 1 2 event=job.output job=settings
    expect_eq "settings: env, workdir, shell" "hello there|/tmp|bash" "$(rec event=job.output job=settings -f msg | head -1)"
}

# INI errors: unknown key, bad duration, duplicate job name (and an unknown
# section): --check prints FILE:LINE:0: msg for each and exits 1; the daemon
# logs a config.error for each and exits 1 without running anything.
ini_errors() {
    mkdir tabs
    write_file tabs/app.cron '* * * * * * * echo tab'
    write_file crond.ini '[daemon]' "crontabs = $PWD/tabs" 'colour = red' '' \
        '[job "a"]' 'schedule = * * * * * * *' 'command = echo a' 'timeout = 5 parsecs' '' \
        '[job "a"]' 'schedule = * * * * * * *' 'command = echo again' '' \
        '[jobs]' 'x = 1'
    local out rc=0
    out=$("$CROND_BIN" --check -c crond.ini 2>&1) || rc=$?
    expect_eq "--check exit status" 1 "$rc"
    grep -qE "^crond\.ini:3:0: .*colour" <<<"$out" || fail "unknown key: $out"
    grep -qE "^crond\.ini:8:0: .*(duration|timeout)" <<<"$out" || fail "bad duration: $out"
    grep -qE "^crond\.ini:10:0: .*duplicate.*\ba\b" <<<"$out" || fail "duplicate job: $out"
    grep -qE "^crond\.ini:14:0: .*jobs" <<<"$out" || fail "unknown section: $out"
    start_daemon -c crond.ini
    wait_exit "$DPID" 3
    expect_eq "daemon exit status" 1 "$DRC"
    local errs
    errs=$("$PYTHON" "$RECORDS" out.log --lenient event=config.error file=crond.ini -f line -f col | tr '\t' ':' | xargs)
    expect_eq "config.error records (line:col)" "3:0 8:0 10:0 14:0" "$errs"
    expect_eq "jobs started" 0 "$("$PYTHON" "$RECORDS" out.log --lenient event=job.start --count)"
    # the same file, fixed, checks clean
    write_file crond.ini '[daemon]' "crontabs = $PWD/tabs" '' '[job "a"]' 'schedule = * * * * * * *' \
        'command = echo a' 'timeout = 5s'
    out=$("$CROND_BIN" --check -c crond.ini 2>&1) || fail "--check of the fixed file: $out"
}

run_test "editor save (rename over a -f file), twice: reloaded, running job kept" reload_editor_rename
run_test "cp over the file: reloaded; same content: no reload" reload_cp_over
run_test "sed -i in a crontab directory: reloaded" reload_sed_inplace
run_test "directory: file added read, file removed unloaded (its run finishes)" reload_directory_add_remove
run_test "Kubernetes ConfigMap update (kubelet's ..data swap), directory" reload_configmap
run_test "Kubernetes ConfigMap update, -f naming the file" reload_configmap_file
run_test "SIGHUP (--no-reload): reloaded, always logged" reload_sighup
run_test "invalid edit: every problem with line/col, old jobs kept" reload_invalid_edit
run_test "INI job timeout: SIGTERM (trap runs), SIGKILL after --grace" ini_timeout
run_test "INI errors: --check FILE:LINE:0 lines, daemon exits 1" ini_errors
