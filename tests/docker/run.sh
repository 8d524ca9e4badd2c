#!/usr/bin/env bash
# tests/docker/run.sh: builds the image (Dockerfile) and checks it in real
# containers. Needs a Docker engine: .ci/run runs it through the workplace's
# with-docker.sh, which sets $DOCKER and DOCKER_HOST. Prints one
# "ok - NAME" / "not ok - NAME" line per test and, last,
# "N passed, N failed".
#
#   tests/docker/run.sh            build crond-lite:test, run every test
#   IMAGE=crond-lite:dev tests/docker/run.sh   test an image built already
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/e2e/lib.sh
RECORDS=$REPO_DIR/tests/e2e/helpers/records.py
: "${DOCKER:=docker}"
IMAGE=${IMAGE:-}
PREFIX=cltest$$

if [ -z "$IMAGE" ]; then
    IMAGE=crond-lite:test
    if ! "$DOCKER" build --network=host -q -t "$IMAGE" . >/dev/null; then
        echo "not ok - image_builds"
        echo "0 passed, 1 failed"
        exit 1
    fi
fi

# Every container of this run; removed at the end whatever happened.
cleanup() { "$DOCKER" ps -aq --filter "name=$PREFIX" | xargs -r "$DOCKER" rm -f >/dev/null 2>&1; }
trap cleanup EXIT

# dk_run NAME DOCKER-RUN-ARGS... : a detached container named $PREFIX-NAME
dk_run() {
    local name=$PREFIX-$1
    shift
    "$DOCKER" run -d --name "$name" "$@" >/dev/null
}

# logs NAME: the container's stdout to out.log, so records.py can read it
logs() { "$DOCKER" logs "$PREFIX-$1" >out.log 2>err.log; }
rec() { python3 "$RECORDS" out.log "$@"; }

# wait_logs NAME N TIMEOUT FILTER... : until N records match in the logs
wait_logs() {
    local name=$1 n=$2 t=$3 i
    shift 3
    for ((i = 0; i < t * 5; i++)); do
        logs "$name"
        [ "$(rec "$@" --count)" -ge "$n" ] && return 0
        sleep 0.2
    done
    echo "--- logs of $name"; tail -n 20 out.log; tail -n 5 err.log
    fail "waited ${t}s for $n record(s) $* in $name's logs"
}

state() { "$DOCKER" inspect -f "$2" "$PREFIX-$1"; }

# a world-readable crontab folder on the host, for -v
tabs_dir() {
    chmod 755 "$PWD"
    mkdir -m 755 tabs
    printf '%s\n' "$@" >tabs/app.cron
    chmod 644 tabs/app.cron
}

WHO='* * * * * * * echo "uid=$(id -u) gid=$(id -g) home=$HOME"'

image_is_small() {
    local size
    size=$("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE")
    echo "# image size: $size bytes"
    [ "$size" -lt 10000000 ] || fail "image is $size bytes, over 10 MB"
    # what it is made of
    expect_eq "entrypoint" '["/usr/bin/crond-lite"]' "$("$DOCKER" image inspect -f '{{json .Config.Entrypoint}}' "$IMAGE")"
    expect_eq "cmd" '["-f","/etc/crontabs"]' "$("$DOCKER" image inspect -f '{{json .Config.Cmd}}' "$IMAGE")"
    expect_eq "user" '65532:65532' "$("$DOCKER" image inspect -f '{{.Config.User}}' "$IMAGE")"
    "$DOCKER" run --rm "$IMAGE" --version | grep -qx 'crond-lite [0-9][0-9.]*' || fail "--version"
}

# The image as it comes: its example crontab runs, output in docker logs.
default_run() {
    dk_run default "$IMAGE"
    wait_logs default 1 10 event=job.output 'msg=[app] hello from crond-lite'
    wait_logs default 1 5 event=job.output 'msg=crond-lite started'
    expect_eq "daemon uid" 65532 "$(rec event=daemon.start -f uid)"
    expect_eq "daemon user" nonroot "$(rec event=daemon.start -f user)"
    expect_eq "id in the container" "65532:65532" "$("$DOCKER" exec "$PREFIX-default" sh -c 'echo $(id -u):$(id -g)')"
    expect_eq "PID 1 is crond-lite" crond-lite "$("$DOCKER" exec "$PREFIX-default" cat /proc/1/comm)"
}

mounted_jobs_as_nonroot() {
    tabs_dir "$WHO"
    dk_run nonroot -v "$PWD/tabs:/etc/crontabs:ro" "$IMAGE"
    wait_logs nonroot 1 10 event=job.output msg~^uid=
    expect_eq "the job's identity" "uid=65532 gid=65532 home=/home/nonroot" \
        "$(rec event=job.output msg~^uid= -f msg | head -1)"
}

# OpenShift's way: a uid the image's passwd does not know.
arbitrary_uid() {
    tabs_dir "$WHO"
    dk_run anyuid --user 12345:12345 -v "$PWD/tabs:/etc/crontabs:ro" "$IMAGE"
    wait_logs anyuid 1 10 event=job.output msg~^uid=
    expect_eq "the job's identity" "uid=12345 gid=12345 home=/" \
        "$(rec event=job.output msg~^uid= -f msg | head -1)"
    expect_eq "daemon uid" 12345 "$(rec event=daemon.start -f uid)"
}

locked_down() {
    tabs_dir "$WHO" '* * * * * * * touch /etc/x 2>&1 || echo "read-only as expected"'
    dk_run locked --read-only --cap-drop ALL --security-opt no-new-privileges \
        --user 23456:23456 -v "$PWD/tabs:/etc/crontabs:ro" "$IMAGE"
    wait_logs locked 2 10 event=job.output msg~^uid=
    wait_logs locked 1 5 event=job.output 'msg=read-only as expected'
    expect_eq "the job's identity" "uid=23456 gid=23456 home=/" \
        "$(rec event=job.output msg~^uid= -f msg | head -1)"
    # no capabilities and no way to gain any, for the daemon and its jobs
    expect_eq "CapEff of PID 1" 0000000000000000 \
        "$("$DOCKER" exec "$PREFIX-locked" sh -c "sed -n 's/^CapEff:[[:space:]]*//p' /proc/1/status")"
    expect_eq "NoNewPrivs of PID 1" 1 \
        "$("$DOCKER" exec "$PREFIX-locked" sh -c "sed -n 's/^NoNewPrivs:[[:space:]]*//p' /proc/1/status")"
    [ "$(rec level=error --count)" -eq 0 ] || fail "error records: $(rec level=error)"
}

# --listen in the locked-down image: probed from inside the container with
# its busybox wget, as a Kubernetes exec probe would (an httpGet probe reaches
# the same socket from the pod's network).
http_endpoint() {
    tabs_dir "$WHO"
    dk_run http --read-only --cap-drop ALL --user 23456:23456 \
        -v "$PWD/tabs:/etc/crontabs:ro" "$IMAGE" -f /etc/crontabs --listen :9746
    wait_logs http 1 10 event=daemon.start
    expect_eq "/healthz" ok "$("$DOCKER" exec "$PREFIX-http" wget -q -O - http://127.0.0.1:9746/healthz)"
    expect_eq "/readyz" ready "$("$DOCKER" exec "$PREFIX-http" wget -q -O - http://127.0.0.1:9746/readyz)"
    "$DOCKER" exec "$PREFIX-http" wget -q -O - http://127.0.0.1:9746/metrics | grep -q '^# ' ||
        fail "/metrics"
    ! "$DOCKER" exec "$PREFIX-http" wget -q -O - http://127.0.0.1:9746/nothing 2>/dev/null ||
        fail "/nothing answered"
    [ "$(rec level=error --count)" -eq 0 ] || fail "error records: $(rec level=error)"
}

# The gosu pattern: started as root, crond-lite drops to --user itself.
root_drops_to_user() {
    tabs_dir "$WHO"
    dk_run gosu --user 0:0 -v "$PWD/tabs:/etc/crontabs:ro" "$IMAGE" --user nonroot -f /etc/crontabs
    wait_logs gosu 1 10 event=job.output msg~^uid=
    expect_eq "the job's identity" "uid=65532 gid=65532 home=/home/nonroot" \
        "$(rec event=job.output msg~^uid= -f msg | head -1)"
    expect_eq "daemon uid" 65532 "$(rec event=daemon.start -f uid)"
    expect_eq "PID 1's ids" "65532 65532 65532 65532" \
        "$("$DOCKER" exec "$PREFIX-gosu" sh -c "sed -n 's/^Uid:[[:space:]]*//p' /proc/1/status" | tr -s '\t ' ' ')"
}

# docker stop: SIGTERM reaches the running job, whose trap runs, and the
# container exits 0 well before Docker's SIGKILL at 10 s.
stop_forwards_sigterm() {
    tabs_dir '@reboot trap "echo trapped TERM; exit 0" TERM; echo started; while :; do sleep 1; done'
    dk_run stop -v "$PWD/tabs:/etc/crontabs:ro" "$IMAGE"
    wait_logs stop 1 10 event=job.output msg=started
    local t0 t1
    t0=$(date +%s%N)
    "$DOCKER" stop "$PREFIX-stop" >/dev/null
    t1=$(date +%s%N)
    local ms=$(( (t1 - t0) / 1000000 ))
    echo "# docker stop took $ms ms"
    [ "$ms" -lt 9000 ] || fail "docker stop took $ms ms"
    expect_eq "exit code" 0 "$(state stop '{{.State.ExitCode}}')"
    logs stop
    expect_eq "the job's trap" "trapped TERM" "$(rec event=job.output msg~trapped -f msg)"
    expect_eq "the job's end" 0 "$(rec event=job.exit -f status)"
    [ "$(rec event=daemon.stop --count)" -eq 1 ] || fail "no daemon.stop record"
}

# A job that ignores SIGTERM is killed after --grace, still inside docker stop.
stop_kills_after_grace() {
    tabs_dir '@reboot trap "" TERM; echo stubborn; while :; do sleep 1; done'
    dk_run grace -v "$PWD/tabs:/etc/crontabs:ro" "$IMAGE" -f /etc/crontabs --grace 2s
    wait_logs grace 1 10 event=job.output msg=stubborn
    "$DOCKER" stop "$PREFIX-grace" >/dev/null
    expect_eq "exit code" 0 "$(state grace '{{.State.ExitCode}}')"
    logs grace
    [ "$(rec event=job.kill signal=SIGKILL --count)" -eq 1 ] || fail "no SIGKILL record: $(rec event=job.kill)"
}

# A crontab mounted from the host and edited there is reloaded.
host_edit_reloads() {
    tabs_dir '* * * * * * * echo before'
    dk_run reload -v "$PWD/tabs:/etc/crontabs:ro" "$IMAGE"
    wait_logs reload 1 10 event=job.output msg=before
    # as an editor saves: a new file renamed over the old one
    printf '%s\n' '* * * * * * * echo after' >tabs/.app.cron.new
    chmod 644 tabs/.app.cron.new
    mv tabs/.app.cron.new tabs/app.cron
    wait_logs reload 1 10 event=daemon.reload
    wait_logs reload 1 10 event=job.output msg=after
    # and a broken edit keeps the last good jobs
    printf '%s\n' '61 * * * * echo broken' >tabs/app.cron
    wait_logs reload 1 10 event=config.error
    local n
    logs reload
    n=$(rec event=job.output msg=after --count)
    sleep 2
    logs reload
    [ "$(rec event=job.output msg=after --count)" -gt "$n" ] || fail "the old job stopped after a broken edit"
}

# The COPY --from pattern of the README: the static binary in a plain Debian
# image, run as root dropping to Debian's nobody (from /etc/passwd, no NSS).
static_in_debian() {
    "$DOCKER" build --network=host -q -t "$PREFIX-debian" --build-arg "IMAGE=$IMAGE" - >/dev/null <<'DOCKERFILE'
ARG IMAGE
FROM ${IMAGE} AS crond
FROM debian:bookworm-slim
COPY --from=crond /usr/bin/crond-lite /usr/local/bin/crond-lite
RUN mkdir -p /etc/crontabs \
 && echo '* * * * * * * echo "uid=$(id -u) user=$USER shell=$SHELL"' >/etc/crontabs/who \
 && chmod 644 /etc/crontabs/who
CMD ["crond-lite", "--user", "nobody", "-f", "/etc/crontabs"]
DOCKERFILE
    dk_run debian "$PREFIX-debian"
    wait_logs debian 1 10 event=job.output msg~^uid=
    expect_eq "the job's identity" "uid=65534 user=nobody shell=/bin/sh" \
        "$(rec event=job.output msg~^uid= -f msg | head -1)"
    expect_eq "ldd" "not a dynamic executable" \
        "$("$DOCKER" run --rm "$PREFIX-debian" sh -c 'ldd /usr/local/bin/crond-lite 2>&1' | sed 's/^[[:space:]]*//')"
    "$DOCKER" rmi -f "$PREFIX-debian" >/dev/null
}

# Nothing in the image but the binary: it still starts and computes times.
static_alone_in_scratch() {
    "$DOCKER" build --network=host -q -t "$PREFIX-bare" --build-arg "IMAGE=$IMAGE" - >/dev/null <<'DOCKERFILE'
ARG IMAGE
FROM ${IMAGE} AS crond
FROM scratch
COPY --from=crond /usr/bin/crond-lite /crond-lite
ENTRYPOINT ["/crond-lite"]
DOCKERFILE
    "$DOCKER" run --rm "$PREFIX-bare" --version | grep -qx 'crond-lite [0-9][0-9.]*' || fail "--version"
    expect_eq "--next (UTC without zoneinfo)" \
        "$(printf '2026-12-01T09:%s:00+00:00\n' 00 20 40)" \
        "$("$DOCKER" run --rm "$PREFIX-bare" --next '*/20 9 * * *' --from 2026-12-01T00:00:00 --count 3)"
    "$DOCKER" rmi -f "$PREFIX-bare" >/dev/null
}

# examples/entrypoint: starts as root, fixes the volume's owner, drops to app.
entrypoint_example() {
    "$DOCKER" build --network=host -q -t "$PREFIX-entry" --build-arg "CROND_IMAGE=$IMAGE" \
        "$REPO_DIR/examples/entrypoint" >/dev/null
    mkdir data
    dk_run entry -v "$PWD/data:/data" "$PREFIX-entry"
    wait_logs entry 2 15 event=job.exit status=0
    expect_eq "daemon user" app "$(rec event=daemon.start -f user)"
    [ -s data/ticks ] || fail "nothing written to the volume"
    expect_eq "volume owner" 10001 "$(stat -c %u data)"
    expect_eq "file owner" 10001 "$(stat -c %u data/ticks)"
    "$DOCKER" stop "$PREFIX-entry" >/dev/null
    expect_eq "exit code" 0 "$(state entry '{{.State.ExitCode}}')"
}

# http_get NAME URL: GET from inside NAME's network namespace, with the
# crond-lite image's busybox wget (the migrate images have no client).
http_get() {
    "$DOCKER" run --rm --network "container:$PREFIX-$1" --entrypoint wget "$IMAGE" -q -O - "$2"
}

# examples/migrate/go-crond: go-crond's variables and CMD, binary swapped.
migrate_go_crond() {
    "$DOCKER" build --network=host -q -t "$PREFIX-gocrond" --build-arg "CROND_IMAGE=$IMAGE" \
        "$REPO_DIR/examples/migrate/go-crond" >/dev/null
    dk_run gocrond "$PREFIX-gocrond"
    wait_logs gocrond 2 15 event=job.exit job=app:5 status=0
    head -1 out.log | grep -q '^{"time":' || fail "LOG_JSON=1: not JSON: $(head -1 out.log)"
    expect_eq "job output" "tick from app in /" "$(rec event=job.output job=app:5 -f msg | head -1)"
    expect_eq "daemon user" app "$(rec event=daemon.start -f user)"
    expect_eq "--allow-unprivileged warnings" 1 "$(rec level=warn msg~allow-unprivileged --count)"
    http_get gocrond http://127.0.0.1:8080/metrics >m.prom
    grep -q '^gocrond_task_info{cronSpec="@every 2s",cronUser="app",cronCommand="echo \\"tick from $(id -un) in $(pwd)\\""} 1$' m.prom \
        || fail "gocrond_task_info: $(grep gocrond_task_info m.prom)"
    grep -q '^gocrond_task_info{cronSpec="@hourly",cronUser="root",cronCommand=".*/etc/cron.hourly/report.*"} 1$' m.prom \
        || fail "run-parts job: $(grep gocrond_task_info m.prom)"
    grep -q '^gocrond_task_run_count{cronSpec="@every 2s".*result="success"} [1-9]' m.prom || fail "run_count"
    grep -q '^crond_lite_job_runs_total{cron_job="app:5",result="success"} [1-9]' m.prom || fail "own families"
    expect_eq "/healthz" ok "$(http_get gocrond http://127.0.0.1:8080/healthz)"
    "$DOCKER" stop "$PREFIX-gocrond" >/dev/null
    expect_eq "exit code" 0 "$(state gocrond '{{.State.ExitCode}}')"
}

# examples/migrate/supercronic: supercronic's CMD, binary swapped.
migrate_supercronic() {
    "$DOCKER" build --network=host -q -t "$PREFIX-supercronic" --build-arg "CROND_IMAGE=$IMAGE" \
        "$REPO_DIR/examples/migrate/supercronic" >/dev/null
    dk_run supercronic "$PREFIX-supercronic"
    local i
    for ((i = 0; i < 50; i++)); do
        logs supercronic
        [ "$(grep -c '^hello from crond-lite as supercronic$' out.log)" -ge 2 ] && break
        sleep 0.2
    done
    [ "$(grep -c '^hello from crond-lite as supercronic$' out.log)" -ge 2 ] ||
        fail "-passthrough-logs: no raw job lines: $(tail -5 out.log)"
    grep '^{' out.log | head -1 | grep -q '"event":"daemon.start"' || fail "-json: $(head -1 out.log)"
    http_get supercronic http://127.0.0.1:9746/metrics >m.prom
    grep -q '^supercronic_executions{command="echo \\"hello from crond-lite as supercronic\\"",position="0",schedule="\*/2 \* \* \* \* \* \*"} [1-9]' m.prom \
        || fail "supercronic_executions: $(grep '^supercronic_executions' m.prom)"
    grep -q '^crond_lite_jobs 2$' m.prom || fail "own families"
    expect_eq "/health" OK "$(http_get supercronic http://127.0.0.1:9746/health)"
    "$DOCKER" stop "$PREFIX-supercronic" >/dev/null
    expect_eq "exit code" 0 "$(state supercronic '{{.State.ExitCode}}')"
}

results=$(mktemp)
trap 'cleanup; rm -f "$results"' EXIT
{
run_test image_is_small image_is_small
run_test default_run default_run
run_test mounted_jobs_as_nonroot mounted_jobs_as_nonroot
run_test arbitrary_uid arbitrary_uid
run_test read_only_no_capabilities locked_down
run_test http_endpoint http_endpoint
run_test root_drops_to_user root_drops_to_user
run_test stop_forwards_sigterm stop_forwards_sigterm
run_test stop_kills_after_grace stop_kills_after_grace
run_test host_edit_reloads host_edit_reloads
run_test static_in_debian static_in_debian
run_test static_alone_in_scratch static_alone_in_scratch
run_test entrypoint_example entrypoint_example
run_test migrate_go_crond migrate_go_crond
run_test migrate_supercronic migrate_supercronic
} | tee "$results"
passed=$(grep -c '^ok ' "$results")
failed=$(grep -c '^not ok ' "$results")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
