# test_rq.py - RQ (python3-rq): jobs enqueued with Queue.enqueue and run by
# a burst worker (Worker(...).work(burst=True), which forks a work horse
# per job as `rq worker --burst` does); the results, statuses and
# registries are checked, a failing job lands in the failed registry with
# its traceback, and a job with a dependency waits for its parent.
#
# Run against dblite (default) or redis-server (--server redis); see
# app_support.py for the verdict when commands are missing.

import logging

import redis
from rq import Queue, Worker
from rq.job import Job, JobStatus

import app_jobs
from app_support import check, run

# Commands RQ 1.13 uses (seen through --list-commands against redis-server)
# that a server may lack: its job registries are sorted sets scored by
# expiry time, and job results go to a stream per job.
NEEDS = ["multi", "exec", "watch", "unwatch", "subscribe", "zadd", "zrange",
         "zrangebyscore", "zrem", "zremrangebyscore", "xadd", "xrevrange"]


class LogEvidence(logging.Handler):
    """The worker reports a failed command (XADD of a job's result) in its
    log and carries on; the log is evidence of which commands were missing."""

    def __init__(self, evidence):
        super().__init__(level=logging.WARNING)
        self.evidence = evidence

    def emit(self, record):
        self.evidence.append(self.format(record))


def scenario(server, evidence):
    logging.getLogger("rq").addHandler(LogEvidence(evidence))
    connection = redis.Redis(port=server.port, socket_timeout=120)
    queue = Queue("apps", connection=connection)
    sum_job = queue.enqueue(app_jobs.add, 2, 3)
    failing = queue.enqueue(app_jobs.fail, "on purpose")
    child = queue.enqueue(app_jobs.add, 10, 20, depends_on=sum_job)
    check(sum_job.get_status() == JobStatus.QUEUED, "status before the worker: %s"
          % sum_job.get_status())
    check(len(queue) == 2, "two jobs queued, the dependent one deferred: %d" % len(queue))

    worker = Worker([queue], connection=connection, name="apps-burst-worker")
    worked = worker.work(burst=True)
    check(worked, "the burst worker did work")

    sum_job = Job.fetch(sum_job.id, connection=connection)
    check(sum_job.get_status() == JobStatus.FINISHED, "status %s" % sum_job.get_status())
    check(sum_job.result == 5, "result %r" % sum_job.result)
    child = Job.fetch(child.id, connection=connection)
    check(child.get_status() == JobStatus.FINISHED and child.result == 30,
          "dependent job %s %r" % (child.get_status(), child.result))
    failing = Job.fetch(failing.id, connection=connection)
    check(failing.get_status() == JobStatus.FAILED, "failing job status %s"
          % failing.get_status())
    check("on purpose" in (failing.exc_info or ""), "traceback kept: %r" % failing.exc_info)
    check(failing.id in queue.failed_job_registry.get_job_ids(), "failed registry")
    check(sum_job.id in queue.finished_job_registry.get_job_ids(), "finished registry")
    check(len(queue) == 0, "queue drained")
    connection.close()


if __name__ == "__main__":
    run("rq", NEEDS, scenario)
