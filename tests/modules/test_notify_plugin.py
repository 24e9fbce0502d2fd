#!/usr/bin/env python3
# test_notify_plugin.py - keyspace notifications seen from a plugin
# (notifytest.so, tests/modules/notifytest/): its handler of
# DBLITE_EVENT_KEYSPACE_NOTIFICATION gets each enabled event with the
# database, the class bits ORed with K/E as enabled, the event's name and
# the key, and nothing for a class that is off; an event the plugin emits
# itself (class d) is published like the core's; without the pubsub module
# the plugin still gets them; a module of API version 3 (oldkinds.so) is
# refused the kind API 6 appended, as its own KIND_COUNT.  Over real sockets against the real server.
# Exits 1 on any failure.

import os
import socket
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "diff"))

from resp_wire import ReplyReader, encode_command  # noqa: E402
from server_runner import ServerProcess  # noqa: E402

K, E, GENERIC, STRING, LIST, MODULE, NEW = 1, 2, 4, 8, 16, 1 << 13, 1 << 14
failures = []


def paths():
    source = os.environ.get("DBLITE_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
    binary = os.environ.get("DBLITE_SERVER") or os.path.join(source, "build", "dblite-server")
    modules = os.environ.get("DBLITE_MODULE_PATH") or os.path.join(
        os.path.dirname(binary), "modules")
    test_modules = os.environ.get("DBLITE_TEST_MODULE_PATH") or os.path.join(
        os.path.dirname(binary), "test-modules")
    configs = os.environ.get("DBLITE_CONFIG_DIR") or os.path.join(source, "config")
    return binary, modules, test_modules, configs


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.reader = ReplyReader(self.sock)

    def call(self, *arguments):
        self.sock.sendall(encode_command([a if isinstance(a, bytes) else str(a).encode()
                                          for a in arguments]))
        return self.reader.read_reply()


def bulk_lines(raw):
    """The bulk strings of an array reply, decoded."""
    lines, position = [], raw.find(b"\r\n") + 2
    while position < len(raw):
        end = raw.find(b"\r\n", position)
        length = int(raw[position + 1:end])
        lines.append(raw[end + 2:end + 2 + length].decode())
        position = end + 2 + length + 2
    return lines


def check(name, got, expected):
    if got != expected:
        failures.append("%s:\n    expected %r\n    got      %r" % (name, expected, got))


def published_until_sync(commands, subscriber, mark):
    """(channel, message) pairs the subscriber got before a sync PUBLISH."""
    channel = b"__keysync__:%d" % mark
    commands.call("PUBLISH", channel, "sync")
    got = []
    while True:
        parts = [p.encode() for p in bulk_lines(subscriber.reader.read_reply())]
        if parts[2] == channel:
            return got
        got.append((parts[2].decode(), parts[3].decode()))


def scenario(commands, subscriber, mark, flags, command, expected_lines, expected_published,
             name):
    commands.call("CONFIG", "SET", "notify-keyspace-events", flags)
    commands.call("NOTIFYTEST.EVENTS")  # forget what the CONFIG SET's neighbours left
    commands.call(*command)
    check("%s: the plugin's lines" % name, bulk_lines(commands.call("NOTIFYTEST.EVENTS")),
          expected_lines)
    if subscriber is not None:
        check("%s: what was published" % name,
              published_until_sync(commands, subscriber, mark), expected_published)


def run_with_pubsub(binary, modules, plugin, configs):
    server = ServerProcess("dblite", binary, config=os.path.join(configs, "dblite.ini"),
                           module_path=modules, extra_args=["--load-module", plugin])
    with server:
        commands, subscriber = Client(server.port), Client(server.port)
        subscriber.call("PSUBSCRIBE", "__key*__:*")
        scenario(commands, subscriber, 1, "", ["SET", "k", "v"], [], [],
                 "no class enabled")
        scenario(commands, subscriber, 2, "$", ["SET", "k", "v"], ["0 %d set k" % STRING], [],
                 "class $ without K or E: the plugin sees it, nothing is published")
        scenario(commands, subscriber, 3, "KE$", ["SET", "k", "v"],
                 ["0 %d set k" % (STRING | K | E)],
                 [("__keyspace@0__:k", "set"), ("__keyevent@0__:set", "k")], "K E $")
        scenario(commands, subscriber, 4, "El", ["SET", "k", "v"], [], [],
                 "a class that is off")
        scenario(commands, subscriber, 5, "Kd", ["NOTIFYTEST.EMIT", "pk"],
                 ["0 %d notifytest pk" % (MODULE | K)], [("__keyspace@0__:pk", "notifytest")],
                 "the plugin's own event, class d")
        scenario(commands, subscriber, 6, "KA", ["NOTIFYTEST.EMIT", "pk"],
                 ["0 %d notifytest pk" % (MODULE | K)], [("__keyspace@0__:pk", "notifytest")],
                 "class d is part of A")
        scenario(commands, subscriber, 7, "K$", ["NOTIFYTEST.EMIT", "pk"], [], [],
                 "the plugin's event while d is off")
        scenario(commands, subscriber, 8, "KEn$", ["RPUSH", "newlist", "a"],
                 ["0 %d new newlist" % (NEW | K | E)],
                 [("__keyspace@0__:newlist", "new"), ("__keyevent@0__:new", "newlist")],
                 "a created key is new, before the command's own event")
        commands.call("CONFIG", "SET", "notify-keyspace-events", "")
        commands.call("SELECT", "4")
        commands.call("SET", "k4", "v")
        scenario(commands, subscriber, 9, "Eg", ["DEL", "k4"], ["4 %d del k4" % (GENERIC | E)],
                 [("__keyevent@4__:del", "k4")], "another database")
        commands.call("CONFIG", "SET", "notify-keyspace-events", "")


def run_without_pubsub(binary, modules, plugin, configs):
    old_module = os.path.join(os.path.dirname(plugin), "oldkinds.so")
    server = ServerProcess("dblite", binary, config=os.path.join(configs, "minimal.ini"),
                           module_path=modules,
                           extra_args=["--load-module", plugin, "--load-module", old_module])
    with server:
        commands = Client(server.port)
        check("an API 3 module subscribing to its KIND_COUNT", commands.call("OLDKINDS.STATUS"),
              b":-4\r\n")
        check("minimal config: PUBLISH is unknown", commands.call("PUBLISH", "c", "m")[:1], b"-")
        scenario(commands, None, 0, "KE$", ["SET", "k", "v"], ["0 %d set k" % (STRING | K | E)],
                 None, "without the pubsub module")


def main():
    binary, modules, test_modules, configs = paths()
    plugin = os.path.join(test_modules, "notifytest.so")
    if not os.path.exists(plugin):
        print("test_notify_plugin: %s is missing (build the tests)" % plugin)
        return 2
    run_with_pubsub(binary, modules, plugin, configs)
    run_without_pubsub(binary, modules, plugin, configs)
    for failure in failures:
        print("FAIL %s" % failure)
    print("test_notify_plugin: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
