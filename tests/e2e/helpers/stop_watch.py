#!/usr/bin/env python3
"""stop_watch.py LOG PID N REGEX [--scan TAG MARKDIR]: stops daemon PID at a
chosen moment and looks at what it leaves behind the moment it exits.

1. Waits until LOG has N complete lines matching REGEX (10 s at most).
2. Sends SIGTERM to PID.
3. Waits for PID to exit with a pidfd, which wakes at the exit itself (after
   the kernel has re-parented its children), not when its parent reaps it
   (30 s at most).
4. With --scan: lists at once every process of the jobs that still exists,
   zombies included: its process group or session is one of the pids of a
   job.start record in LOG (a job's pid is its group and session id), or it
   carries TAG (NAME=VALUE) in its environment (a descendant, wherever it was
   re-parented to), or MARKDIR has a file daemon.PID for it (a grandchild that
   left the job's session with setsid wrote it). Looks at those again 300 ms
   and 500 ms after the exit, then SIGKILLs them and their groups, so that a
   failing test leaves nothing running.

Prints "matched=M term_ms=T exit_ms=E left=L" (wall clock, epoch ms), then
one line per process left and a summary line. Exit 0: nothing left; 1:
something was left; 2: the log never matched, or PID did not exit."""
import os
import re
import select
import signal
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import records  # noqa: E402  (next to this file)


def wait_lines(log, n, regex, timeout):
    pat = re.compile(regex.encode())
    seen, rest = 0, b''
    deadline = time.monotonic() + timeout
    with open(log, 'rb') as f:
        while True:
            data = rest + f.read()
            cut = data.rfind(b'\n') + 1
            rest = data[cut:]
            seen += sum(1 for line in data[:cut].split(b'\n') if pat.search(line))
            if seen >= n:
                return seen
            if time.monotonic() > deadline:
                return -seen - 1
            time.sleep(0.001)


def read(path):
    try:
        with open(path, 'rb') as f:
            return f.read()
    except OSError:
        return None


def snapshot(tag):
    """Every process now: pid -> dict. Reads /proc once."""
    procs = {}
    me = os.getpid()
    for d in os.listdir('/proc'):
        if not d.isdigit() or int(d) == me:
            continue
        s = read('/proc/%s/stat' % d)
        if s is None:
            continue
        s = s.decode('utf-8', 'replace')
        rest = s[s.rindex(')') + 2:].split()
        env = read('/proc/%s/environ' % d) or b''
        cmd = read('/proc/%s/cmdline' % d) or b''
        procs[int(d)] = {
            'comm': s[s.index('(') + 1:s.rindex(')')].replace(' ', '_'),
            'state': rest[0], 'ppid': int(rest[1]), 'pgid': int(rest[2]),
            'sid': int(rest[3]), 'start': rest[19],
            'tagged': tag in env.split(b'\0'),
            'cmd': cmd.replace(b'\0', b' ').strip().decode('utf-8', 'replace')[:60],
        }
    return procs


def state_now(pid, start):
    s = read('/proc/%d/stat' % pid)
    if s is None:
        return 'gone'
    rest = s.decode('utf-8', 'replace')
    rest = rest[rest.rindex(')') + 2:].split()
    return rest[0] if rest[19] == start else 'gone'


def kind_of(cmd):
    """The job kind is the name of the script the job runs (kinds/NAME.sh)."""
    m = re.search(r'/kinds/([A-Za-z0-9_]+)\.sh', cmd or '')
    return m.group(1) if m else '?'


def scan(daemon, t_exit, tag, markdir, log):
    procs = snapshot(tag)
    jobs = {}
    for r in records.read_records(log, lenient=True):
        if r.get('event') == 'job.start':
            jobs[int(r['pid'])] = (r.get('job', '?'), r.get('cmd', ''))
    daemonised = set()
    for name in os.listdir(markdir):
        if name.startswith('daemon.') and name[7:].isdigit():
            daemonised.add(int(name[7:]))
    left = []
    for pid, p in sorted(procs.items()):
        if pid == daemon:
            continue
        if p['pgid'] in jobs:
            why, job = 'group', p['pgid']
        elif p['sid'] in jobs:
            why, job = 'session', p['sid']
        elif pid in daemonised:
            why, job = 'daemonised', None
        elif p['tagged']:
            why, job = 'descendant', None
        else:
            continue
        p['pid'], p['why'] = pid, why
        p['job'], p['kind'] = jobs[job][0] if job else '-', kind_of(jobs[job][1]) if job else why
        left.append(p)
    for at in (0.3, 0.5):
        time.sleep(max(0.0, t_exit + at - time.monotonic()))
        for p in left:
            p['+%d' % (at * 1000)] = state_now(p['pid'], p['start'])
    for p in left:
        if state_now(p['pid'], p['start']) != 'gone':
            try:
                os.kill(p['pid'], signal.SIGKILL)
            except OSError:
                pass
        if p['why'] == 'group':
            try:
                os.killpg(p['pgid'], signal.SIGKILL)
            except OSError:
                pass
    return left


def main(argv):
    log, pid, n, regex = argv[1], int(argv[2]), int(argv[3]), argv[4]
    tag = markdir = None
    if len(argv) > 5 and argv[5] == '--scan':
        tag, markdir = argv[6].encode(), argv[7]
    pidfd = os.pidfd_open(pid)
    matched = wait_lines(log, n, regex, 10)
    if matched < 0:
        print('the log had %d of %d lines /%s/ after 10 s' % (-matched - 1, n, regex))
        return 2
    term_ms = int(time.time() * 1000)
    os.kill(pid, signal.SIGTERM)
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    if not poller.poll(30000):
        print('matched=%d term_ms=%d: pid %d still running 30 s after SIGTERM' % (matched, term_ms, pid))
        return 2
    t_exit = time.monotonic()
    exit_ms = int(time.time() * 1000)
    left = scan(pid, t_exit, tag, markdir, log) if tag is not None else []
    print('matched=%d term_ms=%d exit_ms=%d left=%d' % (matched, term_ms, exit_ms, len(left)))
    order = {'group': 0, 'session': 1, 'descendant': 2, 'daemonised': 3}
    left.sort(key=lambda p: (order[p['why']], p['pid']))
    for p in left:
        print('left pid=%(pid)d ppid=%(ppid)d state=%(state)s +300ms=%(+300)s +500ms=%(+500)s '
              'pgid=%(pgid)d sid=%(sid)d %(why)s job=%(job)s kind=%(kind)s comm=%(comm)s cmd=%(cmd)r' % p)
    if left:
        kinds = {}
        for p in left:
            k = '%s/%s' % (p['kind'], p['state'])
            kinds[k] = kinds.get(k, 0) + 1
        print('summary: %d left (kind/state: %s); still there at +300 ms: %d, at +500 ms: %d' % (
            len(left), ' '.join('%s %d' % kv for kv in sorted(kinds.items())),
            sum(p['+300'] != 'gone' for p in left), sum(p['+500'] != 'gone' for p in left)))
    return 1 if left else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
