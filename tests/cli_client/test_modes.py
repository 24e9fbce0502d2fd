#!/usr/bin/env python3
# test_modes.py - dblite-cli's other modes against a real dblite-server:
#
#   --pipe   100,000 SET commands in RESP: the same report as redis-cli
#            --pipe, every key stored; a stream with errors reports them
#            (stderr, count, exit status) exactly like redis-cli;
#   --stat   the header and two lines, in redis-cli's columns, with the
#            server's real numbers; the header again every 20 lines;
#   the interactive prompt, driven through a pseudo-terminal the way a
#            person types: prompt, replies, tab completion of a command
#            prefix, the usage hint, help, [db] in the prompt, the history
#            file (and no AUTH in it), and reconnection after the server
#            is killed and restarted on the same port.

import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_harness as harness  # noqa: E402

checks = harness.Checks()
KEY_COUNT = 100000


def set_commands(count):
    return b"".join(harness.encode("SET", "key:%09d" % n, "value-%d" % n) for n in range(count))


def info_field(port, section, field):
    text = harness.raw_command(port, "INFO", section).decode("utf-8", "replace")
    found = re.search(r"^%s:(\S+)" % re.escape(field), text, re.M)
    return found.group(1) if found else None


def test_pipe(server):
    port = server.port
    data = set_commands(KEY_COUNT)
    started = time.monotonic()
    ours = harness.run([harness.CLI, "-p", str(port), "--pipe"], stdin=data)
    elapsed = time.monotonic() - started
    print("# --pipe of %d commands took %.2f s" % (KEY_COUNT, elapsed))
    expected = (b"All data transferred. Waiting for the last reply...\n"
                b"Last reply received from server.\n"
                b"errors: 0, replies: %d\n" % KEY_COUNT)
    checks.check("--pipe report", (expected, b"", 0), ours)
    checks.check("--pipe stored every key", b":%d\r\n" % KEY_COUNT,
                 harness.raw_command(port, "DBSIZE"))
    for n in (0, 1, 4242, KEY_COUNT - 1):
        checks.check("--pipe value of key %d" % n, b"$%d\r\nvalue-%d\r\n" % (len("value-%d" % n), n),
                     harness.raw_command(port, "GET", "key:%09d" % n))
    theirs = harness.run(["redis-cli", "-p", str(port), "--pipe"], stdin=data)
    checks.check("--pipe output identical to redis-cli's", theirs, ours)

    with_errors = (harness.encode("SET", "a", "1") + harness.encode("NOSUCHCOMMAND", "x") +
                   harness.encode("GET") + harness.encode("GET", "a"))
    ours = harness.run([harness.CLI, "-p", str(port), "--pipe"], stdin=with_errors)
    theirs = harness.run(["redis-cli", "-p", str(port), "--pipe"], stdin=with_errors)
    checks.check("--pipe with error replies, as redis-cli", theirs, ours)
    checks.check_true("--pipe with errors counts them and exits 1",
                      b"errors: 2, replies: 4" in ours[0] and ours[2] == 1, ours)
    ours = harness.run([harness.CLI, "-p", str(port), "--pipe"], stdin=b"")
    checks.check("--pipe of nothing", (b"All data transferred. Waiting for the last reply...\n"
                                       b"Last reply received from server.\n"
                                       b"errors: 0, replies: 0\n", b"", 0), ours)
    harness.raw_command(port, "FLUSHALL")


STAT_HEADER = (b"------- data ------ --------------------- load -------------------- - child -\n"
               b"keys       mem      clients blocked requests            connections          \n")
STAT_LINE = re.compile(rb"^(\S+ +)(\S+ +)(\S+ +)(\S+ +)(\d+ \(\+\d+\) +)(\S+ +)$")


def read_stat_lines(argv, count, timeout=20):
    """Starts argv with stdout on a terminal and returns its first lines."""
    terminal = harness.Terminal(argv)
    deadline = time.monotonic() + timeout
    while terminal.output.count(b"\n") < count and time.monotonic() < deadline:
        if terminal._read_some(0.2) is None:
            break
    terminal.close()
    return terminal.output.replace(b"\r\n", b"\n").split(b"\n")[:count]


def test_stat(server):
    port = server.port
    for n in range(25):
        harness.raw_command(port, "SET", "stat:%d" % n, "x")
    harness.raw_command(port, "SELECT", "1")
    ours = read_stat_lines([harness.CLI, "-p", str(port), "--stat", "-i", "0.2"], 4)
    checks.check("--stat header", STAT_HEADER.split(b"\n")[:2], ours[:2])
    theirs = read_stat_lines(["redis-cli", "-p", str(port), "--stat", "-i", "0.2"], 4)
    checks.check("--stat header is redis-cli's", theirs[:2], ours[:2])
    lines = ours[2:4]
    parsed = [STAT_LINE.match(line) for line in lines]
    checks.check_true("--stat prints two data lines in columns", all(parsed) and len(lines) == 2,
                      lines)
    if not all(parsed) or len(lines) != 2:
        return
    widths = [len(part) for part in parsed[0].groups()]
    checks.check("--stat column widths", [11, 9, 8, 8, 20, 12], widths)
    their_parsed = [STAT_LINE.match(line) for line in theirs[2:4]]
    if all(their_parsed):
        checks.check("--stat column widths are redis-cli's",
                     [len(part) for part in their_parsed[0].groups()], widths)
    keys = [match.group(1).strip() for match in parsed]
    checks.check("--stat keys is the keyspace total", [b"25", b"25"], keys)
    first = re.match(rb"(\d+) \(\+(\d+)\)", parsed[0].group(5).strip())
    second = re.match(rb"(\d+) \(\+(\d+)\)", parsed[1].group(5).strip())
    checks.check("--stat first line shows +0 requests", b"0", first.group(2))
    checks.check("--stat requests grow by the INFO in between",
                 (int(first.group(1)) + 1, b"1"), (int(second.group(1)), second.group(2)))
    memory = parsed[0].group(2).strip()
    checks.check_true("--stat memory in human units", re.match(rb"^\d+(\.\d\d[KMGTP])?B?$", memory),
                      memory)
    used = int(info_field(port, "memory", "used_memory") or 0)
    checks.check_true("--stat memory near used_memory",
                      abs(human_to_bytes(memory) - used) <= max(used // 5, 64 * 1024),
                      (memory, used))
    checks.check("--stat clients", b"1", parsed[0].group(3).strip())
    many = read_stat_lines([harness.CLI, "-p", str(port), "--stat", "-i", "0.02"], 46)
    checks.check("--stat repeats the header every 20 lines",
                 [STAT_HEADER.split(b"\n")[:2]] * 3, [many[0:2], many[22:24], many[44:46]])
    checks.check_true("--stat lines between headers are data lines",
                      all(STAT_LINE.match(line) for line in many[2:22] + many[24:44]), many)
    harness.raw_command(port, "FLUSHALL")


def human_to_bytes(text):
    units = {b"B": 1, b"K": 1024, b"M": 1024 ** 2, b"G": 1024 ** 3}
    return int(float(text[:-1]) * units[text[-1:]])


# ---- the interactive prompt ------------------------------------------------------

def test_interactive(server, history_dir):
    port = server.port
    history = os.path.join(history_dir, "history")
    env = dict(os.environ, DBLITE_CLI_HISTFILE=history, TERM="xterm", HOME=history_dir)
    prompt = "127.0.0.1:%d> " % port
    term = harness.Terminal([harness.CLI, "-p", str(port)], env=env)
    try:
        checks.check_true("prompt shown", term.expect(re.escape(prompt)), term.output)

        mark = term.mark()
        term.send('SET greeting "hello world"\r')
        checks.check_true("SET at the prompt", term.expect_after(mark, rb"OK\r\n"), term.output[mark:])
        mark = term.mark()
        term.send("GET greeting\r")
        checks.check_true("GET shows the quoted string",
                          term.expect_after(mark, rb'"hello world"\r\n'), term.output[mark:])

        # libedit redraws only what changed: completing PIN shows "G ".
        mark = term.mark()
        term.send("PIN\t")
        checks.check_true("Tab completes a command prefix (PIN -> PING)",
                          term.expect_after(mark, rb"G "), term.output[mark:])
        term.send("\r")
        checks.check_true("the completed command runs (PONG, not an unknown PIN)",
                          term.expect_after(mark, rb"PONG\r\n"), term.output[mark:])

        mark = term.mark()
        term.send("ech\t")
        checks.check_true("completion keeps the user's lower case (ech -> echo)",
                          term.expect_after(mark, rb"o "), term.output[mark:])
        term.send("x\r")
        checks.check_true("completed echo runs", term.expect_after(mark, rb'"x"\r\n'),
                          term.output[mark:])

        mark = term.mark()
        term.send("GET k\t")
        checks.check_true("Tab in the arguments shows the usage hint",
                          term.expect_after(mark, rb"\r\n  GET key\r\n"), term.output[mark:])
        term.send("\x15")  # ^U: drop the half-typed line
        term.send("\r")

        mark = term.mark()
        term.send("help GET\r")
        checks.check_true("help GET shows the summary",
                          term.expect_after(mark, rb"(?s)GET\x1b\[0m \x1b\[90mkey\x1b\[0m.*summary:"
                                                  rb".*since:.*group:\x1b\[0m string"),
                          term.output[mark:])

        mark = term.mark()
        term.send('SET "unbalanced\r')
        checks.check_true("unbalanced quotes", term.expect_after(mark, rb"Invalid argument\(s\)"),
                          term.output[mark:])

        mark = term.mark()
        term.send("AUTH not-a-password\r")
        term.expect_after(mark, rb"\(error\)")

        mark = term.mark()
        term.send("SELECT 2\r")
        checks.check_true("prompt shows the database",
                          term.expect_after(mark, re.escape("127.0.0.1:%d[2]> " % port)),
                          term.output[mark:])
        mark = term.mark()
        term.send("SELECT 0\r")
        term.expect_after(mark, rb"OK\r\n" + re.escape(prompt).encode())

        # The server goes away and comes back on the same port.
        server.restart()
        mark = term.mark()
        term.send("GET greeting\r")
        reconnected = term.expect_after(
            mark, rb"(?s)Connection to 127\.0\.0\.1:%d lost, reconnecting\.\.\.\r\n"
                  rb"Reconnected to 127\.0\.0\.1:%d\.\r\n\(nil\)\r\n" % (port, port))
        checks.check_true("reconnects after a server restart and runs the command", reconnected,
                          term.output[mark:])

        server.kill()
        mark = term.mark()
        term.send("PING\r")
        checks.check_true("a server that is down is reported",
                          term.expect_after(mark, rb"Could not connect to Redis at 127\.0\.0\.1:%d"
                                                  % port), term.output[mark:])
        checks.check_true("prompt says not connected",
                          term.expect_after(mark, rb"not connected> "), term.output[mark:])
        server.start(port=port)
        mark = term.mark()
        term.send("PING\r")
        checks.check_true("the next command connects again",
                          term.expect_after(mark, rb"PONG\r\n"), term.output[mark:])

        term.send("quit\r")
        status = term.read_until_exit()
        checks.check("quit exits 0", 0, status)
    finally:
        term.close()

    try:
        with open(history) as file:
            lines = file.read().splitlines()
    except OSError as error:
        lines = [str(error)]
    expected = ['SET greeting "hello world"', "GET greeting", "PING", "echo x", "help GET",
                'SET "unbalanced', "SELECT 2", "SELECT 0", "GET greeting", "PING", "PING"]
    checks.check("history file holds the commands (not AUTH, not quit)", expected,
                 [line.rstrip() for line in lines])
    mode = os.stat(history).st_mode & 0o777 if os.path.exists(history) else None
    checks.check("history file is private", 0o600, mode)

    # A new session starts with that history: Up arrow recalls it.
    term = harness.Terminal([harness.CLI, "-p", str(port)], env=env)
    try:
        term.expect(re.escape(prompt))
        mark = term.mark()
        term.send("\x1b[A")
        checks.check_true("history is loaded by the next session (Up shows PING)",
                          term.expect_after(mark, rb"PING"), term.output[mark:])
        term.send("\x15exit\r")
        checks.check("exit exits 0", 0, term.read_until_exit())
    finally:
        term.close()


def main():
    harness.require_tools("redis-cli")
    server = harness.Server().start()
    history_dir = tempfile.mkdtemp(prefix="dblite-cli-history-")
    try:
        test_pipe(server)
        test_stat(server)
        test_interactive(server, history_dir)
    finally:
        server.stop()
        for name in os.listdir(history_dir):
            os.remove(os.path.join(history_dir, name))
        os.rmdir(history_dir)
    checks.finish()


if __name__ == "__main__":
    main()
