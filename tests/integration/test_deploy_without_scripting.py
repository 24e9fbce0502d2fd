#!/usr/bin/env python3
# test_deploy_without_scripting.py - a deployment that leaves scripting.so
# out of its config (minimal.ini plus the data families): EVAL, EVALSHA,
# EVAL_RO, EVALSHA_RO and SCRIPT are simply absent (unknown command, COMMAND
# INFO nil), and the same server with scripting.so loaded has them, so the
# module is what brings them.
#
# Usage: test_deploy_without_scripting.py; the binary, modules and configs
# come from ctest's environment (DBLITE_SERVER, DBLITE_MODULE_PATH,
# DBLITE_CONFIG_DIR) or the build tree.
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "diff"))

import redis  # noqa: E402

from server_runner import ServerProcess  # noqa: E402

MODULES = ["lists", "hashes", "sets"]  # with minimal.ini's strings
COMMANDS = (["EVAL", "return 1", "0"], ["EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"],
            ["EVAL_RO", "return 1", "0"],
            ["EVALSHA_RO", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"],
            ["SCRIPT", "LOAD", "return 1"])
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)


def server_paths():
    source = os.environ.get("DBLITE_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
    binary = os.environ.get("DBLITE_SERVER") or os.path.join(source, "build", "dblite-server")
    config_dir = os.environ.get("DBLITE_CONFIG_DIR") or os.path.join(source, "config")
    module_path = os.environ.get("DBLITE_MODULE_PATH") or os.path.join(
        os.path.dirname(binary), "modules")
    return binary, os.path.join(config_dir, "minimal.ini"), module_path


def make_server(with_scripting):
    binary, config, module_path = server_paths()
    extra = []
    for name in MODULES + (["scripting"] if with_scripting else []):
        extra += ["--load-module", name]
    return ServerProcess("dblite", binary, config=config, module_path=module_path,
                         extra_args=extra)


def commands_absent():
    with make_server(False) as server:
        client = redis.Redis(port=server.port)
        client.response_callbacks.clear()
        for command in COMMANDS:
            args = "".join("'%s' " % a for a in command[1:])
            expected = "unknown command '%s', with args beginning with: %s" % (command[0], args)
            try:
                reply = client.execute_command(*command)
                failures.append("%s answered %r without scripting.so" % (command, reply))
            except redis.ResponseError as error:
                check(str(error) == expected, "%s: %r, expected %r" % (command, str(error), expected))
        info = client.execute_command("COMMAND", "INFO", "eval", "script", "get")
        check(info[0] is None and info[1] is None and info[2] is not None,
              "COMMAND INFO eval/script nil without scripting.so: %r" % (info[:2],))
        check(client.execute_command("HSET", "h", "f", "v") == 1, "the families still work")


def commands_present():
    with make_server(True) as server:
        client = redis.Redis(port=server.port)
        client.response_callbacks.clear()
        check(client.execute_command(*COMMANDS[0]) == 1, "EVAL with scripting.so")
        check(client.execute_command(*COMMANDS[4]) == b"e0e1f9fabfc9d4800c877a703b823ac0578ff8db",
              "SCRIPT LOAD with scripting.so")
        check(client.execute_command(*COMMANDS[1]) == 1, "EVALSHA with scripting.so")
        check(client.execute_command("EVAL", "return redis.call('hset', KEYS[1], 'f', 'v')", "1",
                                     "h") == 1, "a script reaches hashes.so")


def main():
    commands_absent()
    commands_present()
    for failure in failures:
        print("FAIL: " + failure)
    if failures:
        return 1
    print("test_deploy_without_scripting: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
