# Sourced by tests/e2e/test_daemon*.sh after lib.sh: start crond-lite in the
# background of a test, query its records, wait for them with a bound, and
# leave nothing running when the test ends.
#
#   start_daemon ARGS...          crond-lite ARGS >out.log 2>err.log &  (DPID)
#   start_wrapped CMD... -- ARGS  CMD... crond-lite ARGS (setpriv, env, unshare)
#   rec FILTER... [-f FIELD]...   records of out.log (helpers/records.py)
#   nrec FILTER...                how many records match
#   wait_rec N TIMEOUT FILTER...  until at least N records match (else fail)
#   wait_for_log FILE REGEX TIMEOUT
#   wait_exit PID TIMEOUT         until PID (a child of this shell) exits; DRC
#   stop_daemon [SIG]             SIG (TERM) to the daemon, wait, DRC = status
#
# Every test leaves no process behind: an EXIT trap stops the daemon, then
# SIGKILLs it and every descendant it still has (its jobs and their orphans,
# which it adopts as a subreaper).

RECORDS="$E2E_DIR/helpers/records.py"
# the interpreter itself, not a version manager's shim (much faster to start)
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
DPID=
DRC=
umask 022

export PYTHONIOENCODING=utf-8:surrogateescape
rec() { "$PYTHON" "$RECORDS" out.log "$@"; }
nrec() { "$PYTHON" "$RECORDS" out.log "$@" --count; }

# Shows what the daemon wrote; called when a test fails.
dump_logs() {
    echo "--- out.log (last 25 lines)"
    tail -n 25 out.log 2>/dev/null | cut -c1-300
    if [ -s err.log ]; then echo "--- err.log"; tail -n 10 err.log | cut -c1-300; fi
}

# descendants PID: every process below PID, children before grandchildren.
descendants() {
    local p=$1 kids k
    kids=$(ps -o pid= --ppid "$p" 2>/dev/null || true)
    for k in $kids; do
        echo "$k"
        descendants "$k"
    done
}

kill_tree() {
    local root=$1 _pass p
    kill -STOP "$root" 2>/dev/null || true
    for _pass in 1 2 3; do
        for p in $(descendants "$root"); do kill -KILL "$p" 2>/dev/null || true; done
    done
    kill -KILL "$root" 2>/dev/null || true
    wait "$root" 2>/dev/null || true
}

cleanup_daemon() {
    local rc=$?
    if [ -n "$DPID" ] && [ -e "/proc/$DPID" ] && ! is_dead "$DPID"; then
        kill -TERM "$DPID" 2>/dev/null || true
        wait_exit "$DPID" 1 2>/dev/null || true
    fi
    [ -n "$DPID" ] && kill_tree "$DPID"
    # a sanitizer build (make check-asan) reports to stderr: that fails the test
    # (an EXIT trap runs after run_test's 2>&1: report on stdout, also captured)
    if grep -qE 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:' err.log 2>/dev/null; then
        echo "FAIL: sanitizer report in the daemon's stderr:"
        grep -E -A12 'ERROR: |runtime error:' err.log | head -30
        rc=1
    fi
    [ $rc -eq 0 ] || dump_logs
    exit $rc
}

# is_dead PID: gone, or a zombie waiting for this shell's wait.
is_dead() {
    local st
    st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 0
    [ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ]
}

start_daemon() {
    start_wrapped -- "$@"
}

start_wrapped() {
    local pre=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do pre+=("$1"); shift; done
    shift
    trap cleanup_daemon EXIT
    "${pre[@]}" "$CROND_BIN" "$@" >out.log 2>err.log &
    DPID=$!
}

# Waits until the daemon has written its daemon.start record.
wait_started() {
    wait_rec 1 "${1:-3}" event=daemon.start
}

wait_rec() {
    local n=$1 t=$2 deadline have
    shift 2
    deadline=$(( $(date +%s%N) / 1000000 + ${t%.*} * 1000 ))
    while :; do
        have=$(nrec "$@")
        [ "$have" -ge "$n" ] && return 0
        if [ "$(( $(date +%s%N) / 1000000 ))" -ge "$deadline" ]; then
            fail "waited ${t}s for $n record(s) $*: have $have"
            return 1
        fi
        if [ -n "$DPID" ] && is_dead "$DPID"; then
            # one last look: the record may have been written just before exit
            have=$(nrec "$@")
            [ "$have" -ge "$n" ] && return 0
            fail "daemon exited while waiting for $n record(s) $*: have $have"
            return 1
        fi
        sleep 0.1
    done
}

wait_for_log() {
    local file=$1 re=$2 t=$3 i
    for ((i = 0; i < t * 10; i++)); do
        grep -qE -- "$re" "$file" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "waited ${t}s for /$re/ in $file"
}

wait_exit() {
    local pid=$1 t=$2 i
    for ((i = 0; i < t * 20; i++)); do
        if is_dead "$pid"; then
            DRC=0
            # shellcheck disable=SC2034  # DRC is read by the test scripts that source this file
            wait "$pid" 2>/dev/null || DRC=$?
            return 0
        fi
        sleep 0.05
    done
    fail "process $pid still running after ${t}s"
}

stop_daemon() {
    kill -"${1:-TERM}" "$DPID"
    wait_exit "$DPID" "${2:-5}"
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# first_pid JOB: pid of the job's first run.
first_pid() { rec event=job.start job="$1" -f pid | head -1; }

# msgs JOB PID [STREAM]: what that run wrote, one msg a line.
msgs() {
    if [ $# -ge 3 ]; then
        rec event=job.output job="$1" pid="$2" stream="$3" -f msg
    else
        rec event=job.output job="$1" pid="$2" -f msg
    fi
}

# pgroup_alive PGID: some process of that process group still exists (not a zombie).
pgroup_alive() {
    local p st
    for p in $(pgrep -g "$1" 2>/dev/null); do
        st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$p/status" 2>/dev/null) || continue
        [ -n "$st" ] && [ "$st" != Z ] && return 0
    done
    return 1
}

# A shared, world-readable directory for daemons that run as another user
# (the test's own temp dir is mode 700).
make_world_readable() {
    chmod 755 "$PWD"
    touch out.log err.log
    # The binary may sit in a checkout another user cannot enter (CI clones
    # into a 0700 temporary folder): run a copy from this folder instead.
    cp "$CROND_BIN" ./crond-lite
    chmod 755 ./crond-lite
    CROND_BIN=$PWD/crond-lite
}
