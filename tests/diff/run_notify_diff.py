#!/usr/bin/env python3
# run_notify_diff.py - differential test of keyspace notifications: the same
# scripts run against a stock redis-server and dblite-server while two
# subscribers (one RESP2, one RESP3) hold PSUBSCRIBE __key*__:*, and every
# message they receive is compared byte for byte, in order, command by
# command.  The commands run on a RESP3 connection subscribed the same way,
# whose whole output is compared too: the replies, and where the command's
# own notifications fall among them.
#
# Usage: run_notify_diff.py [options] [SCRIPT...]  (default tests/diff/notify/*.txt)
#
# Scripts use the case files' quoting (case_file.py), one command a line,
# and these directives alone on a line:
#   !flags LETTERS   CONFIG SET notify-keyspace-events LETTERS ("" for none)
#   !sleep MS        wait MS milliseconds (let a TTL pass)
#   !wait EVENT      read messages until one for EVENT arrives (active
#                    expiry: "!wait expired"), at most WAIT_TIMEOUT seconds
#   !async CMD       send CMD on a second connection without reading its
#                    reply (a blocking command); !recv reads and compares it
#   !blocked N       poll INFO until N clients are blocked
#   !other CMD       run CMD on the second connection, which is not
#                    subscribed (MULTI ... EXEC, whose replies would mix
#                    with the command connection's own notifications)
#   !batch ... !end  the messages of the steps between are compared as one
#                    sequence (a key given a 1 ms TTL may expire before or
#                    after the next command's mark, by timing alone)
# and the prefix "!ignore CMD" runs a command whose reply is not compared
# (SPOP's member); its events still are.
#
# After each command a PUBLISH on __keysync__:<n> (which the pattern also
# matches) marks the end of that command's messages: the server is single
# threaded, so every event the command emitted is delivered before it, and
# no test waits a fixed time for a message.  Each script runs on a FLUSHALLed
# server with notifications off and new subscribers.  Exits 1 on any
# mismatch, 2 on a setup problem.  Standard library only.

import argparse
import glob
import os
import shutil
import socket
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from case_file import CaseSyntaxError, split_arguments  # noqa: E402
from resp_wire import ProtocolError, ReplyReader, encode_command, escape  # noqa: E402
from server_runner import ServerProcess, is_redis_binary  # noqa: E402

REPLY_TIMEOUT = 20.0
WAIT_TIMEOUT = 30.0
PATTERN = b"__key*__:*"
SYNC_PREFIX = b"__keysync__:"


class SetupError(Exception):
    pass


class Step:
    def __init__(self, path, line_number, text, kind, arguments=None, value=None, ignore=False):
        self.path = path
        self.line_number = line_number
        self.text = text
        self.kind = kind  # "command", "sleep", "wait", "async", "recv", "blocked"
        self.arguments = arguments
        self.value = value
        self.ignore = ignore


def parse_script(path):
    steps = []
    with open(path, encoding="utf-8") as stream:
        for line_number, raw in enumerate(stream, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            word, _, rest = line.partition(" ")
            rest = rest.strip()
            try:
                if word == "!flags":
                    letters = split_arguments(rest) or [b""]
                    steps.append(Step(path, line_number, line, "command",
                                      [b"CONFIG", b"SET", b"notify-keyspace-events", letters[0]]))
                elif word == "!sleep":
                    steps.append(Step(path, line_number, line, "sleep", value=int(rest)))
                elif word == "!wait":
                    steps.append(Step(path, line_number, line, "wait", value=rest.encode()))
                elif word == "!async":
                    steps.append(Step(path, line_number, rest, "async", split_arguments(rest)))
                elif word == "!other":
                    steps.append(Step(path, line_number, rest, "other", split_arguments(rest)))
                elif word == "!recv":
                    steps.append(Step(path, line_number, line, "recv"))
                elif word == "!blocked":
                    steps.append(Step(path, line_number, line, "blocked", value=int(rest)))
                elif word in ("!batch", "!end"):
                    steps.append(Step(path, line_number, line, word[1:]))
                elif word == "!ignore":
                    steps.append(Step(path, line_number, rest, "command", split_arguments(rest),
                                      ignore=True))
                elif word.startswith("!"):
                    raise CaseSyntaxError("unknown directive %s" % word)
                else:
                    steps.append(Step(path, line_number, line, "command", split_arguments(line)))
            except (CaseSyntaxError, ValueError) as error:
                raise CaseSyntaxError("%s:%d: %s" % (path, line_number, error)) from error
    return steps


class Connection:
    def __init__(self, server, protocol=2):
        self.server = server
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=REPLY_TIMEOUT)
        self.sock.settimeout(REPLY_TIMEOUT)
        self.reader = ReplyReader(self.sock)
        if protocol == 3:
            reply = self.call([b"HELLO", b"3"])
            if not reply.startswith(b"%"):
                raise SetupError("%s refused HELLO 3: %s" % (server.name, escape(reply)))

    def call(self, arguments):
        self.sock.sendall(encode_command(arguments))
        return self.reader.read_reply()

    def read(self):
        return self.reader.read_reply()

    def close(self):
        self.sock.close()


def message_parts(raw):
    """The elements of a pmessage (as bytes): [kind, pattern, channel, payload]."""
    parts = []
    position = raw.find(b"\r\n") + 2
    while position < len(raw):
        end = raw.find(b"\r\n", position)
        length = int(raw[position + 1:end])
        start = end + 2
        parts.append(raw[start:start + length])
        position = start + length + 2
    return parts


def is_event(raw, event):
    parts = message_parts(raw)
    if len(parts) != 4:
        return False
    channel, payload = parts[2], parts[3]
    if channel.startswith(b"__keyspace@"):
        return payload == event
    return channel.startswith(b"__keyevent@") and channel.endswith(b"__:" + event)


class Side:
    """One server and its connections: the command connection, which is a
    RESP3 subscriber itself (so the order of a command's reply and its own
    notifications is compared too), two plain subscribers (RESP2, RESP3),
    a second client for blocking commands and one for polling INFO."""

    STREAMS = ("RESP2", "RESP3", "RESP3 self")

    def __init__(self, server):
        self.server = server
        self.commands = None
        self.other = None
        self.probe = None
        self.subscribers = []

    def open(self):
        self.probe = Connection(self.server)
        for reply in (self.probe.call([b"CONFIG", b"SET", b"notify-keyspace-events", b""]),
                      self.probe.call([b"FLUSHALL"])):
            if reply != b"+OK\r\n":
                raise SetupError("%s: setup answered %s" % (self.server.name, escape(reply)))
        self.other = Connection(self.server)
        self.commands = Connection(self.server, 3)
        self.subscribers = [Connection(self.server, 2), Connection(self.server, 3)]
        for subscriber in self.subscribers + [self.commands]:
            reply = subscriber.call([b"PSUBSCRIBE", PATTERN])
            if b"psubscribe" not in reply:
                raise SetupError("%s: PSUBSCRIBE answered %s" % (self.server.name, escape(reply)))

    def close(self):
        for connection in [self.commands, self.other, self.probe] + self.subscribers:
            if connection:
                connection.close()
        self.commands, self.other, self.probe, self.subscribers = None, None, None, []

    def streams(self):
        return self.subscribers + [self.commands]

    def wait_blocked(self, count):
        deadline = time.monotonic() + WAIT_TIMEOUT
        wanted = b"blocked_clients:%d\r\n" % count
        while wanted not in self.probe.call([b"INFO", b"clients"]):
            if time.monotonic() > deadline:
                raise SetupError("%s: never had %d blocked clients" % (self.server.name, count))
            time.sleep(0.01)

    def send(self, arguments):
        self.commands.sock.sendall(encode_command(arguments))

    def messages_until_sync(self, sequence):
        """Publishes the sync mark; what each stream received before it (the
        command connection's stream holds the replies of what it sent)."""
        channel = SYNC_PREFIX + str(sequence).encode()
        self.send([b"PUBLISH", channel, b"sync"])
        received = []
        for stream in self.streams():
            messages = []
            while True:
                raw = stream.read()
                if channel in raw and raw.endswith(b"sync\r\n"):
                    break
                messages.append(raw)
            received.append(messages)
        self.commands.read()  # PUBLISH's own reply, after its push
        return received

    def wait_for(self, event):
        """Messages up to and including the first for event, per stream
        (the caller then reads the rest up to a sync mark)."""
        received = []
        deadline = time.monotonic() + WAIT_TIMEOUT
        for stream in self.streams():
            messages = []
            while True:
                stream.sock.settimeout(max(0.1, deadline - time.monotonic()))
                try:
                    raw = stream.read()
                except ProtocolError:
                    messages.append(b"(no such event within %ds)" % WAIT_TIMEOUT)
                    break
                messages.append(raw)
                if is_event(raw, event):
                    break
            stream.sock.settimeout(REPLY_TIMEOUT)
            received.append(messages)
        return received


def pushes_only(messages):
    return [raw for raw in messages if raw[:1] == b">"]


def replies_only(messages):
    return [raw for raw in messages if raw[:1] != b">"]


class Tally:
    def __init__(self):
        self.compared = 0
        self.mismatches = 0


def show(messages):
    """One line a message: its elements, or the raw bytes when not a pmessage."""
    lines = []
    for raw in messages:
        parts = message_parts(raw) if raw[:1] in b"*>" else []
        text = " ".join(escape(part) for part in parts) if len(parts) == 4 else escape(raw)
        lines.append("        %s %s" % (raw[:1].decode("latin-1"), text))
    return "\n".join(lines) or "        (none)"


def compare_messages(path, step, what, received, tally):
    """received: per side (redis, dblite), per stream (Side.STREAMS)."""
    for stream, redis_messages, dblite_messages in zip(Side.STREAMS, received[0], received[1]):
        tally.compared += 1
        if redis_messages != dblite_messages:
            tally.mismatches += 1
            print("MISMATCH %s:%d [%s] %s %s\n    redis:\n%s\n    dblite:\n%s" % (
                path, step.line_number, stream, what, step.text, show(redis_messages),
                show(dblite_messages)))


def run_script(path, steps, sides, tally, verbose):
    for side in sides:
        side.open()
    try:
        sequence = 0
        batch = None  # (first step, messages per side and stream) inside !batch
        for step in steps:
            if step.kind == "batch":
                batch = (step, [[[] for _ in Side.STREAMS] for _ in sides])
                continue
            if step.kind == "end":
                if batch:
                    compare_messages(path, batch[0], "events from", batch[1], tally)
                batch = None
                continue
            if step.kind == "sleep":
                time.sleep(step.value / 1000.0)
                continue
            if step.kind == "blocked":
                for side in sides:
                    side.wait_blocked(step.value)
                continue
            if step.kind == "async":
                for side in sides:
                    side.other.sock.sendall(encode_command(step.arguments))
                continue
            replies = [[], []]
            if step.kind == "command":
                for side in sides:
                    side.send(step.arguments)
            elif step.kind == "recv":
                replies = [[side.other.read()] for side in sides]
            elif step.kind == "other":
                replies = [[side.other.call(step.arguments)] for side in sides]
            else:
                waited = [side.wait_for(step.value) for side in sides]
            sequence += 1
            received = [side.messages_until_sync(sequence) for side in sides]
            if step.kind == "wait":
                for side_waited, side_received in zip(waited, received):
                    for mine, rest in zip(side_waited, side_received):
                        mine.extend(rest)
                received = waited
            if step.kind == "command":
                # The command's replies are on the command connection's stream.
                replies = [replies_only(side_received[-1]) for side_received in received]
                if step.ignore:
                    for side_received in received:
                        side_received[-1] = pushes_only(side_received[-1])
            if verbose:
                print("%s:%d %s -> %s" % (os.path.basename(path), step.line_number, step.text,
                                          " ".join(escape(r) for r in replies[0])))
                print(show(received[0][0]))
            if step.kind in ("command", "recv", "other") and not step.ignore:
                tally.compared += 1
                if replies[0] != replies[1]:
                    tally.mismatches += 1
                    print("MISMATCH %s:%d reply of %s\n    redis:  %s\n    dblite: %s" % (
                        path, step.line_number, step.text, show(replies[0]), show(replies[1])))
            if batch:
                for side_messages, side_received in zip(batch[1], received):
                    for messages, more in zip(side_messages, side_received):
                        messages.extend(more)
            else:
                compare_messages(path, step, "events of", received, tally)
    finally:
        for side in sides:
            side.close()


def default_paths():
    source_dir = os.environ.get("DBLITE_SOURCE_DIR") or os.path.dirname(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    config_dir = os.environ.get("DBLITE_CONFIG_DIR") or os.path.join(source_dir, "config")
    binary = os.environ.get("DBLITE_SERVER") or os.path.join(source_dir, "build", "dblite-server")
    module_path = os.environ.get("DBLITE_MODULE_PATH") or os.path.join(
        os.path.dirname(binary), "modules")
    return source_dir, config_dir, binary, module_path


def parse_arguments():
    source_dir, config_dir, binary, module_path = default_paths()
    parser = argparse.ArgumentParser(
        description="Compare dblite-server's keyspace notifications with redis-server's.")
    parser.add_argument("scripts", nargs="*", help="scripts (default tests/diff/notify/*.txt)")
    parser.add_argument("--dblite", default=binary, help="server under test (%(default)s)")
    parser.add_argument("--config", default=os.path.join(config_dir, "dblite.ini"),
                        help="its config file (%(default)s)")
    parser.add_argument("--module-path", default=module_path, help="its modules (%(default)s)")
    parser.add_argument("--redis", default=shutil.which("redis-server"),
                        help="reference redis-server (%(default)s)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print every command and redis-server's messages")
    options = parser.parse_args()
    for name in ("dblite", "config", "module_path", "redis"):
        value = getattr(options, name)
        if value and os.sep in value:
            setattr(options, name, os.path.abspath(value))
    if not options.scripts:
        options.scripts = sorted(glob.glob(os.path.join(source_dir, "tests", "diff", "notify",
                                                        "*.txt")))
    return options


def main():
    options = parse_arguments()
    if not options.redis:
        print("run_notify_diff: redis-server not found in PATH (run scripts/install-deps.sh)")
        return 2
    if not os.access(options.dblite, os.X_OK):
        print("run_notify_diff: server under test %s is not executable" % options.dblite)
        return 2
    try:
        scripts = [(path, parse_script(path)) for path in options.scripts]
    except (OSError, CaseSyntaxError) as error:
        print("run_notify_diff: %s" % error)
        return 2
    if not scripts:
        print("run_notify_diff: no scripts")
        return 2
    redis_side = is_redis_binary(options.dblite)
    servers = [ServerProcess("redis", options.redis),
               ServerProcess("dblite", options.dblite,
                             config=None if redis_side else options.config,
                             module_path=None if redis_side else options.module_path)]
    sides = [Side(server) for server in servers]
    tally = Tally()
    status = 0
    try:
        for server in servers:
            server.start()
        for path, steps in scripts:
            compared, mismatches = tally.compared, tally.mismatches
            run_script(path, steps, sides, tally, options.verbose)
            print("run_notify_diff: %s: %d comparisons, %d mismatches" % (
                os.path.basename(path), tally.compared - compared, tally.mismatches - mismatches))
    except (RuntimeError, SetupError, ProtocolError, OSError) as error:
        print("run_notify_diff: %s" % error)
        for server in servers:
            if not server.alive():
                print("%s died:\n%s" % (server.name, server.log_tail()))
        status = 2
    finally:
        for server in servers:
            exit_status = server.stop()
            if status == 0 and exit_status not in (0, None):
                print("run_notify_diff: %s exited with status %s on SIGTERM" % (
                    server.name, exit_status))
                status = 2
    print("run_notify_diff: %d scripts, %d comparisons, %d mismatches" % (
        len(scripts), tally.compared, tally.mismatches))
    if status == 0 and tally.mismatches:
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
