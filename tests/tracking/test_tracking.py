# test_tracking.py - client-side caching over several real connections.
# Each scenario runs on a stock redis-server 7.0 and on dblite and every
# client's raw bytes must be identical: RESP3 invalidation pushes (default
# mode, own writes after the reply, inside MULTI/EXEC, NOLOOP, OPTIN and
# OPTOUT with CLIENT CACHING, BCAST with prefixes), REDIRECT to a RESP2
# subscriber of __redis__:invalidate, a redirect client gone
# (tracking-redir-broken), FLUSHALL/FLUSHDB nulls, expiry, CLIENT REPLY OFF,
# and the INFO counters after it all.  tracking-table-max-keys eviction
# (random keys) is checked on both servers by its effect, and the state a
# client leaves behind when it disconnects on dblite.  No fixed sleeps:
# "nothing arrived" is proven by a PING answered with nothing before it,
# and every wait polls for its condition with a generous limit.

import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "diff"))

from raw_client import TIMEOUT, check, failures, poll  # noqa: E402
from raw_client import Client as RawClient  # noqa: E402
from resp_wire import encode_command  # noqa: E402
from run_diff import default_paths  # noqa: E402
from server_runner import ServerProcess  # noqa: E402

class Client(RawClient):
    def __init__(self, server, protocol=2):
        super().__init__(server)
        self.id = int(self.call("CLIENT", "ID")[1:].strip())
        self.protocol = protocol
        if protocol == 3:
            self.call("HELLO", "3")

    def ping(self, subscribed=False):
        """Everything that arrives before the PING's answer, and the answer."""
        pong = b"*2\r\n$4\r\npong\r\n$0\r\n\r\n" if subscribed else b"+PONG\r\n"
        self.send("PING")
        got = b""
        while True:
            reply = self.reader.read_reply()
            got += reply
            if reply == pong:
                return got


def wait_gone(control, client_id):
    poll(lambda: control.call("CLIENT", "LIST", "ID", client_id) == b"$0\r\n\r\n",
         "client %d disconnected" % client_id)


def scenario_default_mode(server):
    a, b = Client(server, 3), Client(server)
    t = [a.call("CLIENT", "TRACKING", "on")]
    t.append(b.call("MSET", "k1", "1", "k2", "2", "k3", "3"))
    t.append(a.call("GET", "k1"))
    t.append(b.call("SET", "k1", "changed"))
    t.append(a.ping())
    t.append(b.call("SET", "k1", "again"))  # not read since: nothing
    t.append(a.ping())
    t.append(a.call("MGET", "k1", "k2", "k3", "missing"))
    t.append(b.call("DEL", "k1", "k2", "missing"))
    t.append(a.ping())
    t.append(b.call("APPEND", "missing", "x"))  # read while missing: tracked too
    t.append(a.ping())
    # Its own write: the invalidation comes after the reply.
    t.append(a.call("GET", "k3"))
    t.append(a.call("SET", "k3", "10", replies=2))
    t.append(a.call("GET", "k3"))
    t.append(a.call("INCR", "k3", replies=2))
    # Inside EXEC: after EXEC's whole array; GET in it remembers again.
    t.append(a.call("GET", "tx"))
    t.append(a.call("MULTI"))
    t.append(a.call("SET", "tx", "1"))
    t.append(a.call("GET", "tx"))
    t.append(a.call("EXEC", replies=2))
    t.append(b.call("SET", "tx", "2"))
    t.append(a.ping())
    # Lists and hashes are keys like any other; writes by type commands.
    t.append(a.call("LRANGE", "list", "0", "-1"))
    t.append(a.call("HGET", "hash", "f"))
    t.append(b.call("RPUSH", "list", "x"))
    t.append(b.call("HSET", "hash", "f", "v"))
    t.append(a.ping())
    # Keys found through numkeys, a container's subcommand, a failed read.
    t.append(b.call("SADD", "set1", "a"))
    t.append(b.call("SADD", "set2", "a"))
    t.append(a.call("SINTERCARD", "2", "set1", "set2"))
    t.append(a.call("OBJECT", "ENCODING", "enc"))
    t.append(a.call("MEMORY", "USAGE", "mem"))
    t.append(a.call("GET", "set1"))
    t.append(b.call("SADD", "set2", "b"))
    t.append(b.call("MSET", "enc", "1", "mem", "1"))
    t.append(a.ping())
    t.append(b.call("SADD", "set1", "b"))
    t.append(a.ping())
    # RENAME touches both names.
    t.append(a.call("GET", "from"))
    t.append(a.call("GET", "to"))
    t.append(b.call("SET", "from", "v"))
    t.append(a.ping())
    t.append(a.call("GET", "from"))
    t.append(b.call("RENAME", "from", "to"))
    t.append(a.ping())
    # CLIENT REPLY OFF does not hold invalidations back.
    t.append(a.call("GET", "quiet"))
    a.send("CLIENT", "REPLY", "OFF")
    t.append(b.call("SET", "quiet", "1"))
    a.send("CLIENT", "REPLY", "ON")
    t.append(a.read())  # the push, then ON's +OK
    t.append(a.read())
    # Off: nothing more, even for keys read before.
    t.append(a.call("GET", "k3"))
    t.append(a.call("CLIENT", "TRACKING", "off"))
    t.append(b.call("SET", "k3", "after off"))
    t.append(a.ping())
    # SWAPDB and SELECT: tracking knows key names, not databases.
    t.append(a.call("CLIENT", "TRACKING", "on"))
    t.append(a.call("GET", "swapped"))
    t.append(b.call("SELECT", "1"))
    t.append(b.call("SET", "swapped", "in db 1"))
    t.append(a.ping())
    t.append(a.call("GET", "swapped"))
    t.append(b.call("SWAPDB", "0", "1"))
    t.append(a.ping())
    # A RESP2 client without redirect is never told anything.
    c = Client(server, 2)
    t.append(c.call("CLIENT", "TRACKING", "on"))
    t.append(c.call("GET", "resp2"))
    t.append(b.call("SET", "resp2", "x"))
    t.append(c.ping())
    t.append(c.call("CLIENT", "TRACKINGINFO"))
    for client in (a, b, c):
        client.close()
    return t


def scenario_noloop_optin_optout(server):
    a, b = Client(server, 3), Client(server)
    t = [a.call("CLIENT", "TRACKING", "on", "NOLOOP")]
    t.append(a.call("GET", "n"))
    t.append(a.call("SET", "n", "mine"))
    t.append(a.ping())
    t.append(b.call("SET", "n", "theirs"))  # the key left the table with a's write
    t.append(a.ping())
    t.append(a.call("GET", "n"))
    t.append(b.call("SET", "n", "theirs again"))
    t.append(a.ping())
    # OPTIN: only the command after CACHING yes is remembered.
    t.append(a.call("CLIENT", "TRACKING", "off"))
    t.append(a.call("CLIENT", "TRACKING", "on", "OPTIN"))
    t.append(a.call("GET", "o1"))
    t.append(b.call("SET", "o1", "x"))
    t.append(a.ping())
    t.append(a.call("CLIENT", "CACHING", "yes"))
    t.append(a.call("GET", "o1"))
    t.append(a.call("GET", "o2"))
    t.append(b.call("MSET", "o1", "y", "o2", "y"))
    t.append(a.ping())
    # CACHING yes before MULTI covers the whole transaction.
    t.append(a.call("CLIENT", "CACHING", "yes"))
    t.append(a.call("MULTI"))
    t.append(a.call("GET", "o3"))
    t.append(a.call("GET", "o4"))
    t.append(a.call("EXEC"))
    t.append(b.call("MSET", "o3", "y", "o4", "y"))
    t.append(a.ping())
    # OPTOUT: everything but the command after CACHING no.
    t.append(a.call("CLIENT", "TRACKING", "off"))
    t.append(a.call("CLIENT", "TRACKING", "on", "OPTOUT"))
    t.append(a.call("GET", "p1"))
    t.append(a.call("CLIENT", "CACHING", "no"))
    t.append(a.call("GET", "p2"))
    t.append(a.call("GET", "p3"))
    t.append(b.call("MSET", "p1", "1", "p2", "2", "p3", "3"))
    t.append(a.ping())
    a.close()
    b.close()
    return t


def scenario_bcast(server):
    a, b = Client(server, 3), Client(server)
    t = [a.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:", "PREFIX", "obj:")]
    t.append(b.call("SET", "user:1", "x"))
    t.append(a.ping())
    t.append(b.call("SET", "other", "x"))
    t.append(a.ping())
    t.append(b.call("MSET", "user:2", "x", "obj:1", "y", "user:0", "z", "user:2", "again"))
    t.append(a.ping())
    # Within one turn of the loop the keys collect: a pipeline of writes.
    # (one send: the three arrive in one read, so in one turn)
    b.sock.sendall(encode_command([b"SET", b"user:b", b"1"]) +
                   encode_command([b"SET", b"user:a", b"1"]) + encode_command([b"DEL", b"user:b"]))
    t.append(b.read(3))
    t.append(a.ping())
    # Own writes: told after the reply, unless NOLOOP.
    t.append(a.call("SET", "user:self", "1", replies=2))
    c = Client(server, 3)
    t.append(c.call("CLIENT", "TRACKING", "on", "BCAST", "NOLOOP"))
    t.append(c.call("SET", "c:own", "1"))
    t.append(c.ping())
    t.append(b.call("SET", "c:theirs", "1"))
    t.append(c.ping())
    t.append(a.ping())
    # A transaction that writes a key of its own and one of another's.
    t.append(c.call("MULTI"))
    t.append(c.call("SET", "user:c", "1"))
    t.append(c.call("SET", "obj:c", "1"))
    t.append(c.call("EXEC"))
    t.append(c.ping())
    t.append(a.ping())
    t.append(a.call("CLIENT", "TRACKINGINFO"))
    t.append(c.call("CLIENT", "TRACKINGINFO"))
    for client in (a, b, c):
        client.close()
    return t


def scenario_redirect(server):
    """A RESP2 tracking client redirecting to a RESP2 subscriber, then the
    subscriber gone; a RESP3 one whose redirect client goes."""
    control = Client(server)
    r = Client(server)
    t = [r.call("SUBSCRIBE", "__redis__:invalidate")]
    a, b = Client(server), Client(server)
    t.append(a.call("CLIENT", "TRACKING", "on", "REDIRECT", r.id))
    check(a.call("CLIENT", "GETREDIR") == b":%d\r\n" % r.id, "GETREDIR names the redirect")
    t.append(a.call("GET", "rk"))
    t.append(b.call("SET", "rk", "1"))
    t.append(r.ping(subscribed=True))
    t.append(a.call("MGET", "rk", "rk2"))
    t.append(a.call("SET", "rk2", "own"))  # the subscriber hears of a's own write
    t.append(r.ping(subscribed=True))
    t.append(b.call("FLUSHALL"))
    t.append(r.ping(subscribed=True))
    t.append(a.ping())
    # Redirect to a RESP3 client that is not subscribed: a push.
    p = Client(server, 3)
    t.append(a.call("CLIENT", "TRACKING", "on", "REDIRECT", p.id))
    t.append(a.call("GET", "pk"))
    t.append(b.call("SET", "pk", "1"))
    t.append(p.ping())
    # Redirect to a RESP2 client not subscribed: nothing can be said.
    q = Client(server)
    t.append(a.call("CLIENT", "TRACKING", "on", "REDIRECT", q.id))
    t.append(a.call("GET", "qk"))
    t.append(b.call("SET", "qk", "1"))
    t.append(q.ping())
    # The subscriber goes: the RESP2 tracker gets the R flag, no message.
    t.append(a.call("CLIENT", "TRACKING", "on", "REDIRECT", r.id))
    r_id = r.id
    r.close()
    wait_gone(control, r_id)
    t.append(a.call("GET", "gone"))
    t.append(b.call("SET", "gone", "1"))
    t.append(a.ping())
    info = a.call("CLIENT", "TRACKINGINFO").replace(b":%d\r\n" % r_id, b":<r>\r\n")
    t.append(info)
    check(b" flags=tR " in a.call("CLIENT", "INFO"), "CLIENT INFO flags=tR after the redirect went")
    # A RESP3 tracker whose redirect goes: tracking-redir-broken push.
    d = Client(server, 3)
    s = Client(server)
    t.append(d.call("CLIENT", "TRACKING", "on", "REDIRECT", s.id))
    s_id = s.id
    s.close()
    wait_gone(control, s_id)
    t.append(d.call("GET", "broken"))
    t.append(b.call("SET", "broken", "1"))
    t.append(d.ping().replace(b":%d\r\n" % s_id, b":<s>\r\n"))
    t.append(d.call("CLIENT", "TRACKINGINFO").replace(b":%d\r\n" % s_id, b":<s>\r\n"))
    t.append(d.call("CLIENT", "TRACKING", "off"))
    t.append(d.call("CLIENT", "TRACKINGINFO"))
    for client in (control, a, b, p, q, d):
        client.close()
    return t


def scenario_flush(server):
    a, b = Client(server, 3), Client(server)
    bc = Client(server, 3)
    t = [a.call("CLIENT", "TRACKING", "on"), bc.call("CLIENT", "TRACKING", "on", "BCAST")]
    t.append(a.call("GET", "f1"))
    t.append(b.call("FLUSHALL"))
    t.append(a.ping())
    t.append(bc.ping())
    t.append(b.call("SET", "f1", "x"))  # the table went with the flush
    t.append(a.ping())
    t.append(bc.ping())
    t.append(b.call("SELECT", "3"))
    t.append(b.call("FLUSHDB", "ASYNC"))
    t.append(a.ping())
    t.append(bc.ping())
    t.append(a.call("FLUSHDB", replies=2))
    t.append(bc.ping())
    t.append(a.call("FLUSHALL", "ASYNC", replies=2))
    t.append(bc.ping())
    t.append(a.call("MULTI"))
    t.append(a.call("FLUSHALL"))
    t.append(a.call("FLUSHDB"))
    t.append(a.call("EXEC", replies=3))
    t.append(bc.ping())
    for client in (a, b, bc):
        client.close()
    return t


def scenario_expiry(server):
    a, b = Client(server, 3), Client(server)
    t = [a.call("CLIENT", "TRACKING", "on")]
    # A second is ample for the GET to come first on a loaded machine.
    t.append(b.call("SET", "ex", "v", "PX", "1000"))
    t.append(a.call("GET", "ex"))
    poll(lambda: b.call("EXISTS", "ex") == b":0\r\n", "the key expired")
    t.append(a.ping())
    a.close()
    b.close()
    return t


def info_fields(server, names):
    c = Client(server)
    text = (c.call("INFO", "clients") + c.call("INFO", "stats")).decode()
    c.close()
    fields = {}
    for line in text.split("\r\n"):
        if ":" in line:
            key, value = line.split(":", 1)
            if key in names:
                fields[key] = value
    return [fields.get(name) for name in names]


def scenario_info(server):
    a = Client(server, 3)
    a.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "i1", "PREFIX", "i2")
    b = Client(server)
    b.call("CLIENT", "TRACKING", "on")
    b.call("MGET", "x1", "x2", "x3")
    names = ["tracking_clients", "tracking_total_keys", "tracking_total_items",
             "tracking_total_prefixes"]
    t = [str(info_fields(server, names)).encode()]
    check(b" flags=tB " in a.call("CLIENT", "INFO"), "CLIENT INFO flags=tB in BCAST mode")
    check(b" flags=t " in b.call("CLIENT", "INFO") and b" redir=0 " in b.call("CLIENT", "INFO"),
          "CLIENT INFO flags=t redir=0 in default mode")
    b.call("CLIENT", "TRACKING", "off")
    check(b" redir=-1 " in b.call("CLIENT", "INFO"), "CLIENT INFO redir=-1 when off")
    a.close()
    b.close()
    return t


def scenario_table_limit(server):
    """tracking-table-max-keys: over the limit, random keys are invalidated
    until the table is back under it (checked by effect: keys are random)."""
    control, a = Client(server), Client(server, 3)
    control.call("FLUSHALL")
    control.call("CONFIG", "SET", "tracking-table-max-keys", "0")
    a.call("CLIENT", "TRACKING", "on")
    keys = ["limit:%d" % i for i in range(50)]
    a.call("MGET", *keys)
    check(info_fields(server, ["tracking_total_keys"]) == ["50"], "50 keys tracked without limit")
    check(control.call("CONFIG", "SET", "tracking-table-max-keys", "10") == b"+OK\r\n",
          "CONFIG SET tracking-table-max-keys")
    check(control.call("CONFIG", "GET", "tracking-table-max-keys") ==
          b"*2\r\n$23\r\ntracking-table-max-keys\r\n$2\r\n10\r\n", "CONFIG GET tracking-table-max-keys")
    poll(lambda: info_fields(server, ["tracking_total_keys"]) == ["10"],
         "%s: table back to 10 keys" % server.name)
    invalidated = set()
    deadline = time.monotonic() + TIMEOUT
    while len(invalidated) < 40 and time.monotonic() < deadline:
        reply = a.read()
        parts = reply.split(b"\r\n")
        check(parts[:5] == [b">2", b"$10", b"invalidate", b"*1", parts[4]], "eviction push %r" % reply)
        invalidated.add(parts[5])
    check(len(invalidated) == 40, "%s: 40 distinct keys evicted, got %d" % (server.name, len(invalidated)))
    check(invalidated <= {k.encode() for k in keys}, "evicted keys are tracked ones")
    check(a.ping() == b"+PONG\r\n", "%s: no more evictions than needed" % server.name)
    control.call("CONFIG", "SET", "tracking-table-max-keys", "1000000")
    control.close()
    a.close()


def scenario_client_gone(server):
    """dblite: a tracking client's state goes with it."""
    for _ in range(20):
        a = Client(server, 3)
        a.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "gone:", "PREFIX", "g2")
        b = Client(server)
        b.call("CLIENT", "TRACKING", "on", "REDIRECT", a.id)
        b.call("GET", "gone:x")
        a.close()
        b.close()
    names = ["tracking_clients", "tracking_total_prefixes"]
    poll(lambda: info_fields(server, names) == ["0", "0"], "tracking state freed with the clients")
    c = Client(server)
    check(c.call("SET", "gone:x", "1") == b"+OK\r\n", "writing a key of gone trackers")
    check(c.ping() == b"+PONG\r\n", "server alive")
    c.close()


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
    with ServerProcess("redis", redis_binary) as redis_server, \
            ServerProcess("dblite", binary, os.path.join(config_dir, "dblite.ini"),
                          module_path) as dblite_server:
        compare("default mode", redis_server, dblite_server, scenario_default_mode)
        compare("noloop optin optout", redis_server, dblite_server, scenario_noloop_optin_optout)
        compare("bcast", redis_server, dblite_server, scenario_bcast)
        compare("redirect", redis_server, dblite_server, scenario_redirect)
        compare("flush", redis_server, dblite_server, scenario_flush)
        compare("expiry", redis_server, dblite_server, scenario_expiry)
        compare("info", redis_server, dblite_server, scenario_info)
        for server in (redis_server, dblite_server):
            scenario_table_limit(server)
        scenario_client_gone(dblite_server)
    if failures:
        print("%d failures" % len(failures))
        return 1
    print("tracking: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
