"""`flask --app mentoring worker`: run jobs from Redis, keep the daily job scheduled, and
say every 30 seconds that this worker is alive (read by /readyz)."""

from __future__ import annotations

import os
import socket
import threading
import time
from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from rq import Worker
from sqlmodel import Session

from mentoring.db import get_engine, get_session, write_transaction
from mentoring.jobs.backends import RQBackend
from mentoring.jobs.daily import run_daily
from mentoring.jobs.schedule import schedule_next
from mentoring.models import WorkerHeartbeat, service_today, utcnow

HEARTBEAT_SECONDS = 30


def beat(name: str) -> None:
    """Record that a worker is alive."""
    with Session(get_engine()) as session, write_transaction(session):
        row = session.get(WorkerHeartbeat, name) or WorkerHeartbeat(name=name)
        row.seen_at = utcnow()
        session.add(row)


def _keep_beating(app: Flask, name: str) -> None:
    def loop() -> None:
        while True:
            with app.app_context():
                try:
                    beat(name)
                except Exception:  # noqa: BLE001 - the database may be down for a moment
                    app.logger.warning("worker heartbeat failed", extra={"event": "heartbeat"})
            time.sleep(HEARTBEAT_SECONDS)

    threading.Thread(target=loop, name="heartbeat", daemon=True).start()


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then stop.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run background jobs from Redis (matching runs, imports, emails, the daily job)."""
    backend = current_app.extensions["jobs"]
    if not isinstance(backend, RQBackend):
        raise click.ClickException(
            "REDIS_URL is not set: without Redis, jobs run inside the web process."
        )
    name = f"mentor-match-{socket.gethostname()}-{os.getpid()}"
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    beat(name)
    _keep_beating(app, name)
    when = schedule_next(backend, int(current_app.config["DAILY_JOB_HOUR"]))
    click.echo(f"Worker {name}: the next daily job is at {when:%Y-%m-%d %H:%M %Z}.")
    Worker([backend.queue], connection=backend.connection, name=name).work(
        with_scheduler=True, burst=burst
    )


@click.command("send-reminders")
@click.option(
    "--date",
    "on",
    default=None,
    help="Run as if it were this date (YYYY-MM-DD); default today.",
)
@with_appcontext
def daily_command(on: str | None) -> None:
    """Run the daily job now: vetting in date and reminders, and every other daily step."""
    if on:
        try:
            day = datetime.strptime(on, "%Y-%m-%d").date()
        except ValueError:
            raise click.ClickException("--date must be a date like 2026-03-27") from None
    else:
        day = service_today()
    report = run_daily(session=get_session(), on=day)
    for line in report.lines():
        click.echo(line)
    if report.emails_failed:
        raise click.ClickException(
            f"{report.emails_failed} emails could not be sent; they are tried again tomorrow"
        )
