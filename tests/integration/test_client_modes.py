#!/usr/bin/env python3
# test_client_modes.py - CLIENT REPLY OFF/SKIP (no reply at all, checked on
# the raw byte stream of a pipeline), CLIENT UNBLOCK of a BLPOP and of a
# WAIT in both modes (a second connection), WAIT's timeout, and CLIENT
# NO-EVICT's 'e' flag, against the real server.  Exits 1 on any failure.

import os
import socket
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "compat"))

from compat_server import CompatServer, default_paths  # noqa: E402

failures = []


def command(*arguments):
    out = b"*%d\r\n" % len(arguments)
    for argument in arguments:
        data = argument if isinstance(argument, bytes) else str(argument).encode()
        out += b"$%d\r\n%s\r\n" % (len(data), data)
    return out


def read_exactly(sock, expected, timeout=30.0):
    """Reads until len(expected) bytes came (or timeout); returns them."""
    sock.settimeout(timeout)
    data = b""
    deadline = time.monotonic() + timeout
    while len(data) < len(expected) and time.monotonic() < deadline:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def check(name, got, expected):
    if got != expected:
        failures.append("%s: expected %r, got %r" % (name, expected, got))


def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=30)


def call(sock, *arguments):
    sock.sendall(command(*arguments))
    sock.settimeout(30)
    return sock.recv(65536)


def wait_until_blocked(control, client_id):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = call(control, "CLIENT", "LIST", "ID", client_id)
        if b"flags=b" in line:
            return True
        time.sleep(0.02)
    failures.append("client %d never showed as blocked" % client_id)
    return False


def client_id(sock):
    reply = call(sock, "CLIENT", "ID")
    return int(reply[1:].strip())


def test_reply_modes(port):
    with connect(port) as sock:
        pipeline = (command("DEL", "a", "b") + command("CLIENT", "REPLY", "SKIP") +
                    command("SET", "a", "1") + command("GET", "a") +
                    command("CLIENT", "REPLY", "OFF") + command("SET", "b", "2") +
                    command("NOSUCHCOMMAND") + command("CLIENT", "REPLY", "SKIP") +
                    command("GET", "b") + command("CLIENT", "REPLY", "ON") + command("GET", "b"))
        sock.sendall(pipeline)
        expected = b":0\r\n$1\r\n1\r\n+OK\r\n$1\r\n2\r\n"
        check("CLIENT REPLY pipeline", read_exactly(sock, expected), expected)


def unblock_case(port, blocking_command, mode, expected):
    with connect(port) as control, connect(port) as blocked:
        blocked_id = client_id(blocked)
        call(control, "DEL", "list")
        blocked.sendall(command(*blocking_command))
        if not wait_until_blocked(control, blocked_id):
            return
        arguments = ["CLIENT", "UNBLOCK", blocked_id] + ([mode] if mode else [])
        check("CLIENT UNBLOCK %s %s" % (blocking_command[0], mode), call(control, *arguments),
              b":1\r\n")
        check("%s after UNBLOCK %s" % (blocking_command[0], mode), read_exactly(blocked, expected),
              expected)
        # No longer blocked: a second UNBLOCK finds nothing, the client serves again.
        check("second UNBLOCK", call(control, "CLIENT", "UNBLOCK", blocked_id), b":0\r\n")
        check("after unblock", call(blocked, "PING"), b"+PONG\r\n")


def test_wait_timeout(port):
    with connect(port) as sock:
        started = time.monotonic()
        check("WAIT 1 200", call(sock, "WAIT", 1, 200), b":0\r\n")
        if time.monotonic() - started < 0.15:
            failures.append("WAIT 1 200 answered before its timeout")


def test_no_evict(port):
    with connect(port) as sock:
        call(sock, "CLIENT", "NO-EVICT", "ON")
        if b"flags=e " not in call(sock, "CLIENT", "INFO"):
            failures.append("CLIENT NO-EVICT ON: no flag e in CLIENT INFO")
        call(sock, "CLIENT", "NO-EVICT", "OFF")
        if b"flags=N " not in call(sock, "CLIENT", "INFO"):
            failures.append("CLIENT NO-EVICT OFF: flag e still shown")


def main():
    _, _, config_dir = default_paths()
    server = CompatServer(os.path.join(config_dir, "dblite-compat.ini")).start()
    try:
        port = server.redis_port
        test_reply_modes(port)
        unblock_case(port, ["BLPOP", "list", 0], None, b"*-1\r\n")
        unblock_case(port, ["BLPOP", "list", 0], "TIMEOUT", b"*-1\r\n")
        unblock_case(port, ["BLPOP", "list", 0], "ERROR",
                     b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n")
        unblock_case(port, ["WAIT", 1, 0], "TIMEOUT", b":0\r\n")
        unblock_case(port, ["WAIT", 1, 0], "ERROR",
                     b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n")
        test_wait_timeout(port)
        test_no_evict(port)
    finally:
        server.stop()
        server.remove_dir()
    for failure in failures:
        print("FAIL", failure)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
