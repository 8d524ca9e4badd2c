#!/usr/bin/env bash
# End-to-end tests of --export kubernetes (DESIGN.md section 11, README
# "Handing a job to Kubernetes"): the manifests parsed as YAML and checked
# field by field; the jobs a CronJob cannot express refused, each with its
# reason, and a non-zero exit.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"

# check_yaml FILE PYTHON-ASSERTIONS: the manifests of FILE as `docs` (a
# list of dicts, in order), `by` (by metadata.name), then the assertions.
check_yaml() {
    "$PYTHON" - "$1" "$2" <<'EOF'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]
by = {d["metadata"]["name"]: d for d in docs}
exec(sys.argv[2])
EOF
}

exportable() {
    cat >app.cron <<'EOF'
SHELL=/bin/bash
CRON_TZ=Europe/Berlin
GREETING=hello "world"
30 2 * * 1-5 echo "$GREETING" | tee /tmp/x && echo 'it''s %'
@daily /usr/local/bin/cleanup --all
-*/15 * * * * true
0 4 1 1 * * echo yearly-star
EOF
    cat >c.ini <<'EOF'
[job "Nightly Backup"]
schedule = 0 3 * * *
command = pg_dump app > /backup/app.sql
timeout = 1h30m
overlap = queue
env.PGHOST = db
[job "reports"]
schedule = 0 */6 * * *
command = make-reports
overlap = allow
EOF
    "$CROND_BIN" --export kubernetes --image registry.example/jobs:1.2 -f app.cron -c c.ini -z UTC \
        >out.yaml 2>err.txt || fail "exit $?: $(cat err.txt)"
    # only --check's warning about the "*" year (line 7)
    expect_eq "stderr" "app.cron:7:11: warning:" "$(cut -d' ' -f1-2 err.txt)"
    expect_eq "documents" 6 "$(grep -c '^apiVersion: batch/v1$' out.yaml)"
    check_yaml out.yaml '
names = [d["metadata"]["name"] for d in docs]
assert names == ["app-cron-4", "app-cron-5", "app-cron-6", "app-cron-7", "nightly-backup", "reports"], names
for d in docs:
    assert d["apiVersion"] == "batch/v1" and d["kind"] == "CronJob", d
    assert d["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "crond-lite"}
    pod = d["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 65532
    c, = pod["containers"]
    assert c["image"] == "registry.example/jobs:1.2"
    sc = c["securityContext"]
    assert sc == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                  "capabilities": {"drop": ["ALL"]}}, sc
a = by["app-cron-4"]
assert a["metadata"]["annotations"]["crond-lite/job"] == "app.cron:4"
assert a["spec"]["schedule"] == "30 2 * * 1-5"
assert a["spec"]["timeZone"] == "Europe/Berlin"
assert a["spec"]["concurrencyPolicy"] == "Forbid"
assert "activeDeadlineSeconds" not in a["spec"]["jobTemplate"]["spec"]
c = a["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
assert c["command"] == ["/bin/bash", "-c", "echo \"$GREETING\" | tee /tmp/x && echo '"'"'it'"'"''"'"'s %'"'"'"], c["command"]
assert c["env"] == [{"name": "GREETING", "value": "hello \"world\""}], c["env"]
assert by["app-cron-5"]["spec"]["schedule"] == "@daily"
assert by["app-cron-6"]["spec"]["schedule"] == "*/15 * * * *"   # cronie "-" dropped
assert by["app-cron-7"]["spec"]["schedule"] == "0 4 1 1 *"      # a "*" year dropped
b = by["nightly-backup"]
assert b["metadata"]["annotations"]["crond-lite/job"] == "Nightly Backup"
assert b["spec"]["schedule"] == "0 3 * * *" and b["spec"]["timeZone"] == "UTC"
assert b["spec"]["concurrencyPolicy"] == "Forbid"
assert b["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"] == 5400
c = b["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
assert c["command"] == ["/bin/sh", "-c", "pg_dump app > /backup/app.sql"]
assert c["env"] == [{"name": "PGHOST", "value": "db"}]
assert by["reports"]["spec"]["concurrencyPolicy"] == "Allow"
'
    # queue has no CronJob equivalent: said in a comment
    grep -B1 -A0 'concurrencyPolicy: Forbid' out.yaml | grep -q '# overlap = queue' || fail "no queue comment"
    # --image is optional: the default image
    "$CROND_BIN" --export kubernetes -f app.cron -z UTC | grep -q 'image: "debian:bookworm-slim"' ||
        fail "default image"
}

refused() {
    cat >mixed.cron <<'EOF'
*/10 * * * * * * echo seconds
@reboot echo reboot
@every 5m echo every
0 0 L * * echo last-day
0 0 15W * * echo weekday
0 0 * * 5L echo last-friday
0 0 * * FRI#3 echo third-friday
0 0 1 1 * 2030 echo year
~ 3 * * * echo random
0 12 * * * echo ok
EOF
    printf 'RANDOM_DELAY=5\n0 1 * * * echo delayed\n' >delay.cron
    local rc=0
    "$CROND_BIN" --export kubernetes -f mixed.cron -f delay.cron -z UTC >out.yaml 2>err.txt || rc=$?
    expect_eq "exit status" 1 "$rc"
    expect_eq "exported" 1 "$(grep -c '^kind: CronJob$' out.yaml)"
    check_yaml out.yaml 'assert docs[0]["spec"]["schedule"] == "0 12 * * *" and docs[0]["metadata"]["name"] == "mixed-cron-10"'
    local want
    want=$(cat <<'EOF'
mixed.cron:1: not exported: a seconds field (a CronJob runs at most once a minute)
mixed.cron:2: not exported: @reboot (a CronJob has no daemon start to run at)
mixed.cron:3: not exported: @every (a CronJob runs on the calendar, not every interval since a start)
mixed.cron:4: not exported: L in the day of month (a CronJob's schedule has no last day)
mixed.cron:5: not exported: W in the day of month (a CronJob's schedule has no nearest weekday)
mixed.cron:6: not exported: L in the day of week (a CronJob's schedule has no last weekday)
mixed.cron:7: not exported: # in the day of week (a CronJob's schedule has no n-th weekday)
mixed.cron:8: not exported: a year field (a CronJob's schedule has five fields)
mixed.cron:9: not exported: a random '~' item (write the value crond-lite chose: --list shows it)
delay.cron:2: not exported: RANDOM_DELAY (a CronJob has no start delay)
crond-lite: 10 jobs not exported
EOF
)
    expect_eq "refusals" "$want" "$(cat err.txt)"
    # usage: --image only with --export; only kubernetes
    rc=0
    "$CROND_BIN" --image x -f mixed.cron 2>err.txt || rc=$?
    expect_eq "--image alone" "2 crond-lite: --image needs --export kubernetes (see --help)" "$rc $(cat err.txt)"
    rc=0
    "$CROND_BIN" --export nomad 2>err.txt || rc=$?
    expect_eq "--export nomad" "2 crond-lite: --export: expected kubernetes, got 'nomad'" "$rc $(cat err.txt)"
}

# Names are DNS-1123, at most 52 characters, and unique.
names() {
    mkdir d
    printf '0 1 * * * a\n0 2 * * * b\n' >"d/My_Very.Long-Crontab-Name-That-Goes-On-And-On-For-Ever.cron"
    printf '[job "my very long crontab name that goes on and on for ever cron 1"]\nschedule = 0 3 * * *\ncommand = c\n' >c.ini
    "$CROND_BIN" --export kubernetes -f d -c c.ini -z UTC >out.yaml
    check_yaml out.yaml '
import re
names = [d["metadata"]["name"] for d in docs]
assert len(names) == 3 and len(set(names)) == 3, names
for n in names:
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", n) and len(n) <= 52, n
'
}

run_test exportable exportable
run_test refused refused
run_test names names
