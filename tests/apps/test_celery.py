# test_celery.py - Celery (python3-celery, kombu's redis transport): tasks
# sent through the redis broker and answered through the redis result
# backend, run by a real worker (`python3 -m celery -A celery_app worker`,
# a subprocess, solo pool): a task's value with .get(timeout=...), a
# failing task's exception and state, a group and a chain, and the
# worker's remote control (ping, through the broker's pub/sub fanout).
#
# Run against dblite (default) or redis-server (--server redis); see
# app_support.py for the verdict when commands are missing.

import gc
import os
import signal
import subprocess
import sys
import tempfile
import time

import celery.exceptions

from app_support import HERE, UNKNOWN_COMMAND, AppFailure, check, run

# Commands Celery 5.2 / kombu 5.2 use (seen through --list-commands against
# redis-server) that a server may lack: kombu keeps the messages a worker
# has taken but not acknowledged in a sorted set (unacked_index, scored by
# delivery time) to restore them after the visibility timeout, and
# restores them under a redis-py Lock, whose release is a Lua script
# (SCRIPT LOAD, EVALSHA).
NEEDS = ["multi", "exec", "subscribe", "psubscribe", "publish", "brpop", "setex",
         "zadd", "zrem", "zrevrangebyscore", "evalsha", "script"]
GET_TIMEOUT = 120


class Worker:
    """A celery worker subprocess; its output goes to a file for evidence."""

    def __init__(self, url):
        self.log = tempfile.NamedTemporaryFile(prefix="dblite-apps-celery-", suffix=".log")
        environment = dict(os.environ, DBLITE_APPS_REDIS_URL=url,
                           PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "--pool=solo",
             "--loglevel=INFO", "--hostname=apps@%h", "--without-heartbeat"],
            cwd=HERE, env=environment, stdin=subprocess.DEVNULL, stdout=self.log,
            stderr=subprocess.STDOUT)

    def output(self):
        with open(self.log.name, "rb") as log:
            return log.read().decode("utf-8", "replace")

    def wait(self, result, what):
        """result.get(), in short slices: a worker that meets an unknown
        command (or dies) ends the wait at once instead of at the timeout."""
        deadline = time.monotonic() + GET_TIMEOUT
        while True:
            try:
                return result.get(timeout=2)
            except celery.exceptions.TimeoutError:
                pass
            unknown = UNKNOWN_COMMAND.search(self.output())
            if unknown:
                raise AppFailure("the worker met %s while running %s" % (unknown.group(0), what))
            if self.process.poll() is not None:
                raise AppFailure("the worker exited (%r) during %s"
                                 % (self.process.returncode, what))
            if time.monotonic() > deadline:
                raise AppFailure("no result for %s within %d s" % (what, GET_TIMEOUT))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def scenario(server, evidence):
    url = "redis://127.0.0.1:%d/0" % server.port
    os.environ["DBLITE_APPS_REDIS_URL"] = url
    sys.path.insert(0, HERE)
    import celery_app

    worker = Worker(url)
    try:
        result = celery_app.add.delay(2, 3)
        check(worker.wait(result, "add(2, 3)") == 5, "add(2, 3)")
        check(result.state == "SUCCESS", "state %s" % result.state)

        failing = celery_app.fail.delay("on purpose")
        try:
            worker.wait(failing, "fail()")
            check(False, "a failing task's get raised nothing")
        except ValueError as error:
            check("on purpose" in str(error), "the task's exception: %r" % error)
        check(failing.state == "FAILURE", "failing state %s" % failing.state)

        from celery import chain, group
        values = worker.wait(group(celery_app.add.s(i, i) for i in range(10))(), "a group")
        check(values == [2 * i for i in range(10)], "group %r" % values)
        total = chain(celery_app.add.s(1, 2), celery_app.add.s(3), celery_app.add.s(4))()
        check(worker.wait(total, "a chain") == 10, "chain")

        info = worker.wait(celery_app.where.delay(), "where()")
        check(info["hostname"].startswith("apps@"), "ran on the test's worker: %r" % info)
        replies = celery_app.app.control.ping(timeout=5.0)
        check(any(name.startswith("apps@") for reply in replies for name in reply),
              "the worker answers a broadcast ping: %r" % replies)
        check(worker.process.poll() is None, "the worker is still running")
        del result, failing, total
    finally:
        # Results still referenced unsubscribe when collected: do it while
        # the server runs, not at interpreter exit.
        gc.collect()
        status = worker.stop()
        evidence.append(worker.output())
    check(status == 0, "the worker exited with %r" % status)


if __name__ == "__main__":
    run("celery", NEEDS, scenario)
