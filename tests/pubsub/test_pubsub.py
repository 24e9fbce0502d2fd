# test_pubsub.py - pubsub.so with several clients over real sockets.
# Where Redis's bytes are deterministic the same scenario runs on a stock
# redis-server and on dblite and the raw replies must be identical; the
# rest (10,000 channels, a subscriber gone, no module) checks dblite alone.
# No fixed sleeps: every wait polls for its condition with a generous limit.

import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "diff"))

from raw_client import check, failures, poll  # noqa: E402
from raw_client import Client  # noqa: E402
from run_diff import default_paths  # noqa: E402
from server_runner import ServerProcess  # noqa: E402

def scenario_delivery(server):
    """Messages and pmessages to another client, in order, both protocols."""
    transcript = []
    for protocol in (2, 3):
        subscriber, publisher = Client(server), Client(server)
        if protocol == 3:
            transcript.append(subscriber.call("HELLO", "3")[:1])
        transcript.append(subscriber.call("SUBSCRIBE", "news", "sport", replies=2))
        transcript.append(subscriber.call("PSUBSCRIBE", "n*", replies=1))
        transcript.append(publisher.call("PUBLISH", "news", "first"))
        transcript.append(subscriber.read(2))
        for i in range(100):
            publisher.send("PUBLISH", "sport", "message %d" % i)
        transcript.append(publisher.read(100))
        transcript.append(subscriber.read(100))
        transcript.append(publisher.call("PUBSUB", "NUMSUB", "news", "sport", "none"))
        transcript.append(publisher.call("PUBSUB", "NUMPAT"))
        transcript.append(subscriber.call("UNSUBSCRIBE", "news", replies=1))
        transcript.append(publisher.call("PUBLISH", "news", "only the pattern"))
        transcript.append(subscriber.read(1))
        transcript.append(publisher.call("SPUBLISH", "shard", "none yet"))
        subscriber.close()
        publisher.close()
    return transcript


def scenario_resp3_self_publish(server):
    """A RESP3 subscriber publishing to its own channel: push, then count."""
    client = Client(server)
    transcript = [client.call("HELLO", "3")[:1]]
    transcript.append(client.call("SUBSCRIBE", "me"))
    transcript.append(client.call("PSUBSCRIBE", "m*"))
    transcript.append(client.call("PUBLISH", "me", "hi", replies=3))
    transcript.append(client.call("SSUBSCRIBE", "s1"))
    transcript.append(client.call("SPUBLISH", "s1", "shard hi", replies=2))
    transcript.append(client.call("GET", "nokey"))
    transcript.append(client.call("PING"))
    transcript.append(client.call("UNSUBSCRIBE"))
    transcript.append(client.call("PUNSUBSCRIBE"))
    transcript.append(client.call("SUNSUBSCRIBE"))
    client.close()
    # RESP2: PUBLISH is refused in subscribed mode, PING answers [pong, ""].
    client = Client(server)
    transcript.append(client.call("SUBSCRIBE", "me"))
    transcript.append(client.call("PUBLISH", "me", "hi"))
    transcript.append(client.call("PING"))
    transcript.append(client.call("RESET"))  # leaves subscribed mode, drops "me"
    transcript.append(client.call("PUBLISH", "me", "nobody left"))
    transcript.append(client.call("SUBSCRIBE", "me"))
    transcript.append(client.call("UNSUBSCRIBE"))
    transcript.append(client.call("PUBLISH", "me", "after leaving"))
    client.close()
    return transcript


def compare(name, redis_server, dblite_server, scenario):
    expected = scenario(redis_server)
    actual = scenario(dblite_server)
    check(len(expected) == len(actual), "%s: %d steps vs %d" % (name, len(expected), len(actual)))
    for step, (want, got) in enumerate(zip(expected, actual)):
        check(want == got, "%s step %d:\n    redis:  %r\n    dblite: %r" % (name, step, want, got))


def info_field(client, name):
    text = client.call("INFO", "stats").decode()
    for line in text.split("\r\n"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    return None


def scenario_many_channels(server):
    subscriber, publisher = Client(server), Client(server)
    names = ["channel:%d" % i for i in range(10000)]
    replies = subscriber.call("SUBSCRIBE", *names, replies=10000)
    check(replies.endswith(b"$12\r\nchannel:9999\r\n:10000\r\n"), "10,000th confirmation counts 10000")
    check(info_field(publisher, "pubsub_channels") == "10000", "INFO pubsub_channels:10000")
    check(publisher.call("PUBLISH", "channel:9999", "x") == b":1\r\n", "PUBLISH to one of 10,000")
    check(subscriber.read() == b"*3\r\n$7\r\nmessage\r\n$12\r\nchannel:9999\r\n$1\r\nx\r\n",
          "message among 10,000 channels")
    listed = publisher.call("PUBSUB", "CHANNELS")
    check(listed.startswith(b"*10000\r\n"), "PUBSUB CHANNELS lists 10000")
    check(b"sub=10000 psub=0 ssub=0" in publisher.call("CLIENT", "LIST"), "CLIENT LIST sub=10000")
    subscriber.call("UNSUBSCRIBE", replies=10000)
    check(info_field(publisher, "pubsub_channels") == "0", "all 10,000 unsubscribed")
    subscriber.close()
    publisher.close()


def scenario_subscriber_gone(server):
    publisher = Client(server)
    for round_number in range(20):
        subscriber = Client(server)
        subscriber.call("SUBSCRIBE", "gone", "also", replies=2)
        subscriber.call("PSUBSCRIBE", "g*")
        subscriber.call("SSUBSCRIBE", "shard-gone")
        publisher.call("PUBLISH", "gone", "pending output %d" % round_number)
        subscriber.close()
        poll(lambda: publisher.call("PUBSUB", "NUMSUB", "gone") ==
             b"*2\r\n$4\r\ngone\r\n:0\r\n", "subscriber removed when it disconnects")
    check(publisher.call("PUBLISH", "gone", "nobody") == b":0\r\n", "nobody left to receive")
    check(publisher.call("PUBSUB", "NUMPAT") == b":0\r\n", "pattern removed with the client")
    check(info_field(publisher, "pubsubshard_channels") == "0", "shard channel removed")
    check(publisher.call("PING") == b"+PONG\r\n", "server alive")
    publisher.close()


def scenario_without_module(binary, config_dir, module_path):
    with ServerProcess("dblite-minimal", binary, os.path.join(config_dir, "minimal.ini"),
                       module_path) as server:
        client = Client(server)
        reply = client.call("SUBSCRIBE", "x")
        check(reply.startswith(b"-ERR unknown command 'SUBSCRIBE'"), "no module, no SUBSCRIBE: %r" % reply)
        reply = client.call("PUBLISH", "x", "y")
        check(reply.startswith(b"-ERR unknown command 'PUBLISH'"), "no module, no PUBLISH")
        client.close()


def main():
    _, config_dir, binary, module_path = default_paths()
    redis_binary = shutil.which("redis-server")
    if not redis_binary:
        print("redis-server not found (scripts/install-deps.sh installs it)")
        return 1
    with ServerProcess("redis", redis_binary) as redis_server, \
            ServerProcess("dblite", binary, os.path.join(config_dir, "dblite.ini"),
                          module_path) as dblite_server:
        compare("delivery", redis_server, dblite_server, scenario_delivery)
        compare("resp3 self publish", redis_server, dblite_server, scenario_resp3_self_publish)
        scenario_many_channels(dblite_server)
        scenario_subscriber_gone(dblite_server)
    scenario_without_module(binary, config_dir, module_path)
    if failures:
        print("%d failures" % len(failures))
        return 1
    print("pubsub: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
