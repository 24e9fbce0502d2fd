"""pubsub_subscribers.py - the subscriber side of bench/pubsub.sh: COUNT
connections SUBSCRIBE to one channel, then one process reads them all and
checks that each received exactly MESSAGES copies of the one message the
publishers send, byte for byte.

Every publish carries the same payload, so a subscriber's stream is the
message frame repeated: the reader compares each chunk with the frame at
the stream's current offset (no parsing, so the reader keeps up with the
server) and counts bytes.  A subscriber that ends with fewer bytes, more
bytes, different bytes or a closed connection (the server's pubsub output
buffer limit) is reported, and the benchmark round is not a result.

Usage: pubsub_subscribers.py PORT CHANNEL COUNT MESSAGES PAYLOAD_SIZE
           READY_FILE RESULT_FILE
  READY_FILE is written once every connection has read its SUBSCRIBE
  confirmation; RESULT_FILE gets one line at the end:
  "ok|FAILED <last byte unix time> <complete subscribers> <min> <max>
   <closed> <corrupt>" (min/max: messages received by one subscriber).
The reader gives up 10 s after the last byte it received once messages
started, or 300 s after READY_FILE without any message.
"""
import os
import selectors
import socket
import sys
import time

from resp_client import command

CONNECT_TIMEOUT = 30.0
IDLE_TIMEOUT = 10.0
FIRST_MESSAGE_TIMEOUT = 300.0


def frame(*items):
    """A RESP2 array of bulk strings (the pushes a RESP2 subscriber reads)."""
    return command(*items)


def subscribe_all(port, channel, count):
    """COUNT connections, each subscribed and confirmed; exits on failure."""
    confirmation = b"*3\r\n$9\r\nsubscribe\r\n$%d\r\n%s\r\n:1\r\n" % (len(channel), channel)
    socks = []
    deadline = time.monotonic() + CONNECT_TIMEOUT
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=CONNECT_TIMEOUT)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.sendall(command("SUBSCRIBE", channel))
        socks.append(s)
    for i, s in enumerate(socks):
        got = b""
        while len(got) < len(confirmation):
            s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                chunk = s.recv(len(confirmation) - len(got))
            except socket.timeout:
                sys.exit("pubsub_subscribers: subscriber %d: no SUBSCRIBE confirmation within %.0f s"
                         % (i, CONNECT_TIMEOUT))
            if not chunk:
                sys.exit("pubsub_subscribers: subscriber %d: connection closed while subscribing" % i)
            got += chunk
        if got != confirmation:
            sys.exit("pubsub_subscribers: subscriber %d: unexpected SUBSCRIBE reply %r" % (i, got))
        s.setblocking(False)
    return socks


def main():
    port, channel, count, messages, payload_size = (
        int(sys.argv[1]), sys.argv[2].encode(), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    ready_file, result_file = sys.argv[6], sys.argv[7]
    message = frame(b"message", channel, b"x" * payload_size)
    size = len(message)
    expected = size * messages
    # Chunks come from recv(65536): any of them lies inside this at its phase.
    pattern = message * (65536 // size + 2)

    socks = subscribe_all(port, channel, count)
    with open(ready_file, "w") as ready:
        ready.write("%d\n" % count)

    received = {s: 0 for s in socks}
    corrupt = set()
    closed = set()
    selector = selectors.DefaultSelector()
    for s in socks:
        selector.register(s, selectors.EVENT_READ)
    pending = count
    last_byte = None
    started_waiting = time.monotonic()
    while pending:
        now = time.monotonic()
        if last_byte is None:
            timeout = started_waiting + FIRST_MESSAGE_TIMEOUT - now
        else:
            timeout = last_byte_monotonic + IDLE_TIMEOUT - now
        if timeout <= 0:
            break
        events = selector.select(timeout)
        for key, _ in events:
            s = key.fileobj
            try:
                chunk = s.recv(65536)
            except BlockingIOError:
                continue
            if not chunk:
                closed.add(s)
                selector.unregister(s)
                pending -= 1
                continue
            last_byte = time.time()
            last_byte_monotonic = time.monotonic()
            offset = received[s]
            phase = offset % size
            if chunk != pattern[phase:phase + len(chunk)]:
                corrupt.add(s)
            received[s] = offset + len(chunk)
            if received[s] >= expected:
                selector.unregister(s)
                pending -= 1
    # Anything beyond the expected count arrives before or with the last
    # wanted bytes (one publisher stream), so a short wait shows extras.
    time.sleep(0.2)
    for s in socks:
        if s in closed:
            continue
        try:
            extra = s.recv(65536)
            received[s] += len(extra)
            if not extra:
                closed.add(s)
        except BlockingIOError:
            pass
    counts = [received[s] // size for s in socks]
    complete = sum(1 for s in socks if received[s] == expected and s not in corrupt and s not in closed)
    verdict = "ok" if complete == count else "FAILED"
    with open(result_file, "w") as result:
        result.write("%s %.6f %d %d %d %d %d\n" % (
            verdict, last_byte or 0.0, complete, min(counts), max(counts), len(closed), len(corrupt)))
    for s in socks:
        s.close()


if __name__ == "__main__":
    main()
