"""The life of a match: approval, the mentor's answer, contacts, ending.

Every function takes the session and the acting user's id, does its work in one
transaction and records it in the audit log. Capacity and "one mentor per family
slot" hold under concurrency: the family slot by a partial unique index, the
mentor's capacity by locking the mentor row (PostgreSQL) or taking the write lock
at BEGIN (SQLite) before counting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from mentoring import audit
from mentoring.db import saved_id, write_transaction
from mentoring.exceptions import MatchConflict, MatchError, NotFound
from mentoring.models import (
    ConcernStatus,
    ContactKind,
    ContactLog,
    Family,
    Match,
    MatchStatus,
    Mentor,
    Notification,
    SafeguardingConcern,
    Slot,
    User,
    service_today,
    utcnow,
)
from mentoring.services.common.endings import END_REASON_LABELS, end_one
from mentoring.services.common.holding import (
    HOLDING,
    load_counts,
)
from mentoring.services.common.locks import lock
from mentoring.services.common.notify import (
    Outbox,
    coordinators_of,
    link,
    mentor_user,
    notify,
    service_link,
)
from mentoring.services.matching.engine_io import pair_rule_problems


@dataclass
class SlotCheck:
    """Why a mentor cannot take a family's slot now (empty: they can)."""

    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_assignable(
    *,
    session: Session,
    mentor: Mentor,
    family: Family,
    slot: str,
    on: date,
    ignore_match_id: int | None = None,
) -> SlotCheck:
    """Check a (mentor, family, slot) against the vetting gate, the family, capacity and rules."""
    check = SlotCheck()
    held = session.exec(
        select(Match.id).where(
            Match.family_id == family.id,
            Match.slot == slot,
            col(Match.status).in_(HOLDING),
            Match.id != (ignore_match_id or -1),
        )
    ).first()
    if held is not None:
        check.problems.append(
            f"{family.reference} already has a {'mentor' if slot == Slot.MENTOR else 'role model'}"
        )
    mentor_id = saved_id(mentor)
    load = load_counts(session, [mentor_id]).get(mentor_id, 0)
    if load >= mentor.capacity:
        check.problems.append(f"{mentor.reference} is full ({load} of {mentor.capacity} families)")
    check.problems.extend(
        pair_rule_problems(session=session, mentor=mentor, family=family, slot=slot, on=on)
    )
    return check


def already_decided(session: Session, match: Match) -> str:
    """What the loser of two decisions on one proposal is told: who decided it, and how."""
    status = MatchStatus(match.status)
    how = {
        MatchStatus.APPROVED: "approved",
        MatchStatus.REJECTED: "rejected",
        MatchStatus.ACCEPTED: "approved and accepted",
        MatchStatus.ACTIVE: "approved and accepted",
        MatchStatus.DECLINED: "approved, then declined by the mentor",
    }.get(status, status.label.lower())
    who = session.get(User, match.decided_by_id) if match.decided_by_id else None
    by = f" by {who.name}" if who else ""
    return f"This proposal was already {how}{by}. Nothing was changed."


def approve(*, session: Session, match_id: int, actor_id: int, on: date | None = None) -> Match:
    """Approve a proposal: it is offered to the mentor and holds the slot and capacity."""
    on = on or service_today()
    outbox = Outbox()
    try:
        with write_transaction(session):
            match = lock(session, Match, match_id)
            if match is None:
                raise MatchError("That proposal no longer exists")
            if match.status != MatchStatus.PROPOSED.value:
                raise MatchConflict(already_decided(session, match))
            mentor = lock(session, Mentor, match.mentor_id)
            family = lock(session, Family, match.family_id)
            if mentor is None or family is None:  # pragma: no cover - foreign keys
                raise MatchError("That proposal no longer exists")
            check = check_assignable(
                session=session,
                mentor=mentor,
                family=family,
                slot=match.slot,
                on=on,
                ignore_match_id=match.id,
            )
            if not check.ok:
                raise MatchError("This proposal is out of date: " + "; ".join(check.problems))
            now = utcnow()
            match.status = MatchStatus.APPROVED.value
            match.decided_by_id = actor_id
            match.decided_at = now
            match.offered_at = now
            _offer(session, match, mentor, family, action="match.approve", outbox=outbox)
    except IntegrityError as err:
        raise MatchConflict(
            "Someone else assigned this family at the same time; reload the page"
        ) from err
    outbox.send()
    return match


def _offer(
    session: Session,
    match: Match,
    mentor: Mentor,
    family: Family,
    *,
    action: str,
    outbox: Outbox,
) -> None:
    """Save an approved match as an offer: tell and email the mentor, audit it.

    The email holds no family details; it goes once the offer has committed.
    """
    session.add(match)
    session.flush()
    account = mentor_user(session, match.mentor_id)
    if account is not None:
        notify(
            session,
            [account.id],
            kind="offer",
            message=f"You have been offered a family ({family.reference}). Accept or decline.",
            link=link("mentor.offer", match_id=match.id),
        )
    outbox.add(
        mentor.email,
        "offer",
        first_name=mentor.first_name,
        offer_url=service_link("mentor.offer", match_id=match.id),
    )
    audit.record(
        session,
        action,
        object_type="match",
        object_id=match.id,
        district_id=family.district_id,
        family_id=family.id,
        mentor_id=mentor.id,
    )


def reject(*, session: Session, match_id: int, actor_id: int, reason: str) -> Match:
    """Reject a proposal, with a reason."""
    reason = reason.strip()
    if not reason:
        raise MatchError("Enter a reason for rejecting the proposal")
    with write_transaction(session):
        match = lock(session, Match, match_id)
        if match is None:
            raise MatchError("That proposal no longer exists")
        if match.status != MatchStatus.PROPOSED.value:
            raise MatchConflict(already_decided(session, match))
        match.status = MatchStatus.REJECTED.value
        match.rejection_reason = reason[:500]
        match.decided_by_id = actor_id
        match.decided_at = utcnow()
        session.add(match)
        family = session.get(Family, match.family_id)
        audit.record(
            session,
            "match.reject",
            object_type="match",
            object_id=match.id,
            district_id=family.district_id if family else None,
        )
    return match


def assign_by_hand(
    *,
    session: Session,
    family_id: int,
    mentor_id: int,
    slot: str,
    actor_id: int,
    on: date | None = None,
) -> Match:
    """Create and approve a match chosen by the coordinator, under the same rules."""
    on = on or service_today()
    outbox = Outbox()
    try:
        with write_transaction(session):
            mentor = lock(session, Mentor, mentor_id)
            family = lock(session, Family, family_id)
            if mentor is None or family is None:
                raise MatchError("Choose a mentor and a family")
            check = check_assignable(
                session=session, mentor=mentor, family=family, slot=slot, on=on
            )
            if not check.ok:
                raise MatchError("This assignment breaks a rule: " + "; ".join(check.problems))
            now = utcnow()
            match = Match(
                family_id=saved_id(family),
                mentor_id=saved_id(mentor),
                slot=slot,
                status=MatchStatus.APPROVED.value,
                created_by_id=actor_id,
                decided_by_id=actor_id,
                decided_at=now,
                offered_at=now,
                explanation={"by_hand": True},
            )
            _offer(session, match, mentor, family, action="match.assign_by_hand", outbox=outbox)
    except IntegrityError as err:
        raise MatchConflict("Someone else assigned this family at the same time") from err
    outbox.send()
    return match


def answer_offer(
    *,
    session: Session,
    match_id: int,
    mentor_id: int,
    actor_id: int,
    accept: bool,
    reason: str = "",
) -> Match:
    """The mentor accepts (the match becomes active) or declines (the family waits again)."""
    reason = reason.strip()
    if not accept and not reason:
        raise MatchError("Tell the coordinator why you are declining")
    with write_transaction(session):
        match = lock(session, Match, match_id)
        if match is None or match.mentor_id != mentor_id:
            raise NotFound("no such offer")
        if match.status != MatchStatus.APPROVED.value:
            raise MatchConflict("This offer has already been answered or withdrawn")
        family = session.get(Family, match.family_id)
        now = utcnow()
        match.answered_at = now
        if accept:
            match.status = MatchStatus.ACTIVE.value
            match.started_on = now.date()
            if family is not None and family.needs_handover:
                family.needs_handover = False
                session.add(family)
        else:
            match.status = MatchStatus.DECLINED.value
            match.decline_reason = reason[:500]
        session.add(match)
        _answered_offer_links(session, match, accept=accept)
        if family is not None:
            notify(
                session,
                [u.id for u in coordinators_of(session, family.district_id)],
                kind="offer_answer",
                message=(
                    f"The mentor {'accepted' if accept else 'declined'} {family.reference}."
                    + ("" if accept else " The family is back on the waiting list.")
                ),
                link=link("families.show", family_id=family.id),
            )
        audit.record(
            session,
            "match.accept" if accept else "match.decline",
            object_type="match",
            object_id=match.id,
            district_id=family.district_id if family else None,
        )
    return match


def _answered_offer_links(session: Session, match: Match, *, accept: bool) -> None:
    """Point the mentor's message about an answered offer at the family (accepted) or at
    their families (declined): the offer's own page is gone once it is answered."""
    account = mentor_user(session, match.mentor_id)
    offer_link = link("mentor.offer", match_id=match.id)
    if account is None or not offer_link:
        return
    session.execute(
        sa.update(Notification)
        .where(col(Notification.user_id) == account.id, col(Notification.link) == offer_link)
        .values(
            link=link("mentor.family", match_id=match.id) if accept else link("mentor.families")
        )
    )


def record_contact(
    *,
    session: Session,
    match: Match,
    actor_id: int,
    contact_on: date | None,
    kind: str | None,
    duration_minutes: int | None,
    note: str,
) -> ContactLog:
    """Record a contact on an active match."""
    if match.status != MatchStatus.ACTIVE.value or match.paused_on is not None:
        raise MatchError("Contacts can be recorded only while the match is active")
    if contact_on is None:
        raise MatchError("Enter the date of the contact")
    if kind is None or kind not in ContactKind.values():
        raise MatchError("Choose the kind of contact")
    today = service_today()
    if contact_on > today:
        raise MatchError("The date of the contact must be today or in the past")
    if match.started_on and contact_on < match.started_on:
        raise MatchError("The date of the contact must be on or after the match started")
    last = session.exec(
        select(ContactLog)
        .where(ContactLog.match_id == match.id)
        .order_by(col(ContactLog.id).desc())
        .limit(1)
    ).first()
    if last is not None and (last.contact_on, last.kind, last.duration_minutes, last.note) == (
        contact_on,
        kind,
        duration_minutes or 0,
        note.strip()[:1000],
    ):
        raise MatchError(
            "You have already recorded this contact: it is the latest one in the list below"
        )
    with write_transaction(session):
        contact = ContactLog(
            match_id=saved_id(match),
            contact_on=contact_on,
            kind=kind,
            duration_minutes=duration_minutes or 0,
            note=note.strip()[:1000],
            recorded_by_id=actor_id,
        )
        session.add(contact)
        session.flush()
        family = session.get(Family, match.family_id)
        audit.record(
            session,
            "contact.record",
            object_type="match",
            object_id=match.id,
            district_id=family.district_id if family else None,
            contact_id=contact.id,
        )
    return contact


def end_match(
    *,
    session: Session,
    match_id: int,
    actor_id: int,
    reason: str,
    checklist: dict[str, bool],
    notes: str = "",
    on: date | None = None,
) -> Match:
    """End an active (or offered) match with a reason and the planned-ending checklist."""
    if reason not in END_REASON_LABELS:
        raise MatchError("Choose why the match is ending")
    on = on or service_today()
    with write_transaction(session):
        match = lock(session, Match, match_id)
        if match is None or match.status not in (
            MatchStatus.ACTIVE.value,
            MatchStatus.APPROVED.value,
        ):
            raise MatchConflict("This match is not active")
        end_one(
            session,
            match,
            reason=reason,
            on=on,
            checklist=checklist,
            notes=notes,
            actor_id=actor_id,
        )
    return match


# ---------------------------------------------------------------------------
# Monitoring
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Monitoring:
    no_recent_contact: list[tuple[Match, Family, Mentor, date | None]]
    unanswered_offers: list[tuple[Match, Family, Mentor]]
    mentors_near_capacity: list[tuple[Mentor, int]]
    open_concerns: list[tuple[SafeguardingConcern, Family]]


def monitoring(
    *,
    session: Session,
    district_ids: set[int],
    on: date,
    no_contact_days: int = 14,
    offer_days: int = 7,
) -> Monitoring:
    """What needs a coordinator's attention in their districts."""
    ids = list(district_ids)
    last_contact = (
        select(ContactLog.match_id, sa.func.max(ContactLog.contact_on).label("last"))
        .group_by(col(ContactLog.match_id))
        .subquery()
    )
    rows = session.exec(
        select(Match, Family, Mentor, last_contact.c.last)
        .join(Family, col(Family.id) == Match.family_id)
        .join(Mentor, col(Mentor.id) == Match.mentor_id)
        .outerjoin(last_contact, last_contact.c.match_id == Match.id)
        .where(Match.status == MatchStatus.ACTIVE.value, col(Family.district_id).in_(ids))
        .order_by(col(Family.reference))
    ).all()
    cutoff = on - timedelta(days=no_contact_days)
    stale = [
        (m, f, mentor, last) for m, f, mentor, last in rows if (last or m.started_on or on) < cutoff
    ]
    offer_cutoff = utcnow() - timedelta(days=offer_days)
    offers = session.exec(
        select(Match, Family, Mentor)
        .join(Family, col(Family.id) == Match.family_id)
        .join(Mentor, col(Mentor.id) == Match.mentor_id)
        .where(
            Match.status == MatchStatus.APPROVED.value,
            col(Match.offered_at) < offer_cutoff,
            col(Family.district_id).in_(ids),
        )
        .order_by(col(Match.offered_at))
    ).all()
    mentors = session.exec(select(Mentor).where(col(Mentor.home_district_id).in_(ids))).all()
    counts = load_counts(session, [saved_id(m) for m in mentors])
    # Near capacity: one place left (for mentors of 2 or more) or full or over.
    near = sorted(
        (
            (m, counts.get(saved_id(m), 0))
            for m in mentors
            if counts.get(saved_id(m), 0) >= m.capacity - (1 if m.capacity >= 2 else 0)
            and counts.get(saved_id(m), 0) > 0
        ),
        key=lambda pair: (pair[1] - pair[0].capacity, pair[0].reference),
        reverse=True,
    )
    concerns = session.exec(
        select(SafeguardingConcern, Family)
        .join(Match, col(Match.id) == SafeguardingConcern.match_id)
        .join(Family, col(Family.id) == Match.family_id)
        .where(
            SafeguardingConcern.status == ConcernStatus.OPEN.value,
            col(Family.district_id).in_(ids),
        )
        .order_by(col(SafeguardingConcern.raised_at).desc())
    ).all()
    return Monitoring(stale, list(offers), near, list(concerns))
