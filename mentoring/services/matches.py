"""The life of a match: approval, the mentor's answer, contacts, concerns, ending.

Every function takes the session and the acting user's id, does its work in one
transaction and records it in the audit log. Capacity and "one mentor per family
slot" hold under concurrency: the family slot by a partial unique index, the
mentor's capacity by locking the mentor row (PostgreSQL) or taking the write lock
at BEGIN (SQLite) before counting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import has_request_context
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from mentoring import audit
from mentoring.db import write_transaction
from mentoring.models import (
    SLOT_HOLDING_STATUSES,
    ConcernStatus,
    ContactKind,
    ContactLog,
    CoordinatorDistrict,
    EndReason,
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

HOLDING = [s.value for s in SLOT_HOLDING_STATUSES]

END_REASON_LABELS = {
    EndReason.GOALS_MET.value: "Goals met",
    EndReason.FAMILY_WITHDREW.value: "Family withdrew",
    EndReason.MENTOR_LEFT.value: "Mentor left",
    EndReason.SAFEGUARDING.value: "Safeguarding",
    EndReason.MOVED_AWAY.value: "Family moved away",
    EndReason.MENTOR_NOT_MATCHABLE.value: "Mentor no longer cleared to mentor",
}

# The planned-ending checklist: key, label.
ENDING_CHECKLIST: list[tuple[str, str]] = [
    ("family_told", "The family was told in advance that mentoring is ending"),
    ("closing_session", "A closing session was held (or offered)"),
    ("key_worker_handover", "The key worker has a handover of progress and next steps"),
    ("contacts_recorded", "All contacts are recorded"),
]


class MatchError(Exception):
    """A match action is not allowed; the message says why, for the user."""


class MatchConflict(MatchError):
    """Someone else changed the match, the family or the mentor at the same time."""


def load_counts(session: Session, mentor_ids: Iterable[int]) -> dict[int, int]:
    """Return how many family slots each mentor holds (offered, accepted or active)."""
    ids = list(mentor_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(Match.mentor_id, sa.func.count())
        .where(Match.mentor_id.in_(ids), Match.status.in_(HOLDING))  # type: ignore[attr-defined]
        .group_by(Match.mentor_id)
    ).all()
    return dict(rows)


def _lock(session: Session, model: type, row_id: int):  # type: ignore[no-untyped-def]
    """Load a row, locked FOR UPDATE on PostgreSQL (SQLite already holds the write lock)."""
    query = select(model).where(model.id == row_id)  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.exec(query).first()


def district_coordinator_ids(session: Session, district_id: int) -> list[int]:
    return list(
        session.exec(
            select(CoordinatorDistrict.user_id).where(
                CoordinatorDistrict.district_id == district_id
            )
        ).all()
    )


def notify(
    session: Session,
    user_ids: Iterable[int],
    *,
    kind: str,
    message: str,
    link: str = "",
    urgent: bool = False,
) -> None:
    for user_id in set(user_ids):
        session.add(
            Notification(user_id=user_id, kind=kind, message=message, link=link, urgent=urgent)
        )


@dataclass
class SlotCheck:
    """Why a mentor cannot take a family's slot now (empty: they can)."""

    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_assignable(
    session: Session,
    *,
    mentor: Mentor,
    family: Family,
    slot: str,
    on: date,
    ignore_match_id: int | None = None,
) -> SlotCheck:
    """Check a (mentor, family, slot) against the vetting gate, the family, capacity and rules."""
    from mentoring.services.matching import pair_rule_problems

    check = SlotCheck()
    held = session.exec(
        select(Match.id).where(
            Match.family_id == family.id,
            Match.slot == slot,
            Match.status.in_(HOLDING),  # type: ignore[attr-defined]
            Match.id != (ignore_match_id or -1),
        )
    ).first()
    if held is not None:
        check.problems.append(
            f"{family.reference} already has a {'mentor' if slot == Slot.MENTOR else 'role model'}"
        )
    load = load_counts(session, [mentor.id]).get(mentor.id, 0)  # type: ignore[list-item,arg-type]
    if load >= mentor.capacity:
        check.problems.append(f"{mentor.reference} is full ({load} of {mentor.capacity} families)")
    check.problems.extend(
        pair_rule_problems(session, mentor=mentor, family=family, slot=slot, on=on)
    )
    return check


def approve(session: Session, *, match_id: int, actor_id: int, on: date | None = None) -> Match:
    """Approve a proposal: it is offered to the mentor and holds the slot and capacity."""
    on = on or service_today()
    try:
        with write_transaction(session):
            match = _lock(session, Match, match_id)
            if match is None:
                raise MatchError("That proposal no longer exists")
            if match.status != MatchStatus.PROPOSED.value:
                raise MatchConflict(
                    f"This proposal is already {match.status}; reload the page to see the latest"
                )
            mentor = _lock(session, Mentor, match.mentor_id)
            family = _lock(session, Family, match.family_id)
            check = check_assignable(
                session,
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
            _offer(session, match, mentor, family, action="match.approve")
    except IntegrityError as err:
        raise MatchConflict(
            "Someone else assigned this family at the same time; reload the page"
        ) from err
    _email_offer(session, match, mentor)
    return match


def _offer(session: Session, match: Match, mentor: Mentor, family: Family, *, action: str) -> None:
    """Save an approved match as an offer: tell the mentor and the coordinators, audit it."""
    session.add(match)
    session.flush()
    _offer_notifications(session, match, mentor, family)
    audit.record(
        session,
        action,
        object_type="match",
        object_id=match.id,
        district_id=family.district_id,
        family_id=family.id,
        mentor_id=mentor.id,
    )


def _offer_notifications(session: Session, match: Match, mentor: Mentor, family: Family) -> None:
    user_id = session.exec(select(User.id).where(User.mentor_id == mentor.id)).first()
    if user_id is not None:
        notify(
            session,
            [user_id],
            kind="offer",
            message=f"You have been offered a family ({family.reference}). Accept or decline.",
            link=f"/my/offers/{match.id}",
        )


def _email_offer(session: Session, match: Match, mentor: Mentor) -> None:
    """Email the mentor that an offer is waiting (no family details in the email)."""
    try:
        from mentoring.services.mail import send_email
    except ImportError:  # pragma: no cover - mail arrives with the vetting work
        return
    send_email(
        to=mentor.email,
        subject="Mentor Match: a family has been offered to you",
        body=(
            f"Hello {mentor.first_name},\n\nA coordinator has offered you a family to mentor. "
            "Sign in to Mentor Match to see the offer and accept or decline it.\n"
        ),
    )


def reject(session: Session, *, match_id: int, actor_id: int, reason: str) -> Match:
    """Reject a proposal, with a reason."""
    reason = reason.strip()
    if not reason:
        raise MatchError("Enter a reason for rejecting the proposal")
    with write_transaction(session):
        match = _lock(session, Match, match_id)
        if match is None or match.status != MatchStatus.PROPOSED.value:
            raise MatchConflict("This proposal has already been decided; reload the page")
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
    session: Session,
    *,
    family_id: int,
    mentor_id: int,
    slot: str,
    actor_id: int,
    on: date | None = None,
) -> Match:
    """Create and approve a match chosen by the coordinator, under the same rules."""
    on = on or service_today()
    try:
        with write_transaction(session):
            mentor = _lock(session, Mentor, mentor_id)
            family = _lock(session, Family, family_id)
            if mentor is None or family is None:
                raise MatchError("Choose a mentor and a family")
            check = check_assignable(session, mentor=mentor, family=family, slot=slot, on=on)
            if not check.ok:
                raise MatchError("This assignment breaks a rule: " + "; ".join(check.problems))
            now = utcnow()
            match = Match(
                family_id=family.id,
                mentor_id=mentor.id,
                slot=slot,
                status=MatchStatus.APPROVED.value,
                created_by_id=actor_id,
                decided_by_id=actor_id,
                decided_at=now,
                offered_at=now,
                explanation={"by_hand": True},
            )
            _offer(session, match, mentor, family, action="match.assign_by_hand")
    except IntegrityError as err:
        raise MatchConflict("Someone else assigned this family at the same time") from err
    _email_offer(session, match, mentor)
    return match


def answer_offer(
    session: Session,
    *,
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
        match = _lock(session, Match, match_id)
        if match is None or match.mentor_id != mentor_id:
            raise LookupError("no such offer")
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
        if family is not None:
            notify(
                session,
                district_coordinator_ids(session, family.district_id),
                kind="offer_answer",
                message=(
                    f"The mentor {'accepted' if accept else 'declined'} {family.reference}."
                    + ("" if accept else " The family is back on the waiting list.")
                ),
                link=f"/families/{family.id}",
            )
        audit.record(
            session,
            "match.accept" if accept else "match.decline",
            object_type="match",
            object_id=match.id,
            district_id=family.district_id if family else None,
        )
    return match


def record_contact(
    session: Session,
    *,
    match: Match,
    actor_id: int,
    contact_on: date,
    kind: str,
    duration_minutes: int,
    note: str,
) -> ContactLog:
    """Record a contact on an active match."""
    if match.status != MatchStatus.ACTIVE.value:
        raise MatchError("Contacts can be recorded only while the match is active")
    if kind not in ContactKind.values():
        raise MatchError("Choose the kind of contact")
    today = service_today()
    if contact_on > today:
        raise MatchError("The date of the contact must be today or in the past")
    if match.started_on and contact_on < match.started_on:
        raise MatchError("The date of the contact must be on or after the match started")
    with write_transaction(session):
        contact = ContactLog(
            match_id=match.id,
            contact_on=contact_on,
            kind=kind,
            duration_minutes=duration_minutes,
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


def raise_concern(
    session: Session, *, match: Match, actor_id: int, details: str
) -> SafeguardingConcern:
    """Raise a safeguarding concern: the district's coordinators are told at once, urgently."""
    details = details.strip()
    if not details:
        raise MatchError("Describe the concern")
    with write_transaction(session):
        concern = SafeguardingConcern(
            match_id=match.id, raised_by_id=actor_id, details=details[:4000]
        )
        session.add(concern)
        session.flush()
        family = session.get(Family, match.family_id)
        coordinators = district_coordinator_ids(session, family.district_id) if family else []
        notify(
            session,
            coordinators,
            kind="safeguarding",
            message=f"Safeguarding concern raised for {family.reference if family else 'a family'}",
            link=f"/matching/concerns/{concern.id}",
            urgent=True,
        )
        audit.record(
            session,
            "concern.raise",
            object_type="safeguarding_concern",
            object_id=concern.id,
            district_id=family.district_id if family else None,
            match_id=match.id,
        )
    emails = session.exec(select(User.email).where(User.id.in_(coordinators))).all()  # type: ignore[union-attr]
    try:
        from mentoring.services.mail import send_email
    except ImportError:  # pragma: no cover
        return concern
    for email in emails:
        send_email(
            to=email,
            subject="URGENT: safeguarding concern raised in Mentor Match",
            body=(
                "A mentor has raised a safeguarding concern. "
                "Sign in to Mentor Match to read it now.\n"
            ),
        )
    return concern


def end_match(
    session: Session,
    *,
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
        match = _lock(session, Match, match_id)
        if match is None or match.status not in (
            MatchStatus.ACTIVE.value,
            MatchStatus.APPROVED.value,
        ):
            raise MatchConflict("This match is not active")
        _end(
            session,
            match,
            reason=reason,
            on=on,
            checklist=checklist,
            notes=notes,
            actor_id=actor_id,
        )
    return match


def end_for_withdrawn_consent(
    session: Session, *, family: Family, on: date, actor_id: int | None
) -> list[Match]:
    """End a family's offered and active matches because consent was withdrawn, inside
    the caller's transaction: the mentor loses sight of the family at once and is told
    (without the reason), and the family does not wait for a new mentor."""
    ended = []
    for match in session.exec(
        select(Match).where(Match.family_id == family.id, Match.status.in_(HOLDING))  # type: ignore[attr-defined]
    ).all():
        _end(
            session,
            match,
            reason=EndReason.FAMILY_WITHDREW.value,
            on=max(on, match.started_on) if match.started_on else on,
            checklist={},
            notes="Ended because the family withdrew consent",
            actor_id=actor_id,
        )
        mentor_user = session.exec(select(User.id).where(User.mentor_id == match.mentor_id)).first()
        if mentor_user is not None:
            notify(
                session,
                [mentor_user],
                kind="match_ended",
                message=f"Your mentoring with family {family.reference} has ended. "
                "Your coordinator will be in touch.",
            )
        ended.append(match)
    return ended


def _end(
    session: Session,
    match: Match,
    *,
    reason: str,
    on: date,
    checklist: dict[str, bool],
    notes: str,
    actor_id: int | None = None,
) -> None:
    """End a match (every ending goes through here and is in the audit log)."""
    family = session.get(Family, match.family_id)
    match.status = MatchStatus.ENDED.value
    match.ended_on = on
    match.end_reason = reason
    match.end_notes = notes.strip()[:1000]
    match.ending_checklist = {key: bool(checklist.get(key)) for key, _ in ENDING_CHECKLIST}
    session.add(match)
    if family is not None and reason in (
        EndReason.MENTOR_LEFT.value,
        EndReason.MENTOR_NOT_MATCHABLE.value,
    ):
        family.needs_handover = True
        session.add(family)
    audit.record(
        session,
        "match.end",
        object_type="match",
        object_id=match.id,
        district_id=family.district_id if family else None,
        family_id=match.family_id,
        mentor_id=match.mentor_id,
        reason=reason,
        actor_id=actor_id,
        actor_role="system" if actor_id is None and not has_request_context() else "",
    )


def release_mentor(
    session: Session,
    *,
    mentor_id: int,
    reason: str,
    actor_id: int | None = None,
    on: date | None = None,
) -> list[Match]:
    """End a departing or no-longer-cleared mentor's matches; their families need a handover."""
    with write_transaction(session):
        return release_matches(
            session, {mentor_id: reason}, actor_id=actor_id, on=on or service_today()
        )


def release_matches(
    session: Session,
    reasons: dict[int, str],
    *,
    actor_id: int | None,
    on: date,
    notify_coordinators: bool = True,
) -> list[Match]:
    """End the slot-holding matches of mentors (mentor id: end reason), inside the caller's
    transaction. The families go back to the waiting list flagged "needs handover", and
    the next run's explanation names the mentor who left (see `handover_history`)."""
    if not reasons:
        return []
    ended: list[Match] = []
    matches = session.exec(
        select(Match)
        .where(Match.mentor_id.in_(sorted(reasons)), Match.status.in_(HOLDING))  # type: ignore[attr-defined]
        .order_by(Match.id)
    ).all()
    for match in matches:
        reason = reasons[match.mentor_id]
        _end(
            session,
            match,
            reason=reason,
            on=on,
            checklist={},
            notes="Ended automatically",
            actor_id=actor_id,
        )
        family = session.get(Family, match.family_id)
        if family is None:
            continue
        if notify_coordinators:
            notify(
                session,
                district_coordinator_ids(session, family.district_id),
                kind="handover",
                message=f"{family.reference} needs a new mentor: "
                f"{END_REASON_LABELS[reason].lower()}. It is back on the waiting list.",
                link=f"/families/{family.id}",
                urgent=True,
            )
        ended.append(match)
    return ended


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
    session: Session,
    *,
    district_ids: set[int],
    on: date,
    no_contact_days: int = 14,
    offer_days: int = 7,
) -> Monitoring:
    """What needs a coordinator's attention in their districts."""
    ids = list(district_ids)
    last_contact = (
        select(ContactLog.match_id, sa.func.max(ContactLog.contact_on).label("last"))
        .group_by(ContactLog.match_id)
        .subquery()
    )
    rows = session.exec(
        select(Match, Family, Mentor, last_contact.c.last)
        .join(Family, Family.id == Match.family_id)
        .join(Mentor, Mentor.id == Match.mentor_id)
        .outerjoin(last_contact, last_contact.c.match_id == Match.id)
        .where(Match.status == MatchStatus.ACTIVE.value, Family.district_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(Family.reference)
    ).all()
    cutoff = on - timedelta(days=no_contact_days)
    stale = [
        (m, f, mentor, last) for m, f, mentor, last in rows if (last or m.started_on or on) < cutoff
    ]
    offer_cutoff = utcnow() - timedelta(days=offer_days)
    offers = session.exec(
        select(Match, Family, Mentor)
        .join(Family, Family.id == Match.family_id)
        .join(Mentor, Mentor.id == Match.mentor_id)
        .where(
            Match.status == MatchStatus.APPROVED.value,
            Match.offered_at < offer_cutoff,  # type: ignore[operator]
            Family.district_id.in_(ids),  # type: ignore[attr-defined]
        )
        .order_by(Match.offered_at)
    ).all()
    mentors = session.exec(
        select(Mentor).where(Mentor.home_district_id.in_(ids))  # type: ignore[attr-defined]
    ).all()
    counts = load_counts(session, [m.id for m in mentors if m.id is not None])
    # Near capacity: one place left (for mentors of 2 or more) or full or over.
    near = sorted(
        (
            (m, counts.get(m.id, 0))  # type: ignore[arg-type]
            for m in mentors
            if counts.get(m.id, 0) >= m.capacity - (1 if m.capacity >= 2 else 0)  # type: ignore[arg-type]
            and counts.get(m.id, 0) > 0  # type: ignore[arg-type]
        ),
        key=lambda pair: (pair[1] - pair[0].capacity, pair[0].reference),
        reverse=True,
    )
    concerns = session.exec(
        select(SafeguardingConcern, Family)
        .join(Match, Match.id == SafeguardingConcern.match_id)
        .join(Family, Family.id == Match.family_id)
        .where(
            SafeguardingConcern.status == ConcernStatus.OPEN.value,
            Family.district_id.in_(ids),  # type: ignore[attr-defined]
        )
        .order_by(SafeguardingConcern.raised_at.desc())  # type: ignore[attr-defined]
    ).all()
    return Monitoring(stale, list(offers), near, list(concerns))
