# aof_commands.py - reads the commands a server wrote to its append-only
# files, for tests that compare dblite's log with redis-server's: Redis
# 7.0's multi-part directory (incr files; the base holds a snapshot) or
# dblite's single log, in file order, SELECT left out.
import glob
import os
import time

from server_runner import ServerProcess


def aof_commands(directory):
    """The commands of every append-only file under directory, in file
    order (Redis 7.0's incr files, or dblite's log), without SELECT."""
    paths = sorted(p for p in glob.glob(os.path.join(directory, "**", "*.aof"), recursive=True)
                   if ".base." not in os.path.basename(p))
    commands = []
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        position = 0
        while position < len(data):
            if data[position:position + 1] != b"*":
                break
            end = data.index(b"\r\n", position)
            count = int(data[position + 1:end])
            position = end + 2
            command = []
            for _ in range(count):
                end = data.index(b"\r\n", position)
                length = int(data[position + 1:end])
                position = end + 2
                command.append(data[position:position + length])
                position += length + 2
            if command[0].upper() != b"SELECT":
                commands.append(command)
    return commands


def wait_for_marker(directory, marker=(b"SET", b"marker", b"done"), timeout=10):
    """The log's commands once its last one is marker (the test's final
    write, so everything before it has reached the file), or what is there
    after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        commands = aof_commands(directory)
        if commands and commands[-1] == list(marker):
            return commands
        time.sleep(0.05)
    return aof_commands(directory)


def logging_servers(binary, module_path, config_dir, redis_binary):
    """A dblite and a redis-server (not started) that log every write with
    appendfsync always, so each command is in the file once it is answered."""
    dblite = ServerProcess("dblite", binary, os.path.join(config_dir, "dblite.ini"), module_path,
                           ["--persistence.appendonly", "yes", "--persistence.save", "",
                            "--persistence.appendfsync", "always"])
    redis = ServerProcess("redis", redis_binary,
                          extra_args=["--appendonly", "yes", "--appendfsync", "always"])
    return dblite, redis
