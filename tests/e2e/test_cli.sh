#!/usr/bin/env bash
# End-to-end tests of the one-shot modes: --next, --check, --list, --help,
# --version, usage errors and CROND_LITE_* variables, on the real binary.
. "$(dirname "$0")/lib.sh"

VEC="$REPO_DIR/tests/vectors"

next_issue_example() {
    local out
    out=$("$CROND_BIN" --next '30 2 * * *' --tz America/New_York --from 2026-03-07T12:00:00 --count 2)
    expect_eq "--next output" $'2026-03-08T03:00:00-04:00\n2026-03-09T02:30:00-04:00' "$out"
}

# Every row of next_times.tsv through the command line, as a user would.
next_vectors() {
    local id expr tz start expected _note n out bad=0
    while IFS=$'\t' read -r id expr tz start expected _note; do
        [ "$id" = id ] && continue
        n=$(wc -w <<<"$expected")
        out=$("$CROND_BIN" --next "$expr" --tz "$tz" --from "$start" --count "$n" | tr '\n' ' ')
        if [ "${out% }" != "$expected" ]; then
            echo "$id '$expr' $tz $start: expected '$expected' got '${out% }'"
            bad=$((bad + 1))
        fi
    done <"$VEC/next_times.tsv"
    [ $bad -eq 0 ]
}

invalid_vectors() {
    local id expr _why out rc bad=0
    while IFS=$'\t' read -r id expr _why; do
        [ "$id" = id ] && continue
        rc=0
        out=$("$CROND_BIN" --next "$expr" --tz UTC 2>&1) || rc=$?
        if [ $rc -ne 1 ] || ! grep -q "column [0-9]*: ..." <<<"$out"; then
            echo "$id '$expr': rc=$rc out='$out'"
            bad=$((bad + 1))
        fi
    done <"$VEC/invalid.tsv"
    [ $bad -eq 0 ]
}

never_fires_vectors() {
    local id expr tz start _note out rc bad=0
    while IFS=$'\t' read -r id expr tz start _note; do
        [ "$id" = id ] && continue
        rc=0
        out=$("$CROND_BIN" --next "$expr" --tz "$tz" --from "$start" 2>&1) || rc=$?
        if [ $rc -ne 1 ] || ! grep -q "can never fire" <<<"$out"; then
            echo "$id '$expr': rc=$rc out='$out'"
            bad=$((bad + 1))
        fi
    done <"$VEC/never_fires.tsv"
    [ $bad -eq 0 ]
}

next_errors() {
    local rc=0 out
    out=$("$CROND_BIN" --next '0 0 32 * *' 2>&1) || rc=$?
    expect_eq "exit status" 1 "$rc"
    grep -q "column 5: day of month 32 out of range 1-31" <<<"$out" || fail "$out"
    rc=0
    out=$("$CROND_BIN" --next '0 0 * * *' --tz Mars/Olympus_Mons 2>&1) || rc=$?
    expect_eq "unknown zone exit" 1 "$rc"
    grep -q "Mars/Olympus_Mons" <<<"$out" || fail "$out"
    rc=0
    "$CROND_BIN" --next '0 0 * * *' --from 'yesterday' >/dev/null 2>&1 || rc=$?
    expect_eq "bad --from" 2 "$rc"
}

next_seconds_and_every() {
    local out
    out=$("$CROND_BIN" --next '*/20 * * * * * *' --tz UTC --from 2026-01-01T00:00:00Z --count 3)
    expect_eq "seconds" $'2026-01-01T00:00:20+00:00\n2026-01-01T00:00:40+00:00\n2026-01-01T00:01:00+00:00' "$out"
    out=$("$CROND_BIN" --next '@every 1h30m' --tz UTC --from 2026-01-01T00:00:00Z --count 2)
    expect_eq "@every" $'2026-01-01T01:30:00+00:00\n2026-01-01T03:00:00+00:00' "$out"
    out=$("$CROND_BIN" --next '0 0 1 1 * 2027' --tz UTC --from 2026-01-01T00:00:00Z --count 3)
    expect_eq "last fire of a year-limited schedule" "2027-01-01T00:00:00+00:00" "$out"
}

# Years past 9999 and before 1 print as ISO 8601 expanded years (a sign and
# at least four digits), and --from reads back what --next printed.
next_far_years() {
    local out last
    out=$("$CROND_BIN" --next '0 0 1 1 *' --from 9999-12-31T23:59:59 --tz UTC --count 2)
    expect_eq "after 9999" $'+10000-01-01T00:00:00+00:00\n+10001-01-01T00:00:00+00:00' "$out"
    last=$(tail -n 1 <<<"$out")
    out=$("$CROND_BIN" --next '0 0 1 1 *' --from "$last" --tz UTC --count 1)
    expect_eq "--from a printed year 10001" "+10002-01-01T00:00:00+00:00" "$out"
    out=$("$CROND_BIN" --next '0 0 1 1 *' --from -0002-06-01T00:00:00 --tz UTC --count 3)
    expect_eq "around year 0" $'-0001-01-01T00:00:00+00:00\n0000-01-01T00:00:00+00:00\n0001-01-01T00:00:00+00:00' "$out"
}

# --from without --tz is read in -z / $TZ, like every other local time.
next_zone_sources() {
    local out
    out=$(TZ=Asia/Tokyo "$CROND_BIN" --next '0 9 * * *' --from 2026-05-01T00:00:00 --count 1)
    expect_eq "TZ" "2026-05-01T09:00:00+09:00" "$out"
    out=$(TZ=Asia/Tokyo "$CROND_BIN" -z Europe/Berlin --next '0 9 * * *' --from 2026-05-01T00:00:00 --count 1)
    expect_eq "-z beats TZ" "2026-05-01T09:00:00+02:00" "$out"
    out=$(CROND_LITE_TIMEZONE=Asia/Kolkata "$CROND_BIN" --next '0 9 * * *' --from 2026-05-01T00:00:00 --count 1)
    expect_eq "CROND_LITE_TIMEZONE" "2026-05-01T09:00:00+05:30" "$out"
    out=$(CROND_LITE_TIMEZONE=Asia/Kolkata "$CROND_BIN" --timezone UTC --next '0 9 * * *' --from 2026-05-01T00:00:00 --count 1)
    expect_eq "command line beats environment" "2026-05-01T09:00:00+00:00" "$out"
}

check_examples() {
    local out
    out=$("$CROND_BIN" --check -f "$REPO_DIR/examples/crontabs" 2>&1)
    grep -q "no problems" <<<"$out" || fail "$out"
}

check_reports_every_problem() {
    mkdir tabs
    printf '# ok\n0 0 * * * echo fine\n0 0 32 * * echo bad dom\n*/0 * * * * echo bad step\n' >tabs/a.cron
    printf 'CRON_TZ=Mars/Base 0 0 * * * echo x\n0 0 30 2 * echo never\nSHELL=/bin/sh\n0 0 * * *\n' >tabs/b.cron
    local rc=0 out
    out=$("$CROND_BIN" --check -f tabs 2>&1) || rc=$?
    expect_eq "exit status" 1 "$rc"
    grep -qx "tabs/a.cron:3:5: day of month 32 out of range 1-31" <<<"$out" || fail "$out"
    grep -q "^tabs/a.cron:4:3: minute: step 0" <<<"$out" || fail "$out"
    grep -q "^tabs/b.cron:1:9: .*Mars/Base" <<<"$out" || fail "$out"
    grep -q "^tabs/b.cron:2:1: schedule '0 0 30 2 \*' can never fire" <<<"$out" || fail "$out"
    grep -q "^tabs/b.cron:4:10: expected a command" <<<"$out" || fail "$out"
    grep -q "5 problems found" <<<"$out" || fail "$out"
}

list_jobs() {
    mkdir tabs
    printf '0 3 * * * echo a\n\n@reboot echo b\nCRON_TZ=Asia/Tokyo 30 1 * * * echo c\n' >tabs/app.cron
    local out
    out=$("$CROND_BIN" --list --count 2 -f tabs/app.cron -z UTC)
    [ "$(wc -l <<<"$out")" -eq 5 ] || fail "$out"
    grep -qE $'^app.cron:1\t[0-9-]{10}T03:00:00\\+00:00$' <<<"$out" || fail "$out"
    grep -qx $'app.cron:3\t@reboot' <<<"$out" || fail "$out"
    [ "$(grep -cE $'^app.cron:4\t[0-9-]{10}T01:30:00\\+09:00$' <<<"$out")" -eq 2 ] || fail "$out"
    # the times of one job are increasing and a day apart
    local t1 t2
    t1=$(grep '^app.cron:1' <<<"$out" | head -1 | cut -f2)
    t2=$(grep '^app.cron:1' <<<"$out" | tail -1 | cut -f2)
    expect_eq "a day apart" 86400 $(( $(date -d "$t2" +%s) - $(date -d "$t1" +%s) ))
}

directory_rules() {
    mkdir -p d/sub
    printf '0 1 * * * echo keep\n' >d/keep
    for skipped in .hidden backup~ x.dpkg-old y.rpmnew z.swp; do
        printf 'this is not a crontab\n' >"d/$skipped"
    done
    printf 'not read either\n' >d/sub/inner
    local out
    out=$("$CROND_BIN" --check -f d 2>&1)
    expect_eq "only keep" "1 file, 1 job: no problems" "$out"
}

# A Kubernetes ConfigMap volume: files are symlinks to ..data/NAME, and
# ..data is a symlink to a timestamped directory.
configmap_layout() {
    mkdir -p cm/..2026_12_01_00_00_00.1
    printf '*/5 * * * * echo from-configmap\n' >cm/..2026_12_01_00_00_00.1/jobs
    ln -s ..2026_12_01_00_00_00.1 cm/..data
    ln -s ..data/jobs cm/jobs
    local out
    out=$("$CROND_BIN" --list --count 1 -f cm)
    grep -q $'^jobs:1\t' <<<"$out" || fail "$out"
}

file_permissions() {
    printf '0 1 * * * echo x\n' >tab
    chmod 0666 tab
    local rc=0 out
    out=$("$CROND_BIN" --check -f tab 2>&1) || rc=$?
    expect_eq "world-writable refused" 1 "$rc"
    grep -q "^tab: writable by others" <<<"$out" || fail "$out"
    chmod 0664 tab
    out=$("$CROND_BIN" --check -f tab 2>&1)
    grep -q "^tab: warning: writable by its group" <<<"$out" || fail "$out"
}

missing_path() {
    local rc=0 out
    out=$("$CROND_BIN" --check -f does-not-exist 2>&1) || rc=$?
    expect_eq "exit" 1 "$rc"
    grep -q "^does-not-exist: cannot read: No such file or directory" <<<"$out" || fail "$out"
}

env_variables() {
    mkdir tabs && printf '0 1 * * * echo x\n' >tabs/a
    local out rc=0
    out=$(CROND_LITE_FILE='tabs' "$CROND_BIN" --check 2>&1)
    expect_eq "CROND_LITE_FILE" "1 file, 1 job: no problems" "$out"
    CROND_LITE_LOG_FORMAT=xml "$CROND_BIN" --check -f tabs >/dev/null 2>&1 || rc=$?
    expect_eq "bad env value is a usage error" 2 "$rc"
}

usage_and_info() {
    local rc=0
    "$CROND_BIN" --no-such-option >/dev/null 2>&1 || rc=$?
    expect_eq "unknown option" 2 "$rc"
    rc=0
    "$CROND_BIN" --grace forever >/dev/null 2>&1 || rc=$?
    expect_eq "bad duration" 2 "$rc"
    rc=0
    "$CROND_BIN" --check --list >/dev/null 2>&1 || rc=$?
    expect_eq "two modes" 2 "$rc"
    "$CROND_BIN" --version | grep -qE '^crond-lite [0-9]+\.[0-9]+\.[0-9]+$'
    "$CROND_BIN" --help | grep -q -- '--next EXPR'
}

# valgrind: no leak and no error in the one-shot modes. "Still reachable"
# blocks are not leaks: glibc's NSS (getpwnam) keeps its dlopen'ed modules.
valgrind_clean() {
    local vg=${VALGRIND_BIN:-$CROND_BIN}
    command -v valgrind >/dev/null || fail "valgrind is not installed (scripts/install-deps.sh)"
    mkdir tabs && printf '0 1 * * * echo x\n0 0 32 * * bad\nCRON_TZ=Nowhere/X 0 1 * * * y\n' >tabs/a
    local v=(valgrind -q --leak-check=full '--show-leak-kinds=definite,indirect,possible' '--errors-for-leak-kinds=definite,indirect,possible' --error-exitcode=99)
    local rc=0
    "${v[@]}" "$vg" --check -f tabs >/dev/null 2>vg.log || rc=$?
    expect_eq "--check status under valgrind" 1 "$rc" || { cat vg.log; return 1; }
    rc=0
    "${v[@]}" "$vg" --list -f "$REPO_DIR/examples/crontabs" >/dev/null 2>vg.log || rc=$?
    expect_eq "--list status under valgrind" 0 "$rc" || { cat vg.log; return 1; }
    rc=0
    "${v[@]}" "$vg" --next '30 2 * * *' --tz America/New_York --count 20 >/dev/null 2>vg.log || rc=$?
    expect_eq "--next status under valgrind" 0 "$rc" || { cat vg.log; return 1; }
}

# An INI job's problems found after parsing (zone, user, a schedule that
# never fires) name the line of their key, with column 0 like every INI
# error, and all of them come out in line order.
ini_job_problems_at_their_keys() {
    printf '%s\n' '[job "a"]' 'schedule = * * * * *' 'command = true' 'timezone = Mars/X' \
        '' '[job "b"]' 'command = true' 'user = no-such-user' 'schedule = 0 0 * * *' \
        '' '[job "c"]' 'command = true' 'schedule = 0 0 30 2 *' 'overlap = bogus' \
        '' '[job "d"]' 'schedule = 0 0 30 2 *' 'command = true' >j.ini
    : >empty.cron
    local out rc=0
    out=$("$CROND_BIN" --check -c j.ini -f empty.cron 2>&1) || rc=$?
    expect_eq "--check status" 1 "$rc"
    expect_eq "problems" "j.ini:4:0: unknown time zone 'Mars/X'
j.ini:8:0: unknown user 'no-such-user'
j.ini:14:0: overlap: expected skip, allow or queue, got 'bogus'
j.ini:17:0: schedule '0 0 30 2 *' can never fire (in Etc/UTC, after now)" \
        "$(grep '^j.ini:' <<<"$out" | sed 's/(in [^,]*,/(in Etc\/UTC,/')"
}

# Files that share a name get ids by path, so that no two jobs share an id.
ids_unique_across_folders() {
    mkdir a b
    echo '0 1 * * * echo a' >a/app.cron
    echo '0 2 * * * echo b' >b/app.cron
    echo '0 3 * * * echo c' >c.cron
    expect_eq "--list ids" "a/app.cron:1 b/app.cron:1 c.cron:1" \
        "$("$CROND_BIN" --list --count 1 -f a/app.cron -f b -f c.cron | cut -f1 | xargs)"
}

run_test "--next prints the issue's example" next_issue_example
run_test "--next agrees with every row of next_times.tsv" next_vectors
run_test "--next rejects every row of invalid.tsv with a column" invalid_vectors
run_test "--next rejects every row of never_fires.tsv" never_fires_vectors
run_test "--next errors and exit statuses" next_errors
run_test "--next with seconds, @every and a last fire time" next_seconds_and_every
run_test "--next zone from --tz, -z, TZ and CROND_LITE_TIMEZONE" next_zone_sources
run_test "--next and --from with years past 9999 and before 1" next_far_years
run_test "--check accepts examples/" check_examples
run_test "--check reports every problem as FILE:LINE:COL" check_reports_every_problem
run_test "--list prints ids, tabs and times in each job's zone" list_jobs
run_test "directory rules skip backups and do not recurse" directory_rules
run_test "a ConfigMap's symlinks are followed" configmap_layout
run_test "world-writable crontabs are refused, group-writable warned" file_permissions
run_test "a missing crontab path is an error" missing_path
run_test "CROND_LITE_* variables" env_variables
run_test "usage errors exit 2; --help and --version" usage_and_info
run_test "valgrind: --check, --list and --next are clean" valgrind_clean
run_test "INI job problems name their key's line, in line order" ini_job_problems_at_their_keys
run_test "crontabs sharing a name get job ids by path" ids_unique_across_folders
