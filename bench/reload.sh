#!/usr/bin/env bash
# bench/reload.sh [BUILD_DIR]: a 10,000-job crontab plus one running job;
# one line is changed ten times (inotify) and the daemon's own daemon.reload
# records say how long each reload took (duration_us: read, parse, check,
# diff, re-plan) and what it kept. The running job must not be restarted.
set -eu
cd "$(dirname "$0")/.."
bin="$PWD/${1:-build}/crond-lite"
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "%d %d * * * /usr/bin/job-%d --run\n", (i * 7) % 60, i % 24, i;
             print "* * * * * * * sleep 60" }' >"$tmp/big.cron"
"$bin" -f "$tmp/big.cron" --overlap skip >"$tmp/out.log" 2>&1 &
pid=$!
sleep 2
for k in $(seq 1 10); do
    sed -i "5s|.*|17 3 * * * /usr/bin/changed-$k|" "$tmp/big.cron"
    sleep 0.7
done
kill -TERM "$pid"
wait "$pid" || true
grep 'event=daemon.reload' "$tmp/out.log" | sed 's/.*event=daemon.reload //'
starts=$(grep -c 'event=job.start .*cmd="sleep 60"' "$tmp/out.log")
echo "runs of the long job started: $starts (1 = not restarted by the reloads)"
grep -o 'duration_us=[0-9]*' "$tmp/out.log" | cut -d= -f2 | sort -n |
    awk '{ a[NR] = $1 } END { printf "reload of 10,000 jobs, one line changed: median %.1f ms, max %.1f ms over %d reloads\n", a[int((NR + 1) / 2)] / 1000, a[NR] / 1000, NR }'
