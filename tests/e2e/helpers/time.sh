# Sourced by tests/e2e/test_time.sh after lib.sh and helpers/daemon.sh: run
# crond-lite under libfaketime at a chosen fake time and step its clock.
#
#   have_faketime                    libfaketime is installed (else skip)
#   start_faked "Y-M-D H:M:S" ARGS   crond-lite ARGS with the wall clock at that
#                                    UTC time, running from there (TZ=UTC: give
#                                    the schedules' zone with -z)
#   step_clock "Y-M-D H:M:S"         step the daemon's clock to that UTC time
#   epoch_ms TIME                    TIME (anything `date -d` reads) in epoch ms
#   next_ms EXPR FROM ZONE           what `crond-lite --next` says, in epoch ms
#
# libfaketime reads its timestamp file (FAKETIME_TIMESTAMP_FILE, re-read on
# every call with FAKETIME_NO_CACHE=1); "@TIME" is an absolute time from which
# the fake clock runs on. CLOCK_MONOTONIC stays real (DONT_FAKE_MONOTONIC=1),
# so to the daemon a rewrite of the file is a step of the wall clock; it
# watches the file with inotify and sees the step at once.

FAKETIME_LIB=${FAKETIME_LIB:-}
if [ -z "$FAKETIME_LIB" ]; then
    for f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 \
        /usr/local/lib/faketime/libfaketime.so.1; do
        [ -r "$f" ] && { FAKETIME_LIB=$f; break; }
    done
fi

have_faketime() { [ -n "$FAKETIME_LIB" ] && [ -r "$FAKETIME_LIB" ]; }

FAKE_TS=
start_faked() {
    local t=$1
    shift
    [[ $t =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}$ ]] || fail "bad fake time '$t'"
    FAKE_TS=$PWD/fake.ts
    printf '@%s\n' "$t" >"$FAKE_TS"
    # Under `make check-asan` the daemon is ASan-instrumented: ASan wants to
    # be the first library, and libfaketime comes first; both work together
    # once ASan is told not to insist.
    start_wrapped env TZ=UTC FAKETIME_TIMESTAMP_FILE="$FAKE_TS" FAKETIME_NO_CACHE=1 \
        DONT_FAKE_MONOTONIC=1 ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        LD_PRELOAD="$FAKETIME_LIB" -- "$@"
}

# The new content has the length of the old and goes in with one write, no
# truncation: the daemon (woken by IN_MODIFY) never reads an empty or half
# written file, which libfaketime would take as "real time" for a moment.
step_clock() {
    [[ $1 =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}$ ]] || fail "bad fake time '$1'"
    "$PYTHON" -c '
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
data = ("@%s\n" % sys.argv[2]).encode()
assert os.write(fd, data) == len(data)
os.close(fd)' "$FAKE_TS" "$1"
}

epoch_ms() { echo $(($(date -u -d "$1" +%s) * 1000)); }

next_ms() {
    local t
    t=$("$CROND_BIN" --next "$1" --from "$2" --tz "$3" --count 1) || fail "--next '$1' failed"
    epoch_ms "$t"
}

# within MS LO HI: LO <= MS < HI (MS not empty).
within() {
    [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -lt "$3" ]
}
