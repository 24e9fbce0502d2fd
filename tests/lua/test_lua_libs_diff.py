#!/usr/bin/env python3
# test_lua_libs_diff.py - the Lua libraries of modules/scripting/lua_libs
# (cjson, cmsgpack, struct, bit) against a stock redis-server's: every
# snippet of lua_libs_cases.py is run through redis-server's EVAL and
# through lua_libs_runner (argv[1]: a lua_State with our libraries opened,
# which prints the result as Redis converts it for a RESP2 client), and the
# two replies must be equal byte for byte.
#
# Errors a snippet raises differ only in Redis's decorations (the "ERR "
# prefix, the "user_script:N: " position, the " script: <sha>, on
# @user_script:N." suffix), which are stripped on both sides; most snippets
# catch their errors with pcall and return the message as a string, which
# is compared as is.
#
# Usage: test_lua_libs_diff.py RUNNER [--verbose] [NAME_SUBSTRING]
# Exits 1 on any difference (each one is printed with both replies).

import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "diff"))
sys.path.insert(0, HERE)

from raw_client import Client  # noqa: E402
from resp_wire import _BytesReader, escape  # noqa: E402
from server_runner import ServerProcess  # noqa: E402

import lua_libs_cases  # noqa: E402

ERROR_DECORATIONS = re.compile(
    rb"^-(?:ERR )?(?:user_script:\d+: )?(.*?)(?: script: [0-9a-f]{40}, on @user_script:\d+\.)?\r\n$",
    re.S)


def normalized(reply):
    """An error reply without Redis's decorations; other replies as they are."""
    if reply.startswith(b"-"):
        match = ERROR_DECORATIONS.match(reply)
        if match:
            return b"-ERR " + match.group(1) + b"\r\n"
    return reply


def runner_replies(runner, snippets):
    """Runs every snippet through the runner in one process."""
    payload = b"".join(b"%d\n%s" % (len(s), s) for s in snippets)
    completed = subprocess.run([runner], input=payload, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=600)
    if completed.returncode != 0:
        raise RuntimeError("lua_libs_runner failed (%d): %s" % (
            completed.returncode, completed.stderr.decode("utf-8", "replace")))
    reader = _BytesReader(completed.stdout, 0)
    replies = [reader.read_reply() for _ in snippets]
    if reader.buffer:
        raise RuntimeError("lua_libs_runner printed more than one reply per snippet")
    return replies


def redis_replies(snippets):
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (scripts/install-deps.sh)")
    with ServerProcess("redis", binary) as server:
        client = Client(server)
        replies = []
        window = 32
        for start in range(0, len(snippets), window):
            chunk = snippets[start:start + window]
            for snippet in chunk:
                client.send(b"EVAL", snippet, b"0")
            replies += [client.read() for _ in chunk]
        client.close()
    return replies


def main():
    arguments = sys.argv[1:]
    if not arguments:
        print("usage: test_lua_libs_diff.py RUNNER [--verbose] [NAME_SUBSTRING]", file=sys.stderr)
        return 2
    runner = arguments.pop(0)
    verbose = "--verbose" in arguments
    arguments = [a for a in arguments if a != "--verbose"]
    cases = lua_libs_cases.all_cases()
    if arguments:
        cases = [c for c in cases if arguments[0] in c[0]]
    names = [name for name, _ in cases]
    if len(set(names)) != len(names):
        print("duplicate case names", file=sys.stderr)
        return 1
    snippets = [(lua_libs_cases.PRELUDE + body).encode("latin-1") for _, body in cases]

    ours = runner_replies(runner, snippets)
    theirs = redis_replies(snippets)
    different = 0
    for (name, body), mine, reference in zip(cases, ours, theirs):
        if normalized(mine) == normalized(reference):
            if verbose:
                print("ok   %s: %s" % (name, escape(reference, 200)))
            continue
        different += 1
        print("DIFF %s\n  snippet:  %s\n  redis:    %s\n  lua_libs: %s" % (
            name, body.strip()[:400], escape(reference, 600), escape(mine, 600)))
    passed = len(cases) - different
    print("lua_libs_diff: %d cases, %d identical to redis-server" % (len(cases), passed))
    print("%d passed, %d failed" % (passed, different))
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
