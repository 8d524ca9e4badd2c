#!/usr/bin/env bash
# End-to-end tests of the users the daemon and its jobs run as (DESIGN.md
# section 4): unprivileged, a uid without passwd entry (OpenShift), and
# --user dropping root. These need root to start the daemon as someone else.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"

NOBODY_UID=$(id -u nobody 2>/dev/null || echo 65534)
NOBODY_GID=$(id -g nobody 2>/dev/null || echo 65534)
NOBODY_HOME=$(getent passwd nobody | cut -d: -f6)
ORPHAN_UID=12345

needs_root() {
    [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null
}

# The crontab of these tests, readable by every user.
who_tab() {
    make_world_readable
    mkdir -m 755 tabs
    cat >tabs/app.cron <<'EOF'
* * * * * * * echo "uid=$(id -u) gid=$(id -g) groups=$(id -G) user=$USER logname=$LOGNAME home=$HOME"; echo "pwd=$(pwd)"
EOF
    chmod 644 tabs/app.cron
}

# first_msgs JOB [N]: the output (N lines, default 2) of the job's first run, on one line.
first_msgs() {
    local p
    wait_rec 1 4 event=job.exit job="$1"
    p=$(first_pid "$1")
    wait_rec "${2:-2}" 2 event=job.output pid="$p"
    msgs "$1" "$p" | tr '\n' ' ' | sed 's/ $//'
}

unprivileged_user() {
    needs_root || { echo "# skipped: needs root and setpriv"; return 0; }
    who_tab
    start_wrapped setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups \
        env -u HOME -u USER -u LOGNAME -- -f tabs
    local out
    out=$(first_msgs app.cron:1)
    [[ "$out" == "uid=$NOBODY_UID gid=$NOBODY_GID groups=$NOBODY_GID user=nobody logname=nobody home=$NOBODY_HOME pwd="* ]] ||
        fail "job's view: '$out'"
    expect_eq "daemon.start user uid" "nobody	$NOBODY_UID" "$(rec event=daemon.start -f user -f uid)"
}

# OpenShift: a uid without passwd entry. USER is the number, HOME and the
# working directory "/".
uid_without_passwd_entry() {
    needs_root || { echo "# skipped: needs root and setpriv"; return 0; }
    ! getent passwd "$ORPHAN_UID" >/dev/null || { echo "# skipped: uid $ORPHAN_UID has a passwd entry"; return 0; }
    who_tab
    start_wrapped setpriv --reuid="$ORPHAN_UID" --regid="$ORPHAN_UID" --clear-groups \
        env -u HOME -u USER -u LOGNAME -- -f tabs
    expect_eq "job's view" \
        "uid=$ORPHAN_UID gid=$ORPHAN_UID groups=$ORPHAN_UID user=$ORPHAN_UID logname=$ORPHAN_UID home=/ pwd=/" \
        "$(first_msgs app.cron:1)"
    expect_eq "daemon.start user uid" "$ORPHAN_UID	$ORPHAN_UID" "$(rec event=daemon.start -f user -f uid)"
}

# The same uid with USER and HOME in the environment (as OpenShift images set
# them): those are the user's name and home.
uid_without_passwd_entry_env() {
    needs_root || { echo "# skipped: needs root and setpriv"; return 0; }
    ! getent passwd "$ORPHAN_UID" >/dev/null || { echo "# skipped: uid $ORPHAN_UID has a passwd entry"; return 0; }
    who_tab
    start_wrapped setpriv --reuid="$ORPHAN_UID" --regid="$ORPHAN_UID" --clear-groups \
        env -u LOGNAME USER=app HOME=/tmp -- -f tabs
    expect_eq "job's view" \
        "uid=$ORPHAN_UID gid=$ORPHAN_UID groups=$ORPHAN_UID user=app logname=app home=/tmp pwd=/tmp" \
        "$(first_msgs app.cron:1)"
    expect_eq "daemon.start user" "app" "$(rec event=daemon.start -f user)"
}

# Started as root with -u nobody: the daemon and its jobs run as nobody,
# with nobody's group only.
user_option_drops_root() {
    needs_root || { echo "# skipped: needs root"; return 0; }
    who_tab
    start_wrapped env -u HOME -u USER -u LOGNAME -- -u nobody -f tabs
    local out
    out=$(first_msgs app.cron:1)
    [[ "$out" == "uid=$NOBODY_UID gid=$NOBODY_GID groups=$NOBODY_GID user=nobody logname=nobody home=$NOBODY_HOME pwd="* ]] ||
        fail "job's view: '$out'"
    expect_eq "daemon.start user uid" "nobody	$NOBODY_UID" "$(rec event=daemon.start -f user -f uid)"
    expect_eq "daemon's uids" "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" \
        "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$DPID/status")"
    expect_eq "daemon's groups" "$NOBODY_GID" "$(awk '/^Groups:/ { print $2 $3 }' "/proc/$DPID/status")"
}

# -u with numeric ids that have no passwd or group entry.
user_option_numeric() {
    needs_root || { echo "# skipped: needs root"; return 0; }
    ! getent passwd "$ORPHAN_UID" >/dev/null || { echo "# skipped: uid $ORPHAN_UID has a passwd entry"; return 0; }
    who_tab
    start_wrapped env -u HOME -u USER -u LOGNAME -- -u "$ORPHAN_UID:$ORPHAN_UID" -f tabs
    expect_eq "job's view" \
        "uid=$ORPHAN_UID gid=$ORPHAN_UID groups=$ORPHAN_UID user=$ORPHAN_UID logname=$ORPHAN_UID home=/ pwd=/" \
        "$(first_msgs app.cron:1)"
}

# As root with --system: each job runs as its user column.
system_user_column() {
    needs_root || { echo "# skipped: needs root"; return 0; }
    make_world_readable
    mkdir -m 755 tabs
    printf '%s\n' '* * * * * * * nobody echo "uid=$(id -u) gid=$(id -g) groups=$(id -G) user=$USER logname=$LOGNAME"' \
        '* * * * * * * root echo "uid=$(id -u)"' >tabs/system
    start_wrapped env -u HOME -u USER -u LOGNAME -- --system -f tabs
    expect_eq "nobody's job" "uid=$NOBODY_UID gid=$NOBODY_GID groups=$NOBODY_GID user=nobody logname=nobody" \
        "$(first_msgs system:1 1)"
    expect_eq "root's job" "uid=0" "$(first_msgs system:2 1)"
}

# Unprivileged with --system: a line naming another user is an error for
# that line, never run.
system_other_user_unprivileged() {
    needs_root || { echo "# skipped: needs root and setpriv"; return 0; }
    make_world_readable
    mkdir -m 755 tabs
    printf '%s\n' '* * * * * * * root echo "as-root uid=$(id -u)"' '* * * * * * * nobody echo "as-self uid=$(id -u)"' >tabs/system
    start_wrapped setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups -- --system -f tabs
    sleep 2.2
    cat out.log err.log >all.log
    "$PYTHON" "$RECORDS" all.log --lenient event=config.error -f file -f line -f msg | grep -qE $'^(.*/)?system\t1\t' ||
        fail "no config.error for line 1: $(head -5 all.log)"
    expect_eq "runs of root's line" 0 "$("$PYTHON" "$RECORDS" all.log --lenient event=job.start job=system:1 --count)"
    if grep -q 'as-root' all.log; then fail "root's line ran"; fi
}

# As root, a file named after a user in a crontab directory runs as that user.
per_user_file() {
    needs_root || { echo "# skipped: needs root"; return 0; }
    make_world_readable
    mkdir -m 755 tabs
    echo '* * * * * * * echo "uid=$(id -u) user=$USER"' >tabs/nobody
    start_wrapped env -u HOME -u USER -u LOGNAME -- -f tabs
    expect_eq "nobody's file" "uid=$NOBODY_UID user=nobody" "$(first_msgs nobody:1 1)"
}

# As root, jobs left to run as root are warned about at start.
root_warning() {
    needs_root || { echo "# skipped: needs root"; return 0; }
    mkdir tabs
    echo '* * * * * * * true' >tabs/app.cron
    start_daemon -f tabs
    wait_started
    wait_rec 1 2 level=warn
    rec level=warn | grep -q root || fail "warning does not mention root: $(rec level=warn)"
}

run_test "unprivileged (nobody): jobs run as nobody" unprivileged_user
run_test "uid without passwd entry: USER is the number, HOME /" uid_without_passwd_entry
run_test "uid without passwd entry: USER and HOME from the environment" uid_without_passwd_entry_env
run_test "--user nobody drops root" user_option_drops_root
run_test "--user UID:GID without entries" user_option_numeric
run_test "--system: each job runs as its user column" system_user_column
run_test "--system unprivileged: another user's line is an error" system_other_user_unprivileged
run_test "a crontab file named after a user runs as that user" per_user_file
run_test "jobs left to run as root are warned about" root_warning
