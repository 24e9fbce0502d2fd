#!/usr/bin/env python3
# test_deploy_without_zsets.py - a deployment that leaves zsets.so (and
# hashes.so) out of its config: the sorted-set and geo commands are simply
# absent, SORT still sorts lists and sets, a SORT pattern that needs a
# missing family answers a clear error instead of reading as "no such key",
# and a snapshot holding a sorted set is refused at startup with a message
# naming it (never loaded with the sorted set silently dropped).
#
# Usage: test_deploy_without_zsets.py; the binary, modules and configs come
# from ctest's environment (DBLITE_SERVER, DBLITE_MODULE_PATH,
# DBLITE_CONFIG_DIR) or the build tree.
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "diff"))

import redis  # noqa: E402

from server_runner import ServerProcess  # noqa: E402

MODULES = ["lists", "sets", "sort", "persistence"]  # with minimal.ini's strings
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)


def expect_error(client, command, expected):
    try:
        reply = client.execute_command(*command)
    except redis.ResponseError as error:
        check(str(error) == expected, "%s: error %r, expected %r" % (command, str(error), expected))
        return
    failures.append("%s: answered %r, expected the error %r" % (command, reply, expected))


def server_paths():
    source = os.environ.get("DBLITE_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
    binary = os.environ.get("DBLITE_SERVER") or os.path.join(source, "build", "dblite-server")
    config_dir = os.environ.get("DBLITE_CONFIG_DIR") or os.path.join(source, "config")
    module_path = os.environ.get("DBLITE_MODULE_PATH") or os.path.join(
        os.path.dirname(binary), "modules")
    return binary, os.path.join(config_dir, "minimal.ini"), module_path


def make_server():
    binary, config, module_path = server_paths()
    extra = []
    for name in MODULES:
        extra += ["--load-module", name]
    return ServerProcess("dblite", binary, config=config, module_path=module_path,
                         extra_args=extra + ["--persistence.save", ""])


def commands_absent():
    with make_server() as server:
        client = redis.Redis(port=server.port)
        client.response_callbacks.clear()
        for command in (["ZADD", "z", "1", "a"], ["ZRANGE", "z", "0", "-1"],
                        ["BZPOPMIN", "z", "0.01"], ["GEOADD", "g", "13.36", "38.11", "p"],
                        ["GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"]):
            args = "".join("'%s' " % a for a in command[1:])
            expect_error(client, command, "unknown command '%s', with args beginning with: %s"
                         % (command[0], args))
        check(client.execute_command("COMMAND", "INFO", "zadd", "sort")[0] is None,
              "COMMAND INFO zadd is nil without zsets")
        # SORT still works on the families that are there.
        client.execute_command("RPUSH", "l", "3", "1", "2")
        client.execute_command("SADD", "s", "b", "a", "c")
        check(client.execute_command("SORT", "l") == [b"1", b"2", b"3"], "SORT of a list")
        check(client.execute_command("SORT", "s", "ALPHA", "DESC") == [b"c", b"b", b"a"],
              "SORT of a set")
        client.execute_command("MSET", "w_1", "30", "w_2", "20", "w_3", "10")
        check(client.execute_command("SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*") ==
              [b"3", b"10", b"2", b"20", b"1", b"30"], "SORT BY and GET string patterns")
        check(client.execute_command("SORT", "l", "BY", "nosort", "STORE", "dst") == 3,
              "SORT STORE into a list")
        # Hash-field patterns need the hashes module, left out here.
        message = "SORT BY/GET patterns with -> need the hashes module, which is not loaded"
        expect_error(client, ["SORT", "l", "BY", "h_*->f"], message)
        expect_error(client, ["SORT", "l", "GET", "#", "GET", "h_*->f"], message)
        expect_error(client, ["SORT_RO", "s", "BY", "h_*->f", "ALPHA"], message)
        # BY without '*' sorts nothing and reads nothing: no error.
        check(client.execute_command("SORT", "l", "BY", "nosort->f") == [b"3", b"1", b"2"],
              "BY nosort->f (no '*')")
        check(server.alive(), "the server stays up")


def sort_without_strings():
    binary, _, module_path = server_paths()
    with ServerProcess("dblite", binary, module_path=module_path,
                       extra_args=["--load-module", "lists", "--load-module", "sort"]) as server:
        client = redis.Redis(port=server.port)
        client.response_callbacks.clear()
        client.execute_command("RPUSH", "l", "2", "1")
        check(client.execute_command("SORT", "l") == [b"1", b"2"], "SORT without strings")
        check(client.execute_command("SORT", "l", "GET", "#") == [b"1", b"2"], "GET #")
        expect_error(client, ["SORT", "l", "BY", "w_*"],
                     "SORT BY/GET patterns need the strings module, which is not loaded")
        expect_error(client, ["SORT", "l", "GET", "#", "GET", "w_*"],
                     "SORT BY/GET patterns need the strings module, which is not loaded")


def snapshot_with_zset_refused():
    redis_dir = tempfile.mkdtemp(prefix="dblite-deploy-redis-")
    try:
        reference = subprocess.Popen(
            ["redis-server", "--port", "0", "--unixsocket", os.path.join(redis_dir, "s"),
             "--dir", redis_dir, "--save", ""], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        try:
            client = None
            for _ in range(200):
                try:
                    client = redis.Redis(unix_socket_path=os.path.join(redis_dir, "s"))
                    client.ping()
                    break
                except (redis.ConnectionError, FileNotFoundError):
                    client = None
                    time.sleep(0.02)
            check(client is not None, "redis-server started")
            if client is None:
                return
            client.set("greeting", "hello")
            client.zadd("board", {"alice": 1, "bob": 2})
            client.save()
        finally:
            reference.terminate()
            reference.wait()
        server = make_server()
        shutil.copy(os.path.join(redis_dir, "dump.rdb"), os.path.join(server.dir, "dump.rdb"))
        try:
            server.start()
            failures.append("dblite without zsets started on a snapshot holding a sorted set")
        except RuntimeError:
            log = server.log_tail()
            check("sorted set" in log and "no loaded module provides" in log,
                  "the startup error names the sorted set:\n" + log)
        finally:
            server.stop()
    finally:
        shutil.rmtree(redis_dir, ignore_errors=True)


def main():
    commands_absent()
    sort_without_strings()
    snapshot_with_zset_refused()
    for failure in failures:
        print("FAIL: " + failure)
    if failures:
        return 1
    print("test_deploy_without_zsets: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
