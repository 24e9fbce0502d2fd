# app_support.py - what every application test in tests/apps shares: the
# server it runs against, and the verdict when that server lacks commands.
#
# Why: these tests drive real applications (RQ, Celery, django-redis,
# redis-py, ...) through their own libraries.  Some of them need commands
# dblite does not have yet (sorted sets, scripting: later issues).  Such a
# test must neither pass by accident nor fail for the wrong reason, so each
# one declares the commands it needs that might be absent; the server is
# asked (COMMAND INFO) which of them it lacks, and then:
#   - none missing: the application must work, fully (exit 0);
#   - some missing: the application must fail, and every "unknown command"
#     error it met must name one of the missing commands (at least one
#     must); the test prints "needs: a b c" and exits 77, ctest's skip code
#     (SKIP_RETURN_CODE in apps.cmake).  Any other failure is a failure.
#
# The same test runs against a stock redis-server 7.0 (where everything
# must pass) with --server redis, or DBLITE_APPS_SERVER=redis, or a path
# to a redis-server binary; the default is dblite-server from the build.

import argparse
import gc
import os
import re
import shutil
import socket
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "diff"))

from resp_wire import ReplyReader, encode_command  # noqa: E402
from run_diff import default_paths  # noqa: E402
from server_runner import ServerProcess  # noqa: E402

SKIP = 77
TIMEOUT = 120.0
UNKNOWN_COMMAND = re.compile(r"unknown command '([^']*)'", re.IGNORECASE)


class AppFailure(Exception):
    """The application did not do what the scenario expected."""


def check(condition, what):
    if not condition:
        raise AppFailure(what)


def poll(condition, what, timeout=TIMEOUT):
    """Waits until condition() is true (generous limit: loaded machines)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AppFailure("timed out waiting for " + what)


def parse_arguments(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--server", default=os.environ.get("DBLITE_APPS_SERVER", "dblite"),
                        help="dblite (default), redis, or the path of a server binary")
    parser.add_argument("--list-commands", action="store_true",
                        help="print every command the application sent (through MONITOR: "
                        "use with --server redis) to find what it needs")
    return parser.parse_args()


def start_server(choice):
    """A started ServerProcess for dblite (default config) or redis-server."""
    _, config_dir, binary, module_path = default_paths()
    if choice == "dblite":
        return ServerProcess("dblite", os.path.abspath(binary),
                             os.path.join(config_dir, "dblite.ini"), os.path.abspath(module_path))
    if choice == "redis":
        choice = shutil.which("redis-server")
        if not choice:
            raise SystemExit("redis-server not found (scripts/install-deps.sh installs it)")
    name = "redis" if os.path.basename(choice).startswith("redis-server") else "server"
    return ServerProcess(name, os.path.abspath(choice))


def call(port, *arguments):
    """One command over a raw socket; the raw RESP2 reply bytes."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(encode_command([a if isinstance(a, bytes) else str(a).encode()
                                     for a in arguments]))
        return ReplyReader(sock).read_reply()


def missing_commands(port, names):
    """The names the server does not know: COMMAND INFO answers nil for them."""
    missing = []
    for name in names:
        reply = call(port, "COMMAND", "INFO", name)
        if reply in (b"*1\r\n*-1\r\n", b"*1\r\n$-1\r\n"):
            missing.append(name)
        elif not reply.startswith(b"*1\r\n*"):
            raise AppFailure("COMMAND INFO %s answered %r" % (name, reply))
    return missing


class CommandMonitor:
    """Collects the names of the commands every client sends (MONITOR)."""

    CONTAINERS = ("client", "command", "config", "object", "memory", "pubsub", "script",
                  "cluster", "function", "xinfo", "xgroup", "acl", "module", "latency")

    def __init__(self, port):
        self.names = set()
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall(encode_command([b"MONITOR"]))
        self.reader = ReplyReader(self.sock)
        self.reader.read_reply()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        try:
            while True:
                line = self.reader.read_reply().decode("utf-8", "replace")
                words = re.findall(r'"((?:[^"\\]|\\.)*)"', line)
                if not words:
                    continue
                name = words[0].lower()
                if name in self.CONTAINERS and len(words) > 1:
                    name += "|" + words[1].lower()
                self.names.add(name)
        except Exception:  # noqa: BLE001 - the socket closes at stop()
            pass

    def stop(self):
        time.sleep(0.5)
        self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self.thread.join(5)
        return sorted(self.names)


class Part:
    """One scenario of a test with the commands it needs that may be absent.

    A test made of parts judges each alone, so that what the server can
    already do is tested fully even while another part must wait for
    missing commands."""

    def __init__(self, name, needs, scenario):
        self.name = name
        self.needs = needs
        self.scenario = scenario


def run(name, needs_or_parts, scenario=None, description=None):
    """Runs the scenario(s) and exits with the verdict above.

    Either run(name, needs, scenario) or run(name, [Part, ...]).  needs:
    the commands the application uses that the server may lack.  A
    scenario is called as scenario(server, evidence); evidence is a list it
    appends error texts to (worker logs, failed replies) so that a failure
    can be traced to missing commands; a raised exception's traceback (with
    its chain) is added to it.  Every part starts on an empty server
    (FLUSHALL).  Verdict: any part failing fails the test; else any part
    skipped skips it (printing the union of what they need); else pass."""
    parts = needs_or_parts if scenario is None else [Part(name, needs_or_parts, scenario)]
    options = parse_arguments(description or name)
    verdicts = []
    needed = []
    started = time.monotonic()
    with start_server(options.server) as server:
        for part in parts:
            call(server.port, "FLUSHALL")
            missing = missing_commands(server.port, part.needs)
            verdict = run_part(server, part, missing, options)
            verdicts.append(verdict)
            if verdict == SKIP:
                needed += [command for command in missing if command not in needed]
    print("%s: %.1f s against %s" % (name, time.monotonic() - started, server.name))
    if any(verdict not in (0, SKIP) for verdict in verdicts):
        sys.exit(1)
    if needed:
        print("needs: " + " ".join(needed))
        sys.exit(SKIP)
    sys.exit(0)


def run_part(server, part, missing, options):
    monitor = CommandMonitor(server.port) if options.list_commands else None
    evidence = []
    started = time.monotonic()
    try:
        part.scenario(server, evidence)
        error = None
    except Exception as caught:  # noqa: BLE001 - any failure is judged below
        error = "%s: %s" % (type(caught).__name__, caught)
        # The whole chain: a library often turns the server's error into
        # another exception while handling it.
        evidence.append(traceback.format_exc())
    # What the scenario's frames held (results, connections) is released
    # while the server still runs, not at interpreter exit.
    gc.collect()
    elapsed = time.monotonic() - started
    if monitor:
        print("%s: commands used: %s" % (part.name, " ".join(monitor.stop())))
    verdict = judge(part.name, missing, error, evidence, server.alive())
    if verdict != 0 and verdict != SKIP:
        print("---- evidence ----")
        for text in evidence:
            print(text[-4000:])
        print("---- %s log tail ----\n%s" % (server.name, server.log_tail()))
    print("%s: %.1f s" % (part.name, elapsed))
    return verdict


def judge(name, missing, error, evidence, alive):
    if not alive:
        print("FAIL: %s: the server died" % name)
        return 1
    named = set()
    for text in evidence:
        named.update(match.lower() for match in UNKNOWN_COMMAND.findall(text))
    if not missing:
        if error is None:
            print("PASS: %s" % name)
            return 0
        print("FAIL: %s: %s" % (name, error))
        return 1
    if error is None:
        print("FAIL: %s worked although the server lacks %s: the needs list is wrong"
              % (name, " ".join(missing)))
        return 1
    unexpected = sorted(named - set(missing))
    if unexpected:
        print("FAIL: %s met unknown commands it does not declare: %s"
              % (name, " ".join(unexpected)))
        return 1
    if not named:
        print("FAIL: %s failed without naming a missing command (the server lacks %s): %s"
              % (name, " ".join(missing), error))
        return 1
    print("SKIP: %s needs %s; it failed only for the missing commands it met: %s"
          % (name, " ".join(missing), " ".join(sorted(named))))
    return SKIP
