#!/usr/bin/env bash
# End-to-end tests of the static build (make static, README "Static binary")
# in a root file system that holds no libc at all: the image's layout from
# scripts/image-rootfs.sh, entered with chroot (so these need root). Users
# and groups must resolve there without NSS, and zones from its zoneinfo.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"
. "$E2E_DIR/helpers/redis.sh"

: "${STATIC_BIN:=$REPO_DIR/build/static/crond-lite}"

needs_root() {
    [ "$(id -u)" = 0 ] && command -v chroot >/dev/null
}

# make_root: ./root, the image's file system around the static binary.
make_root() {
    "$REPO_DIR/scripts/image-rootfs.sh" "$STATIC_BIN" "$PWD/root" >/dev/null
    # nothing dynamic could run in there
    { [ ! -e root/lib ] && [ ! -e root/lib64 ] && [ ! -e root/usr/lib ]; } || fail "root has a lib folder"
}

in_root() { chroot "$PWD/root" "$@"; }

is_static() {
    [ -x "$STATIC_BIN" ] || fail "$STATIC_BIN is missing: make static"
    file "$STATIC_BIN" | grep -q 'statically linked' || fail "file: $(file "$STATIC_BIN")"
    # no program interpreter and no dynamic section
    ! LC_ALL=C readelf -l "$STATIC_BIN" | grep -q INTERP || fail "has a PT_INTERP"
    LC_ALL=C readelf -d "$STATIC_BIN" | grep -q 'no dynamic section' || fail "has a dynamic section"
}

runs_without_libc() {
    needs_root || { echo "# skipped: needs root for chroot"; return 0; }
    make_root
    expect_eq "--version" "$("$CROND_BIN" --version)" "$(in_root /usr/bin/crond-lite --version)"
    # the example crontab checks clean, zones included
    out=$(in_root /usr/bin/crond-lite --check -f /etc/crontabs 2>&1)
    grep -qx '1 file, [0-9]* jobs: no problems' <<<"$out" || fail "--check: $out"
    # zoneinfo is read in there: the same times as the dynamic build here
    expect_eq "--next in Tokyo" \
        "$("$CROND_BIN" --next '0 9 * * *' --tz Asia/Tokyo --from 2026-03-08T00:00:00 --count 2)" \
        "$(in_root /usr/bin/crond-lite --next '0 9 * * *' --tz Asia/Tokyo --from 2026-03-08T00:00:00 --count 2)"
    expect_eq "--next across New York's DST" \
        "$("$CROND_BIN" --next '30 2 * * *' --tz America/New_York --from 2026-03-07T00:00:00 --count 3)" \
        "$(in_root /usr/bin/crond-lite --next '30 2 * * *' --tz America/New_York --from 2026-03-07T00:00:00 --count 3)"
}

# --user resolves from the root's /etc/passwd, not from NSS or the host's.
drops_to_user_without_nss() {
    needs_root || { echo "# skipped: needs root for chroot"; return 0; }
    make_root
    printf '%s\n' '* * * * * * * echo "uid=$(id -u) gid=$(id -g) groups=$(id -G) home=$HOME user=$USER pwd=$(pwd)"' \
        >root/etc/crontabs/who.cron
    rm root/etc/crontabs/app.cron
    CROND_BIN=/usr/bin/crond-lite start_wrapped chroot "$PWD/root" env -i PATH=/bin -- --user nonroot -f /etc/crontabs
    wait_rec 1 4 event=job.output job~who
    expect_eq "the job's identity" \
        "uid=65532 gid=65532 groups=65532 home=/home/nonroot user=nonroot pwd=/home/nonroot" \
        "$(rec event=job.output job~who -f msg | head -1)"
    # the daemon itself dropped root too
    expect_eq "daemon uid" 65532 "$(awk '/^Uid:/ { print $3 }' "/proc/$DPID/status")"
    stop_daemon
    expect_eq "exit status" 0 "$DRC"
}

user_and_group_names() {
    needs_root || { echo "# skipped: needs root for chroot"; return 0; }
    make_root
    printf '%s\n' '* * * * * * * echo "uid=$(id -u) gid=$(id -g)"' >root/etc/crontabs/app.cron
    CROND_BIN=/usr/bin/crond-lite start_wrapped chroot "$PWD/root" -- --user nonroot:root -f /etc/crontabs
    wait_rec 1 4 event=job.output
    expect_eq "uid and group" "uid=65532 gid=0" "$(rec event=job.output -f msg | head -1)"
    stop_daemon
    # names that are not in the root's files are errors, even when the host has them
    set +e
    out=$(in_root /usr/bin/crond-lite --user nobody -f /etc/crontabs 2>&1)
    rc=$?
    set -e
    expect_eq "unknown user status" 1 "$rc"
    grep -q "unknown user 'nobody'" <<<"$out" || fail "no unknown-user message: $out"
    set +e
    out=$(in_root /usr/bin/crond-lite --user nonroot:staff -f /etc/crontabs 2>&1)
    rc=$?
    set -e
    expect_eq "unknown group status" 1 "$rc"
    grep -q "unknown group 'staff'" <<<"$out" || fail "no unknown-group message: $out"
}

# --listen's server (libhttp-parser linked in) answers from the image's
# root, where nothing but the binary could serve it.
serves_http() {
    needs_root || { echo "# skipped: needs root for chroot"; return 0; }
    make_root
    local port
    port=$("$PYTHON" "$E2E_DIR/helpers/http.py" port)
    CROND_BIN=/usr/bin/crond-lite start_wrapped chroot "$PWD/root" -- -f /etc/crontabs --listen "127.0.0.1:$port"
    wait_started
    expect_eq "/healthz" $'HTTP/1.1 200 OK\nok' \
        "$("$PYTHON" "$E2E_DIR/helpers/http.py" send "$port" 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n' | grep -E '^(HTTP|ok)')"
    stop_daemon
    expect_eq "exit status" 0 "$DRC"
}

# --claim with hiredis linked in: the store's name resolves from the root's
# /etc/hosts without NSS modules (glibc's built-in files lookup), and runs
# are claimed in a real redis-server.
claims_by_name_without_nss() {
    needs_root || { echo "# skipped: needs root for chroot"; return 0; }
    make_root
    redis_start "$("$PYTHON" "$E2E_DIR/helpers/http.py" port)"
    echo "127.0.0.1 claimstore" >root/etc/hosts
    printf '%s\n' '* * * * * * * echo "due=$CROND_LITE_DUE"' >root/etc/crontabs/c.cron
    rm root/etc/crontabs/app.cron
    CROND_BIN=/usr/bin/crond-lite start_wrapped chroot "$PWD/root" env -i PATH=/bin -- \
        --user nonroot -f /etc/crontabs --claim "redis://claimstore:$RPORT/1"
    # after start_wrapped, whose trap this one extends; cleanup_daemon exits,
    # so the server is stopped first and the test's status handed on
    trap 'st=$?; redis_stop; (exit $st); cleanup_daemon' EXIT
    wait_rec 1 4 event=claim.connect
    wait_rec 2 4 event=job.exit job=c.cron:1
    local due
    due=$(rec event=job.output job=c.cron:1 -f msg | head -1)
    [ -n "$(rcli -n 1 exists "crond-lite:c.cron:1:${due#due=}")" ] || fail "no key"
    expect_eq "the key" 1 "$(rcli -n 1 exists "crond-lite:c.cron:1:${due#due=}")"
}

run_test static_binary_is_static is_static
run_test static_binary_runs_without_libc runs_without_libc
run_test static_binary_drops_to_user_without_nss drops_to_user_without_nss
run_test static_binary_user_and_group_names user_and_group_names
run_test static_binary_serves_http serves_http
run_test static_binary_claims_by_name_without_nss claims_by_name_without_nss
