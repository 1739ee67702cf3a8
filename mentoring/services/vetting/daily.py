"""The daily job: purge old rationales, re-check every gate, tell about lapses, remind.

Run by `flask --app mentoring send-reminders` once a day. Safe to run more than once a
day: a lapse is told once (``matchable_since`` is cleared when it is told), and each
reminder (item, due date, 60/30/7 days or expired) is sent once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mentoring import audit
from mentoring.db import write_transaction
from mentoring.models import DbsCheck, Mentor, VettingReminder
from mentoring.services.common.dates import add_months
from mentoring.services.common.notify import Outbox
from mentoring.services.vetting.facts import (
    chunks,
    current_policy,
    evaluate_all,
    load_facts,
    ready_and_active,
)
from mentoring.services.vetting.gate import VettingPolicy
from mentoring.services.vetting.keeping import ReminderKey, send_reminders
from mentoring.services.vetting.matchable import apply_changes


@dataclass
class DailySummary:
    """What a run of the daily checks did."""

    on: date
    reminders_sent: int = 0
    became_matchable: int = 0
    stopped_matchable: int = 0
    coordinators_told: int = 0
    rationales_purged: int = 0
    emails_sent: int = 0
    emails_failed: int = 0

    def __str__(self) -> str:
        return (
            f"{self.on.isoformat()}: {self.reminders_sent} reminders sent; "
            f"{self.stopped_matchable} mentors stopped being matchable "
            f"({self.coordinators_told} coordinators told); "
            f"{self.became_matchable} became matchable; "
            f"{self.rationales_purged} DBS decision rationales cleared; "
            f"{self.emails_sent} emails sent, {self.emails_failed} failed."
        )


def purge_dbs_rationales(*, session: Session, on: date, policy: VettingPolicy) -> int:
    """Clear risk-assessment rationales kept longer than policy allows after the decision.

    The decision itself (proceed or not), who made it and when are kept.
    """
    cutoff_day = add_months(on, -policy.rationale_purge_months) + timedelta(days=1)
    cutoff = datetime.combine(cutoff_day, time.min, tzinfo=UTC)
    rows = session.exec(
        select(DbsCheck.id, DbsCheck.mentor_id).where(
            col(DbsCheck.decision_at).is_not(None),
            col(DbsCheck.decision_at) < cutoff,
            DbsCheck.decision_rationale != "",
        )
    ).all()
    if not rows:
        return 0
    for some in chunks([dbs_id for dbs_id, _mentor_id in rows if dbs_id is not None]):
        session.exec(
            sa.update(DbsCheck)
            .where(col(DbsCheck.id).in_(some))
            .values(decision_rationale="")
            .execution_options(synchronize_session="fetch")
        )
    for dbs_id, mentor_id in rows:
        audit.record(
            session,
            "dbs.rationale_purged",
            object_type="mentor",
            object_id=mentor_id,
            dbs_id=dbs_id,
            fields=["decision_rationale"],
        )
    return len(rows)


def _forget(session: Session, unsent: list[ReminderKey]) -> None:
    """Forget reminders that could not be sent, so tomorrow's run tries again."""
    with write_transaction(session):
        for mentor_id, item, due_on, milestone in unsent:
            session.exec(
                sa.delete(VettingReminder).where(
                    col(VettingReminder.mentor_id) == mentor_id,
                    col(VettingReminder.item) == item,
                    col(VettingReminder.due_on) == due_on,
                    col(VettingReminder.milestone) == milestone,
                )
            )


def run_daily_checks(*, session: Session, on: date) -> DailySummary:
    """The daily job: purge, re-check every mentor's gate, tell coordinators, send reminders.

    Safe to run more than once a day: a lapse is told once (``matchable_since`` is cleared
    when it is told), and each reminder (item, due date, 60/30/7 days or expired) is sent once.
    """
    policy = current_policy()
    summary = DailySummary(on=on)
    outbox = Outbox()
    with write_transaction(session):
        summary.rationales_purged = purge_dbs_rationales(session=session, on=on, policy=policy)
        facts, infos = load_facts(
            session=session,
            where=[sa.or_(sa.and_(*ready_and_active()), col(Mentor.matchable_since).is_not(None))],
        )
        results = evaluate_all(session=session, facts=facts, on=on, policy=policy)
        became, lapsed, told = apply_changes(
            session=session, results=results, infos=infos, on=on, outbox=outbox
        )
        summary.became_matchable, summary.stopped_matchable = len(became), len(lapsed)
        summary.coordinators_told = told
        summary.reminders_sent = send_reminders(
            session=session, on=on, policy=policy, outbox=outbox
        )
    summary.emails_sent, failed = outbox.send(strict=True)
    summary.emails_failed = len(failed)
    unsent = [key for key in failed if isinstance(key, tuple)]
    if unsent:
        _forget(session, unsent)
        summary.reminders_sent -= len(unsent)
    return summary
