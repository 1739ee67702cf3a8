"""A district's figures: its dashboard, and its row of the county overview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from mentoring.models import service_today
from mentoring.services.reports.families import (
    DaysToMatch,
    FamilyCounts,
    days_to_match,
    family_counts,
    targets,
)
from mentoring.services.reports.now import (
    ContactCounts,
    ExpiringCounts,
    FamiliesNow,
    MentorCounts,
    contact_counts,
    expiring_counts,
    families_now,
    mentor_counts,
)
from mentoring.services.reports.period import Period
from mentoring.services.reports.sql import districts_by_name, no_jit


@dataclass
class DistrictFigures:
    """Everything a district dashboard shows, for one district."""

    district_id: int
    code: str
    name: str
    target: int | None
    families: FamilyCounts
    now: FamiliesNow
    mentors: MentorCounts
    expiring: ExpiringCounts
    contact: ContactCounts
    to_match: DaysToMatch

    @property
    def percent_of_target(self) -> int | None:
        """Families worked with as a share of the target (as ``districts.Progress``)."""
        if not self.target:
            return None
        return round(100 * self.families.engaged / self.target)


def district_figures(
    *, session: Session, district_ids: set[int], period: Period, on: date | None = None
) -> list[DistrictFigures]:
    """Return the figures of the districts, by name (a fixed number of queries)."""
    on = on or service_today()
    ids = set(district_ids)
    if not ids:
        return []
    no_jit(session)
    districts = districts_by_name(session, ids)
    ids = {d for d, *_ in districts}
    goal = targets(session=session, district_ids=ids, period=period)
    families = family_counts(session=session, district_ids=ids, period=period)
    now = families_now(session=session, district_ids=ids)
    mentors = mentor_counts(session=session, district_ids=ids)
    expiring = expiring_counts(session=session, district_ids=ids, on=on)
    contact = contact_counts(session=session, district_ids=ids, on=on)
    to_match = days_to_match(session=session, district_ids=ids, period=period)
    return [
        DistrictFigures(
            district_id=d,
            code=code,
            name=name,
            target=goal.get(d),
            families=families[d],
            now=now[d],
            mentors=mentors[d],
            expiring=expiring[d],
            contact=contact[d],
            to_match=to_match[d],
        )
        for d, code, name in districts
    ]


def total_figures(rows: list[DistrictFigures]) -> DistrictFigures:
    """Add up districts' figures (the average days weighted by families)."""

    def add(objects: list[Any], cls: type) -> Any:
        total = cls()
        for obj in objects:
            for name, value in vars(obj).items():
                if isinstance(value, dict):
                    bucket = getattr(total, name)
                    for key, n in value.items():
                        bucket[key] = bucket.get(key, 0) + n
                elif isinstance(value, int):
                    setattr(total, name, getattr(total, name) + value)
        return total

    matched = sum(r.to_match.families for r in rows)
    days = sum((r.to_match.average_days or 0) * r.to_match.families for r in rows)
    targets_known = [r.target for r in rows if r.target is not None]
    return DistrictFigures(
        district_id=0,
        code="",
        name="All districts",
        target=sum(targets_known) if targets_known else None,
        families=add([r.families for r in rows], FamilyCounts),
        now=add([r.now for r in rows], FamiliesNow),
        mentors=add([r.mentors for r in rows], MentorCounts),
        expiring=add([r.expiring for r in rows], ExpiringCounts),
        contact=add([r.contact for r in rows], ContactCounts),
        to_match=DaysToMatch(matched, days / matched if matched else None),
    )
