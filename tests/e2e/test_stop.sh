#!/usr/bin/env bash
# End-to-end tests of a stop: when crond-lite exits after SIGTERM, nothing of
# the jobs it started is left. Before it exits it must have signalled every
# job's process group it started (also one being started as the signal
# arrives), given them the grace, SIGKILLed what remained and reaped until no
# child was left, as a child subreaper and as PID 1 (DESIGN.md section 5,
# README "Signals"). Seen in long runs on a loaded machine: a process of a
# killed job's group still existed 0.3-0.5 s after crond-lite had exited,
# once mid-burst and once at grace expiry; so each test stops the daemon many
# times, at different points, with two CPU-bound processes running beside it.
#
# What is looked at (helpers/stop_watch.py): the moment the daemon exits (a
# pidfd, woken at the exit itself), every process that still belongs to the
# jobs: its process group or session is the pid of a job.start record (a
# job's pid is its group and session id), or it carries the tag the daemon
# was started with in its environment (any descendant, wherever it was
# re-parented to), or it is a grandchild that left the job's session with
# setsid (it wrote its pid). Zombies count: a correct daemon has reaped them.
#
# Job kinds (scripts written by write_kinds into the test's folder,
# kinds/NAME.sh; each job execs one, so the job's pid is that script's shell):
#   a   the job's shell and two children of its group; SIGTERM ends them all
#   b   the job's shell traps SIGTERM and takes 0.2 s to exit
#   c   the job's shell ends at SIGTERM; a shell of its group traps it and
#       needs 0.3 s to clean up (writes "term", then "done")
#   d   a grandchild leaves the job's session with setsid and runs on
#   g1  everything of the group ignores SIGTERM (SIGKILL at the grace)
#   g2  the job's shell ends at SIGTERM; a child of its group ignores it,
#       writes a heartbeat every 0.1 s, and no longer holds the job's pipes
#
# As PID 1 of a pid namespace nothing can be seen after the exit: when PID 1
# exits the kernel SIGKILLs every other process of the namespace and waits
# until all are gone before PID 1's exit completes, so an observer inside is
# killed too and one outside (wait, pidfd) wakes when the namespace is
# already empty. What a PID 1 that exits too early does show is that the
# kernel, not crond-lite, ended the rest, before the grace they were due:
# so as PID 1 the tests look at the work of those processes. A "term"
# without "done" (kind c), or a heartbeat that stopped long before the grace
# was over (kind g2), means crond-lite exited while a process of a job's
# group still ran. (A setsid grandchild, kind d, is in no job's group: as
# PID 1 nothing tells whether crond-lite or the kernel ended it.)
#
# STOP_LOOPS (default 6) sets the stops per test; PID 1 tests do half.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"
. "$E2E_DIR/helpers/faults.sh"

STOP_WATCH="$E2E_DIR/helpers/stop_watch.py"
LOOPS=${STOP_LOOPS:-6}
PER_KIND=24          # jobs of each kind a, b, c, d in the burst: 96 in all
# SIGTERM after this many job.start records of the burst (96): its first
# job, inside the first and second slice of 64, at the slice boundary, at
# its end (stop_watch.py may see a few more by the time it reads the log);
# in an order that spreads the first few over the whole burst
KS=(1 64 24 96 48 65 8 80 63 95)
GRACE_MS=800

# ----------------------------------------------------------------- helpers

HOGS=()
hogs_start() {
    local _
    for _ in 1 2; do
        sh -c 'while :; do :; done' &
        HOGS+=("$!")
    done
}

hogs_stop() {
    [ ${#HOGS[@]} -gt 0 ] || return 0
    kill -KILL "${HOGS[@]}" 2>/dev/null || true
    wait "${HOGS[@]}" 2>/dev/null || true
    HOGS=()
}

stop_cleanup() {
    local rc=$?
    hogs_stop
    (exit "$rc")
    cleanup_daemon
}

# write_kinds DIR: the job scripts; each takes the marker directory as $1.
write_kinds() {
    mkdir -p "$1"
    cat >"$1/a.sh" <<'EOF'
sleep 30 & sleep 30 & wait
EOF
    cat >"$1/b.sh" <<'EOF'
trap 'sleep 0.2; exit 0' TERM
sleep 30 & wait
EOF
    cat >"$1/c.sh" <<'EOF'
sh "${0%/*}/c_child.sh" "$1" &
sleep 30 & wait
EOF
    cat >"$1/c_child.sh" <<'EOF'
trap 'echo term >>"$1/c.$$"; sleep 0.3; echo done >>"$1/c.$$"; exit 0' TERM
sleep 30 & wait
EOF
    cat >"$1/d.sh" <<'EOF'
setsid sh "${0%/*}/d_daemon.sh" "$1" </dev/null >/dev/null 2>&1 &
sleep 30 & wait
EOF
    cat >"$1/d_daemon.sh" <<'EOF'
: >"$1/daemon.$$"
exec sleep 30
EOF
    cat >"$1/g1.sh" <<'EOF'
trap '' TERM
sleep 30 & sleep 30 &
echo ready
wait
EOF
    cat >"$1/g2.sh" <<'EOF'
sh "${0%/*}/g2_child.sh" "$1" </dev/null >/dev/null 2>&1 &
while [ ! -e "$1/hb.$!" ]; do sleep 0.02; done
echo ready
sleep 30 & wait
EOF
    cat >"$1/g2_child.sh" <<'EOF'
trap '' TERM
i=0
while [ $i -lt 300 ]; do date +%s%3N >>"$1/hb.$$"; sleep 0.1; i=$((i + 1)); done
EOF
}

# start_mode MODE TAG ARGS...: crond-lite ARGS with TAG (NAME=VALUE) in its
# environment, as a child subreaper (MODE subreaper) or as PID 1 of a new
# pid namespace (MODE pid1). DAEMON: crond-lite's pid (DPID is unshare's).
start_mode() {
    local mode=$1 tag=$2 _
    shift 2
    DAEMON=
    if [ "$mode" = pid1 ]; then
        start_wrapped unshare --pid --fork --mount-proc env "$tag" -- "$@"
        for _ in $(seq 100); do
            DAEMON=$(pgrep -P "$DPID" | head -1) && [ -n "$DAEMON" ] && break
            sleep 0.02
        done
    else
        start_wrapped env "$tag" -- "$@"
        DAEMON=$DPID
    fi
    trap stop_cleanup EXIT
}

problem() { echo "$*" >>problems; }

# watch MODE N REGEX TAG: SIGTERM to the daemon once out.log has N lines
# matching REGEX; waits for the exit; as a subreaper, lists what is left
# (watch.txt, WRC: 0 nothing, 1 something, 2 no stop). Then DRC.
watch() {
    local mode=$1 n=$2 re=$3 tag=$4
    local scan=()
    [ "$mode" = pid1 ] || scan=(--scan "$tag" "$PWD/m")
    WRC=0
    "$PYTHON" "$STOP_WATCH" out.log "$DAEMON" "$n" "$re" "${scan[@]}" >watch.txt 2>&1 || WRC=$?
    DRC=
    wait_exit "$DPID" 10 2>/dev/null || { kill_tree "$DPID"; DRC=killed; }
}

# check_stop MIN_MS MAX_MS: what every stop must show. Writes "problems"
# and "info": records seen when SIGTERM was sent (K), job.start records,
# ms from SIGTERM to the exit, processes left.
check_stop() {
    local min=$1 max=$2 head term ex left
    TERM_MS=
    head=$(head -1 watch.txt)
    if [ "$WRC" = 2 ] || ! [[ $head =~ term_ms=([0-9]+)\ exit_ms=([0-9]+)\ left=([0-9]+) ]]; then
        problem "no stop: $(head -3 watch.txt | tr '\n' ' ')"
        return 0
    fi
    term=${BASH_REMATCH[1]} ex=${BASH_REMATCH[2]} left=${BASH_REMATCH[3]}
    TERM_MS=$term
    # a burst: how many job.start records there were when SIGTERM went out
    [[ $K == g* ]] || { [[ $head =~ matched=([0-9]+) ]] && K=${BASH_REMATCH[1]}; }
    # one read of the records (records.py takes a while to start under load)
    rec event~'^(job\.(start|exit|kill)|daemon\.stop)$' -f event -f pid -f signal >recs.tsv
    echo "$K $(grep -c '^job\.start' recs.tsv) $((ex - term)) $left" >info
    [ "$DRC" = 0 ] || problem "exit status $DRC"
    [ "$(grep -c $'^daemon\\.stop\t-\tSIGTERM$' recs.tsv)" = 1 ] || problem "no daemon.stop signal=SIGTERM record"
    local unended
    unended=$(awk '$1 == "job.start" { s[$2] = 1 } $1 == "job.exit" { delete s[$2] } END { for (p in s) printf "%s ", p }' recs.tsv)
    [ -z "$unended" ] || problem "job.start without job.exit: $unended"
    [ $((ex - term)) -ge "$min" ] || problem "exited $((ex - term)) ms after SIGTERM, before the grace (${GRACE_MS} ms) was over"
    [ $((ex - term)) -le "$max" ] || problem "exited $((ex - term)) ms after SIGTERM (grace ${GRACE_MS} ms)"
    if [ "$WRC" = 1 ]; then
        problem "left after the exit: $(sed -n 's/^summary: //p' watch.txt)"
        grep '^left ' watch.txt >details
    fi
}

# check_cleanups: every kind c shell that got SIGTERM finished its 0.3 s of
# clean-up (the grace is 0.8 s). As a subreaper, only when nothing was left
# (a left one may be cut short by stop_watch.py's SIGKILL, not the daemon's).
check_cleanups() {
    [ "$WRC" = 0 ] || return 0
    local cut files=(m/c.*)
    [ -e "${files[0]}" ] || return 0
    cut=$(awk '$0 == "term" { t[FILENAME] = 1 } $0 == "done" { d[FILENAME] = 1 }
        END { for (f in t) if (!(f in d)) { sub(/.*\/c\./, "", f); printf " %s", f } }' "${files[@]}")
    [ -z "$cut" ] || problem "kind c shells killed during their clean-up (SIGTERM + 0.3 s):$cut"
}

# check_heartbeats: every kind g2 child (ignores SIGTERM) lived until about
# the end of the grace (heartbeat every 0.1 s; 400 ms allowed for load).
check_heartbeats() {
    [ "$WRC" = 0 ] && [ -n "$TERM_MS" ] || return 0
    local early files=(m/hb.*)
    [ -e "${files[0]}" ] || return 0
    early=$(awk -v t="$TERM_MS" -v min=$((GRACE_MS - 400)) '/^[0-9]+$/ { last[FILENAME] = $0 }
        END { for (f in last) if (last[f] - t < min) { g = f; sub(/.*\/hb\./, "", g); printf " %s:%+dms", g, last[f] - t } }' "${files[@]}")
    [ -z "$early" ] || problem "kind g2 children (ignore SIGTERM) ended long before the grace, last heartbeat after SIGTERM:$early"
}

check_pid1() {
    [ "$1" = pid1 ] || return 0
    local ns
    ns=$(awk '/^NSpid:/ { print $NF }' "/proc/$DAEMON/status" 2>/dev/null)
    [ "$ns" = 1 ] || problem "crond-lite (pid $DAEMON) is not PID 1 of its namespace: '$ns'"
}

# ------------------------------------------------------------- one stop

# A burst of 96 jobs (kinds a-d) due at the same second; SIGTERM after the
# K-th job.start.
burst_stop() {
    local mode=$1 i=$2 tag j
    K=${KS[$(((i - 1) % ${#KS[@]}))]}
    mkdir m tabs
    for ((j = 0; j < PER_KIND; j++)); do
        printf '* * * * * * * exec sh %s/%s.sh %s\n' "$KINDS" a "$PWD/m" "$KINDS" b "$PWD/m" \
            "$KINDS" c "$PWD/m" "$KINDS" d "$PWD/m"
    done >tabs/burst.cron
    tag=CROND_STOPTEST=$$-$i-$RANDOM
    start_mode "$mode" "$tag" --grace "${GRACE_MS}ms" -f tabs
    check_pid1 "$mode"
    watch "$mode" "$K" 'event=job\.start ' "$tag"
    check_stop 0 $((GRACE_MS + 2500))
    check_cleanups
}

# @reboot jobs that ignore SIGTERM: g1 only (stop i = 1, 4, 7, ...), g2 only
# (2, 5, 8, ...), both (3, 6, 9, ...); SIGTERM once every job said "ready".
grace_stop() {
    local mode=$1 i=$2 tag j n1=0 n2=0
    case $((i % 3)) in
        1) n1=16 ;;
        2) n2=8 ;;
        0) n1=16 n2=8 ;;
    esac
    K="g1:$n1,g2:$n2"
    mkdir m tabs
    {
        for ((j = 0; j < n1; j++)); do echo "@reboot exec sh $KINDS/g1.sh $PWD/m"; done
        for ((j = 0; j < n2; j++)); do echo "@reboot exec sh $KINDS/g2.sh $PWD/m"; done
    } >tabs/grace.cron
    tag=CROND_STOPTEST=$$-$i-$RANDOM
    start_mode "$mode" "$tag" --grace "${GRACE_MS}ms" -f tabs
    check_pid1 "$mode"
    watch "$mode" $((n1 + n2)) 'event=job\.output .*msg=ready' "$tag"
    # something of a group ignores SIGTERM: the daemon waits the whole grace
    check_stop $((GRACE_MS - 50)) $((GRACE_MS + 2500))
    if [ "$n1" -gt 0 ] && [ -s info ] && ! grep -q $'^job\\.kill\t[0-9]*\tSIGKILL$' recs.tsv; then
        problem "no job.kill signal=SIGKILL record at grace expiry"
    fi
    check_heartbeats
}

# ------------------------------------------------------------ the loop

# stops MODE KIND: LOOPS stops (half as PID 1) of KIND (burst_stop or
# grace_stop), each in its own folder, two CPU hogs running all along;
# fails after the last stop, naming every stop that went wrong.
stops() {
    local mode=$1 what=$2 n=$LOOPS base=$PWD i bad=0 first="" at
    [ "$mode" = pid1 ] && n=$(((LOOPS + 1) / 2))
    KINDS=$base/kinds
    write_kinds "$KINDS"
    hogs_start
    trap stop_cleanup EXIT
    for ((i = 1; i <= n; i++)); do
        mkdir "$base/$i"
        cd "$base/$i"
        : >problems
        "$what" "$mode" "$i" || problem "stop $i: status $?"
        DPID=
        cd "$base"
    done
    hogs_stop
    # figures: K, job.start records, ms from SIGTERM to the exit, stops that left something
    figure "$(for ((i = 1; i <= n; i++)); do cat "$base/$i/info" 2>/dev/null; done | awk -v n="$n" -v m="$mode" -v w="$what" '
        { if (NR == 1 || $3 < lo) lo = $3; if ($3 > hi) hi = $3; if ($4 > 0) left++; s = s " " $1 "/" $2 }
        END { printf "%s as %s: %d stops with 2 CPU hogs; SIGTERM after N starts/starts (or jobs of each kind):%s; exit %d-%d ms after SIGTERM; processes left after %d of them", w, m, n, s, lo, hi, left }')"
    for ((i = 1; i <= n; i++)); do
        [ -s "$base/$i/problems" ] || continue
        bad=$((bad + 1))
        at=$(cut -d' ' -f1 "$base/$i/info" 2>/dev/null)
        [[ $at == g* ]] || at="SIGTERM after $at job.start records"
        echo "FAIL: stop $i ($at): $(tr '\n' ';' <"$base/$i/problems" | cut -c1-400)"
        [ -n "$first" ] || [ ! -s "$base/$i/details" ] || first=$i
    done
    [ "$bad" -eq 0 ] && return 0
    echo "$bad of $n stops went wrong"
    if [ -n "$first" ]; then
        echo "processes left at stop $first:"
        head -12 "$base/$first/details" | cut -c1-300
    fi
    return 1
}

needs_pid1() {
    [ "$(id -u)" = 0 ] || { echo "# skipped: needs root for unshare"; return 1; }
    unshare --pid --fork --mount-proc true 2>/dev/null || { echo "# skipped: unshare --pid not permitted"; return 1; }
}

stop_mid_burst_subreaper() { stops subreaper burst_stop; }
stop_grace_subreaper() { stops subreaper grace_stop; }
stop_mid_burst_pid1() { needs_pid1 || return 0; stops pid1 burst_stop; }
stop_grace_pid1() { needs_pid1 || return 0; stops pid1 grace_stop; }

run_test "stop mid-burst as a subreaper: nothing of the jobs left at the exit" stop_mid_burst_subreaper
run_test "stop at grace expiry as a subreaper: SIGKILL, reaped, nothing left" stop_grace_subreaper
run_test "stop mid-burst as PID 1: no group cut short by the exit" stop_mid_burst_pid1
run_test "stop at grace expiry as PID 1: the grace kept, then SIGKILL" stop_grace_pid1
