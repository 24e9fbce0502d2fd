#!/usr/bin/env python3
# test_output.py - dblite-cli's output compared byte for byte with the real
# redis-cli 7.0 run against the same server with the same arguments.
#
#   1. real commands on dblite-server: RESP2 and RESP3 (-3), each with
#      stdout a pipe (raw form), with --no-raw, with --raw, and on a
#      pseudo-terminal (what a person sees);
#   2. every reply shape of fake_resp_server.py, the same four ways, and
#      the shapes redis-cli cannot print against the text we promise;
#   3. commands piped on stdin (quoting, escapes, repeat counts, invalid
#      lines), -n, -a with a password-protected server, connection refused;
#   4. "help <command>" for every command of a real redis-server, whose
#      COMMAND DOCS carry full argument trees, against redis-cli's own help;
#      and "help" on dblite against its COMMAND DOCS.
#
# Exit statuses are compared too, except where dblite-cli deliberately
# differs: an error reply makes it exit 1 (redis-cli 7.0.15 exits 0).

import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_harness as harness  # noqa: E402
from fake_resp_server import CANNED_REPLIES, FakeServer  # noqa: E402

checks = harness.Checks()

# Shapes hiredis 0.14 / redis-cli 7.0 cannot parse or print: ours only.
OWN_FORMS = {
    "big_number": ("(big number) 3492890328409238509324850943850943825024385\n",
                   "3492890328409238509324850943850943825024385\n"),
    "attribute": ("1) (integer) 1\n2) (integer) 2\n", "1\n2\n"),
    "blob_error": ("(error) SYNTAX invalid syntax\n", "SYNTAX invalid syntax\n\n"),
    "streamed_string": ('"Hello world"\n', "Hello world\n"),
    "streamed_array": ('1) (integer) 1\n2) "two"\n', "1\ntwo\n"),
}
ERROR_SHAPES = {"error", "blob_error"}


def both(port, args, stdin=b""):
    ours = harness.run([harness.CLI, "-p", str(port)] + args, stdin=stdin)
    theirs = harness.run(["redis-cli", "-p", str(port)] + args, stdin=stdin)
    return ours, theirs


def compare(name, port, args, error_reply=False, stdin=b""):
    ours, theirs = both(port, args, stdin)
    checks.check(name + ": stdout", theirs[0], ours[0])
    checks.check(name + ": stderr", theirs[1], ours[1])
    checks.check(name + ": exit status", 1 if error_reply else theirs[2], ours[2])


def compare_on_terminal(name, port, args):
    ours = harness.run_on_terminal([harness.CLI, "-p", str(port)] + args)
    theirs = harness.run_on_terminal(["redis-cli", "-p", str(port)] + args)
    checks.check(name + ": terminal output", theirs[0], ours[0])


def compare_all_forms(name, port, command, error_reply=False):
    for protocol in ([], ["-3"]):
        label = "%s%s" % (name, " -3" if protocol else "")
        compare(label + " (pipe)", port, protocol + command, error_reply)
        compare(label + " --no-raw", port, protocol + ["--no-raw"] + command, error_reply)
        compare(label + " --raw", port, protocol + ["--raw"] + command, error_reply)
        compare_on_terminal(label, port, protocol + command)


# ---- 1. real commands on dblite-server --------------------------------------

def optional_modules():
    """Data-type modules beyond the default config's, when built."""
    names = []
    for name in ("lists", "hashes", "sets"):
        if os.path.exists(os.path.join(harness.MODULE_PATH, name + ".so")):
            names += ["--load-module", name]
    return names


def start_dblite(extra=()):
    try:
        return harness.Server(extra_args=optional_modules() + list(extra)).start()
    except RuntimeError as error:
        print("# extra modules did not load, continuing without them: %s" % error)
        return harness.Server(extra_args=list(extra)).start()


def seed(port):
    setup = [
        ("SET", "greeting", "hello world"),
        ("SET", "escapes", b'q"b\\n\nr\rt\ta\x07b\x08z\x00\x01\x7f\xc3\xa9 end'),
        ("SET", "empty", ""),
        ("SET", "counter", "41"),
        ("SET", "float", "10.5"),
    ]
    for index in range(12):
        setup.append(("SET", "key:%02d" % index, "value %d" % index))
    for words in setup:
        harness.raw_command(port, *words)
    has = {}
    for command, words in (("lpush", ("RPUSH", "list", "a", "b", "c d", "")),
                           ("hset", ("HSET", "hash", "field", "value", "number", "7")),
                           ("sadd", ("SADD", "set", "only"))):
        reply = harness.raw_command(port, *words)
        has[command] = reply.startswith(b":")
    return has


def real_commands(has):
    commands = [
        ["PING"], ["PING", "hello there"], ["ECHO", "a\nb"],
        ["GET", "greeting"], ["GET", "escapes"], ["GET", "empty"], ["GET", "missing"],
        ["MGET"] + ["key:%02d" % n for n in range(12)] + ["missing"],
        ["KEYS", "key:0*"], ["DBSIZE"], ["EXISTS", "greeting", "missing"],
        ["INCRBY", "counter", "0"], ["INCRBYFLOAT", "float", "0"], ["STRLEN", "greeting"],
        ["TTL", "greeting"], ["TYPE", "greeting"], ["SCAN", "0", "MATCH", "key:1*", "COUNT", "1000"],
        ["COMMAND", "INFO", "get", "set", "nosuchcommand"], ["COMMAND", "DOCS", "get"],
        ["CONFIG", "GET", "maxclients"], ["INFO", "keyspace"], ["INFO", "nosuchsection"],
        ["SELECT", "0"],
    ]
    if has.get("lpush"):
        commands.append(["LRANGE", "list", "0", "-1"])
    if has.get("hset"):
        commands.append(["HGETALL", "hash"])
    if has.get("sadd"):
        commands.append(["SMEMBERS", "set"])
    return commands


ERROR_COMMANDS = [
    ["NOSUCHCOMMAND", "x", "y"], ["GET"], ["INCR", "greeting"], ["CONFIG", "NOSUCH"],
]


def test_real_commands():
    server = start_dblite()
    try:
        has = seed(server.port)
        for command in real_commands(has):
            compare_all_forms(" ".join(command)[:40], server.port, command)
        for command in ERROR_COMMANDS:
            compare_all_forms(" ".join(command)[:40], server.port, command, error_reply=True)
        test_piped_commands(server.port)
        test_databases(server.port)
        test_help_on_dblite(server.port)
    finally:
        server.stop()


# ---- 2. every reply shape of the fake server ----------------------------------

def test_fake_shapes():
    fake = FakeServer().start()
    try:
        for name in CANNED_REPLIES:
            command = ["CANNED", name]
            if name in OWN_FORMS:
                human, raw = OWN_FORMS[name]
                status = 1 if name in ERROR_SHAPES else 0
                out = harness.run([harness.CLI, "-p", str(fake.port), "--no-raw"] + command)
                checks.check("%s --no-raw (ours)" % name, (human.encode(), b"", status), out)
                out = harness.run([harness.CLI, "-p", str(fake.port)] + command)
                checks.check("%s raw (ours)" % name, (raw.encode(), b"", status), out)
                screen, _ = harness.run_on_terminal([harness.CLI, "-p", str(fake.port)] + command)
                checks.check("%s terminal (ours)" % name, human.replace("\n", "\r\n").encode(),
                             screen)
                continue
            compare_all_forms("shape " + name, fake.port, command,
                              error_reply=name in ERROR_SHAPES)
    finally:
        fake.stop()


# ---- 3. stdin, databases, passwords, connection errors ------------------------

PIPED_SCRIPT = b"""SET p1 a
SET p2 "b c"
GET p1
  GET   p2
SET q "a\\x41\\"b\\\\c\\n\\t\\r\\xZZ\\x4"
GET q
SET s 'it\\'s \\n literal'
GET s
SET mixed mid"dle quoted"
GET mixed
SET "" ''
GET ""
"unbalanced quote
SET bad "closed"trailing
3 INCR piped:counter
INCR piped:counter
NOSUCHCOMMAND arg
DEL p1 p2 q s mixed "" piped:counter

PING
"""


def test_piped_commands(port):
    for mode in ([], ["--no-raw"]):
        label = "piped commands" + (" --no-raw" if mode else "")
        ours, theirs = both(port, mode, stdin=PIPED_SCRIPT)
        checks.check(label + ": stdout", theirs[0], ours[0])
        checks.check(label + ": stderr", theirs[1], ours[1])
        checks.check(label + ": exit 1 after error replies", 1, ours[2])
    clean = b"SET clean 1\nGET clean\nDEL clean\nquit\nGET never-run\n"
    ours, theirs = both(port, [], stdin=clean)
    checks.check("piped commands stop at quit", theirs[0], ours[0])
    checks.check("piped commands without errors exit 0", 0, ours[2])
    # Pipelining must not change the order or count of replies.
    many = b"".join(b"INCR piped:many\n" for _ in range(5000)) + b"GET piped:many\nDEL piped:many\n"
    ours = harness.run([harness.CLI, "-p", str(port)], stdin=many)
    expected = b"".join(b"%d\n" % n for n in range(1, 5001)) + b"5000\n1\n"
    checks.check("5000 piped INCR replies in order", expected, ours[0])


def test_databases(port):
    compare("-n 3 SET", port, ["-n", "3", "SET", "in3", "three"])
    compare("-n 3 GET", port, ["-n", "3", "--no-raw", "GET", "in3"])
    compare("db 0 does not see db 3", port, ["--no-raw", "GET", "in3"])
    compare("-n 3 DBSIZE", port, ["-n", "3", "DBSIZE"])
    compare("-n 99 (out of range) reports the failed SELECT", port, ["-n", "99", "PING"])
    compare("piped SELECT then GET", port, ["--no-raw"],
            stdin=b"SELECT 3\nGET in3\nDBSIZE\nINFO keyspace\n")


def test_password():
    server = start_dblite(["--requirepass", "s3cret"])
    try:
        port = server.port
        compare("-a right password", port, ["-a", "s3cret", "--no-auth-warning", "PING"])
        compare("-a right password, RESP3 and a database", port,
                ["-a", "s3cret", "--no-auth-warning", "-3", "-n", "2", "--no-raw", "PING"])
        compare("no password: NOAUTH", port, ["PING"], error_reply=True)
        compare("-a wrong password", port, ["-a", "wrong", "--no-auth-warning", "PING"],
                error_reply=True)
        ours = harness.run([harness.CLI, "-p", str(port), "-a", "s3cret", "PING"])
        checks.check("-a prints the command-line password warning",
                     (b"PONG\n", b"Warning: Using a password with '-a' option on the command "
                      b"line interface may not be safe.\n", 0), ours)
        env = dict(os.environ, DBLITE_CLI_AUTH="s3cret")
        ours = harness.run([harness.CLI, "-p", str(port), "PING"], env=env)
        checks.check("DBLITE_CLI_AUTH authenticates without a warning", (b"PONG\n", b"", 0), ours)
        ours = harness.run([harness.CLI, "-p", str(port)],
                           stdin=b"PING\nAUTH s3cret\nPING\n")
        checks.check("AUTH typed on stdin", b"NOAUTH Authentication required.\n\nOK\nPONG\n",
                     ours[0])
    finally:
        server.stop()


def test_connection_refused():
    port = harness.free_port()
    compare("connection refused, one-shot", port, ["PING"])
    ours, theirs = both(port, [], stdin=b"PING\n")
    checks.check("connection refused, piped: stdout", theirs[0], ours[0])
    checks.check_true("connection refused, piped: says so on stderr",
                      b"Could not connect to Redis at 127.0.0.1:%d: Connection refused" % port
                      in ours[1], ours[1])
    checks.check("connection refused, piped: exit 1", 1, ours[2])
    out = harness.run([harness.CLI, "-p", "notaport", "PING"])
    checks.check("bad port is refused", 1, out[2])
    out = harness.run([harness.CLI, "--bogus"])
    checks.check("unknown option: redis-cli's message",
                  (b"", b"Unrecognized option or bad number of args for: '--bogus'\n", 1), out)


# ---- 4. help ---------------------------------------------------------------------

def test_help_against_redis():
    server = harness.Server(binary=shutil.which("redis-server")).start()
    try:
        port = server.port
        names = harness.raw_command(port, "COMMAND", "LIST")
        commands = sorted(set(re.findall(rb"\$\d+\r\n([a-z0-9|_-]+)\r\n", names)))
        mismatches = []
        for name in commands:
            if b"|" in name:
                continue  # subcommands are covered by "help <container>"
            ours, theirs = both(port, ["help", name.decode()])
            if ours[:2] != theirs[:2]:
                mismatches.append((name, ours[0][:300], theirs[0][:300]))
        checks.check_true("help for all %d redis-server commands matches redis-cli" % len(commands),
                          len(commands) > 200 and not mismatches, mismatches[:3])
        for topic in (["@string"], ["@sorted-set"], ["config"], ["client", "kill"], ["nosuch"]):
            compare("help " + " ".join(topic), port, ["help"] + topic)
    finally:
        server.stop()


def test_help_on_dblite(port):
    """dblite's COMMAND DOCS (fetched here directly) rendered the way
    redis-cli renders its help."""
    reply = harness.raw_command(port, "COMMAND", "DOCS", "get")
    summary = re.search(rb"summary\r\n\$\d+\r\n([^\r]*)\r\n", reply)
    since = re.search(rb"since\r\n\$\d+\r\n([^\r]*)\r\n", reply)
    group = re.search(rb"group\r\n\$\d+\r\n([^\r]*)\r\n", reply)
    usage = re.search(rb"name\r\n\$\d+\r\n([^\r]*)\r\n", reply)
    if not (summary and since and group and usage):
        checks.check_true("COMMAND DOCS get has summary, since, group, arguments", False, reply)
        return
    expected = (b"\r\n  \x1b[1mGET\x1b[0m \x1b[90m" + usage.group(1) + b"\x1b[0m\r\n"
                b"  \x1b[33msummary:\x1b[0m " + summary.group(1) + b"\r\n"
                b"  \x1b[33msince:\x1b[0m " + since.group(1) + b"\r\n"
                b"  \x1b[33mgroup:\x1b[0m " + group.group(1) + b"\r\n\r\n")
    ours = harness.run([harness.CLI, "-p", str(port), "help", "GET"])
    checks.check("help GET from dblite's COMMAND DOCS", (expected, b"", 0), ours)
    ours = harness.run([harness.CLI, "-p", str(port), "help"])
    checks.check_true("help alone prints the guide", b'"help <command>"' in ours[0], ours[0])


def main():
    harness.require_tools("redis-cli", "redis-server")
    test_real_commands()
    test_fake_shapes()
    test_password()
    test_connection_refused()
    test_help_against_redis()
    checks.finish()


if __name__ == "__main__":
    main()
