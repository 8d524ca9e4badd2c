#!/usr/bin/env python3
"""http.py: a small HTTP/1.1 client for tests/e2e/test_http.sh, on plain
sockets (nothing but python3), so that the tests see exactly the bytes
crond-lite sends and control exactly the bytes it gets.

  http.py port                          a free port on 127.0.0.1
  http.py send PORT TEXT...             each TEXT (Python escapes: \\r\\n,
                                        \\x00) on one connection, the next
                                        once the responses to this one are
                                        read (one per request line in it, at
                                        least one); prints them, then
                                        "closed" or "open"
  http.py many PORT N PATH              N GETs in a row, a connection each;
                                        prints how many were 200 "ok\\n"
  http.py hold PORT N PARTIAL SLOW [T]  N connections: PARTIAL of them send
                                        half a head, SLOW of them a head that
                                        never ends, a byte every 0.4 s, the
                                        others nothing; prints, per
                                        connection, the seconds from the
                                        first connect until the server
                                        closed it (sorted), or "open"
                                        after T seconds (default 13)
  http.py flood PORT                    pipelined requests on one connection
                                        that reads nothing; prints the
                                        seconds until the server closed it

A response prints as its status line, its headers one a line, an empty
line, then the body (exactly Content-Length bytes; none after HEAD) and
"<end>" on its own line, so that a missing or extra body shows.
Exits 1 when a response is malformed or the connection breaks mid-way.
"""
import codecs
import re
import signal
import socket
import sys
import time


def connect(port):
    s = socket.create_connection(('127.0.0.1', port), timeout=8)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Reader:
    def __init__(self, sock):
        self.sock, self.buf = sock, b''

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buf += data

    def response(self, head_only):
        """(status line, [headers], body) of the next response."""
        while b'\r\n\r\n' not in self.buf:
            self.fill()
        head, self.buf = self.buf.split(b'\r\n\r\n', 1)
        lines = head.decode('latin-1').split('\r\n')
        length = 0
        for h in lines[1:]:
            name, _, value = h.partition(':')
            if name.lower() == 'content-length':
                length = int(value)
        if head_only:
            length = 0
        while len(self.buf) < length:
            self.fill()
        body, self.buf = self.buf[:length], self.buf[length:]
        return lines[0], lines[1:], body

    def closed(self, wait=1.0):
        """The server closed the connection (within wait seconds), with no
        byte left over."""
        self.sock.settimeout(wait)
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return not self.buf
                self.buf += data
        except socket.timeout:
            return False
        except ConnectionResetError:
            return not self.buf


def show(status, headers, body):
    out = sys.stdout.buffer
    out.write(('%s\n%s\n\n' % (status, '\n'.join(headers))).encode('latin-1'))
    out.write(body + b'<end>\n')


REQUEST_LINE = re.compile(rb'^([A-Z]+) \S+ HTTP/', re.M)


def cmd_send(port, *texts):
    s = connect(port)
    r = Reader(s)
    for text in texts:
        raw = codecs.escape_decode(text.encode('latin-1'))[0]
        s.sendall(raw)
        # HEAD gets a head only
        methods = REQUEST_LINE.findall(raw) or [b'']
        for m in methods:
            show(*r.response(m == b'HEAD'))
    sys.stdout.write('closed\n' if r.closed() else 'open\n')
    return 0


def cmd_many(port, n, path):
    good = 0
    req = ('GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' % path).encode()
    for _ in range(int(n)):
        s = connect(port)
        s.sendall(req)
        status, _, body = Reader(s).response(False)
        good += status == 'HTTP/1.1 200 OK' and body == b'ok\n'
        s.close()
    print(good)
    return 0


SLOW_HEAD = b'GET /healthz HTTP/1.1\r\nX-Slow: '


def cmd_hold(port, n, partial, slow, seconds=13):
    n, partial, slow = int(n), int(partial), int(slow)
    socks = []
    t0 = time.monotonic()  # a connect may wait for a SYN retry: not from there
    for i in range(n):
        s = connect(port)
        s.setblocking(False)
        if i < partial:
            s.send(b'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Half: ')
        socks.append([s, t0, None, i >= n - slow, 0])
    end = time.monotonic() + float(seconds)
    next_byte = time.monotonic()
    while time.monotonic() < end and any(c[2] is None for c in socks):
        now = time.monotonic()
        for c in socks:
            if c[2] is not None:
                continue
            try:
                if c[3] and now >= next_byte:
                    # a valid head, a byte at a time, that never ends
                    c[0].send(SLOW_HEAD[c[4]:c[4] + 1] or b'a')
                    c[4] += 1
                data = c[0].recv(4096)
                if not data:
                    c[2] = now - c[1]
            except BlockingIOError:
                pass
            except (ConnectionResetError, BrokenPipeError):
                c[2] = now - c[1]
        if now >= next_byte:
            next_byte = now + 0.4
        time.sleep(0.02)
    for c in sorted(socks, key=lambda c: c[2] if c[2] is not None else 99):
        print('%.2f' % c[2] if c[2] is not None else 'open')
        c[0].close()
    return 0


def tcp_state(s):
    """The kernel's state of the socket: 1 is ESTABLISHED (tcp_states.h)."""
    return s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0]


def cmd_flood(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(('127.0.0.1', port))
    s.setblocking(False)
    t0 = time.monotonic()
    req = b'GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n' * 256
    while time.monotonic() < t0 + 15 and tcp_state(s) == 1:
        try:
            s.send(req)
        except (BlockingIOError, BrokenPipeError, ConnectionResetError):
            time.sleep(0.05)
    print('%.2f' % (time.monotonic() - t0) if tcp_state(s) != 1 else 'open')
    s.close()
    return 0


def cmd_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    print(s.getsockname()[1])
    s.close()
    return 0


def main(argv):
    # `http.py ... | head -1` ends quietly
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    cmds = {'send': cmd_send, 'many': cmd_many, 'hold': cmd_hold, 'flood': cmd_flood,
            'port': cmd_port}
    if len(argv) < 2 or argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    args = argv[2:]
    if argv[1] != 'port':
        args[0] = int(args[0])
    try:
        return cmds[argv[1]](*args)
    except (EOFError, OSError) as e:
        print('error: %s' % (e.__class__.__name__ if isinstance(e, EOFError) else e))
        return 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
