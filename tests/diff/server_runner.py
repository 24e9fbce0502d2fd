# server_runner.py - starts a server binary on a free loopback port in a
# fresh temporary directory, waits for PING, and stops it with SIGTERM.
#
# Used by the differential runner for both sides: a stock redis-server
# (reference) and dblite-server.  Logs go to a file in the temporary
# directory and are shown when something goes wrong.

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from resp_wire import ProtocolError, ReplyReader, encode_command

START_TIMEOUT = 10.0
STOP_TIMEOUT = 30.0


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def is_redis_binary(binary):
    return os.path.basename(binary).startswith("redis-server")


class ServerProcess:
    """One server.  name is for reports ("redis", "dblite")."""

    def __init__(self, name, binary, config=None, module_path=None, extra_args=()):
        self.name = name
        self.binary = binary
        self.config = config
        self.module_path = module_path
        self.extra_args = list(extra_args)
        self.port = None
        self.process = None
        self.dir = tempfile.mkdtemp(prefix="dblite-diff-%s-" % name)
        self.log_path = os.path.join(self.dir, "server.log")

    def _command(self):
        command = [self.binary]
        if self.config:
            command.append(self.config)
        command += ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir]
        if is_redis_binary(self.binary):
            command += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        elif self.module_path:
            command += ["--module-path", self.module_path]
        return command + self.extra_args

    def start(self):
        for _ in range(5):
            self.port = free_port()
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(
                    self._command(), stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT, cwd=self.dir)
            if self._wait_ready():
                return
            if "already in use" not in self.log_tail().lower():
                break
        raise RuntimeError("%s did not start (%s)\n%s" % (
            self.name, " ".join(self._command()), self.log_tail()))

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if self.ping():
                return self.process.poll() is None
            time.sleep(0.02)
        self.process.kill()
        self.process.wait()
        return False

    def ping(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.settimeout(0.5)
                sock.sendall(encode_command([b"PING"]))
                return ReplyReader(sock).read_reply() == b"+PONG\r\n"
        except (OSError, ProtocolError):
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
        """SIGTERM and wait; returns the exit status (None if never run)."""
        status = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            status = self.process.returncode
            self.process = None
        shutil.rmtree(self.dir, ignore_errors=True)
        return status

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
