#!/usr/bin/env python3
# test_zsets_blocking.py - the blocking sorted-set pops (BZPOPMIN, BZPOPMAX,
# BZMPOP) on dblite and on a stock redis-server side by side, plus what the
# differential case files cannot compare: full ZSCAN walks of skiplist sets
# and the shape of random ZRANDMEMBER replies.
#
# Every scenario runs on both servers with the same clients and the same
# steps; each reply must be the same bytes on both, and where the scenario
# names the expected bytes, those too (so a case cannot pass with both
# servers wrong):
#  - three clients blocked on one key are served in arrival order, one
#    member each, by one ZADD of three members, and by ZADDs of one;
#  - a timeout with a fraction (0.3 s) answers a null array after about
#    that long; a client blocked on a key that gets another type keeps
#    waiting;
#  - BZMPOP on several keys is served by the key that got members, with
#    COUNT, in RESP2 and RESP3;
#  - ZUNIONSTORE (and ZINTERSTORE) into the awaited key wakes the client;
#  - inside MULTI the blocking forms answer as timed out at once;
#  - a key named twice, CLIENT UNBLOCK (timeout or error), a key created
#    and deleted within one EXEC;
#  - the append-only files of both servers hold the same commands at the
#    end: a served BZPOPMIN as ZPOPMIN key, BZMPOP and ZMPOP as
#    ZPOPMIN/ZPOPMAX key <count popped>.
# Standard library only (the diff runner's RESP helpers).  Exits 1 on any
# failure.

import os
import shutil
import socket
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TESTS, "compat"))
sys.path.insert(0, os.path.join(TESTS, "diff"))

from aof_commands import logging_servers, wait_for_marker  # noqa: E402
from compat_server import default_paths  # noqa: E402
from resp_wire import ReplyReader, encode_command  # noqa: E402

failures = []
NULL_ARRAY = b"*-1\r\n"


def check(name, got, expected):
    if got != expected:
        failures.append("%s: expected %r, got %r" % (name, expected, got))


class Connection:
    def __init__(self, port, protocol=2):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.reader = ReplyReader(self.sock)
        if protocol == 3:
            self.call("HELLO", "3")

    def send(self, *arguments):
        data = [a if isinstance(a, bytes) else str(a).encode() for a in arguments]
        self.sock.sendall(encode_command(data))

    def read(self):
        return self.reader.read_reply()

    def call(self, *arguments):
        self.send(*arguments)
        return self.read()

    def close(self):
        self.sock.close()


def bulk(text):
    data = text.encode() if isinstance(text, str) else text
    return b"$%d\r\n%s\r\n" % (len(data), data)


def array(*elements):
    return b"*%d\r\n" % len(elements) + b"".join(elements)


def blocked_clients(port):
    c = Connection(port)
    try:
        info = c.call("INFO", "clients").decode()
    finally:
        c.close()
    for line in info.splitlines():
        if line.startswith("blocked_clients:"):
            return int(line.split(":")[1])
    return -1


def wait_blocked(port, count):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if blocked_clients(port) == count:
            return True
        time.sleep(0.01)
    failures.append("port %d: never %d blocked clients" % (port, count))
    return False


# ---- scenarios: each takes a port and returns the list of replies it saw ----

def fairness(port):
    replies = []
    admin = Connection(port)
    waiters = [Connection(port) for _ in range(3)]
    for w in waiters:  # one at a time, so the arrival order is known
        w.send("BZPOPMIN", "fair", "0")
        wait_blocked(port, waiters.index(w) + 1)
    replies.append(admin.call("ZADD", "fair", "3", "c", "1", "a", "2", "b"))
    replies += [w.read() for w in waiters]
    replies.append(admin.call("EXISTS", "fair"))
    # one member at a time: the oldest waiter each time
    for w in waiters:
        w.send("BZPOPMAX", "fair2", "other", "0")
        wait_blocked(port, waiters.index(w) + 1)
    for member, waiter in zip(("x", "y", "z"), waiters):
        replies.append(admin.call("ZADD", "fair2", "5", member))
        replies.append(waiter.read())
        wait_blocked(port, 2 - waiters.index(waiter))
    for c in waiters + [admin]:
        c.close()
    return replies


def timeouts(port):
    replies = []
    c = Connection(port)
    started = time.monotonic()
    replies.append(c.call("BZPOPMIN", "nokey", "0.3"))
    elapsed = time.monotonic() - started
    if not 0.25 <= elapsed < 3:
        failures.append("port %d: BZPOPMIN 0.3 answered after %.3f s" % (port, elapsed))
    started = time.monotonic()
    replies.append(c.call("BZMPOP", "0.2", "2", "n1", "n2", "MIN", "COUNT", "2"))
    elapsed = time.monotonic() - started
    if not 0.15 <= elapsed < 3:
        failures.append("port %d: BZMPOP 0.2 answered after %.3f s" % (port, elapsed))
    # a key of another type does not serve the waiter
    admin = Connection(port)
    c.send("BZPOPMIN", "typed", "0")
    wait_blocked(port, 1)
    replies.append(admin.call("RPUSH", "typed", "x"))
    time.sleep(0.1)
    replies.append(admin.call("DEL", "typed"))
    replies.append(admin.call("ZADD", "typed", "4", "m"))
    replies.append(c.read())
    c.close()
    admin.close()
    return replies


def multiple_keys(port):
    replies = []
    admin = Connection(port)
    for protocol in (2, 3):
        waiter = Connection(port, protocol)
        waiter.send("BZMPOP", "0", "3", "k1", "k2", "k3", "MAX", "COUNT", "2")
        wait_blocked(port, 1)
        replies.append(admin.call("ZADD", "k2", "1", "x", "2", "y", "3", "z"))
        replies.append(waiter.read())
        replies.append(admin.call("ZRANGE", "k2", "0", "-1", "WITHSCORES"))
        waiter.send("BZMPOP", "0", "2", "k1", "k3", "MIN")
        wait_blocked(port, 1)
        replies.append(admin.call("ZADD", "k3", "7", "only"))
        replies.append(waiter.read())
        replies.append(admin.call("EXISTS", "k3"))
        waiter.send("BZPOPMIN", "k4", "k5", "0")
        wait_blocked(port, 1)
        replies.append(admin.call("ZADD", "k5", "1.5", "q"))
        replies.append(waiter.read())
        replies.append(admin.call("DEL", "k2"))
        waiter.close()
    admin.close()
    return replies


def woken_by_store(port):
    replies = []
    admin = Connection(port)
    waiter = Connection(port)
    replies.append(admin.call("SADD", "src", "a", "b"))
    waiter.send("BZPOPMAX", "dst", "0")
    wait_blocked(port, 1)
    replies.append(admin.call("ZUNIONSTORE", "dst", "1", "src", "WEIGHTS", "5"))
    replies.append(waiter.read())
    replies.append(admin.call("ZRANGE", "dst", "0", "-1", "WITHSCORES"))
    waiter.send("BZMPOP", "0", "1", "dst2", "MIN", "COUNT", "10")
    wait_blocked(port, 1)
    replies.append(admin.call("ZINTERSTORE", "dst2", "2", "src", "dst", "WEIGHTS", "1", "2"))
    replies.append(waiter.read())
    replies.append(admin.call("EXISTS", "dst2"))
    waiter.close()
    admin.close()
    return replies


def transactions(port):
    replies = []
    c = Connection(port)
    for command in (["MULTI"], ["BZPOPMIN", "nokey", "0"], ["BZMPOP", "0", "1", "nokey", "MAX"],
                    ["ZADD", "tx", "1", "a", "2", "b"], ["BZPOPMAX", "tx", "0"],
                    ["BZMPOP", "0", "1", "tx", "MIN", "COUNT", "5"], ["BZPOPMIN", "tx", "0"]):
        replies.append(c.call(*command))
    started = time.monotonic()
    replies.append(c.call("EXEC"))
    if time.monotonic() - started > 1:
        failures.append("port %d: EXEC of blocking pops waited" % port)
    replies.append(c.call("ZADD", "z1", "1", "a", "2", "b", "3", "c"))
    replies.append(c.call("ZMPOP", "1", "z1", "MIN", "COUNT", "10"))
    replies.append(c.call("ZADD", "z1", "1", "a", "2", "b", "3", "c"))
    replies.append(c.call("BZMPOP", "0", "1", "z1", "MAX", "COUNT", "10"))
    c.close()
    return replies


def edges(port):
    replies = []
    admin = Connection(port)
    waiter = Connection(port)
    # a key named twice is served once
    waiter.send("BZPOPMIN", "twice", "twice", "0")
    wait_blocked(port, 1)
    replies.append(admin.call("ZADD", "twice", "1", "a", "2", "b"))
    replies.append(waiter.read())
    # CLIENT UNBLOCK: as a timeout, or an error
    client_id = waiter.call("CLIENT", "ID")[1:-2]
    waiter.send("BZMPOP", "0", "1", "q", "MIN")
    wait_blocked(port, 1)
    replies.append(admin.call("CLIENT", "UNBLOCK", client_id))
    replies.append(waiter.read())
    waiter.send("BZPOPMIN", "q", "0")
    wait_blocked(port, 1)
    replies.append(admin.call("CLIENT", "UNBLOCK", client_id, "ERROR"))
    replies.append(waiter.read())
    # a key created and deleted within one EXEC serves nobody
    waiter.send("BZPOPMIN", "gone", "0")
    wait_blocked(port, 1)
    for command in (["MULTI"], ["ZADD", "gone", "1", "a"], ["DEL", "gone"], ["EXEC"]):
        replies.append(admin.call(*command))
    time.sleep(0.1)
    replies.append(admin.call("ZADD", "gone", "5", "z"))
    replies.append(waiter.read())
    # GEOADD is logged as the ZADD it amounts to (compared in check_aofs)
    replies.append(admin.call("GEOADD", "geo", "CH", "13.361389", "38.115556", "Palermo",
                              "15.087269", "37.502669", "Catania"))
    replies.append(admin.call("GEOADD", "geo", "NX", "13.361389", "38.115556", "Palermo"))
    waiter.close()
    admin.close()
    return replies


SCENARIOS = [
    ("fairness", fairness, [
        b":3\r\n",
        array(bulk("fair"), bulk("a"), bulk("1")),
        array(bulk("fair"), bulk("b"), bulk("2")),
        array(bulk("fair"), bulk("c"), bulk("3")),
        b":0\r\n",
        b":1\r\n", array(bulk("fair2"), bulk("x"), bulk("5")),
        b":1\r\n", array(bulk("fair2"), bulk("y"), bulk("5")),
        b":1\r\n", array(bulk("fair2"), bulk("z"), bulk("5")),
    ]),
    ("timeouts", timeouts, [
        NULL_ARRAY, NULL_ARRAY, b":1\r\n", b":1\r\n", b":1\r\n",
        array(bulk("typed"), bulk("m"), bulk("4")),
    ]),
    ("multiple keys", multiple_keys, None),
    ("woken by a store", woken_by_store, [
        b":2\r\n", b":2\r\n", array(bulk("dst"), bulk("b"), bulk("5")),
        array(bulk("a"), bulk("5")), b":1\r\n",
        array(bulk("dst2"), array(array(bulk("a"), bulk("11")))), b":0\r\n",
    ]),
    ("transactions", transactions, None),
    ("edges", edges, [
        b":2\r\n", array(bulk("twice"), bulk("a"), bulk("1")),
        b":1\r\n", NULL_ARRAY,
        b":1\r\n", b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n",
        b"+OK\r\n", b"+QUEUED\r\n", b"+QUEUED\r\n", b"*2\r\n:1\r\n:1\r\n",
        b":1\r\n", array(bulk("gone"), bulk("z"), bulk("5")),
        b":2\r\n", b":0\r\n",
    ]),
]

MULTIPLE_KEYS_RESP2_FIRST = array(bulk("k2"), array(array(bulk("z"), bulk("3")),
                                                     array(bulk("y"), bulk("2"))))
MULTIPLE_KEYS_RESP3_FIRST = array(bulk("k2"), array(array(bulk("z"), b",3\r\n"),
                                                     array(bulk("y"), b",2\r\n")))


def run_scenarios(dblite_port, redis_port):
    for name, scenario, expected in SCENARIOS:
        got_dblite = scenario(dblite_port)
        got_redis = scenario(redis_port)
        check(name + ": dblite against redis-server", got_dblite, got_redis)
        if expected is not None:
            check(name + ": redis-server against the expectation", got_redis, expected)
        if name == "multiple keys" and len(got_dblite) > 10:
            check("multiple keys: RESP2 reply", got_dblite[1], MULTIPLE_KEYS_RESP2_FIRST)
            check("multiple keys: RESP3 reply", got_dblite[10], MULTIPLE_KEYS_RESP3_FIRST)


# ---- the append-only files -------------------------------------------------

def check_aofs(dblite, redis):
    for server in (dblite, redis):
        c = Connection(server.port)
        c.call("SET", "marker", "done")
        c.close()
    got_dblite = wait_for_marker(dblite.dir)
    got_redis = wait_for_marker(redis.dir)
    if got_dblite != got_redis:
        failures.append("the append-only files differ:\n  dblite: %r\n  redis:  %r" % (
            got_dblite, got_redis))
    wanted = [[b"ZPOPMIN", b"fair"], [b"ZPOPMIN", b"fair"], [b"ZPOPMIN", b"fair"],
              [b"ZPOPMAX", b"k2", b"2"], [b"ZPOPMIN", b"z1", b"3"],
              [b"ZPOPMAX", b"z1", b"3"],
              [b"zadd", b"geo", b"CH", b"3479099956230698", b"Palermo", b"3479447370796909",
               b"Catania"]]
    for command in wanted:
        if command not in got_redis:
            failures.append("redis-server's log lacks %r" % command)


# ---- what the case files cannot compare --------------------------------------

def full_scan(port, key, count):
    c = Connection(port)
    seen = {}
    cursor = b"0"
    calls = 0
    while True:
        reply = c.call("ZSCAN", key, cursor, "COUNT", str(count))
        calls += 1
        # *2 $n cursor *m (member score)...
        lines = reply.split(b"\r\n")
        cursor = lines[2]
        items = [lines[i] for i in range(5, len(lines) - 1, 2)]
        for member, score in zip(items[0::2], items[1::2]):
            seen[member] = score
        if cursor == b"0" or calls > 10000:
            break
    c.close()
    return seen, calls


def check_scans(dblite_port, redis_port):
    for port in (dblite_port, redis_port):
        c = Connection(port)
        arguments = ["ZADD", "scan"]
        for i in range(1000):
            arguments += [str(i * 0.25), "member:%d" % i]
        c.call(*arguments)
        c.close()
    expected = {b"member:%d" % i: (b"%.17g" % (i * 0.25)) for i in range(1000)}
    for count in (1, 10, 333):
        got_dblite, calls = full_scan(dblite_port, "scan", count)
        check("a full ZSCAN with COUNT %d" % count, got_dblite, expected)
        if count == 10 and calls < 20:
            failures.append("ZSCAN COUNT 10 of 1000 members took only %d calls" % calls)
        got_redis, _ = full_scan(redis_port, "scan", count)
        check("redis-server's full ZSCAN with COUNT %d" % count, got_redis, expected)


def check_random(dblite_port):
    c = Connection(dblite_port)
    c.call("ZADD", "rnd", "1", "a", "2", "b", "3", "c", "4", "d")
    members = {b"a": b"1", b"b": b"2", b"c": b"3", b"d": b"4"}
    seen = set()
    for _ in range(200):
        reply = c.call("ZRANDMEMBER", "rnd", "3", "WITHSCORES").split(b"\r\n")
        pairs = [(reply[i], reply[i + 2]) for i in range(2, len(reply) - 1, 4)]
        if len(pairs) != 3 or len({m for m, _ in pairs}) != 3:
            failures.append("ZRANDMEMBER 3 WITHSCORES: not three distinct members: %r" % reply)
            break
        for member, score in pairs:
            if members.get(member) != score:
                failures.append("ZRANDMEMBER paired %r with %r" % (member, score))
        seen.add(tuple(sorted(m for m, _ in pairs)))
    if len(seen) != 4:
        failures.append("ZRANDMEMBER 3 of 4 drew %d of the 4 subsets in 200 tries" % len(seen))
    reply = c.call("ZRANDMEMBER", "rnd", "-1000").split(b"\r\n")
    drawn = [reply[i] for i in range(2, len(reply) - 1, 2)]
    if len(drawn) != 1000 or any(drawn.count(m) < 150 for m in members):
        failures.append("ZRANDMEMBER -1000 of 4: counts %r" % {m: drawn.count(m) for m in members})
    c.close()


def main():
    redis_binary = shutil.which("redis-server")
    if not redis_binary:
        print("redis-server not found (scripts/install-deps.sh installs it)")
        return 1
    dblite, redis = logging_servers(*default_paths(), redis_binary)
    try:
        dblite.start()
        redis.start()
        run_scenarios(dblite.port, redis.port)
        check_aofs(dblite, redis)
        check_scans(dblite.port, redis.port)
        check_random(dblite.port)
    finally:
        dblite.stop()
        redis.stop()
    for failure in failures:
        print("FAIL", failure)
    print("%d scenarios, %d failure(s)" % (len(SCENARIOS), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
