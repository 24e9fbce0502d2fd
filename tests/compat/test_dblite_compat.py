#!/usr/bin/env python3
# test_dblite_compat.py - the DBLite dialect (dblite_compat.so) against the
# real server started with config/dblite-compat.ini on free ports.
#
# The DBLite side uses dblite_wire.DBLiteClient, which talks exactly as the
# DBLite Python Client: one TCP connection per command, no HELLO, integers
# as RESP integer elements.  The Redis side uses the stock redis-cli and
# plain RESP2 on the server's own port, to show the dialect stops at its
# port.  A second server without persistence.so checks the SAVE/RESTORE
# error.  Prints every failed check and a count; exits 1 on any failure.
#
# Standard library only (python3), plus redis-cli from redis-tools.

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from compat_server import (START_TIMEOUT, CompatServer, config_without_persistence,  # noqa: E402
                           default_paths, free_port)
from dblite_wire import DBLiteClient, ReplyError  # noqa: E402

WRONGTYPE = ReplyError("WRONGTYPE Operation against a key holding the wrong kind of value")
INFO_KEYS = {b"keys", b"connections", b"active_connections", b"commands_processed", b"command_errors"}


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.section = ""

    def begin(self, section):
        self.section = section

    def equal(self, name, expected, actual):
        if expected == actual:
            self.passed += 1
            return True
        self.failed += 1
        print("FAIL [%s] %s\n    expected: %r\n    actual:   %r" % (self.section, name, expected, actual))
        return False

    def true(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            return True
        self.failed += 1
        print("FAIL [%s] %s %s" % (self.section, name, detail))
        return False


def redis_cli(port, *arguments):
    """redis-cli on the server's own port, --no-raw so reply types show."""
    result = subprocess.run(["redis-cli", "-p", str(port), "--no-raw"] + list(arguments),
                            stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
    return result.stdout.decode("utf-8", "replace").rstrip("\n")


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(0.05)


# ---- strings: integers stay integers, bulks stay byte-exact ----------------

def check_strings(t, db, redis):
    t.begin("strings")
    t.equal("FLUSHALL", b"+OK\r\n", db.raw("FLUSHALL"))
    t.equal("SET integer", b"+OK\r\n", db.raw("SET", "int", 123))
    t.equal("GET integer", b":123\r\n", db.raw("GET", "int"))
    db.execute("SET", "negative", -42)
    t.equal("GET negative integer", b":-42\r\n", db.raw("GET", "negative"))
    db.execute("SET", "zero", 0)
    t.equal("GET zero", b":0\r\n", db.raw("GET", "zero"))
    db.execute("SET", "largest", 2 ** 63 - 1)
    t.equal("GET largest 64-bit integer", b":9223372036854775807\r\n", db.raw("GET", "largest"))
    db.execute("SET", "smallest", -2 ** 63)
    t.equal("GET smallest 64-bit integer", b":-9223372036854775808\r\n", db.raw("GET", "smallest"))
    db.execute("SET", "text", "123")
    t.equal("digits sent as a bulk read back as a bulk", b"$3\r\n123\r\n", db.raw("GET", "text"))
    binary = b"\x80\x00\xffabc\r\n"
    db.execute("SET", "binary", binary)
    t.equal("binary bulk byte-exact", b"$8\r\n" + binary + b"\r\n", db.raw("GET", "binary"))
    db.execute("SET", "empty", b"")
    t.equal("empty bulk", b"$0\r\n\r\n", db.raw("GET", "empty"))
    big = bytes(range(256)) * 400
    db.execute("SET", "big", big)
    t.equal("100 KB binary bulk byte-exact", big, db.execute("GET", "big"))
    t.equal("GET missing key", b"$-1\r\n", db.raw("GET", "missing"))

    db.execute("SET", "int", "x")
    t.equal("a bulk overwriting an integer reads as a bulk", b"$1\r\nx\r\n", db.raw("GET", "int"))
    db.execute("SET", "int", 7)
    t.equal("an integer overwriting a bulk reads as an integer", b":7\r\n", db.raw("GET", "int"))
    t.equal("MGET mixes integers, bulks and nulls", b"*3\r\n:7\r\n$3\r\n123\r\n$-1\r\n",
            db.raw("MGET", "int", "text", "missing"))
    t.equal("GETSET answers the old integer", 7, db.execute("GETSET", "int", 8))
    t.equal("GETSET stores the new integer", b":8\r\n", db.raw("GET", "int"))
    t.equal("SET GET answers the old integer", 8, db.execute("SET", "int", 9, "GET"))
    t.equal("MSET", b"+OK\r\n", db.raw("MSET", "m1", 1, "m2", "1"))
    t.equal("MSET keeps each value's kind", [1, b"1"], db.execute("MGET", "m1", "m2"))
    t.equal("SETEX", b"+OK\r\n", db.raw("SETEX", "timed", 100, 5))
    t.equal("SETEX keeps the integer", b":5\r\n", db.raw("GET", "timed"))
    t.equal("GETDEL answers the integer", b":5\r\n", db.raw("GETDEL", "timed"))

    # The integer is what was sent; once edited the value is text again.
    t.equal("APPEND to an integer", 4, db.execute("APPEND", "negative", "0"))
    t.equal("APPEND drops the integer mark", b"$4\r\n-420\r\n", db.raw("GET", "negative"))
    t.equal("SETRANGE on an integer", 1, db.execute("SETRANGE", "zero", 0, "5"))
    t.equal("SETRANGE drops the integer mark", b"$1\r\n5\r\n", db.raw("GET", "zero"))
    t.equal("INCR on an integer", 10, db.execute("INCR", "int"))
    t.equal("INCR's result reads as text", b"$2\r\n10\r\n", db.raw("GET", "int"))
    db.execute("SET", "int", 123)
    t.equal("COPY of an integer", 1, db.execute("COPY", "int", "int-copy"))
    t.equal("COPY keeps the integer mark", b":123\r\n", db.raw("GET", "int-copy"))

    # Bitmap commands read an integer-sent value as its decimal text, as
    # Redis reads an int-encoded string ("123" is 0x31 0x32 0x33).
    t.begin("bitmaps on integer-sent values")
    db.execute("SET", "bits", 123)
    t.equal("GETBIT reads the text's bits", [0, 0, 1, 1, 0, 0, 0, 1],
            [db.execute("GETBIT", "bits", offset) for offset in range(8)])
    t.equal("BITCOUNT counts the text's bits", 10, db.execute("BITCOUNT", "bits"))
    t.equal("BITCOUNT with a BIT range", 3, db.execute("BITCOUNT", "bits", 8, 15, "BIT"))
    t.equal("BITPOS finds the text's first set bit", 2, db.execute("BITPOS", "bits", 1))
    t.equal("BITFIELD GET reads the text", [0x31, 0x3233], db.execute(
        "BITFIELD", "bits", "GET", "u8", 0, "GET", "u16", 8))
    t.equal("BITOP NOT of the text", 3, db.execute("BITOP", "NOT", "inverse", "bits"))
    t.equal("BITOP's result is the text inverted", b"\xce\xcd\xcc", db.execute("GET", "inverse"))
    t.equal("the value still reads as its integer", b":123\r\n", db.raw("GET", "bits"))
    t.equal("SETBIT on an integer", 0, db.execute("SETBIT", "bits", 6, 1))
    t.equal("SETBIT drops the integer mark", b"$3\r\n323\r\n", db.raw("GET", "bits"))
    t.equal("SETBIT of the same bit changes nothing", 1, db.execute("SETBIT", "bits", 6, 1))
    db.execute("SET", "bits", 5)
    t.equal("BITFIELD SET on an integer", [0x35], db.execute("BITFIELD", "bits", "SET", "u8", 0, 0x36))
    t.equal("BITFIELD drops the integer mark", b"$1\r\n6\r\n", db.raw("GET", "bits"))

    t.begin("strings seen from the Redis port")
    t.equal("raw GET of an integer-sent value is a bulk", b"$3\r\n123\r\n", redis.raw("GET", "int"))
    t.equal("raw MGET is all bulks", b"*2\r\n$3\r\n123\r\n$1\r\n1\r\n", redis.raw("MGET", "int", "m1"))
    t.equal("redis-cli GET shows a string", '"123"', redis_cli(redis.address[1], "GET", "int"))
    t.equal("redis-cli GET of the binary value", '"\\x80\\x00\\xffabc\\r\\n"',
            redis_cli(redis.address[1], "GET", "binary"))
    t.equal("GET missing on the Redis port", b"$-1\r\n", redis.raw("GET", "missing"))


def check_delete_exists(t, db):
    t.begin("DELETE and EXISTS")
    db.execute("SET", "doomed", "v")
    t.equal("EXISTS present", b":1\r\n", db.raw("EXISTS", "doomed"))
    t.equal("DELETE present", b":1\r\n", db.raw("DELETE", "doomed"))
    t.equal("DELETE absent", b":0\r\n", db.raw("DELETE", "doomed"))
    t.equal("EXISTS absent", b":0\r\n", db.raw("EXISTS", "doomed"))
    t.equal("GET after DELETE", None, db.execute("GET", "doomed"))


def check_expire(t, db):
    t.begin("EXPIRE with an integer argument")
    db.execute("FLUSHALL")
    db.execute("SET", "short", 1)
    db.execute("SET", "unread", "v")
    db.execute("SET", "stays", "v")
    started = time.monotonic()
    t.equal("EXPIRE key :1", b":1\r\n", db.raw("EXPIRE", "short", 1))
    t.equal("EXPIRE of an unread key", 1, db.execute("EXPIRE", "unread", 1))
    t.equal("EXPIRE missing key", b":0\r\n", db.raw("EXPIRE", "missing", 1))
    t.equal("TTL with an integer key argument left", 1, db.execute("TTL", "short"))
    t.equal("INFO keys before the deadline", 3, db.execute("INFO").get(b"keys"))
    if time.monotonic() - started < 0.9:
        t.equal("still there before its second passed", 1, db.execute("EXISTS", "short"))
    gone = wait_for(lambda: db.execute("EXISTS", "short") == 0, 3.0)
    elapsed = time.monotonic() - started
    t.true("gone within 3 s", gone, "(EXISTS still 1 after %.2f s)" % elapsed)
    t.true("not gone before its second", elapsed >= 0.9, "(gone after %.2f s)" % elapsed)
    t.equal("GET after expiry", b"$-1\r\n", db.raw("GET", "short"))
    # "unread" was never touched since EXPIRE: INFO must not count it.
    t.equal("INFO keys counts no expired key", 1, db.execute("INFO").get(b"keys"))


# ---- INFO: a '%' map of DBLite's figures, the Redis port keeps its text ----

def info(db):
    reply = db.execute("INFO")
    return reply if isinstance(reply, dict) else {}


def check_info(t, db, redis):
    t.begin("INFO")
    db.execute("FLUSHALL")
    for key in ("a", "b", "c"):
        db.execute("SET", key, 1)
    value, raw = db.call("INFO")
    t.true("INFO answers a RESP3 map to a RESP2 client", raw.startswith(b"%5\r\n"), repr(raw[:20]))
    t.true("INFO is a map", isinstance(value, dict), repr(value))
    if not isinstance(value, dict):
        return
    t.equal("INFO's keys", INFO_KEYS, set(value))
    t.true("every figure is an integer", all(isinstance(v, int) for v in value.values()), repr(value))
    t.equal("keys counts the keys", 3, value.get(b"keys"))

    before = info(db)
    db.execute("SET", "x", 1)
    db.execute("GET", "x")
    db.execute("EXISTS", "x")
    after = info(db)
    # Three commands on three connections, plus the second INFO's own
    # connection; the first INFO counts once it has answered.
    t.equal("connections counts every connection", 4,
            after.get(b"connections", 0) - before.get(b"connections", 0))
    t.equal("commands_processed counts every command", 4,
            after.get(b"commands_processed", 0) - before.get(b"commands_processed", 0))
    t.equal("no error, no command_errors", 0, after.get(b"command_errors", 0) - before.get(b"command_errors", 0))
    t.equal("a wrong-type command fails", WRONGTYPE, db.execute("LPUSH", "x", "v"))
    t.equal("an unknown command fails", True, isinstance(db.execute("NOSUCHCOMMAND"), ReplyError))
    errors = info(db)
    t.equal("command_errors counts both errors", 2,
            errors.get(b"command_errors", 0) - after.get(b"command_errors", 0))
    t.equal("keys still counts 4", 4, errors.get(b"keys"))

    held = [db.hold_connection(), db.hold_connection()]
    try:
        seen = wait_for(lambda: info(db).get(b"active_connections") == 3, 3.0)
        t.true("active_connections counts open connections (2 held + INFO's)", seen,
               "(last INFO: %r)" % info(db))
    finally:
        for sock in held:
            sock.close()
    seen = wait_for(lambda: info(db).get(b"active_connections") == 1, 3.0)
    t.true("active_connections falls back to 1 when they close", seen, "(last INFO: %r)" % info(db))
    reply = db.execute("INFO", "server")
    t.true("INFO with a section is refused for DBLite clients",
           isinstance(reply, ReplyError) and "no argument" in reply.message, repr(reply))

    t.begin("INFO on the Redis port")
    text = redis_cli(redis.address[1], "INFO")
    t.true("redis-cli INFO is Redis's text", text.startswith("# Server") and "redis_version:" in text
           and "total_connections_received:" in text, repr(text[:80]))
    raw = redis.raw("INFO")
    t.true("raw INFO on the Redis port is a bulk string", raw.startswith(b"$") and b"# Keyspace" in raw,
           repr(raw[:40]))


def check_collections(t, db):
    t.begin("lists, hashes, sets")
    db.execute("FLUSHALL")
    t.equal("LPUSH", b":2\r\n", db.raw("LPUSH", "queue", "a", "b"))
    t.equal("LPOP", b"b", db.execute("LPOP", "queue"))
    t.equal("LPOP again", b"a", db.execute("LPOP", "queue"))
    t.equal("LPOP empty", b"$-1\r\n", db.raw("LPOP", "queue"))
    t.equal("LPUSH an integer", 1, db.execute("LPUSH", "numbers", 5))
    t.equal("LPOP the integer's text", b"5", db.execute("LPOP", "numbers"))
    t.equal("HSET", b":1\r\n", db.raw("HSET", "hash", "field", "value"))
    t.equal("HGET", b"value", db.execute("HGET", "hash", "field"))
    t.equal("HGET missing field", b"$-1\r\n", db.raw("HGET", "hash", "nofield"))
    t.equal("HSET an integer", 1, db.execute("HSET", "hash", "n", 7))
    t.equal("HGET the integer's text", b"7", db.execute("HGET", "hash", "n"))
    t.equal("SADD counts new members", b":2\r\n", db.raw("SADD", "set", "a", "b", "a"))
    members = db.execute("SMEMBERS", "set")
    t.equal("SMEMBERS", [b"a", b"b"], sorted(members) if isinstance(members, list) else members)
    db.execute("SET", "string", "v")
    db.execute("LPUSH", "list", "v")
    t.equal("GET on a list", WRONGTYPE, db.execute("GET", "list"))
    t.equal("LPUSH on a string", WRONGTYPE, db.execute("LPUSH", "string", "v"))
    t.equal("LPOP on a hash", WRONGTYPE, db.execute("LPOP", "hash"))
    t.equal("HSET on a set", WRONGTYPE, db.execute("HSET", "set", "f", "v"))
    t.equal("HGET on a list", WRONGTYPE, db.execute("HGET", "list", "f"))
    t.equal("SADD on a hash", WRONGTYPE, db.execute("SADD", "hash", "m"))
    t.equal("SMEMBERS on a string", WRONGTYPE, db.execute("SMEMBERS", "string"))


def check_save_restore(t, db, server):
    t.begin("SAVE and RESTORE (persistence.so loaded)")
    db.execute("FLUSHALL")
    db.execute("SET", "number", 42)
    db.execute("SET", "word", b"\x80bytes")
    db.execute("LPUSH", "list", "x", "y")
    t.equal("SAVE file", b"+OK\r\n", db.raw("SAVE", "snapshot.rdb"))
    t.true("the file is written in dir", os.path.isfile(os.path.join(server.dir, "snapshot.rdb")))
    db.execute("FLUSHALL")
    t.equal("emptied", 0, info(db).get(b"keys"))
    t.equal("RESTORE file", b"+OK\r\n", db.raw("RESTORE", "snapshot.rdb"))
    t.equal("restored key count", 3, info(db).get(b"keys"))
    t.equal("restored bulk", b"\x80bytes", db.execute("GET", "word"))
    t.true("restored integer value", db.execute("GET", "number") in (42, b"42"), repr(db.execute("GET", "number")))
    t.equal("restored list", [b"y", b"x"], db.execute("LRANGE", "list", 0, -1))
    reply = db.execute("RESTORE", "no-such-file.rdb")
    t.true("RESTORE of a missing file is an error", isinstance(reply, ReplyError), repr(reply))


def check_protocol_scope(t, redis):
    t.begin("the dialect stays on its port")
    # An integer element is DBLite's wire form; Redis's port refuses it.
    reply = redis.raw("SET", "k", 1)
    t.true("an integer element on the Redis port is a protocol error",
           reply.startswith(b"-ERR Protocol error"), repr(reply))
    t.equal("the key was not written", b"$-1\r\n", redis.raw("GET", "k"))


def check_quit(t, db):
    t.begin("QUIT")
    t.equal("QUIT answers OK", b"+OK\r\n", db.raw("QUIT"))


def check_shutdown(t, db, server):
    t.begin("SHUTDOWN")
    db.execute("SET", "before-shutdown", 1)
    started = time.monotonic()
    t.equal("SHUTDOWN closes the connection without a reply", b"", db.send_expecting_close("SHUTDOWN"))
    try:
        status = server.process.wait(max(0.0, 1.0 - (time.monotonic() - started)))
    except subprocess.TimeoutExpired:
        status = None
    elapsed = time.monotonic() - started
    t.true("the process ends within a second", status is not None, "(still running after %.2f s)" % elapsed)
    t.equal("clean exit status", 0, status)


def check_without_persistence(t, config_path):
    t.begin("SAVE and RESTORE without persistence.so")
    scratch = tempfile.mkdtemp(prefix="dblite-compat-config-")
    server = CompatServer(config_without_persistence(config_path, scratch))
    try:
        server.start()
        db = DBLiteClient(server.dblite_port)
        for command in ("SAVE", "RESTORE"):
            reply = db.execute(command, "snapshot.rdb")
            t.true("%s names the missing module" % command,
                   isinstance(reply, ReplyError) and "persistence" in reply.message, repr(reply))
        t.true("the Redis port's SAVE stays unknown",
               DBLiteClient(server.redis_port).raw("SAVE").startswith(b"-ERR unknown command"))
        db.execute("SET", "still", 5)
        t.equal("other commands work", 5, db.execute("GET", "still"))
        t.equal("INFO works", 1, info(db).get(b"keys"))
    finally:
        server.stop()
        server.remove_dir()
        shutil.rmtree(scratch, ignore_errors=True)


def check_busy_dialect_port(t, config_path):
    """The DBLite port is taken: startup stops (exit status 1) before any
    client is served, and the log says why, as for a Redis port that is
    taken; the module does not exit behind the server's back."""
    t.begin("a DBLite port that cannot be bound")
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server = CompatServer(config_path)
    try:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        server.redis_port, server.dblite_port = free_port(), blocker.getsockname()[1]
        with open(server.log_path, "ab") as log:
            server.process = subprocess.Popen(server.command(), stdin=subprocess.DEVNULL, stdout=log,
                                              stderr=subprocess.STDOUT, cwd=server.dir)
        try:
            status = server.process.wait(START_TIMEOUT)
        except subprocess.TimeoutExpired:
            status = None
        t.equal("startup aborted with exit status 1", 1, status)
        t.true("the log names the module and the port",
               "module 'dblite_compat' failed to start" in server.log_tail() and
               "port %d" % server.dblite_port in server.log_tail(), server.log_tail())
    finally:
        blocker.close()
        server.stop()
        server.remove_dir()


def main():
    binary, _, config_dir = default_paths()
    config_path = os.path.join(config_dir, "dblite-compat.ini")
    for path, what in ((binary, "server binary"), (config_path, "config")):
        if not os.path.exists(path):
            print("test_dblite_compat: %s %s not found" % (what, path))
            return 2
    if shutil.which("redis-cli") is None:
        print("test_dblite_compat: redis-cli not found (install redis-tools)")
        return 2

    t = Checks()
    server = CompatServer(config_path)
    try:
        server.start()
        db = DBLiteClient(server.dblite_port)
        redis = DBLiteClient(server.redis_port)  # only str arguments: plain Redis RESP2
        check_strings(t, db, redis)
        check_delete_exists(t, db)
        check_expire(t, db)
        check_info(t, db, redis)
        check_collections(t, db)
        check_save_restore(t, db, server)
        check_protocol_scope(t, redis)
        check_quit(t, db)
        check_shutdown(t, db, server)
    except Exception as error:  # a crash or hang shows with the server's log
        t.true("no exception", False, "%s: %s\n%s" % (type(error).__name__, error, server.log_tail()))
    finally:
        server.stop()
        server.remove_dir()
    try:
        check_without_persistence(t, config_path)
    except Exception as error:
        t.true("no exception", False, "%s: %s" % (type(error).__name__, error))
    try:
        check_busy_dialect_port(t, config_path)
    except Exception as error:
        t.true("no exception", False, "%s: %s" % (type(error).__name__, error))

    print("%d passed, %d failed" % (t.passed, t.failed))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
