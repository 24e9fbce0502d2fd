# dblite_wire.py - a client that speaks exactly as the DBLite Python Client
# does on the wire, for testing the dblite_compat dialect: a new TCP
# connection for every command, no HELLO (so RESP2), each command a RESP
# array of bulk strings except Python integers, which go as RESP integer
# elements (":123").  Replies are decoded as DBLite's client decodes them:
# '+' '-' ':' '$' '*' and '%' (a map); anything else is a protocol error,
# since that client could not read it either.
#
# Standard library only.

import socket


class ProtocolError(Exception):
    pass


class ConnectionClosed(Exception):
    """The server closed the connection before a whole reply arrived."""


class ReplyError:
    """An error reply ('-...'), kept as a value so tests can inspect it."""

    def __init__(self, message):
        self.message = message

    def __eq__(self, other):
        return isinstance(other, ReplyError) and other.message == self.message

    def __repr__(self):
        return "ReplyError(%r)" % self.message


def encode_command(arguments):
    out = [b"*%d\r\n" % len(arguments)]
    for argument in arguments:
        # bool is an int in Python; DBLite's client sends it as one too.
        if isinstance(argument, int):
            out.append(b":%d\r\n" % argument)
            continue
        if isinstance(argument, str):
            argument = argument.encode("utf-8")
        out.append(b"$%d\r\n%s\r\n" % (len(argument), argument))
    return b"".join(out)


class _Reader:
    """Reads replies from a socket, remembering the raw bytes consumed."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""
        self.position = 0

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionClosed("connection closed after %d bytes" % len(self.buffer))
        self.buffer += data

    def _line(self):
        while True:
            end = self.buffer.find(b"\r\n", self.position)
            if end >= 0:
                line = self.buffer[self.position:end]
                self.position = end + 2
                return line
            self._fill()

    def _exact(self, length):
        while len(self.buffer) - self.position < length + 2:
            self._fill()
        data = self.buffer[self.position:self.position + length]
        if self.buffer[self.position + length:self.position + length + 2] != b"\r\n":
            raise ProtocolError("bulk not followed by CRLF")
        self.position += length + 2
        return data

    def value(self):
        line = self._line()
        if not line:
            raise ProtocolError("empty reply line")
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            return ReplyError(rest.decode("utf-8", "replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            length = int(rest)
            return None if length == -1 else self._exact(length)
        if kind == b"*":
            count = int(rest)
            return None if count == -1 else [self.value() for _ in range(count)]
        if kind == b"%":
            items = [self.value() for _ in range(2 * int(rest))]
            return dict(zip(items[::2], items[1::2]))
        raise ProtocolError("reply type %r is not one DBLite's client reads" % kind)

    def reply(self):
        start = self.position
        value = self.value()
        return value, self.buffer[start:self.position]


class DBLiteClient:
    def __init__(self, port, host="127.0.0.1", timeout=5.0):
        self.address = (host, port)
        self.timeout = timeout
        self.connections_made = 0

    def _connect(self):
        sock = socket.create_connection(self.address, timeout=self.timeout)
        sock.settimeout(self.timeout)
        self.connections_made += 1
        return sock

    def call(self, *arguments):
        """One command on a fresh connection: (decoded reply, raw bytes)."""
        with self._connect() as sock:
            sock.sendall(encode_command(arguments))
            return _Reader(sock).reply()

    def execute(self, *arguments):
        return self.call(*arguments)[0]

    def raw(self, *arguments):
        return self.call(*arguments)[1]

    def send_expecting_close(self, *arguments):
        """Sends a command after which the server closes without replying
        (SHUTDOWN).  Returns the bytes received before the close."""
        with self._connect() as sock:
            sock.sendall(encode_command(arguments))
            received = b""
            while True:
                data = sock.recv(65536)
                if not data:
                    return received
                received += data

    def hold_connection(self):
        """An open connection that has been served once (PING), so the
        server has certainly accepted it; the caller closes it."""
        sock = self._connect()
        sock.sendall(encode_command(["PING"]))
        reply = _Reader(sock).reply()[0]
        if reply != b"PONG":
            sock.close()
            raise ProtocolError("PING on a held connection answered %r" % (reply,))
        return sock
