# resp_wire.py - the RESP2/RESP3 wire format for the differential runner:
# encodes commands and reads back exactly one reply's raw bytes.
#
# The runner compares raw bytes, so the reader never interprets a reply
# beyond what is needed to find where it ends (plus splitting aggregates
# into elements for order-insensitive comparison).  Standard library only.

import socket

# Type bytes whose payload is a single line.
LINE_TYPES = b"+-:_,#("
# Type bytes followed by a length line and that many bytes plus CRLF.
BULK_TYPES = b"$!="
# Aggregates: count line, then count elements (maps and attributes: pairs).
AGGREGATE_TYPES = b"*~>"
PAIR_AGGREGATE_TYPES = b"%|"


class ProtocolError(Exception):
    """The peer sent bytes that are not a RESP reply, or closed/timed out."""


def encode_command(arguments):
    """A command as a RESP array of bulk strings (what redis-cli sends)."""
    parts = [b"*%d\r\n" % len(arguments)]
    for argument in arguments:
        parts.append(b"$%d\r\n%s\r\n" % (len(argument), argument))
    return b"".join(parts)


class ReplyReader:
    """Buffers a socket and hands out complete replies as raw bytes."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = bytearray()

    def _fill(self):
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout as error:
            raise ProtocolError("timed out waiting for a reply") from error
        except OSError as error:
            raise ProtocolError("connection error: %s" % error) from error
        if not chunk:
            raise ProtocolError("connection closed by the server")
        self.buffer += chunk

    def _line_end(self, start):
        while True:
            end = self.buffer.find(b"\r\n", start)
            if end >= 0:
                return end
            self._fill()

    def _need(self, end):
        while len(self.buffer) < end:
            self._fill()

    def _skip_reply(self, start):
        """Offset just past the reply starting at start (reading as needed)."""
        self._need(start + 1)
        kind = self.buffer[start]
        line_end = self._line_end(start + 1)
        header = bytes(self.buffer[start + 1:line_end])
        after_line = line_end + 2
        if kind in LINE_TYPES:
            return after_line
        try:
            count = int(header)
        except ValueError as error:
            raise ProtocolError("bad length line %r" % bytes(self.buffer[start:line_end])) from error
        if kind in BULK_TYPES:
            if count < 0:
                return after_line
            self._need(after_line + count + 2)
            if self.buffer[after_line + count:after_line + count + 2] != b"\r\n":
                raise ProtocolError("bulk string not terminated by CRLF")
            return after_line + count + 2
        if kind in AGGREGATE_TYPES or kind in PAIR_AGGREGATE_TYPES:
            elements = count * 2 if kind in PAIR_AGGREGATE_TYPES else count
            position = after_line
            for _ in range(max(elements, 0)):
                position = self._skip_reply(position)
            if kind == ord("|"):
                # An attribute decorates the reply that follows it.
                position = self._skip_reply(position)
            return position
        raise ProtocolError("unknown reply type byte %r" % chr(kind))

    def read_reply(self):
        """The next complete reply, as the exact bytes the server sent."""
        end = self._skip_reply(0)
        reply = bytes(self.buffer[:end])
        del self.buffer[:end]
        return reply


def split_aggregate(reply):
    """(header, [element bytes...]) for a non-empty aggregate, else None.

    For maps the elements are key+value pairs kept together, so sorting them
    compares maps regardless of key order."""
    if not reply or reply[0] not in AGGREGATE_TYPES + PAIR_AGGREGATE_TYPES:
        return None
    header_end = reply.index(b"\r\n") + 2
    count = int(reply[1:header_end - 2])
    if count <= 0:
        return None
    reader = _BytesReader(reply, header_end)
    elements = []
    for _ in range(count):
        start = reader.position
        reader.skip()
        if reply[0] in PAIR_AGGREGATE_TYPES:
            reader.skip()
        elements.append(reply[start:reader.position])
    return reply[:header_end], elements


def sorted_reply(reply):
    """The reply with its top-level aggregate elements in byte order."""
    parts = split_aggregate(reply)
    if parts is None:
        return reply
    header, elements = parts
    return header + b"".join(sorted(elements))


class _BytesReader(ReplyReader):
    """ReplyReader over a complete byte string (no socket)."""

    def __init__(self, data, position):
        super().__init__(None)
        self.buffer = bytearray(data)
        self.position = position

    def _fill(self):
        raise ProtocolError("truncated reply")

    def skip(self):
        self.position = self._skip_reply(self.position)


def escape(data, limit=2000):
    """Bytes shown as printable text: CR/LF/TAB and non-ASCII escaped."""
    out = []
    for byte in data[:limit]:
        if byte == 0x0D:
            out.append("\\r")
        elif byte == 0x0A:
            out.append("\\n")
        elif byte == 0x09:
            out.append("\\t")
        elif byte == 0x5C:
            out.append("\\\\")
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append("\\x%02x" % byte)
    if len(data) > limit:
        out.append("...(%d bytes in all)" % len(data))
    return "".join(out)
