#!/usr/bin/env bash
# End-to-end tests of the metrics exposition (DESIGN.md section 10) with
# Prometheus's own checker: `promtool check metrics` (Debian package
# prometheus) must accept it without a word, and it must be able to refuse
# (a broken copy is refused). The exposition comes from the unit test
# binary next to the binary under test (`tests/test_metrics --write FILE`:
# jobs that ran, an id that needs escaping, that process's /proc figures);
# with an HTTP server in the binary (--listen), a live daemon's /metrics is
# checked the same way, and its counters against what its jobs did.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"

WRITER="$(dirname "$CROND_BIN")/tests/test_metrics"

# need TOOL: prints the skip line when TOOL is missing (the caller returns).
need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    echo "# skipped: $1 not found (scripts/install-deps.sh takes it out of Debian's prometheus package)"
    return 1
}

# write_exposition FILE: the fixture's exposition.
write_exposition() {
    [ -x "$WRITER" ] || fail "$WRITER not built (make $WRITER)"
    "$WRITER" --write "$1" || fail "$WRITER --write failed"
    [ -s "$1" ] || fail "$WRITER wrote nothing"
}

# promtool_says FILE: promtool's findings (stdout and stderr), then its
# exit status on the last line.
promtool_says() {
    local rc=0
    promtool check metrics <"$1" 2>&1 || rc=$?
    echo "rc=$rc"
}

# series FILE: every sample's name and labels, one a line.
series() { grep -v '^#' "$1" | sed 's/ [^ ]*$//'; }

# ------------------------------------------------------------ the exposition

promtool_accepts() {
    need promtool || return 0
    write_exposition m.prom
    expect_eq "promtool check metrics" "rc=0" "$(promtool_says m.prom)"
}

# The check can fail: each broken copy is refused, with a finding.
promtool_refuses_broken() {
    need promtool || return 0
    write_exposition m.prom
    local out
    # a family without HELP: a lint problem (exit 3)
    grep -v '^# HELP crond_lite_job_runs_total ' m.prom >no_help.prom
    out=$(promtool_says no_help.prom)
    grep -q 'crond_lite_job_runs_total no help text' <<<"$out" || fail "no HELP: $out"
    expect_eq "exit status without a HELP" rc=3 "$(tail -1 <<<"$out")"
    # a second HELP for a family: a parse error (exit 1)
    sed '/^# HELP crond_lite_jobs /p' m.prom >two_help.prom
    out=$(promtool_says two_help.prom)
    grep -q 'second HELP' <<<"$out" || fail "two HELPs: $out"
    expect_eq "exit status with two HELPs" rc=1 "$(tail -1 <<<"$out")"
    # a label value with its quote left unescaped
    sed 's/we\\"ird/we"ird/' m.prom >quote.prom
    ! cmp -s m.prom quote.prom || fail "the fixture has no escaped quote"
    expect_eq "exit status with a bare quote" rc=1 "$(promtool_says quote.prom | tail -1)"
    # a counter named without _total
    sed 's/crond_lite_job_skips_total/crond_lite_job_skips/' m.prom >name.prom
    out=$(promtool_says name.prom)
    grep -q 'counter metrics should have "_total" suffix' <<<"$out" || fail "name: $out"
}

# What promtool does not check: each series once, each family's HELP and
# TYPE once, the families of the contract, never a command.
shape() {
    write_exposition m.prom
    local dups n
    dups=$(series m.prom | sort | uniq -d)
    expect_eq "series that appear twice" "" "$dups"
    n=$(series m.prom | wc -l)
    [ "$n" -ge 80 ] || fail "only $n series"
    expect_eq "HELP lines that appear twice" "" "$(grep '^# HELP' m.prom | cut -d' ' -f3 | sort | uniq -d)"
    expect_eq "TYPE lines that appear twice" "" "$(grep '^# TYPE' m.prom | cut -d' ' -f3 | sort | uniq -d)"
    local f
    for f in crond_lite_job_runs_total crond_lite_job_skips_total \
        crond_lite_job_duration_seconds crond_lite_job_running \
        crond_lite_job_last_start_timestamp_seconds \
        crond_lite_job_last_success_timestamp_seconds \
        crond_lite_job_next_timestamp_seconds crond_lite_job_output_lines_total \
        crond_lite_jobs crond_lite_reloads_total crond_lite_config_problems \
        crond_lite_build_info process_cpu_seconds_total process_resident_memory_bytes \
        process_virtual_memory_bytes process_open_fds process_max_fds \
        process_start_time_seconds; do
        grep -q "^# TYPE $f " m.prom || fail "no family $f"
    done
    ! grep -q hunter2 m.prom || fail "a command's text is in the exposition"
    grep -qx 'crond_lite_job_running{cron_job="we\\"ird\\\\name.cron:1"} 0' m.prom ||
        fail "the escaped id is not there: $(grep -m1 ird m.prom)"
}

# The README and the man page name every family and the buckets.
documented() {
    write_exposition m.prom
    local f le bad=0
    while read -r f; do
        grep -qF "\`$f\`" "$REPO_DIR/README.md" || { echo "$f not in README.md"; bad=1; }
        grep -qF "$f" "$REPO_DIR/doc/crond-lite.8" || { echo "$f not in the man page"; bad=1; }
    done < <(grep '^# TYPE' m.prom | cut -d' ' -f3)
    le=$(grep -o 'le="[0-9.]*"' m.prom | sort -u -t'"' -k2 -g | cut -d'"' -f2 | paste -sd, | sed 's/,/, /g')
    expect_eq "buckets" "0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600" "$le"
    grep -qF "buckets $le s and \`+Inf\`" "$REPO_DIR/README.md" || { echo "README.md lacks the buckets"; bad=1; }
    grep -qF "buckets of ${le/, 3600/ and 3600} seconds" "$REPO_DIR/doc/crond-lite.8" ||
        { echo "the man page lacks the buckets"; bad=1; }
    [ $bad -eq 0 ]
}

# ------------------------------------------------------------ a live daemon

# free_port: a TCP port of 127.0.0.1 nobody listens on now.
free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# scrape PORT FILE: GET /metrics into FILE; fails when nothing answers.
scrape() {
    "$PYTHON" - "$1" "$2" <<'EOF'
import sys, urllib.request
with urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=2) as r:
    open(sys.argv[2], "wb").write(r.read())
EOF
}

# value FILE SERIES: the value of one series (empty when absent).
value() { awk -v s="$2 " 'index($0, s) == 1 { print $NF }' "$1"; }

# The daemon's counters follow its jobs: each result, skips, lines, a
# failed and a good reload; a kept job keeps its counts; promtool accepts
# the live text.
live_daemon() {
    local port
    port=$(free_port)
    printf '%s\n' '* * * * * * * echo ok' '*/2 * * * * * * echo err >&2; exit 3' \
        '* * * * * * * sleep 3' '*/3 * * * * * * kill -KILL $$' >app.cron
    printf '%s\n' '[job "slow"]' 'schedule = * * * * * * *' 'command = sleep 10' \
        'timeout = 1s' 'overlap = allow' '' '[job "nodir"]' 'schedule = */2 * * * * * *' \
        'command = true' 'workdir = /nonexistent/dir' >jobs.ini
    start_daemon -f app.cron -c jobs.ini --no-reload --listen "127.0.0.1:$port"
    wait_started
    local i
    for i in $(seq 30); do scrape "$port" m.prom 2>/dev/null && break; sleep 0.1; done
    if [ ! -s m.prom ]; then
        echo "# skipped: nothing answers on --listen in this build"
        return 0
    fi
    wait_rec 2 6 event=job.exit job=slow
    wait_rec 2 6 event=job.error job=nodir
    wait_rec 2 6 event=job.skip job=app.cron:3
    wait_rec 2 6 event=job.exit job=app.cron:4
    scrape "$port" m.prom
    if need promtool; then expect_eq "promtool on /metrics" rc=0 "$(promtool_says m.prom)"; fi
    expect_eq "series that appear twice" "" "$(series m.prom | sort | uniq -d)"
    local ok
    ok=$(value m.prom 'crond_lite_job_runs_total{cron_job="app.cron:1",result="success"}')
    [ "$ok" -ge 3 ] || fail "app.cron:1 successes: '$ok'"
    [ "$(value m.prom 'crond_lite_job_output_lines_total{cron_job="app.cron:1",stream="stdout"}')" -ge 3 ] ||
        fail "app.cron:1 stdout lines"
    [ "$(value m.prom 'crond_lite_job_runs_total{cron_job="app.cron:2",result="failure"}')" -ge 1 ] ||
        fail "app.cron:2 failures"
    [ "$(value m.prom 'crond_lite_job_output_lines_total{cron_job="app.cron:2",stream="stderr"}')" -ge 1 ] ||
        fail "app.cron:2 stderr lines"
    [ "$(value m.prom 'crond_lite_job_skips_total{cron_job="app.cron:3",reason="running"}')" -ge 2 ] ||
        fail "app.cron:3 skips"
    [ "$(value m.prom 'crond_lite_job_runs_total{cron_job="app.cron:4",result="killed"}')" -ge 2 ] ||
        fail "app.cron:4 killed runs"
    [ "$(value m.prom 'crond_lite_job_runs_total{cron_job="slow",result="timeout"}')" -ge 2 ] ||
        fail "slow timeouts"
    [ "$(value m.prom 'crond_lite_job_runs_total{cron_job="nodir",result="error"}')" -ge 2 ] ||
        fail "nodir errors"
    expect_eq "nodir durations" 0 "$(value m.prom 'crond_lite_job_duration_seconds_count{cron_job="nodir"}')"
    expect_eq "reloads" "0 0" "$(value m.prom 'crond_lite_reloads_total{result="success"}') $(value m.prom 'crond_lite_reloads_total{result="failure"}')"

    # an invalid edit: a failed reload, its error counted, the old jobs and
    # their counters kept
    printf '%s\n' '* * * * * * * echo ok' '61 * * * * bad' >app.cron
    kill -HUP "$DPID"
    wait_rec 1 3 event=daemon.reload
    scrape "$port" m2.prom
    expect_eq "after a bad reload" "0 1 1 6" "$(value m2.prom 'crond_lite_reloads_total{result="success"}') $(value m2.prom 'crond_lite_reloads_total{result="failure"}') $(value m2.prom crond_lite_config_problems) $(value m2.prom crond_lite_jobs)"
    # fixed: a good reload; app.cron:1 is kept with its counts, the others go
    printf '%s\n' '* * * * * * * echo ok' >app.cron
    kill -HUP "$DPID"
    wait_rec 2 3 event=daemon.reload
    scrape "$port" m3.prom
    expect_eq "after a good reload" "1 1 0 3" "$(value m3.prom 'crond_lite_reloads_total{result="success"}') $(value m3.prom 'crond_lite_reloads_total{result="failure"}') $(value m3.prom crond_lite_config_problems) $(value m3.prom crond_lite_jobs)"
    [ "$(value m3.prom 'crond_lite_job_runs_total{cron_job="app.cron:1",result="success"}')" -ge "$ok" ] ||
        fail "app.cron:1 lost its counts in the reload"
    ! grep -q 'cron_job="app.cron:2"' m3.prom || fail "a removed job is still exposed"
    stop_daemon TERM
}

run_test "promtool check metrics accepts the exposition, silently" promtool_accepts
run_test "promtool refuses broken expositions (the check can fail)" promtool_refuses_broken
run_test "unique series, one HELP and TYPE a family, every family, no command" shape
run_test "README.md and the man page name every family and the buckets" documented
run_test "a live daemon's /metrics follows its jobs and reloads" live_daemon
