#!/usr/bin/env python3
"""slow_reader.py CHUNK DELAY OUT [STOP]: a slow reader of crond-lite's
stdout for tests/e2e/test_faults.sh. Reads stdin CHUNK bytes at a time,
appends them to OUT, sleeps DELAY seconds after each read. With STOP, exits
once a line containing STOP has been copied (closing the pipe, as `head`
would), without reading further."""
import os
import sys
import time


def main(chunk, delay, out, stop=None):
    stop_b = stop.encode() if stop else None
    pending = b''
    with open(out, 'ab', buffering=0) as f:
        while True:
            data = os.read(0, chunk)
            if not data:
                return 0
            if stop_b is None:
                f.write(data)
            else:
                pending += data
                i = pending.find(stop_b)
                if i >= 0:
                    nl = pending.find(b'\n', i)
                    if nl >= 0:
                        f.write(pending[:nl + 1])
                        return 0
                # keep the last partial line; write complete ones
                nl = pending.rfind(b'\n')
                if nl >= 0 and pending.find(stop_b) < 0:
                    f.write(pending[:nl + 1])
                    pending = pending[nl + 1:]
            if delay > 0:
                time.sleep(delay)


if __name__ == '__main__':
    a = sys.argv
    sys.exit(main(int(a[1]), float(a[2]), a[3], a[4] if len(a) > 4 else None))
