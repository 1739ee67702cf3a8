"""The safeguarding step of the daily job: chase what is late, each thing once.

- A concern still untriaged `SAFEGUARDING_TRIAGE_HOURS` after it was raised is escalated
  to the safeguarding leads and the provider's managers: once per concern.
- An allegation not referred to the LADO by the end of the next working day is chased:
  once a day until the referral is recorded.
- A removed mentor's DBS barring referral is reminded once a day until it is recorded.

The job's moment is the time of day it runs, on the day it is run for (``--date``).
Working days are Monday to Friday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlmodel import Session, col, select

from mentoring.db import write_transaction
from mentoring.models import (
    UK_TIME,
    ConcernOutcome,
    ConcernStatus,
    ConcernSubject,
    EntryKind,
    SafeguardingConcern,
    utcnow,
)
from mentoring.services.common.notify import Outbox
from mentoring.services.safeguarding.people import leads_and_managers, tell
from mentoring.services.safeguarding.records import add, audit_case


@dataclass
class SafeguardingSummary:
    escalated: int = 0
    lado_chased: int = 0
    dbs_reminded: int = 0
    emails_failed: int = 0

    def __str__(self) -> str:
        return (
            f"{self.escalated} untriaged concern(s) escalated, {self.lado_chased} LADO "
            f"referral(s) chased, {self.dbs_reminded} DBS referral(s) reminded"
        )


def next_working_day(day: date) -> date:
    """Return the working day (Monday to Friday) after a day."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def moment_of(on: date) -> datetime:
    """The job's moment on a day: now's time of day, on that day (UK time)."""
    return datetime.combine(on, datetime.now(UK_TIME).time(), tzinfo=UK_TIME)


def triage_due(concern: SafeguardingConcern, hours: int) -> datetime:
    """When an open concern is due to be triaged."""
    return concern.raised_at + timedelta(hours=hours)


def run_safeguarding_daily(*, session: Session, on: date) -> SafeguardingSummary:
    """Escalate untriaged concerns, chase LADO referrals and remind DBS referrals."""
    hours = int(current_app.config.get("SAFEGUARDING_TRIAGE_HOURS", 24))
    moment = moment_of(on)
    summary = SafeguardingSummary()
    outbox = Outbox()
    with write_transaction(session):
        people = leads_and_managers(session)
        cases = session.exec(
            select(SafeguardingConcern)
            .where(SafeguardingConcern.status != ConcernStatus.CLOSED.value)
            .order_by(col(SafeguardingConcern.id))
            .with_for_update()
        ).all()
        for concern in cases:
            if (
                concern.status == ConcernStatus.OPEN.value
                and concern.escalated_at is None
                and triage_due(concern, hours) <= moment
            ):
                concern.escalated_at = utcnow()
                session.add(concern)
                tell(
                    session,
                    outbox,
                    people,
                    concern,
                    kind="safeguarding_escalation",
                    message=f"Safeguarding concern {concern.reference} has not been triaged "
                    f"within {hours} hours: triage it now.",
                    email="concern_escalated",
                    hours=hours,
                )
                add(
                    session,
                    concern,
                    kind=EntryKind.ACTION.value,
                    text=f"Escalated: not triaged within {hours} hours.",
                )
                audit_case(session, "concern.escalate", concern)
                summary.escalated += 1
            if (
                concern.subject == ConcernSubject.MENTOR.value
                and concern.lado_referred_on is None
                and concern.lado_chased_on != on
                and next_working_day(concern.raised_at.astimezone(UK_TIME).date()) < on
            ):
                concern.lado_chased_on = on
                session.add(concern)
                tell(
                    session,
                    outbox,
                    people,
                    concern,
                    kind="lado_referral_due",
                    message=f"Allegation {concern.reference} has not been referred to the "
                    "LADO within one working day: refer it now.",
                    email="lado_referral_due",
                )
                audit_case(session, "allegation.lado_chase", concern)
                summary.lado_chased += 1
        removed = session.exec(
            select(SafeguardingConcern).where(
                SafeguardingConcern.outcome == ConcernOutcome.SUBSTANTIATED.value,
                col(SafeguardingConcern.dbs_referred_on).is_(None),
            )
        ).all()
        for concern in removed:
            if concern.dbs_reminded_on == on:
                continue
            concern.dbs_reminded_on = on
            session.add(concern)
            tell(
                session,
                outbox,
                people,
                concern,
                kind="dbs_referral_due",
                message=f"{concern.reference}: the DBS barring referral is still to be made.",
                email="dbs_referral_due",
            )
            audit_case(session, "allegation.dbs_reminder", concern)
            summary.dbs_reminded += 1
    _sent, failed = outbox.send(strict=True)
    summary.emails_failed = len(failed)
    return summary
