"""Who holds what: matches that hold a family slot, mentors' loads, who serves a district."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mentoring.models import SLOT_HOLDING_STATUSES, Match, Mentor, MentorTravelDistrict

# Offered (approved), accepted or active: the match holds the family's slot and one unit
# of the mentor's capacity.
HOLDING = [s.value for s in SLOT_HOLDING_STATUSES]


def load_counts(session: Session, mentor_ids: Iterable[int]) -> dict[int, int]:
    """Return how many family slots each mentor holds (offered, accepted or active)."""
    ids = sorted(set(mentor_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(Match.mentor_id, sa.func.count())
        .where(col(Match.mentor_id).in_(ids), col(Match.status).in_(HOLDING))
        .group_by(col(Match.mentor_id))
    ).all()
    counts: dict[int, int] = dict(rows)
    return counts


def serves_clause(district_ids: Collection[int]) -> Any:
    """The SQL condition "the mentor serves one of these districts": home, or travels there."""
    ids = sorted(district_ids)
    return sa.or_(
        col(Mentor.home_district_id).in_(ids),
        col(Mentor.id).in_(
            select(MentorTravelDistrict.mentor_id).where(
                col(MentorTravelDistrict.district_id).in_(ids)
            )
        ),
    )


def mentors_serving(session: Session, district_ids: Collection[int]) -> set[int]:
    """Return the ids of mentors who serve any of the districts (home or travel)."""
    if not district_ids:
        return set()
    ids = session.exec(select(Mentor.id).where(serves_clause(district_ids))).all()
    return {i for i in ids if i is not None}
