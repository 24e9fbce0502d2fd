#!/usr/bin/env python3
# test_hyperloglog.py - hyperloglog.so against a stock redis-server over
# real sockets: 1M elements counted on both servers (PFCOUNT and the HLL's
# bytes must be equal), HLL bytes moved between the servers with GET and
# SET (each counts what the other wrote), the hll-sparse-max-bytes setting,
# a fuzz-ish pass of seeded random mutations of a valid sparse and a valid
# dense HLL (every reply compared with redis-server's, and the server must
# stay up), PFCOUNT's cache update replayed from the append-only log, and
# dblite without strings.so (a clear error, no crash).
# Exits 1 on any failure.

import os
import random
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "diff"))

import raw_client  # noqa: E402
from raw_client import Client, check, failures  # noqa: E402
from server_runner import ServerProcess  # noqa: E402

HLL_HDR_SIZE = 16
NO_STRINGS = b"-ERR HyperLogLog commands need the strings module, which is not loaded\r\n"


def paths():
    source = os.environ.get("DBLITE_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
    binary = os.environ.get("DBLITE_SERVER") or os.path.join(source, "build", "dblite-server")
    modules = os.environ.get("DBLITE_MODULE_PATH") or os.path.join(os.path.dirname(binary), "modules")
    config = os.path.join(os.environ.get("DBLITE_CONFIG_DIR") or os.path.join(source, "config"),
                          "dblite.ini")
    return binary, modules, config


def bulk(reply):
    """The payload of a bulk string reply (None for a null)."""
    if reply.startswith(b"$-1") or reply.startswith(b"_"):
        return None
    assert reply.startswith(b"$"), reply[:80]
    header_end = reply.index(b"\r\n")
    length = int(reply[1:header_end])
    return reply[header_end + 2:header_end + 2 + length]


def pipeline(client, commands, window=64):
    """Sends commands with at most window outstanding; returns the replies."""
    replies = []
    for start in range(0, len(commands), window):
        chunk = commands[start:start + window]
        for command in chunk:
            client.send(*command)
        replies += [client.read() for _ in chunk]
    return replies


def both(clients, *command):
    return [client.call(*command) for client in clients]


def same(clients, what, *command):
    replies = both(clients, *command)
    check(replies[0] == replies[1], "%s: redis %r, dblite %r" % (what, replies[0][:200], replies[1][:200]))
    return replies


def test_million(clients):
    batch = 1000
    commands = [["PFADD", "big"] + ["element:%d" % i for i in range(start, start + batch)]
                for start in range(0, 1000000, batch)]
    results = [pipeline(client, commands) for client in clients]
    check(results[0] == results[1], "PFADD replies of the 1M run differ")
    counts = same(clients, "PFCOUNT of 1M elements", "PFCOUNT", "big")
    print("1M elements: PFCOUNT redis %r dblite %r" % (counts[0], counts[1]))
    same(clients, "GET of the 1M-element HLL", "GET", "big")
    same(clients, "PFDEBUG ENCODING of the 1M HLL", "PFDEBUG", "ENCODING", "big")
    # one element at a time, to a second key: the single-element path
    commands = [["PFADD", "small", "item:%d" % i] for i in range(20000)]
    results = [pipeline(client, commands) for client in clients]
    check(results[0] == results[1], "single-element PFADD replies differ")
    same(clients, "PFCOUNT of 20000 single adds", "PFCOUNT", "small")
    same(clients, "GET of 20000 single adds", "GET", "small")
    same(clients, "PFCOUNT union", "PFCOUNT", "big", "small")
    same(clients, "PFMERGE", "PFMERGE", "merged", "big", "small")
    same(clients, "GET merged", "GET", "merged")


def test_transfer(clients):
    redis, dblite = clients
    for key, elements in (("dense", 50000), ("sparse", 300)):
        for client in clients:
            pipeline(client, [["PFADD", key] + ["t:%s:%d" % (key, i) for i in range(s, min(elements, s + 1000))]
                              for s in range(0, elements, 1000)])
        for source, target, name in ((redis, dblite, "redis to dblite"), (dblite, redis, "dblite to redis")):
            data = bulk(source.call("GET", key))
            check(data is not None and data.startswith(b"HYLL"), "%s %s: GET is no HLL" % (name, key))
            target.call("SET", "moved-" + key, data)
            expected = source.call("PFCOUNT", key)
            got = target.call("PFCOUNT", "moved-" + key)
            check(got == expected, "%s %s: PFCOUNT %r, expected %r" % (name, key, got, expected))
            added = [target.call("PFADD", "moved-" + key, "extra:%d" % i) for i in range(100)]
            source_added = [source.call("PFADD", key + "-copy-check", "x")]  # keep both busy
            del source_added
            check(all(a in (b":1\r\n", b":0\r\n") for a in added), "%s %s: PFADD after SET" % (name, key))
        same(clients, "moved %s counts the same" % key, "PFCOUNT", "moved-" + key)
        same(clients, "moved %s bytes" % key, "GET", "moved-" + key)


def test_sparse_max_bytes(clients):
    redis, dblite = clients
    check(redis.call("CONFIG", "SET", "hll-sparse-max-bytes", "40") == b"+OK\r\n", "redis CONFIG SET")
    check(dblite.call("CONFIG", "SET", "hyperloglog.hll-sparse-max-bytes", "40") == b"+OK\r\n",
          "dblite CONFIG SET hyperloglog.hll-sparse-max-bytes")
    check(dblite.call("CONFIG", "GET", "hyperloglog.hll-sparse-max-bytes") ==
          b"*2\r\n$32\r\nhyperloglog.hll-sparse-max-bytes\r\n$2\r\n40\r\n", "dblite CONFIG GET")
    for i in range(12):
        same(clients, "PFADD under a 40-byte limit", "PFADD", "limited", "l%d" % i)
        same(clients, "encoding under a 40-byte limit", "PFDEBUG", "ENCODING", "limited")
    same(clients, "GET under a 40-byte limit", "GET", "limited")
    redis.call("CONFIG", "SET", "hll-sparse-max-bytes", "3000")
    dblite.call("CONFIG", "SET", "hyperloglog.hll-sparse-max-bytes", "3000")


def sparse_ends_in_cut_xzero(data):
    """True when the last sparse opcode is an XZERO missing its second byte:
    Redis then keeps a byte past the string's end (see hyperloglog.txt)."""
    if len(data) <= HLL_HDR_SIZE or data[4] != 1:
        return False
    position = HLL_HDR_SIZE
    while position < len(data):
        if data[position] & 0xc0 == 0x40:
            if position == len(data) - 1:
                return True
            position += 2
        else:
            position += 1
    return False


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(6)
        if kind == 0 and len(data) > HLL_HDR_SIZE:  # a body byte
            data[rng.randrange(HLL_HDR_SIZE, len(data))] = rng.randrange(256)
        elif kind == 1:  # a header byte past the magic (encoding, cache)
            data[rng.randrange(4, HLL_HDR_SIZE)] = rng.randrange(256)
        elif kind == 2 and len(data) > HLL_HDR_SIZE:  # truncate
            del data[rng.randrange(HLL_HDR_SIZE, len(data)):]
        elif kind == 3:  # append
            data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 6)))
        elif kind == 4:  # drop the cached cardinality
            data[15] |= 0x80
        elif kind == 5 and len(data) > HLL_HDR_SIZE + 2:  # remove a run
            start = rng.randrange(HLL_HDR_SIZE, len(data) - 1)
            del data[start:start + rng.randint(1, 2)]
    return bytes(data)


def test_fuzz(clients, seeds=800):
    redis, dblite = clients
    for client in clients:
        client.call("PFADD", "fuzz-sparse", *["f%d" % i for i in range(150)])
        client.call("PFADD", "fuzz-dense", *["g%d" % i for i in range(3000)])
        client.call("PFDEBUG", "TODENSE", "fuzz-dense")
    originals = [bulk(redis.call("GET", key)) for key in ("fuzz-sparse", "fuzz-dense")]
    check(originals == [bulk(dblite.call("GET", key)) for key in ("fuzz-sparse", "fuzz-dense")],
          "fuzz seeds differ between the servers")
    rng = random.Random(20261208)
    compared = 0
    for original in originals:
        for _ in range(seeds):
            data = mutate(rng, original)
            cut = sparse_ends_in_cut_xzero(data)
            steps = [["PFCOUNT", "z"], ["PFCOUNT", "z", "fuzz-sparse"], ["PFMERGE", "zd", "z"],
                     ["GET", "zd"], ["PFDEBUG", "DECODE", "z"], ["PFADD", "z", "a", "b", "c"],
                     ["GET", "z"]]
            if not cut:
                steps += [["PFCOUNT", "z"], ["PFDEBUG", "GETREG", "z"], ["PFMERGE", "z", "fuzz-dense"],
                          ["GET", "z"], ["PFCOUNT", "z"]]
            for client in clients:
                client.call("DEL", "z", "zd")
                client.call("SET", "z", data)
            for step in steps:
                replies = both(clients, *step)
                compared += 1
                if replies[0] != replies[1]:
                    check(False, "fuzz %r: %s: redis %r, dblite %r" % (data, " ".join(step),
                                                                     replies[0][:120], replies[1][:120]))
                    break
            check(dblite.call("PING") == b"+PONG\r\n", "dblite answers after fuzz input %r" % data)
    print("fuzz: %d replies compared" % compared)


def test_log_replay(binary, modules, config):
    """PFCOUNT stores the cached cardinality: the append-only log must
    replay to the same bytes (and keep the TTL)."""
    aof = ["--persistence.appendonly", "yes", "--persistence.appendfsync", "always"]
    first = ServerProcess("dblite-aof", binary, config=config, module_path=modules, extra_args=aof)
    second = ServerProcess("dblite-aof2", binary, config=config, module_path=modules, extra_args=aof)
    try:
        first.start()
        client = Client(first)
        client.call("PFADD", "h", *["r%d" % i for i in range(500)])
        client.call("EXPIRE", "h", "100000")
        count = client.call("PFCOUNT", "h")
        expected = client.call("GET", "h")
        check(bulk(expected)[15] & 0x80 == 0, "PFCOUNT stored a valid cache")
        log_path = os.path.join(first.dir, "appendonly.aof")
        raw_client.poll(lambda: os.path.exists(log_path) and b"SETRANGE" in open(log_path, "rb").read(),
                        "the cache update reaches the log")
        client.close()
        shutil.copy(log_path, os.path.join(second.dir, "appendonly.aof"))
        second.start()
        replayed = Client(second)
        check(replayed.call("GET", "h") == expected, "the log replays the HLL's bytes")
        check(replayed.call("PFCOUNT", "h") == count, "the replayed HLL counts the same")
        ttl = replayed.call("TTL", "h")
        check(ttl.startswith(b":") and int(ttl[1:-2]) > 0, "the replayed HLL keeps its TTL: %r" % ttl)
        replayed.close()
    finally:
        first.stop()
        second.stop()


def test_without_strings(binary, modules):
    directory = tempfile.mkdtemp(prefix="dblite-hll-")
    config = os.path.join(directory, "no-strings.ini")
    with open(config, "w") as out:
        out.write("[server]\nbind = 127.0.0.1\n\n[modules]\nload = hyperloglog\nload = lists\n")
    server = ServerProcess("dblite-no-strings", binary, config=config, module_path=modules)
    try:
        server.start()
        client = Client(server)
        client.call("RPUSH", "list", "a")
        for command in (["PFADD", "h", "a"], ["PFCOUNT", "h"], ["PFCOUNT", "h", "list"],
                        ["PFMERGE", "d", "h"], ["PFDEBUG", "GETREG", "h"], ["PFADD", "list", "x"]):
            got = client.call(*command)
            check(got == NO_STRINGS, "without strings, %s: %r" % (" ".join(command), got))
        check(client.call("PFSELFTEST") == b"+OK\r\n", "PFSELFTEST without strings")
        check(client.call("PING") == b"+PONG\r\n", "alive without strings")
        client.close()
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


def main():
    redis_binary = shutil.which("redis-server")
    if redis_binary is None:
        print("redis-server not found (scripts/install-deps.sh installs it)")
        return 1
    binary, modules, config = paths()
    servers = [ServerProcess("redis", redis_binary),
               ServerProcess("dblite", binary, config=config, module_path=modules)]
    try:
        for server in servers:
            server.start()
        clients = [Client(server) for server in servers]
        same(clients, "PFSELFTEST", "PFSELFTEST")
        test_million(clients)
        test_transfer(clients)
        test_sparse_max_bytes(clients)
        test_fuzz(clients)
        check(servers[1].alive(), "dblite still running")
    finally:
        for server in servers:
            server.stop()
    test_log_replay(binary, modules, config)
    test_without_strings(binary, modules)
    if raw_client.failures:
        print("%d failures" % len(failures))
        return 1
    print("test_hyperloglog: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
