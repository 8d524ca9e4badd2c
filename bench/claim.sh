#!/usr/bin/env bash
# bench/claim.sh [-b BINARY] [-s SECONDS]
#
# What --claim adds to a job's start (README "More than one replica"): a
# real redis-server (Debian's redis-tools, as tests/e2e/helpers/redis.sh
# runs it) on a free 127.0.0.1 port, and crond-lite with one per-second job
# (`* * * * * * * true`) for SECONDS (default 60) each:
#   plain    without --claim
#   claim    with --claim (one replica)
#   claim3   three replicas with --claim (the job.start of the winner)
# For each: job.start's milliseconds after its due second (the record's time
# is taken just before the spawn, after the claim's answer), p50, p99 and
# max; then Redis's own round trip as redis-cli --latency sees it. The
# figures go into bench/README.md ("## claim") by hand.
set -eu
cd "$(dirname "$0")/.."

BIN=build/crond-lite
SECONDS_EACH=60
while getopts 'b:s:h' opt; do
    case $opt in
    b) BIN=$OPTARG ;;
    s) SECONDS_EACH=$OPTARG ;;
    *) sed -n '2,15p' "$0"; exit 2 ;;
    esac
done
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
RECORDS=$PWD/tests/e2e/helpers/records.py
TMP=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
cd "$TMP"

if command -v redis-server >/dev/null; then REDIS=redis-server
else ln -s /usr/bin/redis-check-rdb redis-server; REDIS=$PWD/redis-server; fi
PORT=$(python3 "$OLDPWD/tests/e2e/helpers/http.py" port)
"$REDIS" --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" \
    --logfile "$TMP/redis.log" </dev/null >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do grep -q 'Ready to accept' redis.log 2>/dev/null && break; sleep 0.1; done
echo '* * * * * * * true' >t.cron

# offsets FILE...: ms after the due second of every job.start in the files
offsets() {
    for f in "$@"; do python3 "$RECORDS" "$f" event=job.start -f _ms; done |
        awk '{ print $1 % 1000 }' | sort -n
}
stats() {
    awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "no samples"; exit }
        m = int((NR + 1) / 2); q = int(NR * 0.99); if (q < 1) q = 1
        printf "n=%d p50=%d ms p99=%d ms max=%d ms\n", NR, v[m], v[q], v[NR] }'
}
run() { # NAME N ARGS...
    local name=$1 n=$2 i pids=()
    shift 2
    for ((i = 1; i <= n; i++)); do
        "$BIN" -f t.cron "$@" >"$name$i.log" 2>&1 &
        pids+=($!)
    done
    sleep "$SECONDS_EACH"
    kill -TERM "${pids[@]}"
    wait "${pids[@]}" 2>/dev/null || true
    local files=()
    for ((i = 1; i <= n; i++)); do files+=("$name$i.log"); done
    printf '%-8s %s\n' "$name" "$(offsets "${files[@]}" | stats)"
}

echo "# $(date -u +%FT%TZ) $(uname -r) $(nproc) cpus, $SECONDS_EACH s each"
run plain 1
run claim 1 --claim "redis://127.0.0.1:$PORT"
run claim3 3 --claim "redis://127.0.0.1:$PORT"
echo "redis-cli --latency (5 s): $(timeout 5 redis-cli -p "$PORT" --latency --raw 2>/dev/null | tail -1) (min max avg, ms)"
