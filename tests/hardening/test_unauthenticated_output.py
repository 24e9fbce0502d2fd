#!/usr/bin/env python3
# test_unauthenticated_output.py - issue 19 item 6: a client that never
# authenticated cannot make the server hold its replies.
#
# The real server runs with requirepass set.  A client that never sends
# AUTH and never reads pipelines up to 100 MB of GET x (each answered
# -NOAUTH): the server must drop it at once, as Redis 7.0 does (a fixed
# output limit for unauthenticated clients), and its resident memory must
# stay small (on main it grew by hundreds of MB).  An authenticated client
# that pipelines big replies without reading for a while is not affected:
# it then reads every reply.  Prints every failed check; exits 1 on any
# failure.

import os
import socket
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "compat"))

from compat_server import CompatServer, default_paths  # noqa: E402

PASSWORD = "hardening-secret"
FLOOD_BYTES = 100 * 1024 * 1024
# Generous: the server starts at a few MB; main grew by ~480 MB here.
RSS_GROWTH_LIMIT_KB = 32 * 1024


def rss_kb(pid, field="VmRSS:"):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    return -1


def command(*arguments):
    out = b"*%d\r\n" % len(arguments)
    for argument in arguments:
        data = argument if isinstance(argument, bytes) else str(argument).encode()
        out += b"$%d\r\n%s\r\n" % (len(data), data)
    return out


def read_replies(sock, count, timeout=30.0):
    """Reads count RESP2 replies (simple, error or bulk); returns them."""
    sock.settimeout(timeout)
    buffer = bytearray()
    position = 0
    replies = []

    def fill(wanted):
        while len(buffer) - position < wanted:
            data = sock.recv(1 << 20)
            if not data:
                raise ConnectionError("closed after %d replies" % len(replies))
            buffer.extend(data)

    while len(replies) < count:
        end = buffer.find(b"\r\n", position)
        while end < 0:
            fill(len(buffer) - position + 1)
            end = buffer.find(b"\r\n", position)
        line = bytes(buffer[position:end])
        position = end + 2
        if line[:1] == b"$" and int(line[1:]) >= 0:
            length = int(line[1:])
            fill(length + 2)
            replies.append(bytes(buffer[position:position + length]))
            position += length + 2
        else:
            replies.append(None if line[:1] == b"$" else line)
        if position > (1 << 22):
            del buffer[:position]
            position = 0
    return replies


class PasswordServer(CompatServer):
    """CompatServer whose readiness check authenticates first."""

    def _wait_ready(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.5) as sock:
                    sock.sendall(command("AUTH", PASSWORD) + command("PING"))
                    if read_replies(sock, 2, timeout=0.5) == [b"+OK", b"+PONG"]:
                        return True
            except (OSError, ConnectionError):
                pass
            time.sleep(0.02)
        return False


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def true(self, name, condition, detail=""):
        if condition:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s %s" % (name, detail))
        return condition


def flood_without_reading(port):
    """Pipelines GET x without AUTH and without reading.  Returns (bytes
    sent before the server closed, whether it closed)."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    chunk = command("GET", "x") * 20000
    sent = 0
    closed = False
    sock.settimeout(10)
    try:
        while sent < FLOOD_BYTES:
            sock.sendall(chunk)
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError):
        closed = True
    except socket.timeout:
        closed = False  # the server stopped reading but kept the client
    # Everything accepted (or a stall) while never reading: not dropped.
    # Closed only after a pause, so the server has done its worst by then.
    time.sleep(0.5)
    sock.close()
    return sent, closed


def main():
    binary, _, config_dir = default_paths()
    config = os.path.join(config_dir, "dblite-compat.ini")
    if not os.path.exists(binary):
        print("test_unauthenticated_output: %s missing" % binary)
        return 2
    t = Checks()
    server = PasswordServer(config, ["--requirepass", PASSWORD])
    try:
        server.start()
        pid = server.process.pid
        before = rss_kb(pid)
        started = time.monotonic()
        sent, closed = flood_without_reading(server.redis_port)
        elapsed = time.monotonic() - started
        time.sleep(0.3)
        # The peak (VmHWM): the client is gone by now either way.
        after = rss_kb(pid, "VmHWM:")
        print("unauthenticated flood: %d bytes accepted in %.2f s, closed=%s, RSS %d kB -> peak %d kB"
              % (sent, elapsed, closed, before, after))
        t.true("the unauthenticated non-reader is disconnected", closed)
        t.true("it is dropped long before 100 MB", sent < FLOOD_BYTES, "(%d bytes accepted)" % sent)
        t.true("server peak RSS stays small", after - before < RSS_GROWTH_LIMIT_KB,
               "(grew %d kB)" % (after - before))
        t.true("the server is still running", server.alive())

        # An authenticated client with big replies, not reading for a while.
        # (No tiny SO_RCVBUF here: set after connecting, it stalls the
        # stream for redis-server too; 40 MB outgrow the socket buffers.)
        sock = socket.create_connection(("127.0.0.1", server.redis_port))
        value = b"v" * (1024 * 1024)
        sock.sendall(command("AUTH", PASSWORD) + command("SET", "big", value))
        t.true("AUTH and SET", read_replies(sock, 2) == [b"+OK", b"+OK"])
        count = 40
        sock.sendall(command("GET", "big") * count)
        time.sleep(1.0)  # the replies pile up in the server meanwhile
        replies = read_replies(sock, count)
        t.true("the authenticated client reads all its big replies",
               len(replies) == count and all(reply == value for reply in replies))
        sock.close()
        t.true("the server is still running at the end", server.alive())
    except Exception as error:  # noqa: BLE001 - reported with the log
        t.true("no exception", False, "%s: %s\n%s" % (type(error).__name__, error, server.log_tail()))
    finally:
        server.stop()
        server.remove_dir()
    print("%d passed, %d failed" % (t.passed, t.failed))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
