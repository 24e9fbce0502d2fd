#!/usr/bin/env python3
# huge_counts.py - SRANDMEMBER and HRANDFIELD with huge negative counts
# under a memory limit (issue 19, item 11).
#
# The server runs with its address space limited (RLIMIT_AS, set with
# prlimit on the running process: dblite has no maxmemory) to what it uses
# plus LIMIT_MB.  Then:
#   1. counts whose reply cannot fit proto-max-bulk-len (-LLONG_MAX, and
#      -LLONG_MAX/2 WITHVALUES) are refused at once with an error, and the
#      same connection keeps working;
#   2. a count just under that bound (80 million picks of a 100-byte member,
#      an 8 GB reply) runs out of memory for its output: the server closes
#      that client, and must then stop working on it: another client gets
#      PING answered within a second, the server's CPU use over the next
#      two seconds stays near idle (no spinning), and the log gains only a
#      few lines (repeated failures are collapsed, see core/util/log.c).
# Before the fix, step 1 grew the output until the limit and then looped
# at 100% CPU writing ~100k log lines a second.
# Skipped (exit 77) for sanitizer builds, whose shadow memory cannot live
# under an address-space limit: pass --sanitized.
import os
import resource
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "diff"))
from resp_wire import ReplyReader, encode_command  # noqa: E402
from server_runner import ServerProcess  # noqa: E402

LIMIT_MB = 400


def call(sock, reader, *args):
    sock.sendall(encode_command([a if isinstance(a, bytes) else str(a).encode() for a in args]))
    return reader.read_reply()


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vm_size(pid):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize")


def log_lines(server):
    with open(server.log_path, "rb") as log:
        return log.read().count(b"\n")


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def main():
    if "--sanitized" in sys.argv[1:]:
        print("huge_counts: skipped in the sanitizer build")
        return 77
    binary = os.path.abspath(os.environ["DBLITE_SERVER"])
    config = os.path.abspath(os.path.join(os.environ["DBLITE_CONFIG_DIR"], "dblite.ini"))
    server = ServerProcess("dblite", binary, config,
                           os.path.abspath(os.environ["DBLITE_MODULE_PATH"]))
    server.start()
    try:
        pid = server.process.pid
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.settimeout(20)
        reader = ReplyReader(sock)
        member = b"m" * 100
        check(call(sock, reader, "SADD", "s", member, b"n" * 100) == b":2\r\n", "SADD")
        check(call(sock, reader, "HSET", "h", member, b"v") == b":1\r\n", "HSET")
        limit = vm_size(pid) + LIMIT_MB * 1024 * 1024
        resource.prlimit(pid, resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))

        # 1. Refused before any work.
        for args in (("SRANDMEMBER", "s", "-9223372036854775807"),
                     ("HRANDFIELD", "h", "-9223372036854775807"),
                     ("HRANDFIELD", "h", "-4611686018427387903", "WITHVALUES")):
            reply = call(sock, reader, *args)
            check(reply.startswith(b"-ERR value is out of range, the reply would exceed"),
                  "%s answered %r" % (" ".join(args), reply[:200]))
        check(call(sock, reader, "PING") == b"+PONG\r\n", "PING after the refusals")
        log_before = log_lines(server)

        # 2. Under the bound, past the memory: the client is dropped.
        greedy = socket.create_connection(("127.0.0.1", server.port))
        greedy.sendall(encode_command([b"SRANDMEMBER", b"s", b"-80000000"]))
        greedy.shutdown(socket.SHUT_WR)
        greedy.settimeout(120)
        received = 0
        while True:  # read on, as a client would, until the server closes
            data = greedy.recv(1 << 20)
            if not data:
                break
            received += len(data)
        greedy.close()
        check(received < 80000000 * 107, "the whole 8 GB reply came through")
        start = time.monotonic()
        check(call(sock, reader, "PING") == b"+PONG\r\n", "PING after the drop")
        check(time.monotonic() - start < 1.0, "PING took %.2f s" % (time.monotonic() - start))
        cpu = cpu_seconds(pid)
        time.sleep(2)
        spent = cpu_seconds(pid) - cpu
        check(spent < 0.5, "the server used %.2f s of CPU in 2 s of idleness" % spent)
        grown = log_lines(server) - log_before
        check(grown <= 10, "the log grew by %d lines" % grown)
        check(server.alive(), "the server died")
        print("huge_counts: refused 3 counts, dropped the greedy client after %d bytes; "
              "idle CPU %.2f s, %d log lines" % (received, spent, grown))
    except BaseException as error:
        print("huge_counts FAILED: %r" % (error,))
        print("---- server log (tail) ----\n" + server.log_tail(8192))
        server.stop()
        return 1
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
