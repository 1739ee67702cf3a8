"""The family record: references, adding and changing a family, its criteria and its results.

Every change runs in one unit of work (`write_transaction`), is audited with field names
(never values), and checks the user may see the family's district.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mentoring import audit
from mentoring.db import write_transaction
from mentoring.exceptions import FamilyError, NotFound
from mentoring.models import (
    Criterion,
    District,
    Engagement,
    Family,
    FamilyCriterion,
    FamilyEvent,
    FamilyEventKind,
    FamilyOutcome,
    Match,
    Mentor,
    Outcome,
    service_today,
    utcnow,
)
from mentoring.services.common.dates import long_date
from mentoring.services.common.holding import HOLDING
from mentoring.services.common.locks import lock
from mentoring.services.common.scope import Viewer, can_see_district
from mentoring.services.families.details import (
    FamilyDetails,
    apply_details,
    set_needs,
    validate_details,
)
from mentoring.services.families.rules import (
    CRITERION_ORDER,
    OUTCOME_ORDER,
    Eligibility,
    assess_eligibility,
    phase2_min_criteria,
)


def saved_id(family: Family) -> int:
    """Return a saved family's id (rows are flushed before their children are added)."""
    if family.id is None:
        raise ValueError("the family has not been saved yet")
    return family.id


def check_scope(user: Viewer, family: Family) -> None:
    """Raise `NotFound` unless the user may see the family's district."""
    if not can_see_district(user, family.district_id):
        raise NotFound("Page not found")


def audit_family(*, session: Session, family: Family, action: str, **details: Any) -> None:
    """Add the audit event of a change to a family (committed with the change)."""
    audit.record(
        session,
        f"family.{action}",
        object_type="family",
        object_id=family.id,
        district_id=family.district_id,
        reference=family.reference,
        **details,
    )


def find_visible_by_reference(*, session: Session, user: Viewer, reference: str) -> Family | None:
    """Find a family by its reference among those the user may see."""
    cleaned = reference.strip().upper()
    if not cleaned:
        return None
    family = session.exec(select(Family).where(col(Family.reference) == cleaned)).first()
    if family is None or not can_see_district(user, family.district_id):
        return None
    return family


# ---------------------------------------------------------------------------
# References
# ---------------------------------------------------------------------------


def allocate_reference(*, session: Session, district_id: int) -> tuple[str, int]:
    """Take the district's next family number and reference (e.g. DAR-0042).

    Call inside ``write_transaction``: the district row is locked (FOR UPDATE on
    PostgreSQL; SQLite's BEGIN IMMEDIATE holds the write lock), so two families made at
    the same time never get the same number.
    """
    district = lock(session, District, district_id)
    if district is None:
        raise FamilyError("district", "Choose a district")
    number = district.next_family_number
    highest = session.exec(
        select(sa.func.max(Family.number)).where(col(Family.district_id) == district_id)
    ).one()
    if highest is not None and highest >= number:
        number = highest + 1
    reference = f"{district.code}-{number:04d}"
    # A district whose code changed may meet its old references: skip those numbers.
    while session.exec(select(Family.id).where(col(Family.reference) == reference)).first():
        number += 1
        reference = f"{district.code}-{number:04d}"
    district.next_family_number = number + 1
    session.add(district)
    session.flush()
    return reference, number


def next_reference(*, session: Session, district_id: int) -> str:
    """Return the district's next family reference, taking it (see `allocate_reference`)."""
    return allocate_reference(session=session, district_id=district_id)[0]


# ---------------------------------------------------------------------------
# Adding and changing a family
# ---------------------------------------------------------------------------


def create_family(
    *,
    session: Session,
    user: Viewer,
    district_id: int,
    details: FamilyDetails,
    previous_reference: str = "",
    source: str = "form",
) -> Family:
    """Add a family to a district with a new reference; one transaction."""
    if not can_see_district(user, district_id):
        raise FamilyError("district", "Choose one of your districts")
    validate_details(session=session, details=details)
    previous_id = None
    if previous_reference.strip():
        previous = find_visible_by_reference(
            session=session, user=user, reference=previous_reference
        )
        if previous is None:
            raise FamilyError(
                "previous_reference",
                f"There is no family with reference {previous_reference.strip().upper()} "
                "in your districts",
            )
        previous_id = previous.id
    with write_transaction(session):
        family = new_family(
            session=session, user=user, district_id=district_id, details=details, source=source
        )
        family.previous_family_id = previous_id
        session.flush()
    return family


def new_family(
    *, session: Session, user: Viewer, district_id: int, details: FamilyDetails, source: str
) -> Family:
    """Make the family row inside the caller's write transaction (details already checked)."""
    reference, number = allocate_reference(session=session, district_id=district_id)
    family = Family(
        reference=reference,
        district_id=district_id,
        number=number,
        referred_on=details.referred_on,
        engagement_changed_on=details.referred_on,
    )
    apply_details(family, details)
    session.add(family)
    session.flush()
    set_needs(session=session, family_id=saved_id(family), codes=details.need_codes)
    session.add(
        FamilyEvent(
            family_id=saved_id(family),
            kind=FamilyEventKind.ENGAGEMENT.value,
            value=Engagement.IDENTIFIED.value,
            happened_on=details.referred_on,
            reason="Referred",
            recorded_by_id=user.id,
        )
    )
    audit_family(session=session, family=family, action="create", source=source)
    return family


def update_family(
    *, session: Session, user: Viewer, family: Family, details: FamilyDetails
) -> list[str]:
    """Change a family's details; return the names of the fields that changed."""
    check_scope(user, family)
    validate_details(session=session, details=details)
    with write_transaction(session):
        changed = apply_details(family, details)
        if set_needs(session=session, family_id=saved_id(family), codes=details.need_codes):
            changed.append("needs")
        if changed:
            family.updated_at = utcnow()
            session.add(family)
            audit_family(session=session, family=family, action="update", fields=changed)
    return changed


# ---------------------------------------------------------------------------
# Criteria (eligibility)
# ---------------------------------------------------------------------------


def family_criteria(*, session: Session, family_id: int) -> list[FamilyCriterion]:
    """Return the criteria a family meets, in the programme's order."""
    rows = session.exec(
        select(FamilyCriterion).where(col(FamilyCriterion.family_id) == family_id)
    ).all()
    return sorted(rows, key=lambda r: CRITERION_ORDER.get(r.criterion, 99))


def _checked_evidence(
    evidence: dict[str, tuple[date | None, str]],
) -> dict[str, tuple[date, str]]:
    """Check each criterion's evidence date and source; return them cleaned."""
    unknown = set(evidence) - set(Criterion.values())
    if unknown:
        raise FamilyError("criteria", "Choose criteria from the list")
    checked: dict[str, tuple[date, str]] = {}
    for code, (on, source) in evidence.items():
        label = Criterion(code).label.lower()
        if on is None:
            raise FamilyError(f"{code}_date", f"Enter the date of the evidence for {label}")
        if on > service_today():
            raise FamilyError(f"{code}_date", "The date of the evidence must be in the past")
        if not source.strip():
            raise FamilyError(f"{code}_source", f"Enter where the evidence for {label} came from")
        if len(source.strip()) > 200:
            raise FamilyError(f"{code}_source", "Enter 200 characters or fewer")
        checked[code] = (on, source.strip())
    return checked


def record_criteria(
    *,
    session: Session,
    user: Viewer,
    family: Family,
    phase: int,
    evidence: dict[str, tuple[date | None, str]],
    discretion_reason: str,
) -> Eligibility:
    """Replace the criteria a family meets (each with evidence date and source)."""
    check_scope(user, family)
    if phase not in (1, 2):
        raise FamilyError("programme_phase", "Choose phase 1 or phase 2")
    checked = _checked_evidence(evidence)
    reason = discretion_reason.strip()
    if len(reason) > 1000:
        raise FamilyError("discretion_reason", "Enter 1000 characters or fewer")
    result = assess_eligibility(
        criteria=set(checked),
        phase=phase,
        discretion_reason=reason,
        phase2_min_criteria=phase2_min_criteria(),
    )
    with write_transaction(session):
        existing = {
            r.criterion: r for r in family_criteria(session=session, family_id=saved_id(family))
        }
        changed: list[str] = []
        for code, row in existing.items():
            if code not in checked:
                session.delete(row)
                changed.append("criteria")
        for code, (on, source) in checked.items():
            found = existing.get(code)
            if found is None:
                session.add(
                    FamilyCriterion(
                        family_id=saved_id(family),
                        criterion=code,
                        evidence_date=on,
                        evidence_source=source,
                        recorded_by_id=user.id,
                    )
                )
                changed.append("criteria")
            elif found.evidence_date != on or found.evidence_source != source:
                found.evidence_date = on
                found.evidence_source = source
                found.recorded_by_id = user.id
                found.recorded_at = utcnow()
                session.add(found)
                changed.append("evidence")
        if family.programme_phase != phase:
            family.programme_phase = phase
            changed.append("programme_phase")
        if family.discretion_reason != reason:
            family.discretion_reason = reason
            changed.append("discretion_reason")
        if changed:
            family.updated_at = utcnow()
            session.add(family)
            audit_family(
                session=session, family=family, action="criteria", fields=sorted(set(changed))
            )
    return result


# ---------------------------------------------------------------------------
# Results (outcomes)
# ---------------------------------------------------------------------------


def family_outcomes(*, session: Session, family_id: int) -> list[FamilyOutcome]:
    """Return the results recorded for a family, in the programme's order."""
    rows = session.exec(
        select(FamilyOutcome).where(col(FamilyOutcome.family_id) == family_id)
    ).all()
    return sorted(rows, key=lambda r: OUTCOME_ORDER.get(r.outcome, 99))


def _outcome_row(session: Session, family: Family, outcome: str) -> FamilyOutcome | None:
    return session.exec(
        select(FamilyOutcome).where(
            col(FamilyOutcome.family_id) == family.id, col(FamilyOutcome.outcome) == outcome
        )
    ).first()


def record_outcome(
    *,
    session: Session,
    user: Viewer,
    family: Family,
    outcome: str,
    achieved_on: date | None,
    evidence: str,
) -> FamilyOutcome:
    """Record (or correct) a result the programme pays for, with its date and evidence."""
    check_scope(user, family)
    if outcome not in set(Outcome.values()):
        raise FamilyError("outcome", "Choose a result from the list")
    if achieved_on is None:
        raise FamilyError("achieved_on", "Enter the date the result was achieved")
    if achieved_on > service_today():
        raise FamilyError("achieved_on", "The date must be today or in the past")
    if achieved_on < family.referred_on:
        raise FamilyError("achieved_on", on_or_after_referral(family))
    cleaned = evidence.strip()
    if not cleaned:
        raise FamilyError("evidence", "Enter the evidence for the result")
    if len(cleaned) > 500:
        raise FamilyError("evidence", "Enter 500 characters or fewer")
    with write_transaction(session):
        row = _outcome_row(session, family, outcome)
        if row is None:
            row = FamilyOutcome(
                family_id=saved_id(family),
                outcome=outcome,
                achieved_on=achieved_on,
                evidence=cleaned,
            )
        row.achieved_on = achieved_on
        row.evidence = cleaned
        row.recorded_by_id = user.id
        row.recorded_at = utcnow()
        session.add(row)
        family.updated_at = utcnow()
        session.add(family)
        audit_family(session=session, family=family, action="outcome", fields=["outcomes"])
    return row


def remove_outcome(*, session: Session, user: Viewer, family: Family, outcome: str) -> bool:
    """Remove a result recorded in error; return whether there was one."""
    check_scope(user, family)
    with write_transaction(session):
        row = _outcome_row(session, family, outcome)
        if row is None:
            return False
        session.delete(row)
        audit_family(session=session, family=family, action="outcome_removed", fields=["outcomes"])
    return True


def on_or_after_referral(family: Family) -> str:
    """The message for a date before the family's referral."""
    return f"The date must be on or after the referral ({long_date(family.referred_on)})"


# ---------------------------------------------------------------------------
# Matches holding the family's slots
# ---------------------------------------------------------------------------


def held_matches(*, session: Session, family_id: int) -> list[tuple[Match, Mentor]]:
    """Return the matches holding a family's slots (approved, accepted or active)."""
    rows = session.exec(
        select(Match, Mentor)
        .join(Mentor, col(Mentor.id) == col(Match.mentor_id))
        .where(col(Match.family_id) == family_id, col(Match.status).in_(HOLDING))
    ).all()
    return [(match, mentor) for match, mentor in rows]
