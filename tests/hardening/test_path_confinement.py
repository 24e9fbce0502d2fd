#!/usr/bin/env python3
# test_path_confinement.py - issue 19 item 4: SAVE and RESTORE cannot reach
# files outside the server's directory, on either port.
#
# The real server runs with config/dblite-compat.ini (the Redis port and
# DBLite's port, persistence.so loaded).  On the Redis port SAVE and
# RESTORE are Redis 7.0's: SAVE takes no argument, RESTORE only the key
# form, so no file name is accepted at all.  On DBLite's port the file
# forms take a plain file name inside 'dir' only: absolute paths, '..',
# symbolic links (to files outside, to a missing file, to /dev/zero), a
# FIFO (which must not freeze the server: another client's PING answers),
# a device node and a directory are refused, the files outside are neither
# read nor written, and the refusal reads the same whether a link's target
# exists or not.  Prints every failed check; exits 1 on any failure.

import os
import shutil
import socket
import stat
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "compat"))

from compat_server import CompatServer, default_paths  # noqa: E402
from dblite_wire import DBLiteClient, ReplyError, encode_command  # noqa: E402

SAVE_ARITY = b"-ERR wrong number of arguments for 'save' command\r\n"
RESTORE_ARITY = b"-ERR wrong number of arguments for 'restore' command\r\n"
BAD_NAME = b"-ERR invalid file name"
# Unique, so a file left by another run cannot pass for ours.
ESCAPE = "escape-%d.rdb" % os.getpid()


class Checks:
    def __init__(self):
        self.passed = self.failed = 0
        self.section = ""

    def begin(self, section):
        self.section = section

    def true(self, name, condition, detail=""):
        if condition:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL [%s] %s %s" % (self.section, name, detail))
        return condition

    def equal(self, name, expected, actual):
        return self.true(name, expected == actual, "\n    expected: %r\n    actual:   %r" % (expected, actual))

    def prefix(self, name, prefix, actual):
        return self.true(name, isinstance(actual, bytes) and actual.startswith(prefix),
                         "\n    expected a reply starting %r\n    actual: %r" % (prefix, actual))


def file_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def ping_answers(port, timeout=2.0):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            return sock.recv(64) == b"+PONG\r\n"
    except OSError:
        return False


def marker_present(db):
    return db.execute("GET", "marker") == b"kept"


def check_redis_port(t, redis, server, outside):
    t.begin("Redis port: SAVE and RESTORE are Redis's")
    secret = os.path.join(outside, "secret.rdb")
    before = file_bytes(secret)
    for argument in ("plain.rdb", os.path.join(outside, "written.rdb"), "../" + ESCAPE, secret):
        t.equal("SAVE %s" % argument, SAVE_ARITY, redis.raw("SAVE", argument))
    t.true("no file written inside dir", not os.path.exists(os.path.join(server.dir, "plain.rdb")))
    t.true("no file written outside", not os.path.exists(os.path.join(outside, "written.rdb")))
    t.true("no file written in the parent", not os.path.exists(os.path.join(os.path.dirname(server.dir), ESCAPE)))
    t.equal("secret file untouched", before, file_bytes(secret))
    for argument in (secret, "../secret.rdb", "/etc/passwd", "/dev/zero", "dump.rdb"):
        t.equal("RESTORE %s" % argument, RESTORE_ARITY, redis.raw("RESTORE", argument))
    t.equal("RESTORE key ttl (no payload)", RESTORE_ARITY, redis.raw("RESTORE", "k", "0"))
    t.true("dataset untouched", marker_present(redis))
    t.equal("plain SAVE still works", b"+OK\r\n", redis.raw("SAVE"))


def check_names(t, db, server, outside):
    t.begin("DBLite port: only plain names inside dir")
    secret = os.path.join(outside, "secret.rdb")
    before = file_bytes(secret)
    parent = os.path.dirname(server.dir)
    for argument in (os.path.join(outside, "written.rdb"), "../" + ESCAPE, "..", ".", "", "a/b.rdb",
                     "sub/../x.rdb", "a\\b", "x" * 300):
        t.prefix("SAVE %r refused" % argument[:40], BAD_NAME, db.raw("SAVE", argument))
    t.true("nothing written outside", not os.path.exists(os.path.join(outside, "written.rdb")))
    t.true("nothing written in the parent", not os.path.exists(os.path.join(parent, ESCAPE)))
    for argument in (secret, "../" + os.path.basename(outside) + "/secret.rdb", "/etc/passwd", "/dev/zero",
                     "..", "", "./dump.rdb"):
        t.prefix("RESTORE %r refused" % argument, BAD_NAME, db.raw("RESTORE", argument))
    t.equal("secret file untouched", before, file_bytes(secret))
    t.true("dataset untouched", marker_present(db))


def check_links_and_special_files(t, db, server, outside):
    t.begin("DBLite port: links, FIFOs, devices, directories")
    secret = os.path.join(outside, "secret.rdb")
    before = file_bytes(secret)
    os.symlink(secret, os.path.join(server.dir, "link-existing.rdb"))
    os.symlink(os.path.join(outside, "missing.rdb"), os.path.join(server.dir, "link-missing.rdb"))
    os.symlink("/dev/zero", os.path.join(server.dir, "zero"))
    os.mkfifo(os.path.join(server.dir, "fifo"))
    os.mkdir(os.path.join(server.dir, "subdir"))
    # A device node in dir (the tests run as root; failing here is loud).
    os.mknod(os.path.join(server.dir, "device"), stat.S_IFCHR | 0o600, os.makedev(1, 5))

    existing = db.raw("RESTORE", "link-existing.rdb")
    missing = db.raw("RESTORE", "link-missing.rdb")
    t.prefix("RESTORE of a link to an outside RDB refused", b"-ERR 'link-existing.rdb' is not a regular file",
             existing)
    t.equal("a link's refusal does not tell whether its target exists",
            existing.replace(b"existing", b"X"), missing.replace(b"missing", b"X"))
    t.true("dataset untouched by the link", marker_present(db))
    for name in ("zero", "device", "subdir"):
        t.prefix("RESTORE %s refused" % name, b"-ERR '%s' is not a regular file" % name.encode(),
                 db.raw("RESTORE", name))

    # The FIFO: the command is sent from its own connection; the server
    # must answer it and, above all, keep serving others.
    result = {}

    def restore_fifo():
        try:
            result["reply"] = DBLiteClient(server.dblite_port, timeout=10).raw("RESTORE", "fifo")
        except Exception as error:  # noqa: BLE001 - reported below
            result["reply"] = repr(error).encode()

    worker = threading.Thread(target=restore_fifo)
    worker.start()
    time.sleep(0.2)
    t.true("PING from another client answers while RESTORE fifo runs", ping_answers(server.redis_port))
    worker.join(12)
    t.prefix("RESTORE fifo refused", b"-ERR 'fifo' is not a regular file", result.get("reply"))
    t.true("PING answers after RESTORE fifo", ping_answers(server.redis_port))

    for name in ("link-existing.rdb", "link-missing.rdb", "zero", "fifo", "device", "subdir"):
        t.prefix("SAVE over %s refused" % name, b"-ERR '%s' exists and is not a regular file" % name.encode(),
                 db.raw("SAVE", name))
    t.true("PING answers after SAVE fifo", ping_answers(server.redis_port))
    # SAVE writes temp-<pid>.rdb, then renames it: a link planted under
    # that name must not carry the snapshot out of dir.
    temp = os.path.join(server.dir, "temp-%d.rdb" % server.process.pid)
    os.symlink(os.path.join(outside, "planted.rdb"), temp)
    t.prefix("SAVE through a planted temporary link fails", b"-ERR cannot create", db.raw("SAVE", "fresh.rdb"))
    t.prefix("so does the Redis port's SAVE", b"-ERR cannot create", DBLiteClient(server.redis_port).raw("SAVE"))
    t.true("nothing written through the planted link", not os.path.exists(os.path.join(outside, "planted.rdb")))
    os.unlink(temp)
    t.equal("the outside file a link points to is unchanged", before, file_bytes(secret))
    t.true("no file created through the dangling link", not os.path.exists(os.path.join(outside, "missing.rdb")))
    t.true("the links are still links", os.path.islink(os.path.join(server.dir, "link-existing.rdb")))
    t.true("dataset untouched", marker_present(db))


def check_plain_files_work(t, db, server):
    t.begin("DBLite port: plain names inside dir work")
    t.equal("SAVE good.rdb", b"+OK\r\n", db.raw("SAVE", "good.rdb"))
    t.true("written inside dir", os.path.isfile(os.path.join(server.dir, "good.rdb")))
    db.execute("SET", "marker", "changed")
    t.equal("RESTORE good.rdb", b"+OK\r\n", db.raw("RESTORE", "good.rdb"))
    t.true("dataset restored", marker_present(db))
    t.prefix("RESTORE of a missing name", b"-ERR 'absent.rdb' does not exist", db.raw("RESTORE", "absent.rdb"))
    # Damaged and cut files are refused before a key is touched.
    good = file_bytes(os.path.join(server.dir, "good.rdb"))
    damaged = bytearray(good)
    damaged[len(damaged) // 2] ^= 1
    with open(os.path.join(server.dir, "damaged.rdb"), "wb") as f:
        f.write(bytes(damaged))
    with open(os.path.join(server.dir, "short.rdb"), "wb") as f:
        f.write(good[:-20])
    db.execute("SET", "marker", "changed")
    t.prefix("RESTORE damaged.rdb", b"-ERR 'damaged.rdb' cannot be loaded: checksum mismatch",
             db.raw("RESTORE", "damaged.rdb"))
    t.prefix("RESTORE short.rdb", b"-ERR 'short.rdb' cannot be loaded", db.raw("RESTORE", "short.rdb"))
    t.equal("dataset untouched by refused files", b"changed", db.execute("GET", "marker"))
    t.equal("RESTORE with two arguments", b"-ERR wrong number of arguments for 'restore' command\r\n",
            db.raw("RESTORE", "a", "b"))
    t.equal("SAVE without a name", b"+OK\r\n", db.raw("SAVE"))


def make_outside(server):
    """A directory beside dir holding a valid RDB file (a copy of a SAVE)."""
    outside = tempfile.mkdtemp(prefix="dblite-outside-")
    db = DBLiteClient(server.redis_port)
    db.execute("SET", "secret", "outside")
    if db.raw("SAVE") != b"+OK\r\n":
        raise RuntimeError("SAVE on the Redis port failed")
    shutil.copy(os.path.join(server.dir, "dump.rdb"), os.path.join(outside, "secret.rdb"))
    db.execute("DEL", "secret")
    db.execute("SET", "marker", "kept")
    return outside


def main():
    binary, _, config_dir = default_paths()
    config = os.path.join(config_dir, "dblite-compat.ini")
    if not os.path.exists(binary) or not os.path.exists(config):
        print("test_path_confinement: %s or %s missing" % (binary, config))
        return 2
    t = Checks()
    server = CompatServer(config)
    outside = None
    try:
        server.start()
        outside = make_outside(server)
        check_redis_port(t, DBLiteClient(server.redis_port), server, outside)
        db = DBLiteClient(server.dblite_port)
        check_names(t, db, server, outside)
        check_links_and_special_files(t, db, server, outside)
        check_plain_files_work(t, db, server)
        t.true("server still running", server.alive())
    except Exception as error:  # a crash or hang shows with the server's log
        t.true("no exception", False, "%s: %s\n%s" % (type(error).__name__, error, server.log_tail()))
    finally:
        server.stop()
        server.remove_dir()
        if outside:
            shutil.rmtree(outside, ignore_errors=True)
    print("%d passed, %d failed" % (t.passed, t.failed))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
