# compat_server.py - starts the real dblite-server with a DBLite deployment
# config on two free loopback ports (Redis's and DBLite's), in a fresh
# temporary directory, and stops it.
#
# Paths come from the test environment (DBLITE_SERVER, DBLITE_MODULE_PATH,
# DBLITE_CONFIG_DIR, set by ctest), else from a build/ tree beside tests/.

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

START_TIMEOUT = 10.0
STOP_TIMEOUT = 30.0


def source_dir():
    return os.environ.get("DBLITE_SOURCE_DIR") or os.path.dirname(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def default_paths():
    root = source_dir()
    binary = os.environ.get("DBLITE_SERVER") or os.path.join(root, "build", "dblite-server")
    module_path = os.environ.get("DBLITE_MODULE_PATH") or os.path.join(os.path.dirname(binary), "modules")
    config_dir = os.environ.get("DBLITE_CONFIG_DIR") or os.path.join(root, "config")
    return binary, module_path, config_dir


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers_ping(port):
    """A Redis-style PING on port: True when +PONG comes back."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.settimeout(0.5)
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            return sock.recv(64) == b"+PONG\r\n"
    except OSError:
        return False


class CompatServer:
    """dblite-server started from config_path; redis_port and dblite_port
    are chosen free at start.  dir is the server's working directory."""

    def __init__(self, config_path, extra_args=()):
        self.binary, self.module_path, _ = default_paths()
        self.config_path = config_path
        self.extra_args = list(extra_args)
        self.dir = tempfile.mkdtemp(prefix="dblite-compat-")
        self.log_path = os.path.join(self.dir, "server.log")
        self.process = None
        self.redis_port = None
        self.dblite_port = None

    def command(self):
        return [self.binary, self.config_path,
                "--port", str(self.redis_port), "--dblite_compat.port", str(self.dblite_port),
                "--dir", self.dir, "--module-path", self.module_path] + self.extra_args

    def start(self):
        for _ in range(5):
            self.redis_port, self.dblite_port = free_port(), free_port()
            if self.redis_port == self.dblite_port:
                continue
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=log,
                                                stderr=subprocess.STDOUT, cwd=self.dir)
            if self._wait_ready():
                return self
            if "already in use" not in self.log_tail().lower():
                break
        raise RuntimeError("dblite-server did not start (%s)\n%s" % (" ".join(self.command()), self.log_tail()))

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            # The DBLite listener opens just before the server's loop runs,
            # so both answering means both are served.
            if answers_ping(self.redis_port) and answers_ping(self.dblite_port):
                return True
            time.sleep(0.02)
        self.process.kill()
        self.process.wait()
        return False

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def log_tail(self, size=8192):
        try:
            with open(self.log_path, "rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - size))
                return log.read().decode("utf-8", "replace")
        except OSError:
            return "(no log)"

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def remove_dir(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def config_without_persistence(config_path, directory):
    """A copy of config_path without persistence.so (its load line and its
    section), written into directory; returns the copy's path."""
    kept, in_persistence = [], False
    with open(config_path) as source:
        for line in source:
            stripped = line.strip()
            if stripped.startswith("["):
                in_persistence = stripped == "[persistence]"
            if in_persistence or stripped.replace(" ", "") == "load=persistence":
                continue
            kept.append(line)
    path = os.path.join(directory, "without-persistence.ini")
    with open(path, "w") as out:
        out.writelines(kept)
    return path
