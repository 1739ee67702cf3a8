"""What each role's home page shows: the user's unread messages, and then

- a mentor: their offers and families (``mentor_view``);
- provider staff: active volunteers by pipeline stage;
- coordinators and administrators: their districts' families now (open, with a mentor,
  waiting, not ready): ``reports.families_now``, the same figures as the dashboards.

A fixed number of queries whatever the number of districts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mentoring.models import (
    District,
    Mentor,
    MentorStatus,
    Notification,
    PipelineStage,
)
from mentoring.read import mentor_view
from mentoring.services.reports import FAMILIES_NOW_MEASURES, FamiliesNow, families_now

MESSAGES_SHOWN = 20


@dataclass(frozen=True)
class Message:
    """An unread message on the user's home page."""

    id: int
    message: str
    link: str
    urgent: bool
    created_at: datetime


def messages(*, session: Session, user_id: int) -> list[Message]:
    """Return the user's unread messages, urgent first, then the newest (at most 20)."""
    rows = session.exec(
        select(Notification)
        .where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
        .order_by(col(Notification.urgent).desc(), col(Notification.created_at).desc())
        .limit(MESSAGES_SHOWN)
    ).all()
    return [
        Message(id=n.id, message=n.message, link=n.link, urgent=n.urgent, created_at=n.created_at)
        for n in rows
        if n.id is not None
    ]


@dataclass(frozen=True)
class MentorHome:
    offers: list[mentor_view.OfferView] = field(default_factory=list)
    families: list[mentor_view.FamilyView] = field(default_factory=list)


def mentor_home(*, session: Session, mentor_id: int | None) -> MentorHome:
    """Return a mentor's offers and families (none for an account without a mentor record)."""
    if mentor_id is None:
        return MentorHome()
    return MentorHome(
        offers=mentor_view.offers(session, mentor_id),
        families=mentor_view.families(session, mentor_id),
    )


@dataclass(frozen=True)
class ProviderHome:
    stages: list[tuple[PipelineStage, int]]
    mentor_total: int


def provider_home(*, session: Session) -> ProviderHome:
    """Return the active volunteers at each pipeline stage (one query)."""
    rows = session.exec(
        select(Mentor.stage, sa.func.count())
        .where(col(Mentor.status) == MentorStatus.ACTIVE.value)
        .group_by(col(Mentor.stage))
    ).all()
    by_stage: dict[str, int] = {stage: int(count) for stage, count in rows}
    stages = [(stage, by_stage.get(stage.value, 0)) for stage in PipelineStage]
    return ProviderHome(stages=stages, mentor_total=sum(by_stage.values()))


@dataclass(frozen=True)
class DistrictSummary:
    """A district's families now: the same figures as its dashboard and the county overview
    (``reports.families_now``, the one definition)."""

    district_id: int
    name: str
    now: FamiliesNow

    @property
    def open(self) -> int:
        return self.now.open

    @property
    def matched(self) -> int:
        return self.now.matched

    @property
    def waiting(self) -> int:
        return self.now.waiting

    @property
    def not_ready(self) -> int:
        return self.now.not_ready


MEASURES = FAMILIES_NOW_MEASURES


def district_home(*, session: Session, district_ids: frozenset[int]) -> list[DistrictSummary]:
    """Return each of the districts' families now (open, with a mentor, waiting, not ready),
    by name."""
    ids = sorted(district_ids)
    districts = session.exec(
        select(District.id, District.name)
        .where(col(District.id).in_(ids))
        .order_by(col(District.name))
    ).all()
    now = families_now(session=session, district_ids=set(ids))
    return [
        DistrictSummary(district_id=d, name=name, now=now.get(d, FamiliesNow()))
        for d, name in districts
        if d is not None
    ]
