"""The families referred in a period, as they stand today: counts, results, targets and
the days from consent to a first match (a fixed number of GROUP BY queries)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mentoring.models import DistrictTarget, Family, FamilyOutcome, Match, Outcome
from mentoring.services.districts import WORKED_WITH
from mentoring.services.reports.period import Period
from mentoring.services.reports.sql import count_if, days_between, in_districts, rows
from mentoring.services.reports.turned_around import (
    criteria_mask,
    results_mask,
    turned_around_rule,
)


@dataclass
class FamilyCounts:
    """The families referred in a period, as they stand today."""

    identified: int = 0
    engaged: int = 0
    turned_around: int = 0
    # Turned around and worked with: the families that earn a result payment.
    turned_around_engaged: int = 0


def family_counts(
    *, session: Session, district_ids: set[int], period: Period
) -> dict[int, FamilyCounts]:
    """Count each district's families referred in the period (two queries).

    Criteria and results are looked up once, in a materialised CTE, only for the families
    with a result (no other family can be turned around). Who is waiting or has a mentor
    is a figure of today, for every family (``now.families_now``).
    """
    if not district_ids:
        return {}
    in_period = [
        in_districts(Family.district_id, district_ids),
        col(Family.referred_on) >= period.start,
        col(Family.referred_on) <= period.end,
    ]
    worked = col(Family.engagement).in_(WORKED_WITH)
    out = {d: FamilyCounts() for d in district_ids}
    for district_id, identified, engaged in rows(
        session,
        select(Family.district_id, sa.func.count(), count_if(worked))
        .where(*in_period)
        .group_by(col(Family.district_id)),
    ):
        out[district_id] = FamilyCounts(int(identified), int(engaged))
    with_results = (
        sa.select(
            col(Family.district_id).label("district_id"),
            worked.label("worked"),
            col(Family.programme_phase).label("phase"),
            criteria_mask().label("criteria"),
            results_mask().label("results"),
        )
        .where(
            *in_period,
            # Only a family with a result can be turned around (the index answers this).
            select(FamilyOutcome.family_id)
            .where(FamilyOutcome.family_id == Family.id)
            .correlate(Family)
            .exists(),
        )
        .cte("with_results")
        .prefix_with("MATERIALIZED")
    )
    r = with_results.c
    turned = turned_around_rule(r.phase, r.criteria, r.results)
    for district_id, turned_around, turned_around_engaged in rows(
        session,
        select(
            r.district_id, count_if(turned), count_if(sa.and_(turned, r.worked.is_(True)))
        ).group_by(r.district_id),
    ):
        out[district_id].turned_around = int(turned_around)
        out[district_id].turned_around_engaged = int(turned_around_engaged)
    return out


def outcome_counts(
    *, session: Session, district_ids: set[int], period: Period
) -> dict[int, dict[str, int]]:
    """Count, per district and result, the period's families who achieved it (one query)."""
    out: dict[int, dict[str, int]] = {d: dict.fromkeys(Outcome.values(), 0) for d in district_ids}
    if not district_ids:
        return out
    for district_id, outcome, count in rows(
        session,
        select(Family.district_id, FamilyOutcome.outcome, sa.func.count())
        .join(Family, col(Family.id) == FamilyOutcome.family_id)
        .where(
            in_districts(Family.district_id, district_ids),
            col(Family.referred_on) >= period.start,
            col(Family.referred_on) <= period.end,
        )
        .group_by(col(Family.district_id), FamilyOutcome.outcome),
    ):
        out[district_id][outcome] = int(count)
    return out


def targets(*, session: Session, district_ids: set[int], period: Period) -> dict[int, int]:
    """Return the districts' targets for the period's programme year (none for date ranges)."""
    if period.programme_year is None or not district_ids:
        return {}
    return dict(
        rows(
            session,
            select(DistrictTarget.district_id, DistrictTarget.target_families).where(
                in_districts(DistrictTarget.district_id, district_ids),
                DistrictTarget.programme_year == period.programme_year,
            ),
        )
    )


@dataclass
class DaysToMatch:
    """Families whose first match started in the period, and the average days from consent."""

    families: int = 0
    average_days: float | None = None


def days_to_match(
    *, session: Session, district_ids: set[int], period: Period
) -> dict[int, DaysToMatch]:
    """Average the days from consent to mentoring to a family's first active match (one query).

    A match is active from the day the mentor accepts it (``Match.started_on``); families
    whose first match started in the period count, when their consent date is recorded.
    """
    out = {d: DaysToMatch() for d in district_ids}
    if not district_ids:
        return out
    first = (
        select(Match.family_id, sa.func.min(Match.started_on).label("started"))
        .where(col(Match.started_on).is_not(None))
        .group_by(col(Match.family_id))
        .subquery()
    )
    days = days_between(first.c.started, Family.consent_mentoring_on)
    for district_id, families, average in rows(
        session,
        select(Family.district_id, sa.func.count(), sa.func.avg(days))
        .join(first, first.c.family_id == Family.id)
        .where(
            in_districts(Family.district_id, district_ids),
            col(Family.consent_mentoring_on).is_not(None),
            first.c.started >= period.start,
            first.c.started <= period.end,
            first.c.started >= Family.consent_mentoring_on,
        )
        .group_by(col(Family.district_id)),
    ):
        out[district_id] = DaysToMatch(int(families), float(average))
    return out
