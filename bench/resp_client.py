"""resp_client.py - the few lines of RESP the benchmarks' python parts speak:
encode a command, read one reply, call (send + read).  Imported by the
scripts in bench/ (bench_common.sh puts this folder on PYTHONPATH); a
benchmark must not depend on a client library the server is compared with.
"""
import socket


def command(*args):
    """One command as a RESP array of bulk strings."""
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


class Connection:
    """A TCP_NODELAY connection to 127.0.0.1:port; read_reply understands
    simple, error, integer and bulk replies (errors raise SystemExit)."""

    def __init__(self, port, name="server"):
        self.name = name
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def send(self, data):
        self.sock.sendall(data)

    def read_reply(self):
        while b"\r\n" not in self.buffer:
            self.buffer += self.sock.recv(65536)
        line, _, self.buffer = self.buffer.partition(b"\r\n")
        if line[:1] == b"$":
            n = int(line[1:])
            if n < 0:
                return None
            while len(self.buffer) < n + 2:
                self.buffer += self.sock.recv(65536)
            value, self.buffer = self.buffer[:n], self.buffer[n + 2:]
            return value
        if line[:1] == b"-":
            raise SystemExit("%s: error %s" % (self.name, line))
        return line[1:]

    def call(self, *args):
        self.send(command(*args))
        return self.read_reply()

    def close(self):
        self.sock.close()
