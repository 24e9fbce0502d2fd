# cli_harness.py - shared by the dblite-cli tests: finds the binaries,
# starts real servers (dblite-server, or a stock redis-server) on free
# loopback ports, runs clients with or without a pseudo-terminal, and counts
# checks ("ok - name" / "FAIL - name", then "N passed, N failed").
#
# Paths come from the ctest environment (tests/CMakeLists.txt):
# DBLITE_BINARY_DIR/dblite-cli, DBLITE_SERVER, DBLITE_CONFIG_DIR and
# DBLITE_MODULE_PATH.  redis-cli and redis-server come from PATH
# (redis-tools and redis-server, installed by scripts/install-deps.sh).

import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SOURCE_DIR = os.environ.get(
    "DBLITE_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BINARY_DIR = os.environ.get("DBLITE_BINARY_DIR", os.path.join(SOURCE_DIR, "build"))
CLI = os.path.join(BINARY_DIR, "dblite-cli")
SERVER = os.environ.get("DBLITE_SERVER", os.path.join(BINARY_DIR, "dblite-server"))
CONFIG = os.path.join(os.environ.get("DBLITE_CONFIG_DIR", os.path.join(SOURCE_DIR, "config")),
                      "dblite.ini")
MODULE_PATH = os.environ.get("DBLITE_MODULE_PATH", os.path.join(BINARY_DIR, "modules"))
COMMAND_TIMEOUT = 60


def require_tools(*tools):
    missing = [tool for tool in tools if shutil.which(tool) is None]
    for path in (CLI, SERVER):
        if not os.access(path, os.X_OK):
            missing.append(path)
    if missing:
        print("missing: %s (build the tree, run scripts/install-deps.sh)" % ", ".join(missing))
        sys.exit(2)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def encode(*words):
    out = [b"*%d\r\n" % len(words)]
    for word in words:
        data = word if isinstance(word, bytes) else str(word).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


def raw_command(port, *words, password=None):
    """Sends one command over a fresh socket; returns the raw reply bytes
    (enough for the simple replies used to set up data)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        if password:
            sock.sendall(encode("AUTH", password))
            sock.recv(1024)
        sock.sendall(encode(*words))
        return sock.recv(1 << 20)


class Server:
    """A server process on a fixed free port, restartable on that port."""

    def __init__(self, binary=SERVER, extra_args=(), use_config=True):
        self.binary = binary
        self.extra_args = list(extra_args)
        self.use_config = use_config
        self.dir = tempfile.mkdtemp(prefix="dblite-cli-test-")
        self.log_path = os.path.join(self.dir, "server.log")
        self.port = None
        self.process = None

    def _command(self):
        if os.path.basename(self.binary).startswith("redis-server"):
            return [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                    "--dir", self.dir, "--save", "", "--appendonly", "no",
                    "--daemonize", "no"] + self.extra_args
        command = [self.binary]
        if self.use_config:
            command.append(CONFIG)
        command += ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir]
        if os.path.isdir(MODULE_PATH):
            command += ["--module-path", MODULE_PATH]
        return command + self.extra_args

    def start(self, port=None):
        for _ in range(5):
            self.port = port or free_port()
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(self._command(), stdin=subprocess.DEVNULL,
                                                stdout=log, stderr=subprocess.STDOUT,
                                                cwd=self.dir)
            if self._wait_ready():
                return self
            self.kill()
            if port or "in use" not in self.log():
                break
        raise RuntimeError("server did not start: %s\n%s" % (" ".join(self._command()),
                                                             self.log()))

    def _wait_ready(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(encode("PING"))
                    answer = sock.recv(64)
                    if answer.startswith(b"+PONG") or answer.startswith(b"-NOAUTH"):
                        return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def log(self):
        try:
            with open(self.log_path, "rb") as log:
                return log.read()[-8192:].decode("utf-8", "replace")
        except OSError:
            return "(no log)"

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self):
        """Stops the server and starts it again on the same port."""
        self.kill()
        return self.start(port=self.port)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self.dir, ignore_errors=True)


def run(argv, stdin=b"", env=None, timeout=COMMAND_TIMEOUT):
    """Runs a client with pipes; returns (stdout, stderr, exit status)."""
    process = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout,
                             env=env)
    return process.stdout, process.stderr, process.returncode


class Terminal:
    """A program running on a pseudo-terminal, driven like a person would:
    type text, wait for output to appear, read the screen bytes."""

    def __init__(self, argv, env=None):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                if env is not None:
                    os.execvpe(argv[0], argv, env)
                os.execvp(argv[0], argv)
            finally:
                os._exit(127)
        self.output = b""
        self.status = None

    def _read_some(self, wait):
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            data = b""
        if not data:
            return None
        self.output += data
        return True

    def expect(self, pattern, timeout=10):
        """Waits until the output since `start` matches the regex (bytes);
        returns the match or None."""
        regex = re.compile(pattern if isinstance(pattern, bytes) else pattern.encode())
        deadline = time.monotonic() + timeout
        while True:
            found = regex.search(self.output)
            if found:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._read_some(min(remaining, 0.2)) is None:
                return regex.search(self.output)

    def mark(self):
        """Output position: later expect_after() calls look only past it."""
        return len(self.output)

    def expect_after(self, position, pattern, timeout=10):
        regex = re.compile(pattern if isinstance(pattern, bytes) else pattern.encode())
        deadline = time.monotonic() + timeout
        while True:
            found = regex.search(self.output, position)
            if found:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._read_some(min(remaining, 0.2)) is None:
                return regex.search(self.output, position)

    def send(self, text):
        os.write(self.fd, text.encode() if isinstance(text, str) else text)

    def read_until_exit(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._read_some(0.1) is None:
                break
        return self.close()

    def close(self):
        if self.status is None:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                done, status = os.waitpid(self.pid, os.WNOHANG)
                if done:
                    self.status = os.waitstatus_to_exitcode(status)
                    break
                time.sleep(0.05)
            else:
                os.kill(self.pid, signal.SIGKILL)
                _, status = os.waitpid(self.pid, 0)
                self.status = os.waitstatus_to_exitcode(status)
            os.close(self.fd)
        return self.status


def run_on_terminal(argv, timeout=COMMAND_TIMEOUT, env=None):
    """Runs a one-shot client with stdout on a terminal; returns what the
    terminal showed and the exit status."""
    terminal = Terminal(argv, env=env)
    status = terminal.read_until_exit(timeout)
    return terminal.output, status


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, expected, actual):
        if expected == actual:
            self.passed += 1
            print("ok - %s" % name)
        else:
            self.failed += 1
            print("FAIL - %s" % name)
            print("    expected: %r" % (expected,))
            print("    actual:   %r" % (actual,))
        sys.stdout.flush()
        return expected == actual

    def check_true(self, name, condition, detail=""):
        return self.check(name + ("" if condition else " (%s)" % detail), True, bool(condition))

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(0 if self.failed == 0 else 1)
