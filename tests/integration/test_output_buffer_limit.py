#!/usr/bin/env python3
# test_output_buffer_limit.py - client-output-buffer-limit against the real
# server over sockets.  Clients that never read their replies:
#   - a pipelining normal client past a hard limit set by CONFIG SET: it is
#     closed and logged as Redis logs it, another client is served all the
#     while, used_memory stays bounded and comes back down (RSS too);
#   - with the normal limit at 0 the same client is not cut, and CLIENT LIST
#     shows what it is owed as omem (oll 1), then 0 once it reads it all;
#   - the soft limit: not closed before its seconds have passed, closed
#     after them while it stays above;
#   - a subscriber that never reads, PUBLISHed to until it is cut at the
#     pubsub limit while a second subscriber that reads gets every message;
#     with the pubsub class unlimited a subscriber is not cut by the normal
#     class's limit.
# Nothing waits a fixed time for the server: every step polls for its
# condition with a generous deadline.  Exits 1 on any failure.

import os
import re
import socket
import sys
import threading
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "compat"))

from compat_server import CompatServer, default_paths  # noqa: E402

DEADLINE = 60.0
BIG = 100000  # bytes of the value every GET returns
CLOSED_LOG = "scheduled to be closed ASAP for overcoming of output buffer limits."

failures = []


def fail(message):
    failures.append(message)
    print("FAIL", message, flush=True)


def command(*arguments):
    out = b"*%d\r\n" % len(arguments)
    for argument in arguments:
        data = argument if isinstance(argument, bytes) else str(argument).encode()
        out += b"$%d\r\n%s\r\n" % (len(data), data)
    return out


class Reader:
    """Reads RESP replies from a socket (enough of RESP2 for this test)."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("connection closed")
        self.buffer += chunk

    def _line(self):
        while b"\r\n" not in self.buffer:
            self._fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind in (b"+", b":"):
            return rest if kind == b"+" else int(rest)
        if kind == b"-":
            return Exception(rest.decode())
        if kind == b"$":
            length = int(rest)
            if length < 0:
                return None
            while len(self.buffer) < length + 2:
                self._fill()
            data, self.buffer = self.buffer[:length], self.buffer[length + 2:]
            return data
        if kind in (b"*", b">"):
            count = int(rest)
            return None if count < 0 else [self.reply() for _ in range(count)]
        raise ValueError("unexpected reply %r" % line)


class MemorySampler:
    """Samples used_memory over its own connection until stopped; peak is
    the highest value seen (a lower bound of the real peak)."""

    def __init__(self, port):
        self.connection = Connection(port)
        self.peak = 0
        self.running = True
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self):
        while self.running:
            self.peak = max(self.peak, info_field(self.connection, "used_memory"))

    def stop(self):
        self.running = False
        self.thread.join(DEADLINE)
        self.connection.close()
        return self.peak


class Connection:
    def __init__(self, port, receive_buffer=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:
            # Before connect, so the window never grows past it.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(DEADLINE)
        self.sock.connect(("127.0.0.1", port))
        self.reader = Reader(self.sock)

    def call(self, *arguments):
        self.sock.sendall(command(*arguments))
        return self.reader.reply()

    def close(self):
        self.sock.close()


def info_field(control, name):
    text = control.call("INFO", "memory").decode()
    match = re.search(r"^%s:(\d+)" % name, text, re.M)
    return int(match.group(1))


def client_line(control, client_id):
    """CLIENT LIST's line for that id, or None once it is gone."""
    text = control.call("CLIENT", "LIST", "ID", client_id).decode().strip()
    return text or None


def client_field(line, name):
    return int(re.search(r" %s=(\d+)" % name, line).group(1))


def poll(condition, what, deadline=DEADLINE):
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    fail("timed out waiting for " + what)
    return None


def log_count(server):
    with open(server.log_path, "rb") as log:
        return log.read().decode("utf-8", "replace").count(CLOSED_LOG)


def log_has_client(server, client_id):
    with open(server.log_path, "rb") as log:
        text = log.read().decode("utf-8", "replace")
    return re.search(r"Client id=%d addr=\S+ .*%s" % (client_id, re.escape(CLOSED_LOG)), text)


def test_normal_hard_limit(server, control):
    """A pipeline of 1000 GETs of 100 kB (100 MB of replies) never read,
    with an 8 MB hard limit for normal clients."""
    control.call("SET", "big", b"x" * BIG)
    control.call("CONFIG", "SET", "client-output-buffer-limit", "normal 8mb 0 0")
    baseline = info_field(control, "used_memory")
    rss_before = info_field(control, "used_memory_rss")
    hog = Connection(server.redis_port, receive_buffer=4096)
    hog_id = hog.call("CLIENT", "ID")
    sampler = MemorySampler(server.redis_port)
    served = 0
    sent = 0
    until = time.monotonic() + DEADLINE
    # Ten GETs at a time, so that the hog's replies pile up over many turns
    # of the server, during which another client is served.
    while sent < 1000 and client_line(control, hog_id) and time.monotonic() < until:
        try:
            hog.sock.sendall(command("GET", "big") * 10)
            sent += 10
        except OSError:
            break
        if control.call("PING") == b"PONG":
            served += 1
    poll(lambda: not client_line(control, hog_id), "the hog's close", 10)
    peak = max(baseline, sampler.stop())
    if client_line(control, hog_id):
        fail("the client over its normal hard limit was not closed")
        hog.close()
        return
    if served == 0:
        fail("no other request was answered while the hog filled its buffer")
    # 8 MB counted, plus the 16 kB not counted and one reply, plus slack
    # for the query buffer and the allocator.
    if peak - baseline > 8 * 1024 * 1024 + 2 * 1024 * 1024:
        fail("used_memory grew by %d bytes over an 8 MB limit" % (peak - baseline))
    if not poll(lambda: log_has_client(server, hog_id), "the log line of client %d" % hog_id, 10):
        pass
    # What it was sent before the close is whole replies, then EOF.
    hog.sock.settimeout(DEADLINE)
    received = 0
    try:
        while True:
            chunk = hog.sock.recv(1 << 20)
            if not chunk:
                break
            received += len(chunk)
    except OSError:
        pass
    hog.close()
    if received >= 1000 * (BIG + 16):
        fail("the closed client received all %d bytes" % received)
    poll(lambda: info_field(control, "used_memory") < baseline + 1024 * 1024,
         "used_memory back down after the close")
    # RSS: the allocator gives freed memory back from the cron, in steps.
    # AddressSanitizer's allocator keeps freed memory in its quarantine, so
    # there only used_memory (above) can show the buffer was released.
    if os.environ.get("DBLITE_SANITIZED") != "1":
        poll(lambda: info_field(control, "used_memory_rss") < rss_before + 6 * 1024 * 1024,
             "RSS back down after the close (before %d)" % rss_before)
    print("normal hard limit: closed; used_memory peak +%d bytes; %d PINGs served meanwhile" %
          (peak - baseline, served), flush=True)


def test_no_limit_and_omem(server, control):
    """normal 0 0 0: a client owed 20 MB is kept, CLIENT LIST shows it."""
    control.call("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0")
    slow = Connection(server.redis_port, receive_buffer=4096)
    slow_id = slow.call("CLIENT", "ID")
    slow.sock.sendall(command("GET", "big") * 200)
    line = poll(lambda: (lambda l: l if l and client_field(l, "omem") > 10 * 1024 * 1024 else None)(
        client_line(control, slow_id)), "omem of a client owed 20 MB")
    if line:
        if client_field(line, "oll") != 1 or client_field(line, "obl") != 16384:
            fail("CLIENT LIST of a client owed 20 MB: %s" % line)
    count_before = log_count(server)
    for index in range(200):
        reply = slow.reader.reply()
        if reply != b"x" * BIG:
            fail("reply %d of the slow client was %r" % (index, reply[:20]))
            break
    line = client_line(control, slow_id)
    if not line:
        fail("the client without a limit was closed")
    elif client_field(line, "omem") != 0 or client_field(line, "oll") != 0 or \
            client_field(line, "obl") != 0:
        fail("CLIENT LIST once everything was read: %s" % line)
    if log_count(server) != count_before:
        fail("a client was logged as over its limit with no limit set")
    slow.close()


def test_soft_limit(server, control):
    """normal 0 1mb 2: a client above 1 MB is closed once it stayed above
    it for more than 2 seconds, and not before."""
    control.call("CONFIG", "SET", "client-output-buffer-limit", "normal 0 1mb 2")
    slow = Connection(server.redis_port, receive_buffer=4096)
    slow_id = slow.call("CLIENT", "ID")
    slow.sock.sendall(command("GET", "big") * 40)
    poll(lambda: (lambda l: l and client_field(l, "omem") > 1024 * 1024)(client_line(control, slow_id)),
         "the slow client over its soft limit")
    over_since = time.monotonic()
    # The limit is checked where replies are appended: keep them coming.
    closed_after = None
    until = over_since + DEADLINE
    while time.monotonic() < until:
        try:
            slow.sock.sendall(command("GET", "big"))
        except OSError:
            pass
        if not client_line(control, slow_id):
            closed_after = time.monotonic() - over_since
            break
        time.sleep(0.05)
    slow.close()
    if closed_after is None:
        fail("the client above its soft limit for %d s was not closed" % DEADLINE)
        return
    # Redis counts whole seconds: more than 2 of them means at least 2 s.
    if closed_after < 1.9:
        fail("closed %.2f s after passing a soft limit of 2 seconds" % closed_after)
    if not log_has_client(server, slow_id):
        fail("no log line for the client closed at its soft limit")
    print("soft limit: closed %.2f s after passing it" % closed_after, flush=True)


def test_subscriber(server, control):
    """pubsub 4mb 0 0: a subscriber that never reads is cut; one that reads
    gets all 3000 messages of 10 kB; other clients keep being served."""
    control.call("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0 pubsub 4mb 0 0")
    baseline = info_field(control, "used_memory")
    stuck = Connection(server.redis_port, receive_buffer=4096)
    stuck_id = stuck.call("CLIENT", "ID")
    if stuck.call("SUBSCRIBE", "news") != [b"subscribe", b"news", 1]:
        fail("SUBSCRIBE news")
    reading = Connection(server.redis_port)
    reading.call("SUBSCRIBE", "news")
    message = b"m" * 10000
    total = 3000
    received = []

    def read_all():
        try:
            for _ in range(total):
                reply = reading.reader.reply()
                received.append(reply == [b"message", b"news", message])
        except (OSError, ConnectionError, ValueError):
            pass

    thread = threading.Thread(target=read_all)
    thread.start()
    publisher = Connection(server.redis_port)
    counts = []
    sampler = MemorySampler(server.redis_port)
    for start in range(0, total, 100):
        publisher.sock.sendall(command("PUBLISH", "news", message) * 100)
        counts += [publisher.reader.reply() for _ in range(100)]
        # The reader keeps up (its own output stays far below the limit).
        poll(lambda: len(received) >= start + 100 or not thread.is_alive(),
             "the reading subscriber's messages")
    thread.join(DEADLINE)
    peak = max(baseline, sampler.stop())
    if len(received) != total or not all(received):
        fail("the reading subscriber got %d of %d messages intact" % (sum(received), total))
    if client_line(control, stuck_id):
        fail("the subscriber that never reads was not cut at the pubsub limit")
    elif counts[-1] != 1:
        fail("the last PUBLISH reached %r subscribers, not 1" % counts[-1])
    if counts[0] != 2:
        fail("the first PUBLISH reached %r subscribers, not 2" % counts[0])
    if not log_has_client(server, stuck_id):
        fail("no log line for the cut subscriber")
    elif not re.search(r"Client id=%d .*flags=P .*%s" % (stuck_id, re.escape(CLOSED_LOG)),
                       open(server.log_path, "rb").read().decode("utf-8", "replace")):
        fail("the cut subscriber's log line does not show flags=P")
    if peak - baseline > 4 * 1024 * 1024 + 2 * 1024 * 1024:
        fail("used_memory grew by %d bytes over a 4 MB pubsub limit" % (peak - baseline))
    if control.call("PING") != b"PONG":
        fail("PING after the subscriber was cut")
    stuck.close()
    reading.close()
    publisher.close()
    print("pubsub limit: cut after %d PUBLISHes; used_memory peak +%d bytes" %
          (counts.index(1) if 1 in counts else -1, peak - baseline), flush=True)


def test_subscriber_class(server, control):
    """normal 1mb 0 0, pubsub 0 0 0: a subscriber is of the pubsub class,
    so the normal limit does not cut it."""
    control.call("CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0 pubsub 0 0 0")
    stuck = Connection(server.redis_port, receive_buffer=4096)
    stuck_id = stuck.call("CLIENT", "ID")
    stuck.call("SUBSCRIBE", "news")
    publisher = Connection(server.redis_port)
    message = b"m" * 10000
    for _ in range(8):
        publisher.sock.sendall(command("PUBLISH", "news", message) * 100)
        for _ in range(100):
            publisher.reader.reply()
    line = client_line(control, stuck_id)
    if not line:
        fail("a subscriber was cut by the normal class's limit")
    elif client_field(line, "omem") < 2 * 1024 * 1024:
        fail("the subscriber that never reads shows omem %d" % client_field(line, "omem"))
    stuck.close()
    publisher.close()


def main():
    _, _, config_dir = default_paths()
    # The compat deployment (no save points) with the pubsub module added.
    server = CompatServer(os.path.join(config_dir, "dblite-compat.ini"),
                          extra_args=["--load-module", "pubsub"]).start()
    control = Connection(server.redis_port)
    try:
        test_normal_hard_limit(server, control)
        test_no_limit_and_omem(server, control)
        test_soft_limit(server, control)
        test_subscriber(server, control)
        test_subscriber_class(server, control)
        if not server.alive():
            fail("the server died")
    finally:
        control.close()
        server.stop()
        if failures:
            print(server.log_tail())
        server.remove_dir()
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
