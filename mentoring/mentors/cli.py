"""The daily job: `flask --app mentoring send-reminders [--date YYYY-MM-DD]`."""

from __future__ import annotations

from datetime import datetime

import click

from mentoring.db import get_session
from mentoring.mentors import bp
from mentoring.models import service_today
from mentoring.services.vetting import run_daily_checks


@bp.cli.command("send-reminders")
@click.option(
    "--date",
    "on",
    default=None,
    help="Run as if it were this date (YYYY-MM-DD); default today.",
)
def send_reminders_command(on: str | None) -> None:
    """Send vetting reminders, tell coordinators about lapsed mentors, purge old rationales."""
    if on:
        try:
            day = datetime.strptime(on, "%Y-%m-%d").date()
        except ValueError:
            raise click.ClickException("--date must be a date like 2026-03-27") from None
    else:
        day = service_today()
    summary = run_daily_checks(session=get_session(), on=day)
    click.echo(str(summary))
    if summary.emails_failed:
        raise click.ClickException(
            f"{summary.emails_failed} emails could not be sent; they are tried again tomorrow"
        )
