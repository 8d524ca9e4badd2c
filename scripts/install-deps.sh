#!/bin/sh
# Installs every build and test dependency of crond-lite from Debian's
# packages. Idempotent: installs only what is missing; uses sudo only when
# not root. `make run` and `make test` call it with --if-missing, which
# returns at once when everything is there.
#
#   scripts/install-deps.sh [--if-missing] [--test-tools]
#
# --test-tools (make test, make check-asan, .ci/run) also takes Prometheus
# and promtool out of Debian's package for the metrics tests; `make run`
# does not need them.
set -eu

# build: compiler, make, libraries (their static archives too: make static;
# libhttp-parser-dev parses the requests of --listen, README "Why
# libhttp-parser"; libhiredis-dev is --claim's Redis client, with its libev
# adapter);
# test: cmocka, valgrind, zone data, util-linux (setpriv, unshare), procps and
# python3 (record parsing) for the end-to-end tests; file, busybox-static and
# ca-certificates for the static build's test in an image-like root;
# mandoc and groff-base to lint the man page; python3-yaml and shellcheck for
# the examples; strace for the security tests; redis-tools for the
# replica tests (its redis-check-rdb is the Redis server, run by the tests
# through a link named redis-server: the redis-server package would start
# and enable a system service); clang with its libFuzzer
# runtime for the fuzz targets; cppcheck, clang-tidy and shellcheck for
# make lint. Prometheus (the server and promtool, for the metrics tests) is
# taken out of Debian's package into build/tools/prometheus, not installed:
# its postinst would start and enable a system service on :9090.
PACKAGES="gcc make libc6-dev pkg-config libev-dev libinih-dev libhttp-parser-dev libhiredis-dev \
libcmocka-dev tzdata redis-tools \
valgrind util-linux procps python3 faketime file busybox-static ca-certificates \
mandoc groff-base python3-yaml shellcheck strace clang libclang-rt-14-dev \
cppcheck clang-tidy"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done

# prometheus_tools: /usr/bin/prometheus and promtool of Debian's package in
# build/tools/prometheus (apt-get download and dpkg-deb -x; nothing runs).
prometheus_tools() {
    tools=$(cd "$(dirname "$0")/.." && pwd)/build/tools/prometheus
    [ -x "$tools/usr/bin/promtool" ] && [ -x "$tools/usr/bin/prometheus" ] && return 0
    echo "install-deps: taking prometheus and promtool out of Debian's package"
    tmp=$(mktemp -d)
    if ! (cd "$tmp" && { apt-get download prometheus >/dev/null 2>&1 ||
        { ${SUDO:-} apt-get update -qq && apt-get download prometheus >/dev/null; }; }); then
        rm -rf "$tmp"
        echo "install-deps: apt-get download prometheus failed" >&2
        return 1
    fi
    mkdir -p "$tools"
    dpkg-deb -x "$tmp"/prometheus_*.deb "$tools"
    rm -rf "$tmp"
}

if_missing=false test_tools=false
for a in "$@"; do
    case $a in
    --if-missing) if_missing=true ;;
    --test-tools) test_tools=true ;;
    *) echo "install-deps: unknown argument '$a'" >&2; exit 2 ;;
    esac
done

if [ -z "$missing" ]; then
    if $test_tools; then prometheus_tools || exit 1; fi
    $if_missing || echo "install-deps: all dependencies are installed"
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
if $test_tools; then prometheus_tools || exit 1; fi
echo "install-deps: done"
