"""transaction_client.py - the load of bench/transactions.sh: CLIENTS
connections each send PIPELINE transactions at a time (MULTI, SET, INCR,
LPUSH, EXEC) and wait for all their replies before sending the next batch
(closed loop, as redis-benchmark -P), until TRANSACTIONS have run.
redis-benchmark cannot do this: a custom command line holds one command.

Every reply of these transactions is one line (+OK, +QUEUED, :n, and the
EXEC array header *3), 8 lines a transaction, so the reader counts CRLFs
instead of parsing; any error reply (a line starting with "-") or an
aborted EXEC (*-1) fails the run.  At the end the INCR counter must equal
the transactions sent: each one ran, once.

Usage: transaction_client.py PORT TRANSACTIONS CLIENTS PIPELINE TAG
Prints "<transactions/s> <seconds>"; exits non-zero on any failure.
Keys: tx:TAG:string, tx:TAG:counter, tx:TAG:list (deleted at the end).
"""
import selectors
import socket
import sys
import time

from resp_client import Connection, command

LINES_PER_TRANSACTION = 8


def main():
    port, total, clients, pipeline, tag = (
        int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    keys = ["tx:%s:%s" % (tag, kind) for kind in ("string", "counter", "list")]
    transaction = (command("MULTI") + command("SET", keys[0], "value-of-16-byte")
                   + command("INCR", keys[1]) + command("LPUSH", keys[2], "item")
                   + command("EXEC"))
    control = Connection(port, "control")
    control.call("DEL", *keys)

    selector = selectors.DefaultSelector()
    state = {}
    remaining = total
    for _ in range(min(clients, total)):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        selector.register(s, selectors.EVENT_READ)
        state[s] = [0, b""]  # lines still expected, the last partial bytes

    def send_batch(s):
        nonlocal remaining
        batch = min(pipeline, remaining)
        if batch == 0:
            selector.unregister(s)
            return False
        remaining -= batch
        state[s][0] = batch * LINES_PER_TRANSACTION
        s.setblocking(True)
        s.sendall(transaction * batch)
        s.setblocking(False)
        return True

    started = time.monotonic()
    active = sum(1 for s in list(state) if send_batch(s))
    while active:
        for key, _ in selector.select(60):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            if not data:
                sys.exit("transaction_client: connection closed by the server")
            # The previous chunk's tail keeps a pattern split across reads
            # whole: 4 bytes for the error checks, 1 for the CRLF count (one
            # byte cannot hold a CRLF already counted).
            tail = state[s][1]
            seen = tail + data
            if b"\r\n-" in seen or seen.startswith(b"-") or b"*-1\r\n" in seen:
                sys.exit("transaction_client: error or aborted EXEC in %r" % seen[:200])
            state[s][0] -= (tail[-1:] + data).count(b"\r\n")
            state[s][1] = seen[-4:]
            if state[s][0] < 0:
                sys.exit("transaction_client: more replies than sent")
            if state[s][0] == 0:
                state[s][1] = b""
                if not send_batch(s):
                    active -= 1
    elapsed = time.monotonic() - started

    counter = control.call("GET", keys[1])
    length = control.call("LLEN", keys[2])
    if counter != str(total).encode() or length != str(total).encode():
        sys.exit("transaction_client: %d transactions sent, counter %r, list length %r"
                 % (total, counter, length))
    control.call("DEL", *keys)
    print("%.1f %.3f" % (total / elapsed, elapsed))


if __name__ == "__main__":
    main()
