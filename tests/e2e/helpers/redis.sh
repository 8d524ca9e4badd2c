# Sourced by tests/e2e/test_replicas.sh: a real Redis server of Debian's
# packages on a free 127.0.0.1 port, its data in the test's directory, and
# stopped by its pid. Debian's redis-tools ships the server as
# /usr/bin/redis-check-rdb, which runs as the server when called by the
# name redis-server (the redis-server package itself would start and
# enable a system service); scripts/install-deps.sh installs redis-tools.
#
#   redis_start PORT [ARGS...]   redis-server on PORT (RPID), ready
#   redis_stop                   SIGTERM, wait for it
#   rcli ARGS...                 redis-cli -p PORT ARGS (RPORT)

RPID=
RPORT=

redis_bin() {
    if command -v redis-server >/dev/null 2>&1; then
        command -v redis-server
    elif [ -x /usr/bin/redis-check-rdb ]; then
        ln -sf /usr/bin/redis-check-rdb "$PWD/redis-server"
        echo "$PWD/redis-server"
    else
        return 1
    fi
}

redis_start() {
    local port=$1 bin i
    shift
    bin=$(redis_bin) || { fail "no redis-server (scripts/install-deps.sh installs redis-tools)"; return 1; }
    mkdir -p "redis-$port"
    RPORT=$port
    "$bin" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$PWD/redis-$port" \
        --daemonize no --logfile "$PWD/redis-$port/log" "$@" </dev/null >"redis-$port/out" 2>&1 &
    RPID=$!
    for ((i = 0; i < 50; i++)); do
        grep -q 'Ready to accept connections' "redis-$port/log" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "redis-server did not start: $(tail -3 "redis-$port/log" 2>/dev/null)"
}

redis_stop() {
    [ -n "$RPID" ] || return 0
    kill -TERM "$RPID" 2>/dev/null || true
    wait "$RPID" 2>/dev/null || true
    RPID=
}

rcli() { redis-cli -p "$RPORT" "$@"; }
