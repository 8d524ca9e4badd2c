#!/usr/bin/env bash
# bench/daemon.sh [-b BINARY] [-r RUNS] [idle|rss|latency|burst|relay|all]...
#
# Measures the daemon (crond-lite -f DIR in the foreground) from outside; the
# figures are written down by hand in bench/README.md ("## daemon") with the
# command that produced them. Sections (default: all, in this order):
#   idle     wake-ups in IDLE_SECONDS (60) with 1 and 10,000 jobs, none due
#   rss      RssAnon (private), VmRSS, VmHWM with 1, 1,000, 10,000 and
#            100,000 jobs loaded, none due
#   latency  job.start ms after the due second, LAT_SAMPLES (200) runs of
#            `* * * * * * * true`: median, p99, max; then the machine's floor:
#            LAT_BASE_SAMPLES (60) wake-ups + one fork/exec by the C helper
#   burst    1,000 jobs due at the same second: due -> 1,000th job.start and
#            -> last job.exit, against a plain fork+execve / posix_spawn loop
#   relay    one job cats RELAY_MB (200) MB of 100-byte lines; daemon stdout
#            to /dev/null, to a file, and to /dev/null with --log-level warn,
#            against `cat` to the same sink; MB/s, lines/s, daemon RSS
# Every section runs RUNS times (-r, default 2). Needs bash, awk, strace and
# cc (for the small C helper of `latency` and `burst`, compiled into the temp
# dir). Takes about 15 minutes with the defaults.
# NOFILE=N runs everything under `ulimit -Sn N` (1024 is a common default:
# `NOFILE=1024 bench/daemon.sh -r 1 burst` shows what a burst needs).
# Runs as any user (idle's strace -p needs ptrace rights: root, or
# kernel.yama.ptrace_scope=0); everything lives in one mktemp directory,
# removed at exit together with every process the script started.
set -eu
cd "$(dirname "$0")/.."

BIN=build/crond-lite
RUNS=2
while getopts 'b:r:h' opt; do
    case $opt in
    b) BIN=$OPTARG ;;
    r) RUNS=$OPTARG ;;
    *) sed -n '2,25p' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
sections=${*:-all}
[ "$sections" = all ] && sections="idle rss latency burst relay"
for s in $sections; do
    case $s in idle | rss | latency | burst | relay) ;; *) echo "unknown section: $s" >&2; exit 2 ;; esac
done
[ -x "$BIN" ] || { echo "no $BIN: run make first" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

if [ -n "${NOFILE:-}" ]; then
    ulimit -Sn "$NOFILE"
fi
IDLE_SECONDS=${IDLE_SECONDS:-60}
LAT_SAMPLES=${LAT_SAMPLES:-200}
LAT_BASE_SAMPLES=${LAT_BASE_SAMPLES:-60}
RELAY_MB=${RELAY_MB:-200}

T=$(mktemp -d /tmp/crond-bench.XXXXXX)
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*"; }

# ------------------------------------------------------------------ helpers

# start_daemon LOG [ARGS...]: starts the daemon with stdout to LOG (a file or
# /dev/null), stderr appended to $T/stderr; sets DPID. Returns once it has
# loaded its crontabs: LOG holds daemon.start, or (LOG is /dev/null) it
# sleeps in epoll_wait. 30 s at most.
start_daemon() {
    local log=$1
    shift
    "$BIN" "$@" >"$log" 2>>"$T/stderr" &
    DPID=$!
    PIDS+=("$DPID")
    local i
    for ((i = 0; i < 300; i++)); do
        if [ "$log" != /dev/null ] && grep -q 'event=daemon.start' "$log" 2>/dev/null; then
            return 0
        fi
        if [ "$log" = /dev/null ] && daemon_idle "$DPID"; then
            return 0
        fi
        kill -0 "$DPID" 2>/dev/null || { echo "daemon died:" >&2; cat "$T/stderr" >&2; exit 1; }
        sleep 0.1
    done
    echo "daemon did not start in 30 s" >&2
    exit 1
}

# True when the process sleeps in epoll_wait (loaded, in its loop).
daemon_idle() {
    local st
    st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [ "$st" = S ] && grep -q 'epoll_wait\|ep_poll\|do_epoll' "/proc/$1/wchan" 2>/dev/null
}

stop_daemon() {
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    forget "$1"
}

# forget PID: a process that has ended leaves the clean-up list.
forget() {
    local keep=() p
    for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}

status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

# crontab_idle FILE N: N jobs due hourly at a minute 30 minutes away (nothing
# is due while we measure), each with its own command.
crontab_idle() {
    local m=$((($(date +%-M) + 30) % 60))
    awk -v n="$2" -v m="$m" 'BEGIN { for (i = 0; i < n; i++) printf "%d * * * * /usr/bin/job-%d --run\n", m, i }' >"$1"
}

# next_second DELAY: prints "S EPOCH": the second-of-minute S and the epoch
# second of the first whole second at least DELAY seconds from now.
next_second() {
    local e=$(($(date +%s) + $1))
    echo "$((e % 60)) $e"
}

# AWK function: ISO-8601 UTC record time to epoch milliseconds.
AWK_TS='
function epoch_ms(ts,   y, mo, d, h, mi, s, ms, a, era, yoe, doy, doe, days) {
    y = substr(ts, 1, 4) + 0; mo = substr(ts, 6, 2) + 0; d = substr(ts, 9, 2) + 0
    h = substr(ts, 12, 2) + 0; mi = substr(ts, 15, 2) + 0; s = substr(ts, 18, 2) + 0
    ms = substr(ts, 21, 3) + 0
    if (mo <= 2) y--
    era = int(y / 400); yoe = y - era * 400
    a = (mo > 2) ? mo - 3 : mo + 9
    doy = int((153 * a + 2) / 5) + d - 1
    doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
    days = era * 146097 + doe - 719468
    return ((days * 86400 + h * 3600 + mi * 60 + s) * 1000) + ms
}'

# percentiles: reads numbers, prints "n= median= p99= min= max=" (nearest rank)
percentiles() {
    sort -n | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "n=0"; exit }
        m = int((NR * 50 + 99) / 100); p = int((NR * 99 + 99) / 100)
        printf "n=%d median=%s p99=%s min=%s max=%s", NR, v[m], v[p], v[1], v[NR] }'
}

machine() {
    say "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)," \
        "Debian $(cat /etc/debian_version), kernel $(uname -r), $(ldd --version | head -1 | awk '{print $NF}' | sed 's/^/glibc /')," \
        "libev $(dpkg-query -W -f '${Version}' libev4 2>/dev/null || echo '?')"
    say "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); open files limit $(ulimit -Sn); binary: $BIN"
}

# ------------------------------------------------------------------- idle

# Two witnesses, on separate daemons so that one cannot disturb the other:
# the voluntary_ctxt_switches delta in /proc/PID/status of an untraced daemon
# (every sleep that ends is one), and `strace -c` attached for the window
# (the epoll_wait calls it returns from; attaching restarts the wait in
# progress, so that daemon's count starts from the attach).
bench_idle() {
    say "== idle: wake-ups in ${IDLE_SECONDS} s, no job due (minute field 30 minutes away)"
    local run n
    for ((run = 1; run <= RUNS; run++)); do
        local -A plain traced
        for n in 1 10000; do
            crontab_idle "$T/idle$n.cron" "$n"
            mkdir -p "$T/idle$n.a" "$T/idle$n.b"
            cp "$T/idle$n.cron" "$T/idle$n.a/jobs.cron"
            cp "$T/idle$n.cron" "$T/idle$n.b/jobs.cron"
            start_daemon "$T/idle$n.a.log" -f "$T/idle$n.a"
            plain[$n]=$DPID
            start_daemon "$T/idle$n.b.log" -f "$T/idle$n.b"
            traced[$n]=$DPID
        done
        sleep 2 # past start-up
        local -A v0 nv0 spid
        for n in 1 10000; do
            v0[$n]=$(status_kb "${plain[$n]}" voluntary_ctxt_switches)
            nv0[$n]=$(status_kb "${plain[$n]}" nonvoluntary_ctxt_switches)
            timeout -s INT "$IDLE_SECONDS" strace -c -o "$T/strace$n" -p "${traced[$n]}" 2>/dev/null &
            spid[$n]=$!
            PIDS+=("${spid[$n]}")
        done
        sleep "$IDLE_SECONDS"
        for n in 1 10000; do
            local v1 nv1 calls total
            v1=$(status_kb "${plain[$n]}" voluntary_ctxt_switches)
            nv1=$(status_kb "${plain[$n]}" nonvoluntary_ctxt_switches)
            wait "${spid[$n]}" 2>/dev/null || true
            forget "${spid[$n]}"
            calls=$(awk '$NF ~ /^epoll_(p?wait2?)$/ {c += $4} END {print c + 0}' "$T/strace$n")
            total=$(awk '$NF == "total" {print $4 + 0}' "$T/strace$n")
            say "idle run $run, $n job(s): voluntary_ctxt_switches +$((v1 - v0[$n])), nonvoluntary +$((nv1 - nv0[$n]));" \
                "strace -c: epoll_wait calls $calls, all syscalls ${total:-0}"
            stop_daemon "${plain[$n]}"
            stop_daemon "${traced[$n]}"
        done
    done
}

# -------------------------------------------------------------------- rss

bench_rss() {
    say "== rss: daemon loaded and idle (1 s after daemon.start), kB"
    local run n
    for n in 1 1000 10000 100000; do
        crontab_idle "$T/rss.cron" "$n"
        for ((run = 1; run <= RUNS; run++)); do
            local t0 t1
            t0=$(date +%s%N)
            start_daemon "$T/rss.log" -f "$T/rss.cron"
            t1=$(date +%s%N)
            sleep 1
            say "rss run $run, $n job(s): RssAnon $(status_kb "$DPID" RssAnon) kB, VmRSS $(status_kb "$DPID" VmRSS) kB, VmHWM $(status_kb "$DPID" VmHWM) kB" \
                "(daemon.start seen after $(((t1 - t0) / 1000000)) ms, polled every 0.1 s)"
            stop_daemon "$DPID"
        done
    done
}

# ---------------------------------------------------------------- latency

# One job every second; each job.start record's milliseconds past its whole
# second is the delay from the due time to the record (fork, the child's
# set-up and execve confirmed, record written). job.exit likewise.
bench_latency() {
    say "== latency: \`* * * * * * * true\`, $LAT_SAMPLES runs, ms after the due second"
    local run
    for ((run = 1; run <= RUNS; run++)); do
        mkdir -p "$T/lat"
        echo '* * * * * * * true' >"$T/lat/every-second.cron"
        start_daemon "$T/lat.log" -f "$T/lat"
        while [ "$(grep -c 'event=job.exit' "$T/lat.log")" -lt "$LAT_SAMPLES" ]; do
            sleep 2
        done
        stop_daemon "$DPID"
        local st ex
        st=$(awk -v n="$LAT_SAMPLES" '/event=job.start/ && c++ < n { print substr($1, 21, 3) + 0 }' "$T/lat.log" | percentiles)
        ex=$(awk -v n="$LAT_SAMPLES" '/event=job.exit/ && c++ < n { print substr($1, 21, 3) + 0 }' "$T/lat.log" | percentiles)
        say "latency run $run: job.start $st"
        say "latency run $run: job.exit  $ex"
        rm -f "$T/lat.log"
        # The same machine's floor, measured right after: a plain process
        # that sleeps in epoll_wait until each whole second, then does one
        # confirmed fork+execve (what the daemon does for one job).
        build_helper
        "$HELPER" wake "$LAT_BASE_SAMPLES" >"$T/wake"
        say "latency run $run baseline (helper wake $LAT_BASE_SAMPLES), woken:  $(awk '{printf "%.1f\n", $1 / 1000}' "$T/wake" | percentiles)"
        say "latency run $run baseline (helper wake $LAT_BASE_SAMPLES), started: $(awk '{printf "%.1f\n", $2 / 1000}' "$T/wake" | percentiles)"
    done
}

# ------------------------------------------------------------------ burst

# The one C helper, compiled into the temp dir by build_helper.
#   helper fork|spawn|confirm N  N x "/bin/sh -c true" started without
#     waiting, then all reaped. fork: fork+execve; spawn: posix_spawn;
#     confirm: fork+execve, the parent waits for the exec on a close-on-exec
#     pipe (what the daemon does to report exec failures). Prints ms to the
#     last start and to the last reap.
#   helper wake N  N times: sleep in epoll_wait (ms timeout rounded up, as
#     libev does) until the next whole second, then one confirmed fork+execve
#     of /bin/sh -c true; prints "WAKE_US START_US" after the whole second.
HELPER_C='
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
extern char **environ;
static char *args[] = {"/bin/sh", "-c", "true", NULL};
static double now(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}
static pid_t start(const char *mode)
{
    pid_t pid;
    if (strcmp(mode, "spawn") == 0)
        return posix_spawn(&pid, args[0], NULL, NULL, args, environ) == 0 ? pid : -1;
    int p[2] = {-1, -1};
    if (strcmp(mode, "confirm") == 0 && pipe2(p, O_CLOEXEC) != 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        execve(args[0], args, environ);
        if (p[1] >= 0)
            (void)!write(p[1], "x", 1);
        _exit(127);
    }
    if (p[0] >= 0) {
        char c;
        close(p[1]);
        while (read(p[0], &c, 1) > 0)
            ;
        close(p[0]);
    }
    return pid;
}
int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "fork";
    int n = argc > 2 ? atoi(argv[2]) : 1000;
    if (strcmp(mode, "wake") == 0) {
        int ep = epoll_create1(0);
        struct epoll_event ev;
        for (int i = 0; i < n; i++) {
            double t = now(CLOCK_REALTIME), due = (double)((long long)(t / 1000) + 1) * 1000;
            epoll_wait(ep, &ev, 1, (int)(due - t + 0.9999));
            double woke = now(CLOCK_REALTIME);
            pid_t pid = start("confirm");
            double started = now(CLOCK_REALTIME);
            printf("%.0f %.0f\n", (woke - due) * 1e3, (started - due) * 1e3);
            fflush(stdout);
            waitpid(pid, NULL, 0);
        }
        return 0;
    }
    double t0 = now(CLOCK_MONOTONIC);
    for (int i = 0; i < n; i++) {
        if (start(mode) < 0)
            return perror(mode), 1;
    }
    double t1 = now(CLOCK_MONOTONIC);
    while (wait(NULL) > 0)
        ;
    double t2 = now(CLOCK_MONOTONIC);
    printf("%s: %d started in %.0f ms, all reaped after %.0f ms\n", mode, n, t1 - t0, t2 - t0);
    return 0;
}
'
HELPER=
build_helper() {
    [ -n "$HELPER" ] && return 0
    printf '%s' "$HELPER_C" >"$T/helper.c"
    ${CC:-cc} -O2 -Wall -o "$T/helper" "$T/helper.c"
    HELPER=$T/helper
}

bench_burst() {
    say "== burst: 1,000 x \`S * * * * * * true\` due at the same second"
    build_helper
    local run
    for ((run = 1; run <= RUNS; run++)); do
        local s due
        read -r s due < <(next_second 4)
        mkdir -p "$T/burst"
        awk -v s="$s" 'BEGIN { for (i = 0; i < 1000; i++) printf "%d * * * * * * true\n", s }' >"$T/burst/burst.cron"
        start_daemon "$T/burst.log" -f "$T/burst"
        local i
        # done: every job started or failed to, every started one exited
        # (50 s at most: the same second comes back every minute)
        for ((i = 0; i < 500; i++)); do
            awk '/event=job.start/ {s++} /event=job.error/ {e++} /event=job.exit/ {x++}
                 END {exit !(s + e >= 1000 && x >= s)}' "$T/burst.log" && break
            sleep 0.1
        done
        stop_daemon "$DPID"
        awk -v due="$due" "$AWK_TS"'
            /event=job.start/ { t = epoch_ms($1) - due * 1000; ns++; if (ns == 1) first = t; if (t > ls) ls = t }
            /event=job.exit/  { t = epoch_ms($1) - due * 1000; nx++; if (t > lx) lx = t }
            /event=job.error/ { ne++ }
            END { printf "burst run %d: %d job.start (first +%d ms, last +%d ms), %d job.exit (last +%d ms), %d job.error\n",
                         run, ns, first, ls, nx, lx, ne }' run="$run" "$T/burst.log"
        rm -f "$T/burst.log"
        "$HELPER" fork 1000 | sed "s/^/burst run $run baseline /"
        "$HELPER" spawn 1000 | sed "s/^/burst run $run baseline /"
        "$HELPER" confirm 1000 | sed "s/^/burst run $run baseline /"
    done
}

# ------------------------------------------------------------------ relay

# The job notes its own start and end (date +%s%N) around the cat: once cat
# has written its last byte the daemon has at most one pipe buffer (64 KiB)
# left to relay, so end - start is the relay time. Meanwhile the daemon's
# VmRSS is sampled every 50 ms.
relay_once() { # LABEL SINK [DAEMON OPTIONS...]
    local label=$1 sink=$2
    shift 2
    local s due
    read -r s due < <(next_second 3)
    rm -f "$T/t0" "$T/t1"
    mkdir -p "$T/relay"
    echo "$s * * * * * * date +%s%N >$T/t0; cat $T/data; date +%s%N >$T/t1" >"$T/relay/relay.cron"
    start_daemon "$sink" -f "$T/relay" "$@"
    local hwm0 rss0 rss max=0 ticks0 ticks1
    hwm0=$(status_kb "$DPID" VmHWM)
    rss0=$(status_kb "$DPID" VmRSS)
    ticks0=$(awk '{print $14 + $15}' "/proc/$DPID/stat")
    while [ ! -s "$T/t1" ]; do
        rss=$(status_kb "$DPID" VmRSS)
        [ "${rss:-0}" -gt "$max" ] && max=$rss
        sleep 0.05
    done
    sleep 0.3 # the last pipe buffer, the exit
    ticks1=$(awk '{print $14 + $15}' "/proc/$DPID/stat")
    local hwm1 rss1
    hwm1=$(status_kb "$DPID" VmHWM)
    rss1=$(status_kb "$DPID" VmRSS)
    stop_daemon "$DPID"
    local records=""
    if [ "$sink" != /dev/null ]; then
        records=", $(grep -c 'event=job.output' "$sink") job.output records, $(($(stat -c %s "$sink") / 1000000)) MB written"
        rm -f "$sink"
    fi
    awk -v a="$(cat "$T/t0")" -v b="$(cat "$T/t1")" -v bytes="$BYTES" -v lines="$LINES" -v l="$label" \
        -v cpu="$((ticks1 - ticks0))" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { s = (b - a) / 1e9; printf "%s: %.2f s, %.1f MB/s, %.0f lines/s, daemon CPU %.2f s", l, s, bytes / 1e6 / s, lines / s, cpu / hz }'
    say "$records; daemon VmRSS before ${rss0} kB, max sampled ${max} kB, after ${rss1} kB; VmHWM before ${hwm0} kB, after ${hwm1} kB"
}

cat_once() { # LABEL SINK
    local a b
    a=$(date +%s%N)
    cat "$T/data" >"$2"
    b=$(date +%s%N)
    [ "$2" != /dev/null ] && rm -f "$2"
    awk -v a="$a" -v b="$b" -v bytes="$BYTES" -v lines="$LINES" -v l="$1" \
        'BEGIN { s = (b - a) / 1e9; printf "%s: %.2f s, %.1f MB/s, %.0f lines/s\n", l, s, bytes / 1e6 / s, lines / s }'
}

bench_relay() {
    LINES=$((RELAY_MB * 10000))
    BYTES=$((LINES * 100))
    say "== relay: one job cats $RELAY_MB MB ($LINES lines of 100 bytes with the newline)"
    awk -v n="$LINES" 'BEGIN {
        pad = "the quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs. 0123456789"
        for (i = 0; i < n; i++) printf "%08d %s\n", i, substr(pad, 1, 90) }' >"$T/data"
    cat "$T/data" >/dev/null # in the page cache for everyone
    local run
    for ((run = 1; run <= RUNS; run++)); do
        relay_once "relay run $run, daemon stdout >/dev/null" /dev/null
        cat_once "relay run $run, cat >/dev/null" /dev/null
        relay_once "relay run $run, daemon stdout >file" "$T/out.log"
        cat_once "relay run $run, cat >file" "$T/cat.out"
        relay_once "relay run $run, daemon --log-level warn >/dev/null (lines split, not written)" /dev/null --log-level warn
    done
    rm -f "$T/data"
}

machine
for s in $sections; do
    "bench_$s"
done
