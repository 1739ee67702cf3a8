"""Safeguarding counted, never shown: concerns raised in a period by category and by
district, how long they waited for triage (median and 90th percentile), and referrals
made. Only counts and times leave the database here, never a case's words."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mentoring.models import (
    ConcernCategory,
    ConcernSubject,
    District,
    EntryKind,
    ReferralAgency,
    SafeguardingConcern,
    SafeguardingEntry,
)
from mentoring.services.reports.period import Period


@dataclass(frozen=True)
class SafeguardingFigures:
    raised: int
    allegations: int
    by_category: list[tuple[str, int]]
    by_district: list[tuple[str, int]]
    triage_hours: list[float]
    referrals: list[tuple[str, int]]

    @property
    def triage_median(self) -> float | None:
        return statistics.median(self.triage_hours) if self.triage_hours else None

    @property
    def triage_p90(self) -> float | None:
        """The 90th percentile of hours to triage (nearest rank)."""
        if not self.triage_hours:
            return None
        ordered = sorted(self.triage_hours)
        rank = max(1, -(-9 * len(ordered) // 10))  # ceil(0.9 n)
        return ordered[rank - 1]


def _hours(raised: datetime, triaged: datetime) -> float:
    return max(0.0, (triaged - raised).total_seconds() / 3600)


def safeguarding_figures(*, session: Session, period: Period) -> SafeguardingFigures:
    """Count the period's safeguarding concerns (raised in it) in a fixed number of queries."""
    start, end = period.utc_bounds()
    in_period = [
        col(SafeguardingConcern.raised_at) >= start,
        col(SafeguardingConcern.raised_at) < end,
    ]
    count = sa.func.count(col(SafeguardingConcern.id))
    categories = dict(
        session.exec(
            select(SafeguardingConcern.category, count)
            .where(*in_period)
            .group_by(col(SafeguardingConcern.category))
        ).all()
    )
    districts = session.exec(
        select(District.name, count)
        .join(SafeguardingConcern, col(SafeguardingConcern.district_id) == District.id)
        .where(*in_period)
        .group_by(col(District.name))
        .order_by(col(District.name))
    ).all()
    allegations = session.exec(
        select(count).where(*in_period, SafeguardingConcern.subject == ConcernSubject.MENTOR.value)
    ).one()
    timed = session.exec(
        select(SafeguardingConcern.raised_at, SafeguardingConcern.triaged_at).where(
            *in_period, col(SafeguardingConcern.triaged_at).is_not(None)
        )
    ).all()
    referral_start, referral_end = period.start, period.end
    agencies = dict(
        session.exec(
            select(SafeguardingEntry.agency, sa.func.count(col(SafeguardingEntry.id)))
            .where(
                SafeguardingEntry.kind == EntryKind.REFERRAL.value,
                col(SafeguardingEntry.happened_on) >= referral_start,
                col(SafeguardingEntry.happened_on) <= referral_end,
            )
            .group_by(col(SafeguardingEntry.agency))
        ).all()
    )
    return SafeguardingFigures(
        raised=sum(categories.values()),
        allegations=int(allegations),
        by_category=[(c.label, int(categories.get(c.value, 0))) for c in ConcernCategory],
        by_district=[(name, int(n)) for name, n in districts],
        triage_hours=[_hours(r, t) for r, t in timed if t is not None],
        referrals=[(a.label, int(agencies.get(a.value, 0))) for a in ReferralAgency],
    )
