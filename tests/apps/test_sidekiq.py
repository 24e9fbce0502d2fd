# test_sidekiq.py - Sidekiq 6.4 (ruby-sidekiq): jobs enqueued with
# Sidekiq's client (sidekiq/driver.rb) and run by the real processor (the
# `sidekiq` executable, -r sidekiq/jobs.rb, a subprocess); each job's
# effect is checked in the server itself (the keys the jobs write), the
# rest through Sidekiq's API.  Two parts, judged apart (app_support.Part):
#   queue: perform_async, Client.push and push_bulk jobs run; the
#          processor's heartbeat shows in ProcessSet; the daily history
#          counts them.  The processor runs without its scheduler, which
#          needs sorted sets and Lua (jobs.rb).
#   sets:  a scheduled job (perform_in: the schedule sorted set) runs
#          once its time has come, a failing job with one retry waits in
#          the retry set, one with none is in the dead set, and the stats
#          count processed and failed jobs.
#
# Run against dblite (default) or redis-server (--server redis); see
# app_support.py for the verdict when commands are missing.

import json
import os
import shutil
import signal
import subprocess
import tempfile

from app_support import HERE, UNKNOWN_COMMAND, AppFailure, Part, call, check, poll, run

# Commands Sidekiq 6.4.1 / redis-rb 4.8 use (seen through --list-commands
# against redis-server) that a server may lack.  Both parts: jobs are
# fetched with BRPOP, and the heartbeat and the stats are MULTI blocks.
# The sets part: the schedule, retry and dead sets are sorted sets scored
# by time; the scheduler moves due jobs to their queue with a Lua script
# (SCRIPT LOAD, EVALSHA), the dead set is trimmed by score and by rank.
QUEUE_NEEDS = ["multi", "exec", "brpop", "unlink", "sscan"]
SETS_NEEDS = QUEUE_NEEDS + ["evalsha", "script", "zadd", "zcard", "zrange", "zrangebyscore",
                            "zrem", "zremrangebyrank", "zremrangebyscore"]
SIDEKIQ_DIR = os.path.join(HERE, "sidekiq")
RUBY_TIMEOUT = 120


def ruby_driver(url, mode, evidence):
    """Runs driver.rb in mode; its JSON answer."""
    done = subprocess.run(["ruby", os.path.join(SIDEKIQ_DIR, "driver.rb"), mode],
                          env=dict(os.environ, DBLITE_APPS_REDIS_URL=url),
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=RUBY_TIMEOUT)
    output = done.stdout.decode("utf-8", "replace")
    errors = done.stderr.decode("utf-8", "replace")
    evidence.append("driver.rb %s:\n%s%s" % (mode, output, errors))
    if done.returncode != 0:
        raise AppFailure("driver.rb %s exited with %d: %s" % (mode, done.returncode, errors))
    return json.loads(output)


class Processor:
    """The `sidekiq` executable on queue apps, tagged apps; its log goes
    to a file for evidence."""

    def __init__(self, url, scheduler):
        self.log = tempfile.NamedTemporaryFile(prefix="dblite-apps-sidekiq-", suffix=".log")
        environment = dict(os.environ, DBLITE_APPS_REDIS_URL=url,
                           DBLITE_APPS_SIDEKIQ_SCHEDULER="on" if scheduler else "off")
        self.process = subprocess.Popen(
            [shutil.which("sidekiq") or "sidekiq", "-r", os.path.join(SIDEKIQ_DIR, "jobs.rb"),
             "-q", "apps", "-c", "2", "-t", "10", "-g", "apps"],
            cwd=SIDEKIQ_DIR, env=environment, stdin=subprocess.DEVNULL, stdout=self.log,
            stderr=subprocess.STDOUT)

    def output(self):
        with open(self.log.name, "rb") as log:
            return log.read().decode("utf-8", "replace")

    def healthy(self):
        """Raises at once if the processor met an unknown command or died,
        rather than letting a poll run into its timeout."""
        unknown = UNKNOWN_COMMAND.search(self.output())
        if unknown:
            raise AppFailure("the processor met %s" % unknown.group(0))
        if self.process.poll() is not None:
            raise AppFailure("the processor exited with %r" % self.process.returncode)
        return True

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # its graceful shutdown
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def written(port, key):
    """The value a job wrote under key (GET over a raw socket), or None."""
    reply = call(port, "GET", key)
    if reply.startswith(b"$-1"):
        return None
    check(reply.startswith(b"$"), "GET %s answered %r" % (key, reply))
    return reply.split(b"\r\n")[1].decode()


def zcard(port, key):
    reply = call(port, "ZCARD", key)
    check(reply.startswith(b":"), "ZCARD %s answered %r" % (key, reply))
    return int(reply[1:].strip())


def run_processor(server, evidence, scheduler, until):
    """Runs a processor until until(processor) has seen everything, then
    stops it; it must exit cleanly."""
    processor = Processor("redis://127.0.0.1:%d/0" % server.port, scheduler)
    try:
        until(processor)
    finally:
        status = processor.stop()
        evidence.append("sidekiq log:\n" + processor.output())
    check(status == 0, "the processor exited with %r" % status)


def queue_scenario(server, evidence):
    url = "redis://127.0.0.1:%d/0" % server.port
    enqueued = ruby_driver(url, "enqueue-queue", evidence)
    check(enqueued["queued"] == 5, "five jobs in queue apps before the processor: %r"
          % enqueued)
    check(enqueued["queues"] == ["apps"], "queues %r" % enqueued["queues"])
    check(len(enqueued["bulk"]) == 3, "push_bulk's jids %r" % enqueued["bulk"])
    check(written(server.port, "apps:written") is None, "no job ran before the processor")

    def until(processor):
        def ran(key):
            processor.healthy()
            return written(server.port, key)
        check(poll(lambda: ran("apps:written"), "perform_async's job") == "by perform_async",
              "perform_async's job wrote its value")
        check(poll(lambda: ran("apps:pushed"), "Client.push's job") == "by Client.push",
              "Client.push's job wrote its value")
        for i in range(1, 4):
            check(poll(lambda: ran("apps:bulk:%d" % i), "bulk job %d" % i) == str(i),
                  "bulk job %d wrote its value" % i)
        check(written(server.port, "apps:runs") == "5", "five WriteJob runs")
        running = poll(lambda: processor.healthy() and ruby_driver(
            url, "processes", evidence)["processes"], "the processor's heartbeat")
        check(running == [{"tag": "apps", "queues": ["apps"], "concurrency": 2}],
              "ProcessSet %r" % running)
    run_processor(server, evidence, False, until)

    outcome = ruby_driver(url, "inspect-queue", evidence)
    check(outcome == {"queued": 0, "processed": 5, "failed": 0}, "after the run: %r" % outcome)
    check(ruby_driver(url, "processes", evidence)["processes"] == [],
          "the stopped processor left ProcessSet")


def sets_scenario(server, evidence):
    url = "redis://127.0.0.1:%d/0" % server.port
    enqueued = ruby_driver(url, "enqueue-sets", evidence)
    check(enqueued["queued"] == 2 and enqueued["scheduled_count"] == 1,
          "two jobs queued, one scheduled: %r" % enqueued)
    check(zcard(server.port, "schedule") == 1, "the schedule sorted set holds the job")

    def until(processor):
        ran_at = float(poll(lambda: processor.healthy() and written(server.port, "apps:scheduled"),
                            "the scheduled job"))
        check(ran_at >= enqueued["scheduled_for"] - 0.5,
              "the scheduled job ran at %.2f, before its time %.2f"
              % (ran_at, enqueued["scheduled_for"]))
        poll(lambda: processor.healthy() and zcard(server.port, "retry") == 1, "the retry set")
        poll(lambda: processor.healthy() and zcard(server.port, "dead") == 1, "the dead set")
        check(zcard(server.port, "schedule") == 0, "the schedule set was emptied")
    run_processor(server, evidence, True, until)

    outcome = ruby_driver(url, "inspect-sets", evidence)
    retry = outcome["retry"]
    check(retry == [{"jid": enqueued["retry"], "class": "RetryJob", "error": "retry on purpose",
                     "retry_count": 0, "late": True}], "retry set %r" % retry)
    dead = outcome["dead"]
    check(dead == [{"jid": enqueued["dead"], "class": "DeadJob", "error": "dead on purpose",
                    "retry_count": 0, "late": False}], "dead set %r" % dead)
    check(outcome["queued"] == 0 and outcome["scheduled_count"] == 0, "drained %r" % outcome)
    check(outcome["processed"] == 3 and outcome["failed"] == 2, "stats %r" % outcome)


if __name__ == "__main__":
    run("sidekiq", [Part("sidekiq-queue", QUEUE_NEEDS, queue_scenario),
                    Part("sidekiq-sets", SETS_NEEDS, sets_scenario)])
