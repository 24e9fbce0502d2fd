#!/usr/bin/env python3
# run_diff.py - differential test: runs the same command scripts against a
# stock redis-server and against dblite-server and compares the raw reply
# bytes, in RESP2 and then again in RESP3.
#
# Usage: run_diff.py [options] [CASE_FILE...]   (default tests/diff/cases/*.txt)
# Case file syntax is described in case_file.py.  Every file runs on fresh
# connections after FLUSHALL, once per protocol; in RESP3 the connection
# first sends HELLO 3, whose reply is not compared (server name and version
# legitimately differ).  Exits 1 on any mismatch, 2 on a setup problem.
#
# Standard library only, so it runs on a bare python3.

import argparse
import glob
import os
import shutil
import socket
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from case_file import CaseSyntaxError, parse_case_file  # noqa: E402
from resp_wire import ProtocolError, ReplyReader, encode_command, escape, sorted_reply  # noqa: E402
from server_runner import ServerProcess, is_redis_binary  # noqa: E402

REPLY_TIMEOUT = 10.0


class ServerDied(Exception):
    pass


class ConnectionBroken(Exception):
    """A reply could not be read (timeout, bad framing, connection closed)
    while the server lives on: the rest of that pass is skipped, since the
    connection's state no longer matches the script."""


class Connection:
    def __init__(self, server):
        self.server = server
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=REPLY_TIMEOUT)
        self.sock.settimeout(REPLY_TIMEOUT)
        self.reader = ReplyReader(self.sock)

    def call_raw(self, payload, replies=1):
        """Sends bytes and returns that many replies as raw bytes."""
        try:
            self.sock.sendall(payload)
            return b"".join(self.reader.read_reply() for _ in range(replies))
        except (ProtocolError, OSError) as error:
            if not self.server.alive():
                raise ServerDied("%s died: %s\n%s" % (
                    self.server.name, error, self.server.log_tail())) from error
            raise ConnectionBroken("%s: %s" % (self.server.name, error)) from error

    def call(self, arguments):
        return self.call_raw(encode_command(arguments))

    def close(self):
        self.sock.close()


def default_paths():
    source_dir = os.environ.get("DBLITE_SOURCE_DIR") or os.path.dirname(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    config_dir = os.environ.get("DBLITE_CONFIG_DIR") or os.path.join(source_dir, "config")
    binary = os.environ.get("DBLITE_SERVER") or os.path.join(source_dir, "build", "dblite-server")
    module_path = os.environ.get("DBLITE_MODULE_PATH") or os.path.join(
        os.path.dirname(binary), "modules")
    return source_dir, config_dir, binary, module_path


def parse_arguments():
    source_dir, config_dir, binary, module_path = default_paths()
    parser = argparse.ArgumentParser(
        description="Compare dblite-server replies with redis-server replies.")
    parser.add_argument("cases", nargs="*", help="case files (default tests/diff/cases/*.txt)")
    parser.add_argument("--dblite", default=binary, help="server under test (%(default)s)")
    parser.add_argument("--config", default=os.path.join(config_dir, "dblite.ini"),
                        help="its config file (%(default)s)")
    parser.add_argument("--module-path", default=module_path, help="its modules (%(default)s)")
    parser.add_argument("--redis", default=shutil.which("redis-server"),
                        help="reference redis-server (%(default)s)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every reply")
    options = parser.parse_args()
    # The servers run inside their temporary directories: make paths absolute.
    for name in ("dblite", "config", "module_path", "redis"):
        value = getattr(options, name)
        if value and os.sep in value:
            setattr(options, name, os.path.abspath(value))
    if not options.cases:
        options.cases = sorted(glob.glob(os.path.join(source_dir, "tests", "diff", "cases", "*.txt")))
    return options


class Tally:
    def __init__(self):
        self.compared = 0
        self.mismatches = 0


def report_mismatch(case, protocol, redis_reply, dblite_reply):
    print("MISMATCH %s:%d [RESP%d] %s" % (case.path, case.line_number, protocol, case.text))
    print("    redis:  %s" % escape(redis_reply))
    print("    dblite: %s" % escape(dblite_reply))


def open_session(servers, protocol):
    """Fresh connections to both servers, FLUSHALLed, in the given protocol."""
    connections = [Connection(server) for server in servers]
    for connection in connections:
        replies = [connection.call([b"FLUSHALL"])]
        if protocol == 3:
            replies.append(connection.call([b"HELLO", b"3"]))
        for reply in replies:
            if not reply.startswith((b"+", b"%", b"*")):
                raise ServerDied("%s refused the session setup: %s" % (
                    connection.server.name, escape(reply)))
    return connections


def run_file(case_file, servers, tally, verbose):
    protocols = (2, 3) if case_file.resp3 else (2,)
    for protocol in protocols:
        connections = open_session(servers, protocol)
        try:
            for case in case_file.cases:
                if case.inline:
                    payload = case.text.encode("utf-8") + b"\r\n"
                else:
                    payload = encode_command(case.arguments)
                try:
                    redis_reply, dblite_reply = (c.call_raw(payload, case.replies) for c in connections)
                except ConnectionBroken as error:
                    tally.compared += 1
                    tally.mismatches += 1
                    print("MISMATCH %s:%d [RESP%d] %s\n    %s; rest of this pass skipped" % (
                        case.path, case.line_number, protocol, case.text, error))
                    break
                if verbose:
                    print("%s:%d [RESP%d] %s\n    redis:  %s\n    dblite: %s" % (
                        case.path, case.line_number, protocol, case.text,
                        escape(redis_reply), escape(dblite_reply)))
                if case.ignore:
                    continue
                if case.sort:
                    redis_reply, dblite_reply = sorted_reply(redis_reply), sorted_reply(dblite_reply)
                tally.compared += 1
                if redis_reply != dblite_reply:
                    tally.mismatches += 1
                    report_mismatch(case, protocol, redis_reply, dblite_reply)
        finally:
            for connection in connections:
                connection.close()


def main():
    options = parse_arguments()
    if not options.redis:
        print("run_diff: redis-server not found in PATH (run scripts/install-deps.sh)")
        return 2
    if not os.access(options.dblite, os.X_OK):
        print("run_diff: server under test %s is not executable" % options.dblite)
        return 2
    try:
        case_files = [parse_case_file(path) for path in options.cases]
    except (OSError, CaseSyntaxError) as error:
        print("run_diff: %s" % error)
        return 2
    if not case_files:
        print("run_diff: no case files")
        return 2

    redis_side = is_redis_binary(options.dblite)
    servers = [ServerProcess("redis", options.redis),
               ServerProcess("dblite", options.dblite,
                             config=None if redis_side else options.config,
                             module_path=None if redis_side else options.module_path)]
    tally = Tally()
    status = 0
    try:
        for server in servers:
            server.start()
        for case_file in case_files:
            compared, mismatches = tally.compared, tally.mismatches
            run_file(case_file, servers, tally, options.verbose)
            print("run_diff: %s: %d replies compared, %d mismatches" % (
                os.path.basename(case_file.path), tally.compared - compared,
                tally.mismatches - mismatches))
    except (RuntimeError, ServerDied, ConnectionBroken, OSError) as error:
        print("run_diff: %s" % error)
        status = 2
    finally:
        for server in servers:
            exit_status = server.stop()
            if status == 0 and exit_status not in (0, None):
                print("run_diff: %s exited with status %s on SIGTERM" % (server.name, exit_status))
                status = 2
    print("run_diff: %d files, %d replies compared, %d mismatches" % (
        len(case_files), tally.compared, tally.mismatches))
    print("%d passed, %d failed" % (tally.compared - tally.mismatches, tally.mismatches))
    if status == 0 and tally.mismatches:
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
