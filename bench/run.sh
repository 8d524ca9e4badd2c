#!/usr/bin/env bash
# bench/run.sh BUILD_DIR: runs the benchmarks; their figures are written down
# by hand in bench/README.md together with this command.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
"$build/bench/bench_calendar" "${BENCH_SECONDS:-0.3}"
"$build/bench/bench_spawn" 1000 5

# The whole binary on a 100,000-line crontab: read, parse, resolve zones and
# check that every schedule can fire.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "%d %d * * * /usr/bin/job-%d --run\n", i % 60, i % 24, i }' >"$tmp/big.cron"
start=$(date +%s%N)
"$build/crond-lite" --check -f "$tmp/big.cron" >/dev/null
end=$(date +%s%N)
echo "crond-lite --check on a 100,000-line crontab: $(( (end - start) / 1000000 )) ms"
