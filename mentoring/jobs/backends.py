"""Where jobs run: RQ on Redis, or a thread of the web process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Protocol

import redis
from flask import Flask
from rq import Queue

QUEUE = "mentor-match"
RUNNER = "mentoring.jobs.runner.run"


class Backend(Protocol):
    def dispatch(self, job_id: int, *, delay: int = 0, timeout: int = 600) -> None: ...
    def queue_depth(self) -> int: ...


class ThreadBackend:
    """Jobs in a thread of this process (no Redis): one at a time, in arrival order.

    ``inline`` runs each job at once, in the caller (the test suite does this).
    """

    def __init__(self, app: Flask, run: Callable[[int], None], *, inline: bool = False) -> None:
        self._app = app
        self._run_job = run
        self._inline = inline
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="job")
        self._waiting = 0
        self._lock = threading.Lock()

    def _run(self, job_id: int) -> None:
        with self._lock:
            self._waiting -= 1
        with self._app.app_context():
            self._run_job(job_id)

    def _submit(self, job_id: int) -> None:
        self._pool.submit(self._run, job_id)

    def dispatch(self, job_id: int, *, delay: int = 0, timeout: int = 600) -> None:
        with self._lock:
            self._waiting += 1
        if self._inline and not delay:
            self._run(job_id)
        elif delay:
            timer = threading.Timer(delay, self._submit, args=(job_id,))
            timer.daemon = True
            timer.start()
        else:
            self._submit(job_id)

    def queue_depth(self) -> int:
        return max(0, self._waiting)


class RQBackend:
    """Jobs on Redis, run by `flask --app mentoring worker`."""

    def __init__(self, url: str) -> None:
        self.connection = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
        self.queue = Queue(QUEUE, connection=self.connection)

    def dispatch(self, job_id: int, *, delay: int = 0, timeout: int = 600) -> None:
        if delay:
            self.queue.enqueue_in(timedelta(seconds=delay), RUNNER, job_id, job_timeout=timeout)
        else:
            self.queue.enqueue(RUNNER, job_id, job_timeout=timeout)

    def queue_depth(self) -> int:
        return int(self.queue.count)
