"""Start jobs, run them (in a worker or a thread), and tell how they are going."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import redis
from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from mentoring.db import get_engine, saved_id, write_transaction
from mentoring.exceptions import Conflict, ServiceError, Unavailable
from mentoring.jobs import imports, tasks  # noqa: F401 - registers the kinds of job
from mentoring.jobs.backends import Backend, RQBackend, ThreadBackend
from mentoring.jobs.registry import KINDS, JobContext, write_progress
from mentoring.models import BackgroundJob, JobStatus, utcnow
from mentoring.services.common.locks import lock

FAILED_UNEXPECTEDLY = "Something went wrong while doing this. Nothing was saved: try again."
NO_QUEUE = "The job queue cannot be reached at the moment. Nothing was started: try again soon."
WORKER_DIED = (
    "The job stopped before it finished (its worker stopped). Nothing was saved: start it again."
)


def init_app(app: Flask) -> None:
    """Choose the backend: RQ when REDIS_URL is set, else a thread (inline in tests)."""
    url = app.config.get("REDIS_URL")
    inline = app.config.get("JOBS_INLINE")
    inline = app.testing if inline is None else bool(inline)
    backend: Backend = (
        RQBackend(url)
        if url and not app.config.get("JOBS_IN_PROCESS")
        else ThreadBackend(app, run, inline=inline)
    )
    app.extensions["jobs"] = backend
    app.extensions["mail_dispatch"] = queue_email
    if app.config.get("NOTIFY_SMS_TEMPLATE_ID"):
        app.extensions["text_dispatch"] = queue_text


def backend() -> Backend:
    found: Backend = current_app.extensions["jobs"]
    return found


def start(
    session: Session,
    kind: str,
    *,
    params: dict[str, Any],
    actor_id: int | None,
    lock_key: str | None = None,
    busy_message: str = "This is already being done. Wait for it to finish.",
) -> BackgroundJob:
    """Save a job and hand it to the backend; refuse a second live job with the same lock."""
    spec = KINDS[kind]
    try:
        with write_transaction(session):
            row = BackgroundJob(
                kind=kind,
                params=params,
                lock_key=lock_key,
                created_by_id=actor_id,
                progress_label="Waiting to start",
            )
            session.add(row)
    except IntegrityError as err:
        raise Conflict(busy_message) from err
    try:
        backend().dispatch(saved_id(row), timeout=spec.timeout_seconds)
    except redis.RedisError as err:

        def unqueued(row: BackgroundJob) -> None:
            row.status, row.finished_at, row.message = JobStatus.FAILED.value, utcnow(), NO_QUEUE

        _update(get_engine(), saved_id(row), unqueued)
        raise Unavailable(NO_QUEUE) from err
    return row


def live_job(session: Session, lock_key: str) -> BackgroundJob | None:
    """The job waiting or running with this lock, if any."""
    return session.exec(
        select(BackgroundJob).where(
            BackgroundJob.lock_key == lock_key,
            col(BackgroundJob.status).in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]),
        )
    ).first()


def retry(session: Session, job_id: int) -> BackgroundJob:
    """Run a failed job again (an administrator's retry)."""
    with write_transaction(session):
        row = lock(session, BackgroundJob, job_id)
        if row is None or row.status != JobStatus.FAILED.value:
            raise Conflict("Only a failed job can be tried again")
        row.status = JobStatus.QUEUED.value
        row.message = ""
        row.progress_label = "Waiting to start"
        row.finished_at = None
        session.add(row)
    backend().dispatch(job_id, timeout=KINDS[row.kind].timeout_seconds)
    return row


def for_administrators(
    session: Session, *, limit: int = 50
) -> tuple[list[BackgroundJob], list[BackgroundJob]]:
    """Failed jobs not yet run again (newest first), and the latest jobs of every kind."""
    newest = col(BackgroundJob.id).desc()
    failed = session.exec(
        select(BackgroundJob)
        .where(BackgroundJob.status == JobStatus.FAILED.value)
        .order_by(newest)
        .limit(limit)
    ).all()
    latest = session.exec(select(BackgroundJob).order_by(newest).limit(limit)).all()
    return list(failed), list(latest)


def _update(
    engine: Any, job_id: int, change: Callable[[BackgroundJob], None]
) -> BackgroundJob | None:
    """Change a job's row in a unit of work of its own; return it (None if gone)."""
    with Session(engine, expire_on_commit=False) as session, write_transaction(session):
        row = lock(session, BackgroundJob, job_id)
        if row is not None:
            change(row)
            session.add(row)
        return row


def _begin(row: BackgroundJob) -> None:
    if row.status in (JobStatus.QUEUED.value, JobStatus.RUNNING.value):
        row.status, row.started_at, row.heartbeat_at = JobStatus.RUNNING.value, utcnow(), utcnow()
        row.attempts += 1


def run(job_id: int) -> None:
    """Do a job (the worker's entry point). Never raises: the row says what happened."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    engine = get_engine()
    if os.getpid() != app.extensions.get("db_engine_pid", os.getpid()):
        # A forked RQ work horse: never share the parent's database connections.
        engine.dispose(close=False)
        app.extensions["db_engine_pid"] = os.getpid()
    with Session(engine) as session:
        before = session.get(BackgroundJob, job_id)
        if before is None or before.status not in (JobStatus.QUEUED.value, JobStatus.RUNNING.value):
            return
    row = _update(engine, job_id, _begin)
    if row is None:
        return
    spec = KINDS.get(row.kind)
    params, actor_id, attempts = dict(row.params), row.created_by_id, row.attempts
    started = time.perf_counter()
    watch = app.extensions.get("job_metrics")
    with Session(engine, expire_on_commit=False) as work:
        context = JobContext(
            job_id=job_id,
            params=params,
            actor_id=actor_id,
            session=work,
            report=write_progress(engine, job_id),
        )
        try:
            if spec is None:
                raise ServiceError("This kind of job is not known")
            result = spec.function(context)
        except Exception as err:  # noqa: BLE001 - every failure is recorded on the row
            work.rollback()
            message = err.message if isinstance(err, ServiceError) and err.message else None
            if message is None:
                # The kind of error only: its text may quote the data it was working on.
                app.logger.error(
                    "job failed",
                    extra={
                        "event": "job_failed",
                        "object_id": job_id,
                        "reason": type(err).__name__,
                    },
                )
            _finish_failed(engine, job_id, message or FAILED_UNEXPECTEDLY, spec, attempts)
            if watch is not None:
                watch.finished(row.kind, time.perf_counter() - started, failed=True)
            return

    def done(row: BackgroundJob) -> None:
        row.status, row.finished_at, row.result = JobStatus.DONE.value, utcnow(), result
        row.progress_label = "Done"
        row.progress_done = row.progress_total = max(row.progress_total, 1)
        if spec is not None and spec.name in ("email", "text"):
            row.params = {}  # a message's words are not kept once it has gone

    _update(engine, job_id, done)
    if watch is not None:
        watch.finished(row.kind, time.perf_counter() - started, failed=False)


def _finish_failed(engine: Any, job_id: int, message: str, spec: Any, attempts: int) -> None:
    retries = tuple(spec.retries) if spec is not None else ()
    if attempts <= len(retries):
        delay = retries[attempts - 1]

        def again(row: BackgroundJob) -> None:
            row.status = JobStatus.QUEUED.value
            row.message = f"Attempt {attempts} failed; trying again in {delay} seconds"

        _update(engine, job_id, again)
        backend().dispatch(job_id, delay=delay)
        return

    def failed(row: BackgroundJob) -> None:
        row.status, row.finished_at, row.message = JobStatus.FAILED.value, utcnow(), message

    _update(engine, job_id, failed)


def fail_stale(session: Session) -> int:
    """Mark failed the running jobs whose worker stopped (no progress for the stale time)."""
    cutoff = utcnow() - timedelta(minutes=int(current_app.config["WORKER_STALE_MINUTES"]))
    stale = session.exec(
        select(BackgroundJob.id).where(
            BackgroundJob.status == JobStatus.RUNNING.value,
            col(BackgroundJob.heartbeat_at) < cutoff,
        )
    ).all()

    def died(row: BackgroundJob) -> None:
        if row.status == JobStatus.RUNNING.value:
            row.status, row.finished_at, row.message = JobStatus.FAILED.value, utcnow(), WORKER_DIED

    for job_id in stale:
        if job_id is not None:
            _update(get_engine(), job_id, died)
    return len(stale)


def queue_email(*, to: str, subject: str, body: str) -> None:
    """Send an email as a background job (retried with backoff; see `tasks.email`)."""
    with Session(get_engine(), expire_on_commit=False) as session:
        start(session, "email", params={"to": to, "subject": subject, "body": body}, actor_id=None)


def queue_text(*, to: str, body: str) -> None:
    """Send a text message as a background job (retried with backoff; see `tasks.text`)."""
    with Session(get_engine(), expire_on_commit=False) as session:
        start(session, "text", params={"to": to, "body": body}, actor_id=None)
