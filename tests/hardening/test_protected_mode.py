#!/usr/bin/env python3
# test_protected_mode.py - issue 19 item 7: protected mode (default yes).
#
# The test builds a second network address of its own: a network namespace
# joined to this one by a veth pair (iproute2; the tests run as root in
# CI).  The real server binds loopback and the veth address.  With no
# password, a client from the namespace gets Redis 7.0's DENIED text byte
# for byte (compared with a live redis-server 7.0 when installed) and a
# closed connection, while loopback clients are served; CONFIG SET
# protected-mode no opens the other address; with protected mode back on,
# a password also opens it (the client then meets NOAUTH instead).  With
# enable-protected-configs local, the remote client may not set dbfilename
# while a loopback one may.
# Without the namespace nothing here can be checked: the test then FAILS
# loudly rather than skipping.  Prints every failed check; exits 1 on any
# failure.

import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "compat"))

from compat_server import CompatServer, default_paths, free_port  # noqa: E402
from dblite_wire import DBLiteClient  # noqa: E402

DENIED_START = b"-DENIED Redis is running in protected mode because protected mode is enabled"
PID = os.getpid()
NAMESPACE = "dblite-pm-%d" % PID
HOST_LINK = "dbpm%da" % (PID % 100000)
PEER_LINK = "dbpm%db" % (PID % 100000)
SUBNET = "10.%d.%d" % (200 + PID % 50, (PID // 50) % 250)
HOST_ADDRESS = SUBNET + ".1"
PEER_ADDRESS = SUBNET + ".2"

# Runs inside the namespace: connect, send a command (PING by default),
# print what came back until the server closed, a whole line came or 3 s
# passed, as a Python bytes literal.
REMOTE_CLIENT = r"""
import socket, sys
sock = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
arguments = [a.encode() for a in sys.argv[3:]] or [b"PING"]
request = b"*%d\r\n" % len(arguments) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in arguments)
data = b""
try:
    sock.sendall(request)
except OSError:
    pass
try:
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            data += b"<closed>"
            break
        data += chunk
        if data.endswith(b"\r\n") and not data.startswith(b"-DENIED"):
            break
except socket.timeout:
    data += b"<open>"
except ConnectionResetError:
    data += b"<reset>"
print(repr(data))
"""


def run(*command):
    return subprocess.run(list(command), capture_output=True, text=True, timeout=20)


def create_namespace():
    steps = [
        ["ip", "netns", "add", NAMESPACE],
        ["ip", "link", "add", HOST_LINK, "type", "veth", "peer", "name", PEER_LINK],
        ["ip", "link", "set", PEER_LINK, "netns", NAMESPACE],
        ["ip", "addr", "add", HOST_ADDRESS + "/24", "dev", HOST_LINK],
        ["ip", "link", "set", HOST_LINK, "up"],
        ["ip", "netns", "exec", NAMESPACE, "ip", "addr", "add", PEER_ADDRESS + "/24", "dev", PEER_LINK],
        ["ip", "netns", "exec", NAMESPACE, "ip", "link", "set", PEER_LINK, "up"],
        ["ip", "netns", "exec", NAMESPACE, "ip", "link", "set", "lo", "up"],
    ]
    for step in steps:
        result = run(*step)
        if result.returncode != 0:
            raise RuntimeError("cannot build the test network (%s): %s" % (" ".join(step), result.stderr.strip()))


def remove_namespace():
    run("ip", "link", "del", HOST_LINK)
    run("ip", "netns", "del", NAMESPACE)


def from_namespace(port, *arguments):
    result = run("ip", "netns", "exec", NAMESPACE, sys.executable, "-c", REMOTE_CLIENT, HOST_ADDRESS, str(port),
                 *arguments)
    if result.returncode != 0:
        return ("client failed: " + result.stderr.strip()).encode()
    return eval(result.stdout.strip())  # noqa: S307 - our own repr() of bytes


def strip_close(data):
    for marker in (b"<closed>", b"<reset>"):
        if data.endswith(marker):
            return data[:-len(marker)]
    return data


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


def redis_denial():
    """What redis-server 7.0 sends a client from the namespace, or None."""
    if shutil.which("redis-server") is None:
        return None
    scratch = tempfile.mkdtemp(prefix="dblite-pm-redis-")
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1 " + HOST_ADDRESS,
                                "--save", "", "--dir", scratch, "--logfile", ""],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=scratch)
    try:
        for _ in range(200):
            try:
                if DBLiteClient(port, timeout=1).execute("PING") == b"PONG":
                    break
            except OSError:
                time.sleep(0.02)
        return from_namespace(port)
    finally:
        process.kill()
        process.wait()
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    binary, _, config_dir = default_paths()
    config = os.path.join(config_dir, "dblite-compat.ini")
    if not os.path.exists(binary):
        print("test_protected_mode: %s missing" % binary)
        return 2
    t = Checks()
    server = None
    try:
        try:
            create_namespace()
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            print("FAIL: protected mode cannot be tested without a second address: %s" % error)
            print("      (this test needs root and iproute2: ip netns, veth)")
            return 1
        reference = redis_denial()
        # enable-protected-configs local: the other address also shows
        # that only loopback clients may change protected settings.
        server = CompatServer(config, ["--bind", "127.0.0.1 " + HOST_ADDRESS,
                                       "--enable-protected-configs", "local"]).start()
        local = DBLiteClient(server.redis_port)
        t.true("CONFIG GET protected-mode is yes by default",
               local.execute("CONFIG", "GET", "protected-mode") == [b"protected-mode", b"yes"])
        remote = from_namespace(server.redis_port)
        t.true("a client from another address is denied", remote.startswith(DENIED_START), repr(remote[:120]))
        t.true("and its connection closed", remote.endswith(b"<closed>") or remote.endswith(b"<reset>"),
               repr(remote[-40:]))
        if reference is not None:
            # How the close shows (FIN or, with the PING unread, RST) is a
            # race in both servers: the bytes before it are compared.
            t.true("the denial is byte for byte redis-server's", strip_close(remote) == strip_close(reference),
                   "\n    redis:  %r\n    dblite: %r" % (reference, remote))
        else:
            print("note: redis-server not installed; the text is checked by its start only")
        t.true("loopback clients are served", local.execute("PING") == b"PONG")

        t.true("CONFIG SET protected-mode no", local.raw("CONFIG", "SET", "protected-mode", "no") == b"+OK\r\n")
        remote = from_namespace(server.redis_port)
        t.true("with protected mode off the other address is served", remote == b"+PONG\r\n", repr(remote))
        remote = from_namespace(server.redis_port, "CONFIG", "SET", "dbfilename", "remote.rdb")
        t.true("enable-protected-configs local: a remote client cannot set dbfilename",
               remote == b"-ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected "
                         b"config\r\n", repr(remote))
        t.true("a loopback client can", local.raw("CONFIG", "SET", "dbfilename", "local.rdb") == b"+OK\r\n")

        local.execute("CONFIG", "SET", "protected-mode", "yes")
        t.true("denied again once protected mode is back on",
               from_namespace(server.redis_port).startswith(DENIED_START))
        local.execute("CONFIG", "SET", "requirepass", "pm-secret")
        remote = from_namespace(server.redis_port)
        t.true("with a password the other address is served (and must authenticate)",
               remote.startswith(b"-NOAUTH"), repr(remote[:80]))
        t.true("the server is still running", server.alive())
    except Exception as error:  # noqa: BLE001 - reported with the log
        t.true("no exception", False, "%s: %s\n%s" % (type(error).__name__, error,
                                                      server.log_tail() if server else ""))
    finally:
        if server is not None:
            server.stop()
            server.remove_dir()
        remove_namespace()
    print("%d passed, %d failed" % (t.passed, t.failed))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
