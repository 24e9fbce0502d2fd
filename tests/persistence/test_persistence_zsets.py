#!/usr/bin/env python3
# test_persistence_zsets.py - sorted sets kept exactly as Redis 7.0 keeps
# them, checked against a stock redis-server as the oracle.
#
# The same sets are built in redis-server with ZADD (packed ones, skiplists,
# wide members, special scores, integer-looking members, TTLs, several
# databases); then, with rdbcompression off on the Redis side so payloads
# are comparable byte for byte:
#   - each Redis DUMP is RESTOREd into dblite, whose DUMP must be the same
#     bytes (type 17 listpack or type 5, scores to the last bit) with the
#     same OBJECT ENCODING;
#   - Redis's dump.rdb (compressed and not) loads in dblite at startup;
#   - dblite's SAVE, BGSAVE and final save at SHUTDOWN (and SIGTERM) pass
#     redis-check-rdb and load in redis-server with the same contents;
#   - payloads of the older forms Redis still reads (type 12 ziplist, type 3
#     string scores) give the same sets in both servers;
#   - corrupt payloads and files give a clear error, never a crash;
#   - the append-only file: kill -9 and restart, BGREWRITEAOF and restart,
#     the rewritten log replayed by redis-server, and Redis's log with an
#     RDB preamble holding sorted sets loaded by dblite;
#   - big packed sets under raised limits (30000 members), wide members
#     (12- and 32-bit listpack string headers).
# Standard library only.  Exits 1 on the first failed phase, after printing
# what differed.

import math
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("DBLITE_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
BINARY = os.environ.get("DBLITE_SERVER") or os.path.join(ROOT, "build", "dblite-server")
MODULE_PATH = os.environ.get("DBLITE_MODULE_PATH") or os.path.join(
    os.path.dirname(BINARY), "modules")
START_TIMEOUT = 20.0

failures = []


# ---- RESP ----

class ReplyError(Exception):
    pass


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.buffer = b""

    def close(self):
        self.sock.close()

    def _line(self):
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _exactly(self, count):
        while len(self.buffer) < count + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count + 2:]
        return data

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            return ReplyError(rest.decode("latin-1"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            length = int(rest)
            return None if length < 0 else self._exactly(length)
        if kind == b"*":
            count = int(rest)
            return None if count < 0 else [self._reply() for _ in range(count)]
        raise ConnectionError("unexpected reply %r" % line)

    def send(self, *arguments):
        out = [b"*%d\r\n" % len(arguments)]
        for argument in arguments:
            data = argument if isinstance(argument, bytes) else str(argument).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(data), data))
        self.sock.sendall(b"".join(out))

    def call(self, *arguments):
        """The reply; an error reply comes back as a ReplyError value."""
        self.send(*arguments)
        return self._reply()

    def ok(self, *arguments):
        """The reply of a command that must not fail."""
        reply = self.call(*arguments)
        if isinstance(reply, ReplyError):
            raise ReplyError("%r: %s" % (arguments[:3], reply))
        return reply

    def pipeline(self, commands):
        for command in commands:
            self.send(*command)
        replies = [self._reply() for _ in commands]
        for command, reply in zip(commands, replies):
            if isinstance(reply, ReplyError):
                raise ReplyError("%r: %s" % (command[:3], reply))
        return replies


# ---- CRC-64 (Jones, reflected), as Redis's crc64 ----

def _crc_table():
    poly = 0x95AC9329AC4BC9B5
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)
    return table


CRC_TABLE = _crc_table()


def crc64(data, crc=0):
    for byte in data:
        crc = CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc


def dump_payload(body, version=10):
    """A DUMP payload: body, the RDB version, the CRC-64 of both."""
    data = body + struct.pack("<H", version)
    return data + struct.pack("<Q", crc64(data))


# ---- servers ----

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers_ping(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.settimeout(0.5)
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            return sock.recv(64) == b"+PONG\r\n"
    except OSError:
        return False


def module_available(name):
    return os.path.exists(os.path.join(MODULE_PATH, name + ".so"))


class Server:
    """redis-server or dblite-server in dir on a free port."""

    def __init__(self, kind, dir, extra=()):
        self.kind, self.dir, self.extra = kind, dir, list(extra)
        self.process = None
        self.port = None
        self.log_path = os.path.join(dir, kind + ".log")

    def command(self):
        if self.kind == "redis":
            return ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
                    self.dir, "--save", "", "--appendonly", "no", "--daemonize", "no",
                    "--rdbcompression", "no"] + self.extra
        config = os.path.join(self.dir, "dblite.ini")
        with open(config, "w") as out:
            out.write("[server]\nbind = 127.0.0.1\ndatabases = 16\n\n[modules]\n")
            for name in ("strings", "expiry", "lists", "hashes", "sets", "zsets"):
                if module_available(name):
                    out.write("load = %s\n" % name)
            out.write("load = persistence\n")
        return [BINARY, config, "--port", str(self.port), "--dir", self.dir, "--module-path",
                MODULE_PATH, "--persistence.save", ""] + self.extra

    def start(self, expect_failure=False):
        for _ in range(5):
            self.port = free_port()
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                                stdout=log, stderr=subprocess.STDOUT,
                                                cwd=self.dir)
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    break
                if answers_ping(self.port):
                    return self
                time.sleep(0.02)
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            if expect_failure or "already in use" not in self.log_tail().lower():
                break
        if expect_failure:
            return None
        raise RuntimeError("%s did not start in %s:\n%s" % (self.kind, self.dir, self.log_tail()))

    def client(self):
        return Client(self.port)

    def log_tail(self, size=4000):
        try:
            with open(self.log_path, "rb") as log:
                return log.read()[-size:].decode("latin-1")
        except OSError:
            return ""

    def wait_exit(self, timeout=30):
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        try:
            client = self.client()
            client.send("SHUTDOWN", "NOSAVE")
            client.close()
        except OSError:
            pass
        if self.wait_exit(30) is None:
            failures.append("%s did not exit on SHUTDOWN NOSAVE" % self.kind)

    def kill9(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()


# ---- the dataset ----

BINARY_MEMBER = bytes(range(256))[::7] + b"\x00\xff"
INTEGER_MEMBERS = ["0", "1", "-1", "127", "128", "-128", "4095", "4096", "-4096", "-4097",
                   "32767", "32768", "-32769", "8388607", "8388608", "-8388609", "2147483647",
                   "2147483648", "-2147483649", "9223372036854775807", "-9223372036854775808",
                   "9223372036854775808", "007", "-0", "+1", " 1", "1 ", "12a", "1e3", ""]
SPECIAL_SCORES = ["inf", "-inf", "0.1", "1e-300", "-0", "0", "5e-324", "2.2250738585072014e-308",
                  "1e300", "-1e300", "4503599627370495", "4503599627370496",
                  "4503599627370497", "9007199254740993", "4611686018427387904",
                  "4611686018427388928", "-4611686018427387904", "-4611686018427388928",
                  "9.2233720368547758e+18", "1e19", "1.5", "-2.5", "0.3333333333333333",
                  "123456789.123", "-0.0000001", "127", "128", "-4097", "70000", "-70000",
                  "2147483648", "1e17", "1e16", "99999999999999999"]


def fill(client, big_members=300):
    """ZADDs the test sets (the same on both servers)."""
    commands = []
    commands.append(["ZADD", "z:small", "1", "a", "2.5", "b", "-3", "c", "0", "d", "1", "aa"])
    members = []
    for i, name in enumerate(INTEGER_MEMBERS):
        members += [str(i * 37 - 500), name]
    commands.append(["ZADD", "z:ints"] + members)
    members = []
    for i, score in enumerate(SPECIAL_SCORES):
        members += [score, "m%d" % i]
    commands.append(["ZADD", "z:scores"] + members)
    commands.append(["ZADD", "z:ties", "5", "b", "5", "a", "5", "ab", "5", "", "5", "\xff",
                     "-0", "zero-neg", "0", "zero"])
    commands.append(["ZADD", "z:binary", "1", BINARY_MEMBER, "2", b"x" * 64, "3", b"\x00"])
    commands.append(["ZADD", "z:long-member", "1", "short", "2", b"y" * 65])
    members = []
    for i in range(big_members):
        members += [str((i * 7919) % 101 - 50 + (0.25 if i % 3 == 0 else 0)), "member-%d" % i]
    commands.append(["ZADD", "z:big"] + members)
    members = []
    for i in range(128):
        members += [str(i), "e%d" % i]
    commands.append(["ZADD", "z:128"] + members)
    commands.append(["ZADD", "z:129"] + members + ["128", "e128"])
    members = []
    for i, score in enumerate(SPECIAL_SCORES * 5):
        members += [score, "s%d" % i]
    commands.append(["ZADD", "z:big-scores"] + members)
    commands.append(["ZADD", "z:ttl", "1", "x", "2", "y"])
    commands.append(["PEXPIRE", "z:ttl", "86400000"])
    commands.append(["ZADD", "z:one", "42", "only"])
    commands.append(["SET", "plain", "string"])
    client.pipeline(commands)
    client.ok("SELECT", "3")
    client.ok("ZADD", "z:db3", "1", "x", "-inf", "y", "inf", "z")
    client.ok("SELECT", "0")


def fill_wide(client):
    """Members past the default value limit (12- and 32-bit listpack
    string headers when zset-max-listpack-value allows them)."""
    client.ok("ZADD", "z:wide", "1", b"w" * 100, "2", b"v" * 5000, "3", b"u" * 4095,
              "4", b"t" * 4096, "5", b"s" * 63, "6", b"r" * 64, "-1.5", "short")


def canonical_int(text):
    """The integer lpAppend stores text as, or None (string2ll's rules)."""
    digits = text[1:] if text[:1] == b"-" else text
    if not digits.isdigit() or len(text) > 20 or str(int(text)).encode() != text:
        return None
    value = int(text)
    return value if -(1 << 63) <= value < (1 << 63) else None


def score_text(score):
    """The score as Redis 7.0's zzlInsertAt stores it in a listpack."""
    if score == math.inf:
        return b"inf"
    if score == -math.inf:
        return b"-inf"
    if score == int(score) and abs(score) <= (1 << 62):
        return str(int(score)).encode()
    return (b"%.17g" % score)


def canonical_listpack(pairs):
    """The listpack lpAppend builds for member, score pairs (bytes, float)."""
    parts = []
    for member, score in pairs:
        for element in (member, score_text(score)):
            value = canonical_int(element)
            if value is None:
                n = len(element)
                header = (bytes([0x80 | n]) if n < 64 else
                          bytes([0xE0 | (n >> 8), n & 0xFF]) if n < 4096 else
                          b"\xf0" + struct.pack("<I", n))
                encoded = header + element
            elif 0 <= value <= 127:
                encoded = bytes([value])
            elif -4096 <= value <= 4095:
                bits = value & 0x1FFF
                encoded = bytes([0xC0 | (bits >> 8), bits & 0xFF])
            elif -32768 <= value <= 32767:
                encoded = b"\xf1" + struct.pack("<h", value)
            elif -(1 << 23) <= value < (1 << 23):
                encoded = b"\xf2" + struct.pack("<i", value)[:3]
            elif -(1 << 31) <= value < (1 << 31):
                encoded = b"\xf3" + struct.pack("<i", value)
            else:
                encoded = b"\xf4" + struct.pack("<q", value)
            n = len(encoded)
            size = 1 if n <= 127 else 2 if n < 16383 else 3 if n < 2097151 else 4
            back = bytes([((n >> (7 * (size - 1 - i))) & 127) | (128 if i else 0)
                          for i in range(size)])
            parts.append(encoded + back)
    body = b"".join(parts)
    return struct.pack("<IH", 6 + len(body) + 1, min(len(parts), 0xFFFF)) + body + b"\xff"


def long_pairs(count):
    pairs = [((b"%d" % i) if i % 2 else b"member-%d" % i,
              [i % 977 * 1.25, -i * 1000003.0, i / 7.0, float(i << 40)][i % 4])
             for i in range(count)]
    return sorted(pairs, key=lambda pair: (pair[1], pair[0]))


def fill_long(client):
    """Big packed sets under a raised zset-max-listpack-entries: one built
    by ZADD, which checks the test's own listpack builder against Redis's,
    and one RESTOREd from that builder (Redis's ZADD into a listpack is
    quadratic), of 30000 members."""
    pairs = long_pairs(400)
    arguments = []
    for member, score in pairs:
        arguments += [repr(score), member]
    client.ok("ZADD", "z:built", *arguments)
    payload = dump_payload(b"\x11" + rdb_string(canonical_listpack(pairs)))
    if client.ok("DUMP", "z:built") != payload:
        failures.append("the test's listpack builder does not build what Redis builds")
    client.ok("RESTORE", "z:long", "0",
              dump_payload(b"\x11" + rdb_string(canonical_listpack(long_pairs(30000)))))


def describe(client):
    """Every key of databases 0..15: type, encoding, DUMP, PEXPIRETIME."""
    result = {}
    for db in range(16):
        client.ok("SELECT", str(db))
        for key in sorted(client.ok("KEYS", "*")):
            kind = client.ok("TYPE", key)
            encoding = client.ok("OBJECT", "ENCODING", key)
            dump = client.ok("DUMP", key)
            deadline = client.ok("PEXPIRETIME", key)
            if deadline > 0:
                deadline = "set"
            result[(db, key)] = (kind, encoding, dump, deadline)
    client.ok("SELECT", "0")
    return result


def show(data, limit=200):
    return repr(data[:limit]) + ("..." if len(data) > limit else "")


def zset2_pairs(payload):
    """The (member, score bits) of a type-5 DUMP payload (uncompressed)."""
    position = 1

    def length():
        nonlocal position
        first = payload[position]
        if first >> 6 == 0:
            position += 1
            return first & 63
        if first >> 6 == 1:
            position += 2
            return ((first & 63) << 8) | payload[position - 1]
        if first == 0x80:
            position += 5
            return struct.unpack(">I", payload[position - 4:position])[0]
        raise ValueError("length form 0x%02x" % first)

    def string():
        nonlocal position
        first = payload[position]
        if first >> 6 == 3:
            width = {0: 1, 1: 2, 2: 4}[first & 63]
            position += 1 + width
            return str(int.from_bytes(payload[position - width:position], "little",
                                      signed=True)).encode()
        size = length()
        position += size
        return payload[position - size:position]

    pairs = []
    for _ in range(length()):
        member = string()
        position += 8
        pairs.append((member, payload[position - 8:position]))
    return pairs


NEGATIVE_ZERO = struct.pack("<d", -0.0)
POSITIVE_ZERO = struct.pack("<d", 0.0)


def only_negative_zeros_lost(expected, actual):
    """Whether two type-5 payloads differ only in -0 scores that became 0."""
    if expected[:1] != b"\x05" or actual[:1] != b"\x05":
        return False
    pairs_expected, pairs_actual = zset2_pairs(expected), zset2_pairs(actual)
    if sorted(m for m, _ in pairs_expected) != sorted(m for m, _ in pairs_actual):
        return False
    scores = dict(pairs_actual)
    return all(scores[m] == bits or (bits == NEGATIVE_ZERO and scores[m] == POSITIVE_ZERO)
               for m, bits in pairs_expected)


def compare(phase, expected, actual, compare_dump=True, negative_zero_may_go=False):
    """expected/actual as describe() gives them.  compare_dump: the
    payloads must be the same bytes (both uncompressed).
    negative_zero_may_go: a -0 score of a skiplist may have become 0 (a log
    rewrite replays ZADDs, and a member added while the set is still packed
    keeps 0, as in Redis, whose rewrite does the same)."""
    ok = True
    for key in sorted(set(expected) | set(actual)):
        if key not in actual:
            failures.append("%s: key %r missing" % (phase, key))
            ok = False
            continue
        if key not in expected:
            failures.append("%s: unexpected key %r" % (phase, key))
            ok = False
            continue
        e, a = expected[key], actual[key]
        if e[0] != a[0] or e[1] != a[1] or e[3] != a[3]:
            failures.append("%s: %r is %r, expected %r" % (phase, key, a[:2] + a[3:],
                                                          e[:2] + e[3:]))
            ok = False
        elif negative_zero_may_go and e[2] != a[2] and only_negative_zeros_lost(e[2], a[2]):
            print("note: %s: %r lost -0 scores to 0, as a Redis rewrite may" % (phase, key))
        elif compare_dump and e[2] != a[2]:
            failures.append("%s: DUMP of %r differs\n  expected %s\n  actual   %s" %
                            (phase, key, show(e[2]), show(a[2])))
            ok = False
    return ok


def restore_all(client, description):
    for (db, key), (kind, encoding, dump, deadline) in sorted(description.items()):
        client.ok("SELECT", str(db))
        ttl = "86400000" if deadline == "set" else "0"
        client.ok("RESTORE", key, ttl, dump, "REPLACE")
    client.ok("SELECT", "0")


def check_rdb(path, phase):
    result = subprocess.run(["redis-check-rdb", path], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    text = result.stdout.decode("latin-1")
    if result.returncode != 0 or "RDB looks OK" not in text:
        failures.append("%s: redis-check-rdb refuses %s:\n%s" % (phase, path, text[-2000:]))
        return False
    return True


def wait_info(client, field, value, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = client.ok("INFO", "persistence").decode()
        if "%s:%s\r" % (field, value) in info:
            return True
        time.sleep(0.05)
    failures.append("INFO persistence %s never became %s" % (field, value))
    return False


class Workspace:
    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="dblite-zsets-persist-")
        self.servers = []
        self.count = 0

    def dir(self, name):
        self.count += 1
        path = os.path.join(self.root, "%02d-%s" % (self.count, name))
        os.makedirs(path)
        return path

    def start(self, kind, dir, extra=()):
        server = Server(kind, dir, extra)
        self.servers.append(server)
        return server.start()

    def cleanup(self, keep):
        for server in self.servers:
            server.stop()
        if not keep:
            shutil.rmtree(self.root, ignore_errors=True)
        else:
            print("files kept in %s" % self.root)


# ---- phases ----

def round_trips(ws, phase, redis_extra, dblite_extra, filler):
    """DUMP/RESTORE both ways and dump.rdb both ways under one encoding
    setup."""
    redis = ws.start("redis", ws.dir(phase + "-redis"), redis_extra)
    client = redis.client()
    filler(client)
    expected = describe(client)

    # Redis's DUMP -> dblite RESTORE -> dblite's DUMP.
    dblite = ws.start("dblite", ws.dir(phase + "-restore"), dblite_extra)
    dclient = dblite.client()
    restore_all(dclient, expected)
    compare(phase + " RESTORE into dblite", expected, describe(dclient))

    # dblite's DUMP -> Redis RESTORE.
    mine = describe(dclient)
    redis2 = ws.start("redis", ws.dir(phase + "-redis-restore"), redis_extra)
    rclient2 = redis2.client()
    restore_all(rclient2, mine)
    compare(phase + " dblite DUMP into Redis", expected, describe(rclient2))
    redis2.stop()

    # dblite SAVE -> redis-check-rdb -> redis-server loads it.
    dclient.ok("SAVE")
    saved = os.path.join(dblite.dir, "dump.rdb")
    check_rdb(saved, phase + " dblite SAVE")
    load_dir = ws.dir(phase + "-redis-load")
    shutil.copy(saved, os.path.join(load_dir, "dump.rdb"))
    redis3 = ws.start("redis", load_dir, redis_extra)
    compare(phase + " dblite's file in Redis", expected, describe(redis3.client()))
    redis3.stop()
    dblite.stop()

    # Redis's file (uncompressed, then compressed) -> dblite at startup.
    client.ok("SAVE")
    for compressed in (False, True):
        name = "compressed" if compressed else "plain"
        load_dir = ws.dir(phase + "-dblite-load-" + name)
        if compressed:
            client.ok("CONFIG", "SET", "rdbcompression", "yes")
            client.ok("SAVE")
        shutil.copy(os.path.join(redis.dir, "dump.rdb"), os.path.join(load_dir, "dump.rdb"))
        loaded = ws.start("dblite", load_dir, dblite_extra)
        compare("%s Redis's %s file in dblite" % (phase, name), expected,
                describe(loaded.client()))
        loaded.stop()
    redis.stop()
    return expected


def ziplist(entries):
    """A ziplist of entries (bytes or int), as Redis before 7.0 wrote one."""
    body = b""
    offsets = []
    previous = 0
    for entry in entries:
        start = len(body)
        header = bytes([previous]) if previous < 254 else b"\xfe" + struct.pack("<I", previous)
        if isinstance(entry, int):
            if 0 <= entry <= 12:
                encoded = bytes([0xF1 + entry])
            elif -128 <= entry <= 127:
                encoded = b"\xfe" + struct.pack("<b", entry)
            elif -32768 <= entry <= 32767:
                encoded = b"\xc0" + struct.pack("<h", entry)
            elif -(1 << 23) <= entry < (1 << 23):
                encoded = b"\xf0" + struct.pack("<i", entry)[:3]
            elif -(1 << 31) <= entry < (1 << 31):
                encoded = b"\xd0" + struct.pack("<i", entry)
            else:
                encoded = b"\xe0" + struct.pack("<q", entry)
        elif len(entry) < 64:
            encoded = bytes([len(entry)]) + entry
        elif len(entry) < 16384:
            encoded = struct.pack(">H", 0x4000 | len(entry)) + entry
        else:
            encoded = b"\x80" + struct.pack(">I", len(entry)) + entry
        body += header + encoded
        offsets.append(start)
        previous = len(header) + len(encoded)
    total = 10 + len(body) + 1
    tail = 10 + (offsets[-1] if offsets else 0)
    return struct.pack("<IIH", total, tail, min(len(entries), 0xFFFF)) + body + b"\xff"


def listpack(entries):
    """A listpack of string entries (bytes) and integers, every integer in
    the 64-bit form (any valid form must load)."""
    body = b""
    for entry in entries:
        if isinstance(entry, int):
            encoded = b"\xf4" + struct.pack("<q", entry)
        elif len(entry) < 64:
            encoded = bytes([0x80 | len(entry)]) + entry
        else:
            encoded = bytes([0xE0 | (len(entry) >> 8), len(entry) & 0xFF]) + entry
        length = len(encoded)
        back = bytes([length]) if length <= 127 else bytes([length >> 7, (length & 127) | 128])
        body += encoded + back
    return struct.pack("<IH", 6 + len(body) + 1, min(len(entries), 0xFFFF)) + body + b"\xff"


def rdb_string(data):
    if len(data) < 64:
        return bytes([len(data)]) + data
    if len(data) < 16384:
        return struct.pack(">H", 0x4000 | len(data)) + data
    return b"\x80" + struct.pack(">I", len(data)) + data


def rdb_length(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return struct.pack(">H", 0x4000 | n)
    return b"\x80" + struct.pack(">I", n)


def text_double(value):
    if value == "nan":
        return b"\xfd"
    if value == "inf":
        return b"\xfe"
    if value == "-inf":
        return b"\xff"
    return rdb_string(value.encode())


def old_forms(ws):
    """Types 12 (ziplist) and 3 (string scores), and a listpack with every
    integer in 64 bits: RESTOREd into dblite, each must give the set that
    ZADD builds in Redis (Redis keeps such payloads as they came, dblite
    writes them as Redis writes a set it built)."""
    ziplist_pairs = [(b"f", b"-inf"), (b"h", -200), (b"12", -7), (b"g", b"0.1"), (b"a", 1),
                     (b"b", b"1.5"), (b"d", 70000), (b"e", 1 << 40), (b"c", b"inf")]
    zset_pairs = [(b"a", "1.5"), (b"b", "inf"), (b"c", "-inf"), (b"d", "1e-300"), (b"e", "-3")]
    listpack_pairs = [(-70000, 5), (b"a", 1), (b"c", b"2.5"), (b"b", 300)]
    big_pairs = [(b"k%d" % i, str(i * 0.5)) for i in range(200)]

    def text(entry):
        return entry if isinstance(entry, bytes) else str(entry).encode()

    cases = {
        "old:ziplist": (dump_payload(b"\x0c" + rdb_string(ziplist(
            [entry for pair in ziplist_pairs for entry in pair]))), ziplist_pairs),
        "old:zset": (dump_payload(b"\x03" + rdb_length(len(zset_pairs)) + b"".join(
            rdb_string(member) + text_double(score) for member, score in zset_pairs)),
            zset_pairs),
        "old:listpack64": (dump_payload(b"\x11" + rdb_string(listpack(
            [entry for pair in listpack_pairs for entry in pair]))), listpack_pairs),
        "old:zset-big": (dump_payload(b"\x03" + rdb_length(len(big_pairs)) + b"".join(
            rdb_string(member) + text_double(score) for member, score in big_pairs)),
            big_pairs),
    }
    redis = ws.start("redis", ws.dir("old-redis"))
    dblite = ws.start("dblite", ws.dir("old-dblite"))
    rclient, dclient = redis.client(), dblite.client()
    for key, (payload, pairs) in cases.items():
        reply = rclient.call("RESTORE", "redis-accepts:" + key, "0", payload)
        if reply != b"OK":
            failures.append("old forms: Redis refuses the test's own %s: %r" % (key, reply))
        arguments = []
        for member, score in pairs:
            arguments += [text(score), text(member)]
        rclient.ok("ZADD", key, *arguments)
        reply = dclient.call("RESTORE", key, "0", payload)
        if reply != b"OK":
            failures.append("old forms: RESTORE %s in dblite: %r" % (key, reply))
    reference = {k: v for k, v in describe(rclient).items()
                 if not k[1].startswith(b"redis-accepts:")}
    compare("old forms", reference, describe(dclient))
    redis.stop()
    dblite.stop()


def corrupt_payloads(ws):
    """Damaged sorted-set payloads (with a good checksum): dblite answers
    Redis's error and stays up, and the key is not created."""
    nan_bits = struct.pack("<d", float("nan"))
    cases = {
        "odd listpack": b"\x11" + rdb_string(listpack([b"a", 1, b"b"])),
        "score not a number": b"\x11" + rdb_string(listpack([b"a", b"abc"])),
        "score with garbage": b"\x11" + rdb_string(listpack([b"a", b"1.5x"])),
        "score with a space": b"\x11" + rdb_string(listpack([b"a", b" 1.5"])),
        "NaN score text": b"\x11" + rdb_string(listpack([b"a", b"nan"])),
        "empty score": b"\x11" + rdb_string(listpack([b"a", b""])),
        "duplicate member": b"\x11" + rdb_string(listpack([b"a", 1, b"a", 2])),
        "empty listpack": b"\x11" + rdb_string(listpack([])),
        "listpack size wrong": b"\x11" + rdb_string(b"\x20\x00\x00\x00" +
                                                  listpack([b"a", 1])[4:]),
        "listpack cut": b"\x11" + rdb_string(listpack([b"a", 1])[:-3]),
        "odd ziplist": b"\x0c" + rdb_string(ziplist([b"a", 1, b"b"])),
        "ziplist bad score": b"\x0c" + rdb_string(ziplist([b"a", b"x1"])),
        "zset2 NaN": b"\x05" + rdb_length(1) + rdb_string(b"a") + nan_bits,
        "zset2 truncated": b"\x05" + rdb_length(3) + rdb_string(b"a") + struct.pack("<d", 1.0),
        "zset2 duplicate": b"\x05" + rdb_length(2) + rdb_string(b"a") + struct.pack("<d", 1.0) +
                           rdb_string(b"a") + struct.pack("<d", 2.0),
        "zset2 empty": b"\x05" + rdb_length(0),
        "zset2 huge count": b"\x05" + b"\x81" + struct.pack(">Q", 1 << 60) + rdb_string(b"a") +
                            struct.pack("<d", 1.0),
        "zset NaN": b"\x03" + rdb_length(1) + rdb_string(b"a") + text_double("nan"),
        "zset bad text": b"\x03" + rdb_length(1) + rdb_string(b"a") + text_double("1.5.2"),
        "zset cut text": b"\x03" + rdb_length(1) + rdb_string(b"a") + b"\x05" + b"1.",
    }
    dblite = ws.start("dblite", ws.dir("corrupt-payloads"))
    client = dblite.client()
    for name, body in cases.items():
        try:
            reply = client.call("RESTORE", "bad", "0", dump_payload(body))
        except (OSError, ConnectionError) as error:
            failures.append("corrupt payload '%s': connection lost (%s)" % (name, error))
            client = dblite.client()
            continue
        if not isinstance(reply, ReplyError) or str(reply) != "ERR Bad data format":
            failures.append("corrupt payload '%s': RESTORE answered %r" % (name, reply))
        if client.call("EXISTS", "bad") != 0:
            failures.append("corrupt payload '%s': the key exists" % name)
            client.call("DEL", "bad")
    if client.call("PING") != b"PONG":
        failures.append("corrupt payloads: the server does not answer")
    dblite.stop()


def rdb_file(body):
    data = b"REDIS0010" + b"\xfe\x00" + body + b"\xff"
    return data + struct.pack("<Q", crc64(data))


def corrupt_files(ws):
    """A file whose sorted set is damaged stops startup with a message
    saying what is wrong, and a normal exit status (no crash)."""
    cases = {
        "odd listpack": (b"\x11" + rdb_string(b"key") + rdb_string(listpack([b"a", 1, b"b"])),
                         "odd number"),
        "bad score": (b"\x11" + rdb_string(b"key") + rdb_string(listpack([b"a", b"zz"])),
                      "not a number"),
        "duplicate": (b"\x05" + rdb_string(b"key") + rdb_length(2) + rdb_string(b"a") +
                      struct.pack("<d", 1.0) + rdb_string(b"a") + struct.pack("<d", 1.0),
                      "duplicate"),
        "NaN": (b"\x05" + rdb_string(b"key") + rdb_length(1) + rdb_string(b"a") +
                struct.pack("<d", float("nan")), "NaN"),
    }
    for name, (body, words) in cases.items():
        dir = ws.dir("corrupt-file")
        with open(os.path.join(dir, "dump.rdb"), "wb") as out:
            out.write(rdb_file(body))
        server = Server("dblite", dir)
        ws.servers.append(server)
        started = server.start(expect_failure=True)
        if started is not None:
            failures.append("corrupt file '%s': dblite started" % name)
            server.stop()
            continue
        status = server.process.returncode
        log = server.log_tail()
        if status is None or status <= 0 or status >= 128:
            failures.append("corrupt file '%s': exit status %r\n%s" % (name, status, log))
        elif words.lower() not in log.lower() or "sorted set" not in log.lower():
            failures.append("corrupt file '%s': the log does not say '%s':\n%s" %
                            (name, words, log))


def snapshots_and_shutdown(ws, expected):
    """BGSAVE, and the final save of SHUTDOWN with save points set."""
    dblite = ws.start("dblite", ws.dir("bgsave"))
    client = dblite.client()
    restore_all(client, expected)
    client.ok("BGSAVE")
    wait_info(client, "rdb_bgsave_in_progress", "0")
    info = client.ok("INFO", "persistence").decode()
    if "rdb_last_bgsave_status:ok" not in info:
        failures.append("BGSAVE with sorted sets failed:\n" + dblite.log_tail())
    path = os.path.join(dblite.dir, "dump.rdb")
    if check_rdb(path, "BGSAVE"):
        load_dir = ws.dir("bgsave-redis")
        shutil.copy(path, os.path.join(load_dir, "dump.rdb"))
        redis = ws.start("redis", load_dir)
        compare("BGSAVE file in Redis", expected, describe(redis.client()))
        redis.stop()
    dblite.stop()

    dir = ws.dir("shutdown")
    dblite = ws.start("dblite", dir, ["--persistence.save", "900 1"])
    client = dblite.client()
    restore_all(client, expected)
    try:
        reply = client.call("SHUTDOWN")
    except (OSError, ConnectionError):
        reply = None  # SHUTDOWN answers nothing when it exits
    if reply is not None:
        failures.append("SHUTDOWN with sorted sets answered %r:\n%s" % (reply, dblite.log_tail()))
    status = dblite.wait_exit(30)
    if status != 0:
        failures.append("SHUTDOWN with sorted sets: exit status %r" % status)
    again = ws.start("dblite", dir)
    compare("restart after SHUTDOWN", expected, describe(again.client()))
    again.stop()

    # SIGTERM saves too when save points are set.
    dir = ws.dir("sigterm")
    dblite = ws.start("dblite", dir, ["--persistence.save", "900 1"])
    restore_all(dblite.client(), expected)
    dblite.process.send_signal(signal.SIGTERM)
    status = dblite.wait_exit(30)
    if status != 0:
        failures.append("SIGTERM with sorted sets: exit status %r" % status)
    again = ws.start("dblite", dir)
    compare("restart after SIGTERM", expected, describe(again.client()))
    again.stop()


def append_only(ws, expected):
    """RESTOREs logged, kill -9, restart; then BGREWRITEAOF (the type's
    rewrite method) and restart; and plain ZADDs when the server has them."""
    dir = ws.dir("aof")
    extra = ["--persistence.appendonly", "yes", "--persistence.appendfsync", "always"]
    dblite = ws.start("dblite", dir, extra)
    client = dblite.client()
    restore_all(client, expected)
    dblite.kill9()
    dblite = ws.start("dblite", dir, extra)
    client = dblite.client()
    compare("AOF replay after kill -9", expected, describe(client))
    has_zadd = isinstance(client.call("COMMAND", "INFO", "zadd"), list) and \
        client.call("COMMAND", "INFO", "zadd")[0] is not None
    client.ok("BGREWRITEAOF")
    wait_info(client, "aof_rewrite_in_progress", "0")
    info = client.ok("INFO", "persistence").decode()
    if "aof_last_bgrewrite_status:ok" not in info:
        failures.append("BGREWRITEAOF with sorted sets failed:\n" + dblite.log_tail())
    if not has_zadd:
        print("note: no ZADD in this build; the rewritten log is not replayed")
        dblite.stop()
        return
    redis = ws.start("redis", ws.dir("aof-redis"))
    rclient = redis.client()
    restore_all(rclient, expected)
    for c in (client, rclient):
        c.ok("ZADD", "z:after", "1.5", "a", "-0", "b", "inf", "c", "1e-300", "d")
        c.ok("ZADD", "z:big", "0.1", "new-member")
        c.ok("ZADD", "z:small", "INCR", "0.1", "a")
    reference = describe(rclient)
    redis.stop()
    dblite.kill9()
    dblite = ws.start("dblite", dir, extra)
    compare("AOF after rewrite and kill -9", reference, describe(dblite.client()),
            negative_zero_may_go=True)
    dblite.stop()
    # The same log replayed by redis-server.
    load_dir = ws.dir("aof-in-redis")
    if os.path.isdir(os.path.join(dir, "appendonlydir")):
        shutil.copytree(os.path.join(dir, "appendonlydir"),
                        os.path.join(load_dir, "appendonlydir"))
    else:  # one file, which Redis 7.0 takes up as an old-style log
        shutil.copy(os.path.join(dir, "appendonly.aof"), load_dir)
    redis = ws.start("redis", load_dir, ["--appendonly", "yes"])
    compare("dblite's rewritten log in Redis", reference, describe(redis.client()),
            negative_zero_may_go=True)
    redis.stop()


def redis_preamble(ws, expected):
    """Redis's append-only directory, its base an RDB preamble holding the
    sets, then ZADDs in the incremental file: dblite loads both."""
    redis_dir = ws.dir("preamble-redis")
    redis = ws.start("redis", redis_dir, ["--appendonly", "yes", "--aof-use-rdb-preamble", "yes"])
    client = redis.client()
    fill(client)
    client.ok("BGREWRITEAOF")
    wait_info(client, "aof_rewrite_in_progress", "0")
    time.sleep(0.2)
    client.ok("ZADD", "z:after", "1.5", "a", "-0", "b", "inf", "c")
    client.ok("ZADD", "z:small", "INCR", "0.1", "a")
    reference = describe(client)
    redis.stop()
    dir = ws.dir("preamble-dblite")
    shutil.copytree(os.path.join(redis_dir, "appendonlydir"), os.path.join(dir, "appendonlydir"))
    dblite = ws.start("dblite", dir, ["--persistence.appendonly", "yes"])
    compare("Redis's RDB-preamble log in dblite", reference, describe(dblite.client()))
    dblite.stop()


def main():
    for tool in ("redis-server", "redis-check-rdb"):
        if shutil.which(tool) is None:
            print("skipped: %s is not installed" % tool)
            return 0
    if not module_available("zsets"):
        print("FAIL: zsets.so not found in %s" % MODULE_PATH)
        return 1
    ws = Workspace()
    try:
        expected = round_trips(ws, "packed", [], [], fill)
        round_trips(ws, "skiplist", ["--zset-max-listpack-entries", "0"],
                    ["--zsets.zset-max-listpack-entries", "0"], fill)
        round_trips(ws, "wide", ["--zset-max-listpack-value", "20000"],
                    ["--zsets.zset-max-listpack-value", "20000"], fill_wide)
        round_trips(ws, "long", ["--zset-max-listpack-entries", "100000"],
                    ["--zsets.zset-max-listpack-entries", "100000"], fill_long)
        old_forms(ws)
        corrupt_payloads(ws)
        corrupt_files(ws)
        snapshots_and_shutdown(ws, expected)
        append_only(ws, expected)
        redis_preamble(ws, expected)
    except Exception as error:  # a server that died or misbehaved badly
        failures.append("%s: %s" % (type(error).__name__, error))
    finally:
        ws.cleanup(keep=bool(failures))
    for failure in failures:
        print("FAIL: " + failure)
    if not failures:
        print("ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
