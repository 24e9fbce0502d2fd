#!/usr/bin/env python3
# test_call_api.py - dblite_call (API 8) seen through calltest.so
# (tests/modules/calltest/): every reply kind captured in RESP2 and RESP3
# and in the caller's protocol, relayed back byte for byte; refusals
# (unknown command, arity, noscript) as error replies; a blocking command
# answering at once; SELECT staying inside its call; WATCH seeing a nested
# write; MONITOR and INFO commandstats showing calls unless they are
# internal; and what reaches the append-only file: a non-write caller's
# effects (MULTI/EXEC around several), a write caller as itself, SORT ...
# STORE as SORT; and sort.so, built on dblite_call alone, without the
# families it reads.  Over real sockets against the real server.  Exits 1 on
# any failure.

import glob
import os
import socket
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "diff"))

from resp_wire import ReplyReader, encode_command  # noqa: E402
from server_runner import ServerProcess  # noqa: E402

failures = []


def paths():
    source = os.environ.get("DBLITE_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
    binary = os.environ.get("DBLITE_SERVER") or os.path.join(source, "build", "dblite-server")
    modules = os.environ.get("DBLITE_MODULE_PATH") or os.path.join(
        os.path.dirname(binary), "modules")
    test_modules = os.environ.get("DBLITE_TEST_MODULE_PATH") or os.path.join(
        os.path.dirname(binary), "test-modules")
    configs = os.environ.get("DBLITE_CONFIG_DIR") or os.path.join(source, "config")
    return binary, modules, test_modules, configs


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.reader = ReplyReader(self.sock)

    def call(self, *arguments):
        self.sock.sendall(encode_command([a if isinstance(a, bytes) else str(a).encode()
                                          for a in arguments]))
        return self.reader.read_reply()


def check(name, got, expected):
    if got != expected:
        failures.append("%s:\n    expected %r\n    got      %r" % (name, expected, got))


def bulk(text):
    data = text.encode() if isinstance(text, str) else text
    return b"$%d\r\n%s\r\n" % (len(data), data)


KINDS_RESP3 = ('resp3 array(13)[status:"FINE",error:"ERR inner error",integer:-42,'
               'bulk:"a\\x00b\\x0d\\x0a",null,null,map(2){bulk:"k"=>integer:1,'
               'bulk:"empty"=>array(0)[]},set(2)[bulk:"x",bulk:"y"],double:3.5:"3.5",'
               'double:-inf:"-inf",bool:1,verbatim(mkd):"# title",push(1)[bulk:"pushed"]]')
KINDS_RESP2 = ('resp2 array(13)[status:"FINE",error:"ERR inner error",integer:-42,'
               'bulk:"a\\x00b\\x0d\\x0a",null,null,array(4)[bulk:"k",integer:1,bulk:"empty",'
               'array(0)[]],array(2)[bulk:"x",bulk:"y"],bulk:"3.5",bulk:"-inf",integer:1,'
               'bulk:"# title",array(1)[bulk:"pushed"]]')
KINDS_RELAYED_RESP3 = (b"*13\r\n+FINE\r\n-ERR inner error\r\n:-42\r\n$5\r\na\x00b\r\n\r\n_\r\n_\r\n"
                       b"%2\r\n$1\r\nk\r\n:1\r\n$5\r\nempty\r\n*0\r\n~2\r\n$1\r\nx\r\n$1\r\ny\r\n"
                       b",3.5\r\n,-inf\r\n#t\r\n=11\r\nmkd:# title\r\n*1\r\n$6\r\npushed\r\n")


def members(raw):
    """The bulk strings of a flat array reply."""
    out, position = [], raw.index(b"\r\n") + 2
    while position < len(raw):
        end = raw.index(b"\r\n", position)
        length = int(raw[position + 1:end])
        out.append(raw[end + 2:end + 2 + length])
        position = end + 2 + length + 2
    return out


def replies_and_refusals(port):
    c = Client(port)
    check("kinds, resp3", c.call("CALLTEST.DESCRIBE", "resp3", "CALLTEST.KINDS"),
          bulk(KINDS_RESP3))
    check("kinds, resp2", c.call("CALLTEST.DESCRIBE", "resp2", "CALLTEST.KINDS"),
          bulk(KINDS_RESP2))
    check("kinds, a RESP2 caller's protocol", c.call("CALLTEST.DESCRIBE", "caller",
                                                      "CALLTEST.KINDS"), bulk(KINDS_RESP2))
    check("status", c.call("CALLTEST.DESCRIBE", "caller", "SET", "k", "v"),
          bulk('resp2 status:"OK"'))
    check("bulk", c.call("CALLTEST.DESCRIBE", "caller", "GET", "k"), bulk('resp2 bulk:"v"'))
    check("null bulk, resp3", c.call("CALLTEST.DESCRIBE", "resp3", "GET", "nokey"),
          bulk("resp3 null"))
    check("integer", c.call("CALLTEST.DESCRIBE", "caller", "DEL", "nokey"),
          bulk("resp2 integer:0"))
    check("command error", c.call("CALLTEST.DESCRIBE", "caller", "INCR", "k"),
          bulk('resp2 error:"ERR value is not an integer or out of range"'))
    c.call("RPUSH", "list", "a", "b")
    check("wrongtype", c.call("CALLTEST.DESCRIBE", "caller", "GET", "list"),
          bulk('resp2 error:"WRONGTYPE Operation against a key holding the wrong kind of value"'))
    check("array", c.call("CALLTEST.DESCRIBE", "caller", "LRANGE", "list", "0", "-1"),
          bulk('resp2 array(2)[bulk:"a",bulk:"b"]'))
    check("unknown command", c.call("CALLTEST.DESCRIBE", "caller", "NOSUCH", "x", "y"),
          bulk('resp2 error:"ERR unknown command \'NOSUCH\', with args beginning with: '
               '\'x\' \'y\' "'))
    check("wrong arity", c.call("CALLTEST.DESCRIBE", "caller", "GET"),
          bulk('resp2 error:"ERR wrong number of arguments for \'get\' command"'))
    check("noscript", c.call("CALLTEST.DESCRIBE", "caller", "MULTI"),
          bulk('resp2 error:"ERR This Redis command is not allowed from script"'))
    check("noscript BLPOP", c.call("CALLTEST.DESCRIBE", "caller", "BLPOP", "x", "0"),
          bulk('resp2 error:"ERR This Redis command is not allowed from script"'))
    started = time.monotonic()
    check("blocking command answers as timed out",
          c.call("CALLTEST.DESCRIBE", "caller", "BLMPOP", "0", "1", "nolist", "LEFT"),
          bulk("resp2 null"))
    check("... at once", time.monotonic() - started < 2, True)
    check("the caller is still not in MULTI", c.call("PING"), b"+PONG\r\n")
    # SELECT changes the database of its own call only.
    check("SELECT in a call", c.call("CALLTEST.EFFECTS", "SELECT", "5", ";", "SET", "sel", "1"),
          b"+OK\r\n")
    check("... the next call ran in the caller's db", c.call("GET", "sel"), bulk("1"))
    check("... the caller's db is unchanged", b" db=0 " in c.call("CLIENT", "INFO"), True)
    c.call("SELECT", "5")
    check("... nothing went to db 5", c.call("EXISTS", "sel"), b":0\r\n")
    check("a caller in db 5 calls there", c.call("CALLTEST.DESCRIBE", "caller", "SET", "in5",
                                                 "1"), bulk('resp2 status:"OK"'))
    check("... the key is in db 5", c.call("EXISTS", "in5"), b":1\r\n")
    c.call("SELECT", "0")
    # A script's SORT of a set sorts it even with BY nosort (Redis's rule).
    c.call("SADD", "fruits", "pear", "apple", "fig", "banana", "cherry", "kiwi")
    check("SORT BY nosort for a script",
          c.call("CALLTEST.DESCRIBE", "script", "SORT", "fruits", "BY", "nosort"),
          bulk('resp2 array(6)[bulk:"apple",bulk:"banana",bulk:"cherry",bulk:"fig",'
               'bulk:"kiwi",bulk:"pear"]'))
    check("... not for a module's call", c.call("CALLTEST.DESCRIBE", "caller", "SORT", "fruits",
                                                "BY", "nosort"),
          bulk("resp2 array(6)[" + ",".join('bulk:"%s"' % m.decode() for m in
                                            members(c.call("SMEMBERS", "fruits"))) + "]"))
    # RESP3 caller: its protocol by default, relayed as it is.
    c3 = Client(port)
    c3.call("HELLO", "3")
    check("kinds, a RESP3 caller's protocol",
          c3.call("CALLTEST.DESCRIBE", "caller", "CALLTEST.KINDS"), bulk(KINDS_RESP3))
    check("relayed kinds, RESP3", c3.call("CALLTEST.EFFECTS", "CALLTEST.KINDS"),
          KINDS_RELAYED_RESP3)
    c.call("HSET", "h", "f", "v")
    check("relayed map, RESP3", c3.call("CALLTEST.EFFECTS", "HGETALL", "h"),
          b"%1\r\n$1\r\nf\r\n$1\r\nv\r\n")
    check("relayed map, RESP2", c.call("CALLTEST.EFFECTS", "HGETALL", "h"),
          b"*2\r\n$1\r\nf\r\n$1\r\nv\r\n")
    check("relayed error", c.call("CALLTEST.EFFECTS", "NOSUCH"),
          b"-ERR unknown command 'NOSUCH', with args beginning with: \r\n")


def client_side_caching(port):
    """A call's writes count as the caller's (NOLOOP, invalidation after the
    reply), a script call's reads as the caller's reads."""
    t = Client(port)
    t.call("HELLO", "3")
    other = Client(port)
    other.call("SET", "t", "0")
    t.call("CLIENT", "TRACKING", "ON")
    t.call("GET", "t")
    check("own nested write: the reply, then the invalidation",
          t.call("CALLTEST.EFFECTS", "SET", "t", "1") + t.reader.read_reply(),
          b"+OK\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nt\r\n")
    t.call("CLIENT", "TRACKING", "OFF")
    t.call("CLIENT", "TRACKING", "ON", "NOLOOP")
    t.call("GET", "t")
    t.call("CALLTEST.EFFECTS", "SET", "t", "2")
    check("NOLOOP: no invalidation of its own nested write", t.call("PING"), b"+PONG\r\n")
    t.call("CLIENT", "TRACKING", "OFF")
    t.call("CLIENT", "TRACKING", "ON")
    t.call("CALLTEST.DESCRIBE", "script", "GET", "s1")
    t.call("CALLTEST.DESCRIBE", "caller", "GET", "s2")
    other.call("SET", "s2", "x")
    other.call("SET", "s1", "x")
    check("a script call's read is tracked for its caller, a module call's is not",
          t.reader.read_reply(), b">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\ns1\r\n")
    t.call("CLIENT", "TRACKING", "OFF")


def info_field(client, section, name):
    raw = client.call("INFO", section).decode()
    for line in raw.split("\r\n"):
        if line.startswith(name + ":"):
            return line[len(name) + 1:]
    return None


def watch_monitor_and_statistics(port):
    c = Client(port)
    other = Client(port)
    # WATCH sees a write made through a call.
    c.call("WATCH", "watched")
    other.call("CALLTEST.EFFECTS", "SET", "watched", "1")
    c.call("MULTI")
    c.call("PING")
    check("EXEC after a nested write to a watched key", c.call("EXEC"), b"*-1\r\n")
    # Keyspace notifications: a call emits its own, unless NO_NOTIFY.
    c.call("CONFIG", "SET", "notify-keyspace-events", "E$")
    subscriber = Client(port)
    subscriber.call("SUBSCRIBE", "__keyevent@0__:set")
    other.call("CALLTEST.DESCRIBE", "nonotify", "SET", "quiet", "1")
    other.call("CALLTEST.DESCRIBE", "caller", "SET", "loud", "1")
    check("only the call without NO_NOTIFY is announced", subscriber.reader.read_reply(),
          b"*3\r\n$7\r\nmessage\r\n$18\r\n__keyevent@0__:set\r\n$4\r\nloud\r\n")
    c.call("CONFIG", "SET", "notify-keyspace-events", "")
    # MONITOR: a call's line ("?:0") before its caller's; internal ones hidden.
    monitor = Client(port)
    check("MONITOR", monitor.call("MONITOR"), b"+OK\r\n")
    other.call("CALLTEST.EFFECTS", "SET", "m", "1")
    other.call("CALLTEST.DESCRIBE", "internal", "GET", "m")
    other.call("CALLTEST.DESCRIBE", "script", "GET", "m")
    other.call("PING")
    lines = [monitor.reader.read_reply() for _ in range(6)]
    texts = [line.decode().split("] ", 1)[-1].strip() for line in lines]
    check("MONITOR lines", texts, ['"SET" "m" "1"', '"CALLTEST.EFFECTS" "SET" "m" "1"',
                                   '"CALLTEST.DESCRIBE" "internal" "GET" "m"', '"GET" "m"',
                                   '"CALLTEST.DESCRIBE" "script" "GET" "m"', '"PING"'])
    check("MONITOR shows a call as ?:0", b"[0 ?:0]" in lines[0], True)
    check("MONITOR shows a script's call as lua", b"[0 lua]" in lines[3], True)
    # Statistics: calls count as commands, internal ones do not.
    before = info_field(c, "commandstats", "cmdstat_strlen")
    c.call("CALLTEST.DESCRIBE", "caller", "STRLEN", "m")
    after = info_field(c, "commandstats", "cmdstat_strlen")
    check("a call counts in commandstats", (before, after and after.split(",")[0]),
          (None, "calls=1"))
    c.call("CALLTEST.DESCRIBE", "internal", "STRLEN", "m")
    check("an internal call does not", info_field(c, "commandstats", "cmdstat_strlen")
          .split(",")[0], "calls=1")
    errors = info_field(c, "stats", "total_error_replies")
    c.call("CALLTEST.DESCRIBE", "internal", "INCR", "list")
    check("an internal call's error is not counted",
          info_field(c, "stats", "total_error_replies"), errors)
    c.call("CALLTEST.DESCRIBE", "caller", "INCR", "list")
    check("a call's error is", int(info_field(c, "stats", "total_error_replies")),
          int(errors) + 1)
    # A refused call (noscript) counts as Redis counts a script's rejected
    # command: one error, one rejected call; the caller did not fail.
    c.call("CONFIG", "RESETSTAT")
    c.call("CALLTEST.DESCRIBE", "caller", "MULTI")
    check("a refused call's error is counted",
          info_field(c, "stats", "total_error_replies"), "1")
    check("as a rejected call", info_field(c, "commandstats", "cmdstat_multi")
          .split(",")[3], "rejected_calls=1")
    check("not as the caller's failure",
          info_field(c, "commandstats", "cmdstat_calltest.describe").split(",")[4],
          "failed_calls=0")


def sort_statistics(port):
    """SORT reads its key once (one keyspace hit or miss, as Redis's single
    lookup) and each BY/GET key once; the counts are redis-server 7.0.15's
    for the same commands."""
    c = Client(port)
    c.call("FLUSHALL")
    c.call("RPUSH", "sl", "3", "1", "2")
    c.call("SADD", "ss", "1", "2")
    c.call("MSET", "w_1", "1")
    c.call("CONFIG", "RESETSTAT")
    for command in (["SORT", "sl"], ["SORT", "sl", "BY", "nosort", "LIMIT", "0", "1", "DESC"],
                    ["SORT", "ss", "BY", "nosort"], ["SORT", "missing"],
                    ["SORT", "missing", "BY", "nosort", "STORE", "d"],
                    ["SORT", "sl", "BY", "w_*", "GET", "w_*"]):
        c.call(*command)
    check("SORT's keyspace hits and misses",
          (info_field(c, "stats", "keyspace_hits"), info_field(c, "stats", "keyspace_misses")),
          ("6", "6"))


def read_aof_commands(directory):
    files = sorted(glob.glob(os.path.join(directory, "appendonlydir", "*.incr.aof")))
    files = files or glob.glob(os.path.join(directory, "appendonly.aof"))
    data = b"".join(open(path, "rb").read() for path in files)
    commands, position = [], 0
    while position < len(data):
        end = data.index(b"\r\n", position)
        count = int(data[position + 1:end])
        position = end + 2
        arguments = []
        for _ in range(count):
            end = data.index(b"\r\n", position)
            length = int(data[position + 1:end])
            arguments.append(data[end + 2:end + 2 + length].decode())
            position = end + 2 + length + 2
        if arguments[0].upper() != "SELECT":
            commands.append(" ".join(arguments))
    return commands


def propagation(binary, modules, plugin, configs):
    server = ServerProcess("dblite", binary, config=os.path.join(configs, "dblite.ini"),
                           module_path=modules,
                           extra_args=["--load-module", plugin, "--persistence.save", "",
                                       "--persistence.appendonly", "yes",
                                       "--persistence.appendfsync", "always"])
    with server:
        c = Client(server.port)
        c.call("CALLTEST.EFFECTS", "SET", "a", "1")
        c.call("CALLTEST.EFFECTS", "SET", "b", "1", ";", "GET", "b", ";", "INCR", "b")
        c.call("CALLTEST.EFFECTS", "GET", "a")
        c.call("CALLTEST.WRITE", "SET", "c", "1", ";", "SET", "d", "1")
        c.call("CALLTEST.WRITE", "GET", "c")
        c.call("RPUSH", "l", "2", "1")
        c.call("SORT", "l", "STORE", "dst")
        c.call("SORT", "l", "BY", "nosort", "GET", "#", "GET", "nokey_*")
        c.call("CALLTEST.EFFECTS", "SORT", "l", "STORE", "dst2")
        c.call("SORT", "nokey", "STORE", "nodst")
        c.call("MULTI")
        c.call("SORT", "l", "STORE", "dst3")
        c.call("CALLTEST.EFFECTS", "SET", "e1", "1", ";", "SET", "e2", "1")
        c.call("EXEC")
        c.call("SET", "end", "1")
        check("what reached the append-only file", read_aof_commands(server.dir), [
            "SET a 1",
            "MULTI", "SET b 1", "INCR b", "EXEC",
            "CALLTEST.WRITE SET c 1 ; SET d 1",
            "RPUSH l 2 1",
            "SORT l STORE dst",
            "SORT l STORE dst2",
            "MULTI", "SORT l STORE dst3", "SET e1 1", "SET e2 1", "EXEC",
            "SET end 1"])
        check("SORT STORE stored", c.call("LRANGE", "dst", "0", "-1"),
              b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n")


def sort_without_families(binary, modules, configs):
    """sort.so needs no family: without lists, sets and zsets a missing key
    is an empty list, a string is WRONGTYPE; STORE of a result needs lists."""
    server = ServerProcess("dblite", binary, config=os.path.join(configs, "minimal.ini"),
                           module_path=modules, extra_args=["--load-module", "sort"])
    with server:
        c = Client(server.port)
        check("minimal: SORT missing", c.call("SORT", "missing"), b"*0\r\n")
        check("minimal: SORT missing STORE", c.call("SORT", "missing", "STORE", "d"), b":0\r\n")
        c.call("SET", "s", "x")
        check("minimal: SORT of a string", c.call("SORT", "s"),
              b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
    server = ServerProcess("dblite", binary, config=os.path.join(configs, "minimal.ini"),
                           module_path=modules,
                           extra_args=["--load-module", "sets", "--load-module", "sort"])
    with server:
        c = Client(server.port)
        c.call("SADD", "st", "2", "1")
        check("sets only: SORT", c.call("SORT", "st"), b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n")
        check("sets only: SORT STORE", c.call("SORT", "st", "STORE", "d"),
              b"-ERR SORT STORE needs the lists module, which is not loaded\r\n")
        check("... stored nothing", c.call("EXISTS", "d"), b":0\r\n")


def main():
    binary, modules, test_modules, configs = paths()
    plugin = os.path.join(test_modules, "calltest.so")
    if not os.path.exists(plugin):
        print("test_call_api: %s is not built" % plugin)
        return 2
    server = ServerProcess("dblite", binary, config=os.path.join(configs, "dblite.ini"),
                           module_path=modules,
                           extra_args=["--load-module", plugin, "--persistence.save", ""])
    with server:
        replies_and_refusals(server.port)
        watch_monitor_and_statistics(server.port)
        client_side_caching(server.port)
        sort_statistics(server.port)
    propagation(binary, modules, plugin, configs)
    sort_without_families(binary, modules, configs)
    for failure in failures:
        print("FAIL " + failure)
    print("test_call_api: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
