#!/usr/bin/env python3
# test_client_ops.py - MONITOR, CLIENT PAUSE/UNPAUSE, RESET, CLIENT HELP and
# pushes under CLIENT REPLY OFF, over several real connections.  Every
# scenario runs on a stock redis-server 7.0 and on dblite and the
# transcripts must be identical once timestamps and client addresses are
# normalised (an address is checked to be the worker's own before it is
# replaced).  No fixed sleeps decide anything: waits poll for a condition
# with a generous limit, and a held command is proved held by CLIENT LIST
# showing its client blocked (flag b), never by a reply not coming in time.

import os
import re
import shutil
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "diff"))

from raw_client import check, failures, poll  # noqa: E402
from raw_client import Client as RawClient  # noqa: E402
from resp_wire import ReplyReader, encode_command  # noqa: E402
from run_diff import default_paths  # noqa: E402
from server_runner import ServerProcess  # noqa: E402

class Client(RawClient):
    def address(self):
        host, port = self.sock.getsockname()[:2]
        return "%s:%d" % (host, port)

    def client_id(self):
        return int(self.call("CLIENT", "ID")[1:].strip())


def client_flags(control, client_id):
    line = control.call("CLIENT", "LIST", "ID", client_id)
    match = re.search(rb" flags=(\S+) ", line)
    return match.group(1).decode() if match else ""


def wait_held(control, client, what):
    """A held (postponed) client shows flag b in CLIENT LIST."""
    client_id = client.client_id_cached
    return poll(lambda: "b" in client_flags(control, client_id), what)


MONITOR_LINE = re.compile(rb"^\+(\d+)\.(\d{6}) \[(\d+) ([^\]]+)\] (.*)$")


def normalise_monitor(line, worker_address, monitor_address):
    """'+<sec>.<usec> [db addr] args' -> '+TS [db WORKER] args'."""
    match = MONITOR_LINE.match(line)
    if not match:
        return line
    address = match.group(4).decode()
    who = {worker_address: "WORKER", monitor_address: "MONITOR"}.get(address, "OTHER:" + address)
    return b"+TS [" + match.group(3) + b" " + who.encode() + b"] " + match.group(5)


def read_monitor_until(monitor, marker):
    """The monitor's lines (and its own replies) up to the line with marker."""
    lines = []
    while True:
        reply = monitor.read().rstrip(b"\r\n")
        lines.append(reply)
        if marker in reply or len(lines) > 500:
            return lines


def scenario_monitor(server):
    """What MONITOR shows for a fixed sequence, and what a monitor may send."""
    monitor, worker = Client(server), Client(server)
    transcript = [monitor.call("MONITOR")]
    commands = [
        ("SET", "k", "v"), ("GET", "k"), ("SELECT", "3"),
        ("SET", "k", b"a\x00b\"\\\n\r\t\x07\x08\x7f\xff c"), ("SELECT", "0"),
        ("SET", "n", "123"), ("INCR", "n"), ("LPUSH", "k", "x"),
        ("AUTH", "pw"), ("AUTH", "user", "pw"), ("AUTH", "a", "b", "c"),
        ("HELLO", "3", "AUTH", "default", "x"), ("HELLO", "2"),
        ("HELLO", "4", "AUTH", "default", "x"),
        ("HELLO", "2", "SETNAME", "nm", "AUTH", "default", "p", "BADOPT"),
        ("CONFIG", "GET", "port"), ("CLIENT", "ID"), ("CLIENT", "LIST"),
        ("CLIENT", "SETNAME", "nm"), ("CLIENT", "NO-EVICT", "OFF"), ("CLIENT", "GETNAME"),
        ("NOSUCH",), ("GET",), ("MULTI",), ("SET", "x", "1"), ("GET", "x"), ("EXEC",),
        ("MULTI",), ("SET", "y", "1"), ("DISCARD",), ("MULTI",), ("NOSUCH",), ("EXEC",),
        ("WATCH", "x"), ("UNWATCH",), ("BLPOP", "nolist", "0.01"), ("PING",),
        ("TOUCH", "k", "n"), ("RESET",)]
    for command in commands:
        reply = worker.call(*command)
        # Ids, ports and module lists differ by nature: only their type is compared.
        if command[0] == "HELLO" or command[:2] in (("CLIENT", "ID"), ("CLIENT", "LIST")) \
                or command[0] == "CONFIG":
            reply = reply[:1]
        transcript.append(reply)
    # The monitor's own commands: keyless ones run (and are shown), keyspace
    # ones are refused, a second MONITOR is ignored without a reply.
    monitor.send("PING")
    monitor.send("GET", "k")
    monitor.send("MONITOR")
    monitor.send("PUBLISH", "ch", "m")
    monitor.send("ECHO", "mine")
    lines = read_monitor_until(monitor, b'"ECHO" "mine"')
    worker.call("ECHO", "done")
    lines += read_monitor_until(monitor, b'"ECHO" "done"')
    transcript += [normalise_monitor(line, worker.address(), monitor.address()) for line in lines]
    # RESET ends monitoring.
    transcript.append(monitor.call("RESET"))
    worker.call("SET", "after", "reset")
    transcript.append(monitor.call("GET", "after"))
    monitor.close()
    worker.close()
    return transcript


def scenario_monitor_quoting_matches_addresses(server):
    """The address in a line is the worker's own ip:port (checked, not assumed)."""
    monitor, worker = Client(server), Client(server)
    monitor.call("MONITOR")
    worker.call("ECHO", "whoami")
    line = read_monitor_until(monitor, b'"whoami"')[-1]
    match = MONITOR_LINE.match(line)
    check(match is not None and match.group(4).decode() == worker.address(),
          "%s: monitor line names the worker %s: %r" % (server.name, worker.address(), line))
    if match:
        seconds = int(match.group(1))
        check(abs(seconds - time.time()) < 600, "%s: monitor timestamp is the wall clock" % server.name)
    monitor.close()
    worker.close()
    return []


def scenario_pause_write(server):
    """WRITE holds writes, may-replicate and queued writes; reads pass."""
    control, reader, writer, queuer, publisher, monitor = (Client(server) for _ in range(6))
    for client in (writer, queuer, publisher):
        client.client_id_cached = client.client_id()
    transcript = [control.call("SET", "k", "before")]
    transcript.append(monitor.call("MONITOR"))
    transcript.append(control.call("CLIENT", "PAUSE", 60000, "WRITE"))
    transcript.append(reader.call("GET", "k"))
    writer.send("SET", "k", "during")
    wait_held(control, writer, "%s: SET held by PAUSE WRITE" % server.name)
    transcript.append(queuer.call("MULTI"))
    transcript.append(queuer.call("GET", "k"))
    queuer.send("SET", "k", "queued")
    wait_held(control, queuer, "%s: queueing a write held by PAUSE WRITE" % server.name)
    publisher.send("PUBLISH", "ch", "x")
    wait_held(control, publisher, "%s: PUBLISH (may-replicate) held" % server.name)
    transcript.append(reader.call("GET", "k"))  # still the old value
    transcript.append(reader.call("EXISTS", "k"))
    monitor.send("PING")  # a monitor is never held: its +PONG is among the lines
    # A second, shorter or softer PAUSE changes nothing.
    transcript.append(control.call("CLIENT", "PAUSE", 0, "WRITE"))
    transcript.append(reader.call("GET", "k"))
    transcript.append(control.call("CLIENT", "UNPAUSE"))
    transcript.append(writer.read())
    transcript.append(queuer.read())
    transcript.append(publisher.read())
    transcript.append(queuer.call("EXEC"))
    transcript.append(reader.call("GET", "k"))
    reader.call("ECHO", "end")
    lines = read_monitor_until(monitor, b'"ECHO" "end"')
    # Order of the held clients' lines is the servers' own business: compare
    # them as a sorted list after the monitor's own PING reply.
    transcript += sorted(re.sub(rb"^\+\d+\.\d{6} \[(\d+) [^\]]+\]", rb"+TS [\1 ADDR]", line)
                         for line in lines)
    for client in (control, reader, writer, queuer, publisher, monitor):
        client.close()
    return transcript


def scenario_pause_all_timeout(server):
    """ALL holds every command, CLIENT UNPAUSE included; the timeout ends it."""
    control, other = Client(server), Client(server)
    control.client_id_cached = control.client_id()
    other.client_id_cached = other.client_id()
    transcript = []
    started = time.monotonic()
    transcript.append(control.call("CLIENT", "PAUSE", 700, "ALL"))
    other.send("PING")
    control.send("CLIENT", "UNPAUSE")
    # Both wait (CLIENT LIST would wait too, so the proof is the time the
    # replies took: they cannot come before the pause ends).
    transcript.append(other.read())
    transcript.append(control.read())
    elapsed = time.monotonic() - started
    check(elapsed >= 0.6, "%s: PAUSE 700 ALL held PING only %.3fs" % (server.name, elapsed))
    # Never shortened: a later, shorter pause leaves the longer one.
    transcript.append(control.call("CLIENT", "PAUSE", 60000, "WRITE"))
    transcript.append(control.call("CLIENT", "PAUSE", 10, "WRITE"))
    other.send("SET", "held", "1")
    wait_held(control, other, "%s: SET held after a shorter PAUSE" % server.name)
    transcript.append(control.call("CLIENT", "UNPAUSE"))
    transcript.append(other.read())
    control.close()
    other.close()
    return transcript


def info_field(client, section, name):
    text = client.call("INFO", section).decode()
    for line in text.split("\r\n"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    return None


def scenario_pause_expiry(server):
    """During a pause an expired key reads as missing but is not deleted."""
    control, reader = Client(server), Client(server)
    transcript = [control.call("FLUSHALL")]
    expired_before = int(info_field(control, "stats", "expired_keys"))
    # One pipeline: the key is set and the pause begins in the same turn,
    # before any expiry cycle can run.
    control.send("SET", "vol", "1", "PX", "150")
    control.send("CLIENT", "PAUSE", 60000, "WRITE")
    transcript.append(control.read(2))
    poll(lambda: reader.call("PTTL", "vol") == b":-2\r\n",
         "%s: the key expires for readers during the pause" % server.name)
    transcript.append(reader.call("GET", "vol"))
    transcript.append(reader.call("EXISTS", "vol"))
    # Some time with the active cycle running: still nothing deleted.
    time.sleep(0.3)
    check(int(info_field(control, "stats", "expired_keys")) == expired_before,
          "%s: no key deleted as expired during the pause" % server.name)
    transcript.append(control.call("CLIENT", "UNPAUSE"))
    poll(lambda: int(info_field(control, "stats", "expired_keys")) == expired_before + 1,
         "%s: the key is deleted once the pause is over" % server.name)
    control.close()
    reader.close()
    return transcript


def scenario_reset(server):
    """RESET's effects on one connection, and on a subscriber."""
    a, b = Client(server), Client(server)
    transcript = []
    for command in [("HELLO", "3"), ("SELECT", "2"), ("CLIENT", "SETNAME", "foo"),
                    ("CLIENT", "NO-EVICT", "ON"), ("WATCH", "k"), ("MULTI",), ("SET", "k", "1")]:
        reply = a.call(*command)
        transcript.append(reply if command[0] != "HELLO" else reply[:1])
    transcript.append(a.call("RESET"))
    info = a.call("CLIENT", "INFO")
    fields = dict(re.findall(rb"(\S+)=(\S*)", info))
    transcript.append([(name, fields.get(name)) for name in
                       (b"name", b"flags", b"db", b"sub", b"psub", b"multi", b"resp")])
    transcript.append(a.call("EXEC"))
    transcript.append(a.call("GET", "k"))
    # Subscriptions go; the client leaves subscribed mode.
    transcript.append(a.call("SUBSCRIBE", "ch"))
    transcript.append(a.call("PSUBSCRIBE", "c*"))
    transcript.append(a.call("RESET"))
    transcript.append(b.call("PUBLISH", "ch", "x"))
    transcript.append(a.call("PING"))
    # CLIENT REPLY OFF ends: RESET answers; a pending SKIP swallows RESET's reply.
    a.send("CLIENT", "REPLY", "OFF")
    transcript.append(a.call("RESET"))
    a.send("CLIENT", "REPLY", "SKIP")
    a.send("RESET")
    transcript.append(a.call("PING"))
    # RESET does not end a CLIENT PAUSE (the server's, not the client's).
    a.client_id_cached = a.client_id()
    transcript.append(b.call("CLIENT", "PAUSE", 60000, "WRITE"))
    transcript.append(a.call("RESET"))
    a.send("SET", "k", "2")
    wait_held(b, a, "%s: RESET leaves the pause in effect" % server.name)
    transcript.append(b.call("CLIENT", "UNPAUSE"))
    transcript.append(a.read())
    a.close()
    b.close()
    return transcript


def scenario_reset_auth(server):
    """With requirepass, RESET takes the authentication back."""
    a = Client(server)
    transcript = [a.call("GET", "k"), a.call("AUTH", "secret"), a.call("SET", "k", "v"),
                  a.call("RESET"), a.call("GET", "k"), a.call("PING"),
                  a.call("AUTH", "secret"), a.call("GET", "k")]
    a.close()
    return transcript


def scenario_pushes_under_reply_off(server):
    """Pushes pass CLIENT REPLY OFF/SKIP, other replies do not (both protocols)."""
    transcript = []
    subscriber, publisher = Client(server), Client(server)
    subscriber.send("HELLO", "3")
    transcript.append(subscriber.read()[:1])
    transcript.append(subscriber.call("SUBSCRIBE", "ch"))
    subscriber.send("CLIENT", "REPLY", "OFF")
    transcript.append(publisher.call("PUBLISH", "ch", "hello"))
    transcript.append(subscriber.read())
    transcript.append(subscriber.call("SUBSCRIBE", "ch2"))  # its push passes
    subscriber.send("PING")                                 # no reply
    subscriber.send("PUBLISH", "ch", "self")                # the push only
    transcript.append(subscriber.read())
    transcript.append(subscriber.call("UNSUBSCRIBE", "ch2"))
    transcript.append(subscriber.call("CLIENT", "REPLY", "ON"))
    subscriber.send("CLIENT", "REPLY", "SKIP")
    transcript.append(subscriber.call("SUBSCRIBE", "ch3"))
    transcript.append(subscriber.call("PING"))
    subscriber.close()
    # RESP2: CLIENT REPLY OFF before subscribing; confirmations and
    # messages still come, other replies do not.
    plain = Client(server)
    plain.send("CLIENT", "REPLY", "OFF")
    transcript.append(plain.call("SUBSCRIBE", "ch"))
    transcript.append(publisher.call("PUBLISH", "ch", "to resp2"))
    transcript.append(plain.read())
    plain.send("PING")
    transcript.append(plain.call("RESET"))
    transcript.append(plain.call("PING"))
    plain.close()
    publisher.close()
    return transcript


def help_lines(server):
    client = Client(server)
    reply = client.call("CLIENT", "HELP")
    client.close()
    return [line for line in reply.split(b"\r\n")[1:] if line]


class PasswordServer(ServerProcess):
    """A server started with --requirepass: ready when PING says NOAUTH."""

    def __init__(self, name, binary, config=None, module_path=None):
        super().__init__(name, binary, config, module_path, extra_args=["--requirepass", "secret"])

    def ping(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.settimeout(0.5)
                sock.sendall(encode_command([b"PING"]))
                return ReplyReader(sock).read_reply().startswith(b"-NOAUTH")
        except OSError:
            return False


def compare(name, redis_server, dblite_server, scenario):
    expected = scenario(redis_server)
    actual = scenario(dblite_server)
    check(len(expected) == len(actual), "%s: %d steps vs %d" % (name, len(expected), len(actual)))
    for step, (want, got) in enumerate(zip(expected, actual)):
        check(want == got, "%s step %d:\n    redis:  %r\n    dblite: %r" % (name, step, want, got))


def main():
    _, config_dir, binary, module_path = default_paths()
    redis_binary = shutil.which("redis-server")
    if not redis_binary:
        print("redis-server not found (scripts/install-deps.sh installs it)")
        return 1
    config = os.path.join(config_dir, "dblite.ini")
    with ServerProcess("redis", redis_binary) as redis_server, \
            ServerProcess("dblite", binary, config, module_path) as dblite_server:
        compare("monitor", redis_server, dblite_server, scenario_monitor)
        compare("monitor address", redis_server, dblite_server,
                scenario_monitor_quoting_matches_addresses)
        compare("pause write", redis_server, dblite_server, scenario_pause_write)
        compare("pause all and timeout", redis_server, dblite_server, scenario_pause_all_timeout)
        compare("pause and expiry", redis_server, dblite_server, scenario_pause_expiry)
        compare("reset", redis_server, dblite_server, scenario_reset)
        compare("pushes under CLIENT REPLY OFF", redis_server, dblite_server,
                scenario_pushes_under_reply_off)
        redis_help, dblite_help = help_lines(redis_server), help_lines(dblite_server)
        check(dblite_help == redis_help,
              "CLIENT HELP: redis %r\n    dblite %r" % (redis_help, dblite_help))
    with PasswordServer("redis", redis_binary) as redis_server, \
            PasswordServer("dblite", binary, config, module_path) as dblite_server:
        compare("reset and requirepass", redis_server, dblite_server, scenario_reset_auth)
    if failures:
        print("%d failures" % len(failures))
        return 1
    print("client ops: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
