#!/usr/bin/env bash
# Regression tests from fuzzing (tests/fuzz/README.md): every committed
# corpus file and every saved crash input of each fuzz target, replayed
# through the target's checks by its replay driver, built next to
# $CROND_BIN (make fuzz-replay; $(dirname $CROND_BIN)/fuzz-replay/fuzz_NAME),
# so the ASan build replays them under AddressSanitizer and UBSan too.
. "$(dirname "$0")/lib.sh"

FUZZ="$REPO_DIR/tests/fuzz"
REPLAY_DIR="$(dirname "$CROND_BIN")/fuzz-replay"

# replay NAME MIN: runs fuzz_NAME over its corpus and regressions; passes
# when it exits 0 having replayed every file there, and at least MIN (so an
# emptied corpus does not pass unnoticed).
replay() {
    local name=$1 min=$2 bin="$REPLAY_DIR/fuzz_$1" dirs=("$FUZZ/corpus/$1") rc=0 n files
    [ -x "$bin" ] || fail "$bin is missing: build it with make fuzz-replay" || return 1
    [ -d "$FUZZ/regressions/$name" ] && dirs+=("$FUZZ/regressions/$name")
    files=$(find "${dirs[@]}" -maxdepth 1 -type f ! -name '.*' | wc -l)
    "$bin" "${dirs[@]}" >out 2>err || rc=$?
    if [ $rc -ne 0 ]; then
        # the last input named is the one that failed; then its report
        awk '/^replay: /{last=$0; out=""; next} {out=out $0 "\n"}
             END {print "failed on " substr(last, 9); printf "%s", out}' err | head -n 36
        fail "fuzz_$name exited $rc"
        return 1
    fi
    n=$(sed -n 's/^replayed \([0-9]*\) inputs$/\1/p' out)
    expect_eq "fuzz_$name: inputs replayed" "$files" "$n"
    [ "$n" -ge "$min" ] || fail "fuzz_$name replayed $n inputs, expected at least $min"
}

replay_cronspec() { replay cronspec 250; }
replay_crontab() { replay crontab 15; }
replay_config() { replay config 12; }
replay_duration() { replay duration 20; }
replay_relay() { replay relay 10; }
replay_tzif() { replay tzif 25; }
replay_posix_tz() { replay posix_tz 45; }
replay_timefmt() { replay timefmt 40; }
replay_options() { replay options 30; }
replay_pwfile() { replay pwfile 20; }
replay_httpreq() { replay httpreq 20; }
replay_compat() { replay compat 15; }
replay_claimurl() { replay claimurl 15; }

run_test "fuzz replay: cronspec corpus and regressions" replay_cronspec
run_test "fuzz replay: crontab corpus and regressions" replay_crontab
run_test "fuzz replay: config corpus and regressions" replay_config
run_test "fuzz replay: duration corpus and regressions" replay_duration
run_test "fuzz replay: relay corpus and regressions" replay_relay
run_test "fuzz replay: tzif corpus and regressions" replay_tzif
run_test "fuzz replay: posix_tz corpus and regressions" replay_posix_tz
run_test "fuzz replay: timefmt corpus and regressions" replay_timefmt
run_test "fuzz replay: options corpus and regressions" replay_options
run_test "fuzz replay: pwfile corpus and regressions" replay_pwfile
run_test "fuzz replay: httpreq corpus and regressions" replay_httpreq
run_test "fuzz replay: compat corpus and regressions" replay_compat
run_test "fuzz replay: claimurl corpus and regressions" replay_claimurl
