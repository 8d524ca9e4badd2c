#!/usr/bin/env bash
# End-to-end tests of the output modes (DESIGN.md section 9): --output raw
# relays the jobs' lines as they are, stdout to stdout and stderr to stderr,
# whole lines only, never mixed between concurrent jobs; --split-logs sends
# records at warn and above and the jobs' stderr to stderr; records mode is
# the default and unchanged; the options' variables and INI keys follow the
# usual precedence; bad values are usage errors; a broken stderr falls back
# on stdout, a broken stdout still stops the daemon.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"
. "$E2E_DIR/helpers/faults.sh"

# In raw mode out.log holds the jobs' lines among the records: read it
# leniently then (LENIENT=1). erec reads the records of err.log.
LENIENT=
rec() { "$PYTHON" "$RECORDS" out.log ${LENIENT:+--lenient} "$@"; }
nrec() { "$PYTHON" "$RECORDS" out.log ${LENIENT:+--lenient} "$@" --count; }
erec() { "$PYTHON" "$RECORDS" err.log ${LENIENT:+--lenient} "$@"; }
nerec() { "$PYTHON" "$RECORDS" err.log ${LENIENT:+--lenient} "$@" --count; }

# The lines of FILE that are not text records, byte for byte.
RECORD_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z level='
raw_lines() { grep -avE "$RECORD_RE" "$1" || true; }

# Runs crond-lite ARGS on tabs/ until N job.exit records are in out.log,
# then stops it (status 0 expected).
run_until_exits() {
    local n=$1
    shift
    start_daemon "$@"
    wait_rec "$n" 8 event=job.exit
    stop_daemon TERM
    expect_eq "exit status" 0 "$DRC"
}

# ------------------------------------------------------------ raw output

# The job's bytes as they are: blanks, quotes, '=', tabs, backslashes,
# invalid UTF-8, control bytes, an empty line; a last line without newline
# gets one. stdout lines on stdout among the records, stderr lines on
# stderr with nothing else there.
raw_exact() {
    LENIENT=1
    mkdir tabs
    cat >tabs/app.cron <<'EOF'
@reboot printf 'one\n  two  "q" a=b\tc\\\n\n'; printf 'bad \377 ctl\001 cr\r\n'; echo err1 >&2; printf 'e r r 2\n' >&2; printf 'no newline'
EOF
    run_until_exits 1 --output raw -f tabs
    printf 'one\n  two  "q" a=b\tc\\\n\nbad \377 ctl\001 cr\r\nno newline\n' >want.out
    printf 'err1\ne r r 2\n' >want.err
    raw_lines out.log >got.out
    cmp want.out got.out || fail "stdout lines: $(od -c got.out | head -8)"
    cmp want.err err.log || fail "stderr: $(od -c err.log | head -8)"
    expect_eq "job.output records" 0 "$(nrec event=job.output)"
    # (as root, a config.error warning names the jobs that run as root)
    expect_eq "records on stdout" "daemon.start job.start job.exit daemon.stop" \
        "$(rec event~'^(daemon|job)\.' -f event | tr '\n' ' ' | sed 's/ $//')"
    # the job's lines come after its job.start and before its job.exit
    local n_start n_exit first last
    n_start=$(rec event=job.start -f _n)
    n_exit=$(rec event=job.exit -f _n)
    first=$(grep -anx 'one' out.log | cut -d: -f1)
    last=$(grep -anx 'no newline' out.log | cut -d: -f1)
    { [ "$n_start" -lt "$first" ] && [ "$last" -lt "$n_exit" ]; } ||
        fail "job.start at line $n_start, lines $first-$last, job.exit at line $n_exit"
}

# Lines over 16 KiB are cut into pieces of 16384 bytes as in records mode,
# each piece a line; a line of exactly 16384 bytes stays one.
raw_long_lines() {
    LENIENT=1
    mkdir tabs
    cat >tabs/app.cron <<'EOF'
@reboot head -c 40000 /dev/zero | tr '\0' x; echo; head -c 16384 /dev/zero | tr '\0' y; echo; head -c 20000 /dev/zero | tr '\0' v >&2
EOF
    run_until_exits 1 --output raw -f tabs
    local out
    out=$(raw_lines out.log | awk '{ print length($0) ":" substr($0, 1, 1) }' | paste -sd' ')
    expect_eq "stdout pieces" "16384:x 16384:x 7232:x 16384:y" "$out"
    out=$(awk '{ print length($0) ":" substr($0, 1, 1) }' err.log | paste -sd' ')
    expect_eq "stderr pieces" "16384:v 3616:v" "$out"
    expect_eq "stderr ends with a newline" "0a" "$(tail -c 1 err.log | od -An -tx1 | tr -d ' ')"
}

# Three jobs write long lines to stdout and stderr at once (7 MB, lines of
# 100 to 20000 bytes, crossing every read and pipe boundary): every line
# arrives whole, made of its job's byte only, on its stream, none lost.
raw_concurrent_never_mixed() {
    LENIENT=1
    mkdir tabs
    cat >tabs/app.cron <<'EOF'
@reboot head -c 3000000 /dev/zero | tr '\0' a | fold -w 3000 & head -c 1000000 /dev/zero | tr '\0' A | fold -w 5000 >&2; wait
@reboot head -c 2100000 /dev/zero | tr '\0' b | fold -w 7000 & head -c 900000 /dev/zero | tr '\0' B | fold -w 1500 >&2; wait
@reboot head -c 2000000 /dev/zero | tr '\0' c | fold -w 20000 & head -c 500000 /dev/zero | tr '\0' C | fold -w 100 >&2; wait
EOF
    start_daemon --output raw -f tabs
    wait_rec 3 20 event=job.exit
    stop_daemon TERM
    expect_eq "exit status" 0 "$DRC"
    "$PYTHON" - out.log err.log <<'PY'
import collections, re, sys
record = re.compile(rb'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=')
# byte: {piece length: count}
want = {
    'out': {b'a': {3000: 1000}, b'b': {7000: 300}, b'c': {16384: 100, 3616: 100}},
    'err': {b'A': {5000: 200}, b'B': {1500: 600}, b'C': {100: 5000}},
}
fails = []
for name, path in (('out', sys.argv[1]), ('err', sys.argv[2])):
    data = open(path, 'rb').read()
    if not data.endswith(b'\n'):
        fails.append('%s does not end with a newline' % path)
    got = collections.defaultdict(collections.Counter)
    for no, line in enumerate(data.split(b'\n')[:-1], 1):
        if record.match(line):
            if name == 'err':
                fails.append('%s:%d: a record on stderr' % (path, no))
            continue
        kind = line[:1]
        if not line or line.count(kind) != len(line) or kind not in want[name]:
            fails.append('%s:%d: a mixed or foreign line of %d bytes: %r...' % (path, no, len(line), line[:40]))
            continue
        got[kind][len(line)] += 1
    for kind, lengths in want[name].items():
        if dict(got[kind]) != lengths:
            fails.append('%s %s: lines by length %s, want %s' % (path, kind, dict(got[kind]), lengths))
for f in fails[:10]:
    print('FAIL: ' + f)
sys.exit(1 if fails else 0)
PY
}

# -------------------------------------------------------------- split logs

# A job that writes to both streams and is still running when due again
# (job.skip, warn), in a group-writable crontab (config.error, warn).
split_tab() {
    mkdir tabs
    echo '* * * * * * * echo out; echo err >&2; sleep 1.5' >tabs/app.cron
    chmod 664 tabs/app.cron
}

# Records mode: warn records and job.output of stderr on stderr only,
# everything else on stdout only.
split_logs_records() {
    split_tab
    start_daemon --split-logs -f tabs
    wait_rec 1 5 event=job.output stream=stdout msg=out
    local i
    for ((i = 0; i < 50; i++)); do
        [ "$(nerec event=job.skip)" -ge 1 ] && break
        sleep 0.1
    done
    stop_daemon TERM
    expect_eq "exit status" 0 "$DRC"
    [ "$(nerec event=job.skip level=warn)" -ge 1 ] || fail "no job.skip on stderr"
    [ "$(nerec event=job.output stream=stderr msg=err)" -ge 1 ] || fail "no job stderr on stderr"
    expect_eq "the group-writable warning on stderr" 1 \
        "$(nerec event=config.error level=warn msg~'writable by its group')"
    expect_eq "records on stderr that are neither warn+ nor job stderr" "" \
        "$(erec -f level -f event -f stream | grep -vE '^(warn|error)'$'\t''|^info'$'\t''job\.output'$'\t''stderr$')"
    expect_eq "warn or error records on stdout" 0 "$(nrec level~'^(warn|error)$')"
    expect_eq "job stderr on stdout" 0 "$(nrec stream=stderr)"
    [ "$(nrec event=job.output stream=stdout msg=out)" -ge 1 ] || fail "no job stdout on stdout"
    for e in daemon.start job.start job.exit daemon.stop; do
        [ "$(nrec event=$e)" -ge 1 ] || fail "no $e on stdout"
    done
}

# Raw mode with split logs: the jobs' lines as they are on their streams,
# warn records on stderr among the job's stderr lines, info records on stdout.
split_logs_raw() {
    LENIENT=1
    split_tab
    start_wrapped env CROND_LITE_SPLIT_LOGS=yes -- --output raw -f tabs
    wait_for_log out.log '^out$' 5
    local i
    for ((i = 0; i < 50; i++)); do
        [ "$(nerec event=job.skip)" -ge 1 ] && break
        sleep 0.1
    done
    stop_daemon TERM
    expect_eq "exit status" 0 "$DRC"
    expect_eq "stdout lines that are not records" "out" "$(raw_lines out.log | sort -u)"
    expect_eq "stderr lines that are not records" "err" "$(raw_lines err.log | sort -u)"
    expect_eq "levels on stderr" "warn" "$(erec -f level | sort -u)"
    [ "$(nerec event=job.skip)" -ge 1 ] || fail "no job.skip on stderr"
    expect_eq "levels on stdout" "info" "$(rec -f level | sort -u)"
    expect_eq "job.output records" 0 "$(( $(nrec event=job.output) + $(nerec event=job.output) ))"
}

# ------------------------------------------------------------ records mode

# Without options nothing changes: every line a job.output record on
# stdout (read strictly: nothing else is there), stderr empty; an explicit
# --output records beats CROND_LITE_OUTPUT=raw.
records_default_unchanged() {
    mkdir tabs
    echo '@reboot echo out; echo err >&2; printf last' >tabs/app.cron
    local run
    for run in default explicit; do
        if [ $run = default ]; then
            run_until_exits 1 -f tabs
        else
            start_wrapped env CROND_LITE_OUTPUT=raw -- --output records -f tabs
            wait_rec 1 8 event=job.exit
            stop_daemon TERM
            expect_eq "exit status" 0 "$DRC"
        fi
        expect_eq "$run: stdout lines" "out|last" "$(rec event=job.output stream=stdout -f msg | paste -sd'|')"
        expect_eq "$run: stderr lines" "err" "$(rec event=job.output stream=stderr -f msg)"
        expect_eq "$run: lines that are not records" "" "$(raw_lines out.log)"
        expect_eq "$run: stderr" "" "$(cat err.log)"
    done
}

# What the run of `start_wrapped ARGS` did, in SEEN: "raw" (the job's line
# as it is on stdout) or "records", then "split" (the warning about the
# group-writable crontab on stderr) or "joined" (on stdout).
SEEN=
run_seen() {
    start_wrapped "$@"
    wait_rec 1 8 event=job.exit
    stop_daemon TERM
    expect_eq "exit status" 0 "$DRC"
    SEEN=records
    [ "$(raw_lines out.log)" = out ] && SEEN=raw
    if [ "$(nerec event=config.error msg~'writable by its group')" = 1 ]; then
        SEEN="$SEEN split"
    elif [ "$(nrec event=config.error msg~'writable by its group')" = 1 ]; then
        SEEN="$SEEN joined"
    fi
}

# CROND_LITE_OUTPUT and CROND_LITE_SPLIT_LOGS, and the INI keys output and
# split_logs: command line, then environment, then the INI file.
env_and_ini() {
    LENIENT=1
    mkdir tabs
    echo '@reboot echo out' >tabs/app.cron
    chmod 664 tabs/app.cron
    printf '[daemon]\noutput = raw\nsplit_logs = true\n' >raw.ini
    printf '[daemon]\noutput = records\nsplit_logs = no\n' >records.ini
    run_seen env -- -f tabs
    expect_eq "no options" "records joined" "$SEEN"
    run_seen env CROND_LITE_OUTPUT=raw -- -f tabs
    expect_eq "CROND_LITE_OUTPUT=raw" "raw joined" "$SEEN"
    run_seen env CROND_LITE_SPLIT_LOGS=1 -- -f tabs
    expect_eq "CROND_LITE_SPLIT_LOGS=1" "records split" "$SEEN"
    run_seen env -- -c raw.ini -f tabs
    expect_eq "INI output = raw, split_logs = true" "raw split" "$SEEN"
    run_seen env CROND_LITE_OUTPUT=records CROND_LITE_SPLIT_LOGS=false -- -c raw.ini -f tabs
    expect_eq "the environment beats the INI file" "records joined" "$SEEN"
    run_seen env CROND_LITE_OUTPUT=records -- --output raw --split-logs -c records.ini -f tabs
    expect_eq "the command line beats both" "raw split" "$SEEN"
}

# Bad values: usage errors (exit 2) naming the option or variable and the
# accepted values; a bad INI value is a configuration error (exit 1).
bad_values() {
    local out rc
    rc=0
    out=$("$CROND_BIN" --output bogus -f /nonexistent 2>&1 >stdout.txt) || rc=$?
    expect_eq "--output bogus: status" 2 "$rc"
    expect_eq "--output bogus: message" "crond-lite: --output: expected records or raw, got 'bogus'" "$out"
    expect_eq "--output bogus: stdout" "" "$(cat stdout.txt)"
    rc=0
    out=$(CROND_LITE_OUTPUT=passthrough "$CROND_BIN" -f /nonexistent 2>&1) || rc=$?
    expect_eq "CROND_LITE_OUTPUT=passthrough: status" 2 "$rc"
    expect_eq "CROND_LITE_OUTPUT=passthrough: message" \
        "crond-lite: CROND_LITE_OUTPUT: expected records or raw, got 'passthrough'" "$out"
    rc=0
    out=$(CROND_LITE_SPLIT_LOGS=maybe "$CROND_BIN" -f /nonexistent 2>&1) || rc=$?
    expect_eq "CROND_LITE_SPLIT_LOGS=maybe: status" 2 "$rc"
    grep -qF "CROND_LITE_SPLIT_LOGS: expected 1/0, true/false, yes/no or on/off, got 'maybe'" <<<"$out" ||
        fail "CROND_LITE_SPLIT_LOGS=maybe: $out"
    rc=0
    out=$("$CROND_BIN" --split-logs=yes 2>&1) || rc=$?
    expect_eq "--split-logs=yes: status" 2 "$rc"
    expect_eq "--split-logs=yes: message" "crond-lite: --split-logs takes no value (see --help)" "$out"
    mkdir tabs
    echo '@daily true' >tabs/app.cron
    printf '[daemon]\noutput = passthrough\nsplit_logs = stderr\n' >bad.ini
    rc=0
    out=$("$CROND_BIN" --check -c bad.ini -f tabs 2>&1) || rc=$?
    expect_eq "bad INI values: status" 1 "$rc"
    grep -qF "bad.ini:2:0: output: expected records or raw, got 'passthrough'" <<<"$out" || fail "$out"
    grep -qF "bad.ini:3:0: split_logs: expected true/false" <<<"$out" || fail "$out"
    out=$("$CROND_BIN" --help)
    grep -qE '^      --output MODE ' <<<"$out" || fail "--help lacks --output"
    grep -qE '^      --split-logs ' <<<"$out" || fail "--help lacks --split-logs"
}

# ------------------------------------------------------ broken streams

# stderr a pipe whose reader is gone, with split logs in raw mode: the first
# write there fails; what failed, one daemon.error and everything later
# meant for stderr (warn records, the job's stderr lines) go to stdout, and
# the daemon runs on without spinning.
broken_stderr_falls_back() {
    LENIENT=1
    mkdir tabs
    echo '* * * * * * * echo out; echo err >&2; sleep 1.5' >tabs/app.cron
    mkfifo fifo
    # a reader (fd 7) lets the writer's open (fd 8) through; then it goes
    # shellcheck disable=SC2094
    exec 7<>fifo 8>fifo
    exec 7<&-
    trap cleanup_daemon EXIT
    "$CROND_BIN" --output raw --split-logs -f tabs >out.log 2>&8 8>&- &
    DPID=$!
    exec 8>&-
    wait_rec 1 5 event=daemon.error
    expect_eq "daemon.error" "cannot write to stderr: Broken pipe; what was meant for it goes to stdout from now on" \
        "$(rec event=daemon.error -f msg)"
    local c0 n_err
    c0=$(cpu_ticks "$DPID")
    n_err=$(rec event=daemon.error -f _n)
    wait_rec 2 5 event=job.skip
    sleep 1
    daemon_alive
    [ $(( $(cpu_ticks "$DPID") - c0 )) -le "$(cpu_bound 20)" ] ||
        fail "the daemon used $(( $(cpu_ticks "$DPID") - c0 )) ticks of CPU in ~2 s"
    stop_daemon TERM
    expect_eq "exit status" 0 "$DRC"
    expect_eq "daemon.error records" 1 "$(nrec event=daemon.error)"
    [ "$(grep -acx err out.log)" -ge 2 ] || fail "the job's stderr lines are not on stdout"
    # the job.skip records came after the notice
    [ "$(rec event=job.skip -f _n | head -1)" -gt "$n_err" ] || fail "job.skip before the daemon.error"
}

# stdout a pipe whose reader is gone, in raw mode: as in records mode, the
# daemon says so on stderr and exits 1 at once.
broken_stdout_raw() {
    mkdir tabs
    echo '* * * * * * * echo out' >tabs/app.cron
    mkfifo fifo
    # shellcheck disable=SC2094
    exec 7<>fifo 8>fifo
    exec 7<&-
    trap cleanup_daemon EXIT
    "$CROND_BIN" --output raw -f tabs >&8 2>err.log 8>&- &
    DPID=$!
    exec 8>&-
    wait_exit "$DPID" 3
    expect_eq "exit status" 1 "$DRC"
    grep -q 'event=daemon.error msg="cannot write log records to stdout: Broken pipe' err.log ||
        fail "stderr: $(cat err.log)"
}

run_test "--output raw: the job's lines exactly, stdout and stderr apart" raw_exact
run_test "--output raw: lines over 16 KiB in 16384-byte pieces" raw_long_lines
run_test "--output raw: 3 jobs x 2 streams of long lines, none mixed or lost" raw_concurrent_never_mixed
run_test "--split-logs: warn records and job stderr on stderr only" split_logs_records
run_test "--split-logs with --output raw" split_logs_raw
run_test "records mode is the default and unchanged" records_default_unchanged
run_test "CROND_LITE_OUTPUT, CROND_LITE_SPLIT_LOGS, INI keys: precedence" env_and_ini
run_test "bad values: usage errors naming option and values" bad_values
run_test "a broken stderr falls back on stdout; the daemon runs on" broken_stderr_falls_back
run_test "a broken stdout in raw mode: exit 1 with a message" broken_stdout_raw
