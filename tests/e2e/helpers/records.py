#!/usr/bin/env python3
"""Reads crond-lite log records (DESIGN.md section 7) for the e2e tests.

    records.py FILE [FILTER...] [-f FIELD]... [--count] [--strict]

FILE holds text (logfmt) or JSON records, one a line; the format of each line
is detected ('{' starts JSON). A text record is
    2026-12-01T13:00:00.002Z level=info event=job.start job=app.cron:3 pid=812 cmd="backup --full"
and decodes to the same keys as JSON (the leading time becomes "time").

FILTER: KEY=VALUE (exact), KEY~REGEX (re.search), KEY (present), !KEY (absent).
-f FIELD prints that field of every matching record (several -f: tab-separated;
a missing field prints as "-"). Pseudo-fields: _ms (time as epoch
milliseconds), _n (line number). --count prints the number of matches.
Without -f or --count, matching records are printed as JSON, one a line.

Every complete line must be a valid record: a line that is not makes the
script fail (exit 3) naming the line, unless --lenient. A last line without
newline is ignored (the daemon may be writing it).
"""
import calendar
import json
import re
import sys

TIME_RE = re.compile(r'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) ')
KEY_RE = re.compile(r'[A-Za-z_][A-Za-z0-9_.]*')
ESC = {'"': '"', '\\': '\\', 'n': '\n', 'r': '\r', 't': '\t'}


class BadRecord(Exception):
    pass


PAIR = r'([A-Za-z_][A-Za-z0-9_.]*)=("(?:[^"\\\x00-\x1f]|\\(?:["\\nrt]|x[0-9A-Fa-f]{2}))*"|[^ "=\\\x00-\x1f]+)'
LINE_RE = re.compile(r'(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)((?: %s)+)' % PAIR)
PAIR_RE = re.compile(' ' + PAIR)
UNESC_RE = re.compile(rb'\\(x[0-9A-Fa-f]{2}|.)')


def _unesc(m):
    e = m.group(1)
    if e[:1] == b'x':
        return bytes([int(e[1:], 16)])
    return ESC[e.decode()].encode()


def parse_text(line):
    m = LINE_RE.fullmatch(line)
    if not m:
        raise BadRecord(_why(line))
    rec = {'time': m.group(1)}
    for key, val in PAIR_RE.findall(m.group(2)):
        if key in rec:
            raise BadRecord('duplicate key %s' % key)
        if val.startswith('"'):
            val = val[1:-1]
            if '\\' in val:
                raw = val.encode('utf-8', 'surrogateescape')
                val = UNESC_RE.sub(_unesc, raw).decode('utf-8', 'surrogateescape')
        rec[key] = val
    if list(rec)[:3] != ['time', 'level', 'event']:
        raise BadRecord('record does not start with time level= event=')
    return rec


def _why(line):
    if not TIME_RE.match(line):
        return 'no leading UTC time with milliseconds'
    return 'not a sequence of KEY=VALUE with logfmt quoting'


def parse_json(line):
    try:
        rec = json.loads(line, object_pairs_hook=_no_dups)
    except ValueError as e:
        raise BadRecord('invalid JSON: %s' % e)
    if not isinstance(rec, dict):
        raise BadRecord('not a JSON object')
    if list(rec)[:3] != ['time', 'level', 'event']:
        raise BadRecord('keys do not start with time, level, event')
    if not isinstance(rec['time'], str) or not TIME_RE.match(rec['time'] + ' '):
        raise BadRecord('time is not UTC with milliseconds')
    return {k: (str(v) if not isinstance(v, str) else v) for k, v in rec.items()}


def _no_dups(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError('duplicate key %s' % k)
        d[k] = v
    return d


def parse_line(line):
    return parse_json(line) if line.startswith('{') else parse_text(line)


def epoch_ms(t):
    secs = calendar.timegm((int(t[0:4]), int(t[5:7]), int(t[8:10]), int(t[11:13]), int(t[14:16]), int(t[17:19]), 0, 0, 0))
    return secs * 1000 + int(t[20:23])


def read_records(path, lenient=False):
    with open(path, 'rb') as f:
        data = f.read()
    lines = data.split(b'\n')
    lines.pop()  # the text after the last newline: empty, or a record being written
    recs = []
    for no, raw in enumerate(lines, 1):
        line = raw.decode('utf-8', 'surrogateescape')
        try:
            rec = parse_line(line)
        except BadRecord as e:
            if lenient:
                continue
            sys.stderr.write('%s:%d: not a record (%s): %.300r\n' % (path, no, e, line))
            sys.exit(3)
        rec['_n'] = str(no)
        recs.append(rec)
    return recs


def matches(rec, filters):
    for f in filters:
        if f.startswith('!'):
            if f[1:] in rec:
                return False
            continue
        m = re.match(r'([A-Za-z_][A-Za-z0-9_.]*)([=~])(.*)$', f, re.S)
        if not m:
            if f not in rec:
                return False
            continue
        key, op, val = m.groups()
        if key not in rec:
            return False
        if op == '=' and rec[key] != val:
            return False
        if op == '~' and not re.search(val, rec[key]):
            return False
    return True


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    path, args = argv[1], argv[2:]
    fields, filters, count, lenient = [], [], False, False
    i = 0
    while i < len(args):
        a = args[i]
        if a == '-f':
            fields.append(args[i + 1])
            i += 2
            continue
        if a == '--count':
            count = True
        elif a == '--lenient':
            lenient = True
        elif a == '--strict':
            pass
        else:
            filters.append(a)
        i += 1
    try:
        recs = read_records(path, lenient)
    except FileNotFoundError:
        recs = []
    if any(x.startswith('_ms') for x in fields + filters):
        for r in recs:
            r['_ms'] = str(epoch_ms(r['time']))
    sel = [r for r in recs if matches(r, filters)]
    out = sys.stdout
    if count:
        out.write('%d\n' % len(sel))
    elif fields:
        for r in sel:
            out.write('\t'.join(r.get(f, '-') for f in fields) + '\n')
    else:
        for r in sel:
            out.write(json.dumps({k: v for k, v in r.items() if not k.startswith('_')}) + '\n')
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv))
    except BrokenPipeError:  # the reader (head -1) had enough
        sys.stderr.close()
        sys.exit(0)
