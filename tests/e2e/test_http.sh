#!/usr/bin/env bash
# End-to-end tests of --listen (DESIGN.md section 10, README "HTTP
# endpoint"): the routes and their status codes, HEAD, keep-alive and
# pipelining, /readyz across reloads and during a stop, start errors, and
# the bounds under abuse (half-open and slow clients, oversized heads,
# garbage, floods, 1,000 requests, fds running out) while a job due every
# second keeps starting on time. Requests go through helpers/http.py, which
# shows the exact bytes of each response.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"
. "$E2E_DIR/helpers/faults.sh"

HTTP="$E2E_DIR/helpers/http.py"
http() { "$PYTHON" "$HTTP" "$@"; }

# start_http [WRAPPER... --] ARGS: the daemon with --listen on a free port
# (PORT) and tabs/ (a yearly job unless the test wrote one), started.
start_http() {
    local pre=()
    if [[ " $* " == *" -- "* ]]; then
        while [ "$1" != -- ]; do pre+=("$1"); shift; done
        shift
    fi
    PORT=$(http port)
    mkdir -p tabs
    [ -e tabs/app.cron ] || echo '0 0 1 1 * true' >tabs/app.cron
    start_wrapped "${pre[@]}" -- -f tabs --no-reload --listen "127.0.0.1:$PORT" "$@"
    wait_started
}

# get PATH [METHOD]: one request that asks to close; the response as
# http.py prints it.
get() { http send "$PORT" "${2:-GET} $1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"; }

# response STATUS HEADERS BODY [END]: what http.py prints for one response
# (HEADERS: one a line, after Content-Type), then a line END ("closed"
# unless given: "open", or "" for none when another response follows).
response() {
    printf 'HTTP/1.1 %s\nContent-Type: text/plain; charset=utf-8\n%s\n\n%s<end>' \
        "$1" "$2" "$3"
    [ -z "${4-closed}" ] || printf '\n%s' "${4-closed}"
}

routes_and_statuses() {
    start_http
    expect_eq "/healthz" "$(response "200 OK" $'Content-Length: 3\nCache-Control: no-store\nConnection: close' $'ok\n')" \
        "$(get /healthz)"
    expect_eq "/readyz" "$(response "200 OK" $'Content-Length: 6\nCache-Control: no-store\nConnection: close' $'ready\n')" \
        "$(get /readyz)"
    local m
    m=$(get /metrics)
    expect_eq "/metrics status" "HTTP/1.1 200 OK" "$(head -1 <<<"$m")"
    grep -qx 'Content-Type: text/plain; version=0.0.4; charset=utf-8' <<<"$m" || fail "/metrics: $m"
    expect_eq "the query is no part of the path" "HTTP/1.1 200 OK" "$(get '/healthz?verbose=1' | head -1)"
    expect_eq "an unknown path" "$(response "404 Not Found" $'Content-Length: 10\nCache-Control: no-store\nConnection: close' $'Not Found\n')" \
        "$(get /healthz/x)"
    expect_eq "a long path" "HTTP/1.1 404 Not Found" "$(get "/$(printf 'a%.0s' {1..400})" | head -1)"
    expect_eq "POST" "$(response "405 Method Not Allowed" $'Content-Length: 19\nCache-Control: no-store\nAllow: GET, HEAD\nConnection: close' $'Method Not Allowed\n')" \
        "$(http send "$PORT" 'POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc')"
    expect_eq "garbage" "$(response "400 Bad Request" $'Content-Length: 12\nCache-Control: no-store\nConnection: close' $'Bad Request\n')" \
        "$(http send "$PORT" '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03garbage\r\n\r\n')"
    expect_eq "a NUL byte" "HTTP/1.1 400 Bad Request" "$(http send "$PORT" 'GET /\x00 HTTP/1.1\r\n\r\n' | head -1)"
    expect_eq "a body" "HTTP/1.1 413 Payload Too Large" \
        "$(http send "$PORT" 'GET /healthz HTTP/1.1\r\nContent-Length: 2\r\n\r\nab' | head -1)"
    expect_eq "HTTP/2.0 as text" "HTTP/1.1 505 HTTP Version Not Supported" \
        "$(http send "$PORT" 'GET /healthz HTTP/2.0\r\n\r\n' | head -1)"
    # nothing was logged for all that: requests are not records
    expect_eq "records other than daemon.start and config.error" "" \
        "$(rec -f event | grep -vxE 'daemon\.start|config\.error' || true)"
}

# HEAD: the GET's head, Content-Length included, and no body: the next
# response on the connection follows the empty line at once.
head_has_no_body() {
    start_http
    expect_eq "HEAD, then GET on one connection" \
        "$(response "200 OK" $'Content-Length: 3\nCache-Control: no-store' '' '')"$'\n'"$(response "200 OK" $'Content-Length: 6\nCache-Control: no-store\nConnection: close' $'ready\n')" \
        "$(http send "$PORT" 'HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\n' 'GET /readyz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n')"
    expect_eq "HEAD of a 404" "$(response "404 Not Found" $'Content-Length: 10\nCache-Control: no-store\nConnection: close' '')" \
        "$(get /nothing HEAD)"
}

keep_alive() {
    start_http
    local ok1 ok2
    ok1=$(response "200 OK" $'Content-Length: 3\nCache-Control: no-store' $'ok\n' '')
    ok2=$(response "200 OK" $'Content-Length: 6\nCache-Control: no-store' $'ready\n' '')
    # HTTP/1.1: the connection stays open after each answer
    expect_eq "two requests, one after the other" "$ok1"$'\n'"$ok2"$'\nopen' \
        "$(http send "$PORT" 'GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n' 'GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n')"
    # pipelined: three in one write, answered in order
    expect_eq "three pipelined" "$ok1"$'\n'"$ok2"$'\n'"$ok1"$'\nopen' \
        "$(http send "$PORT" 'GET /healthz HTTP/1.1\r\n\r\nGET /readyz HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n')"
    # HTTP/1.0 closes unless asked not to
    expect_eq "HTTP/1.0" "$(response "200 OK" $'Content-Length: 3\nCache-Control: no-store\nConnection: close' $'ok\n')" \
        "$(http send "$PORT" 'GET /healthz HTTP/1.0\r\n\r\n')"
    local ka
    ka=$(response "200 OK" $'Content-Length: 3\nCache-Control: no-store\nConnection: keep-alive' $'ok\n' '')
    expect_eq "HTTP/1.0 keep-alive" "$ka"$'\n'"$ka"$'\nopen' \
        "$(http send "$PORT" 'GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n' 'GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')"
    # a refusal ends the connection, also in the middle of a pipeline
    local out
    out=$(http send "$PORT" 'GET /healthz HTTP/1.1\r\n\r\nPOST / HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n' 2>&1 || true)
    expect_eq "statuses of a pipeline with a POST in it" $'HTTP/1.1 200 OK\nHTTP/1.1 405 Method Not Allowed\nerror: EOFError' \
        "$(grep -E '^(HTTP|error)' <<<"$out")"
}

# /readyz: 503 with the reason after a reload that kept an invalid file's
# jobs, 200 again once it is fixed; during a stop 503 "stopping", while
# /healthz stays 200 until the daemon exits.
readyz_follows_reloads() {
    echo '* * * * * * * true' >tabs.good
    mkdir tabs
    cp tabs.good tabs/app.cron
    start_http
    expect_eq "/readyz at start" "HTTP/1.1 200 OK" "$(get /readyz | head -1)"
    echo '61 * * * * true' >>tabs/app.cron
    kill -HUP "$DPID"
    wait_rec 1 5 event=daemon.reload invalid_kept=1
    local why=$'not ready: the last reload found 1 problem in the crontabs (config.error records); 1 job of invalid files kept from before\n'
    expect_eq "/readyz after an invalid reload" \
        "$(response "503 Service Unavailable" "Content-Length: ${#why}"$'\nCache-Control: no-store\nConnection: close' "$why")" \
        "$(get /readyz)"
    expect_eq "/healthz meanwhile" "HTTP/1.1 200 OK" "$(get /healthz | head -1)"
    cp tabs.good tabs/app.cron
    kill -HUP "$DPID"
    wait_rec 2 5 event=daemon.reload
    expect_eq "/readyz once fixed" "HTTP/1.1 200 OK" "$(get /readyz | head -1)"
}

# --probe: the healthcheck of images without curl, against the same daemon
probe_exit_status() {
    echo '* * * * * * * true' >tabs.good
    mkdir tabs
    cp tabs.good tabs/app.cron
    start_http
    local out rc=0
    out=$("$CROND_BIN" --probe /healthz --listen "127.0.0.1:$PORT" 2>&1) || rc=$?
    expect_eq "--probe /healthz" "0 HTTP/1.1 200 OK" "$rc $out"
    # the address from the variable, and :PORT meaning this host
    rc=0
    out=$(CROND_LITE_LISTEN=":$PORT" "$CROND_BIN" --probe /readyz 2>&1) || rc=$?
    expect_eq "--probe /readyz via CROND_LITE_LISTEN=:PORT" "0 HTTP/1.1 200 OK" "$rc $out"
    echo '61 * * * * true' >>tabs/app.cron
    kill -HUP "$DPID"
    wait_rec 1 5 event=daemon.reload invalid_kept=1
    rc=0
    out=$("$CROND_BIN" --probe /readyz --listen "127.0.0.1:$PORT" 2>&1) || rc=$?
    expect_eq "--probe /readyz when not ready" \
        "1 crond-lite: --probe /readyz: HTTP/1.1 503 Service Unavailable" "$rc $out"
    rc=0
    out=$("$CROND_BIN" --probe /nowhere --listen "127.0.0.1:$PORT" 2>&1) || rc=$?
    expect_eq "--probe of a 404" 1 "$rc"
    stop_daemon
    rc=0
    out=$("$CROND_BIN" --probe /healthz --listen "127.0.0.1:$PORT" 2>&1) || rc=$?
    expect_eq "--probe with nothing listening" 1 "$rc"
    grep -q "connect: Connection refused" <<<"$out" || fail "$out"
    rc=0
    out=$(env -u CROND_LITE_LISTEN "$CROND_BIN" --probe /healthz 2>&1) || rc=$?
    expect_eq "--probe without --listen" 2 "$rc"
}

readyz_during_stop() {
    # a job that ignores SIGTERM keeps the stop going for --grace
    echo '* * * * * * * trap "" TERM; while :; do sleep 0.1; done' >tabs.cron
    mkdir tabs
    mv tabs.cron tabs/app.cron
    start_http --grace 3s
    wait_rec 1 4 event=job.start
    kill -TERM "$DPID"
    wait_rec 1 2 event=daemon.stop
    expect_eq "/readyz while stopping" $'HTTP/1.1 503 Service Unavailable\nnot ready: stopping' \
        "$(get /readyz | grep -E '^(HTTP|not ready)')"
    expect_eq "/healthz while stopping" "HTTP/1.1 200 OK" "$(get /healthz | head -1)"
    wait_exit "$DPID" 6
    expect_eq "exit status" 0 "$DRC"
    ! http send "$PORT" 'GET /healthz HTTP/1.1\r\n\r\n' >/dev/null 2>&1 || fail "still listening after the exit"
}

bad_listen_is_usage_error() {
    local v rc out
    echo '0 0 1 1 * true' >app.cron
    for v in nonsense :0 :65536 example.com:80 '[::1]' 127.0.0.1; do
        rc=0
        out=$("$CROND_BIN" -f app.cron --listen "$v" 2>&1) || rc=$?
        expect_eq "--listen '$v': exit status" 2 "$rc"
        grep -q -- "$v" <<<"$out" || fail "--listen '$v': $out"
    done
    rc=0
    out=$(CROND_LITE_LISTEN=:x "$CROND_BIN" -f app.cron 2>&1) || rc=$?
    expect_eq "CROND_LITE_LISTEN=:x: exit status" 2 "$rc"
}

# A port another socket listens on: a daemon.error record, exit 1, no
# daemon.start and no job run.
port_in_use_fails_start() {
    local holder port i
    "$PYTHON" -c 'import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
print(s.getsockname()[1], flush=True)
time.sleep(30)' >holder.port &
    holder=$!
    for ((i = 0; i < 50; i++)); do [ -s holder.port ] && break; sleep 0.1; done
    port=$(cat holder.port)
    echo '* * * * * * * echo ran' >app.cron
    local rc=0
    timeout 5 "$CROND_BIN" -f app.cron --listen "127.0.0.1:$port" >out.log 2>err.log || rc=$?
    kill "$holder"
    wait "$holder" 2>/dev/null || true
    expect_eq "exit status" 1 "$rc"
    expect_eq "daemon.error" \
        "--listen 127.0.0.1:$port: bind: Address already in use; not starting" \
        "$(rec event=daemon.error -f msg)"
    expect_eq "daemon.start records" 0 "$(nrec event=daemon.start)"
    expect_eq "job.start records" 0 "$(nrec event=job.start)"
}

# start_measured: start_http, with a small ASan quarantine (see
# test_faults_memory.sh) so that VmRSS means something there too.
start_measured() {
    if is_asan; then
        start_http env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1" --
    else
        start_http
    fi
}

# The abuse the issue names, while a job is due every second: 40 half-open
# connections (some silent, some with half a head, two sending a head that
# never ends a byte at a time), heads of 8 KiB + 1 and more, garbage, a
# pipelining client that reads nothing, 1,000 requests in a row. Every
# second still has its job.start in that second, the daemon answers
# /healthz afterwards, and its VmRSS grew by less than 512 kB.
abuse_while_jobs_run() {
    mkdir tabs
    echo '* * * * * * * date +%s%N' >tabs/app.cron
    start_measured
    # warm-up: every kind of answer once, so that first-use allocations are in r0
    http many "$PORT" 50 /healthz >/dev/null
    get /nothing >/dev/null
    http send "$PORT" 'garbage\r\n\r\n' >/dev/null
    local r0 t0 c0
    sleep 0.5
    r0=$(status_kb "$DPID" VmRSS)
    t0=$(now_ms)
    c0=$(cpu_ticks "$DPID")
    # 32 are taken at once and cut 5 s later; the 8 the kernel queued
    # meanwhile are taken then, and cut 5 s after that
    local times
    times=$(http hold "$PORT" 40 20 2)
    local first last
    first=$(head -32 <<<"$times" | awk '$1 < 4.5 || $1 > 6.5' | xargs)
    last=$(tail -8 <<<"$times" | awk '$1 == "open" || $1 < 9 || $1 > 11.5' | xargs)
    [ -z "$first$last" ] || fail "half-open connections closed after (s): $(xargs <<<"$times")"
    local c1
    c1=$(cpu_ticks "$DPID")
    figure "40 half-open connections: closed after $(head -1 <<<"$times")-$(sed -n 32p <<<"$times") s and $(sed -n 33p <<<"$times")-$(tail -1 <<<"$times") s; daemon CPU $((c1 - c0)) ticks over $(( ($(now_ms) - t0) / 1000 )) s"
    [ $((c1 - c0)) -lt "$(cpu_bound 150)" ] || fail "the daemon used $((c1 - c0)) ticks of CPU while holding idle connections"
    # "GET /healthz HTTP/1.1\r\nX: " is 26 bytes, "\r\n\r\n" 4
    local big
    big=$(head -c 8192 /dev/zero | tr '\0' a)
    expect_eq "a head of 8 KiB + 1" "HTTP/1.1 431 Request Header Fields Too Large" \
        "$(http send "$PORT" "GET /healthz HTTP/1.1\r\nX: ${big:0:8163}\r\n\r\n" | head -1)"
    expect_eq "a head of 8 KiB" "HTTP/1.1 200 OK" \
        "$(http send "$PORT" "GET /healthz HTTP/1.1\r\nX: ${big:0:8162}\r\n\r\n" | head -1)"
    expect_eq "a head of 64 KiB" "HTTP/1.1 431 Request Header Fields Too Large" \
        "$(http send "$PORT" "GET /healthz HTTP/1.1\r\nX: $big$big$big$big$big$big$big$big\r\n\r\n" | head -1)"
    local garbage
    garbage=$(head -c 3000 /dev/urandom | od -An -tx1 -v | tr -d ' \n' | sed 's/../\\x&/g')
    expect_eq "3000 random bytes" "HTTP/1.1 400 Bad Request" "$(http send "$PORT" "$garbage" | head -1)"
    local flood
    flood=$(http flood "$PORT")
    awk -v t="$flood" 'BEGIN { exit !(t != "open" && t >= 4.5 && t <= 7) }' ||
        fail "a client that reads nothing was cut after $flood s, not 5"
    expect_eq "1,000 requests in a row answered" 1000 "$(http many "$PORT" 1000 /healthz)"
    local t1 r1
    t1=$(now_ms)
    expect_eq "/healthz after all that" "HTTP/1.1 200 OK" "$(get /healthz | head -1)"
    sleep 0.5
    r1=$(status_kb "$DPID" VmRSS)
    figure "abuse over $(( (t1 - t0) / 1000 )) s: VmRSS ${r0} kB before, ${r1} kB after ($((r1 - r0)) kB)"
    every_second app.cron:1 "$t0" "$t1"
    local bound=512
    is_asan && bound=4096
    [ $((r1 - r0)) -lt $bound ] || fail "VmRSS grew by $((r1 - r0)) kB (from $r0 kB)"
    stop_daemon
    expect_eq "exit status" 0 "$DRC"
}

# Out of fds: accept fails with EMFILE, and the daemon neither spins on the
# queued connections nor gives up: one warning, little CPU, and it answers
# again once connections close.
fds_run_out() {
    start_http prlimit --nofile=24:24 --
    local c0 c1 out
    c0=$(cpu_ticks "$DPID")
    out=$(http hold "$PORT" 30 0 0 3)
    c1=$(cpu_ticks "$DPID")
    figure "30 connections with 24 fds: $(grep -c open <<<"$out") still open after 3 s; daemon CPU $((c1 - c0)) ticks"
    [ $((c1 - c0)) -lt "$(cpu_bound 30)" ] || fail "the daemon used $((c1 - c0)) ticks of CPU in 3 s at EMFILE"
    expect_eq "accept warnings" 1 "$(nrec event=daemon.error level=warn msg~'accept: Too many open files')"
    local i st=
    for ((i = 0; i < 30; i++)); do
        st=$(get /healthz 2>/dev/null | head -1 || true)
        [ "$st" = "HTTP/1.1 200 OK" ] && break
        sleep 0.2
    done
    expect_eq "/healthz once the clients left" "HTTP/1.1 200 OK" "$st"
}

# The listening socket and every accepted one are close-on-exec (SECURITY.md
# promise 3): none can reach a job.
sockets_close_on_exec() {
    start_http
    http hold "$PORT" 2 1 0 2 >/dev/null &
    local holder=$! fd link flags n=0 bad=""
    sleep 0.7
    while read -r fd; do
        link=$(readlink "/proc/$DPID/fd/$fd" 2>/dev/null) || continue
        [[ "$link" == socket:* ]] || continue
        flags=$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$DPID/fdinfo/$fd" 2>/dev/null) || continue
        n=$((n + 1))
        (( (8#$flags & 8#2000000) != 0 )) || bad="$bad $fd"
    done < <(find "/proc/$DPID/fd" -mindepth 1 -maxdepth 1 -printf '%f\n')
    wait "$holder"
    [ "$n" -ge 3 ] || fail "$n sockets seen, not the listener and 2 connections"
    [ -z "$bad" ] || fail "sockets without close-on-exec:$bad"
}

run_test "routes and their status codes" routes_and_statuses
run_test "HEAD has no body" head_has_no_body
run_test "keep-alive, pipelining, HTTP/1.0" keep_alive
run_test "/readyz follows reloads" readyz_follows_reloads
run_test "/readyz during a stop, closed after it" readyz_during_stop
run_test "--probe: 0 on 200, 1 otherwise, 2 without --listen" probe_exit_status
run_test "a bad --listen is a usage error" bad_listen_is_usage_error
run_test "a port in use fails the start" port_in_use_fails_start
run_test "sockets are close-on-exec" sockets_close_on_exec
run_test "abuse while a job runs every second" abuse_while_jobs_run
run_test "fds running out" fds_run_out
