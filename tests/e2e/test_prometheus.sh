#!/usr/bin/env bash
# End-to-end test of /metrics with a real Prometheus server (Debian package
# prometheus): the test starts its own instance on a free 127.0.0.1 port,
# with its configuration and storage in the test's temp dir, scraping
# crond-lite every second; it queries Prometheus's HTTP API for
# crond_lite_job_runs_total of one job and stops the server by its pid.
# Never touches a system service (Debian's package may run one on :9090:
# the ports here are free ones picked at run time).
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"

PROMETHEUS=${PROMETHEUS:-$(command -v prometheus || true)}

# free_port: a TCP port nothing listens on now (the kernel picks it).
free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

PPID_PROM=
stop_prometheus() {
    [ -n "$PPID_PROM" ] || return 0
    kill -TERM "$PPID_PROM" 2>/dev/null || true
    local i
    for ((i = 0; i < 50; i++)); do kill -0 "$PPID_PROM" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PPID_PROM" 2>/dev/null || true
    wait "$PPID_PROM" 2>/dev/null || true
    PPID_PROM=
}

# query PROMQL: the JSON answer of Prometheus's instant query API.
query() {
    "$PYTHON" - "$PPORT" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
port, q = sys.argv[1], sys.argv[2]
url = 'http://127.0.0.1:%s/api/v1/query?%s' % (port, urllib.parse.urlencode({'query': q}))
try:
    with urllib.request.urlopen(url, timeout=2) as r:
        print(r.read().decode())
except Exception as e:
    print(json.dumps({'status': 'error', 'error': str(e)}))
PY
}

# value JSON LABEL=VALUE...: the value of the one series whose labels match.
value() {
    "$PYTHON" - "$@" <<'PY'
import json, sys
ans = json.loads(sys.argv[1])
want = dict(a.split('=', 1) for a in sys.argv[2:])
for r in ans.get('data', {}).get('result', []):
    if all(r['metric'].get(k) == v for k, v in want.items()):
        print(r['value'][1])
        break
PY
}

test_prometheus_scrapes_job_runs() {
    if [ -z "$PROMETHEUS" ]; then
        echo "# skipped: prometheus not installed (Debian package prometheus)"
        return 0
    fi
    local cport
    cport=$(free_port)
    PPORT=$(free_port)
    printf '* * * * * * * echo tick\n* * * * * * * exit 3\n' >jobs.cron
    start_daemon -f jobs.cron --listen "127.0.0.1:$cport"
    wait_started
    mkdir -p prom/data prom/consoles prom/console_libraries
    cat >prom/prometheus.yml <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: crond-lite
    static_configs:
      - targets: ['127.0.0.1:$cport']
EOF
    trap 'stop_prometheus; cleanup_daemon' EXIT
    "$PROMETHEUS" --config.file=prom/prometheus.yml --storage.tsdb.path=prom/data \
        --web.listen-address="127.0.0.1:$PPORT" --web.console.templates=prom/consoles \
        --web.console.libraries=prom/console_libraries --log.level=warn >prom.log 2>&1 &
    PPID_PROM=$!
    # the first sample takes about 6 s: Prometheus batches target updates
    local ans nok nfail i
    for ((i = 0; i < 60; i++)); do
        ans=$(query 'crond_lite_job_runs_total')
        nok=$(value "$ans" cron_job=jobs.cron:1 result=success job=crond-lite)
        nfail=$(value "$ans" cron_job=jobs.cron:2 result=failure job=crond-lite)
        [ -n "$nok" ] && [ "${nok%%.*}" -ge 2 ] && [ -n "$nfail" ] && [ "${nfail%%.*}" -ge 2 ] && break
        sleep 0.5
    done
    if [ -z "$nok" ] || [ "${nok%%.*}" -lt 2 ]; then
        tail -5 prom.log
        fail "no success runs of jobs.cron:1 in Prometheus: $ans"
    fi
    if [ -z "$nfail" ] || [ "${nfail%%.*}" -lt 2 ]; then
        fail "no failure runs of jobs.cron:2 in Prometheus: $ans"
    fi
    # Prometheus's own view of the target: up, no scrape error
    ans=$(query 'up{job="crond-lite"}')
    expect_eq "the target is up" 1 "$(value "$ans" job=crond-lite)"
    # the counter Prometheus holds is the daemon's own, at most a few runs behind
    local now
    now=$(nrec event=job.exit job=jobs.cron:1 status=0)
    [ "${nok%%.*}" -le "$now" ] || fail "Prometheus has $nok runs, the daemon logged $now"
    # no command text in any label
    ans=$(query '{__name__=~"crond_lite_.*"}')
    if grep -q 'echo tick\|exit 3' <<<"$ans"; then fail "a label carries the command: $ans"; fi
    stop_prometheus
    stop_daemon
    expect_eq "clean stop" 0 "$DRC"
}

run_test prometheus_scrapes_job_runs test_prometheus_scrapes_job_runs
