"""The daily job: every context's daily step, in order, as one job.

Each step takes the session and the day and returns a line for people to read and the
number of emails it could not send. Safe to run twice a day: each step tells or sends
each thing once. Run by the worker at ``DAILY_JOB_HOUR`` (`schedule`), or by hand with
`flask --app mentoring send-reminders [--date YYYY-MM-DD]`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from mentoring import audit
from mentoring.services.safeguarding import run_safeguarding_daily
from mentoring.services.vetting import run_daily_checks


@dataclass(frozen=True)
class StepResult:
    summary: str
    emails_failed: int = 0
    counts: dict[str, int] = field(default_factory=dict)


Step = Callable[[Session, date], StepResult]


def _vetting(session: Session, on: date) -> StepResult:
    summary = run_daily_checks(session=session, on=on)
    counts = {k: v for k, v in vars(summary).items() if isinstance(v, int)}
    return StepResult(str(summary), summary.emails_failed, counts)


def _audit_seal(session: Session, on: date) -> StepResult:
    """Chain the day's audit events; the head hash goes into the job's log line."""
    del on  # events are sealed by age, whatever the day
    count, head = audit.seal(session)
    return StepResult(f"{count} audit events sealed; chain head {head[:16]}", 0, {"sealed": count})


def _safeguarding(session: Session, on: date) -> StepResult:
    summary = run_safeguarding_daily(session=session, on=on)
    counts = {k: v for k, v in vars(summary).items() if isinstance(v, int)}
    return StepResult(str(summary), summary.emails_failed, counts)


# (name, step), run in this order. A new context adds its daily step here.
STEPS: list[tuple[str, Step]] = [
    ("vetting", _vetting),
    ("safeguarding", _safeguarding),
    ("audit", _audit_seal),
]


@dataclass(frozen=True)
class DailyReport:
    on: date
    results: list[tuple[str, StepResult]]

    @property
    def emails_failed(self) -> int:
        return sum(r.emails_failed for _name, r in self.results)

    def lines(self) -> list[str]:
        return [f"{name}: {result.summary}" for name, result in self.results]


def run_daily(*, session: Session, on: date) -> DailyReport:
    """Run every daily step for a day."""
    return DailyReport(on, [(name, step(session, on)) for name, step in STEPS])
