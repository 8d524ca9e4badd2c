#!/usr/bin/env bash
# bench/peers.sh [-r RUNS] [burst|latency|memory|all]...
#
# crond-lite beside the crons a user can have, measured in one run on one
# machine, every figure also as a ratio to crond-lite's:
#   crond-lite   the static build (build/static/crond-lite; BIN=... for another)
#   busybox      busybox crond (Debian's busybox-static)
#   cron         Debian's cron (Vixie cron 3.0pl1), taken out of its .deb with
#                apt-get download + dpkg-deb -x (never installed, no service),
#                run in a mount namespace of its own (its spool, /etc/cron.d
#                and /run are tmpfs there): needs root and unshare
#   spawn        a plain posix_spawn loop of the same commands (no cron)
#   supercronic, go-crond   when their binaries are given: SUPERCRONIC=PATH,
#                GO_CROND=PATH
# Every job runs `exec STAMP FILE`: a tiny static C program (built here with
# cc) that appends CLOCK_REALTIME to FILE, so every cron is timed the same
# way, from outside, including its shell's exec.
#
# Sections (default all, in this order):
#   burst    N (1,000) jobs due at the same minute (the spawn loop: at a whole
#            second): the last and the first stamp after the due time
#   latency  how late jobs start after their due time: crond-lite and
#            supercronic with a per-second job for LAT_SECONDS (60), beside
#            the floor (posix_spawn at each whole second; also with stamp as
#            the shell); every cron with a per-minute job for PEER_MINUTES
#            (3; 0 skips them)
#   memory   private memory (RssAnon) and VmRSS with N idle jobs, 2 s after
#            start
# RUNS (-r, default 1) repeats burst. Each minute cron waits for a minute
# boundary: `all` takes about 15 minutes. Everything lives in one mktemp
# directory, removed at exit with every process started here.
set -eu
cd "$(dirname "$0")/.."

RUNS=1
while getopts 'r:h' opt; do
    case $opt in
    r) RUNS=$OPTARG ;;
    *) sed -n '2,31p' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
sections=${*:-all}
[ "$sections" = all ] && sections="burst latency memory"
N=${N:-1000}
LAT_SECONDS=${LAT_SECONDS:-60}
PEER_MINUTES=${PEER_MINUTES:-3}
BIN=${BIN:-build/static/crond-lite}
[ -x "$BIN" ] || { echo "no $BIN: run make static first" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

T=$(mktemp -d /tmp/crond-peers.XXXXXX)
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { printf '%s\n' "$*"; }

# ------------------------------------------------------------------ helpers

build_helpers() {
    cat >"$T/stamp.c" <<'C'
/* stamp FILE: appends "SECONDS.NANOSECONDS\n" (CLOCK_REALTIME) to FILE.
 * stamp -c FILE: the same, run as a cron's SHELL (no shell in between). */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    struct timespec ts;
    char line[48];
    clock_gettime(CLOCK_REALTIME, &ts);
    int n = snprintf(line, sizeof line, "%lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
    const char *file = argc > 2 && argv[1][0] == '-' ? argv[2] : argc > 1 ? argv[1] : NULL;
    int fd = file != NULL ? open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) : -1;
    return fd >= 0 && write(fd, line, (size_t)n) == n ? 0 : 1;
}
C
    cat >"$T/spawnloop.c" <<'C'
/* spawnloop N CMD [SECONDS]: at the next whole second (and each whole second
 * after it, SECONDS times in all), posix_spawn N x /bin/sh -c CMD without
 * waiting; reaps them all at the end; prints the first second. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
extern char **environ;
int main(int argc, char **argv)
{
    int n = argc > 2 ? atoi(argv[1]) : 0, seconds = argc > 3 ? atoi(argv[3]) : 1;
    char *shell = getenv("SPAWN_SHELL") != NULL ? getenv("SPAWN_SHELL") : "/bin/sh";
    char *args[] = {shell, "-c", argc > 2 ? argv[2] : "true", NULL};
    struct timespec now, at = {0, 0};
    clock_gettime(CLOCK_REALTIME, &now);
    at.tv_sec = now.tv_sec + 1;
    long long first = (long long)at.tv_sec;
    int st;
    for (int s = 0; s < seconds; s++, at.tv_sec++) {
        clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, NULL);
        for (int i = 0; i < n; i++) {
            pid_t pid;
            if (posix_spawn(&pid, shell, NULL, NULL, args, environ) != 0)
                return 1;
        }
        while (waitpid(-1, &st, WNOHANG) > 0)
            ;
    }
    while (wait(&st) > 0)
        ;
    printf("%lld\n", first);
    return 0;
}
C
    cc -O2 -static -o "$T/stamp" "$T/stamp.c"
    cc -O2 -o "$T/spawnloop" "$T/spawnloop.c"
    STAMP=$T/stamp
}

# Debian's cron, from its package, without installing it.
fetch_debian_cron() {
    CRON=
    if ! command -v unshare >/dev/null || [ "$(id -u)" -ne 0 ]; then
        say "(Debian cron skipped: needs root and unshare)"
        return 0
    fi
    mkdir -p "$T/deb"
    if (cd "$T/deb" && apt-get download cron >/dev/null 2>&1 && dpkg-deb -x cron_*.deb root); then
        CRON=$T/deb/root/usr/sbin/cron
    else
        say "(Debian cron skipped: apt-get download cron failed)"
    fi
}

peers() {
    local p="crond-lite"
    command -v busybox >/dev/null && busybox crond --help >/dev/null 2>&1 && p="$p busybox"
    [ -n "${CRON:-}" ] && p="$p cron"
    [ -n "${SUPERCRONIC:-}" ] && p="$p supercronic"
    [ -n "${GO_CROND:-}" ] && p="$p go-crond"
    echo "$p"
}

# start_cron NAME DIR: runs cron NAME on the crontab DIR/crontab (user
# format) in the background; sets CPID (the cron's own pid).
start_cron() {
    local name=$1 dir=$2
    case $name in
    crond-lite)
        "$BIN" -f "$dir/crontab" >"$dir/out.log" 2>&1 &
        CPID=$! ;;
    busybox)
        mkdir -p "$dir/bb"
        cp "$dir/crontab" "$dir/bb/$(id -un)"
        busybox crond -f -c "$dir/bb" -L /dev/null >"$dir/out.log" 2>&1 &
        CPID=$! ;;
    cron)
        cat >"$dir/ns.sh" <<EOF
mount -t tmpfs tmpfs /var/spool/cron && mkdir -p /var/spool/cron/crontabs &&
chmod 1730 /var/spool/cron/crontabs && cp "$dir/crontab" /var/spool/cron/crontabs/root &&
chmod 600 /var/spool/cron/crontabs/root && mount -t tmpfs tmpfs /etc/cron.d &&
mount -t tmpfs tmpfs /run && exec "$CRON" -f
EOF
        # unshare and sh exec: the pid is cron's
        unshare --mount --propagation private sh "$dir/ns.sh" >"$dir/out.log" 2>&1 &
        CPID=$! ;;
    supercronic)
        "$SUPERCRONIC" "$dir/crontab" >"$dir/out.log" 2>&1 &
        CPID=$! ;;
    go-crond)
        "$GO_CROND" --allow-unprivileged "$(id -un):$dir/crontab" >"$dir/out.log" 2>&1 &
        CPID=$! ;;
    esac
    PIDS+=("$CPID")
}

stop_cron() {
    kill -TERM "$1" 2>/dev/null || true
    local i
    for ((i = 0; i < 50; i++)); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    pkill -KILL -f "$T/stamp" 2>/dev/null || true
}

# next_minute: "MIN HOUR EPOCH" of the next minute boundary at least 10 s away.
next_minute() {
    local now t
    now=$(date +%s)
    t=$(((now / 60 + 1) * 60))
    [ $((t - now)) -ge 10 ] || t=$((t + 60))
    echo "$(date -u -d "@$t" +%-M) $(date -u -d "@$t" +%-H) $t"
}

# stats FILE DUE: "n=N first=F last=L p50=P p99=Q" in ms after DUE (seconds),
# or after the whole second/minute of each stamp when DUE is "second" or
# "minute".
stats() {
    awk -v due="$2" '
        { if (due == "second") d = $1 - int($1); else if (due == "minute") d = $1 - int($1 / 60) * 60;
          else d = $1 - due; printf "%.3f\n", d * 1000 }' "$1" | sort -n | awk '
        { v[++n] = $1 }
        END { if (n == 0) { print "n=0"; exit }
              printf "n=%d first=%.1f last=%.1f p50=%.1f p99=%.1f\n", n, v[1], v[n], v[int((n - 1) * 0.5) + 1], v[int((n - 1) * 0.99) + 1] }'
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

# ------------------------------------------------------------------ sections

bench_burst() {
    say "== burst: $N jobs due at the same minute, each \`exec stamp FILE\`; ms after the due time"
    local run name dir m h due res base
    for ((run = 1; run <= RUNS; run++)); do
        dir=$T/spawn
        mkdir -p "$dir"
        due=$("$T/spawnloop" "$N" "exec $STAMP $dir/stamps")
        base=$(stats "$dir/stamps" "$due")
        say "burst run $run, posix_spawn loop: $base"
        for name in $(peers); do
            dir=$T/burst-$name
            rm -rf "$dir"
            mkdir -p "$dir"
            read -r m h due < <(next_minute)
            awk -v m="$m" -v h="$h" -v n="$N" -v c="exec $STAMP $dir/stamps" \
                'BEGIN { for (i = 0; i < n; i++) printf "%d %d * * * %s\n", m, h, c }' >"$dir/crontab"
            start_cron "$name" "$dir"
            while [ "$(date +%s)" -lt $((due + 25)) ] && { [ ! -f "$dir/stamps" ] || [ "$(wc -l <"$dir/stamps")" -lt "$N" ]; }; do
                sleep 0.2
            done
            sleep 1
            stop_cron "$CPID"
            res=$(stats "$dir/stamps" "$due")
            say "burst run $run, $name: $res; last / posix_spawn loop's last: $(awk -v a="$(field last "$res")" -v b="$(field last "$base")" 'BEGIN { if (b > 0) printf "%.2f", a / b }')"
        done
    done
}

bench_latency() {
    say "== latency: ms after the due time"
    local name dir res cl=
    mkdir -p "$T/lat-spawn"
    "$T/spawnloop" 1 "exec $STAMP $T/lat-spawn/stamps" "$LAT_SECONDS" >/dev/null
    say "latency, the floor: posix_spawn of sh -c 'exec stamp' at each whole second (clock_nanosleep TIMER_ABSTIME) for $LAT_SECONDS s: $(stats "$T/lat-spawn/stamps" second)"
    SPAWN_SHELL=$STAMP "$T/spawnloop" 1 "$T/lat-spawn/direct" "$LAT_SECONDS" >/dev/null
    say "latency, the floor without a shell: posix_spawn of stamp itself at each whole second for $LAT_SECONDS s: $(stats "$T/lat-spawn/direct" second)"
    for name in $(peers); do
        dir=$T/lat-$name
        mkdir -p "$dir"
        case $name in
        crond-lite | supercronic)
            echo "* * * * * * * exec $STAMP $dir/stamps" >"$dir/crontab"
            start_cron "$name" "$dir"
            sleep "$LAT_SECONDS"
            stop_cron "$CPID"
            say "latency, $name, a job every second for $LAT_SECONDS s: $(stats "$dir/stamps" second)"
            if [ "$name" = crond-lite ]; then
                awk '/event=job.start/ { split($1, t, /[:.]/); print "0." t[4] }' "$dir/out.log" >"$dir/records"
                say "latency, crond-lite's own job.start records (ms resolution): $(stats "$dir/records" second)"
                # the job's process itself, with no shell between: stamp is the SHELL
                printf 'SHELL=%s\n* * * * * * * %s\n' "$STAMP" "$dir/direct" >"$dir/crontab"
                start_cron "$name" "$dir"
                sleep "$LAT_SECONDS"
                stop_cron "$CPID"
                say "latency, crond-lite, a job every second for $LAT_SECONDS s, stamp as SHELL (no shell): $(stats "$dir/direct" second)"
            fi
            ;;
        esac
        [ "$PEER_MINUTES" -gt 0 ] || continue
        echo "* * * * * exec $STAMP $dir/stamps.min" >"$dir/crontab"
        start_cron "$name" "$dir"
        sleep $((PEER_MINUTES * 60 + 2))
        stop_cron "$CPID"
        res=$(stats "$dir/stamps.min" minute)
        [ "$name" = crond-lite ] && cl=$(field p50 "$res")
        say "latency, $name, a job every minute for $PEER_MINUTES min: $res; p50 / crond-lite's p50: $(awk -v a="$(field p50 "$res")" -v b="${cl:-0}" 'BEGIN { if (b > 0) printf "%.1f", a / b }')"
    done
}

bench_memory() {
    say "== memory: $N idle jobs (\`M H * * * /usr/bin/job-N --run\`, none due), 2 s after start"
    local name dir pid
    for name in $(peers) crond-lite-dynamic; do
        dir=$T/mem-$name
        mkdir -p "$dir"
        awk -v n="$N" -v h="$(( ($(date -u +%-H) + 12) % 24 ))" \
            'BEGIN { for (i = 0; i < n; i++) printf "%d %d * * * /usr/bin/job-%d --run\n", i % 60, h, i }' >"$dir/crontab"
        if [ "$name" = crond-lite-dynamic ]; then
            [ -x build/crond-lite ] || continue
            build/crond-lite -f "$dir/crontab" >"$dir/out.log" 2>&1 &
            CPID=$!
            PIDS+=("$CPID")
        else
            start_cron "$name" "$dir"
        fi
        sleep 2
        pid=$CPID
        say "memory, $name: $(awk '/^(RssAnon|VmRSS):/ { printf "%s %s kB  ", $1, $2 }' "/proc/$pid/status")"
        stop_cron "$CPID"
    done
}

say "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
say "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); crond-lite: $BIN; busybox: $(busybox 2>&1 | head -1 | cut -d' ' -f2)"
build_helpers
fetch_debian_cron
for s in $sections; do
    case $s in
    burst) bench_burst ;;
    latency) bench_latency ;;
    memory) bench_memory ;;
    *) echo "unknown section: $s" >&2; exit 2 ;;
    esac
done
