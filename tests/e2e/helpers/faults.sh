# Sourced by tests/e2e/test_faults*.sh after lib.sh and helpers/daemon.sh.
#
#   needs_root_tools TOOL...   root and TOOLs, else "# skipped" and status 1
#   need_tools TOOL...         TOOLs, else "# skipped" and status 1
#   is_asan                    $CROND_BIN is a sanitizer build
#   cpu_ticks PID              utime + stime of PID, in clock ticks
#   cpu_bound TICKS            TICKS, tripled for a sanitizer build
#   status_kb PID FIELD        a kB field of /proc/PID/status (VmRSS, VmHWM)
#   every_second JOB T0 T1     one job.start of JOB in each whole second
#                              strictly between T0 and T1 (ms)
#   daemon_alive               the daemon still runs
#   no_zombies ROOT            no zombie below ROOT (seen twice, 300 ms apart)
#   start_piped "READER" -- ARGS
#                              crond-lite ARGS 2>err.log | READER (DPID: the
#                              daemon; READER writes out.log itself)
#   fd_count PID, fd_list PID  open fds of PID: how many, which
#   wait_quiet_fds N           until the daemon has N open fds (5 s)
#   due_in N                  the second of the minute N s from now
#   count EVENT [REGEX]        records of EVENT in out.log (grep: fast)
#   wait_count N SECONDS EVENT [REGEX]
#   write_jobs N LINE          N copies of LINE on stdout
#   figure TEXT                "# TEXT" on the script's stdout, also when the
#                              test passes (run_test shows a test's output
#                              only when it fails), and in the test's output

PROCTREE="$E2E_DIR/helpers/proctree.py"
# the script's own stdout, for figure (run_test captures the test's)
exec {FIGURE_FD}>&1
# A uid with no passwd entry and no process, for RLIMIT_NPROC (which counts
# every process of the real uid system-wide).
# shellcheck disable=SC2034  # used by the test scripts that source this file
NPROC_UID=23456

need_tools() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null || { echo "# skipped: needs $t"; return 1; }
    done
}

needs_root_tools() {
    [ "$(id -u)" = 0 ] || { echo "# skipped: needs root"; return 1; }
    need_tools "$@"
}

is_asan() {
    ldd "$CROND_BIN" 2>/dev/null | grep -q 'libasan' ||
        grep -qa '__asan_init' "$CROND_BIN" 2>/dev/null
}

cpu_ticks() {
    local s
    s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return 0; }
    s=${s##*) }
    # fields after the comm: state is 1, utime 12, stime 13
    awk '{ print $12 + $13 }' <<<"$s"
}

cpu_bound() {
    if is_asan; then echo $(($1 * 3)); else echo "$1"; fi
}

status_kb() {
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

every_second() {
    rec event=job.start job="$1" -f _ms | awk -v j="$1" -v a="$2" -v b="$3" '
        { c[int($1 / 1000)]++ }
        END {
            for (s = int(a / 1000) + 1; s < int(b / 1000); s++) {
                n++
                if (c[s] != 1) { print "FAIL: " j ": " c[s] + 0 " job.start in second " s " (" s - int(a / 1000) " s after the start of the window)"; bad = 1 }
            }
            if (n < 2) { print "FAIL: " j ": window of " n " s is too short to check"; bad = 1 }
            exit bad
        }'
}

daemon_alive() {
    ! is_dead "$DPID" || fail "the daemon is gone (status: $(wait "$DPID"; echo $?))"
}

no_zombies() {
    local z z2
    z=$("$PYTHON" "$PROCTREE" "$1" | awk '$3 == "Z" { print $1 }')
    [ -n "$z" ] || return 0
    sleep 0.3
    z2=$("$PYTHON" "$PROCTREE" "$1" | awk '$3 == "Z" { print $1 }' | grep -xF "$z" || true)
    [ -z "$z2" ] || fail "zombies below $1: $(echo "$z2" | xargs)"
}

start_piped() {
    local reader=$1
    shift 2
    trap cleanup_daemon EXIT
    : >out.log
    # shellcheck disable=SC2086 # the reader is a command line
    "$CROND_BIN" "$@" 2>err.log > >(exec $reader) &
    DPID=$!
}

fd_count() {
    find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l
}

fd_list() {
    find "/proc/$1/fd" -mindepth 1 -maxdepth 1 -printf '%f->%l\n' 2>/dev/null | sort -n | xargs
}

wait_quiet_fds() {
    local i n
    for ((i = 0; i < 50; i++)); do
        n=$(fd_count "$DPID")
        [ "$n" -le "$1" ] && return 0
        sleep 0.1
    done
    fail "the daemon holds $n fds, $1 at start: $(fd_list "$DPID")"
}

figure() {
    echo "# $*"
    echo "# $*" >&"$FIGURE_FD"
}

# due_in N: the second-of-minute N seconds from now (a 7-field schedule's
# first field that fires once in the next minute).
due_in() {
    echo $(( ($(date +%s) + $1) % 60 ))
}

# count EVENT [REGEX]: records of EVENT in out.log (grep: fast on big logs).
count() {
    local n
    n=$(grep -c -- "event=$1${2:+.*$2}" out.log 2>/dev/null)
    echo "${n:-0}"
}

# wait_count N SECONDS EVENT [REGEX]: until count EVENT REGEX >= N.
wait_count() {
    local n=$1 t=$2 i have
    shift 2
    for ((i = 0; i < t * 20; i++)); do
        have=$(count "$@")
        [ "$have" -ge "$n" ] && return 0
        sleep 0.05
    done
    fail "waited ${t}s for $n $* records: have $have"
}

# write_jobs N LINE > FILE: N copies of LINE.
write_jobs() {
    local n=$1 line=$2
    awk -v n="$n" -v l="$line" 'BEGIN { for (i = 0; i < n; i++) print l }'
}
