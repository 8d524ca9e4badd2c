#!/usr/bin/env python3
"""hup_driver.py PID LOG CRONTAB N V1 V2: N reloads of daemon PID by SIGHUP,
one at a time. Before each, CRONTAB is replaced (by rename) with the content
of V1 or V2 in turn; then it sends SIGHUP and waits (5 s at most) until LOG
has one more daemon.reload record. Prints the reloads done and the time they
took; exits 1 when a reload did not come."""
import os
import signal
import sys
import time


def main(pid, log, tab, n, v1, v2):
    versions = [open(v1, 'rb').read(), open(v2, 'rb').read()]
    tmp = os.path.join(os.path.dirname(tab) or '.', '.hup_driver.tmp')
    f = open(log, 'rb')
    seen, rest = 0, b''

    def more():
        nonlocal seen, rest
        data = rest + f.read()
        cut = data.rfind(b'\n') + 1
        rest = data[cut:]
        seen += data[:cut].count(b'event=daemon.reload')

    more()
    t0 = time.monotonic()
    for i in range(n):
        with open(tmp, 'wb') as w:
            w.write(versions[i % 2])
        os.chmod(tmp, 0o644)
        os.rename(tmp, tab)
        want = seen + 1
        os.kill(pid, signal.SIGHUP)
        deadline = time.monotonic() + 5
        while seen < want:
            if time.monotonic() > deadline:
                print('reload %d: no daemon.reload record within 5 s' % (i + 1))
                return 1
            time.sleep(0.0005)
            more()
    print('%d reloads in %.2f s' % (n, time.monotonic() - t0))
    return 0


if __name__ == '__main__':
    a = sys.argv
    sys.exit(main(int(a[1]), a[2], a[3], int(a[4]), a[5], a[6]))
