#!/usr/bin/env bash
# The corpus test of issue 12: real crontab lines from Debian bookworm
# packages (tests/corpus/debian/, one excerpt a package, each naming its
# source). For every excerpt:
#   --check  accepts it (exit 0, every job line loaded); the only problems
#            printed are the warnings DESIGN.md section 9 asks for (`\%` in a
#            command while `%` is literal), each at its line and column;
#   --list   gives every job the next times an independent model of cronie's
#            rules computes (below, in python3: cron(5) and DESIGN.md section
#            2, nothing of crond-lite's code), from several starting times
#            chosen at month, leap-day and year ends, in UTC (the clock set
#            with libfaketime's faketime: --list has no --from).
# System-format excerpts (a user column) run with --system, as root, in a
# private mount namespace whose /etc/passwd also holds the packages' own
# users (amavis, news, _tuptime...), so every line loads; one more test runs
# them against the real /etc/passwd, where section 9 says a missing user is a
# warning that skips just that line.
. "$(dirname "$0")/lib.sh"

CORPUS="$REPO_DIR/tests/corpus/debian"
COUNT=6
# Starting times: a non-leap February's end with seconds (times are strictly
# after it; 2026-03-01 is a Sunday, which tells the day-of-month/day-of-week
# OR rule from AND), a year's end, and a leap day's eve.
FROMS=('2026-02-27 23:58:30' '2027-12-31 23:30:00' '2028-02-28 21:59:59')

is_root() { [ "$(id -u)" = 0 ]; }

# ------------------------------------------------------------ the model --
# corpus.py prepare OUTDIR COUNT FROMS FILE...: for each excerpt NAME.cron
# writes OUTDIR/NAME.jobs (one job line a row: LINE, USER or -, the column
# of the user field, the column of the first `\%` in the command or 0) and
# OUTDIR/NAME.list (what `--list --count COUNT` must print with the clock at
# each FROM (UTC, tab-separated in FROMS), each block after a "# from FROM"
# line); OUTDIR/users lists the users of every system-format excerpt.
# corpus.py selftest: the model against hand-worked cases.
read -r -d '' CORPUS_PY <<'PY'
import datetime as dt, os, re, sys

MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun',
          'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']
# (low, high, names, first name's value) per field, cron(5) order
FIELDS = [(0, 59, None, 0), (0, 23, None, 0), (1, 31, None, 1),
          (1, 12, MONTHS, 1), (0, 7, DAYS, 0)]
MACROS = {'@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *',
          '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
          '@daily': '0 0 * * *', '@midnight': '0 0 * * *',
          '@hourly': '0 * * * *'}
VAR = re.compile(r'[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*=')

class ModelError(Exception):
    pass

def number(tok, field):
    low, high, names, base = FIELDS[field]
    if names and tok.lower() in names:
        return names.index(tok.lower()) + base
    if not re.fullmatch(r'\d+', tok):
        raise ModelError('not a number in field %d: %r' % (field, tok))
    n = int(tok, 10)          # "08" is eight: cron reads decimal
    if not low <= n <= high:
        raise ModelError('%d out of range %d-%d' % (n, low, high))
    return n

def field_set(text, field):
    """The values a field matches: a list of *, N, N-M, each with /STEP."""
    low, high = FIELDS[field][:2]
    out = set()
    for item in text.split(','):
        rng, _, step = item.partition('/')
        if rng == '*':
            a, b = low, high
        elif '-' in rng:
            a, b = (number(t, field) for t in rng.split('-', 1))
        else:
            a = b = number(rng, field)
            if step:          # N/STEP: not in cron(5) and not in the corpus
                raise ModelError('N/STEP is outside the model: %r' % item)
        if a > b:
            raise ModelError('reversed range %r' % item)
        s = int(step, 10) if step else 1
        if s < 1:
            raise ModelError('step 0 in %r' % item)
        out.update(range(a, b + 1, s))
    if field == 4 and 7 in out:   # 0 and 7 are both Sunday
        out = (out - {7}) | {0}
    return out

class Schedule:
    def __init__(self, text):
        text = MACROS.get(text, text)
        f = text.split()
        if len(f) != 5:
            raise ModelError('not five fields: %r' % text)
        self.sets = [field_set(t, i) for i, t in enumerate(f)]
        # cron(5): when both day fields are restricted (neither starts
        # with '*'), a day matches if either matches; otherwise both must
        self.either = not f[2].startswith('*') and not f[4].startswith('*')

    def day_ok(self, d):
        dom = d.day in self.sets[2]
        dow = (d.weekday() + 1) % 7 in self.sets[4]
        if d.month not in self.sets[3]:
            return False
        return (dom or dow) if self.either else (dom and dow)

    def next_times(self, start, count):
        """The first COUNT minutes strictly after START (naive UTC)."""
        out, day = [], start.date()
        for _ in range(366 * 12):
            if self.day_ok(day):
                for h in sorted(self.sets[1]):
                    for m in sorted(self.sets[0]):
                        t = dt.datetime(day.year, day.month, day.day, h, m)
                        if t > start:
                            out.append(t)
                            if len(out) == count:
                                return out
            day += dt.timedelta(days=1)
        raise ModelError('fewer than %d times in 12 years' % count)

def excerpt_format(lines):
    for l in lines[:4]:
        m = re.fullmatch(r'# format: (system|user)', l)
        if m:
            return m.group(1)
    raise ModelError('no "# format: system|user" line in the header')

def jobs(path):
    """(line number, schedule text, user or None, user column, `\\%`
    column) of every job line; columns are 1-based byte columns."""
    lines = open(path, encoding='utf-8').read().split('\n')
    system = excerpt_format(lines) == 'system'
    out = []
    for no, line in enumerate(lines, 1):
        s = line.lstrip(' \t')
        if not s or s.startswith('#') or VAR.match(line):
            continue
        toks = list(re.finditer(r'[^ \t]+', line))
        n = 1 if s.startswith('@') else 5
        sched = ' '.join(t.group() for t in toks[:n])
        if n == 5 and len(toks) > 6 and re.fullmatch(r'[0-9*?,/-]+', toks[5].group()):
            # would be a 6- or 7-field reading: outside this model
            raise ModelError('line %d: a sixth field %r' % (no, toks[5].group()))
        user, ucol = None, 0
        if system:
            user, ucol = toks[n].group(), toks[n].start() + 1
            n += 1
        cmd_start = toks[n].start()
        pct = line.find('\\%', cmd_start)
        out.append((no, sched, user, ucol, pct + 1 if pct >= 0 else 0))
    return out

def parse_from(text):
    """'YYYY-MM-DD HH:MM:SS', UTC."""
    return dt.datetime.strptime(text, '%Y-%m-%d %H:%M:%S')

def fmt(t):
    return t.strftime('%Y-%m-%dT%H:%M:%S+00:00')

def expected_list(path, count, froms):
    name = os.path.basename(path)
    js = jobs(path)
    out = []
    for f in froms:
        out.append('# from ' + f)
        for no, sched, *_ in js:
            if sched == '@reboot':     # no calendar time: listed as such
                out.append('%s:%d\t@reboot' % (name, no))
                continue
            for t in Schedule(sched).next_times(parse_from(f), count):
                out.append('%s:%d\t%s' % (name, no, fmt(t)))
    return out

def prepare(outdir, count, froms, paths):
    users = set()
    for p in paths:
        base = os.path.join(outdir, os.path.basename(p)[:-len('.cron')])
        try:
            js = jobs(p)
            users.update(u for _, _, u, _, _ in js if u)
            with open(base + '.jobs', 'w') as f:
                for no, _, u, ucol, pct in js:
                    f.write('%d\t%s\t%d\t%d\n' % (no, u or '-', ucol, pct))
            with open(base + '.list', 'w') as f:
                f.write('\n'.join(expected_list(p, count, froms)) + '\n')
        except (ModelError, ValueError) as e:
            with open(base + '.error', 'w') as f:
                f.write('model: %s: %s\n' % (p, e))
    with open(os.path.join(outdir, 'users'), 'w') as f:
        f.write(''.join(u + '\n' for u in sorted(users)))

# Hand-worked from cron(5) and a calendar: (schedule, from, first times).
# 2026-03-01 is a Sunday; 2028 is a leap year.
CASES = [
    ('0 0 2-31 * 0', '2026-02-27 23:58:30',
     ['2026-02-28T00:00', '2026-03-01T00:00', '2026-03-02T00:00']),
    ('0 0 2-31 * 1-6', '2026-02-27 23:58:30',
     ['2026-02-28T00:00', '2026-03-02T00:00', '2026-03-03T00:00']),
    ('0 0 */2 * 0', '2026-02-27 12:00:00',        # AND: '*' first
     ['2026-03-01T00:00', '2026-03-15T00:00', '2026-03-29T00:00']),
    ('5-55/10 * * * *', '2026-02-27 23:58:30',
     ['2026-02-28T00:05', '2026-02-28T00:15', '2026-02-28T00:25']),
    ('0 4-23/12 * * *', '2026-02-27 23:58:30',
     ['2026-02-28T04:00', '2026-02-28T16:00', '2026-03-01T04:00']),
    ('52 6 1 * *', '2027-12-31 23:30:00',
     ['2028-01-01T06:52', '2028-02-01T06:52', '2028-03-01T06:52']),
    ('0 1 * * Mon-Sat', '2026-02-27 23:58:30',
     ['2026-02-28T01:00', '2026-03-02T01:00', '2026-03-03T01:00']),
    ('47 6 * * 7', '2026-02-27 23:58:30',
     ['2026-03-01T06:47', '2026-03-08T06:47', '2026-03-15T06:47']),
    ('@yearly', '2028-02-28 21:59:59',
     ['2029-01-01T00:00', '2030-01-01T00:00', '2031-01-01T00:00']),
    ('0 0 29 2 *', '2026-02-27 23:58:30',
     ['2028-02-29T00:00', '2032-02-29T00:00', '2036-02-29T00:00']),
    ('08 4 * * *', '2028-02-28 21:59:59',
     ['2028-02-29T04:08', '2028-03-01T04:08', '2028-03-02T04:08']),
]

def selftest():
    bad = 0
    for sched, start, want in CASES:
        got = [t.strftime('%Y-%m-%dT%H:%M')
               for t in Schedule(sched).next_times(parse_from(start), len(want))]
        if got != want:
            print('FAIL: model %r from %s: %s, expected %s' % (sched, start, got, want))
            bad += 1
    for wrong in ('0 0 30 2 *', '61 * * * *', '0 0 * * 8', '0 10-5 * * *', '*/0 * * * *'):
        try:
            Schedule(wrong).next_times(dt.datetime(2026, 1, 1), 1)
            print('FAIL: model accepts %r' % wrong)
            bad += 1
        except ModelError:
            pass
    return bad

def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == 'prepare':
        prepare(args[0], int(args[1]), args[2].split('\t'), args[3:])
    elif cmd == 'selftest':
        sys.exit(1 if selftest() else 0)

main()
PY
corpus_py() { python3 -c "$CORPUS_PY" "$@"; }

# ------------------------------------------------------------ set-up --
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mapfile -t EXCERPTS < <(find "$CORPUS" -maxdepth 1 -name '*.cron' | LC_ALL=C sort)
corpus_py prepare "$WORK" "$COUNT" "$(IFS=$'\t'; echo "${FROMS[*]}")" "${EXCERPTS[@]}"

# The namespace's /etc/passwd: the real one plus each corpus user it lacks.
cp /etc/passwd "$WORK/passwd"
uid=61000
while read -r u; do
    grep -q "^$u:" /etc/passwd || echo "$u:x:$uid:$uid:corpus:/:/usr/sbin/nologin" >>"$WORK/passwd"
    uid=$((uid + 1))
done <"$WORK/users"
chmod 644 "$WORK/passwd"

# with_users CMD...: CMD with $WORK/passwd as /etc/passwd (root only).
with_users() {
    unshare --mount -- sh -c 'mount --bind "$0" /etc/passwd && exec "$@"' "$WORK/passwd" "$@"
}

# format_of FILE: system or user, from the excerpt's header.
format_of() { sed -n '1,4s/^# format: \(system\|user\)$/\1/p' "$1"; }

# crond FILE ARGS...: crond-lite on one excerpt, in UTC, with --system and
# the corpus users for a system-format one; with AT='Y-M-D H:M:S' set, its
# clock stands still at that UTC time.
crond() {
    local f=$1 pre=()
    shift
    # under `make check-asan` ASan wants to be the first library loaded and
    # libfaketime comes first: both work once ASan does not insist
    [ -z "${AT:-}" ] || pre=(env TZ=UTC ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
        faketime "$AT")
    if [ "$(format_of "$f")" = system ]; then
        with_users "${pre[@]}" "$CROND_BIN" --system -z UTC -f "$f" "$@"
    else
        "${pre[@]}" "$CROND_BIN" -z UTC -f "$f" "$@"
    fi
}

# needs_for FILE: prints a "# skipped" line (and returns 1) when FILE cannot
# be checked here.
needs_for() {
    [ "$(format_of "$1")" = system ] || return 0
    is_root || { echo "# skipped: system format needs root"; return 1; }
    with_users true 2>/dev/null || { echo "# skipped: unshare --mount not permitted"; return 1; }
}

model_ok() {
    [ ! -e "$WORK/$NAME.error" ] || fail "$(cat "$WORK/$NAME.error")"
}

# --------------------------------------------------------------- tests --

# The excerpts are facts with their source: package, version, path.
corpus_sources() {
    local f bad=()
    [ ${#EXCERPTS[@]} -ge 30 ] || fail "only ${#EXCERPTS[@]} excerpts in $CORPUS"
    for f in "${EXCERPTS[@]}"; do
        if ! head -1 "$f" | grep -qE '^# Debian bookworm: [a-z0-9][a-z0-9.+-]+ [0-9][^ ,]*, /[^ ]+$' ||
            [ -z "$(format_of "$f")" ]; then
            bad+=("$(basename "$f")")
        fi
    done
    [ ${#bad[@]} -eq 0 ] || fail "no source or format header: ${bad[*]}"
    [ "$(cat "${EXCERPTS[@]}" | wc -c)" -lt 16384 ] || fail "the corpus grew past 16 KiB"
}

# The model knows cron(5)'s rules: hand-worked cases and invalid fields.
model_selftest() {
    corpus_py selftest
}

# Each excerpt's expectations: every job loaded, and a `\%` warning where
# the command holds one (DESIGN.md section 9): one a line, at the column of
# its first `\%`, naming `\%` and --percent-newline.
check_one() {
    needs_for "$FILE" || return 0
    model_ok
    local out rc=0 n want got line pct
    out=$(crond "$FILE" --check 2>&1) || rc=$?
    n=$(wc -l <"$WORK/$NAME.jobs")
    n="$n jobs"
    [ "$n" != "1 jobs" ] || n="1 job"
    want=$(while IFS=$'\t' read -r line _ _ pct; do
        [ "$pct" = 0 ] || echo "$line:$pct"
    done <"$WORK/$NAME.jobs")
    got=$(sed -n "s|^\(.*/\)\{0,1\}$NAME\.cron:\([0-9]*:[0-9]*\): .*|\2|p" <<<"$out")
    expect_eq "--check status" 0 "$rc" || { echo "$out"; return 1; }
    expect_eq "problems reported (LINE:COL)" "$want" "$got" || { echo "$out"; return 1; }
    if [ -z "$want" ]; then
        expect_eq "--check output" "1 file, $n: no problems" "$out"
    else
        grep -q "^1 file, $n\b" <<<"$out" || fail "no '1 file, $n' summary: $out"
        while IFS= read -r line; do
            if ! grep -qi 'warn' <<<"$line" || ! grep -qF '\%' <<<"$line" ||
                ! grep -qF -- '--percent-newline' <<<"$line"; then
                fail "not the \\% warning (warning, \\%, --percent-newline): $line"
            fi
        done < <(grep "$NAME\.cron:[0-9]*:[0-9]*: " <<<"$out")
    fi
}

# --list from each start gives exactly the model's times.
list_one() {
    needs_for "$FILE" || return 0
    command -v faketime >/dev/null || { echo "# skipped: faketime not installed (Debian package faketime)"; return 0; }
    model_ok
    local from
    for from in "${FROMS[@]}"; do
        echo "# from $from"
        # warnings are --check's business (checked above); errors stay in
        AT=$from crond "$FILE" --list --count "$COUNT" 2>&1 | grep -v ': warning: ' |
            sed "s|^.*/$NAME\.cron:|$NAME.cron:|"
    done >list.out
    diff -u "$WORK/$NAME.list" list.out >list.diff || { head -40 list.diff; fail "--list differs from the model (- model, + crond-lite)"; }
}

# With the real /etc/passwd, a system-format line whose user is missing is
# a warning at the user's column, that line is skipped and the rest loads
# (DESIGN.md section 9).
missing_users() {
    is_root || { echo "# skipped: system format needs root"; return 0; }
    local f args=() want=() kept=() line user ucol pct out rc=0 got missing
    for f in "${EXCERPTS[@]}"; do
        [ "$(format_of "$f")" = system ] || continue
        args+=(-f "$f")
        NAME=$(basename "$f" .cron)
        while IFS=$'\t' read -r line user ucol pct; do
            if grep -q "^$user:" /etc/passwd; then
                kept+=("$NAME.cron:$line")
            else
                want+=("$NAME.cron:$line:$ucol:$user")
            fi
        done <"$WORK/$NAME.jobs"
    done
    [ ${#want[@]} -gt 0 ] || { echo "# skipped: every corpus user is in /etc/passwd here"; return 0; }
    out=$("$CROND_BIN" --check --system -z UTC "${args[@]}" 2>&1) || rc=$?
    expect_eq "--check status" 0 "$rc" || { echo "$out" | head -20; return 1; }
    missing=0
    for f in "${want[@]}"; do
        user=${f##*:}
        line=$(grep -F "${f%:*}: " <<<"$out") || true
        if ! grep -qF "$user" <<<"$line" || ! grep -qF '/etc/passwd' <<<"$line"; then
            echo "no warning ${f%:*}: ... $user ... /etc/passwd"
            missing=$((missing + 1))
        fi
    done
    [ "$missing" -eq 0 ] || fail "$missing of ${#want[@]} missing users not warned about"
    got=$("$CROND_BIN" --list --count 1 --system -z UTC "${args[@]}" 2>&1 | cut -f1 | sed 's|^.*/||' | sort -u)
    for f in "${want[@]}"; do
        ! grep -qx "${f%:*:*}" <<<"$got" || fail "${f%:*:*} (user ${f##*:}) was loaded"
    done
    for f in "${kept[@]}"; do
        grep -qx "$f" <<<"$got" || fail "$f (a known user) was not loaded"
    done
}

run_test "corpus: every excerpt names its package, version, path and format" corpus_sources
run_test "corpus: the cronie model passes its hand-worked cases" model_selftest
for FILE in "${EXCERPTS[@]}"; do
    NAME=$(basename "$FILE" .cron)
    run_test "corpus $NAME: --check loads every job, warns only as section 9 says" check_one
    run_test "corpus $NAME: --list agrees with cronie's rules" list_one
done
run_test "corpus: users missing from /etc/passwd are warned about, their lines skipped" missing_users
