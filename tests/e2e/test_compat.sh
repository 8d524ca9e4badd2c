#!/usr/bin/env bash
# End-to-end tests of the personalities (DESIGN.md section 9, README
# "Coming from go-crond" and "Coming from supercronic"): the binary runs
# through `go-crond` and `supercronic` symlinks with command lines and
# variables taken from those projects' READMEs, Dockerfiles and integration
# tests (facts, cited by each test), and must run the jobs, write the log
# format asked for and serve the peers' metric names. Under its own name a
# peer's flag gets a hint.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"

HTTP="$E2E_DIR/helpers/http.py"
http() { "$PYTHON" "$HTTP" "$@"; }
ME=$(id -un)

# links: go-crond and supercronic in ./bin, links to the binary under test
links() {
    mkdir -p bin
    ln -sf "$CROND_BIN" bin/go-crond
    ln -sf "$CROND_BIN" bin/supercronic
}

# as PROGRAM ARGS...: the daemon started through that link
as() {
    local prog=$1
    shift
    links
    CROND_BIN=$PWD/bin/$prog start_daemon "$@"
}

# body PATH: the body of GET PATH on $PORT (status line first)
body() {
    http send "$PORT" "GET $1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" \
        | sed -n '1p; /^$/,/<end>/p' | grep -v '^$' | sed 's/<end>$//'
}

# promtool_ok FILE: promtool parses it; its only lint findings are about the
# peers' families (their names and labels: counters without _total,
# camelCase labels, kept on purpose).
promtool_ok() {
    command -v promtool >/dev/null || { echo "# promtool not found: parse check left out"; return 0; }
    local out rc=0
    out=$(promtool check metrics <"$1" 2>&1) || rc=$?
    [ $rc = 0 ] || [ $rc = 3 ] || fail "promtool rc=$rc: $out"
    if grep -v -e '^gocrond_' -e '^supercronic_' -e '^$' <<<"$out" | grep -q .; then
        fail "promtool findings beyond the peers' counter names: $out"
    fi
}

# ------------------------------------------------------------------ go-crond

# go-crond's Dockerfile sets SERVER_BIND=":8080" SERVER_METRICS="1"
# LOG_JSON="1" with ENTRYPOINT ["go-crond"]; its README's first example is
# `go-crond examples/crontab`, a system crontab (a user column).
gocrond_dockerfile_env() {
    PORT=$(http port)
    cat >"crontab" <<EOF
# m h dom mon dow user command
SHELL=/bin/sh
FOO=bar
@every 1s $ME echo "hello \$FOO"
0 0 1 1 * $ME true
EOF
    SERVER_BIND=":$PORT" SERVER_METRICS=1 LOG_JSON=1 as go-crond crontab
    wait_rec 2 6 event=job.exit job=crontab:4
    head -1 out.log | grep -q '^{"time":' || fail "LOG_JSON=1: not JSON: $(head -1 out.log)"
    expect_eq "the job's output" "hello bar" "$(rec event=job.output job=crontab:4 -f msg | head -1)"
    body /metrics >m.txt
    expect_eq "status" "HTTP/1.1 200 OK" "$(head -1 m.txt)"
    sed 1d m.txt >m.prom
    grep -q "^gocrond_task_info{cronSpec=\"@every 1s\",cronUser=\"$ME\",cronCommand=\"echo \\\\\"hello \$FOO\\\\\"\"} 1$" m.prom \
        || fail "gocrond_task_info: $(grep gocrond_task_info m.prom)"
    local runs
    runs=$(sed -n 's/^gocrond_task_run_count{cronSpec="@every 1s".*result="success"} //p' m.prom)
    [ "${runs:-0}" -ge 2 ] || fail "gocrond_task_run_count success: '$runs'"
    grep -q '^gocrond_task_run_result{cronSpec="@every 1s".*} 1$' m.prom || fail "run_result"
    for f in run_time run_duration run_next_time run_prev_time; do
        grep -q "^gocrond_task_${f}{cronSpec=\"@every 1s\"" m.prom || fail "no gocrond_task_$f"
    done
    # the yearly job has not run: no last-run figures, a next time
    ! grep -q '^gocrond_task_run_result{cronSpec="0 0 1 1 \*"' m.prom || fail "yearly has a result"
    grep -q '^gocrond_task_run_next_time{cronSpec="0 0 1 1 \*".*} [1-9]' m.prom || fail "yearly next"
    # crond-lite's own families are there too, without the command
    grep -q '^crond_lite_job_runs_total{cron_job="crontab:4",result="success"} [1-9]' m.prom \
        || fail "crond_lite_job_runs_total"
    ! grep '^crond_lite' m.prom | grep -q 'hello' || fail "a crond_lite family carries the command"
    promtool_ok m.prom
    expect_eq "/healthz" "HTTP/1.1 200 OK ok" "$(body /healthz | tr '\n' ' ' | sed 's/ *$//')"
    stop_daemon
    expect_eq "exit status" 0 "$DRC"
}

# Without --server.metrics go-crond serves /healthz and /readyz only.
gocrond_metrics_need_flag() {
    PORT=$(http port)
    echo "0 0 1 1 * $ME true" >"crontab"
    as go-crond --server.bind="127.0.0.1:$PORT" crontab
    wait_started
    expect_eq "/metrics" "HTTP/1.1 404 Not Found" "$(body /metrics | head -1)"
    expect_eq "/readyz" "HTTP/1.1 200 OK" "$(body /readyz | head -1)"
    head -1 out.log | grep -q ' level=info event=daemon.start ' || fail "text records: $(head -1 out.log)"
}

# README: `go-crond root:examples/crontab-root guest:examples/crontab-guest`:
# user crontabs (no user column) run as the user before the colon; their
# variables reach the jobs. go-crond changes to / (--working-directory).
gocrond_user_crontabs() {
    cat >crontab-me <<'EOF'
SHELL=/bin/sh
FOO=bar2
@every 1s echo "me $FOO $(pwd)"
EOF
    printf 'FOO=bar\n@every 1s echo "other $FOO $(pwd)"\n' >crontab-other
    as go-crond "$ME:crontab-me" --working-directory=/tmp "$ME:crontab-other"
    wait_rec 1 5 event=job.exit job=crontab-me:3
    wait_rec 1 5 event=job.exit job=crontab-other:2
    expect_eq "first crontab" "me bar2 /tmp" "$(rec event=job.output job=crontab-me:3 -f msg | head -1)"
    expect_eq "second crontab" "other bar /tmp" "$(rec event=job.output job=crontab-other:2 -f msg | head -1)"
    stop_daemon
    # the default working directory is go-crond's: /
    rm -f out.log
    as go-crond "$ME:crontab-me"
    wait_rec 1 5 event=job.exit job=crontab-me:3
    expect_eq "default working directory" "me bar2 /" "$(rec event=job.output job=crontab-me:3 -f msg | head -1)"
}

# README: `--include=/etc/cron.d --run-parts-hourly=/etc/cron.hourly
# --run-parts-weekly=... --run-parts-daily=... --run-parts-monthly=...`,
# read with CROND_LITE_LIST (the native variables still apply): every
# directory's jobs with their schedule, run-parts as --default-user.
gocrond_readme_include_run_parts() {
    mkdir cron.d cron.hourly cron.daily cron.weekly cron.monthly
    echo "30 4 * * * $ME echo from-cron.d" >cron.d/app
    for d in hourly daily weekly monthly; do
        printf '#!/bin/sh\necho %s\n' "$d" >"cron.$d/job"
        chmod 755 "cron.$d/job"
    done
    links
    local out
    out=$(CROND_LITE_LIST=1 CROND_LITE_COUNT=1 TZ=UTC bin/go-crond --default-user="$ME" \
        --include="$PWD/cron.d" --run-parts-hourly="$PWD/cron.hourly" \
        --run-parts-weekly="$PWD/cron.weekly" --run-parts-daily="$PWD/cron.daily" \
        --run-parts-monthly="$PWD/cron.monthly")
    grep -q "^app:1	.*T04:30:00+00:00$" <<<"$out" || fail "cron.d: $out"
    grep -q "^$PWD/cron.hourly/job	.*:00:00+00:00$" <<<"$out" || fail "hourly: $out"
    grep -q "^$PWD/cron.daily/job	.*T00:00:00+00:00$" <<<"$out" || fail "daily: $out"
    grep -q "^$PWD/cron.weekly/job	.*T00:00:00+00:00$" <<<"$out" || fail "weekly: $out"
    grep -q "^$PWD/cron.monthly/job	....-..-01T00:00:00+00:00$" <<<"$out" || fail "monthly: $out"
    expect_eq "lines" 5 "$(wc -l <<<"$out")"
}

# README: `--run-parts=1m:application:/etc/cron.minute` (SPEC:USER:DIR),
# here every second and as the user running the test.
gocrond_run_parts_spec_user() {
    mkdir minute
    printf '#!/bin/sh\necho "script as $(id -un)"\n' >minute/hello
    chmod 755 minute/hello
    as go-crond --run-parts="1s:$ME:$PWD/minute"
    wait_rec 1 5 event=job.exit job="$PWD/minute/hello"
    expect_eq "output" "script as $ME" "$(rec event=job.output job="$PWD/minute/hello" -f msg | head -1)"
}

# Unprivileged, go-crond needs --allow-unprivileged and then runs other
# users' jobs as itself with one warning; without it, crond-lite refuses
# those jobs (DESIGN section 4).
gocrond_allow_unprivileged() {
    if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
        echo "# skipped: needs root and setpriv"
        return 0
    fi
    make_world_readable
    mkdir -m 755 tabs
    printf '@every 1s echo "ran as $(id -u)"\n' >tabs/root-tab
    chmod 644 tabs/root-tab
    links
    local nobody
    nobody=$(id -u nobody)
    local rc=0
    setpriv --reuid="$nobody" --regid="$nobody" --clear-groups bin/go-crond root:tabs/root-tab \
        >refused.log 2>&1 || rc=$?
    expect_eq "exit status without --allow-unprivileged" 1 "$rc"
    grep -q "cannot run as user 'root'" refused.log || fail "no refusal: $(cat refused.log)"
    CROND_BIN=$PWD/bin/go-crond start_wrapped setpriv --reuid="$nobody" --regid="$nobody" \
        --clear-groups -- --allow-unprivileged root:tabs/root-tab
    wait_rec 1 5 event=job.exit job=root-tab:1
    expect_eq "the job's uid" "ran as $nobody" "$(rec event=job.output job=root-tab:1 -f msg | head -1)"
    kill -HUP "$DPID"
    wait_rec 1 5 event=daemon.reload
    expect_eq "warnings" 1 "$(nrec msg~'allow-unprivileged')"
}

gocrond_flags() {
    links
    expect_eq "--dumpversion" "$("$CROND_BIN" --version | sed 's/^crond-lite //')" "$(bin/go-crond --dumpversion)"
    expect_eq "-V" "$("$CROND_BIN" --version)" "$(bin/go-crond -V)"
    bin/go-crond --help | grep -q '^Usage: go-crond' || fail "--help"
    local rc=0 out
    out=$(bin/go-crond --nope 2>&1) || rc=$?
    expect_eq "unknown flag" "2 crond-lite (as go-crond): unknown flag '--nope' (see --help)" "$rc $out"
    rc=0
    out=$(SERVER_TIMEOUT_READ=0 bin/go-crond 2>&1) || rc=$?
    { [ $rc = 2 ] && grep -q 'SERVER_TIMEOUT_READ' <<<"$out"; } || fail "timeout 0: $rc $out"
    # -v: debug records (a "-" job's job.start is one)
    echo "-@every 1s $ME true" >"crontab"
    as go-crond -v crontab
    wait_rec 1 4 level=debug event=job.start
}

# --------------------------------------------------------------- supercronic

# supercronic's integration tests run `supercronic -json noop.crontab` and
# `-passthrough-logs hello.crontab`; its README serves metrics with
# -prometheus-listen-address (port 9746 when left out) and /health.
supercronic_json_metrics() {
    PORT=$(http port)
    printf '# every second\n* * * * * * * echo "hello from crontab"\n*/30 * * * * * * false\n' >hello.crontab
    as supercronic -json -prometheus-listen-address "127.0.0.1:$PORT" hello.crontab
    wait_rec 2 6 event=job.exit job=hello.crontab:2
    head -1 out.log | grep -q '^{"time":' || fail "-json: $(head -1 out.log)"
    expect_eq "output" "hello from crontab" "$(rec event=job.output job=hello.crontab:2 -f msg | head -1)"
    body /metrics >m.txt
    sed 1d m.txt >m.prom
    local n
    n=$(sed -n 's/^supercronic_executions{command="echo \\"hello from crontab\\"",position="0",schedule="\* \* \* \* \* \* \*"} //p' m.prom)
    [ "${n:-0}" -ge 2 ] || fail "supercronic_executions: $(grep '^supercronic_executions' m.prom)"
    grep -q '^supercronic_successful_executions{command="echo \\"hello from crontab\\"".*} [1-9]' m.prom \
        || fail "successful_executions"
    grep -q '^supercronic_failed_executions{command="false",position="1",schedule="\*/30 \* \* \* \* \* \*"} ' m.prom \
        || fail "failed_executions"
    for f in currently_running deadline_exceeded; do
        grep -q "^supercronic_${f}{command=" m.prom || fail "no supercronic_$f"
    done
    grep -q '^supercronic_cron_execution_time_seconds_bucket{command="false",position="1",schedule="\*/30 \* \* \* \* \* \*",le="10"} ' m.prom \
        || fail "histogram"
    grep -q '^crond_lite_job_runs_total{cron_job="hello.crontab:2",result="success"}' m.prom || fail "own families"
    promtool_ok m.prom
    expect_eq "/health" "HTTP/1.1 200 OK OK" "$(body /health | tr '\n' ' ' | sed 's/ *$//')"
}

# `-prometheus-listen-address 127.0.0.1`: supercronic's default port 9746.
supercronic_default_port() {
    PORT=9746
    if http send "$PORT" "GET / HTTP/1.0\r\n\r\n" >/dev/null 2>&1; then
        fail "port 9746 is taken on this machine: the default port cannot be shown"
    fi
    echo '0 0 1 1 * true' >noop.crontab
    as supercronic -prometheus-listen-address=127.0.0.1 noop.crontab
    wait_started
    expect_eq "/health on 9746" "HTTP/1.1 200 OK" "$(body /health | head -1)"
}

supercronic_passthrough_and_split() {
    printf '* * * * * * * echo "hello from crontab"; echo "to stderr" >&2\n' >hello.crontab
    as supercronic -passthrough-logs hello.crontab
    wait_for_log out.log '^hello from crontab$' 4
    wait_for_log err.log '^to stderr$' 4
    stop_daemon
    # -split-logs: job stderr (and warnings) to stderr, records on stdout
    rm -f out.log err.log
    as supercronic -split-logs hello.crontab
    wait_for_log err.log 'event=job.output .*stream=stderr msg="to stderr"' 4
    wait_for_log out.log 'event=job.output .*msg="hello from crontab"' 4
    ! grep -q 'stream=stderr' out.log || fail "stderr line on stdout"
}

# integration/test.bats: `-test` on a valid crontab exits 0, on an invalid
# one fails; `-debug` logs debug lines; `-overlapping` starts a job while
# its last run still runs.
supercronic_test_debug_overlapping() {
    links
    echo '* * * * * * * true' >noop.crontab
    echo '61 * * * * echo nope' >invalid.crontab
    bin/supercronic -test noop.crontab >/dev/null || fail "-test valid"
    local rc=0 out
    out=$(bin/supercronic -test invalid.crontab 2>&1) || rc=$?
    expect_eq "-test invalid" 1 "$rc"
    grep -q '^invalid.crontab:1:' <<<"$out" || fail "no FILE:LINE: $out"
    printf '* * * * * * * sleep 2.5\n-* * * * * * * true\n' >timeout.crontab
    as supercronic -debug -overlapping timeout.crontab
    wait_rec 3 6 event=job.start job=timeout.crontab:1
    local first_exit third_start
    first_exit=$(rec event=job.exit job=timeout.crontab:1 -f _ms | head -1)
    third_start=$(rec event=job.start job=timeout.crontab:1 -f _ms | sed -n 3p)
    [ -z "$first_exit" ] || [ "$third_start" -lt "$first_exit" ] || fail "runs did not overlap"
    [ "$(nrec level=debug job=timeout.crontab:2)" -gt 0 ] || fail "-debug: no debug record"
}

# -quiet wins over -debug: no info records.
supercronic_quiet() {
    echo '* * * * * * * true' >noop.crontab
    as supercronic -debug -quiet noop.crontab
    sleep 2.2
    expect_eq "info records" 0 "$(nrec level=info)"
    expect_eq "debug records" 0 "$(nrec level=debug)"
}

# README: SIGUSR2 reloads the crontab; SIGQUIT stops gracefully.
supercronic_signals() {
    echo '0 0 1 1 * echo old' >app.crontab
    CROND_LITE_NO_RELOAD=1 as supercronic app.crontab
    wait_started
    echo '* * * * * * * echo new' >app.crontab
    kill -USR2 "$DPID"
    wait_rec 1 4 event=job.output msg=new
    stop_daemon QUIT
    expect_eq "exit status after SIGQUIT" 0 "$DRC"
    expect_eq "daemon.stop" 1 "$(nrec event=daemon.stop)"
}

# -no-reap: orphans of jobs are not adopted unless crond-lite is PID 1.
supercronic_no_reap() {
    echo '* * * * * * * sh -c "sleep 3 & echo orphan=\$!"' >orphan.crontab
    as supercronic -no-reap orphan.crontab
    wait_rec 1 4 event=job.output msg~'^orphan='
    local o
    o=$(rec event=job.output msg~'^orphan=' -f msg | head -1 | cut -d= -f2)
    sleep 0.3
    local ppid
    ppid=$(awk '/^PPid:/ {print $2}' "/proc/$o/status")
    [ "$ppid" != "$DPID" ] || fail "-no-reap: the orphan was adopted"
    stop_daemon
    # without it, the orphan is the daemon's
    rm -f out.log
    as supercronic orphan.crontab
    wait_rec 1 4 event=job.output msg~'^orphan='
    o=$(rec event=job.output msg~'^orphan=' -f msg | head -1 | cut -d= -f2)
    sleep 0.3
    expect_eq "adopted by" "$DPID" "$(awk '/^PPid:/ {print $2}' "/proc/$o/status")"
}

supercronic_refusals() {
    links
    echo '0 0 1 1 * true' >a.crontab
    local rc=0 out
    out=$(bin/supercronic -sentry-dsn https://k@sentry.example/1 a.crontab 2>&1) || rc=$?
    { [ $rc = 2 ] && grep -q -- '--on-failure' <<<"$out"; } || fail "-sentry-dsn: $rc $out"
    rc=0
    out=$(SENTRY_DSN=https://k@sentry.example/1 bin/supercronic a.crontab 2>&1) || rc=$?
    { [ $rc = 2 ] && grep -q -- 'SENTRY_DSN: .*--on-failure' <<<"$out"; } || fail "SENTRY_DSN: $rc $out"
    rc=0
    out=$(bin/supercronic a.crontab -json 2>&1) || rc=$?
    { [ $rc = 2 ] && grep -q 'flags go before it' <<<"$out"; } || fail "flag after CRONTAB: $rc $out"
    rc=0
    out=$(bin/supercronic 2>&1) || rc=$?
    { [ $rc = 2 ] && grep -q 'expected a CRONTAB' <<<"$out"; } || fail "no CRONTAB: $rc $out"
    expect_eq "-version" "$("$CROND_BIN" --version | sed 's/^crond-lite //')" "$(bin/supercronic -version)"
}

# ------------------------------------------------------ --compat, own name

compat_option_and_variable() {
    echo '* * * * * * * echo via-compat' >app.crontab
    start_daemon --compat supercronic -json app.crontab
    wait_rec 1 4 event=job.output msg=via-compat
    head -1 out.log | grep -q '^{' || fail "--compat supercronic -json: $(head -1 out.log)"
    stop_daemon
    rm -f out.log
    echo "* * * * * * * $ME echo via-env" >sys.crontab
    CROND_LITE_COMPAT=go-crond LOG_JSON=true start_daemon sys.crontab
    wait_rec 1 4 event=job.output msg=via-env
    head -1 out.log | grep -q '^{' || fail "CROND_LITE_COMPAT=go-crond LOG_JSON=true"
    local rc=0 out
    out=$("$CROND_BIN" --compat nope 2>&1) || rc=$?
    expect_eq "bad name" "2 crond-lite: --compat: expected go-crond or supercronic, got 'nope'" "$rc $out"
}

# The issue's own tries: each peer form gets a hint naming the native option
# and the personality, as a usage error.
hints_under_own_name() {
    local rc out
    check_hint() {
        rc=0
        out=$("$CROND_BIN" "$@" 2>&1) || rc=$?
        expect_eq "exit status of $*" 2 "$rc"
        grep -qF -- "$HINT" <<<"$out" || fail "$*: no '$HINT' in: $out"
    }
    HINT="use --log-format json, or run as supercronic" check_hint -json
    HINT="use --split-logs, or run as supercronic" check_hint -split-logs
    HINT="use --log-format json, or run as go-crond" check_hint --log.json
    HINT="use --listen ADDR, or run as go-crond" check_hint --server.bind=:8080
    HINT="go-crond's USER:PATH: run as go-crond" check_hint root:/etc/crontab
    HINT="go-crond and supercronic take them as arguments" check_hint /etc/crontab
    HINT="use --check, or run as supercronic" check_hint --test
    HINT="--on-failure" check_hint -sentry-dsn=x
}

run_test gocrond_dockerfile_env gocrond_dockerfile_env
run_test gocrond_metrics_need_flag gocrond_metrics_need_flag
run_test gocrond_user_crontabs gocrond_user_crontabs
run_test gocrond_readme_include_run_parts gocrond_readme_include_run_parts
run_test gocrond_run_parts_spec_user gocrond_run_parts_spec_user
run_test gocrond_allow_unprivileged gocrond_allow_unprivileged
run_test gocrond_flags gocrond_flags
run_test supercronic_json_metrics supercronic_json_metrics
run_test supercronic_default_port supercronic_default_port
run_test supercronic_passthrough_and_split supercronic_passthrough_and_split
run_test supercronic_test_debug_overlapping supercronic_test_debug_overlapping
run_test supercronic_quiet supercronic_quiet
run_test supercronic_signals supercronic_signals
run_test supercronic_no_reap supercronic_no_reap
run_test supercronic_refusals supercronic_refusals
run_test compat_option_and_variable compat_option_and_variable
run_test hints_under_own_name hints_under_own_name
