"""Today's figures, whatever the period: the families now (open, with a mentor, waiting,
not ready), mentors by stage, checks and training due or expired, and active matches
without recent contact (by home district or family's district).

``families_now`` is the one definition of the family figures that the home page, the
district dashboard, the county overview and their CSV files show.

The same rules as "Keeping in date" (``vetting.expiring_items``) and the Matches page's
monitoring (``matches.monitoring``), here as GROUP BY queries; tests check they agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mentoring.models import (
    ContactLog,
    DbsCheck,
    DbsDecision,
    DbsResult,
    Family,
    Match,
    MatchStatus,
    Mentor,
    MentorStatus,
    PipelineStage,
    TrainingModule,
    TrainingRecord,
)
from mentoring.services.common.dates import add_months
from mentoring.services.families import (
    matched_clause,
    open_clause,
    phase2_min_criteria,
    ready_clause,
)
from mentoring.services.reports.settings import no_contact_days
from mentoring.services.reports.sql import count_if, in_districts, rows
from mentoring.services.vetting import VettingPolicy, current_policy


@dataclass
class FamiliesNow:
    """A district's families today, whenever they were referred.

    open: identified, contacted or engaged, and not exited (``families.open_clause``);
    matched: open, and a mentor's match holds the mentor slot (approved, accepted or
    active: ``families.matched_clause``); waiting: ready for matching with no mentor (the
    "Waiting for a mentor" list); not_ready: open, no mentor, not ready for matching.
    Ready families are open, so ``open == matched + waiting + not_ready``.
    """

    open: int = 0
    matched: int = 0
    waiting: int = 0
    not_ready: int = 0


# What every page calls them, in this order.
FAMILIES_NOW_MEASURES: list[tuple[str, str]] = [
    ("open", "Open families"),
    ("matched", "With a mentor"),
    ("waiting", "Waiting for a mentor"),
    ("not_ready", "Not ready for matching"),
]


def families_now(*, session: Session, district_ids: set[int]) -> dict[int, FamiliesNow]:
    """Count each district's families now (one query)."""
    out = {d: FamiliesNow() for d in district_ids}
    if not district_ids:
        return out
    is_open, matched = open_clause(), matched_clause()
    ready = ready_clause(phase2_min_criteria())
    for district_id, *counts in rows(
        session,
        sa.select(
            col(Family.district_id),
            count_if(is_open),
            count_if(sa.and_(is_open, matched)),
            count_if(sa.and_(ready, sa.not_(matched))),
            count_if(sa.and_(is_open, sa.not_(ready), sa.not_(matched))),
        )
        .where(in_districts(Family.district_id, district_ids))
        .group_by(col(Family.district_id)),
    ):
        out[district_id] = FamiliesNow(*(int(n) for n in counts))
    return out


@dataclass
class MentorCounts:
    """A district's mentors (by home district) today: active ones by stage, and the rest."""

    by_stage: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(PipelineStage.values(), 0)
    )
    paused: int = 0
    left: int = 0

    @property
    def ready(self) -> int:
        return self.by_stage[PipelineStage.READY.value]

    @property
    def in_vetting(self) -> int:
        return sum(v for k, v in self.by_stage.items() if k != PipelineStage.READY.value)


def mentor_counts(*, session: Session, district_ids: set[int]) -> dict[int, MentorCounts]:
    """Count each district's mentors by stage and status (one query)."""
    out = {d: MentorCounts() for d in district_ids}
    if not district_ids:
        return out
    for district_id, stage, status, count in rows(
        session,
        select(Mentor.home_district_id, Mentor.stage, Mentor.status, sa.func.count())
        .where(in_districts(Mentor.home_district_id, district_ids))
        .group_by(col(Mentor.home_district_id), Mentor.stage, Mentor.status),
    ):
        counts = out[district_id]
        if status == MentorStatus.ACTIVE.value:
            counts.by_stage[stage] = counts.by_stage.get(stage, 0) + int(count)
        elif status == MentorStatus.PAUSED.value:
            counts.paused += int(count)
        else:
            counts.left += int(count)
    return out


@dataclass
class ExpiringCounts:
    """Checks and training of a district's mentors due within the reminder days, or expired."""

    dbs_due: int = 0
    dbs_expired: int = 0
    training_due: int = 0
    training_expired: int = 0

    @property
    def total(self) -> int:
        return self.dbs_due + self.training_due


def last_day_due_by(horizon: date, months: int) -> date:
    """Return the latest day whose date ``months`` later is on or before ``horizon``.

    ``add_months`` never goes backwards, so "add_months(day, months) <= horizon" is the
    same as "day <= last_day_due_by(horizon, months)": the rule becomes a date comparison
    the database can make.
    """
    day = add_months(horizon, -months)
    while add_months(day + timedelta(days=1), months) <= horizon:
        day += timedelta(days=1)
    return day


def expiring_counts(
    *,
    session: Session,
    district_ids: set[int],
    on: date,
    within_days: int | None = None,
    policy: VettingPolicy | None = None,
) -> dict[int, ExpiringCounts]:
    """Count what ``vetting.expiring_items`` lists, by home district (two queries).

    Mentors still with the provider (active or paused); their current DBS check (the latest
    issued by ``on``) when clear or cleared after a risk assessment, due three years after
    issue or a year after an Update Service status check, whichever is later; and the latest
    completion of each active training module that expires.
    """
    policy = policy or current_policy()
    within = policy.reminder_days if within_days is None else within_days
    horizon = on + timedelta(days=within)
    out = {d: ExpiringCounts() for d in district_ids}
    if not district_ids:
        return out
    with_provider = [
        in_districts(Mentor.home_district_id, district_ids),
        col(Mentor.status).in_([MentorStatus.ACTIVE.value, MentorStatus.PAUSED.value]),
    ]

    # DBS: the latest check issued by `on`, per mentor.
    latest = (
        sa.select(
            col(DbsCheck.mentor_id),
            col(DbsCheck.issue_date),
            col(DbsCheck.result),
            col(DbsCheck.decision),
            col(DbsCheck.update_service_subscribed),
            col(DbsCheck.last_status_check_on),
            sa.func.row_number()
            .over(
                partition_by=col(DbsCheck.mentor_id),
                order_by=(col(DbsCheck.issue_date).desc(), col(DbsCheck.id).desc()),
            )
            .label("n"),
        )
        .where(col(DbsCheck.issue_date) <= on)
        .subquery()
    )

    def dbs_due_by(day: date) -> Any:
        # due = max(issue + recheck, status check + status months when subscribed and done)
        by_status_check = sa.and_(
            latest.c.update_service_subscribed.is_(True),
            latest.c.last_status_check_on.is_not(None),
            latest.c.last_status_check_on <= on,
            latest.c.last_status_check_on > last_day_due_by(day, policy.dbs_status_check_months),
        )
        return sa.and_(
            latest.c.issue_date <= last_day_due_by(day, policy.dbs_recheck_months),
            ~by_status_check,
        )

    for district_id, due, expired in rows(
        session,
        select(Mentor.home_district_id, count_if(dbs_due_by(horizon)), count_if(dbs_due_by(on)))
        .join(latest, latest.c.mentor_id == Mentor.id)
        .where(
            *with_provider,
            latest.c.n == 1,
            sa.or_(
                latest.c.result == DbsResult.CLEAR.value,
                latest.c.decision == DbsDecision.PROCEED.value,
            ),
        )
        .group_by(col(Mentor.home_district_id)),
    ):
        out[district_id].dbs_due = int(due)
        out[district_id].dbs_expired = int(expired)

    # Training: the latest completion (by `on`) of each active module that expires.
    modules = dict(
        rows(
            session,
            select(TrainingModule.id, TrainingModule.validity_months).where(
                col(TrainingModule.active).is_(True),
                col(TrainingModule.validity_months).is_not(None),
            ),
        )
    )
    if not modules:
        return out

    def training_due_by(day: date, module: Any, completed: Any) -> Any:
        return sa.or_(
            *(
                sa.and_(module == module_id, completed <= last_day_due_by(day, months))
                for module_id, months in sorted(modules.items())
            )
        )

    latest_completed = sa.func.max(TrainingRecord.completed_on)
    # Only the (mentor, module) pairs due by the horizon come out of the grouping.
    last = (
        select(
            TrainingRecord.mentor_id,
            TrainingRecord.module_id,
            latest_completed.label("completed"),
        )
        .where(
            col(TrainingRecord.completed_on) <= on,
            col(TrainingRecord.module_id).in_(sorted(modules)),
        )
        .group_by(col(TrainingRecord.mentor_id), col(TrainingRecord.module_id))
        .having(training_due_by(horizon, TrainingRecord.module_id, latest_completed))
        .subquery()
    )
    for district_id, due, expired in rows(
        session,
        select(
            Mentor.home_district_id,
            sa.func.count(),
            count_if(training_due_by(on, last.c.module_id, last.c.completed)),
        )
        .join(last, last.c.mentor_id == Mentor.id)
        .where(*with_provider)
        .group_by(col(Mentor.home_district_id)),
    ):
        out[district_id].training_due = int(due)
        out[district_id].training_expired = int(expired)
    return out


@dataclass
class ContactCounts:
    active_matches: int = 0
    no_recent_contact: int = 0


def contact_counts(
    *,
    session: Session,
    district_ids: set[int],
    on: date,
    days: int | None = None,
) -> dict[int, ContactCounts]:
    """Count active matches, and those with no contact in the last days (one query).

    The same rule as ``matches.monitoring``: the last contact, or else the start of the
    match, is before ``on`` minus the days.
    """
    out = {d: ContactCounts() for d in district_ids}
    if not district_ids:
        return out
    last_contact = (
        select(sa.func.max(ContactLog.contact_on))
        .where(ContactLog.match_id == Match.id)
        .correlate(Match)
        .scalar_subquery()
    )
    cutoff = on - timedelta(days=no_contact_days() if days is None else days)
    for district_id, active, stale in rows(
        session,
        select(
            Family.district_id,
            sa.func.count(),
            count_if(sa.func.coalesce(last_contact, Match.started_on) < cutoff),
        )
        .join(Family, col(Family.id) == Match.family_id)
        .where(
            Match.status == MatchStatus.ACTIVE.value,
            in_districts(Family.district_id, district_ids),
        )
        .group_by(col(Family.district_id)),
    ):
        out[district_id] = ContactCounts(int(active), int(stale))
    return out
