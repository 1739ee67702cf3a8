"""What the safeguarding pages show: the lead's list, a case with its chronology and
clock, the raise page's numbers, and a mentor's own concerns (status only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from mentoring.models import (
    ConcernCategory,
    ConcernOutcome,
    ConcernStatus,
    ConcernSubject,
    District,
    EntryKind,
    Family,
    Match,
    Mentor,
    ReferralAgency,
    Role,
    SafeguardingConcern,
    SafeguardingEntry,
    User,
    utcnow,
)


@dataclass(frozen=True)
class Clock:
    """The response clock: when triage is due, and whether it is late."""

    due_at: datetime | None
    overdue: bool
    waiting_hours: int | None


def clock(concern: SafeguardingConcern, hours: int, now: datetime | None = None) -> Clock:
    """The clock of a case: running until triage, stopped after."""
    if concern.status != ConcernStatus.OPEN.value:
        return Clock(None, False, None)
    now = now or utcnow()
    due = concern.raised_at + timedelta(hours=hours)
    waited = int((now - concern.raised_at).total_seconds() // 3600)
    return Clock(due, now >= due, waited)


@dataclass(frozen=True)
class CaseRow:
    id: int
    reference: str
    allegation: bool
    about: str
    district: str
    category: str
    raised_at: datetime
    status: str
    clock: Clock
    escalated: bool


def case_list(
    session: Session, *, role: str, district_ids: frozenset[int], hours: int
) -> list[CaseRow]:
    """The cases a user may see (the scope rule, as a query), open ones first."""
    query = (
        select(SafeguardingConcern, Family.reference, Mentor.reference, District.name)
        .outerjoin(Match, col(Match.id) == SafeguardingConcern.match_id)
        .outerjoin(Family, col(Family.id) == Match.family_id)
        .outerjoin(Mentor, col(Mentor.id) == SafeguardingConcern.mentor_id)
        .outerjoin(District, col(District.id) == SafeguardingConcern.district_id)
        .order_by(
            col(SafeguardingConcern.status) == ConcernStatus.CLOSED.value,
            col(SafeguardingConcern.raised_at),
        )
    )
    if role == Role.PROVIDER.value:
        query = query.where(SafeguardingConcern.subject == ConcernSubject.MENTOR.value)
    elif role != Role.SAFEGUARDING.value:
        query = query.where(
            SafeguardingConcern.subject == ConcernSubject.FAMILY.value,
            col(Family.district_id).in_(sorted(district_ids)),
        )
    rows = []
    for concern, family_ref, mentor_ref, district in session.exec(query).all():
        allegation = concern.subject == ConcernSubject.MENTOR.value
        rows.append(
            CaseRow(
                id=int(concern.id or 0),
                reference=concern.reference,
                allegation=allegation,
                about=f"Mentor {mentor_ref}" if allegation else f"Family {family_ref}",
                district=district or "",
                category=ConcernCategory(concern.category).label,
                raised_at=concern.raised_at,
                status=ConcernStatus(concern.status).label,
                clock=clock(concern, hours),
                escalated=concern.escalated_at is not None,
            )
        )
    return rows


@dataclass(frozen=True)
class EntryRow:
    kind: str
    text: str
    agency: str
    agency_reference: str
    happened_on: object
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class CasePage:
    concern: SafeguardingConcern
    category: str
    status: str
    outcome: str
    raised_by: str
    family_reference: str | None
    mentor: Mentor | None
    district: str
    clock: Clock
    entries: list[EntryRow]
    paused: list[str]


def case_page(session: Session, *, concern: SafeguardingConcern, hours: int) -> CasePage:
    """A case with who raised it, whom it is about, its clock and its chronology."""
    match = session.get(Match, concern.match_id) if concern.match_id else None
    family = session.get(Family, match.family_id) if match else None
    mentor = session.get(Mentor, concern.mentor_id) if concern.mentor_id else None
    district = session.get(District, concern.district_id) if concern.district_id else None
    raiser = session.get(User, concern.raised_by_id) if concern.raised_by_id else None
    names = dict(session.exec(select(User.id, User.name)).all())
    entries = [
        EntryRow(
            kind=EntryKind(e.kind).label,
            text=e.text,
            agency=ReferralAgency(e.agency).label if e.agency else "",
            agency_reference=e.agency_reference,
            happened_on=e.happened_on,
            recorded_by=names.get(e.recorded_by_id, "Mentor Match")
            if e.recorded_by_id
            else "Mentor Match",
            recorded_at=e.recorded_at,
        )
        for e in session.exec(
            select(SafeguardingEntry)
            .where(SafeguardingEntry.concern_id == concern.id)
            .order_by(col(SafeguardingEntry.recorded_at), col(SafeguardingEntry.id))
        ).all()
    ]
    paused: list[str] = []
    if concern.subject == ConcernSubject.MENTOR.value and mentor is not None:
        paused = list(
            session.exec(
                select(Family.reference)
                .join(Match, col(Match.family_id) == Family.id)
                .where(Match.mentor_id == mentor.id, col(Match.paused_on).is_not(None))
                .where(col(Match.status) == "active")
                .order_by(col(Family.reference))
            ).all()
        )
    return CasePage(
        concern=concern,
        category=ConcernCategory(concern.category).label,
        status=ConcernStatus(concern.status).label,
        outcome=ConcernOutcome(concern.outcome).label if concern.outcome else "",
        raised_by=f"{raiser.name} ({Role(raiser.role).label.lower()})" if raiser else "Unknown",
        family_reference=family.reference if family else None,
        mentor=mentor,
        district=district.name if district else "",
        clock=clock(concern, hours),
        entries=entries,
        paused=paused,
    )


@dataclass(frozen=True)
class RaisePage:
    about: str
    district: str
    mash_phone: str


def raise_page(
    session: Session, *, match: Match | None = None, mentor: Mentor | None = None
) -> RaisePage:
    """Whom the concern is about, and their district's MASH number, for the raise page."""
    family = session.get(Family, match.family_id) if match else None
    district_id = family.district_id if family else mentor.home_district_id if mentor else None
    district = session.get(District, district_id) if district_id else None
    about = f"Mentor {mentor.reference}" if mentor else ""
    if family is not None:
        about = f"Family {family.reference}"
    return RaisePage(
        about=about,
        district=district.name if district else "",
        mash_phone=district.mash_phone if district else "",
    )


@dataclass(frozen=True)
class MyConcern:
    id: int
    reference: str
    family_reference: str
    raised_at: datetime
    status: str


def my_concerns(session: Session, *, user_id: int) -> list[MyConcern]:
    """The concerns a person raised, with their status only (never the case's content)."""
    rows = session.exec(
        select(SafeguardingConcern, Family.reference)
        .join(Match, col(Match.id) == SafeguardingConcern.match_id)
        .join(Family, col(Family.id) == Match.family_id)
        .where(
            SafeguardingConcern.raised_by_id == user_id,
            SafeguardingConcern.subject == ConcernSubject.FAMILY.value,
        )
        .order_by(col(SafeguardingConcern.raised_at).desc())
    ).all()
    return [
        MyConcern(int(c.id or 0), c.reference, ref, c.raised_at, ConcernStatus(c.status).label)
        for c, ref in rows
    ]


def mentor_id_by_reference(session: Session, reference: str) -> int | None:
    """Return the id of the mentor with a reference (M-0001), or None."""
    return session.exec(
        select(Mentor.id).where(Mentor.reference == reference.strip().upper())
    ).first()
