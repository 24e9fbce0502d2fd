#!/usr/bin/env python3
# test_transactions.py - WATCH invalidated (or not) by every write path, on
# dblite and on a stock redis-server side by side: each case watches a key
# on one connection, runs writes on another (or on the same one), then
# answers MULTI PING EXEC; the outcome (ran, or aborted with a null array)
# must be Redis's, and where the case names an expected outcome, that too,
# so a case cannot pass with both servers ignoring it.  Then what only
# dblite has (its file RESTORE, which loads), a client gone with its
# watches, and the propagation: EXEC of several writes reaches the append
# only file as MULTI ... EXEC, one write alone, a read-only one nothing.
# Exits 1 on any failure.

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

from compat_server import CompatServer, default_paths  # noqa: E402
from resp_wire import ReplyReader, encode_command  # noqa: E402
from server_runner import ServerProcess  # noqa: E402

failures = []
RAN = b"*1\r\n+PONG\r\n"
ABORTED = b"*-1\r\n"


class Connection:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.reader = ReplyReader(self.sock)

    def call(self, *arguments):
        data = [a if isinstance(a, bytes) else str(a).encode() for a in arguments]
        self.sock.sendall(encode_command(data))
        return self.reader.read_reply()

    def close(self):
        self.sock.close()


def split(line):
    return line.split() if isinstance(line, str) else list(line)


# (name, setup, watch key, writes on the other connection, expected or None)
# setup and writes run on the other connection, in database 0 unless they
# SELECT; "sleep N" in writes waits N seconds (expiry).  "self:" runs a
# write on the watching connection itself.
CASES = [
    ("SET by another client", ["SET k v"], "k", ["SET k w"], ABORTED),
    ("SET of the same value", ["SET k v"], "k", ["SET k v"], ABORTED),
    ("SET of a missing watched key", [], "k", ["SET k v"], ABORTED),
    ("a write to another key", ["SET k v"], "k", ["SET other v"], RAN),
    ("a read of the watched key", ["SET k v"], "k", ["GET k", "EXISTS k", "TTL k"], RAN),
    ("the same key in another database", ["SET k v"], "k", ["SELECT 1", "SET k v"], RAN),
    ("LPUSH", ["RPUSH k a"], "k", ["LPUSH k b"], ABORTED),
    ("LPOP", ["RPUSH k a b"], "k", ["LPOP k"], ABORTED),
    ("LPOP of a missing key", [], "k", ["LPOP k"], RAN),
    ("HSET", ["HSET k f v"], "k", ["HSET k g v"], ABORTED),
    ("HSET of the same field and value", ["HSET k f v"], "k", ["HSET k f v"], None),
    ("SADD of a new member", ["SADD k a"], "k", ["SADD k b"], ABORTED),
    ("SADD of an existing member", ["SADD k a"], "k", ["SADD k a"], RAN),
    ("SREM of a missing member", ["SADD k a"], "k", ["SREM k b"], RAN),
    ("INCR", ["SET k 1"], "k", ["INCR k"], ABORTED),
    ("INCRBY 0", ["SET k 1"], "k", ["INCRBY k 0"], None),
    ("APPEND", ["SET k a"], "k", ["APPEND k b"], ABORTED),
    ("SETRANGE", ["SET k abc"], "k", ["SETRANGE k 1 x"], ABORTED),
    ("EXPIRE", ["SET k v"], "k", ["EXPIRE k 100"], ABORTED),
    ("EXPIRE in the past", ["SET k v"], "k", ["EXPIRE k -1"], ABORTED),
    ("PERSIST", ["SET k v EX 100"], "k", ["PERSIST k"], ABORTED),
    ("PERSIST without a TTL", ["SET k v"], "k", ["PERSIST k"], RAN),
    ("DEL", ["SET k v"], "k", ["DEL k"], ABORTED),
    ("DEL of a missing key", [], "k", ["DEL k"], RAN),
    ("UNLINK", ["SET k v"], "k", ["UNLINK k"], ABORTED),
    ("expiry at EXEC", ["SET k v PX 50"], "k", ["sleep 0.3"], ABORTED),
    ("expiry removed by a read", ["SET k v PX 50"], "k", ["sleep 0.3", "GET k"], ABORTED),
    ("a key already expired at WATCH", ["SET k v PX 20", "sleep 0.2"], "k", [], RAN),
    ("an expired key at WATCH then read", ["SET k v PX 20", "sleep 0.2"], "k", ["GET k"], RAN),
    ("an expired key at WATCH then set", ["SET k v PX 20", "sleep 0.2"], "k", ["SET k w"], ABORTED),
    ("FLUSHDB with the key", ["SET k v"], "k", ["FLUSHDB"], ABORTED),
    ("FLUSHDB without the key", ["SET other v"], "k", ["FLUSHDB"], RAN),
    ("FLUSHDB ASYNC", ["SET k v"], "k", ["FLUSHDB ASYNC"], ABORTED),
    ("FLUSHDB of another database", ["SET k v"], "k", ["SELECT 1", "SET k v", "FLUSHDB"], RAN),
    ("FLUSHALL with the key", ["SET k v"], "k", ["FLUSHALL"], ABORTED),
    ("FLUSHALL without the key", ["SET other v"], "k", ["FLUSHALL"], RAN),
    ("SWAPDB, the key in the watched db", ["SET k v"], "k", ["SWAPDB 0 1"], ABORTED),
    ("SWAPDB, the key in the other db", ["SELECT 1", "SET k v"], "k", ["SWAPDB 0 1"], ABORTED),
    ("SWAPDB, the key in neither", ["SET other v"], "k", ["SWAPDB 0 1"], RAN),
    ("SWAPDB of other databases", ["SET k v"], "k", ["SELECT 2", "SET k v", "SWAPDB 1 2"], RAN),
    ("RENAME from the key", ["SET k v"], "k", ["RENAME k x"], ABORTED),
    ("RENAME onto the key", ["SET x v"], "k", ["RENAME x k"], ABORTED),
    ("RENAMENX onto the key", ["SET x v"], "k", ["RENAMENX x k"], ABORTED),
    ("RENAMENX refused", ["SET x v", "SET k v"], "k", ["RENAMENX x k"], RAN),
    ("MOVE of the key", ["SET k v"], "k", ["MOVE k 1"], ABORTED),
    ("MOVE onto the key", ["SELECT 1", "SET k v"], "k", ["SELECT 1", "MOVE k 0"], ABORTED),
    ("COPY onto the key", ["SET x v"], "k", ["COPY x k"], ABORTED),
    ("COPY from the key", ["SET k v"], "k", ["COPY k x"], RAN),
    ("COPY onto the key in another db", ["SET x v"], "k", ["COPY x k DB 1"], RAN),
    ("RESTORE onto the key", ["SET x v"], "k", ["dump-restore x k"], ABORTED),
    ("a write by the watching client", ["SET k v"], "k", ["self:SET k w"], ABORTED),
    ("a write inside the transaction", ["SET k v"], "k", ["queued:SET k w"],
     b"*2\r\n+OK\r\n+PONG\r\n"),
]


def run_writes(other, watching, writes, queued):
    for line in writes:
        if line.startswith("sleep "):
            time.sleep(float(line.split()[1]))
        elif line.startswith("self:"):
            watching.call(*split(line[5:]))
        elif line.startswith("queued:"):
            queued.append(split(line[7:]))
        elif line.startswith("dump-restore "):
            _, source, target = line.split()
            payload = other.call("DUMP", source)
            # $<len>\r\n<payload>\r\n
            header_end = payload.index(b"\r\n")
            other.call("RESTORE", target, 0, payload[header_end + 2:-2])
        else:
            other.call(*split(line))


def outcome(port, setup, key, writes):
    other, watching = Connection(port), Connection(port)
    try:
        other.call("FLUSHALL")
        queued = []
        run_writes(other, watching, setup, queued)
        other.call("SELECT", 0)
        watching.call("WATCH", key)
        run_writes(other, watching, writes, queued)
        watching.call("MULTI")
        for arguments in queued:
            watching.call(*arguments)
        watching.call("PING")
        return watching.call("EXEC")
    finally:
        other.close()
        watching.close()


def check(name, got, expected):
    if got != expected:
        failures.append("%s: expected %r, got %r" % (name, expected, got))


def test_write_paths(dblite_port, redis_port):
    for name, setup, key, writes, expected in CASES:
        redis_result = outcome(redis_port, setup, key, writes)
        dblite_result = outcome(dblite_port, setup, key, writes)
        check(name + " (dblite against redis-server)", dblite_result, redis_result)
        if expected is not None:
            check(name + " (redis-server, the case's own expectation)", redis_result, expected)


STATS_SCRIPT = """CONFIG RESETSTAT
SET s hello
MULTI
INCR s
SET n 1
GET n
EXEC
MULTI
NOSUCH
EXEC
MULTI
SET a
EXEC
EXEC
DISCARD
MULTI
DISCARD
WATCH s
UNWATCH
MULTI
EXEC extra"""


def command_stats(port):
    """calls/rejected_calls/failed_calls of the transaction's commands after
    STATS_SCRIPT (an error inside EXEC is the queued command's failure, not
    EXEC's; EXECABORT and EXEC without MULTI are EXEC's)."""
    c = Connection(port)
    try:
        for line in STATS_SCRIPT.splitlines():
            c.call(*line.split())
        info = c.call("INFO", "commandstats").decode()
    finally:
        c.close()
    stats = {}
    for line in info.split("\r\n"):
        name = line.partition(":")[0]
        if name in ("cmdstat_" + n for n in ("multi", "exec", "discard", "watch", "unwatch",
                                             "incr", "set", "get")):
            fields = dict(f.split("=") for f in line.partition(":")[2].split(","))
            stats[name] = (fields["calls"], fields["rejected_calls"], fields["failed_calls"])
    return stats


def test_command_stats(dblite_port, redis_port):
    redis_stats = command_stats(redis_port)
    check("commandstats after transactions", command_stats(dblite_port), redis_stats)
    check("redis-server counts EXEC's failures", redis_stats.get("cmdstat_exec"), ("4", "1", "3"))


def test_file_restore_loads(server):
    """DBLite's RESTORE <file> on its own port replaces the dataset through
    the loading path: a watched key that exists is touched."""
    control = Connection(server.redis_port)
    dialect = Connection(server.dblite_port)
    watching = Connection(server.redis_port)
    try:
        control.call("FLUSHALL")
        control.call("SET", "k", "saved")
        check("SAVE file", dialect.call("SAVE", "txn.rdb"), b"+OK\r\n")
        watching.call("WATCH", "k")
        check("RESTORE file", dialect.call("RESTORE", "txn.rdb"), b"+OK\r\n")
        watching.call("MULTI")
        watching.call("PING")
        check("WATCH across a dataset load", watching.call("EXEC"), ABORTED)
    finally:
        for c in (control, dialect, watching):
            c.close()


def test_client_gone(port):
    """A client that leaves with watches: its watches go, the next write to
    the key and another client's WATCH of it work."""
    control = Connection(port)
    try:
        for _ in range(3):
            gone = Connection(port)
            gone.call("WATCH", "k", "k2", "k3")
            gone.close()
        deadline = time.monotonic() + 30
        while b"k2" in control.call("CLIENT", "LIST") and time.monotonic() < deadline:
            time.sleep(0.02)
        control.call("SET", "k", "v")
        check("after watchers left", outcome(port, ["SET k v"], "k", []), RAN)
    finally:
        control.close()


def test_handler_sees_the_transaction(port):
    """txnprobe.so's handler answers [dblite_ctx_in_transaction,
    dblite_ctx_cannot_block]: 0 0 run directly, 1 1 run by EXEC."""
    c = Connection(port)
    try:
        check("TXNPROBE directly", c.call("TXNPROBE"), b"*2\r\n:0\r\n:0\r\n")
        c.call("MULTI")
        c.call("TXNPROBE")
        check("TXNPROBE inside EXEC", c.call("EXEC"), b"*1\r\n*2\r\n:1\r\n:1\r\n")
        # WAIT for replicas there are not: at once inside EXEC, as Redis
        c.call("MULTI")
        c.call("WAIT", 1, 0)
        check("WAIT 1 0 inside EXEC", c.call("EXEC"), b"*1\r\n:0\r\n")
    finally:
        c.close()


def client_fields(observer, client_id):
    line = observer.call("CLIENT", "LIST", "ID", client_id).decode().strip()
    return dict(f.split("=", 1) for f in line.split(" ") if "=" in f)


def test_client_list(port):
    """CLIENT INFO's flags (x in MULTI, d once a watched key changed),
    multi= (queued commands, -1 outside MULTI) and multi-mem."""
    c, other = Connection(port), Connection(port)
    try:
        cid = int(c.call("CLIENT", "ID")[1:])
        fields = client_fields(other, cid)
        check("outside MULTI", (fields["flags"], fields["multi"], fields["multi-mem"]),
              ("N", "-1", "0"))
        c.call("WATCH", "k")
        check("multi-mem leaves watches out (Redis 7.0)", client_fields(other, cid)["multi-mem"],
              "0")
        c.call("MULTI")
        c.call("SET", "a", "x" * 1000)
        c.call("GET", "a")
        fields = client_fields(other, cid)
        check("in MULTI", (fields["flags"], fields["multi"]), ("x", "2"))
        if int(fields["multi-mem"]) < 1000:
            failures.append("multi-mem %s does not count the queued 1000 bytes" % fields["multi-mem"])
        c.call("EXEC")
        fields = client_fields(other, cid)
        check("after EXEC", (fields["flags"], fields["multi"], fields["multi-mem"]),
              ("N", "-1", "0"))
        # a dirty client stops watching and keeps nothing it queues after
        c.call("WATCH", "k", "k2")
        other.call("SET", "k", "changed")
        fields = client_fields(other, cid)
        check("dirty watch", (fields["flags"], fields["multi-mem"]), ("d", "0"))
        c.call("MULTI")
        check("queued while dirty", c.call("SET", "a", "x" * 1000), b"+QUEUED\r\n")
        fields = client_fields(other, cid)
        check("in a dirty MULTI", (fields["flags"], fields["multi"], fields["multi-mem"]),
              ("xd", "0", "0"))
        check("EXEC of a dirty MULTI", c.call("EXEC"), ABORTED)
        # a FLUSHALL dirties the same way
        other.call("SET", "k", "v")
        c.call("WATCH", "k")
        other.call("FLUSHALL")
        fields = client_fields(other, cid)
        check("dirty by FLUSHALL", (fields["flags"], fields["multi-mem"]), ("d", "0"))
        c.call("UNWATCH")
        check("UNWATCH clears d", client_fields(other, cid)["flags"], "N")
    finally:
        c.close()
        other.close()


def aof_text(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def wait_for_aof(path, wanted):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        data = aof_text(path)
        if wanted in data:
            return data
        time.sleep(0.05)
    return aof_text(path)


def resp(*words):
    return encode_command([w.encode() for w in words])


def test_propagation(server):
    path = os.path.join(server.dir, "appendonly.aof")
    c = Connection(server.redis_port)
    try:
        c.call("SET", "marker", "0")
        wait_for_aof(path, resp("SET", "marker", "0"))
        # several writes: wrapped
        for command in (["MULTI"], ["SET", "a", "1"], ["INCR", "a"], ["GET", "a"],
                        ["RPUSH", "l", "x"], ["EXEC"]):
            c.call(*command)
        wrapped = (resp("MULTI") + resp("SET", "a", "1") + resp("INCR", "a") +
                   resp("RPUSH", "l", "x") + resp("EXEC"))
        data = wait_for_aof(path, wrapped)
        check("EXEC of three writes in the AOF", wrapped in data, True)
        # one write: not wrapped; a read-only EXEC: nothing
        for command in (["MULTI"], ["GET", "a"], ["SET", "b", "1"], ["EXEC"],
                        ["MULTI"], ["GET", "a"], ["EXEC"], ["SET", "marker", "1"]):
            c.call(*command)
        single = resp("RPUSH", "l", "x") + resp("EXEC") + resp("SET", "b", "1") + \
            resp("SET", "marker", "1")
        data = wait_for_aof(path, resp("SET", "marker", "1"))
        check("EXEC of one write, then a read-only EXEC, in the AOF", single in data, True)
        # a BLPOP served inside EXEC propagates as the pop it was
        for command in (["MULTI"], ["BLPOP", "l", "0"], ["SET", "c", "1"], ["EXEC"]):
            c.call(*command)
        popped = resp("MULTI") + resp("LPOP", "l") + resp("SET", "c", "1") + resp("EXEC")
        data = wait_for_aof(path, popped)
        check("BLPOP inside EXEC in the AOF", popped in data, True)
        # a watched key that expired: EXEC fails and propagates nothing of it
        c.call("SET", "e", "v", "PX", "50")
        c.call("WATCH", "e")
        time.sleep(0.3)
        c.call("MULTI")
        c.call("SET", "f", "1")
        check("EXEC with an expired watched key", c.call("EXEC"), ABORTED)
        c.call("SET", "marker", "2")
        data = wait_for_aof(path, resp("SET", "marker", "2"))
        if resp("SET", "f", "1") in data:
            failures.append("the aborted transaction's SET reached the AOF")
        if failures:
            print(data.decode("utf-8", "replace"))
    finally:
        c.close()


def main():
    redis_binary = shutil.which("redis-server")
    if not redis_binary:
        print("redis-server not found (scripts/install-deps.sh installs it)")
        return 1
    _, _, config_dir = default_paths()
    probe = os.path.join(os.environ.get("DBLITE_TEST_MODULE_PATH", ""), "txnprobe.so")
    if not os.path.exists(probe):
        print("%s not built (DBLITE_TEST_MODULE_PATH names the test modules)" % probe)
        return 1
    server = CompatServer(os.path.join(config_dir, "dblite-compat.ini"),
                          ["--persistence.appendonly", "yes", "--load-module", probe]).start()
    redis = ServerProcess("redis", redis_binary)
    try:
        redis.start()
        test_write_paths(server.redis_port, redis.port)
        test_command_stats(server.redis_port, redis.port)
        test_file_restore_loads(server)
        test_client_gone(server.redis_port)
        test_handler_sees_the_transaction(server.redis_port)
        test_client_list(server.redis_port)
        test_client_list(redis.port)  # the same expectations hold for Redis
        test_propagation(server)
    finally:
        server.stop()
        server.remove_dir()
        redis.stop()
    for failure in failures:
        print("FAIL", failure)
    print("%d cases, %d failure(s)" % (len(CASES), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
