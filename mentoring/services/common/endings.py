"""Every way a match ends, in one place that vetting, families and matches all call.

A coordinator's planned ending, a family withdrawing consent, and a mentor leaving or
no longer being cleared all go through `end_one`, inside the caller's unit of work, so
every ending is in the audit log the same way. Families whose mentor left are flagged
"needs handover" and go back on the waiting list.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from mentoring import audit
from mentoring.db import write_transaction
from mentoring.models import EndReason, Family, Match, service_today
from mentoring.services.common.holding import HOLDING
from mentoring.services.common.notify import coordinators_of, link, mentor_user, notify

END_REASON_LABELS = {reason.value: reason.label for reason in EndReason}

# The planned-ending checklist: key, label.
ENDING_CHECKLIST: list[tuple[str, str]] = [
    ("family_told", "The family was told in advance that mentoring is ending"),
    ("closing_session", "A closing session was held (or offered)"),
    ("key_worker_handover", "The key worker has a handover of progress and next steps"),
    ("contacts_recorded", "All contacts are recorded"),
]

# Endings that leave the family needing a new mentor, with a handover.
MENTOR_DEPARTURES = frozenset({EndReason.MENTOR_LEFT.value, EndReason.MENTOR_NOT_MATCHABLE.value})


def end_one(
    session: Session,
    match: Match,
    *,
    reason: str,
    on: date,
    checklist: dict[str, bool],
    notes: str,
    actor_id: int | None = None,
) -> Family | None:
    """End a match (every ending goes through here and is audited); return its family."""
    family = session.get(Family, match.family_id)
    match.status = "ended"
    match.ended_on = on
    match.end_reason = reason
    match.end_notes = notes.strip()[:1000]
    match.ending_checklist = {key: bool(checklist.get(key)) for key, _ in ENDING_CHECKLIST}
    session.add(match)
    if family is not None and reason in MENTOR_DEPARTURES:
        family.needs_handover = True
        session.add(family)
    audit.record(
        session,
        "match.end",
        object_type="match",
        object_id=match.id,
        district_id=family.district_id if family else None,
        actor_id=actor_id,
        family_id=match.family_id,
        mentor_id=match.mentor_id,
        reason=reason,
    )
    return family


def end_for_withdrawn_consent(
    session: Session, *, family: Family, on: date, actor_id: int | None
) -> list[Match]:
    """End a family's offered and active matches because consent was withdrawn.

    Inside the caller's transaction: the mentor loses sight of the family at once and is
    told (without the reason), and the family does not wait for a new mentor.
    """
    ended = []
    for match in session.exec(
        select(Match).where(Match.family_id == family.id, col(Match.status).in_(HOLDING))
    ).all():
        end_one(
            session,
            match,
            reason=EndReason.FAMILY_WITHDREW.value,
            on=max(on, match.started_on) if match.started_on else on,
            checklist={},
            notes="Ended because the family withdrew consent",
            actor_id=actor_id,
        )
        account = mentor_user(session, match.mentor_id)
        if account is not None:
            notify(
                session,
                [account.id],
                kind="match_ended",
                message=f"Your mentoring with family {family.reference} has ended. "
                "Your coordinator will be in touch.",
            )
        ended.append(match)
    return ended


def release_matches(
    session: Session,
    reasons: dict[int, str],
    *,
    actor_id: int | None,
    on: date,
    notify_coordinators: bool = True,
) -> list[Match]:
    """End the slot-holding matches of mentors (mentor id: end reason), in the caller's
    transaction. The families go back to the waiting list flagged "needs handover", and
    the next run's explanation names the mentor who left (`handover_history`)."""
    if not reasons:
        return []
    ended: list[Match] = []
    matches = session.exec(
        select(Match)
        .where(col(Match.mentor_id).in_(sorted(reasons)), col(Match.status).in_(HOLDING))
        .order_by(col(Match.id))
    ).all()
    for match in matches:
        reason = reasons[match.mentor_id]
        family = end_one(
            session,
            match,
            reason=reason,
            on=on,
            checklist={},
            notes="Ended automatically",
            actor_id=actor_id,
        )
        if family is None:
            continue
        if notify_coordinators:
            notify(
                session,
                [u.id for u in coordinators_of(session, family.district_id)],
                kind="handover",
                message=f"{family.reference} needs a new mentor: "
                f"{END_REASON_LABELS[reason].lower()}. It is back on the waiting list.",
                link=link("families.show", family_id=family.id),
                urgent=True,
            )
        ended.append(match)
    return ended


def release_mentor(
    *,
    session: Session,
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
