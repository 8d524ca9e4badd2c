# Sourced by tests/e2e/test_*.sh. Each test is a function; `run_test NAME FN`
# runs it in a subshell and prints "ok - NAME" or "not ok - NAME" with the
# reason. $CROND_BIN is the binary under test (set by tests/run.sh).
set -u
: "${CROND_BIN:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/crond-lite}"
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034  # REPO_DIR is used by the test scripts that source this file
REPO_DIR=$(cd "$E2E_DIR/../.." && pwd)

fail() { echo "FAIL: $*" >&2; return 1; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
    [ "$2" == "$3" ] || { printf 'FAIL: %s\n  expected: %q\n  actual:   %q\n' "$1" "$2" "$3" >&2; return 1; }
}

run_test() {
    local name=$1 fn=$2 out rc tmp t0=$SECONDS
    tmp=$(mktemp -d)
    # errexit inside the subshell: the function runs as a plain command, so
    # any failing command in it fails the test.
    out=$(cd "$tmp" || exit 99; set -e; "$fn" 2>&1)
    rc=$?
    rm -rf "$tmp"
    if [ $rc -eq 0 ] && grep -q '^# skipped' <<<"$out"; then
        # counted apart by tests/run.sh: a test that could not run here
        # (no root) is not a pass
        echo "skip - $name ($(grep -m1 '^# skipped' <<<"$out" | sed 's/^# skipped: *//'))"
    elif [ $rc -eq 0 ]; then
        echo "ok - $name ($((SECONDS - t0)) s)"
    else
        echo "not ok - $name ($((SECONDS - t0)) s)"
        printf '%s\n' "$out" | sed 's/^/#   /' | head -40
    fi
}

# Prometheus and promtool, taken out of Debian's package by
# scripts/install-deps.sh (never installed: its package starts a service).
PATH="$REPO_DIR/build/tools/prometheus/usr/bin:$PATH"
