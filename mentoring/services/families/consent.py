"""Consent and engagement: given or withdrawn, contacted, engaged, declined, exited.

Withdrawing consent ends the family's offered and active matches at once
(`common.endings.end_for_withdrawn_consent`); a family with a mentor cannot be marked
declined or exited until the match ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from mentoring.db import write_transaction
from mentoring.exceptions import FamilyError
from mentoring.models import (
    Engagement,
    Family,
    FamilyEvent,
    FamilyEventKind,
    service_today,
    utcnow,
)
from mentoring.services.common.dates import long_date
from mentoring.services.common.endings import end_for_withdrawn_consent
from mentoring.services.common.scope import Viewer
from mentoring.services.families.record import (
    audit_family,
    check_scope,
    held_matches,
    on_or_after_referral,
    saved_id,
)
from mentoring.services.families.rules import CONSENT_FIELDS, CONSENT_LABELS, ENGAGEMENT_LABELS

MAX_NOTE = 500


def _check_past(field: str, on: date) -> None:
    if on > service_today():
        raise FamilyError(field, "The date must be today or in the past")


def _check_note(field: str, note: str) -> None:
    if len(note.strip()) > MAX_NOTE:
        raise FamilyError(field, f"Enter {MAX_NOTE} characters or fewer")


def record_consent(
    *,
    session: Session,
    user: Viewer,
    family: Family,
    kind: FamilyEventKind,
    given: bool,
    on: date | None,
    reason: str = "",
    check_only: bool = False,
) -> bool:
    """Record consent given or withdrawn (with date and who); return whether anything changed.

    With ``check_only`` nothing is written: the checks run (raising `FamilyError`), so a
    form recording both consents can check both before saving either.
    """
    check_scope(user, family)
    if kind not in CONSENT_FIELDS:
        raise ValueError(f"not a consent: {kind}")
    name = CONSENT_FIELDS[kind]
    label = CONSENT_LABELS[kind]
    current = bool(getattr(family, name))
    if not given and not current:
        return False
    if on is None:
        what = "given" if given else "withdrawn"
        raise FamilyError(f"{name}_on", f"Enter the date {label} was {what}")
    _check_past(f"{name}_on", on)
    given_on = getattr(family, f"{name}_on")
    if not given and current and given_on is not None and on < given_on:
        raise FamilyError(
            f"{name}_on",
            f"The date {label} was withdrawn must be on or after the date it was given "
            f"({long_date(given_on)})",
        )
    _check_note(f"{name}_reason", reason)
    if given == current and given_on == on:
        return False
    if check_only:
        return True
    with write_transaction(session):
        setattr(family, name, given)
        setattr(family, f"{name}_on", on)
        setattr(family, f"{name}_by_id", user.id)
        family.updated_at = utcnow()
        session.add(family)
        session.add(
            FamilyEvent(
                family_id=saved_id(family),
                kind=kind.value,
                value="given" if given else "withdrawn",
                happened_on=on,
                reason=reason.strip() or ("Date corrected" if given == current else ""),
                recorded_by_id=user.id,
            )
        )
        audit_family(session=session, family=family, action="consent", fields=[name])
        if not given:
            end_for_withdrawn_consent(session, family=family, on=on, actor_id=user.id)
    return True


@dataclass(frozen=True)
class ConsentChange:
    """One consent as a form records it: given or not, on which day, with a note."""

    kind: FamilyEventKind
    given: bool
    on: date | None
    reason: str = ""


@dataclass(frozen=True)
class ConsentResult:
    """What recording a family's consents did."""

    changed: list[str]
    ended: int


def record_consents(
    *, session: Session, user: Viewer, family: Family, changes: Sequence[ConsentChange]
) -> ConsentResult:
    """Record several consents at once: every one is checked before any is saved.

    Returns the consents that changed and how many matches ended because consent was
    withdrawn.
    """
    held_before = len(held_matches(session=session, family_id=saved_id(family)))
    changed: list[str] = []
    for check_only in (True, False):
        for change in changes:
            done = record_consent(
                session=session,
                user=user,
                family=family,
                kind=change.kind,
                given=change.given,
                on=change.on,
                reason=change.reason,
                check_only=check_only,
            )
            if done and not check_only:
                changed.append(CONSENT_FIELDS[change.kind])
    ended = held_before - len(held_matches(session=session, family_id=saved_id(family)))
    return ConsentResult(changed=changed, ended=ended)


def change_engagement(
    *,
    session: Session,
    user: Viewer,
    family: Family,
    to: Engagement,
    on: date | None,
    reason: str = "",
) -> None:
    """Move a family's engagement (a declined family may re-engage; exited is final)."""
    check_scope(user, family)
    current = family.engagement
    if current == Engagement.EXITED.value:
        raise FamilyError(
            "engagement",
            "This family has exited the programme. If they are referred again, "
            "add a new referral linked to this one",
        )
    if to.value == current:
        raise FamilyError(
            "engagement", f"The family is already {ENGAGEMENT_LABELS[current].lower()}"
        )
    if on is None:
        raise FamilyError("on", "Enter the date of the change")
    _check_past("on", on)
    if on < family.referred_on:
        raise FamilyError("on", on_or_after_referral(family))
    _check_note("reason", reason)
    if to in (Engagement.DECLINED, Engagement.EXITED):
        held = held_matches(session=session, family_id=saved_id(family))
        if held:
            refs = ", ".join(mentor.reference for _m, mentor in held)
            raise FamilyError(
                "engagement",
                f"End the family's match with {refs} first: a mentor is still working with "
                "them (see Matches)",
            )
    with write_transaction(session):
        family.engagement = to.value
        family.engagement_changed_on = on
        if to == Engagement.EXITED:
            family.exited_on = on
        family.updated_at = utcnow()
        session.add(family)
        session.add(
            FamilyEvent(
                family_id=saved_id(family),
                kind=FamilyEventKind.ENGAGEMENT.value,
                value=to.value,
                happened_on=on,
                reason=reason.strip(),
                recorded_by_id=user.id,
            )
        )
        audit_family(
            session=session,
            family=family,
            action="engagement",
            fields=["engagement"] + (["exited_on"] if to == Engagement.EXITED else []),
            re_engaged=current == Engagement.DECLINED.value,
        )
