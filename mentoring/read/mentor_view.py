"""What a mentor may see of their families: view models, never the ORM rows.

A mentor sees only families whose match with them is offered (a little) or active
(what they need for visits): never criteria evidence, other families or other mentors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from mentoring.db import saved_id
from mentoring.models import (
    ContactLog,
    District,
    Family,
    FamilyNeed,
    Match,
    MatchStatus,
    Need,
)


@dataclass(frozen=True)
class OfferView:
    match_id: int
    reference: str
    district: str
    needs: list[str]
    slot: str
    adults: int
    children: int
    offered_on: date | None


@dataclass(frozen=True)
class ContactView:
    contact_on: date
    kind: str
    duration_minutes: int
    note: str


@dataclass(frozen=True)
class FamilyView:
    match_id: int
    reference: str
    first_names: str
    district: str
    needs: list[str]
    agreed_goals: str
    key_worker_name: str
    key_worker_agency: str
    key_worker_contact: str
    safety_notes: list[str]
    slot: str
    started_on: date | None
    last_contact_on: date | None
    contacts: list[ContactView]


def _needs(session: Session, family_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {fid: [] for fid in family_ids}
    for fid, name in session.exec(
        select(FamilyNeed.family_id, Need.name)
        .join(Need, col(Need.id) == FamilyNeed.need_id)
        .where(col(FamilyNeed.family_id).in_(family_ids))
        .order_by(col(Need.sort_order))
    ).all():
        out[fid].append(name)
    return out


def offers(session: Session, mentor_id: int) -> list[OfferView]:
    """The offers waiting for this mentor's answer."""
    rows = session.exec(
        select(Match, Family, District.name)
        .join(Family, col(Family.id) == Match.family_id)
        .join(District, col(District.id) == Family.district_id)
        .where(Match.mentor_id == mentor_id, Match.status == MatchStatus.APPROVED.value)
        .order_by(col(Match.offered_at))
    ).all()
    needs = _needs(session, [saved_id(f) for _, f, _ in rows])
    return [
        OfferView(
            match_id=saved_id(m),
            reference=f.reference,
            district=district,
            needs=needs[saved_id(f)],
            slot=m.slot,
            adults=f.adults,
            children=f.children_0_4 + f.children_5_10 + f.children_11_15 + f.children_16_18,
            offered_on=m.offered_at.date() if m.offered_at else None,
        )
        for m, f, district in rows
    ]


def offer(session: Session, mentor_id: int, match_id: int) -> OfferView | None:
    return next((o for o in offers(session, mentor_id) if o.match_id == match_id), None)


def families(session: Session, mentor_id: int) -> list[FamilyView]:
    """The families this mentor actively supports."""
    return _family_views(session, mentor_id, None)


def family(session: Session, mentor_id: int, match_id: int) -> FamilyView | None:
    """One of this mentor's active families, or None (the caller answers 404)."""
    found = _family_views(session, mentor_id, match_id)
    return found[0] if found else None


def _family_views(session: Session, mentor_id: int, match_id: int | None) -> list[FamilyView]:
    query = (
        select(Match, Family, District.name)
        .join(Family, col(Family.id) == Match.family_id)
        .join(District, col(District.id) == Family.district_id)
        .where(Match.mentor_id == mentor_id, Match.status == MatchStatus.ACTIVE.value)
        # A paused match (an allegation is being looked into) shows the mentor nothing.
        .where(col(Match.paused_on).is_(None))
        .order_by(col(Family.reference))
    )
    if match_id is not None:
        query = query.where(Match.id == match_id)
    rows = session.exec(query).all()
    if not rows:
        return []
    needs = _needs(session, [saved_id(f) for _, f, _ in rows])
    match_ids = [saved_id(m) for m, _, _ in rows]
    contacts: dict[int, list[ContactView]] = {mid: [] for mid in match_ids}
    for c in session.exec(
        select(ContactLog)
        .where(col(ContactLog.match_id).in_(match_ids))
        .order_by(col(ContactLog.contact_on).desc(), col(ContactLog.id).desc())
    ).all():
        contacts[c.match_id].append(ContactView(c.contact_on, c.kind, c.duration_minutes, c.note))
    views = []
    for m, f, district in rows:
        mid = saved_id(m)
        safety = []
        if f.risk_no_lone_visits:
            safety.append(
                "No lone visits: meet the family with the key worker or in a public place."
            )
        if f.risk_domestic_abuse:
            safety.append(
                "Domestic abuse: specialist support is involved. Follow the safety plan and your "
                "domestic abuse awareness training; never discuss it in front of the other party."
            )
        if f.safety_notes:
            safety.append(f.safety_notes)
        views.append(
            FamilyView(
                match_id=mid,
                reference=f.reference,
                first_names=f.shared_first_names,
                district=district,
                needs=needs[saved_id(f)],
                agreed_goals=f.agreed_goals,
                key_worker_name=f.key_worker_name,
                key_worker_agency=f.key_worker_agency,
                key_worker_contact=f.key_worker_contact,
                safety_notes=safety,
                slot=m.slot,
                started_on=m.started_on,
                last_contact_on=contacts[mid][0].contact_on if contacts[mid] else None,
                contacts=contacts[mid],
            )
        )
    return views
