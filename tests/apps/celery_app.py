# celery_app.py - the Celery application the Celery test runs: broker and
# result backend both on the server under test (DBLITE_APPS_REDIS_URL, set
# by test_celery.py for itself and for the worker subprocess it starts with
# `python3 -m celery -A celery_app worker`).

import os

from celery import Celery

URL = os.environ.get("DBLITE_APPS_REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("dblite_apps", broker=URL, backend=URL)
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_expires=600,
    broker_connection_retry_on_startup=False,
    broker_transport_options={"visibility_timeout": 3600},
)


@app.task
def add(a, b):
    return a + b


@app.task
def fail(message):
    raise ValueError(message)


@app.task(bind=True)
def where(self):
    return {"hostname": self.request.hostname, "id": self.request.id}
