#!/usr/bin/env python3
# integer_fuzz.py - extreme integers in every numeric position of every
# command, against the real server (issue 19, item 12).
#
# Every command that COMMAND lists is sent with argument patterns in which
# one position, or the value of a numeric option (COUNT, LIMIT, EX, PX,
# RANK...), holds an extreme integer: LLONG_MAX, LLONG_MIN, -1, 0,
# 2^63/10+1 (overflows when multiplied by 10), 2^63/1000+1 (a second that
# overflows as milliseconds), 2^32, 2^64-1 and the like.  Each batch runs
# against a key of every type (text and integer strings, a list, an integer
# set and a text set, a hash), so the type-specific paths run too.
# Blocking commands get a connection each, closed after a moment.
#
# The test passes when the server answers every command and stays alive.
# In the sanitizer build (UBSAN_OPTIONS=halt_on_error=1) a signed overflow
# or a bad shift aborts the server, so it fails the test; the server log
# is printed then.  Usage: integer_fuzz.py [server-binary]; the binary,
# modules and configs come from ctest's environment otherwise.
import os
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "diff"))
from resp_wire import ReplyReader, encode_command  # noqa: E402
from server_runner import ServerProcess  # noqa: E402

EXTREMES = [
    b"9223372036854775807", b"-9223372036854775808", b"-9223372036854775807",
    b"9223372036854775806", b"-1", b"0", b"1",
    b"922337203685477581", b"-922337203685477581",        # x10 overflows
    b"9223372036854776", b"-9223372036854776",              # x1000 overflows
    b"9223372036854775", b"4611686018427387904",            # 2^62
    b"4294967296", b"-4294967296", b"2147483648", b"-2147483649",
    b"18446744073709551615", b"18446744073709551616",
    b"1.7976931348623157e308", b"-inf", b"+inf", b"nan", b"1e18",
]
OPTIONS = [b"COUNT", b"LIMIT", b"EX", b"PX", b"EXAT", b"PXAT", b"RANK",
           b"MAXLEN", b"LEN", b"IDX", b"MINMATCHLEN", b"SAMPLES", b"ID",
           b"TIMEOUT", b"BYLEX", b"WITHVALUES", b"WITHMATCHLEN"]
# Commands that would end or reconfigure the test itself, or write files.
SKIP = {b"shutdown", b"quit", b"hello", b"monitor", b"save", b"bgsave",
        b"bgrewriteaof", b"subscribe", b"psubscribe", b"ssubscribe",
        b"sync", b"psync", b"replicaof", b"slaveof", b"multi", b"reset",
        b"debug", b"module", b"failover"}
BLOCKING = {b"blpop", b"brpop", b"blmpop", b"blmove", b"brpoplpush",
            b"bzpopmin", b"bzpopmax", b"bzmpop", b"xread", b"xreadgroup", b"wait"}
# Subcommands and settings worth their own numeric patterns.
EXTRA_PATTERNS = [
    [b"MEMORY", b"USAGE", b"k", b"SAMPLES", None],
    [b"CLIENT", b"LIST", b"ID", None],
    [b"CLIENT", b"KILL", b"ID", None],
    [b"CLIENT", b"NO-EVICT", None],
    [b"CONFIG", b"SET", b"hz", None],
    [b"CONFIG", b"SET", b"timeout", None],
    [b"CONFIG", b"SET", b"maxclients", None],
    [b"CONFIG", b"SET", b"list-max-listpack-size", None],
    [b"CONFIG", b"SET", b"set-max-intset-entries", None],
    [b"CONFIG", b"SET", b"hash-max-listpack-entries", None],
    [b"COMMAND", b"GETKEYS", b"LMPOP", None, b"k", b"LEFT"],
    [b"COMMAND", b"GETKEYS", b"BLMPOP", b"0", None, b"k", b"LEFT"],
    [b"COMMAND", b"GETKEYS", b"SINTERCARD", None, b"k"],
    [b"OBJECT", b"ENCODING", None],
    [b"SELECT", None],
    [b"SWAPDB", None, b"0"],
    [b"LMPOP", None, b"k", b"LEFT", b"COUNT", None],
    [b"SINTERCARD", None, b"k", b"LIMIT", None],
    [b"SET", b"k", b"v", b"EX", None],
    [b"SET", b"k", b"v", b"PX", None],
    [b"SET", b"k", b"v", b"EXAT", None],
    [b"SET", b"k", b"v", b"PXAT", None],
    [b"GETEX", b"k", b"PX", None],
    [b"LPOS", b"k", b"a", b"RANK", None, b"COUNT", None, b"MAXLEN", None],
    [b"LCS", b"k", b"k", b"IDX", b"MINMATCHLEN", None, b"WITHMATCHLEN"],
    [b"SCAN", b"0", b"COUNT", None, b"MATCH", b"*", b"TYPE", b"string"],
    [b"HSCAN", b"k", None, b"COUNT", None],
    [b"SSCAN", b"k", None, b"COUNT", None],
    [b"RESTORE", b"k2", None, b"payload"],
    [b"INCRBY", b"k", None], [b"DECRBY", b"k", None], [b"HINCRBY", b"k", b"f", None],
    [b"INCRBYFLOAT", b"k", None], [b"HINCRBYFLOAT", b"k", b"f", None],
]
KEY_SETUPS = [
    [[b"SET", b"k", b"hello world, a text"]],
    [[b"SET", b"k", b"10"]],
    [[b"RPUSH", b"k", b"a", b"b", b"c", b"1", b"2", b"a"]],
    [[b"SADD", b"k", b"1", b"2", b"3", b"-5"]],
    [[b"SADD", b"k", b"a", b"b", b"c", b"1"]],
    [[b"HSET", b"k", b"f", b"1", b"g", b"v", b"h", b"2.5"]],
]
COMMAND_TIMEOUT = 30.0


def command_table(sock, reader):
    sock.sendall(encode_command([b"COMMAND"]))
    reply = reader.read_reply()
    # Walk the RESP2 array: each entry is [name, arity, flags, ...].
    table = []
    lines = reply.split(b"\r\n")
    i = 1
    while i < len(lines):
        if lines[i].startswith(b"*") and i + 2 < len(lines) and lines[i + 1].startswith(b"$") \
                and lines[i + 3].startswith(b":"):
            name = lines[i + 2].lower()
            arity = int(lines[i + 3][1:])
            table.append((name, arity))
            i += 4
        else:
            i += 1
    return table


def patterns_for(name, arity):
    count = abs(arity) - 1
    # Key first, then small numbers: positions beyond the arity are tried
    # only for variadic commands.
    width = count if arity > 0 else count + 2
    base = [b"k"] + [b"1"] * max(width - 1, 0)
    base = base[:width]
    out = []
    for position in range(width):
        for extreme in EXTREMES:
            for filler in (b"k", b"0"):
                args = [filler] + base[1:]
                args[position] = extreme
                out.append([name] + args)
    for option in OPTIONS:
        for extreme in EXTREMES:
            out.append([name] + base[:max(count, 1)] + [option, extreme])
            out.append([name] + [b"0"] + base[1:max(count, 1)] + [option, extreme])
            if option == b"LIMIT":
                out.append([name] + base[:max(count, 1)] + [option, extreme, extreme])
    return out


def extra_patterns():
    out = []
    for pattern in EXTRA_PATTERNS:
        for extreme in EXTREMES:
            out.append([extreme if a is None else a for a in pattern])
    return out


def run_batch(sock, reader, commands):
    """Pipelines the commands and reads every reply."""
    for start in range(0, len(commands), 256):
        chunk = commands[start:start + 256]
        sock.sendall(b"".join(encode_command(c) for c in chunk))
        for _ in chunk:
            reader.read_reply()


def run_blocking(port, commands):
    """Each blocking command on its own connection, then closed."""
    for start in range(0, len(commands), 200):
        socks = []
        for c in commands[start:start + 200]:
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(encode_command(c))
            socks.append(s)
        time.sleep(0.05)
        for s in socks:
            s.close()


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.environ["DBLITE_SERVER"])
    config = os.path.abspath(os.path.join(os.environ.get("DBLITE_CONFIG_DIR", ""), "dblite.ini"))
    module_path = os.environ.get("DBLITE_MODULE_PATH")
    server = ServerProcess("dblite", binary, config if os.path.exists(config) else None,
                           module_path and os.path.abspath(module_path))
    server.start()
    sent = 0
    started = time.monotonic()
    try:
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.settimeout(COMMAND_TIMEOUT)
        reader = ReplyReader(sock)
        table = command_table(sock, reader)
        if len(table) < 50:
            raise SystemExit("COMMAND listed only %d commands" % len(table))
        plain, blocking = [], []
        for name, arity in table:
            if name in SKIP:
                continue
            (blocking if name in BLOCKING else plain).append(patterns_for(name, arity))
        plain.append(extra_patterns())
        # Other keys around the typed one, so that scans take several steps.
        padding = [[b"MSET"] + [b"pad:%d" % i for i in range(200) for _ in (0, 1)]]
        # The extra patterns leave CONFIG SET timeout at 1 (its last valid
        # extreme): restored before each batch, or the test's own idle
        # connection is closed while the blocking commands run.
        restore = [[b"CONFIG", b"SET", b"timeout", b"0"]]
        for setup in KEY_SETUPS:
            setup = restore + padding + setup
            for patterns in plain:
                run_batch(sock, reader, [[b"SELECT", b"0"], [b"FLUSHALL"]] + setup)
                run_batch(sock, reader, patterns)
                sent += len(patterns)
            for patterns in blocking:
                run_batch(sock, reader, [[b"SELECT", b"0"], [b"FLUSHALL"]] + setup)
                run_blocking(server.port, patterns)
                sent += len(patterns)
            run_batch(sock, reader, [[b"PING"]])
        if not server.alive():
            raise SystemExit("the server died")
        print("integer_fuzz: %d commands in %.1f s, server alive" % (
            sent, time.monotonic() - started))
    except BaseException as error:
        print("integer_fuzz FAILED after %d commands: %r" % (sent, error))
        print("---- server log ----\n" + server.log_tail(65536))
        server.stop()
        raise SystemExit(1)
    status = server.stop()
    if status != 0:
        print("integer_fuzz: server exited with status %s\n%s" % (status, server.log_tail()))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
