#!/usr/bin/env python3
# test_compat_big_request.py - requests of more than a million arguments are
# served exactly as Redis 7.0 serves them (it refuses only counts above
# INT_MAX), byte for byte against a stock redis-server, and the server's
# peak memory for them stays within a small factor of Redis's.
#
# Not a case file: each request is megabytes long.  Both servers start
# fresh; the same requests go to each and the raw replies must be equal.

import os
import socket
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "diff"))

from resp_wire import ProtocolError, ReplyReader, encode_command, escape  # noqa: E402
from server_runner import ServerProcess  # noqa: E402
from run_diff import default_paths  # noqa: E402

ARGUMENTS = 1_100_000  # past the 1,048,576 that used to be refused
# Peak RSS growth per request argument allowed, as a multiple of Redis's own.
MEMORY_FACTOR = 2.0


def peak_rss_kb(pid):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM for %d" % pid)


def sanitized_build():
    """ASan's red zones and quarantine multiply the footprint: the memory
    comparison only means something for a plain build."""
    cache = os.path.join(os.environ.get("DBLITE_BINARY_DIR", ""), "CMakeCache.txt")
    try:
        with open(cache) as stream:
            return any(line.strip() == "DBLITE_SANITIZE:BOOL=ON" for line in stream)
    except OSError:
        return False


def big_requests():
    keys = [b"key:%d" % index for index in range(ARGUMENTS)]
    members = [b"m%d" % index for index in range(ARGUMENTS)]
    pairs = []
    for index in range(ARGUMENTS // 2):
        pairs += [b"mk%d" % index, b"v%d" % index]
    return [
        [b"DEL"] + keys,
        [b"SADD", b"s"] + members,
        [b"SCARD", b"s"],
        [b"SREM", b"s"] + members[:ARGUMENTS // 2],
        [b"SCARD", b"s"],
        [b"MSET"] + pairs,
        [b"DBSIZE"],
        [b"EXISTS"] + keys[:10] + [b"mk0", b"mk549999"] * (ARGUMENTS // 4),
        [b"MSET"] + pairs + [b"odd"],
        [b"ECHO"] + members,
        [b"NOSUCHCOMMAND"] + members,
        [b"PING"],
    ]


def run(server, requests):
    replies = []
    growth = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=120) as sock:
        reader = ReplyReader(sock)
        for index, request in enumerate(requests):
            before = peak_rss_kb(server.process.pid)
            try:
                sock.sendall(encode_command(request))
                replies.append(reader.read_reply())
            except (OSError, ProtocolError) as error:
                replies += [("(%s)" % error).encode()] * (len(requests) - index)
                return replies, growth
            if index == 0:  # DEL of missing keys: the request's own cost
                growth = peak_rss_kb(server.process.pid) - before
    return replies, growth


def main():
    _, config_dir, binary, module_path = default_paths()
    redis = ServerProcess("redis", "redis-server")
    dblite = ServerProcess("dblite", binary, config=os.path.join(config_dir, "dblite.ini"),
                           module_path=module_path)
    requests = big_requests()
    failures = 0
    try:
        redis.start()
        dblite.start()
        redis_replies, redis_growth = run(redis, requests)
        dblite_replies, dblite_growth = run(dblite, requests)
        for request, expected, got in zip(requests, redis_replies, dblite_replies):
            if expected != got:
                failures += 1
                print("MISMATCH %s (%d arguments)\n    redis:  %s\n    dblite: %s" % (
                    request[0].decode(), len(request), escape(expected, 300), escape(got, 300)))
        print("peak RSS growth for DEL of %d keys: redis %d kB, dblite %d kB" % (
            ARGUMENTS, redis_growth, dblite_growth))
        if sanitized_build():
            print("sanitizer build: memory not compared")
        elif dblite_growth > MEMORY_FACTOR * max(redis_growth, 1024):
            failures += 1
            print("dblite used more than %.1fx Redis's memory for the request" % MEMORY_FACTOR)
        if not dblite.alive():
            failures += 1
            print("dblite died:\n%s" % dblite.log_tail())
    finally:
        redis.stop()
        # A sanitizer report (leak, UB) at exit shows as a non-zero status.
        status = dblite.stop()
    if status not in (0, None):
        failures += 1
        print("dblite exited with status %s on SIGTERM" % status)
    print("%d failures" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
