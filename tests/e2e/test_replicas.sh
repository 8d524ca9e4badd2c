#!/usr/bin/env bash
# End-to-end tests of more than one replica (DESIGN.md section 11, README
# "More than one replica"): CROND_LITE_JOB, _DUE and _RUN in every job's and
# hook's environment; --claim through a real redis-server (Debian's, on a
# free port, data in the test's directory, stopped by its pid): three
# replicas run each due second once between them, also when one is killed;
# the store stopping and coming back with --claim-fail closed and open; a
# password and a DB number in the URL; claim = off; --guard.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"
. "$E2E_DIR/helpers/redis.sh"

HTTP="$E2E_DIR/helpers/http.py"
REPS=()

# Each test runs in a subshell (run_test), which does not inherit traps:
# every test sets this one first, so that no replica and no redis-server
# outlives it.
cleanup_all() {
    local p
    for p in "${REPS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${REPS[@]}"; do wait "$p" 2>/dev/null || true; done
    redis_stop
}

# rep N ARGS...: replica N (crond-lite ARGS), its records in repN.log
rep() {
    local n=$1
    shift
    "$CROND_BIN" "$@" >"rep$n.log" 2>"rep$n.err" &
    REPS[n]=$!
}

rrec() { local f=$1; shift; "$PYTHON" "$RECORDS" "$f" "$@"; }
# wait_n N TIMEOUT FILE... -- FILTER...: until N records match in the files together
wait_n() {
    local n=$1 t=$2 files=() have i f
    shift 2
    while [ "$1" != -- ]; do files+=("$1"); shift; done
    shift
    for ((i = 0; i < t * 10; i++)); do
        have=0
        for f in "${files[@]}"; do have=$((have + $(rrec "$f" "$@" --count))); done
        [ "$have" -ge "$n" ] && return 0
        sleep 0.1
    done
    for f in "${files[@]}"; do echo "--- $f"; tail -5 "$f"; done
    fail "waited ${t}s for $n record(s) $* in ${files[*]}: have $have"
}

stop_reps() {
    local p
    for p in "${REPS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${REPS[@]}"; do wait "$p" 2>/dev/null || true; done
    REPS=()
}

TAB='* * * * * * * echo "due=$CROND_LITE_DUE run=$CROND_LITE_RUN job=$CROND_LITE_JOB"'

# once_each LOG...: every due second from the last daemon.start to the first
# daemon.stop ran exactly once among the logs, and none ran twice anywhere.
once_each() {
    "$PYTHON" - "$RECORDS" "$@" <<'EOF'
import json, subprocess, sys, calendar, time
records, logs = sys.argv[1], sys.argv[2:]
def recs(f, *filt):
    out = subprocess.run([sys.executable, records, f, *filt], capture_output=True, text=True, check=True).stdout
    return [json.loads(l) for l in out.splitlines()]
def sec(t):  # "2026-12-07T07:03:47Z" or a record time
    return calendar.timegm(time.strptime(t[:19], "%Y-%m-%dT%H:%M:%S"))
dues, runs, starts, stops = [], [], [], []
for f in logs:
    for r in recs(f, "event=job.output"):
        fields = dict(kv.split("=", 1) for kv in r["msg"].split())
        assert fields["job"] == "t.cron:1", r
        dues.append(sec(fields["due"])); runs.append(fields["run"])
    starts += [sec(r["time"]) for r in recs(f, "event=daemon.start")]
    stops += [sec(r["time"]) for r in recs(f, "event=daemon.stop")]
twice = sorted(d for d in set(dues) if dues.count(d) > 1)
assert not twice, "ran twice: %s" % twice
assert len(set(runs)) == len(runs), "CROND_LITE_RUN repeated"
lo, hi = max(starts) + 1, min(stops) - 1 if stops else max(dues)
missing = [s for s in range(lo, hi + 1) if s not in dues]
assert not missing, "seconds %d..%d, missing %s (ran %s)" % (lo, hi, missing, sorted(dues))
assert hi - lo >= 3, "window too short: %d..%d" % (lo, hi)
print("%d seconds, each once" % (hi - lo + 1))
EOF
}

# Three replicas of a per-second job for ten seconds: each due second runs
# once between them; the others log job.skip reason=claimed.
three_replicas_once() {
    trap cleanup_all EXIT
    redis_start "$("$PYTHON" "$HTTP" port)"
    echo "$TAB" >t.cron
    for n in 1 2 3; do rep "$n" -f t.cron --claim "redis://127.0.0.1:$RPORT"; done
    wait_n 3 5 rep1.log rep2.log rep3.log -- event=claim.connect
    sleep 10
    stop_reps
    once_each rep1.log rep2.log rep3.log
    local runs skips
    runs=$(( $(rrec rep1.log event=job.start --count) + $(rrec rep2.log event=job.start --count) + $(rrec rep3.log event=job.start --count) ))
    skips=$(( $(rrec rep1.log event=job.skip reason=claimed --count) + $(rrec rep2.log event=job.skip reason=claimed --count) + $(rrec rep3.log event=job.skip reason=claimed --count) ))
    [ "$skips" -ge $((2 * runs - 6)) ] || fail "$runs runs, only $skips claimed skips"
    # the key of a run, with the replica that took it
    local key
    key=$(rcli --scan --pattern 'crond-lite:t.cron:1:*' | head -1)
    [[ $key =~ ^crond-lite:t\.cron:1:20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] || fail "key '$key'"
    [[ $(rcli get "$key") =~ ^.+:[0-9]+$ ]] || fail "value '$(rcli get "$key")'"
    [ "$(rcli ttl "$key")" -gt 10800 ] || fail "ttl $(rcli ttl "$key")"
}

# One replica is killed (SIGKILL, mid-second): no second is lost.
kill_one_replica() {
    trap cleanup_all EXIT
    redis_start "$("$PYTHON" "$HTTP" port)"
    echo "$TAB" >t.cron
    for n in 1 2 3; do rep "$n" -f t.cron --claim "redis://127.0.0.1:$RPORT"; done
    wait_n 3 5 rep1.log rep2.log rep3.log -- event=claim.connect
    sleep 3
    # mid-second: no claim is in flight
    while [ "$(date +%N | cut -c1)" != 5 ]; do sleep 0.05; done
    kill -KILL "${REPS[2]}"
    wait "${REPS[2]}" 2>/dev/null || true
    unset 'REPS[2]'
    local before
    before=$(( $(rrec rep1.log event=job.exit --count) + $(rrec rep3.log event=job.exit --count) ))
    wait_n $((before + 4)) 8 rep1.log rep3.log -- event=job.exit
    stop_reps
    # the window is the two survivors' (and rep2's seconds before it died)
    once_each rep1.log rep2.log rep3.log
}

# --claim-fail closed (the default): while the store is down a due run is
# skipped with a job.error; it claims again once the store is back.
store_down_closed() {
    trap cleanup_all EXIT
    redis_start "$("$PYTHON" "$HTTP" port)"
    echo "$TAB" >t.cron
    rep 1 -f t.cron --claim "redis://127.0.0.1:$RPORT"
    wait_n 2 5 rep1.log -- event=job.exit
    redis_stop
    wait_n 2 8 rep1.log -- event=job.error msg~'^claim: store unreachable'
    local down_starts
    down_starts=$(rrec rep1.log event=job.start --count)
    sleep 1.5
    expect_eq "runs while the store is down" "$down_starts" "$(rrec rep1.log event=job.start --count)"
    expect_eq "claim.error records" 1 "$(rrec rep1.log event=claim.error --count)"
    rrec rep1.log event=claim.error -f msg | grep -q 'connection lost\|cannot connect' || fail "$(rrec rep1.log event=claim.error)"
    redis_start "$RPORT"
    wait_n 2 8 rep1.log -- event=claim.connect
    wait_n $((down_starts + 2)) 8 rep1.log -- event=job.start
    expect_eq "errors counted" 1 "$(( $(rrec rep1.log event=job.error --count) >= 2 ))"
}

# --claim-fail open: while the store is down every replica runs.
store_down_open() {
    trap cleanup_all EXIT
    redis_start "$("$PYTHON" "$HTTP" port)"
    echo "$TAB" >t.cron
    rep 1 -f t.cron --claim "redis://127.0.0.1:$RPORT" --claim-fail open
    wait_n 2 5 rep1.log -- event=job.exit
    redis_stop
    wait_n 1 5 rep1.log -- event=claim.error
    local n
    n=$(rrec rep1.log event=job.start --count)
    wait_n $((n + 3)) 6 rep1.log -- event=job.start
    expect_eq "job.error records" 0 "$(rrec rep1.log event=job.error --count)"
}

# A password (with an '@', percent-escaped) and a database number.
password_and_db() {
    trap cleanup_all EXIT
    local pw='s3cr@t'
    redis_start "$("$PYTHON" "$HTTP" port)" --requirepass "$pw"
    echo "$TAB" >t.cron
    rep 1 -f t.cron --claim "redis://:s3cr%40t@127.0.0.1:$RPORT/5"
    wait_n 2 5 rep1.log -- event=job.exit
    [ -n "$(rcli -a "$pw" --no-auth-warning -n 5 --scan --pattern 'crond-lite:*' | head -1)" ] ||
        fail "no key in database 5"
    expect_eq "keys in database 0" "" "$(rcli -a "$pw" --no-auth-warning -n 0 --scan --pattern 'crond-lite:*')"
    # the URL's password never reaches a record
    ! grep -q 's3cr' rep1.log || fail "password logged: $(grep s3cr rep1.log)"
    rrec rep1.log event=claim.connect -f store | grep -qx "redis://:\*\*\*@127.0.0.1:$RPORT/5" ||
        fail "store: $(rrec rep1.log event=claim.connect -f store)"
    # a wrong password: refused, said once, and runs are skipped (closed)
    rep 2 -f t.cron --claim "redis://:wrong@127.0.0.1:$RPORT/5"
    wait_n 1 5 rep2.log -- event=claim.error msg~'AUTH refused'
    wait_n 1 5 rep2.log -- event=job.error msg~'^claim: '
    expect_eq "runs with a wrong password" 0 "$(rrec rep2.log event=job.start --count)"
}

# claim = off: an INI job every replica runs, beside a claimed crontab job.
claim_off() {
    trap cleanup_all EXIT
    redis_start "$("$PYTHON" "$HTTP" port)"
    echo '* * * * * * * echo claimed' >t.cron
    cat >c.ini <<'EOF'
[job "local"]
schedule = * * * * * * *
command = echo local
claim = off
EOF
    for n in 1 2; do rep "$n" -f t.cron -c c.ini --claim "redis://127.0.0.1:$RPORT"; done
    wait_n 2 5 rep1.log rep2.log -- event=claim.connect
    sleep 4
    stop_reps
    local l1 l2 c
    l1=$(rrec rep1.log event=job.output msg=local --count)
    l2=$(rrec rep2.log event=job.output msg=local --count)
    c=$(( $(rrec rep1.log event=job.output msg=claimed --count) + $(rrec rep2.log event=job.output msg=claimed --count) ))
    if [ "$l1" -lt 3 ] || [ "$l2" -lt 3 ]; then fail "claim = off ran $l1 and $l2 times"; fi
    [ "$c" -le $(( (l1 > l2 ? l1 : l2) + 1 )) ] || fail "the claimed job ran $c times, local $l1/$l2"
    [ -z "$(rcli --scan --pattern 'crond-lite:local:*')" ] || fail "claim = off was claimed"
}

# --guard: exit 0 runs the job, 1 skips it (reason=guard), 2 is a job.error;
# it sees the run's variables, and the run gets the same CROND_LITE_RUN.
guard() {
    trap cleanup_all EXIT
    echo 0 >verdict
    printf '%s\n' "$TAB" >t.cron
    rep 1 -f t.cron --guard "echo \"guard \$CROND_LITE_JOB \$CROND_LITE_DUE \$CROND_LITE_RUN\"; exit \$(cat $PWD/verdict)"
    wait_n 2 5 rep1.log -- event=job.exit job=t.cron:1
    echo 1 >verdict
    wait_n 2 5 rep1.log -- event=job.skip reason=guard
    echo 2 >verdict
    wait_n 1 5 rep1.log -- event=job.error msg~'^guard: exit status 2'
    stop_reps
    # each run's guard saw its job, due time and run id
    local run due
    run=$(rrec rep1.log event=job.output job=t.cron:1 -f msg | head -1)
    [[ $run =~ ^due=([^ ]*)\ run=([^ ]*)\  ]] || fail "output '$run'"
    due=${BASH_REMATCH[1]}
    run=${BASH_REMATCH[2]}
    [ -n "$run" ] || fail "no CROND_LITE_RUN"
    expect_eq "the guard's view" "guard t.cron:1 $due $run" \
        "$(rrec rep1.log event=job.output job='t.cron:1!guard' msg~"$run" -f msg)"
}

# Without --claim the variables are there too, and a hook gets the run's.
variables() {
    trap cleanup_all EXIT
    echo "$TAB" >t.cron
    rep 1 -f t.cron --on-success 'echo "hook $CROND_LITE_JOB $CROND_LITE_DUE $CROND_LITE_RUN"'
    wait_n 2 5 rep1.log -- event=job.exit job='t.cron:1!on-success'
    stop_reps
    local msg due run start
    msg=$(rrec rep1.log event=job.output job=t.cron:1 -f msg | head -1)
    [[ $msg =~ ^due=([^ ]*)\ run=([^ ]*)\  ]] || fail "output '$msg'"
    due=${BASH_REMATCH[1]}
    run=${BASH_REMATCH[2]}
    [[ $due =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] || fail "due '$due'"
    [[ $run =~ ^[0-9a-f]{16}-[0-9]+$ ]] || fail "run '$run'"
    start=$(rrec rep1.log event=job.start job=t.cron:1 -f time | head -1)
    expect_eq "due second = start second" "${start:0:19}Z" "$due"
    expect_eq "the hook's view" "hook t.cron:1 $due $run" \
        "$(rrec rep1.log event=job.output job='t.cron:1!on-success' msg~"$run" -f msg)"
    expect_eq "run ids" "$(rrec rep1.log event=job.output job=t.cron:1 -f msg | sed 's/.* run=//; s/ .*//' | sort -u | wc -l)" \
        "$(rrec rep1.log event=job.output job=t.cron:1 --count)"
}

# A store that accepts and never answers: each claim fails after 2 s, the
# outage is said once, and the connection is dropped and tried again (the
# stand-in counts its connections).
store_hangs() {
    trap cleanup_all EXIT
    local port
    port=$("$PYTHON" "$HTTP" port)
    "$PYTHON" - "$port" >conns.txt 2>&1 <<'EOF' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
keep = []
while True:
    c, _ = s.accept()
    keep.append(c)          # read nothing, answer nothing
    print("conn", flush=True)
EOF
    REPS[9]=$!
    sleep 0.3
    echo "$TAB" >t.cron
    rep 1 -f t.cron --claim "redis://127.0.0.1:$port"
    wait_n 2 9 rep1.log -- event=job.error msg~'no answer'
    expect_eq "job.start records" 0 "$(rrec rep1.log event=job.start --count)"
    expect_eq "claim.error records" 1 "$(rrec rep1.log event=claim.error --count)"
    expect_eq "claim.connect records" 0 "$(rrec rep1.log event=claim.connect --count)"
    [ "$(grep -c conn conns.txt)" -ge 2 ] || fail "not reconnected: $(grep -c conn conns.txt) connection(s)"
}

# A run waiting at its gate holds its job's slot: with the default overlap
# (skip) a due time meanwhile is skipped, never a second run at once.
gate_holds_the_slot() {
    trap cleanup_all EXIT
    printf '* * * * * * * sleep 2.5\n' >t.cron
    rep 1 -f t.cron --guard 'sleep 1.2'
    wait_n 2 9 rep1.log -- event=job.exit job=t.cron:1
    stop_reps
    "$PYTHON" - "$RECORDS" rep1.log <<'EOF'
import json, subprocess, sys
out = subprocess.run([sys.executable, sys.argv[1], sys.argv[2], "job=t.cron:1"],
                     capture_output=True, text=True, check=True).stdout
running = most = 0
for r in map(json.loads, out.splitlines()):
    if r["event"] == "job.start":
        running += 1
        most = max(most, running)
    elif r["event"] == "job.exit":
        running -= 1
assert most == 1, "%d runs of the job at once" % most
EOF
    [ "$(rrec rep1.log event=job.skip job=t.cron:1 --count)" -ge 2 ] || fail "no job.skip while it ran"
}

run_test three_replicas_once three_replicas_once
run_test kill_one_replica kill_one_replica
run_test store_down_closed store_down_closed
run_test store_down_open store_down_open
run_test password_and_db password_and_db
run_test claim_off claim_off
run_test guard guard
run_test variables variables
run_test store_hangs store_hangs
run_test gate_holds_the_slot gate_holds_the_slot
