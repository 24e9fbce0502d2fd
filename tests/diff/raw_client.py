# raw_client.py - what the Python integration tests that talk RESP over
# their own sockets share (tests/pubsub, tests/tracking, test_client_ops):
# a client that sends commands and returns the raw reply bytes (so the
# bytes can be compared with redis-server's), and the failure bookkeeping
# with a polling wait instead of fixed sleeps.  Each test runs in its own
# process, so the one `failures` list is that test's.

import socket
import time

from resp_wire import ReplyReader, encode_command

TIMEOUT = 60.0
failures = []


class Client:
    def __init__(self, server):
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
        self.reader = ReplyReader(self.sock)

    def send(self, *arguments):
        self.sock.sendall(encode_command([a if isinstance(a, bytes) else str(a).encode()
                                          for a in arguments]))

    def read(self, count=1):
        return b"".join(self.reader.read_reply() for _ in range(count))

    def call(self, *arguments, replies=1):
        self.send(*arguments)
        return self.read(replies)

    def close(self):
        self.sock.close()


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL: " + what)


def poll(fn, what):
    """Waits until fn() is true (generous limit: loaded machines)."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if fn():
            return True
        time.sleep(0.02)
    check(False, what)
    return False
