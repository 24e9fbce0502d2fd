#!/usr/bin/env python3
# test_descriptor_limit.py - issue 19 item 8: the open-file limit.
#
# The real server starts under `prlimit --nofile=64:64` (util-linux) with
# Redis's default maxclients of 10000: it must lower maxclients to fit
# (64 - 32 reserved = 32, logged as Redis does), refuse clients past it
# with "-ERR max number of clients reached" (or a clean close), keep
# serving the clients it has, and not spin: its CPU time (utime + stime
# from /proc/PID/stat) over a second with refused clients waiting stays
# low.  On main accept(2) failed with EMFILE and the loop spun at 100% CPU
# while new clients hung.  Then the limit of the running server is cut
# below maxclients (prlimit --pid), so accept(2) itself fails with EMFILE:
# the waiting clients must still be refused promptly, without spinning,
# and a freed slot must serve a new client again.  That CPU figure is a
# functional busy-loop check, not a speed benchmark.
# Prints every failed check; exits 1 on any failure.

import os
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "compat"))

from compat_server import CompatServer, default_paths  # noqa: E402

LIMIT = 64
EXPECTED_MAXCLIENTS = LIMIT - 32
REFUSAL = b"-ERR max number of clients reached\r\n"
CPU_LIMIT_SECONDS = 0.3  # over a 1 s window; a spinning loop uses ~1.0
TICKS = os.sysconf("SC_CLK_TCK")


class LimitedServer(CompatServer):
    def command(self):
        return ["prlimit", "--nofile=%d:%d" % (LIMIT, LIMIT), "--"] + super().command()


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def cpu_over_a_second(pid):
    before = cpu_seconds(pid)
    time.sleep(1.0)
    return cpu_seconds(pid) - before


def ping(sock, timeout=2.0):
    """PING on a connection: b'+PONG\\r\\n', the refusal, b'' for a close,
    or b'<hang>' when nothing came within the timeout."""
    sock.settimeout(timeout)
    try:
        sock.sendall(b"*1\r\n$4\r\nPING\r\n")
    except OSError:
        pass
    data = b""
    try:
        while not data.endswith(b"\r\n"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        return data or b"<hang>"
    except ConnectionResetError:
        return data
    return data


def command(port, *arguments):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        out = b"*%d\r\n" % len(arguments)
        for argument in arguments:
            out += b"$%d\r\n%s\r\n" % (len(argument), argument.encode())
        sock.sendall(out)
        time.sleep(0.05)
        return sock.recv(65536)


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


def open_clients(port, count):
    """count connections, each PINGed once: (served sockets, other replies)."""
    served, others = [], []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        reply = ping(sock)
        if reply == b"+PONG\r\n":
            served.append(sock)
        else:
            others.append((sock, reply))
    return served, others


def check_startup_fit(t, server):
    pid = server.process.pid
    log = server.log_tail(65536)
    t.true("maxclients lowered and logged", "maxclients has been reduced to %d" % EXPECTED_MAXCLIENTS in log,
           log[-600:])
    t.true("CONFIG GET maxclients shows it",
           b"$%d\r\n%d\r\n" % (len(str(EXPECTED_MAXCLIENTS)), EXPECTED_MAXCLIENTS) in
           command(server.redis_port, "CONFIG", "GET", "maxclients"))
    # More than the descriptor limit itself: on main accept(2) hit EMFILE.
    served, others = open_clients(server.redis_port, LIMIT + 10)
    t.true("clients up to maxclients are served", len(served) == EXPECTED_MAXCLIENTS,
           "(%d served)" % len(served))
    replies = set(reply for _, reply in others)
    t.true("the extra clients are refused or closed, none hangs", replies <= {REFUSAL, b""}, repr(replies))
    t.true("they read Redis's refusal", REFUSAL in replies, repr(replies))
    # Clients waiting in the backlog now: on main the loop spun here.
    waiting = [socket.create_connection(("127.0.0.1", server.redis_port), timeout=5) for _ in range(5)]
    used = cpu_over_a_second(pid)
    print("startup fit: %d served, %d refused; server CPU over 1 s: %.2f s" % (len(served), len(others), used))
    t.true("the server does not spin", used < CPU_LIMIT_SECONDS, "(%.2f s of CPU in 1 s)" % used)
    t.true("the served clients keep working", all(ping(sock) == b"+PONG\r\n" for sock in served))
    for sock in waiting + [sock for sock, _ in others]:
        sock.close()
    return served


def check_emfile(t, server, held):
    """accept(2) itself fails: the limit is cut below what maxclients needs."""
    pid = server.process.pid
    for sock in held[len(held) // 2:]:
        sock.close()
    held = held[:len(held) // 2]
    time.sleep(0.2)
    open_now = len(os.listdir("/proc/%d/fd" % pid))
    cut = open_now + 3
    result = subprocess.run(["prlimit", "--pid", str(pid), "--nofile=%d:%d" % (cut, cut)], capture_output=True,
                            text=True)
    if not t.true("prlimit --pid", result.returncode == 0, result.stderr):
        return
    served, others = open_clients(server.redis_port, 15)
    replies = set(reply for _, reply in others)
    print("EMFILE: %d descriptors open, limit cut to %d: %d more served, replies %r" %
          (open_now, cut, len(served), replies))
    t.true("with accept failing, waiting clients are refused or closed, none hangs",
           len(others) > 0 and replies <= {REFUSAL, b""}, repr(replies))
    waiting = [socket.create_connection(("127.0.0.1", server.redis_port), timeout=5) for _ in range(5)]
    used = cpu_over_a_second(pid)
    print("EMFILE: server CPU over 1 s with clients waiting: %.2f s" % used)
    t.true("the server does not spin on EMFILE", used < CPU_LIMIT_SECONDS, "(%.2f s of CPU in 1 s)" % used)
    t.true("existing clients keep working", all(ping(sock) == b"+PONG\r\n" for sock in held + served))
    for sock in waiting + [sock for sock, _ in others]:
        sock.close()
    # A slot freed: a new client is served again.
    (held + served)[-1].close()
    time.sleep(0.3)
    again, refused = open_clients(server.redis_port, 1)
    t.true("a freed descriptor serves a new client", len(again) == 1, repr(refused))
    for sock in held + served[:-1] + again:
        sock.close()


def main():
    binary, _, config_dir = default_paths()
    config = os.path.join(config_dir, "dblite-compat.ini")
    if not os.path.exists(binary):
        print("test_descriptor_limit: %s missing" % binary)
        return 2
    t = Checks()
    server = LimitedServer(config)
    try:
        server.start()
        held = check_startup_fit(t, server)
        check_emfile(t, server, held)
        t.true("the server is still running", server.alive())
    except Exception as error:  # noqa: BLE001 - reported with the log
        t.true("no exception", False, "%s: %s\n%s" % (type(error).__name__, error, server.log_tail()))
    finally:
        server.stop()
        server.remove_dir()
    print("%d passed, %d failed" % (t.passed, t.failed))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
