#!/usr/bin/env python3
# test_compat_replies.py - Redis 7.0 behaviours whose replies cannot be
# compared byte for byte (they hold client ids, addresses, timings), checked
# on redis-server and dblite side by side by their structure:
#   - CLIENT LIST TYPE normal lists every connection, ID lists in the order
#     asked (a repeated id twice), TYPE pubsub/master/replica none;
#   - CLIENT KILL TYPE normal kills the others, SKIPME no answers the caller
#     before closing it;
#   - INFO's sections and their order, "# Cluster" with cluster_enabled:0;
#   - an hz outside 1..500 at startup (both servers start with --hz 1000)
#     is clamped, as CONFIG SET clamps it (case file core_compat.txt).
# Every check runs on both servers, so a check that Redis fails is a broken
# test, not a dblite bug.

import os
import socket
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "diff"))

from resp_wire import ProtocolError, ReplyReader, encode_command  # noqa: E402
from server_runner import ServerProcess  # noqa: E402
from run_diff import default_paths  # noqa: E402


class Connection:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.reader = ReplyReader(self.sock)

    def call(self, *arguments):
        self.sock.sendall(encode_command([a.encode() if isinstance(a, str) else a for a in arguments]))
        return self.reader.read_reply()

    def closed_by_peer(self):
        try:
            return self.sock.recv(1) == b""
        except OSError:
            return True

    def close(self):
        self.sock.close()


def bulk_text(reply):
    """The text of a RESP2 bulk string reply."""
    assert reply.startswith(b"$"), reply
    header, _, rest = reply.partition(b"\r\n")
    return rest[:int(header[1:])].decode()


def integer(reply):
    assert reply.startswith(b":"), reply
    return int(reply[1:].strip())


def client_ids(listing):
    ids = []
    for line in listing.splitlines():
        fields = dict(field.split("=", 1) for field in line.split(" ") if "=" in field)
        ids.append(int(fields["id"]))
    return ids


def check_client_list(port, failures):
    a, b = Connection(port), Connection(port)
    id_a, id_b = integer(a.call("CLIENT", "ID")), integer(b.call("CLIENT", "ID"))
    everyone = client_ids(bulk_text(a.call("CLIENT", "LIST")))
    normal = client_ids(bulk_text(a.call("CLIENT", "LIST", "TYPE", "normal")))
    if sorted(normal) != sorted(everyone) or id_a not in normal or id_b not in normal:
        failures.append("CLIENT LIST TYPE normal %s, CLIENT LIST %s" % (normal, everyone))
    for kind in ("pubsub", "master", "replica", "slave", "NORMAL"):
        listed = client_ids(bulk_text(a.call("CLIENT", "LIST", "TYPE", kind)))
        expected = sorted(everyone) if kind == "NORMAL" else []
        if sorted(listed) != expected:
            failures.append("CLIENT LIST TYPE %s: %s" % (kind, listed))
    ordered = client_ids(bulk_text(a.call("CLIENT", "LIST", "ID", str(id_b), "999999", str(id_a),
                                          str(id_b))))
    if ordered != [id_b, id_a, id_b]:
        failures.append("CLIENT LIST ID b missing a b: %s" % ordered)
    # TYPE normal kills every other connection, never the caller (SKIPME yes).
    killed = integer(a.call("CLIENT", "KILL", "TYPE", "normal"))
    if killed < 1 or not b.closed_by_peer():
        failures.append("CLIENT KILL TYPE normal: %d killed, other connection still open" % killed)
    if a.call("PING") != b"+PONG\r\n":
        failures.append("CLIENT KILL TYPE normal killed the caller")
    # With SKIPME no the caller is killed too, after its reply.
    reply = a.call("CLIENT", "KILL", "ID", str(id_a), "SKIPME", "no")
    if reply != b":1\r\n" or not a.closed_by_peer():
        failures.append("CLIENT KILL ID self SKIPME no: %r, then closed: expected" % reply)
    c = Connection(port)
    reply = c.call("CLIENT", "KILL", "USER", "default", "SKIPME", "no")
    if not reply.startswith(b":") or integer(reply) < 1 or not c.closed_by_peer():
        failures.append("CLIENT KILL USER default SKIPME no: %r" % reply)
    for connection in (a, b, c):
        connection.close()


def info_sections(text):
    return [line[2:] for line in text.splitlines() if line.startswith("# ")]


def info_fields(text):
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line and not line.startswith("#"))


def check_info(port, failures, reference):
    """reference: the Redis side's section lists, or None when this is Redis."""
    connection = Connection(port)
    found = {}
    for arguments in ((), ("cluster",), ("CLUSTER",), ("server", "cluster"), ("default",), ("all",),
                      ("everything",), ("cluster", "keyspace")):
        text = bulk_text(connection.call("INFO", *arguments))
        found[arguments] = info_sections(text)
        if "Cluster" in found[arguments] and info_fields(text).get("cluster_enabled") != "0":
            failures.append("INFO %s: cluster_enabled is not 0" % " ".join(arguments))
    connection.close()
    for arguments, sections in found.items():
        if "Cluster" not in sections:
            failures.append("INFO %s has no # Cluster section: %s" % (" ".join(arguments), sections))
    if reference is not None:
        # dblite has fewer sections than Redis; the ones both have must come
        # in Redis's order, Cluster included.
        for arguments, sections in found.items():
            common = [name for name in reference[arguments] if name in sections]
            mine = [name for name in sections if name in reference[arguments]]
            if common != mine:
                failures.append("INFO %s: sections in order %s, Redis %s" % (
                    " ".join(arguments), mine, common))
    return found


def main():
    _, config_dir, binary, module_path = default_paths()
    redis = ServerProcess("redis", "redis-server", extra_args=["--hz", "1000"])
    dblite = ServerProcess("dblite", binary, config=os.path.join(config_dir, "dblite.ini"),
                           module_path=module_path, extra_args=["--hz", "1000"])
    failures = {"redis": [], "dblite": []}
    try:
        redis.start()
        dblite.start()
        hz = [Connection(server.port).call("CONFIG", "GET", "hz") for server in (redis, dblite)]
        if hz[0] != hz[1] or b"500" not in hz[0]:
            failures["dblite"].append("started with --hz 1000: CONFIG GET hz %r, Redis %r" % (hz[1], hz[0]))
        for server in (redis, dblite):
            try:
                check_client_list(server.port, failures[server.name])
            except (OSError, ProtocolError, AssertionError, KeyError, ValueError) as error:
                failures[server.name].append("CLIENT checks broke off: %r" % error)
        reference = check_info(redis.port, failures["redis"], None)
        check_info(dblite.port, failures["dblite"], reference)
    finally:
        redis.stop()
        # A sanitizer report (leak, UB) at exit shows as a non-zero status.
        status = dblite.stop()
    if status not in (0, None):
        failures["dblite"].append("exited with status %s on SIGTERM" % status)
    for name, messages in failures.items():
        for message in messages:
            print("%s: %s" % (name, message))
    total = sum(len(messages) for messages in failures.values())
    print("%d failures" % total)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
