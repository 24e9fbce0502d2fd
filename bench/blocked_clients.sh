#!/usr/bin/env bash
# blocked_clients.sh - the cost of many clients blocked with a timeout, for
# dblite-server and a stock redis-server side by side (issue 19, item 13).
#
# CLIENTS connections each send `BLPOP wait:<i> TIMEOUT` (so every one holds
# a timer), and the script waits until INFO reports them all blocked (the
# "block" time).  Then one more connection sends a pipelined LPUSH to every
# key and the script waits until every blocked client has its reply (the
# "serve" time): each wake-up removes the client's timeout timer, so a
# linear timer removal makes this quadratic.  Finally CLIENTS clients block
# again and are all released by their timeout (TIMEOUT_SHORT, default 1 s):
# the time from the deadline until the last reply is "expire late".
# Both servers run at once on free loopback ports, without persistence;
# the order alternates per round.  Needs ulimit -n above CLIENTS + 100.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/bench_common.sh"

clients=10000
rounds=3

usage() {
    cat <<USAGE
Usage: bench/blocked_clients.sh [options]
  -c, --clients N   blocked clients (default $clients)
  -r, --rounds N    rounds, results are medians (default $rounds)
$(shared_usage)
USAGE
}
own_option() {
    case "$1" in
        -c|--clients) clients=$2; return 2 ;;
        -r|--rounds) rounds=$2; return 2 ;;
    esac
    return 0
}
parse_options "$@"
positive_numbers blocked_clients "$clients" "$rounds"
check_setup blocked_clients python3
ulimit -n $((clients + 1000)) 2>/dev/null || { echo "ulimit -n $((clients + 1000)) not allowed" >&2; exit 1; }
start_both --maxclients $((clients + 100))

python3 - "$clients" "$rounds" "dblite:$DBLITE_PORT" "redis:$REDIS_PORT" <<'PY'
import selectors, socket, statistics, sys, time
from resp_client import command
clients, rounds = int(sys.argv[1]), int(sys.argv[2])
servers = [(a.split(":")[0], int(a.split(":")[1])) for a in sys.argv[3:]]

def blocked_count(control):
    control.sendall(command("INFO", "clients"))
    data = b""
    while True:
        data += control.recv(65536)
        head, _, rest = data.partition(b"\r\n")
        if head.startswith(b"$") and len(rest) >= int(head[1:]):
            break
    for line in rest.decode().split("\r\n"):
        if line.startswith("blocked_clients:"):
            return int(line.split(":")[1])
    return -1

def wait_blocked(control, wanted):
    while blocked_count(control) < wanted:
        time.sleep(0.01)

def connect_all(port):
    socks = []
    for _ in range(clients):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        socks.append(s)
    return socks

def block_all(socks, control, timeout, tag):
    start = time.monotonic()
    for i, s in enumerate(socks):
        s.sendall(command("BLPOP", "wait:%s:%d" % (tag, i), timeout))
    wait_blocked(control, len(socks))
    return time.monotonic() - start

def collect_replies(socks, expected_prefix):
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    pending = len(socks)
    while pending:
        for key, _ in sel.select():
            s = key.fileobj
            data = s.recv(4096)
            assert data.startswith(expected_prefix), data
            sel.unregister(s)
            pending -= 1
    sel.close()

def one_round(name, port):
    control = socket.create_connection(("127.0.0.1", port))
    socks = connect_all(port)
    # Served by pushes: each wake-up removes a timer.
    block_seconds = block_all(socks, control, 1000, "serve")
    start = time.monotonic()
    control.sendall(b"".join(command("LPUSH", "wait:serve:%d" % i, "v") for i in range(clients)))
    collect_replies(socks, b"*2")
    serve_seconds = time.monotonic() - start
    pushed = b""
    while pushed.count(b"\r\n") < clients:  # the LPUSH replies (":1")
        pushed += control.recv(65536)
    # Released by their timeout.
    short = 1
    block_all(socks, control, short, "expire")
    deadline = time.monotonic() + short
    collect_replies(socks, b"*-1")
    expire_late = time.monotonic() - deadline
    for s in socks:
        s.close()
    control.sendall(command("FLUSHALL"))
    control.recv(100)
    control.close()
    return block_seconds, serve_seconds, expire_late

results = {name: [] for name, _ in servers}
for r in range(rounds):
    order = servers if r % 2 == 0 else servers[::-1]
    for name, port in order:
        results[name].append(one_round(name, port))
        time.sleep(0.5)
print("blocked_clients: %d clients, medians of %d rounds" % (clients, rounds))
for name, rows in results.items():
    b, s, e = (statistics.median(col) for col in zip(*rows))
    print("%-7s block %6.3f s   serve %6.3f s   expire late %6.3f s   (serve per round: %s)" % (
        name, b, s, e, " ".join("%.3f" % row[1] for row in rows)))
PY
