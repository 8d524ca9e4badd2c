#!/bin/sh
# Installs every build and test dependency of crond-lite from Debian's
# packages. Idempotent: installs only what is missing; uses sudo only when
# not root. `make run` and `make test` call it with --if-missing, which
# returns at once when everything is there.
#
#   scripts/install-deps.sh [--if-missing]
set -eu

# build: compiler, make, libraries (their static archives too: make static);
# test: cmocka, valgrind, zone data, util-linux (setpriv, unshare), procps and
# python3 (record parsing) for the end-to-end tests; file, busybox-static and
# ca-certificates for the static build's test in an image-like root;
# mandoc and groff-base to lint the man page; python3-yaml and shellcheck for
# the examples; strace for the security tests; clang with its libFuzzer
# runtime for the fuzz targets; cppcheck, clang-tidy and shellcheck for
# make lint; prometheus for promtool (tests/e2e/test_metrics.sh).
PACKAGES="gcc make libc6-dev pkg-config libev-dev libinih-dev libcmocka-dev tzdata \
valgrind util-linux procps python3 faketime file busybox-static ca-certificates \
mandoc groff-base python3-yaml shellcheck strace clang libclang-rt-14-dev \
cppcheck clang-tidy prometheus"

# prometheus's postinst starts a Prometheus service (and enables it) unless
# policy-rc.d forbids it, as Docker's Debian images do (exit 101). This
# script starts nothing: elsewhere it leaves prometheus out and says so (the
# promtool tests skip without it).
starts_services() {
    [ -x /usr/sbin/policy-rc.d ] || return 0
    rc=0
    /usr/sbin/policy-rc.d prometheus start >/dev/null 2>&1 || rc=$?
    [ "$rc" -ne 101 ]
}

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done

case " $missing " in
*" prometheus "*)
    if starts_services; then
        rest=""
        for p in $missing; do [ "$p" = prometheus ] || rest="$rest $p"; done
        missing=$rest
        echo "install-deps: not installing prometheus (promtool): its package would start" \
            "a service here; install it yourself for the promtool tests" >&2
    fi
    ;;
esac

if [ -z "$missing" ]; then
    [ "${1:-}" = "--if-missing" ] || echo "install-deps: all dependencies are installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-deps: need root (or sudo) to install:$missing" >&2
    exit 1
fi

echo "install-deps: installing$missing"
$SUDO apt-get update -qq
# shellcheck disable=SC2086  # $missing is a list of package names
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"
