#!/usr/bin/env bash
# End-to-end tests of examples/: every crontab there (also the ones inside
# the Kubernetes ConfigMap and the entrypoint image) passes --check with all
# its job lines loaded, the INI file is valid and complete, the YAML files
# parse and keep their security settings and grace periods consistent with
# crond-lite's --grace, and examples/entrypoint/entrypoint.sh execs crond-lite
# with the right arguments as root and as another user.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/helpers/daemon.sh"

EX="$REPO_DIR/examples"
NOBODY_UID=$(id -u nobody 2>/dev/null || echo 65534)
NOBODY_GID=$(id -g nobody 2>/dev/null || echo 65534)
NOBODY_GROUP=$(getent group "$NOBODY_GID" | cut -d: -f1)

is_root() { [ "$(id -u)" = 0 ]; }

# as_other CMD...: CMD as an unprivileged user: nobody when the test runs as
# root (setpriv), else the test's own user. Fails when root lacks setpriv.
as_other() {
    if is_root; then
        command -v setpriv >/dev/null || fail "setpriv is missing (util-linux)" || return 1
        setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups "$@"
    else
        "$@"
    fi
}
other_uid() { if is_root; then echo "$NOBODY_UID"; else id -u; fi; }

# job_lines FILE: the line numbers of FILE's job lines, i.e. every line that
# is not blank, not a comment and not a NAME=VALUE variable. A line starting
# with CRON_TZ=ZONE and a blank is a job with its own zone, not a variable.
job_lines() {
    awk '/^[ \t]*$/ || /^[ \t]*#/ { next }
         /^[ \t]*CRON_TZ=[^ \t]+[ \t]+[^ \t]/ { print NR; next }
         /^[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*=/ { next }
         { print NR }' "$1"
}

# expected_ids PATH: FILE:LINE of every job line of a crontab file, or of
# the files of a crontab directory (hidden files are not crontabs), sorted.
expected_ids() {
    local f
    if [ -d "$1" ]; then
        for f in "$1"/*; do
            [ -f "$f" ] || continue
            job_lines "$f" | sed "s|^|$(basename "$f"):|"
        done
    else
        job_lines "$1" | sed "s|^|$(basename "$1"):|"
    fi | sort
}

# listed_ids ARGS...: the distinct job ids --list prints for ARGS, sorted.
listed_ids() {
    "$CROND_BIN" --list --count 1 -z UTC "$@" | cut -f1 | sort -u
}

# check_clean PATH...: --check over PATH(s) prints exactly "N file(s), M
# jobs: no problems" with M the number of job lines, nothing on stderr, and
# --list loads every one of those lines.
check_clean() {
    local out rc=0 n files=0 p word
    n=$(for p in "$@"; do expected_ids "$p"; done | wc -l)
    for p in "$@"; do
        if [ -d "$p" ]; then files=$((files + $(find -L "$p" -maxdepth 1 -type f ! -name '.*' | wc -l)))
        else files=$((files + 1)); fi
    done
    [ "$n" -gt 0 ] || fail "no job lines in $*" || return 1
    local args=()
    for p in "$@"; do args+=(-f "$p"); done
    out=$("$CROND_BIN" --check "${args[@]}" 2>check.err) || rc=$?
    expect_eq "--check status for $*" 0 "$rc" || { cat check.err; return 1; }
    expect_eq "--check stderr for $*" "" "$(cat check.err)"
    word='files'; [ "$files" -eq 1 ] && word='file'
    expect_eq "--check summary for $*" "$files $word, $n jobs: no problems" "$out"
    expect_eq "--list ids for $*" \
        "$(for p in "$@"; do expected_ids "$p"; done | sort)" "$(listed_ids "${args[@]}")"
}

# ------------------------------------------------------- python helpers --
# examples.py COMMAND ARGS: YAML questions answered with python3-yaml.
# Assertion failures print "FAIL: ..." lines and exit 1.
read -r -d '' EXAMPLES_PY <<'PY'
import os, re, shlex, sys
import yaml

fails = []
def need(cond, what):
    if not cond:
        fails.append(what)

def duration_ms(s):
    """crond-lite's durations (90s, 1h30m, 250ms, 2d, plain seconds) and
    Compose's Go durations (1m30s, 1.5s)."""
    s = str(s).strip()
    if re.fullmatch(r'\d+', s):
        return int(s) * 1000
    units = {'d': 86400000, 'h': 3600000, 'm': 60000, 's': 1000, 'ms': 1,
             'us': 0.001, 'ns': 0.000001}
    parts = re.findall(r'(\d+(?:\.\d+)?)(ms|us|ns|d|h|m|s)', s)
    if not parts or ''.join(a + b for a, b in parts) != s:
        raise ValueError('not a duration: %r' % s)
    return sum(float(a) * units[b] for a, b in parts)

def grace_ms(args, env):
    """--grace from the arguments, else CROND_LITE_GRACE, else 9s."""
    for i, a in enumerate(args):
        if a == '--grace' and i + 1 < len(args):
            return duration_ms(args[i + 1])
        if a.startswith('--grace='):
            return duration_ms(a.split('=', 1)[1])
    return duration_ms(env.get('CROND_LITE_GRACE') or '9s')

def load(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]

def k8s(path):
    docs = load(path)
    cms = {d['metadata']['name']: d for d in docs if d.get('kind') == 'ConfigMap'}
    deps = [d for d in docs if d.get('kind') == 'Deployment']
    need(len(deps) == 1, 'one Deployment, got %d' % len(deps))
    pod = deps[0]['spec']['template']['spec']
    crond = [c for c in pod['containers'] if c.get('image', '').split(':')[0] == 'crond-lite']
    need(len(crond) == 1, 'one crond-lite container, got %d' % len(crond))
    need(len(pod['containers']) >= 2, 'an app container next to crond-lite')
    return cms, pod, crond[0]

def k8s_check(path):
    cms, pod, c = k8s(path)
    psc, csc = pod.get('securityContext') or {}, c.get('securityContext') or {}
    eff = dict(psc)
    eff.update(csc)           # container settings win over the pod's
    need(eff.get('runAsNonRoot') is True, 'runAsNonRoot: true')
    need(isinstance(eff.get('runAsUser'), int) and eff['runAsUser'] != 0,
         'runAsUser not 0: %r' % eff.get('runAsUser'))
    need(csc.get('readOnlyRootFilesystem') is True, 'readOnlyRootFilesystem: true')
    need(csc.get('allowPrivilegeEscalation') is False, 'allowPrivilegeEscalation: false')
    need('ALL' in ((csc.get('capabilities') or {}).get('drop') or []), 'capabilities drop ALL')
    need((eff.get('seccompProfile') or {}).get('type') == 'RuntimeDefault',
         'seccompProfile RuntimeDefault')
    need(not csc.get('privileged'), 'not privileged')
    args = [str(a) for a in (c.get('command') or []) + (c.get('args') or [])]
    env = {e['name']: str(e.get('value', '')) for e in c.get('env') or []}
    tgps = pod.get('terminationGracePeriodSeconds', 30)
    g = grace_ms(args, env)
    need(tgps * 1000 > g, 'terminationGracePeriodSeconds %s not above --grace %sms' % (tgps, g))
    # the crontab volume: the ConfigMap defined here, read-only, at the path -f names
    vols = {v['name']: v for v in pod.get('volumes') or []}
    paths = [args[i + 1] for i, a in enumerate(args[:-1]) if a in ('-f', '--file')]
    need(len(paths) == 1, '-f PATH in the args: %r' % args)
    mounts = [m for m in c.get('volumeMounts') or [] if paths and m['mountPath'] == paths[0]]
    need(len(mounts) == 1, 'a volume mounted at %r' % paths)
    if mounts:
        need(mounts[0].get('readOnly') is True, 'crontab mount readOnly')
        need('subPath' not in mounts[0], 'no subPath (it never updates)')
        cm = (vols.get(mounts[0]['name']) or {}).get('configMap') or {}
        need(cm.get('name') in cms, 'the mount is the ConfigMap of the file: %r' % cm)
    for k in ('requests', 'limits'):
        need((c.get('resources') or {}).get(k), 'resources.%s' % k)
    # --listen's port: declared, scraped (annotations), probed
    listen = [args[i + 1] for i, a in enumerate(args[:-1]) if a == '--listen']
    need(len(listen) == 1, '--listen ADDR in the args: %r' % args)
    port = int(listen[0].rsplit(':', 1)[1]) if listen else None
    ports = {p.get('name'): p.get('containerPort') for p in c.get('ports') or []}
    need(port in ports.values(), 'containerPort %r for --listen' % port)
    ann = (deps_template(path).get('metadata') or {}).get('annotations') or {}
    need(ann.get('prometheus.io/scrape') == 'true', 'prometheus.io/scrape annotation')
    need(str(ann.get('prometheus.io/port')) == str(port), 'prometheus.io/port %r' % ann.get('prometheus.io/port'))
    need(ann.get('prometheus.io/path') == '/metrics', 'prometheus.io/path /metrics')
    for probe, path in (('livenessProbe', '/healthz'), ('readinessProbe', '/readyz')):
        g = (c.get(probe) or {}).get('httpGet') or {}
        need(g.get('path') == path, '%s GET %s' % (probe, path))
        need(g.get('port') == port or ports.get(g.get('port')) == port, '%s on port %r' % (probe, port))

def deps_template(path):
    return [d for d in load(path) if d.get('kind') == 'Deployment'][0]['spec']['template']

def k8s_args(path, crontabs):
    """crond-lite's arguments, with the mounted path replaced by crontabs."""
    _, _, c = k8s(path)
    for a in [str(a) for a in (c.get('command') or []) + (c.get('args') or [])]:
        print(crontabs if a == '/etc/crontabs' else a)

def configmap_extract(path, out):
    cms, _, _ = k8s(path)
    n = 0
    for cm in cms.values():
        for key, text in (cm.get('data') or {}).items():
            with open(os.path.join(out, key), 'w') as f:
                f.write(text)
            os.chmod(os.path.join(out, key), 0o644)
            n += 1
    need(n > 0, 'ConfigMap data')

def compose_service(path):
    svcs = load(path)[0]['services']
    names = [n for n, s in svcs.items() if str(s.get('image', '')).split(':')[0] == 'crond-lite']
    need(len(names) == 1, 'one crond-lite service, got %r' % names)
    need(len(svcs) >= 2, 'an app service next to crond-lite')
    return svcs[names[0]]

def compose_args(s):
    cmd = s.get('command') or []
    return shlex.split(cmd) if isinstance(cmd, str) else [str(a) for a in cmd]

def compose_check(path):
    s = compose_service(path)
    need(s.get('read_only') is True, 'read_only: true')
    need('ALL' in (s.get('cap_drop') or []), 'cap_drop ALL')
    need(any(re.fullmatch(r'no-new-privileges(:true)?', o) for o in s.get('security_opt') or []),
         'security_opt no-new-privileges')
    user = str(s.get('user', ''))
    uid = user.split(':')[0]
    need(uid not in ('', '0', 'root'), 'a user that is not root: %r' % user)
    env = s.get('environment') or {}
    if isinstance(env, list):
        env = dict(e.split('=', 1) for e in env if '=' in e)
    g = grace_ms(compose_args(s), {k: str(v) for k, v in env.items()})
    stop = duration_ms(s.get('stop_grace_period', '10s'))
    need(stop > g, 'stop_grace_period %sms not above --grace %sms' % (stop, g))
    ctx = (s.get('build') or {}).get('context') if isinstance(s.get('build'), dict) else s.get('build')
    need(ctx and os.path.isfile(os.path.join(os.path.dirname(path), ctx, 'Dockerfile')),
         'build context %r holds a Dockerfile' % ctx)
    ro = [v for v in s.get('volumes') or [] if isinstance(v, str) and v.split(':')[1:2] == ['/etc/crontabs']]
    need(len(ro) == 1 and ro[0].endswith(':ro'), 'crontabs mounted read-only at /etc/crontabs: %r' % ro)
    # a healthcheck through --probe, which reads --listen from the environment
    hc = (s.get('healthcheck') or {}).get('test') or []
    need(hc[:1] == ['CMD'] and '--probe' in hc and hc[-1] == '/healthz', 'healthcheck --probe /healthz: %r' % hc)
    need(str(env.get('CROND_LITE_LISTEN', '')).startswith(':'), 'CROND_LITE_LISTEN in the environment')

def compose_crontabs(path):
    """The host directory mounted at /etc/crontabs, absolute."""
    for v in compose_service(path).get('volumes') or []:
        if isinstance(v, str) and v.split(':')[1:2] == ['/etc/crontabs']:
            print(os.path.normpath(os.path.join(os.path.dirname(path), v.split(':')[0])))

def ha_check(compose, deployment, redis):
    """examples/ha: three replicas claiming through the Redis beside them."""
    s = compose_service(compose)
    svcs = load(compose)[0]['services']
    need((s.get('deploy') or {}).get('replicas') == 3, 'compose: deploy.replicas 3')
    args = compose_args(s)
    need('--claim' in args and args[args.index('--claim') + 1] == 'redis://redis:6379/0',
         'compose: --claim redis://redis:6379/0: %r' % args)
    need('redis' in svcs and 'redis' in (s.get('depends_on') or []), 'compose: a redis service')
    docs = load(deployment)
    dep = [d for d in docs if d.get('kind') == 'Deployment'][0]
    need(dep['spec'].get('replicas') == 3, 'Deployment replicas 3')
    _, _, c = k8s(deployment)
    a = [str(x) for x in (c.get('command') or []) + (c.get('args') or [])]
    need('--claim' in a and a[a.index('--claim') + 1] == 'redis://redis:6379/0', 'k8s --claim: %r' % a)
    rd = load(redis)
    svc = [d for d in rd if d.get('kind') == 'Service']
    need(len(svc) == 1 and svc[0]['metadata']['name'] == 'redis', 'a Service named redis')
    need(svc[0]['spec']['ports'][0]['port'] == 6379, 'redis on 6379')
    rdep = [d for d in rd if d.get('kind') == 'Deployment'][0]['spec']['template']['spec']
    need(rdep['securityContext'].get('runAsNonRoot') is True, 'redis runs as non-root')

def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == 'parse':
        for p in args:
            print('%s: %d documents' % (p, len(load(p))))
    elif cmd == 'k8s-check':
        k8s_check(args[0])
    elif cmd == 'k8s-args':
        k8s_args(args[0], args[1])
    elif cmd == 'configmap-extract':
        configmap_extract(args[0], args[1])
    elif cmd == 'compose-check':
        compose_check(args[0])
    elif cmd == 'compose-args':
        for a in compose_args(compose_service(args[0])):
            print(args[1] if a == '/etc/crontabs' else a)
    elif cmd == 'ha-check':
        ha_check(*args)
    elif cmd == 'compose-crontabs':
        compose_crontabs(args[0])
    for f in fails:
        print('FAIL: ' + f)
    sys.exit(1 if fails else 0)

main()
PY
examples_py() { python3 -c "$EXAMPLES_PY" "$@"; }

# ------------------------------------------------------------ crontabs --

crontabs_dir() {
    check_clean "$EX/crontabs"
}

# The example crontab shows every syntax feature the README lists.
crontabs_features() {
    local f="$EX/crontabs/app.cron" re missing=()
    for re in '^[A-Z_]+ = "' "^[A-Z_]+='" '^SHELL=/' '^SHELL=$' '^CRON_TZ=[^ ]+$' '^CRON_TZ=[^ ]+ [0-9*]' \
        '^\*/[0-9]+ \* \* \* \* \* \* ' '^[^@#A-Z]* 20[0-9][0-9]-2099 ' \
        '^@reboot ' '^@yearly ' '^@annually ' '^@monthly ' '^@weekly ' '^@daily ' '^@midnight ' \
        '^@hourly ' '^@every [0-9]' '^[0-9]+/[0-9]+ ' '^[0-9 *]+[0-9]+-[0-9]+/[0-9]+ ' ',' \
        '[a-z]{3}-[a-z]{3}' '[A-Za-z]+day-' ' \? ' ' L ' ' LW ' ' [0-9]+W ' ' [A-Z]{3}L ' ' [0-9]L ' \
        ' [A-Z]{3}#[0-9] ' ' 5-7 ' '%' '^-[0-9*@]' '^[0-9]*~[0-9]* ' '^RANDOM_DELAY=[1-9]' ' [0-9]+-L '; do
        grep -qE -- "$re" "$f" || missing+=("$re")
    done
    [ ${#missing[@]} -eq 0 ] || fail "app.cron lacks lines matching: ${missing[*]}"
}

# examples/drop-in: an /etc/crontab-style file read with -F, run-parts
# directories; every script with a run-parts name is a job, README.txt not.
drop_in() {
    local d="$EX/drop-in" out err
    out=$(cd "$d" && "$CROND_BIN" --check -F crontab --run-parts-hourly cron.hourly \
        --run-parts-daily cron.daily 2>err.txt)
    err=$(cat "$d/err.txt"); rm -f "$d/err.txt"
    local njobs=$(( $(job_lines "$d/crontab" | wc -w) + 2 ))
    expect_eq "--check" "3 files, $njobs jobs: no problems" "$out"
    expect_eq "the only note: README.txt skipped" \
        "cron.daily/README.txt: note: skipped: run-parts runs only names made of A-Z, a-z, 0-9, '_' and '-'" "$err"
    out=$(cd "$d" && "$CROND_BIN" --list --count 1 -F crontab --run-parts-hourly cron.hourly \
        --run-parts-daily cron.daily 2>/dev/null | cut -f1 | sort | tr '\n' ' ')
    grep -q "cron.daily/rotate-app-logs cron.hourly/report-disk crontab:" <<<"$out" || fail "--list: $out"
    local s
    for s in "$d"/cron.*/[a-z]*; do
        case $s in *.txt) continue ;; esac
        [ -x "$s" ] || fail "$s is not executable"
        sh -n "$s" || fail "$s: sh -n"
        shellcheck "$s" || fail "$s: shellcheck"
    done
    # the scripts run and say one line each
    out=$(APP_LOG_DIR=/nonexistent "$d/cron.daily/rotate-app-logs")
    expect_eq "rotate-app-logs without the directory" "no /nonexistent: nothing to rotate" "$out"
    "$d/cron.hourly/report-disk" | grep -qE '^root file system [0-9]+% used$' || fail "report-disk"
}

# ------------------------------------------------------------- the INI --

ini_job_names() {
    sed -n 's/^\[job "\(.*\)"\][[:space:]]*\([;#].*\)\{0,1\}$/\1/p; s/^\[job \([^]" ]*\)\][[:space:]]*\([;#].*\)\{0,1\}$/\1/p' \
        "$EX/crond-lite.ini"
}

# --check -c from the repository root (the INI's crontabs path is relative
# to the working directory): every crontab job plus every [job] section.
ini_check() {
    local ini=examples/crond-lite.ini out rc=0 n names
    names=$(ini_job_names)
    [ "$(wc -l <<<"$names")" -ge 2 ] || fail "at least two [job] sections: '$names'"
    n=$(( $(expected_ids "$EX/crontabs" | wc -l) + $(wc -l <<<"$names") ))
    out=$(cd "$REPO_DIR" && "$CROND_BIN" --check -c "$ini" 2>&1) || rc=$?
    expect_eq "--check -c status as uid $(id -u)" 0 "$rc" || { echo "$out"; return 1; }
    expect_eq "--check -c summary" "2 files, $n jobs: no problems" "$out"
    # -f on the command line wins over the INI's crontabs
    out=$("$CROND_BIN" --check -c "$REPO_DIR/$ini" -f "$EX/crontabs" 2>&1)
    expect_eq "--check -c -f summary" "2 files, $n jobs: no problems" "$out"
    # and as another user: [daemon] user and [job] user must not be active
    make_world_readable
    mkdir -p examples
    cp -r "$EX/crontabs" "$EX/crond-lite.ini" examples/
    chmod -R a+rX examples
    rc=0
    out=$(as_other "$CROND_BIN" --check -c "$ini" 2>&1) || rc=$?
    expect_eq "--check -c status as uid $(other_uid)" 0 "$rc" || { echo "$out"; return 1; }
    expect_eq "--check -c summary as uid $(other_uid)" "2 files, $n jobs: no problems" "$out"
}

ini_list() {
    local expected
    expected=$( { expected_ids "$EX/crontabs"; ini_job_names; } | sort)
    expect_eq "--list -c ids" "$expected" "$(cd "$REPO_DIR" && listed_ids -c examples/crond-lite.ini)"
}

# Every key of the README's INI section is in the example, set or (user,
# which depends on running as root) commented out with "; key =".
ini_every_key() {
    local ini="$EX/crond-lite.ini" k missing=() daemon jobs
    daemon=$(sed -n '/^\[daemon\]/,/^\[job/p' "$ini")
    jobs=$(sed -n '/^\[job/,$p' "$ini")
    for k in crontabs user system shell timezone log_format log_level grace overlap clean_env \
        no_reload no_new_privs percent_newline output split_logs on_failure on_success claim \
        claim_fail guard; do
        grep -qE "^(; ?)?$k = " <<<"$daemon" || missing+=("[daemon] $k")
    done
    for k in schedule command timeout overlap user shell timezone workdir on_failure on_success \
        claim 'env\.[A-Za-z_]+'; do
        grep -qE "^(; ?)?$k = " <<<"$jobs" || missing+=("[job] $k")
    done
    [ ${#missing[@]} -eq 0 ] || fail "keys missing from examples/crond-lite.ini: ${missing[*]}"
    # the keys that need root are the only ones commented out
    expect_eq "commented-out keys" "user
user" "$(sed -n 's/^; \{0,1\}\([a-z_.A-Z]*\) = .*/\1/p' "$ini" | grep -vx crontabs)"
}

# ------------------------------------------------------ YAML, k8s, compose --

yaml_parse() {
    local files
    mapfile -t files < <(find "$EX" -type f \( -name '*.yaml' -o -name '*.yml' \) | sort)
    [ ${#files[@]} -ge 2 ] || fail "expected the Kubernetes and Compose files, found: ${files[*]}"
    examples_py parse "${files[@]}"
}

k8s_configmap_crontab() {
    mkdir cm
    examples_py configmap-extract "$EX/kubernetes/deployment.yaml" cm
    check_clean cm
}

k8s_deployment() {
    local f="$EX/kubernetes/deployment.yaml" args out
    examples_py k8s-check "$f"
    # crond-lite accepts the container's arguments (the ConfigMap as -f)
    mkdir cm
    examples_py configmap-extract "$f" cm
    mapfile -t args < <(examples_py k8s-args "$f" "$PWD/cm")
    out=$("$CROND_BIN" "${args[@]}" --check 2>&1)
    grep -q ": no problems$" <<<"$out" || fail "crond-lite ${args[*]} --check: $out"
}

compose_file() {
    local f="$EX/docker-compose.yml" args out dir
    examples_py compose-check "$f"
    dir=$(examples_py compose-crontabs "$f")
    [ -d "$dir" ] || fail "compose mounts a missing crontab directory '$dir'"
    check_clean "$dir"
    mapfile -t args < <(examples_py compose-args "$f" "$dir")
    out=$("$CROND_BIN" "${args[@]}" --check 2>&1)
    grep -q ": no problems$" <<<"$out" || fail "crond-lite ${args[*]} --check: $out"
}

# examples/ha: compose and Kubernetes, three replicas claiming in Redis;
# each passes the same checks as the single-replica files, and crond-lite
# accepts their arguments.
ha_examples() {
    local f="$EX/ha/docker-compose.yml" args out dir
    examples_py compose-check "$f"
    dir=$(examples_py compose-crontabs "$f")
    check_clean "$dir"
    mapfile -t args < <(examples_py compose-args "$f" "$dir")
    out=$("$CROND_BIN" "${args[@]}" --check 2>&1)
    grep -q ": no problems$" <<<"$out" || fail "crond-lite ${args[*]} --check: $out"
    f="$EX/ha/kubernetes/deployment.yaml"
    examples_py k8s-check "$f"
    mkdir cm
    examples_py configmap-extract "$f" cm
    check_clean cm
    mapfile -t args < <(examples_py k8s-args "$f" "$PWD/cm")
    out=$("$CROND_BIN" "${args[@]}" --check 2>&1)
    grep -q ": no problems$" <<<"$out" || fail "crond-lite ${args[*]} --check: $out"
    examples_py ha-check "$EX/ha/docker-compose.yml" "$f" "$EX/ha/kubernetes/redis.yaml"
}

# ---------------------------------------------------------- entrypoint --

EP_DIR="$EX/entrypoint"

# The crontabs the Dockerfile copies into /etc/crontabs/ exist and pass.
entrypoint_crontab() {
    local srcs=() s
    mapfile -t srcs < <(sed -n 's|^COPY[[:space:]]\{1,\}\([^-][^[:space:]]*\)[[:space:]]\{1,\}/etc/crontabs/.*|\1|p' "$EP_DIR/Dockerfile")
    [ ${#srcs[@]} -ge 1 ] || fail "no COPY ... /etc/crontabs/ in the Dockerfile"
    for s in "${srcs[@]}"; do
        [ -f "$EP_DIR/$s" ] || fail "COPY source $s is missing"
        check_clean "$EP_DIR/$s"
    done
}

# Builds with what the test machines' Docker has: no "# syntax=" line, no
# heredoc, no COPY --link; CROND_IMAGE before the first FROM; every local
# COPY source in the build context.
entrypoint_dockerfile() {
    local df="$EP_DIR/Dockerfile" s
    ! grep -qiE '^#[[:space:]]*syntax=' "$df" || fail "# syntax= line"
    ! grep -qE '<<' "$df" || fail "heredoc"
    ! grep -qE '^COPY.*--link' "$df" || fail "COPY --link"
    expect_eq "first instruction" "ARG CROND_IMAGE=crond-lite:latest" "$(grep -vE '^[[:space:]]*(#|$)' "$df" | head -1)"
    grep -qx 'FROM ${CROND_IMAGE} AS crond' "$df" || fail "FROM \${CROND_IMAGE} AS crond"
    grep -qx 'COPY --from=crond /usr/bin/crond-lite /usr/bin/crond-lite' "$df" || fail "binary COPY"
    grep -qx 'ENTRYPOINT \["/entrypoint.sh"\]' "$df" || fail "ENTRYPOINT"
    grep -qE '^VOLUME /data' "$df" || fail "VOLUME /data"
    grep -qE 'groupadd .*--gid 10001 app' "$df" || fail "group app 10001"
    grep -qE 'useradd .*--uid 10001 .*app' "$df" || fail "user app 10001"
    while read -r s; do
        [ -e "$EP_DIR/$s" ] || fail "COPY source $s is not in examples/entrypoint"
    done < <(sed -n 's/^COPY[[:space:]]\{1,\}\([^-][^[:space:]]*\)[[:space:]].*/\1/p' "$df")
}

entrypoint_lint() {
    sh -n "$EP_DIR/entrypoint.sh"
    command -v shellcheck >/dev/null || fail "shellcheck is not installed (scripts/install-deps.sh)"
    shellcheck -s sh "$EP_DIR/entrypoint.sh"
    head -1 "$EP_DIR/entrypoint.sh" | grep -qx '#!/bin/sh' || fail "shebang"
    grep -qx 'set -eu' "$EP_DIR/entrypoint.sh" || fail "set -eu"
}

# fake_crond: stands in for crond-lite, prints its pid, uid and arguments.
fake_crond() {
    chmod 755 "$PWD"
    cp "$EP_DIR/entrypoint.sh" ep.sh
    printf '#!/bin/sh\necho "pid=$$ uid=$(id -u)"\nprintf "arg=%%s\\n" "$@"\n' >fake
    chmod 755 ep.sh fake
}

# run_ep [VAR=VALUE...] -- ARGS: entrypoint.sh through a shell that prints
# its pid first: the fake must print the same pid (exec, no fork).
run_ep() {
    local vars=()
    while [ "$1" != -- ]; do vars+=("$1"); shift; done
    shift
    env CROND_LITE_BIN="$PWD/fake" "${vars[@]}" sh -c 'echo "pid=$$"; exec sh "$0" "$@"' "$PWD/ep.sh" "$@"
}

# Unprivileged: no chown, no --user, crond-lite exec'd with -f and the
# arguments as given.
entrypoint_unprivileged() {
    fake_crond
    mkdir -m 755 data && touch data/file
    local before out pid
    before=$(stat -c '%u:%g %z' data data/file)
    out=$(as_other env DATA_DIR="$PWD/data" bash -c "$(declare -f run_ep); run_ep -- --log-format json 'two words'")
    pid=$(sed -n '1s/^pid=//p' <<<"$out")
    expect_eq "the fake's view" "pid=$pid
pid=$pid uid=$(other_uid)
arg=-f
arg=/etc/crontabs
arg=--log-format
arg=json
arg=two words" "$out"
    expect_eq "data untouched" "$before" "$(stat -c '%u:%g %z' data data/file)"
}

# As root: what does not belong to the app user gets chowned, what does is
# left alone, links are not followed; crond-lite gets --user.
entrypoint_root() {
    is_root || { echo "# skipped: needs root"; return 0; }
    fake_crond
    mkdir -p data/sub data/mine
    touch data/a data/sub/b outside
    ln -s ../outside data/link
    chown "$NOBODY_UID:$NOBODY_GID" data/mine
    local mine out pid
    mine=$(stat -c %z data/mine)
    out=$(run_ep DATA_DIR="$PWD/data" APP_USER=nobody APP_GROUP="$NOBODY_GROUP" -- --log-format json)
    pid=$(sed -n '1s/^pid=//p' <<<"$out")
    expect_eq "the fake's view" "pid=$pid
pid=$pid uid=0
arg=--user
arg=nobody
arg=-f
arg=/etc/crontabs
arg=--log-format
arg=json" "$out"
    expect_eq "owners" "$(printf '%s\n' "$NOBODY_UID:$NOBODY_GID"{,,,,,})" \
        "$(stat -c %u:%g data data/a data/sub data/sub/b data/mine data/link)"
    expect_eq "a link's target is not chowned" 0:0 "$(stat -c %u:%g outside)"
    expect_eq "an owner that was right is left alone (ctime)" "$mine" "$(stat -c %z data/mine)"
    # a user that does not exist: the script stops before exec
    local rc=0
    out=$(run_ep DATA_DIR="$PWD/data" APP_USER=no-such-user-x APP_GROUP=no-such-user-x -- 2>&1) || rc=$?
    [ $rc -ne 0 ] || fail "exit 0 with a missing user"
    ! grep -q '^arg=' <<<"$out" || fail "exec'd crond-lite despite a missing user: $out"
}

# As root with the real crond-lite and the image's crontab (its /data moved
# here): the volume is given to the user, crond-lite drops to it, and the
# job writes into the volume as that user.
entrypoint_real() {
    is_root || { echo "# skipped: needs root"; return 0; }
    make_world_readable
    local bin=$CROND_BIN
    cp "$EP_DIR/entrypoint.sh" ep.sh
    chmod 755 ep.sh
    mkdir -m 755 tabs data
    sed "s|>> /data/|>> $PWD/data/|" "$EP_DIR/ticks.cron" >tabs/ticks.cron
    chmod 644 tabs/ticks.cron
    grep -q ">> $PWD/data/ticks" tabs/ticks.cron || fail "no '>> /data/ticks' in ticks.cron"
    CROND_BIN=$PWD/ep.sh
    start_wrapped env CROND_LITE_BIN="$bin" CRONTABS="$PWD/tabs" DATA_DIR="$PWD/data" \
        APP_USER=nobody APP_GROUP="$NOBODY_GROUP" -- --log-format json
    wait_rec 2 8 event=job.output msg=tick
    expect_eq "daemon.start user uid" "nobody	$NOBODY_UID" "$(rec event=daemon.start -f user -f uid)"
    rec event=job.output msg~"^jobs run as nobody \\(uid $NOBODY_UID, gid $NOBODY_GID\\)" -f msg | grep -q . ||
        fail "no @reboot line: $(rec event=job.output -f msg | head -3)"
    expect_eq "ticks owner" "$NOBODY_UID:$NOBODY_GID" "$(stat -c %u:%g data/ticks)"
    [ "$(wc -l <data/ticks)" -ge 2 ] || fail "data/ticks: $(cat data/ticks)"
    expect_eq "no error or warning" 0 "$(nrec level~'^(warn|error)$')"
    stop_daemon TERM
    expect_eq "exit status after SIGTERM" 0 "$DRC"
    expect_eq "daemon.stop" 1 "$(nrec event=daemon.stop signal=SIGTERM)"
}

run_test "examples/crontabs: --check is clean and loads every job line" crontabs_dir
run_test "examples/crontabs/app.cron shows every syntax feature" crontabs_features
run_test "examples/drop-in: -F crontab and run-parts directories pass --check" drop_in
run_test "crond-lite.ini passes --check as root and not" ini_check
run_test "crond-lite.ini: --list shows the crontab jobs and the [job] names" ini_list
run_test "crond-lite.ini sets every [daemon] and [job] key" ini_every_key
run_test "every YAML file under examples/ parses" yaml_parse
run_test "the Kubernetes ConfigMap's crontab passes --check" k8s_configmap_crontab
run_test "the Kubernetes Deployment: securityContext, grace, crontab mount" k8s_deployment
run_test "docker-compose.yml: read_only, cap_drop, user, grace, crontabs" compose_file
run_test "examples/ha: three replicas claim through Redis (compose, Kubernetes)" ha_examples
run_test "the entrypoint image's crontab passes --check" entrypoint_crontab
run_test "the entrypoint Dockerfile builds with the machines' Docker" entrypoint_dockerfile
run_test "entrypoint.sh passes sh -n and shellcheck" entrypoint_lint
run_test "entrypoint.sh unprivileged: execs crond-lite without --user" entrypoint_unprivileged
run_test "entrypoint.sh as root: chowns what differs, execs with --user" entrypoint_root
run_test "entrypoint.sh as root with the real crond-lite: jobs write the volume" entrypoint_real
