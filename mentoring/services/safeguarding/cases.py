"""Safeguarding cases: raising a concern, the chronology, and the status flow.

A case is raised once and its words are fixed; what is learned later is an entry in its
append-only chronology. Status: open (awaiting triage) -> triaged -> referred, monitoring
or no further action -> closed with an outcome and a reason. Every change is one unit of
work, audited by id only (never the words), and tells people after it commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from mentoring.db import saved_id, write_transaction
from mentoring.exceptions import NotFound, SafeguardingError
from mentoring.models import (
    ALLEGATION_OUTCOMES,
    FAMILY_OUTCOMES,
    ConcernCategory,
    ConcernOutcome,
    ConcernStatus,
    ConcernSubject,
    EntryKind,
    Family,
    Match,
    MatchStatus,
    Mentor,
    ReferralAgency,
    Role,
    SafeguardingConcern,
    User,
    service_today,
    utcnow,
)
from mentoring.services.common.locks import lock
from mentoring.services.common.notify import Outbox, link, notify
from mentoring.services.safeguarding.allegations import apply_outcome, suspend
from mentoring.services.safeguarding.people import (
    district_coordinators,
    safeguarding_leads,
    tell,
)
from mentoring.services.safeguarding.records import add as _add
from mentoring.services.safeguarding.records import audit_case as _audit

# After triage, the decisions a case can rest in before it closes.
DECIDED = (ConcernStatus.REFERRED, ConcernStatus.MONITORING, ConcernStatus.NO_FURTHER_ACTION)
NOTE_KINDS = (
    EntryKind.ADVICE,
    EntryKind.STRATEGY_MEETING,
    EntryKind.FEEDBACK,
    EntryKind.FURTHER_INFORMATION,
)


@dataclass(frozen=True)
class Raised:
    """What the person raising a concern tells us, in their own words."""

    category: str
    details: str
    happened_when: str
    people_involved: str
    immediate_danger: bool = False


def _check_raised(raised: Raised) -> Raised:
    errors = {}
    if raised.category not in ConcernCategory.values():
        errors["category"] = "Choose what kind of concern it is"
    details = raised.details.strip()
    when = " ".join(raised.happened_when.split())
    who = " ".join(raised.people_involved.split())
    if not details:
        errors["details"] = "Describe what you saw or were told, in your own words"
    elif len(details) > 4000:
        errors["details"] = "Keep it to 4,000 characters; add more later as an update"
    if not when:
        errors["happened_when"] = "Say when it happened or when you were told"
    elif len(when) > 200:
        errors["happened_when"] = "Keep when it happened to 200 characters"
    if not who:
        errors["people_involved"] = "Say who is involved: the child or adult, and anyone else"
    elif len(who) > 500:
        errors["people_involved"] = "Keep who is involved to 500 characters"
    if errors:
        raise SafeguardingError(next(iter(errors.values())), errors=errors)
    return Raised(raised.category, details, when, who, raised.immediate_danger)


def _new_case(
    session: Session, raised: Raised, actor_id: int, **about: object
) -> SafeguardingConcern:
    concern = SafeguardingConcern(
        raised_by_id=actor_id,
        category=raised.category,
        immediate_danger=raised.immediate_danger,
        happened_when=raised.happened_when,
        people_involved=raised.people_involved,
        details=raised.details,
        **about,  # type: ignore[arg-type]
    )
    session.add(concern)
    session.flush()
    return concern


def raise_concern(
    *, session: Session, match: Match, actor_id: int, raised: Raised
) -> SafeguardingConcern:
    """Raise a concern about someone in a family on a match: the safeguarding lead and the
    district's coordinators are told at once, urgently, by reference only."""
    raised = _check_raised(raised)
    outbox = Outbox()
    with write_transaction(session):
        if match.status != MatchStatus.ACTIVE.value:
            raise NotFound("not an active match")
        family = session.get(Family, match.family_id)
        concern = _new_case(
            session,
            raised,
            actor_id,
            subject=ConcernSubject.FAMILY.value,
            match_id=saved_id(match),
            mentor_id=match.mentor_id,
            district_id=family.district_id if family else None,
        )
        danger = " Someone may be in immediate danger." if raised.immediate_danger else ""
        tell(
            session,
            outbox,
            safeguarding_leads(session) + district_coordinators(session, concern),
            concern,
            kind="safeguarding",
            message=f"Safeguarding concern {concern.reference} raised for "
            f"{family.reference if family else 'a family'}: triage it now.{danger}",
            email="concern_raised",
        )
        _audit(
            session,
            "concern.raise",
            concern,
            actor_id=actor_id,
            match_id=match.id,
            category=raised.category,
            immediate_danger=raised.immediate_danger,
        )
    outbox.send()
    return concern


def raise_allegation(
    *, session: Session, mentor_id: int, actor_id: int, raised: Raised
) -> SafeguardingConcern:
    """Record an allegation against a mentor (or a concern about their conduct) and
    suspend them at once (`allegations.suspend`)."""
    raised = _check_raised(raised)
    outbox = Outbox()
    with write_transaction(session):
        mentor = lock(session, Mentor, mentor_id)
        if mentor is None:
            raise NotFound("no such mentor")
        concern = _new_case(
            session,
            raised,
            actor_id,
            subject=ConcernSubject.MENTOR.value,
            mentor_id=mentor_id,
            district_id=mentor.home_district_id,
        )
        _audit(
            session,
            "allegation.raise",
            concern,
            actor_id=actor_id,
            mentor_id=mentor_id,
            category=raised.category,
        )
        suspend(session, concern, mentor, outbox=outbox, actor_id=actor_id)
    outbox.send()
    return concern


def _locked(session: Session, concern_id: int) -> SafeguardingConcern:
    concern = lock(session, SafeguardingConcern, concern_id)
    if concern is None:
        raise NotFound("no such concern")
    return concern


def _text(text: str, field: str, message: str, *, required: bool = True) -> str:
    text = text.strip()
    if required and not text:
        raise SafeguardingError(message, field=field)
    if len(text) > 4000:
        raise SafeguardingError("Keep it to 4,000 characters", field=field)
    return text


def triage(*, session: Session, concern_id: int, actor_id: int, decision: str) -> None:
    """Record the triage decision: the case is no longer waiting (the clock stops)."""
    decision = _text(decision, "decision", "Write the triage decision")
    with write_transaction(session):
        concern = _locked(session, concern_id)
        if concern.status != ConcernStatus.OPEN.value:
            raise SafeguardingError("This case has already been triaged", field="decision")
        concern.status = ConcernStatus.TRIAGED.value
        concern.triaged_by_id = actor_id
        concern.triaged_at = utcnow()
        session.add(concern)
        _add(session, concern, kind=EntryKind.TRIAGE.value, text=decision, recorded_by_id=actor_id)
        _audit(session, "concern.triage", concern, actor_id=actor_id)


def record_referral(
    *,
    session: Session,
    concern_id: int,
    actor_id: int,
    agency: str,
    reference: str,
    on: date | None,
    notes: str = "",
) -> None:
    """Record a referral (children's social care, MASH, police, the LADO, the DBS) with its
    reference and date. An open case is referred; a DBS barring referral may follow an
    allegation's close."""
    reference = " ".join(reference.split())
    errors = {}
    if agency not in ReferralAgency.values():
        errors["agency"] = "Choose who it was referred to"
    if not reference:
        errors["reference"] = "Enter the reference they gave"
    elif len(reference) > 60:
        errors["reference"] = "Keep the reference to 60 characters"
    if on is None:
        errors["referred_on"] = "Enter the date of the referral as day, month and year"
    elif on > service_today():
        errors["referred_on"] = "The date of the referral must be today or in the past"
    if errors:
        raise SafeguardingError(next(iter(errors.values())), errors=errors)
    notes = _text(notes, "notes", "", required=False)
    with write_transaction(session):
        concern = _locked(session, concern_id)
        if agency in (ReferralAgency.LADO.value, ReferralAgency.DBS.value) and (
            not concern.is_allegation
        ):
            raise SafeguardingError(
                "LADO and DBS referrals are for allegations against a mentor", field="agency"
            )
        if concern.status == ConcernStatus.OPEN.value:
            raise SafeguardingError("Triage the case before recording a referral", field="agency")
        if concern.status == ConcernStatus.CLOSED.value and agency != ReferralAgency.DBS.value:
            raise SafeguardingError("This case is closed", field="agency")
        if agency == ReferralAgency.DBS.value:
            if concern.outcome != ConcernOutcome.SUBSTANTIATED.value:
                raise SafeguardingError(
                    "A DBS barring referral follows a substantiated allegation", field="agency"
                )
            concern.dbs_referred_on = on
        elif agency == ReferralAgency.LADO.value:
            concern.lado_referred_on = on
            concern.lado_reference = reference
        if concern.status != ConcernStatus.CLOSED.value:
            concern.status = ConcernStatus.REFERRED.value
        session.add(concern)
        _add(
            session,
            concern,
            kind=EntryKind.REFERRAL.value,
            agency=agency,
            agency_reference=reference,
            happened_on=on,
            text=notes,
            recorded_by_id=actor_id,
        )
        _audit(session, "concern.referral", concern, actor_id=actor_id, agency=agency)


def add_entry(
    *,
    session: Session,
    concern_id: int,
    actor_id: int,
    kind: str,
    text: str,
    on: date | None = None,
) -> None:
    """Add advice given, a strategy meeting, feedback to the raiser or a later fact.

    Feedback tells the person who raised the case that there is news (not what it is)."""
    if kind not in {k.value for k in NOTE_KINDS}:
        raise SafeguardingError("Choose what you are recording", field="kind")
    text = _text(text, "text", "Write what you are recording")
    if on is not None and on > service_today():
        raise SafeguardingError("The date must be today or in the past", field="happened_on")
    with write_transaction(session):
        concern = _locked(session, concern_id)
        _add(session, concern, kind=kind, text=text, happened_on=on, recorded_by_id=actor_id)
        raiser = session.get(User, concern.raised_by_id) if concern.raised_by_id else None
        if kind == EntryKind.FEEDBACK.value and raiser is not None:
            notify(
                session,
                [raiser.id],
                kind="safeguarding_feedback",
                message=f"The safeguarding lead has news about your concern "
                f"{concern.reference}; they will contact you.",
                link=link("mentor.concerns")
                if raiser.role == Role.MENTOR.value
                else link("safeguarding.case", concern_id=concern.id),
            )
        _audit(session, "concern.entry", concern, actor_id=actor_id, kind=kind)


def add_from_raiser(*, session: Session, concern_id: int, user_id: int, text: str) -> str:
    """Add what the person who raised a concern learned since, as an entry (they never see
    the case itself); the safeguarding leads are told. Return the case's reference."""
    text = _text(text, "text", "Write what you have learned since")
    outbox = Outbox()
    with write_transaction(session):
        concern = lock(session, SafeguardingConcern, concern_id)
        if concern is None or concern.raised_by_id != user_id or concern.is_allegation:
            raise NotFound("no such concern")
        _add(
            session,
            concern,
            kind=EntryKind.FURTHER_INFORMATION.value,
            text=text,
            recorded_by_id=user_id,
        )
        tell(
            session,
            outbox,
            safeguarding_leads(session),
            concern,
            kind="safeguarding",
            message=f"New information added to safeguarding concern {concern.reference} by the "
            "person who raised it.",
            email="concern_added_to",
        )
        _audit(session, "concern.add_from_raiser", concern, actor_id=user_id)
    outbox.send()
    return concern.reference


def decide(*, session: Session, concern_id: int, actor_id: int, status: str, reason: str) -> None:
    """Rest a triaged case in monitoring or no further action, with the reason."""
    if status not in (ConcernStatus.MONITORING.value, ConcernStatus.NO_FURTHER_ACTION.value):
        raise SafeguardingError("Choose monitoring or no further action", field="status")
    reason = _text(reason, "reason", "Give the reason for the decision")
    with write_transaction(session):
        concern = _locked(session, concern_id)
        if concern.status in (ConcernStatus.OPEN.value, ConcernStatus.CLOSED.value):
            raise SafeguardingError(
                "Triage the case first" if concern.status == "open" else "This case is closed",
                field="status",
            )
        concern.status = status
        session.add(concern)
        _add(
            session,
            concern,
            kind=EntryKind.STATUS.value,
            text=f"{ConcernStatus(status).label}: {reason}",
            recorded_by_id=actor_id,
        )
        _audit(session, "concern.decide", concern, actor_id=actor_id, status=status)


def outcomes_for(concern: SafeguardingConcern) -> tuple[ConcernOutcome, ...]:
    """The outcomes a case may close with: a family's, or an allegation's."""
    return ALLEGATION_OUTCOMES if concern.is_allegation else FAMILY_OUTCOMES


def close(*, session: Session, concern_id: int, actor_id: int, outcome: str, reason: str) -> None:
    """Close a decided case with an outcome and a reason. An allegation's outcome decides
    what happens to the mentor (`allegations.apply_outcome`)."""
    reason = _text(reason, "reason", "Give the reason for the outcome")
    outbox = Outbox()
    with write_transaction(session):
        concern = _locked(session, concern_id)
        if outcome not in {o.value for o in outcomes_for(concern)}:
            raise SafeguardingError("Choose the outcome", field="outcome")
        if concern.is_allegation and concern.lado_referred_on is None:
            raise SafeguardingError(
                "Record the referral to the LADO before the outcome", field="outcome"
            )
        if concern.status not in {s.value for s in DECIDED}:
            raise SafeguardingError(
                "This case is closed"
                if concern.status == ConcernStatus.CLOSED.value
                else "Triage the case and record a referral or decision before closing it",
                field="outcome",
            )
        concern.status = ConcernStatus.CLOSED.value
        concern.outcome = outcome
        concern.outcome_reason = reason[:2000]
        concern.closed_by_id = actor_id
        concern.closed_at = utcnow()
        session.add(concern)
        _add(
            session,
            concern,
            kind=EntryKind.OUTCOME.value,
            text=f"{ConcernOutcome(outcome).label}: {reason}",
            recorded_by_id=actor_id,
        )
        _audit(session, "concern.close", concern, actor_id=actor_id, outcome=outcome)
        if concern.is_allegation:
            apply_outcome(session, concern, outbox=outbox, actor_id=actor_id)
    outbox.send()
