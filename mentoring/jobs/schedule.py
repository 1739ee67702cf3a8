"""The daily job, run by the job workers at ``DAILY_JOB_HOUR`` (UK time): no cron needed.

With RQ, the worker keeps one "daily tick" scheduled in RQ's scheduler (a fixed job id per
day, so several workers schedule it once); the tick starts the daily job and schedules
the next. Without Redis, a thread of the web process waits for the hour. The daily job is
safe to run twice in a day, and can still be run by hand (`send-reminders`).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlmodel import Session

from mentoring.db import get_engine
from mentoring.exceptions import Conflict
from mentoring.jobs.backends import RQBackend
from mentoring.jobs.runner import start
from mentoring.models import UK_TIME, utcnow

TICK = "mentoring.jobs.schedule.daily_tick"


def next_run(now: datetime, hour: int) -> datetime:
    """The next time the daily job is due (UK time), after ``now``."""
    local = now.astimezone(UK_TIME)
    due = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if due <= local:
        due = (local + timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return due


def start_daily(on: str | None = None) -> int | None:
    """Start the daily job now (once at a time); return its id, or None if one is live."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            row = start(
                session, "daily", params={"on": on} if on else {}, actor_id=None, lock_key="daily"
            )
        except Conflict:
            return None
        return row.id


def schedule_next(backend: RQBackend, hour: int) -> datetime:
    """Keep the next daily tick scheduled in RQ (idempotent: one job id per day)."""
    when = next_run(utcnow(), hour)
    backend.queue.enqueue_at(when, TICK, job_id=f"mentor-match-daily-{when:%Y-%m-%d}")
    return when


def daily_tick() -> None:
    """RQ's scheduled entry point: start today's daily job and schedule tomorrow's."""
    start_daily()
    jobs = current_app.extensions["jobs"]
    if isinstance(jobs, RQBackend):
        schedule_next(jobs, int(current_app.config["DAILY_JOB_HOUR"]))


def start_in_process(app: Flask) -> None:
    """Without Redis: a thread of this process starts the daily job at the hour."""

    def loop() -> None:
        while True:
            wait = (
                next_run(utcnow(), int(app.config["DAILY_JOB_HOUR"])) - utcnow()
            ).total_seconds()
            time.sleep(max(60.0, wait))
            with app.app_context():
                start_daily()

    threading.Thread(target=loop, name="daily-job", daemon=True).start()
