"""An allegation against a mentor: suspended at once, then reinstated or removed.

Suspended: the mentor fails the vetting gate (`vetting.facts` sees the open allegation),
so no run proposes them, and their matches are paused, not ended: the families keep their
places and their coordinators are told to arrange cover (never why). The outcome decides:
unfounded, unsubstantiated, false or malicious reinstates them (the matches resume);
substantiated removes them (withdrawn, the matches end with a handover, and a DBS barring
referral is due). Only the safeguarding lead and provider staff ever see the allegation.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mentoring.db import saved_id
from mentoring.models import (
    ConcernOutcome,
    ConcernStatus,
    ConcernSubject,
    EndReason,
    EntryKind,
    Family,
    Match,
    Mentor,
    MentorStatus,
    SafeguardingConcern,
    service_today,
    utcnow,
)
from mentoring.services.common.dates import long_date
from mentoring.services.common.endings import release_matches
from mentoring.services.common.holding import HOLDING
from mentoring.services.common.notify import Outbox, coordinators_by_district, link, notify
from mentoring.services.safeguarding.people import leads_and_managers, tell
from mentoring.services.safeguarding.records import add, audit_case
from mentoring.services.vetting.matchable import refresh_matchable

REINSTATING = (
    ConcernOutcome.UNFOUNDED,
    ConcernOutcome.UNSUBSTANTIATED,
    ConcernOutcome.FALSE,
    ConcernOutcome.MALICIOUS,
)


def _held(session: Session, mentor_id: int) -> list[tuple[Match, Family]]:
    return list(
        session.exec(
            select(Match, Family)
            .join(Family, col(Family.id) == Match.family_id)
            .where(Match.mentor_id == mentor_id, col(Match.status).in_(HOLDING))
            .order_by(col(Family.reference))
        ).all()
    )


def _tell_coordinators(
    session: Session, outbox: Outbox, rows: list[tuple[Match, Family]], *, message: str, email: str
) -> None:
    """Tell the coordinators of the families' districts, naming the families only."""
    coordinators = coordinators_by_district(session, {f.district_id for _m, f in rows})
    refs: dict[int, list[str]] = defaultdict(list)
    emails: dict[int, str] = {}
    for _match, family in rows:
        for user in coordinators.get(family.district_id, ()):
            refs[saved_id(user)].append(family.reference)
            emails[saved_id(user)] = user.email
    for user_id, families in refs.items():
        notify(
            session,
            [user_id],
            kind="mentor_paused",
            urgent=True,
            message=message.format(families=", ".join(families)),
            link=link("coordination.matches"),
        )
        outbox.add(emails[user_id], email, refs=families)


def open_allegations(session: Session, mentor_id: int) -> int:
    """Count the allegations against a mentor that are not closed (suspended while any)."""
    return int(
        session.exec(
            select(sa.func.count())
            .select_from(SafeguardingConcern)
            .where(
                SafeguardingConcern.mentor_id == mentor_id,
                SafeguardingConcern.subject == ConcernSubject.MENTOR.value,
                SafeguardingConcern.status != ConcernStatus.CLOSED.value,
            )
        ).one()
    )


def suspend(
    session: Session,
    concern: SafeguardingConcern,
    mentor: Mentor,
    *,
    outbox: Outbox,
    actor_id: int | None,
) -> None:
    """Suspend a mentor for an allegation, in the caller's unit of work."""
    on = service_today()
    mentor_id = saved_id(mentor)
    mentor.matchable_since = None
    mentor.updated_at = utcnow()
    session.add(mentor)
    rows = _held(session, mentor_id)
    paused = [m for m, _f in rows if m.paused_on is None]
    for match in paused:
        match.paused_on = on
        session.add(match)
    _tell_coordinators(
        session,
        outbox,
        rows,
        message=f"Mentor {mentor.reference}'s matches are paused from {long_date(on)}. "
        "Arrange cover for {families}: the families keep their places.",
        email="matches_paused",
    )
    tell(
        session,
        outbox,
        leads_and_managers(session),
        concern,
        kind="allegation",
        message=f"Allegation {concern.reference} against mentor {mentor.reference}: they are "
        "suspended. Refer it to the LADO within one working day.",
        email="allegation_raised",
    )
    add(
        session,
        concern,
        kind=EntryKind.ACTION.value,
        text=f"Mentor {mentor.reference} suspended: cannot be matched; "
        f"{len(paused)} match(es) paused and the coordinators told to arrange cover.",
        recorded_by_id=actor_id,
    )
    audit_case(
        session,
        "mentor.suspend",
        concern,
        actor_id=actor_id,
        mentor_id=mentor_id,
        paused_match_ids=[m.id for m in paused],
    )


def apply_outcome(
    session: Session, concern: SafeguardingConcern, *, outbox: Outbox, actor_id: int | None
) -> None:
    """Reinstate or remove the mentor once an allegation closes (caller's unit of work)."""
    mentor = session.get(Mentor, concern.mentor_id) if concern.mentor_id else None
    if mentor is None:  # pragma: no cover - the check constraint keeps a mentor
        return
    mentor_id = saved_id(mentor)
    if concern.outcome == ConcernOutcome.SUBSTANTIATED.value:
        _remove(session, concern, mentor, outbox=outbox, actor_id=actor_id)
    elif open_allegations(session, mentor_id):
        add(
            session,
            concern,
            kind=EntryKind.ACTION.value,
            text="The mentor stays suspended: another allegation is still open.",
            recorded_by_id=actor_id,
        )
    else:
        _reinstate(session, concern, mentor, outbox=outbox, actor_id=actor_id)


def _reinstate(
    session: Session,
    concern: SafeguardingConcern,
    mentor: Mentor,
    *,
    outbox: Outbox,
    actor_id: int | None,
) -> None:
    mentor_id = saved_id(mentor)
    rows = [(m, f) for m, f in _held(session, mentor_id) if m.paused_on is not None]
    for match, _family in rows:
        match.paused_on = None
        session.add(match)
    session.flush()
    results = refresh_matchable(
        session=session,
        mentor_ids=[mentor_id],
        on=service_today(),
        outbox=outbox,
        actor_id=actor_id,
    )
    _tell_coordinators(
        session,
        outbox,
        rows,
        message=f"Mentor {mentor.reference}'s matches resume: {{families}}.",
        email="matches_resumed",
    )
    add(
        session,
        concern,
        kind=EntryKind.ACTION.value,
        text=f"Mentor {mentor.reference} reinstated; {len(rows)} match(es) resume.",
        recorded_by_id=actor_id,
    )
    result = results.get(mentor_id)
    audit_case(
        session,
        "mentor.reinstate",
        concern,
        actor_id=actor_id,
        mentor_id=mentor_id,
        decision=concern.outcome,
        resumed_match_ids=[m.id for m, _f in rows],
        matchable=bool(result and result.matchable),
    )


def _remove(
    session: Session,
    concern: SafeguardingConcern,
    mentor: Mentor,
    *,
    outbox: Outbox,
    actor_id: int | None,
) -> None:
    mentor_id = saved_id(mentor)
    mentor.status = MentorStatus.WITHDRAWN.value
    mentor.status_reason = (
        f"Removed after a substantiated safeguarding allegation ({concern.reference})"
    )
    mentor.matchable_since = None
    mentor.updated_at = utcnow()
    session.add(mentor)
    ended = release_matches(
        session, {mentor_id: EndReason.MENTOR_LEFT.value}, actor_id=actor_id, on=service_today()
    )
    tell(
        session,
        outbox,
        leads_and_managers(session),
        concern,
        kind="dbs_referral_due",
        message=f"{concern.reference}: mentor {mentor.reference} is removed. Make the DBS "
        "barring referral and record it on the case.",
        email="dbs_referral_due",
    )
    add(
        session,
        concern,
        kind=EntryKind.ACTION.value,
        text=f"Mentor {mentor.reference} removed (withdrawn); {len(ended)} match(es) ended "
        "with a handover. A DBS barring referral is due.",
        recorded_by_id=actor_id,
    )
    audit_case(
        session,
        "mentor.remove",
        concern,
        actor_id=actor_id,
        mentor_id=mentor_id,
        ended_match_ids=[m.id for m in ended],
    )
