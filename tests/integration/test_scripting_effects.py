#!/usr/bin/env python3
# test_scripting_effects.py - effects replication of Lua scripts: a script
# reaches the append-only file as the write commands it ran, never as the
# script, so that replaying the file is deterministic.  Redis 7.0 wraps a
# script's effects in MULTI ... EXEC when there is more than one of them
# and logs a single effect alone; reads, refused writes and an EVAL_RO log
# nothing; redis.set_repl(REPL_NONE / REPL_REPLICA) keeps effects out of
# the file, REPL_AOF and REPL_ALL let them in; commands the server rewrites
# for propagation (INCRBYFLOAT as SET ... KEEPTTL, SPOP as SREM) are logged
# rewritten; a random value drawn by the script is logged as the value.
#
# The same scripts run on dblite and on a stock redis-server (both with
# appendonly yes, appendfsync always); every reply must be the same bytes,
# and the commands of both servers' append-only files (Redis 7.0's incr
# file) must be the same list, compared command by command (SELECT left
# out: where a server puts it is its own choice), and must hold the
# MULTI/EXEC shapes listed in EXPECTED (so the test cannot pass with both
# servers wrong).  The data must equal redis-server's; then dblite is
# killed with SIGKILL and restarted on its directory: the replayed data must
# be what it held before, less the keys set_repl kept out of the file.
# Last, atomicity: GETs sent while another client's script runs 20000
# INCRs see no key or the final count, on both servers.
# Standard library only (the diff runner's RESP helpers).  Exits 1 on any
# failure.

import os
import shutil
import signal
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

SCRIPTS = [
    # (arguments of one command, run on both servers)
    ["EVAL", "redis.call('set', 'a', '1') redis.call('incr', 'a') return 1", "0"],
    ["EVAL", "return redis.call('set', KEYS[1], ARGV[1])", "1", "single", "alone"],
    ["EVAL", "return redis.call('get', 'a')", "0"],
    ["EVAL", "return redis.call('del', 'nosuchkey')", "0"],
    ["EVAL", "redis.call('rpush', 'l', 'x', 'y') redis.call('lpop', 'l') "
             "redis.call('hset', 'h', 'f', 'v') return 3", "0"],
    ["EVAL", "redis.call('set', 'before-error', '1') error('stop')", "0"],
    ["EVAL", "redis.call('set', 'b', '1') return redis.pcall('lpush', 'b', 'x')", "0"],
    ["EVAL_RO", "return redis.call('get', 'a')", "0"],
    ["EVAL_RO", "return redis.pcall('set', 'ro', '1')", "0"],
    ["EVAL", "#!lua flags=no-writes\nreturn redis.pcall('set', 'nw', '1')", "0"],
    ["EVAL", "redis.set_repl(redis.REPL_NONE) redis.call('set', 'none', '1') "
             "redis.set_repl(redis.REPL_ALL) redis.call('set', 'all', '1') return 1", "0"],
    ["EVAL", "redis.set_repl(redis.REPL_REPLICA) redis.call('set', 'replica-only', '1') "
             "redis.set_repl(redis.REPL_AOF) redis.call('set', 'aof-only', '1') return 1", "0"],
    ["EVAL", "redis.call('incrbyfloat', 'f', '1.5') redis.call('incrbyfloat', 'f', '2') "
             "return redis.call('get', 'f')", "0"],
    ["EVAL", "redis.call('sadd', 's', 'only') return redis.call('spop', 's')", "0"],
    ["EVAL", "local v = math.random(1000000) redis.call('set', 'rnd', v) "
             "redis.call('set', 'rnd2', math.random()) return v", "0"],
    ["SCRIPT", "LOAD", "redis.call('incr', KEYS[1]) return redis.call('incr', KEYS[1])"],
    ["EVALSHA", "%SHA%", "1", "counter"],
    ["EVALSHA", "%SHA%", "1", "counter"],
    ["EVAL", "for i = 1, 10 do redis.call('hset', 'hash10', 'f' .. i, i) end return 10", "0"],
    ["EVAL", "redis.call('select', 3) redis.call('set', 'in-db-3', 'x') return 1", "0"],
    ["EVAL", "redis.call('set', 'after-select', 'db0') return 1", "0"],
    ["MULTI"],
    ["SET", "m1", "1"],
    ["EVAL", "redis.call('set', 'm2', '2') redis.call('set', 'm3', '3') return 1", "0"],
    ["EXEC"],
    ["EVAL", "redis.call('set', 'gone', '1') redis.call('del', 'gone') return 1", "0"],
    ["EVAL", "return redis.call('ping')", "0"],
]

# Sequences that must appear, in order, in redis-server's file.
EXPECTED = [
    [[b"MULTI"], [b"set", b"a", b"1"], [b"incr", b"a"], [b"EXEC"]],
    [[b"set", b"single", b"alone"]],
    [[b"MULTI"], [b"rpush", b"l", b"x", b"y"], [b"lpop", b"l"], [b"hset", b"h", b"f", b"v"],
     [b"EXEC"]],
    [[b"set", b"before-error", b"1"]],
    [[b"set", b"b", b"1"]],
    [[b"set", b"all", b"1"]],
    [[b"set", b"aof-only", b"1"]],
    [[b"MULTI"], [b"set", b"m1", b"1"], [b"set", b"m2", b"2"], [b"set", b"m3", b"3"],
     [b"EXEC"]],
    [[b"MULTI"], [b"set", b"gone", b"1"], [b"del", b"gone"], [b"EXEC"]],
    [[b"MULTI"], [b"SET", b"f", b"1.5", b"KEEPTTL"], [b"SET", b"f", b"3.5", b"KEEPTTL"],
     [b"EXEC"]],
    [[b"MULTI"], [b"sadd", b"s", b"only"], [b"SREM", b"s", b"only"], [b"EXEC"]],
    [[b"MULTI"], [b"incr", b"counter"], [b"incr", b"counter"], [b"EXEC"]],
    [[b"set", b"in-db-3", b"x"], [b"set", b"after-select", b"db0"]],
]
# Keys a script wrote with redis.set_repl keeping them out of the file: in
# memory on both servers, gone after a replay.
NOT_LOGGED = [b"none", b"replica-only"]
ABSENT = [b"none", b"replica-only", b"ro", b"nw", b"nosuchkey"]


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


def run_scripts(port):
    c = Connection(port)
    replies = []
    sha = None
    for arguments in SCRIPTS:
        arguments = [sha if a == "%SHA%" else a for a in arguments]
        reply = c.call(*arguments)
        if arguments[:2] == ["SCRIPT", "LOAD"]:
            sha = reply.split(b"\r\n")[1].decode()
        replies.append(reply)
    c.close()
    return replies


def normalized(commands):
    """Command names in lower case (Redis logs a script's effects as the
    script spelled them and a client's commands as the client did)."""
    return [[command[0].lower()] + command[1:] for command in commands]


def contains_sequence(commands, sequence):
    wanted = normalized(sequence)
    have = normalized(commands)
    return any(have[i:i + len(wanted)] == wanted for i in range(len(have) - len(wanted) + 1))


def check_aofs(dblite, redis):
    for server in (dblite, redis):
        c = Connection(server.port)
        c.call("SET", "marker", "done")
        c.close()
    got_dblite = wait_for_marker(dblite.dir)
    got_redis = wait_for_marker(redis.dir)
    if normalized(got_dblite) != normalized(got_redis):
        failures.append("the append-only files differ:\n  dblite: %r\n  redis:  %r" % (
            got_dblite, got_redis))
    for sequence in EXPECTED:
        if not contains_sequence(got_redis, sequence):
            failures.append("redis-server's file lacks %r" % sequence)
        if not contains_sequence(got_dblite, sequence):
            failures.append("dblite's file lacks %r" % sequence)
    for key in ABSENT:
        for name, commands in (("dblite", got_dblite), ("redis-server", got_redis)):
            if any(key in command[1:2] for command in commands):
                failures.append("%s's file logs key %r" % (name, key))
    for name, commands in (("dblite", got_dblite), ("redis-server", got_redis)):
        if any(command[0].upper() in (b"EVAL", b"EVALSHA", b"EVAL_RO", b"SCRIPT")
               for command in commands):
            failures.append("%s's file logs a script instead of its effects" % name)
    return got_redis


def snapshot(port):
    """Every key of databases 0 and 3 with its type and value (DUMP-free)."""
    c = Connection(port)
    state = {}
    for db in ("0", "3"):
        c.call("SELECT", db)
        keys = c.call("KEYS", "*").split(b"\r\n")[2::2]
        for key in sorted(keys):
            kind = c.call("TYPE", key)
            if kind == b"+string\r\n":
                value = c.call("GET", key)
            elif kind == b"+list\r\n":
                value = c.call("LRANGE", key, "0", "-1")
            elif kind == b"+hash\r\n":
                value = b"".join(sorted(c.call("HGETALL", key).split(b"\r\n")))
            else:
                value = b"".join(sorted(c.call("SMEMBERS", key).split(b"\r\n")))
            state[(db, key)] = (kind, value)
    c.close()
    return state


def check_replay(dblite, redis):
    """The data must equal redis-server's, and after kill -9 and a replay
    of its file dblite must hold what it held before (less the keys
    set_repl kept out of the file): replay is deterministic."""
    before = snapshot(dblite.port)
    if before != snapshot(redis.port):
        failures.append("the data differ:\n  dblite: %r\n  redis:  %r"
                        % (before, snapshot(redis.port)))
    dblite.process.send_signal(signal.SIGKILL)
    dblite.process.wait()
    dblite.process = None
    dblite.start()
    after = snapshot(dblite.port)
    expected = {key: value for key, value in before.items() if key[1] not in NOT_LOGGED}
    if after != expected:
        failures.append("after kill -9 and replay the data differ:\n  now:    %r\n  before: %r"
                        % (after, expected))


def check_atomicity(port, name):
    """A script's writes are seen all or none: while one client's script
    does 20000 INCRs, another client's GETs, sent right behind it, read
    either no key or the final count, never a count in between."""
    runner = Connection(port)
    reader = Connection(port)
    script = "for i = 1, 20000 do redis.call('incr', KEYS[1]) end return 1"
    seen = set()
    for round_number in range(5):
        key = "atomic:%d" % round_number
        runner.sock.sendall(encode_command([b"EVAL", script.encode(), b"1", key.encode()]))
        for _ in range(20):
            seen.add(reader.call("GET", key))
        runner.reader.read_reply()
        seen.add(reader.call("GET", key))
    runner.close()
    reader.close()
    torn = seen - {b"$-1\r\n", b"$5\r\n20000\r\n"}
    if torn:
        failures.append("%s: a reader saw a script half done: %r" % (name, sorted(torn)))


def main():
    redis_binary = shutil.which("redis-server")
    if not redis_binary:
        print("redis-server not found (scripts/install-deps.sh installs it)")
        return 1
    dblite, redis = logging_servers(*default_paths(), redis_binary)
    try:
        dblite.start()
        redis.start()
        got_dblite = run_scripts(dblite.port)
        got_redis = run_scripts(redis.port)
        for arguments, mine, theirs in zip(SCRIPTS, got_dblite, got_redis):
            if mine != theirs:
                failures.append("%r: dblite %r, redis-server %r" % (arguments, mine, theirs))
        check_aofs(dblite, redis)
        check_replay(dblite, redis)
        check_atomicity(dblite.port, "dblite")
        check_atomicity(redis.port, "redis-server")
    finally:
        dblite.stop()
        redis.stop()
    for failure in failures:
        print("FAIL", failure)
    print("%d commands, %d failure(s)" % (len(SCRIPTS), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
