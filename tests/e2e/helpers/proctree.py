#!/usr/bin/env python3
"""proctree.py ROOT: every descendant of process ROOT (not ROOT itself), one
line each: PID PPID STATE COMM. Reads /proc once, so the picture is nearly
consistent; processes that vanish while it reads are left out."""
import os
import sys


def main(root):
    procs = {}
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % d) as f:
                s = f.read()
        except OSError:
            continue
        comm = s[s.index('(') + 1:s.rindex(')')]
        rest = s[s.rindex(')') + 2:].split()
        procs[int(d)] = (int(rest[1]), rest[0], comm)
    kids = {}
    for pid, (ppid, _, _) in procs.items():
        kids.setdefault(ppid, []).append(pid)
    todo = list(kids.get(root, []))
    while todo:
        pid = todo.pop(0)
        ppid, state, comm = procs[pid]
        print(pid, ppid, state, comm.replace(' ', '_'))
        todo.extend(kids.get(pid, []))


if __name__ == '__main__':
    main(int(sys.argv[1]))
