"""The family rules as SQL, for lists, reports and matching (a bounded number of queries).

Each clause agrees with its pure rule in `rules` (tests check every combination).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mentoring.models import PHASE1_CRITERIA, Engagement, Family, FamilyCriterion, Match, Slot
from mentoring.services.common.holding import HOLDING
from mentoring.services.families.rules import MENTORING_TRANCHE, phase2_min_criteria


def _criteria_count(codes: Iterable[str] | None = None) -> Any:
    query = (
        select(sa.func.count())
        .select_from(FamilyCriterion)
        .where(col(FamilyCriterion.family_id) == col(Family.id))
    )
    if codes is not None:
        query = query.where(col(FamilyCriterion.criterion).in_(list(codes)))
    return query.scalar_subquery()


def eligible_clause(phase2_min: int) -> Any:
    """SQL: the family is eligible (`rules.assess_eligibility`)."""
    phase1 = _criteria_count(c.value for c in PHASE1_CRITERIA)
    return sa.or_(
        sa.and_(
            col(Family.programme_phase) == 1,
            sa.or_(
                phase1 == 3,
                sa.and_(phase1 == 2, sa.func.trim(Family.discretion_reason) != ""),
            ),
        ),
        sa.and_(col(Family.programme_phase) == 2, _criteria_count() >= phase2_min),
    )


def offered_clause() -> Any:
    """SQL: volunteer mentoring is offered (`rules.mentoring_is_offered`)."""
    return sa.or_(
        col(Family.mentoring_offered).is_(True),
        sa.and_(
            col(Family.mentoring_offered).is_(None),
            col(Family.tranche) == MENTORING_TRANCHE,
        ),
    )


def ready_clause(phase2_min: int) -> Any:
    """SQL: the family may be matched (`rules.readiness_problems` is empty)."""
    return sa.and_(
        col(Family.consent_mentoring).is_(True),
        col(Family.consent_sharing).is_(True),
        col(Family.engagement) == Engagement.ENGAGED.value,
        col(Family.exited_on).is_(None),
        offered_clause(),
        eligible_clause(phase2_min),
    )


OPEN_ENGAGEMENT = (
    Engagement.IDENTIFIED.value,
    Engagement.CONTACTED.value,
    Engagement.ENGAGED.value,
)


def open_clause() -> Any:
    """SQL: the family is open: identified, contacted or engaged, and not exited."""
    return sa.and_(col(Family.engagement).in_(OPEN_ENGAGEMENT), col(Family.exited_on).is_(None))


def matched_clause() -> Any:
    """SQL: a match that is approved, accepted or active holds the family's mentor slot."""
    return (
        sa.exists()
        .where(
            col(Match.family_id) == col(Family.id),
            col(Match.slot) == Slot.MENTOR.value,
            col(Match.status).in_(HOLDING),
        )
        .correlate(Family)
    )


def waiting_since() -> Any:
    """SQL: the day waiting starts (`rules.family_days_waiting`)."""
    return sa.case(
        (
            sa.and_(
                col(Family.consent_mentoring).is_(True),
                col(Family.consent_mentoring_on).is_not(None),
            ),
            Family.consent_mentoring_on,
        ),
        else_=Family.referred_on,
    )


def matching_ready_family_ids(*, session: Session, district_ids: set[int]) -> set[int]:
    """Return the ids of the families of these districts that may be matched (one query)."""
    if not district_ids:
        return set()
    rows = session.exec(
        select(Family.id).where(
            col(Family.district_id).in_(sorted(district_ids)),
            ready_clause(phase2_min_criteria()),
        )
    ).all()
    return {r for r in rows if r is not None}
