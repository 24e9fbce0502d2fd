# app_jobs.py - the job functions the queue tests (RQ, Celery) run.  They
# live in a module of their own so that a worker, in this process or in a
# subprocess, imports them by name as real applications' workers do.


def add(a, b):
    return a + b


def fail(message):
    raise ValueError(message)
