"""The kinds of job, and what a job's code is given: its parameters and a progress line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from mentoring.db import write_transaction
from mentoring.models import BackgroundJob, utcnow

Progress = Callable[[int, int, str], None]
SQLITE_PROGRESS_WAIT_MS = 200
SQLITE_BUSY_MS = 30_000  # as mentoring.db sets on every connection


@dataclass
class JobContext:
    """What a job's function receives."""

    job_id: int
    params: dict[str, Any]
    actor_id: int | None
    session: Session
    report: Progress = field(repr=False)

    def progress(self, done: int, total: int, label: str) -> None:
        """Say how far the job has got ("saving 2,944 proposals", 1 of 3)."""
        self.report(done, total, label)


JobFunction = Callable[[JobContext], dict[str, Any]]


@dataclass(frozen=True)
class JobKind:
    name: str
    function: JobFunction
    label: str
    retries: tuple[int, ...] = ()  # seconds to wait before each retry
    timeout_seconds: int = 600


KINDS: dict[str, JobKind] = {}


def job(
    name: str, *, label: str, retries: tuple[int, ...] = (), timeout_seconds: int = 600
) -> Callable[[JobFunction], JobFunction]:
    """Register a function as a kind of job."""

    def register(function: JobFunction) -> JobFunction:
        KINDS[name] = JobKind(name, function, label, retries, timeout_seconds)
        return function

    return register


def write_progress(engine: Engine, job_id: int) -> Progress:
    """A progress reporter that saves each step on the job's row at once.

    Progress is best effort: on SQLite, while the job's own unit of work holds the write
    lock, a step is skipped after a moment rather than waiting for the lock.
    """
    sqlite = engine.dialect.name == "sqlite"

    def report(done: int, total: int, label: str) -> None:
        with Session(engine) as session:
            if sqlite:
                session.execute(sa.text(f"PRAGMA busy_timeout = {SQLITE_PROGRESS_WAIT_MS}"))
            try:
                with write_transaction(session):
                    row = session.get(BackgroundJob, job_id)
                    if row is None:
                        return
                    row.progress_done, row.progress_total = max(0, done), max(0, total)
                    row.progress_label = label[:120]
                    row.heartbeat_at = utcnow()
                    session.add(row)
            except OperationalError:
                if not sqlite:
                    raise
            finally:
                if sqlite:
                    session.execute(sa.text(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}"))

    return report
