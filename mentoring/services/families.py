"""Families: the programme's rules, readiness for matching, and the family record.

The rules, as this service applies them (tests in ``tests/test_eligibility.py``):

Eligibility (``assess_eligibility``, pure)
  Phase 1 counts three criteria: crime or anti-social behaviour; education (exclusion,
  or more than 3 unauthorised absences in a year); worklessness. All three: the family
  must be included. Two of three: included only with a recorded local-discretion reason
  (the family is also a concern to the council or partners). Fewer: not eligible.
  Phase-2 criteria recorded for a phase-1 family do not count.
  Phase 2 counts the six headline problems (adding domestic abuse, health, and children
  who need help or protection); a family is eligible with at least N of them. N is the
  setting ``FAMILY_PHASE2_MIN_CRITERIA`` (default 2, the national rule).

Turned around (``assess_turned_around``, pure)
  Each problem has the result that addresses it: crime or anti-social behaviour by
  offending stopped; education by school attendance restored; worklessness by an adult
  into work or on a pathway to work; domestic abuse by abuse reduced; health by health
  problems addressed; children by no longer needing help or protection.
  Phase 1: turned around when every phase-1 problem the family has is addressed.
  Phase 2: when every headline problem the family has is addressed, or an adult has
  moved into work (the national continuous-employment result).
  A family with no recorded criteria is never turned around.

Ready for matching (``matching_ready_family_ids``)
  Eligible; consent to mentoring AND to information sharing given; engagement
  "engaged" and no exit date; mentoring offered, which is tranche 3 by default unless the
  coordinator offers it to another tranche or withholds it (``Family.mentoring_offered``).
  A family whose mentor slot is held stays ready (its role model slot may still be open);
  the matching service knows which slots are held.

Days waiting: from consent to mentoring (when given) or else referral, to the day asked.
Tracking: a family is tracked for 12 months after exit; a new referral links the
earlier record (``Family.previous_family_id``).
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlmodel import Session, col, select

from mentoring import audit
from mentoring.db import write_transaction
from mentoring.exceptions import FamilyError, NotFound, OutOfScope
from mentoring.models import (
    PHASE1_CRITERIA,
    SLOT_HOLDING_STATUSES,
    Availability,
    Criterion,
    District,
    Engagement,
    Family,
    FamilyCriterion,
    FamilyEvent,
    FamilyEventKind,
    FamilyNeed,
    FamilyOutcome,
    Gender,
    Match,
    Mentor,
    Need,
    Outcome,
    Slot,
    Tranche,
    User,
    service_today,
    utcnow,
)
from mentoring.services.common.dates import add_months
from mentoring.services.common.endings import end_for_withdrawn_consent
from mentoring.services.common.scope import (
    can_see_district,
    load_visible,
    visible_district_ids,
)

PHASE2_SETTING = "FAMILY_PHASE2_MIN_CRITERIA"
PHASE2_MIN_CRITERIA_DEFAULT = 2
MENTORING_TRANCHE = int(Tranche.CHAOTIC)
TRACKING_MONTHS = 12
HOLDING = [s.value for s in SLOT_HOLDING_STATUSES]

# The results that address each problem.
RESULTS_FOR: dict[Criterion, frozenset[str]] = {
    Criterion.CRIME_ASB: frozenset({Outcome.OFFENDING_STOPPED.value}),
    Criterion.EDUCATION: frozenset({Outcome.SCHOOL_ATTENDANCE.value}),
    Criterion.WORKLESSNESS: frozenset({Outcome.INTO_WORK.value, Outcome.WORK_PATHWAY.value}),
    Criterion.DOMESTIC_ABUSE: frozenset({Outcome.DOMESTIC_ABUSE_REDUCED.value}),
    Criterion.HEALTH: frozenset({Outcome.HEALTH_IMPROVED.value}),
    Criterion.CHILDREN_NEED_HELP: frozenset({Outcome.CHILDREN_SAFER.value}),
}

TRANCHE_LABELS = {
    1: "1: complex problems",
    2: "2: more manageable problems",
    3: "3: chaotic lifestyle or lack of direction",
}
ENGAGEMENT_LABELS = {
    Engagement.IDENTIFIED.value: "Identified",
    Engagement.CONTACTED.value: "Contacted",
    Engagement.ENGAGED.value: "Engaged",
    Engagement.DECLINED.value: "Declined",
    Engagement.EXITED.value: "Exited",
}


# ---------------------------------------------------------------------------
# The programme's rules (pure)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    """Whether a family is eligible, by which rule, and why (for people to read)."""

    eligible: bool
    rule: str
    reasons: list[str]


def assess_eligibility(
    *,
    criteria: set[str],
    phase: int,
    discretion_reason: str,
    phase2_min_criteria: int = PHASE2_MIN_CRITERIA_DEFAULT,
) -> Eligibility:
    """Apply the programme's identification rules to the criteria a family meets."""
    unknown = set(criteria) - set(Criterion.values())
    if unknown:
        raise ValueError(f"unknown criteria: {', '.join(sorted(unknown))}")
    if phase not in (1, 2):
        raise ValueError(f"the programme phase is 1 or 2, not {phase!r}")
    if not 1 <= phase2_min_criteria <= len(Criterion):
        raise ValueError(f"the phase 2 minimum is between 1 and {len(Criterion)}")
    if phase == 2:
        met = [c for c in Criterion if c.value in criteria]
        counted = f"{len(met)} of the six headline problems (at least {phase2_min_criteria} needed)"
        if len(met) >= phase2_min_criteria:
            return Eligibility(True, "phase2_enough", [f"Has {counted}"])
        return Eligibility(False, "phase2_too_few", [f"Has only {counted}"])

    met = [c for c in PHASE1_CRITERIA if c.value in criteria]
    notes = [
        f"{c.label} is a phase 2 criterion and does not count in phase 1"
        for c in Criterion
        if c not in PHASE1_CRITERIA and c.value in criteria
    ]
    if len(met) == 3:
        return Eligibility(
            True,
            "phase1_all_three",
            ["Meets all three phase 1 criteria: the family must be included", *notes],
        )
    if len(met) == 2:
        missing = next(c for c in PHASE1_CRITERIA if c not in met)
        if discretion_reason.strip():
            return Eligibility(
                True,
                "phase1_two_with_discretion",
                [
                    f"Meets two of the three phase 1 criteria (not {missing.label.lower()}) "
                    "and is included at local discretion",
                    *notes,
                ],
            )
        return Eligibility(
            False,
            "phase1_two_needs_discretion",
            [
                "Meets two of the three phase 1 criteria: to include the family, record why "
                "it is also a concern to the council or partners (local discretion)",
                *notes,
            ],
        )
    return Eligibility(
        False,
        "phase1_too_few",
        [f"Meets {len(met)} of the three phase 1 criteria: at least two are needed", *notes],
    )


def phase2_min_criteria() -> int:
    """Return the configured phase 2 minimum (``FAMILY_PHASE2_MIN_CRITERIA``, default 2)."""
    value: Any = PHASE2_MIN_CRITERIA_DEFAULT
    if has_app_context():
        value = current_app.config.get(PHASE2_SETTING, PHASE2_MIN_CRITERIA_DEFAULT)
    number = int(value)
    if not 1 <= number <= len(Criterion):
        raise ValueError(f"{PHASE2_SETTING} must be between 1 and {len(Criterion)}")
    return number


@dataclass(frozen=True)
class TurnedAround:
    """Whether the family is turned around, and which of its problems are (not) addressed."""

    achieved: bool
    addressed: list[str]
    outstanding: list[str]


def assess_turned_around(*, criteria: set[str], outcomes: set[str], phase: int) -> TurnedAround:
    """Apply the programme's results rule (see the module docstring)."""
    counted = PHASE1_CRITERIA if phase == 1 else tuple(Criterion)
    problems = [c for c in counted if c.value in criteria]
    addressed = [c.label for c in problems if RESULTS_FOR[c] & outcomes]
    outstanding = [c.label for c in problems if not RESULTS_FOR[c] & outcomes]
    if not problems:
        return TurnedAround(False, [], [])
    achieved = not outstanding or (phase == 2 and Outcome.INTO_WORK.value in outcomes)
    return TurnedAround(achieved, addressed, outstanding)


def tracking_until(exited_on: date | None) -> date | None:
    """Return the last day a family is tracked after exit (12 months), or None."""
    return add_months(exited_on, TRACKING_MONTHS) if exited_on else None


def mentoring_is_offered(family: Family) -> bool:
    """Tell whether volunteer mentoring is offered: tranche 3, unless the coordinator decided."""
    if family.mentoring_offered is not None:
        return bool(family.mentoring_offered)
    return family.tranche == MENTORING_TRANCHE


def family_days_waiting(family: Family, on: date) -> int:
    """Return the days from consent to mentoring (or else referral) to ``on``."""
    start = (
        family.consent_mentoring_on
        if family.consent_mentoring and family.consent_mentoring_on
        else family.referred_on
    )
    return max(0, (on - start).days)


def readiness_problems(*, family: Family, criteria: set[str], phase2_min: int) -> list[str]:
    """Say why a family may not be matched yet (empty: ready). Agrees with the SQL rule."""
    problems: list[str] = []
    eligibility = assess_eligibility(
        criteria=criteria,
        phase=family.programme_phase,
        discretion_reason=family.discretion_reason,
        phase2_min_criteria=phase2_min,
    )
    if not eligibility.eligible:
        problems.append(f"Not eligible: {eligibility.reasons[0]}")
    if not family.consent_mentoring:
        problems.append("No consent to mentoring")
    if not family.consent_sharing:
        problems.append("No consent to information sharing")
    if family.engagement != Engagement.ENGAGED.value or family.exited_on is not None:
        label = ENGAGEMENT_LABELS.get(family.engagement, family.engagement).lower()
        problems.append(f"The family is {label}, not engaged")
    if not mentoring_is_offered(family):
        if family.mentoring_offered is False:
            problems.append("Volunteer mentoring is not offered to this family")
        elif family.tranche is None:
            problems.append("No tranche set: volunteer mentoring is offered to tranche 3")
        else:
            problems.append(
                f"Tranche {family.tranche}: volunteer mentoring is offered to tranche 3 "
                "unless you offer it to this family"
            )
    return problems


# ---------------------------------------------------------------------------
# The same rules in SQL, for lists and matching (a bounded number of queries)
# ---------------------------------------------------------------------------


def _criteria_count(codes: Iterable[str] | None = None) -> Any:
    query = (
        select(sa.func.count())
        .select_from(FamilyCriterion)
        .where(FamilyCriterion.family_id == Family.id)
    )
    if codes is not None:
        query = query.where(col(FamilyCriterion.criterion).in_(list(codes)))
    return query.scalar_subquery()


def eligible_clause(phase2_min: int) -> Any:
    """SQL: the family is eligible (``assess_eligibility``)."""
    phase1 = _criteria_count(c.value for c in PHASE1_CRITERIA)
    return sa.or_(
        sa.and_(
            Family.programme_phase == 1,
            sa.or_(
                phase1 == 3,
                sa.and_(phase1 == 2, sa.func.trim(Family.discretion_reason) != ""),
            ),
        ),
        sa.and_(Family.programme_phase == 2, _criteria_count() >= phase2_min),
    )


def offered_clause() -> Any:
    """SQL: volunteer mentoring is offered (``mentoring_is_offered``)."""
    return sa.or_(
        col(Family.mentoring_offered).is_(True),
        sa.and_(
            col(Family.mentoring_offered).is_(None),
            Family.tranche == MENTORING_TRANCHE,
        ),
    )


def ready_clause(phase2_min: int) -> Any:
    """SQL: the family may be matched (``readiness_problems`` is empty)."""
    return sa.and_(
        col(Family.consent_mentoring).is_(True),
        col(Family.consent_sharing).is_(True),
        Family.engagement == Engagement.ENGAGED.value,
        col(Family.exited_on).is_(None),
        offered_clause(),
        eligible_clause(phase2_min),
    )


def matched_clause() -> Any:
    """SQL: a match that is approved, accepted or active holds the family's mentor slot."""
    return (
        sa.exists()
        .where(
            Match.family_id == Family.id,
            Match.slot == Slot.MENTOR.value,
            col(Match.status).in_(HOLDING),
        )
        .correlate(Family)
    )


def waiting_since() -> Any:
    """SQL: the day waiting starts (``family_days_waiting``)."""
    return sa.case(
        (
            sa.and_(
                col(Family.consent_mentoring).is_(True),
                col(Family.consent_mentoring_on).is_not(None),
            ),
            Family.consent_mentoring_on,
        ),
        else_=Family.referred_on,
    )


def matching_ready_family_ids(*, session: Session, district_ids: set[int]) -> set[int]:
    """Return the ids of the families of these districts that may be matched (one query)."""
    if not district_ids:
        return set()
    rows = session.exec(
        select(Family.id).where(
            col(Family.district_id).in_(sorted(district_ids)),
            ready_clause(phase2_min_criteria()),
        )
    ).all()
    return {r for r in rows if r is not None}


# ---------------------------------------------------------------------------
# Scope: the one loader every family page uses
# ---------------------------------------------------------------------------


def visible_family_or_404(*, session: Session, family_id: int, user: Any) -> Family:
    """Load a family the user may see; forbidden and missing both raise `NotFound`."""
    return load_visible(Family, family_id, user, session=session)


def find_visible_by_reference(*, session: Session, user: Any, reference: str) -> Family | None:
    """Find a family by its reference among those the user may see."""
    cleaned = reference.strip().upper()
    if not cleaned:
        return None
    family = session.exec(select(Family).where(Family.reference == cleaned)).first()
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
    district = session.exec(
        select(District)
        .where(District.id == district_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if district is None:
        raise FamilyError("district", "Choose a district")
    number = district.next_family_number
    highest = session.exec(
        select(sa.func.max(Family.number)).where(Family.district_id == district_id)
    ).one()
    if highest is not None and highest >= number:
        number = highest + 1
    reference = f"{district.code}-{number:04d}"
    # A district whose code changed may meet its old references: skip those numbers.
    while session.exec(select(Family.id).where(Family.reference == reference)).first():
        number += 1
        reference = f"{district.code}-{number:04d}"
    district.next_family_number = number + 1
    session.add(district)
    session.flush()
    return reference, number


def next_reference(*, session: Session, district_id: int) -> str:
    """Return the district's next family reference, taking it (see ``allocate_reference``)."""
    return allocate_reference(session=session, district_id=district_id)[0]


# ---------------------------------------------------------------------------
# The family record
# ---------------------------------------------------------------------------


@dataclass
class FamilyDetails:
    """What a coordinator records about a family (besides criteria, consent and outcomes)."""

    referred_on: date
    tranche: int | None = None
    mentoring_offered: bool | None = None
    key_worker_name: str = ""
    key_worker_agency: str = ""
    key_worker_contact: str = ""
    shared_first_names: str = ""
    adults: int = 1
    children_0_4: int = 0
    children_5_10: int = 0
    children_11_15: int = 0
    children_16_18: int = 0
    languages: list[str] = field(default_factory=list)
    availability: list[str] = field(default_factory=list)
    need_codes: list[str] = field(default_factory=list)
    wants_role_model: bool = False
    gender_preference: str | None = None
    gender_required: bool = False
    language_preference: str | None = None
    language_required: bool = False
    risk_domestic_abuse: bool = False
    risk_no_lone_visits: bool = False
    safety_notes: str = ""
    agreed_goals: str = ""

    @classmethod
    def of(cls, family: Family, need_codes: list[str]) -> FamilyDetails:
        """Return a family's current details."""
        values = {
            f: getattr(family, f) for f in cls.__dataclass_fields__ if f not in {"need_codes"}
        }
        values["languages"] = list(family.languages)
        values["availability"] = list(family.availability)
        return cls(need_codes=list(need_codes), **values)


COUNT_FIELDS = ("adults", "children_0_4", "children_5_10", "children_11_15", "children_16_18")
TEXT_LIMITS = {
    "key_worker_name": 120,
    "key_worker_agency": 120,
    "key_worker_contact": 254,
    "shared_first_names": 200,
    "safety_notes": 1000,
    "agreed_goals": 2000,
}
MAX_PEOPLE_IN_BAND = 20


def _today() -> date:
    return service_today()


def validate_details(*, session: Session, details: FamilyDetails) -> None:
    """Check a family's details; raise FamilyError for the first problem found."""
    if details.referred_on > _today():
        raise FamilyError("referred_on", "The referral date must be today or in the past")
    if details.tranche is not None and details.tranche not in (1, 2, 3):
        raise FamilyError("tranche", "Choose tranche 1, 2 or 3")
    for name in COUNT_FIELDS:
        value = getattr(details, name)
        if not isinstance(value, int) or value < 0 or value > MAX_PEOPLE_IN_BAND:
            raise FamilyError(name, f"Enter a number from 0 to {MAX_PEOPLE_IN_BAND}")
    if sum(getattr(details, name) for name in COUNT_FIELDS) == 0:
        raise FamilyError("adults", "A family has at least one person: enter the number of adults")
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(details, name)) > limit:
            raise FamilyError(name, f"Enter {limit} characters or fewer")
    if len(details.languages) > 10 or any(not 0 < len(x) <= 40 for x in details.languages):
        raise FamilyError("languages", "Choose up to 10 languages")
    unknown = set(details.availability) - set(Availability.values())
    if unknown:
        raise FamilyError("availability", "Choose when the family is available from the list")
    if details.need_codes:
        known = set(session.exec(select(Need.code)).all())
        missing = sorted(set(details.need_codes) - known)
        if missing:
            raise FamilyError("needs", f"Unknown need: {', '.join(missing)}")
    if details.gender_preference is not None and details.gender_preference not in set(
        Gender.values()
    ):
        raise FamilyError("gender_preference", "Choose a mentor gender from the list")
    if details.gender_required and not details.gender_preference:
        raise FamilyError(
            "gender_preference", "Choose the mentor's gender to make it a requirement"
        )
    if details.language_preference is not None and not (0 < len(details.language_preference) <= 40):
        raise FamilyError("language_preference", "Choose a language from the list")
    if details.language_required and not details.language_preference:
        raise FamilyError(
            "language_preference", "Choose the mentor's language to make it a requirement"
        )


def _need_ids(session: Session, codes: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    return {
        code: need_id
        for code, need_id in session.exec(
            select(Need.code, Need.id).where(col(Need.code).in_(wanted))
        ).all()
        if need_id is not None
    }


def family_need_codes(*, session: Session, family_id: int) -> list[str]:
    """Return the codes of a family's needs, in the taxonomy's order."""
    return list(
        session.exec(
            select(Need.code)
            .join(FamilyNeed, col(FamilyNeed.need_id) == Need.id)
            .where(FamilyNeed.family_id == family_id)
            .order_by(col(Need.sort_order), Need.name)
        ).all()
    )


def _apply_details(family: Family, details: FamilyDetails) -> list[str]:
    """Copy details onto the family row; return the names of the fields that changed."""
    changed = []
    for name in FamilyDetails.__dataclass_fields__:
        if name == "need_codes":
            continue
        value = getattr(details, name)
        if name in {"languages", "availability"}:
            value = list(value)
        if name in TEXT_LIMITS:
            value = value.strip()
        if getattr(family, name) != value:
            setattr(family, name, value)
            changed.append(name)
    if not family.gender_preference:
        family.gender_required = False
    if not family.language_preference:
        family.language_required = False
    return changed


def _set_needs(session: Session, family: Family, codes: list[str]) -> bool:
    assert family.id is not None  # noqa: S101 - flushed
    wanted = _need_ids(session, codes)
    current = set(
        session.exec(select(FamilyNeed.need_id).where(FamilyNeed.family_id == family.id)).all()
    )
    target = set(wanted.values())
    if current == target:
        return False
    for need_id in current - target:
        row = session.get(FamilyNeed, (family.id, need_id))
        if row is not None:
            session.delete(row)
    for need_id in target - current:
        session.add(FamilyNeed(family_id=family.id, need_id=need_id))
    return True


def _audit(session: Session, family: Family, action: str, **details: Any) -> None:
    audit.record(
        session,
        f"family.{action}",
        object_type="family",
        object_id=family.id,
        district_id=family.district_id,
        reference=family.reference,
        **details,
    )


def create_family(
    *,
    session: Session,
    user: Any,
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
        family = _new_family(
            session, user=user, district_id=district_id, details=details, source=source
        )
        family.previous_family_id = previous_id
        session.flush()
    return family


def _new_family(
    session: Session, *, user: Any, district_id: int, details: FamilyDetails, source: str
) -> Family:
    """Make the family row inside the caller's write transaction."""
    reference, number = allocate_reference(session=session, district_id=district_id)
    family = Family(
        reference=reference,
        district_id=district_id,
        number=number,
        referred_on=details.referred_on,
        engagement_changed_on=details.referred_on,
    )
    _apply_details(family, details)
    session.add(family)
    session.flush()
    _set_needs(session, family, details.need_codes)
    session.add(
        FamilyEvent(
            family_id=family.id,  # type: ignore[arg-type]
            kind=FamilyEventKind.ENGAGEMENT.value,
            value=Engagement.IDENTIFIED.value,
            happened_on=details.referred_on,
            reason="Referred",
            recorded_by_id=getattr(user, "id", None),
        )
    )
    _audit(session, family, "create", source=source)
    return family


def update_family(
    *, session: Session, user: Any, family: Family, details: FamilyDetails
) -> list[str]:
    """Change a family's details; return the names of the fields that changed."""
    if not can_see_district(user, family.district_id):
        raise NotFound("Page not found")
    validate_details(session=session, details=details)
    with write_transaction(session):
        changed = _apply_details(family, details)
        if _set_needs(session, family, details.need_codes):
            changed.append("needs")
        if changed:
            family.updated_at = utcnow()
            session.add(family)
            _audit(session, family, "update", fields=changed)
    return changed


def family_criteria(*, session: Session, family_id: int) -> list[FamilyCriterion]:
    """Return the criteria a family meets, in the programme's order."""
    rows = session.exec(select(FamilyCriterion).where(FamilyCriterion.family_id == family_id)).all()
    order = {c.value: i for i, c in enumerate(Criterion)}
    return sorted(rows, key=lambda r: order.get(r.criterion, 99))


def record_criteria(
    *,
    session: Session,
    user: Any,
    family: Family,
    phase: int,
    evidence: dict[str, tuple[date | None, str]],
    discretion_reason: str,
) -> Eligibility:
    """Replace the criteria a family meets (each with evidence date and source)."""
    if not can_see_district(user, family.district_id):
        raise NotFound("Page not found")
    if phase not in (1, 2):
        raise FamilyError("programme_phase", "Choose phase 1 or phase 2")
    unknown = set(evidence) - set(Criterion.values())
    if unknown:
        raise FamilyError("criteria", "Choose criteria from the list")
    for code, (on, source) in evidence.items():
        label = Criterion(code).label.lower()
        if on is None:
            raise FamilyError(f"{code}_date", f"Enter the date of the evidence for {label}")
        if on > _today():
            raise FamilyError(f"{code}_date", "The date of the evidence must be in the past")
        if not source.strip():
            raise FamilyError(f"{code}_source", f"Enter where the evidence for {label} came from")
        if len(source.strip()) > 200:
            raise FamilyError(f"{code}_source", "Enter 200 characters or fewer")
    reason = discretion_reason.strip()
    if len(reason) > 1000:
        raise FamilyError("discretion_reason", "Enter 1000 characters or fewer")
    result = assess_eligibility(
        criteria=set(evidence),
        phase=phase,
        discretion_reason=reason,
        phase2_min_criteria=phase2_min_criteria(),
    )
    actor_id = getattr(user, "id", None)
    with write_transaction(session):
        existing = {
            r.criterion: r
            for r in session.exec(
                select(FamilyCriterion).where(FamilyCriterion.family_id == family.id)
            ).all()
        }
        changed: list[str] = []
        for code, row in existing.items():
            if code not in evidence:
                session.delete(row)
                changed.append("criteria")
        for code, (on, source) in evidence.items():
            row = existing.get(code)
            if row is None:
                session.add(
                    FamilyCriterion(
                        family_id=family.id,
                        criterion=code,
                        evidence_date=on,
                        evidence_source=source.strip(),
                        recorded_by_id=actor_id,
                    )
                )
                changed.append("criteria")
            elif row.evidence_date != on or row.evidence_source != source.strip():
                row.evidence_date = on  # type: ignore[assignment]
                row.evidence_source = source.strip()
                row.recorded_by_id = actor_id
                row.recorded_at = utcnow()
                session.add(row)
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
            _audit(session, family, "criteria", fields=sorted(set(changed)))
    return result


CONSENT_FIELDS = {
    FamilyEventKind.CONSENT_MENTORING: "consent_mentoring",
    FamilyEventKind.CONSENT_SHARING: "consent_sharing",
}
CONSENT_LABELS = {
    FamilyEventKind.CONSENT_MENTORING: "consent to mentoring",
    FamilyEventKind.CONSENT_SHARING: "consent to information sharing",
}


def record_consent(
    *,
    session: Session,
    user: Any,
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
    if not can_see_district(user, family.district_id):
        raise NotFound("Page not found")
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
    if on > _today():
        raise FamilyError(f"{name}_on", "The date must be today or in the past")
    given_on = getattr(family, f"{name}_on")
    if not given and current and given_on is not None and on < given_on:
        raise FamilyError(
            f"{name}_on",
            f"The date {label} was withdrawn must be on or after the date it was given "
            f"({given_on:%-d %B %Y})",
        )
    if len(reason.strip()) > 500:
        raise FamilyError(f"{name}_reason", "Enter 500 characters or fewer")
    if given == current and getattr(family, f"{name}_on") == on:
        return False
    if check_only:
        return True
    value = "given" if given else "withdrawn"
    with write_transaction(session):
        setattr(family, name, given)
        setattr(family, f"{name}_on", on)
        setattr(family, f"{name}_by_id", getattr(user, "id", None))
        family.updated_at = utcnow()
        session.add(family)
        session.add(
            FamilyEvent(
                family_id=family.id,  # type: ignore[arg-type]
                kind=kind.value,
                value=value,
                happened_on=on,
                reason=reason.strip() or ("Date corrected" if given == current else ""),
                recorded_by_id=getattr(user, "id", None),
            )
        )
        _audit(session, family, "consent", fields=[name])
        if not given:
            end_for_withdrawn_consent(
                session, family=family, on=on, actor_id=getattr(user, "id", None)
            )
    return True


def held_matches(*, session: Session, family_id: int) -> list[tuple[Match, Mentor]]:
    """Return the matches holding a family's slots (approved, accepted or active)."""
    return [
        (m, mentor)
        for m, mentor in session.exec(
            select(Match, Mentor)
            .join(Mentor, col(Mentor.id) == Match.mentor_id)
            .where(Match.family_id == family_id, col(Match.status).in_(HOLDING))
        ).all()
    ]


def change_engagement(
    *,
    session: Session,
    user: Any,
    family: Family,
    to: Engagement,
    on: date | None,
    reason: str = "",
) -> None:
    """Move a family's engagement (a declined family may re-engage; exited is final)."""
    if not can_see_district(user, family.district_id):
        raise NotFound("Page not found")
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
    if on > _today():
        raise FamilyError("on", "The date must be today or in the past")
    if on < family.referred_on:
        raise FamilyError(
            "on", f"The date must be on or after the referral ({family.referred_on:%-d %B %Y})"
        )
    if len(reason.strip()) > 500:
        raise FamilyError("reason", "Enter 500 characters or fewer")
    if to in (Engagement.DECLINED, Engagement.EXITED):
        held = held_matches(session=session, family_id=family.id)  # type: ignore[arg-type]
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
                family_id=family.id,  # type: ignore[arg-type]
                kind=FamilyEventKind.ENGAGEMENT.value,
                value=to.value,
                happened_on=on,
                reason=reason.strip(),
                recorded_by_id=getattr(user, "id", None),
            )
        )
        _audit(
            session,
            family,
            "engagement",
            fields=["engagement"] + (["exited_on"] if to == Engagement.EXITED else []),
            re_engaged=current == Engagement.DECLINED.value,
        )


def family_outcomes(*, session: Session, family_id: int) -> list[FamilyOutcome]:
    """Return the results recorded for a family, in the programme's order."""
    rows = session.exec(select(FamilyOutcome).where(FamilyOutcome.family_id == family_id)).all()
    order = {o.value: i for i, o in enumerate(Outcome)}
    return sorted(rows, key=lambda r: order.get(r.outcome, 99))


def record_outcome(
    *,
    session: Session,
    user: Any,
    family: Family,
    outcome: str,
    achieved_on: date | None,
    evidence: str,
) -> FamilyOutcome:
    """Record (or correct) a result the programme pays for, with its date and evidence."""
    if not can_see_district(user, family.district_id):
        raise NotFound("Page not found")
    if outcome not in set(Outcome.values()):
        raise FamilyError("outcome", "Choose a result from the list")
    if achieved_on is None:
        raise FamilyError("achieved_on", "Enter the date the result was achieved")
    if achieved_on > _today():
        raise FamilyError("achieved_on", "The date must be today or in the past")
    if achieved_on < family.referred_on:
        raise FamilyError(
            "achieved_on",
            f"The date must be on or after the referral ({family.referred_on:%-d %B %Y})",
        )
    cleaned = evidence.strip()
    if not cleaned:
        raise FamilyError("evidence", "Enter the evidence for the result")
    if len(cleaned) > 500:
        raise FamilyError("evidence", "Enter 500 characters or fewer")
    with write_transaction(session):
        row = session.exec(
            select(FamilyOutcome).where(
                FamilyOutcome.family_id == family.id, FamilyOutcome.outcome == outcome
            )
        ).first()
        if row is None:
            row = FamilyOutcome(
                family_id=family.id,  # type: ignore[arg-type]
                outcome=outcome,
                achieved_on=achieved_on,
                evidence=cleaned,
            )
        row.achieved_on = achieved_on
        row.evidence = cleaned
        row.recorded_by_id = getattr(user, "id", None)
        row.recorded_at = utcnow()
        session.add(row)
        family.updated_at = utcnow()
        session.add(family)
        _audit(session, family, "outcome", fields=["outcomes"])
    return row


def remove_outcome(*, session: Session, user: Any, family: Family, outcome: str) -> bool:
    """Remove a result recorded in error; return whether there was one."""
    if not can_see_district(user, family.district_id):
        raise NotFound("Page not found")
    with write_transaction(session):
        row = session.exec(
            select(FamilyOutcome).where(
                FamilyOutcome.family_id == family.id, FamilyOutcome.outcome == outcome
            )
        ).first()
        if row is None:
            return False
        session.delete(row)
        _audit(session, family, "outcome_removed", fields=["outcomes"])
    return True


def family_history(*, session: Session, family_id: int) -> list[dict[str, Any]]:
    """Return the family's consent and engagement history, newest first, with who recorded it."""
    rows = session.exec(
        select(FamilyEvent, User.name)
        .join(User, col(User.id) == FamilyEvent.recorded_by_id, isouter=True)
        .where(FamilyEvent.family_id == family_id)
        .order_by(col(FamilyEvent.happened_on).desc(), col(FamilyEvent.id).desc())
    ).all()
    out = []
    for event, name in rows:
        if event.kind == FamilyEventKind.ENGAGEMENT.value:
            what = ENGAGEMENT_LABELS.get(event.value, event.value)
        else:
            label = CONSENT_LABELS[FamilyEventKind(event.kind)]
            what = f"{label[0].upper()}{label[1:]} {event.value}"
        out.append({"event": event, "what": what, "by": name or ""})
    return out


def related_referrals(*, session: Session, family: Family, user: Any) -> dict[str, list[Family]]:
    """Return the earlier referrals of this family and the later ones, those the user may see."""
    earlier: list[Family] = []
    seen = {family.id}
    current = family
    while current.previous_family_id and current.previous_family_id not in seen:
        previous = session.get(Family, current.previous_family_id)
        if previous is None:
            break
        seen.add(previous.id)
        if can_see_district(user, previous.district_id):
            earlier.append(previous)
        current = previous
    later = [
        f
        for f in session.exec(
            select(Family).where(Family.previous_family_id == family.id).order_by(col(Family.id))
        ).all()
        if can_see_district(user, f.district_id)
    ]
    return {"earlier": earlier, "later": later}


# ---------------------------------------------------------------------------
# Lists: filters, pages and the anonymised export
# ---------------------------------------------------------------------------

MENTOR_FILTERS = {
    "waiting": "Waiting",
    "matched": "Has a mentor",
    "not_ready": "Not ready",
}


@dataclass
class FamilyFilters:
    """What a family list is narrowed to."""

    district_id: int | None = None
    tranche: int | None = None
    need: str | None = None
    engagement: str | None = None
    mentor: str | None = None
    min_days_waiting: int | None = None
    reference: str = ""
    sort: str = "reference"

    def as_args(self) -> dict[str, str]:
        """Return the filters as query-string arguments (for links and pagination)."""
        out = {
            "district": self.district_id,
            "tranche": self.tranche,
            "need": self.need,
            "engagement": self.engagement,
            "mentor": self.mentor,
            "waiting": self.min_days_waiting,
            "reference": self.reference,
            "sort": self.sort if self.sort != "reference" else None,
        }
        return {k: str(v) for k, v in out.items() if v not in (None, "")}


def _filtered(
    *, session: Session, user: Any, filters: FamilyFilters, on: date, phase2_min: int
) -> Any:
    """Return the WHERE conditions for a user's family list."""
    districts = visible_district_ids(user)
    if filters.district_id is not None:
        if filters.district_id not in districts:
            raise OutOfScope
        districts = {filters.district_id}
    conditions: list[Any] = [col(Family.district_id).in_(sorted(districts))]
    if filters.tranche is not None:
        conditions.append(Family.tranche == filters.tranche)
    if filters.engagement:
        conditions.append(Family.engagement == filters.engagement)
    if filters.need:
        conditions.append(
            sa.exists()
            .where(
                FamilyNeed.family_id == Family.id,
                FamilyNeed.need_id == Need.id,
                Need.code == filters.need,
            )
            .correlate(Family)
        )
    if filters.mentor == "matched":
        conditions.append(matched_clause())
    elif filters.mentor == "waiting":
        conditions.extend([ready_clause(phase2_min), ~matched_clause()])
    elif filters.mentor == "not_ready":
        conditions.extend([~ready_clause(phase2_min), ~matched_clause()])
    if filters.min_days_waiting is not None:
        conditions.append(waiting_since() <= on - timedelta(days=filters.min_days_waiting))
    if filters.reference.strip():
        fragment = filters.reference.strip().upper().replace("%", "").replace("_", "")
        conditions.append(col(Family.reference).like(f"%{fragment}%"))
    return conditions


@dataclass
class FamilyRow:
    """One line of a family list: pseudonymous, no names."""

    id: int
    reference: str
    district: str
    tranche: int | None
    engagement: str
    needs: list[str]
    ready: bool
    matched: bool
    days_waiting: int
    referred_on: date


@dataclass
class FamilyPage:
    rows: list[FamilyRow]
    total: int
    page: int
    pages: int
    per_page: int


def list_families(
    *,
    session: Session,
    user: Any,
    filters: FamilyFilters,
    page: int = 1,
    per_page: int = 50,
    on: date | None = None,
) -> FamilyPage:
    """Return one page of the families a user may see, filtered (a fixed number of queries)."""
    on = on or _today()
    phase2_min = phase2_min_criteria()
    conditions = _filtered(
        session=session, user=user, filters=filters, on=on, phase2_min=phase2_min
    )
    total = session.exec(select(sa.func.count()).select_from(Family).where(*conditions)).one()
    pages = max(1, -(-int(total) // per_page))
    page = min(max(1, page), pages)
    since = waiting_since()
    order: list[Any] = (
        [since.asc(), Family.reference]
        if filters.sort == "waiting"
        else [District.name, Family.number]
    )
    rows = session.exec(
        select(
            Family,
            District.name,
            ready_clause(phase2_min).label("ready"),
            matched_clause().label("matched"),
        )
        .join(District, col(District.id) == Family.district_id)
        .where(*conditions)
        .order_by(*order)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    ids = [f.id for f, *_ in rows]
    needs = _needs_by_family(session, ids)
    return FamilyPage(
        rows=[
            FamilyRow(
                id=f.id,  # type: ignore[arg-type]
                reference=f.reference,
                district=name,
                tranche=f.tranche,
                engagement=f.engagement,
                needs=needs.get(f.id, []),  # type: ignore[arg-type]
                ready=bool(ready),
                matched=bool(matched),
                days_waiting=family_days_waiting(f, on),
                referred_on=f.referred_on,
            )
            for f, name, ready, matched in rows
        ],
        total=int(total),
        page=page,
        pages=pages,
        per_page=per_page,
    )


def _needs_by_family(session: Session, family_ids: list[Any]) -> dict[int, list[str]]:
    if not family_ids:
        return {}
    out: dict[int, list[str]] = defaultdict(list)
    for fid, name in session.exec(
        select(FamilyNeed.family_id, Need.name)
        .join(Need, col(Need.id) == FamilyNeed.need_id)
        .where(col(FamilyNeed.family_id).in_(family_ids))
        .order_by(col(Need.sort_order), Need.name)
    ).all():
        out[fid].append(name)
    return out


EXPORT_HEADER = [
    "reference",
    "district",
    "programme_phase",
    "tranche",
    "mentoring_offered",
    "referred_on",
    "adults",
    "children_0_4",
    "children_5_10",
    "children_11_15",
    "children_16_18",
    "languages",
    "needs",
    "criteria",
    "eligible",
    "wants_role_model",
    "risk_domestic_abuse",
    "risk_no_lone_visits",
    "consent_mentoring",
    "consent_sharing",
    "engagement",
    "engagement_changed_on",
    "ready_for_matching",
    "has_mentor",
    "days_waiting",
    "outcomes",
    "turned_around",
    "exited_on",
    "tracked_until",
    "previous_reference",
]


def export_rows(
    *, session: Session, user: Any, filters: FamilyFilters, on: date | None = None
) -> Iterator[list[Any]]:
    """Yield the anonymised export of a user's filtered families (no names, contacts or notes).

    References are pseudonymous; key-worker details, shared first names, safety notes,
    goals, discretion reasons, evidence sources and history reasons are left out.
    """
    on = on or _today()
    phase2_min = phase2_min_criteria()
    conditions = _filtered(
        session=session, user=user, filters=filters, on=on, phase2_min=phase2_min
    )
    ids_query = select(Family.id).where(*conditions)
    codes = dict(session.exec(select(District.id, District.code)).all())
    needs: dict[int, list[str]] = defaultdict(list)
    for fid, code in session.exec(
        select(FamilyNeed.family_id, Need.code)
        .join(Need, col(Need.id) == FamilyNeed.need_id)
        .where(col(FamilyNeed.family_id).in_(ids_query))
        .order_by(col(Need.sort_order))
    ).all():
        needs[fid].append(code)
    criteria: dict[int, set[str]] = defaultdict(set)
    for fid, code in session.exec(
        select(FamilyCriterion.family_id, FamilyCriterion.criterion).where(
            col(FamilyCriterion.family_id).in_(ids_query)
        )
    ).all():
        criteria[fid].add(code)
    outcomes: dict[int, set[str]] = defaultdict(set)
    for fid, code in session.exec(
        select(FamilyOutcome.family_id, FamilyOutcome.outcome).where(
            col(FamilyOutcome.family_id).in_(ids_query)
        )
    ).all():
        outcomes[fid].add(code)
    previous = sa.orm.aliased(Family)
    # Plain columns, not ORM objects: an export of 50,000 families stays quick.
    columns = [
        getattr(Family, name)
        for name in (
            "id",
            "reference",
            "district_id",
            "programme_phase",
            "tranche",
            "mentoring_offered",
            "referred_on",
            *COUNT_FIELDS,
            "languages",
            "wants_role_model",
            "risk_domestic_abuse",
            "risk_no_lone_visits",
            "consent_mentoring",
            "consent_mentoring_on",
            "consent_sharing",
            "engagement",
            "engagement_changed_on",
            "exited_on",
        )
    ]
    rows = session.exec(
        select(
            *columns,
            eligible_clause(phase2_min).label("eligible"),
            ready_clause(phase2_min).label("ready"),
            matched_clause().label("matched"),
            previous.reference.label("previous_reference"),
        )
        .join(previous, previous.id == Family.previous_family_id, isouter=True)
        .where(*conditions)
        .order_by(col(Family.district_id), Family.number)
    ).all()
    order = {c.value: i for i, c in enumerate(Criterion)}
    outcome_order = {o.value: i for i, o in enumerate(Outcome)}
    for f in rows:
        met = criteria.get(f.id, set())
        results = outcomes.get(f.id, set())
        turned = assess_turned_around(criteria=met, outcomes=results, phase=f.programme_phase)
        until = tracking_until(f.exited_on)
        yield [
            f.reference,
            codes.get(f.district_id, ""),
            f.programme_phase,
            f.tranche or "",
            _yes_no(mentoring_is_offered(f)),  # type: ignore[arg-type]
            f.referred_on.isoformat(),
            f.adults,
            f.children_0_4,
            f.children_5_10,
            f.children_11_15,
            f.children_16_18,
            ";".join(f.languages or []),
            ";".join(needs.get(f.id, [])),
            ";".join(sorted(met, key=lambda c: order.get(c, 99))),
            _yes_no(bool(f.eligible)),
            _yes_no(f.wants_role_model),
            _yes_no(f.risk_domestic_abuse),
            _yes_no(f.risk_no_lone_visits),
            _yes_no(f.consent_mentoring),
            _yes_no(f.consent_sharing),
            f.engagement,
            f.engagement_changed_on.isoformat(),
            _yes_no(bool(f.ready)),
            _yes_no(bool(f.matched)),
            family_days_waiting(f, on),  # type: ignore[arg-type]
            ";".join(sorted(results, key=lambda o: outcome_order.get(o, 99))),
            _yes_no(turned.achieved),
            f.exited_on.isoformat() if f.exited_on else "",
            until.isoformat() if until else "",
            f.previous_reference or "",
        ]


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


# ---------------------------------------------------------------------------
# CSV import with a validation report
# ---------------------------------------------------------------------------

IMPORT_COLUMNS: dict[str, str] = {
    "district": "District code, for example DAR (required)",
    "referred_on": "Date of referral, YYYY-MM-DD or DD/MM/YYYY (blank: today)",
    "programme_phase": "1 or 2 (blank: 2)",
    "tranche": "1, 2 or 3 (blank: not yet set)",
    "mentoring_offered": "yes or no to override the tranche rule (blank: tranche 3 only)",
    "key_worker_name": "The family's lead professional or key worker",
    "key_worker_agency": "Their agency",
    "key_worker_contact": "Their email or phone",
    "shared_first_names": "First names the family agreed to share with a mentor",
    "adults": "Number of adults (blank: 1)",
    "children_0_4": "Children aged 0 to 4 (blank: 0)",
    "children_5_10": "Children aged 5 to 10",
    "children_11_15": "Children aged 11 to 15",
    "children_16_18": "Children aged 16 to 18",
    "languages": "Languages spoken, separated by ;",
    "availability": "weekday_daytime; weekday_evening; weekend",
    "needs": "Need codes separated by ; (see the needs list)",
    "criteria": "Criteria codes separated by ;",
    "evidence_date": "Date of the evidence for the criteria (required with criteria)",
    "evidence_source": "Where the evidence came from (required with criteria)",
    "discretion_reason": "Why a family meeting two of three phase 1 criteria is included",
    "wants_role_model": "yes or no",
    "gender_preference": "female, male or non_binary",
    "gender_required": "yes if the gender is a requirement, not a wish",
    "language_preference": "A language the mentor should speak",
    "language_required": "yes if the language is a requirement, not a wish",
    "risk_domestic_abuse": "yes: only a mentor trained in domestic abuse awareness",
    "risk_no_lone_visits": "yes: no lone visits",
    "consent_mentoring_on": "Date consent to mentoring was given (blank: not given)",
    "consent_sharing_on": "Date consent to information sharing was given (blank: not given)",
    "engagement": "identified, contacted, engaged or declined (blank: identified)",
    "previous_reference": "Reference of an earlier referral of this family",
}
IMPORT_EXAMPLE = {
    "district": "DAR",
    "referred_on": "2026-03-02",
    "programme_phase": "1",
    "tranche": "3",
    "adults": "1",
    "children_5_10": "2",
    "languages": "English;Polish",
    "availability": "weekday_evening",
    "needs": "school_attendance;debt_money",
    "criteria": "crime_asb;education;worklessness",
    "evidence_date": "2026-02-20",
    "evidence_source": "Police and school data",
    "wants_role_model": "no",
    "consent_mentoring_on": "2026-03-10",
    "consent_sharing_on": "2026-03-10",
    "engagement": "engaged",
}
MAX_IMPORT_ROWS = 5000
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}


@dataclass
class ImportProblem:
    """A problem with the file (row 0) or with one field of one row."""

    row: int
    column: str
    message: str


@dataclass
class ParsedFamily:
    """A valid row, ready to import."""

    row: int
    district_id: int
    details: FamilyDetails
    phase: int
    criteria: dict[str, tuple[date | None, str]]
    discretion_reason: str
    consent_mentoring_on: date | None
    consent_sharing_on: date | None
    engagement: Engagement
    previous_id: int | None


@dataclass
class ImportReport:
    """What a CSV file holds: the valid rows and the problems, by row and column."""

    valid: list[ParsedFamily] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    rows_read: int = 0
    imported: list[str] = field(default_factory=list)

    @property
    def file_problems(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.row == 0]

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems if p.row})


def import_template() -> tuple[list[str], list[str]]:
    """Return the import file's header and an example row."""
    header = list(IMPORT_COLUMNS)
    return header, [IMPORT_EXAMPLE.get(c, "") for c in header]


def _parse_date(value: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a plain date
        except ValueError:
            continue
    raise ValueError("Enter a date as YYYY-MM-DD or DD/MM/YYYY, for example 2026-03-27")


def _parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise ValueError("Enter yes or no")


def _parse_int(value: str, default: int) -> int:
    if not value.strip():
        return default
    if not re.fullmatch(r"\d{1,3}", value.strip()):
        raise ValueError("Enter a whole number, like 2")
    return int(value.strip())


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def parse_family_csv(*, session: Session, user: Any, text: str) -> ImportReport:
    """Read a family CSV and check every row; nothing is saved here."""
    report = ImportReport()
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        report.problems.append(ImportProblem(0, "", "The file is empty"))
        return report
    unknown = [h for h in header if h not in IMPORT_COLUMNS]
    for name in unknown:
        report.problems.append(
            ImportProblem(0, name or "(blank)", f"Unknown column '{name}': use the template")
        )
    if "district" not in header:
        report.problems.append(ImportProblem(0, "district", "The file has no district column"))
    if len(set(header)) != len(header):
        report.problems.append(ImportProblem(0, "", "A column appears more than once"))
    if report.problems:
        return report

    districts = {
        d.code.upper(): d.id
        for d in session.exec(select(District)).all()
        if d.id is not None and can_see_district(user, d.id)
    }
    all_codes = {c.upper() for c in session.exec(select(District.code)).all()}
    need_codes = set(session.exec(select(Need.code)).all())
    try:
        for line_number, raw in enumerate(reader, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            report.rows_read += 1
            if report.rows_read > MAX_IMPORT_ROWS:
                report.problems.append(
                    ImportProblem(0, "", f"The file has more than {MAX_IMPORT_ROWS} rows: split it")
                )
                break
            if len(raw) != len(header):
                report.problems.append(
                    ImportProblem(
                        line_number,
                        "",
                        f"The row has {len(raw)} cells but the header has {len(header)}",
                    )
                )
                continue
            values = {name: cell.strip() for name, cell in zip(header, raw, strict=True)}
            parsed = _parse_row(
                session=session,
                user=user,
                row=line_number,
                values=values,
                districts=districts,
                all_codes=all_codes,
                need_codes=need_codes,
                report=report,
            )
            if parsed is not None:
                report.valid.append(parsed)
    except csv.Error as err:
        report.problems.append(ImportProblem(0, "", f"The file is not a valid CSV file ({err})"))
    return report


def _parse_row(
    *,
    session: Session,
    user: Any,
    row: int,
    values: dict[str, str],
    districts: dict[str, int],
    all_codes: set[str],
    need_codes: set[str],
    report: ImportReport,
) -> ParsedFamily | None:
    problems: list[ImportProblem] = []

    def problem(column: str, message: str) -> None:
        problems.append(ImportProblem(row, column, message))

    def get(name: str) -> str:
        return values.get(name, "")

    def parse(name: str, fn: Any, *args: Any) -> Any:
        try:
            return fn(get(name), *args)
        except ValueError as err:
            problem(name, str(err))
            return None

    code = get("district").upper()
    district_id = districts.get(code)
    if not code:
        problem("district", "Enter the district code")
    elif district_id is None:
        if code in all_codes:
            problem("district", f"You cannot add families to {code}: it is not one of yours")
        else:
            problem("district", f"There is no district with code {code}")

    referred_on = parse("referred_on", _parse_date) if get("referred_on") else _today()
    phase_text = get("programme_phase") or "2"
    phase = int(phase_text) if phase_text in {"1", "2"} else None
    if phase is None:
        problem("programme_phase", "Enter 1 or 2")
    tranche_text = get("tranche")
    tranche = int(tranche_text) if tranche_text in {"1", "2", "3"} else None
    if tranche_text and tranche is None:
        problem("tranche", "Enter 1, 2 or 3, or leave it blank")
    offered = parse("mentoring_offered", _parse_bool) if get("mentoring_offered") else None
    counts = {name: parse(name, _parse_int, 1 if name == "adults" else 0) for name in COUNT_FIELDS}
    availability = _split(get("availability"))
    for value in availability:
        if value not in set(Availability.values()):
            problem("availability", f"Unknown availability '{value}'")
    needs = _split(get("needs"))
    for value in needs:
        if value not in need_codes:
            problem("needs", f"Unknown need '{value}'")
    criteria_codes = _split(get("criteria"))
    for value in criteria_codes:
        if value not in set(Criterion.values()):
            problem("criteria", f"Unknown criterion '{value}'")
    evidence_date = parse("evidence_date", _parse_date) if get("evidence_date") else None
    if criteria_codes and not get("evidence_date"):
        problem("evidence_date", "Enter the date of the evidence for the criteria")
    if evidence_date and evidence_date > _today():
        problem("evidence_date", "The date of the evidence must be in the past")
    if criteria_codes and not get("evidence_source"):
        problem("evidence_source", "Enter where the evidence for the criteria came from")
    if len(get("evidence_source")) > 200:
        problem("evidence_source", "Enter 200 characters or fewer")
    if len(get("discretion_reason")) > 1000:
        problem("discretion_reason", "Enter 1000 characters or fewer")
    flags = {
        name: parse(name, _parse_bool)
        for name in (
            "wants_role_model",
            "gender_required",
            "language_required",
            "risk_domestic_abuse",
            "risk_no_lone_visits",
        )
    }
    consents = {}
    for name in ("consent_mentoring_on", "consent_sharing_on"):
        consents[name] = parse(name, _parse_date) if get(name) else None
        if consents[name] and consents[name] > _today():
            problem(name, "The date must be today or in the past")
    engagement_text = (get("engagement") or Engagement.IDENTIFIED.value).lower()
    engagement = None
    if engagement_text == Engagement.EXITED.value:
        problem("engagement", "Families cannot be imported as exited")
    elif engagement_text in set(Engagement.values()):
        engagement = Engagement(engagement_text)
    else:
        problem("engagement", "Enter identified, contacted, engaged or declined")
    previous_id = None
    if get("previous_reference"):
        previous = find_visible_by_reference(
            session=session, user=user, reference=get("previous_reference")
        )
        if previous is None:
            problem(
                "previous_reference",
                f"There is no family with reference {get('previous_reference').upper()} "
                "in your districts",
            )
        else:
            previous_id = previous.id

    details = None
    if not problems:
        details = FamilyDetails(
            referred_on=referred_on,
            tranche=tranche,
            mentoring_offered=offered,
            key_worker_name=get("key_worker_name"),
            key_worker_agency=get("key_worker_agency"),
            key_worker_contact=get("key_worker_contact"),
            shared_first_names=get("shared_first_names"),
            languages=_split(get("languages")),
            availability=availability,
            need_codes=needs,
            gender_preference=get("gender_preference").lower() or None,
            language_preference=get("language_preference") or None,
            **counts,
            **flags,
        )
        try:
            validate_details(session=session, details=details)
        except FamilyError as err:
            problem(err.field, str(err))
    if not problems and (consents["consent_mentoring_on"] or consents["consent_sharing_on"]):
        for name, on in consents.items():
            if on and on < referred_on:
                problem(name, "The consent date must be on or after the referral date")
    report.problems.extend(problems)
    if problems:
        return None
    assert details is not None and district_id is not None and engagement is not None  # noqa: S101
    return ParsedFamily(
        row=row,
        district_id=district_id,
        details=details,
        phase=phase or 2,
        criteria={c: (evidence_date, get("evidence_source")) for c in criteria_codes},
        discretion_reason=get("discretion_reason"),
        consent_mentoring_on=consents["consent_mentoring_on"],
        consent_sharing_on=consents["consent_sharing_on"],
        engagement=engagement,
        previous_id=previous_id,
    )


def import_families(
    *, session: Session, user: Any, report: ImportReport, only_valid: bool = False
) -> list[Family]:
    """Save the valid rows of a checked file in one transaction.

    Nothing is saved when the file has problems, unless ``only_valid`` asks to import
    the valid rows and leave the others out.
    """
    if report.file_problems or (report.problems and not only_valid):
        return []
    actor_id = getattr(user, "id", None)
    created: list[Family] = []
    with write_transaction(session):
        for parsed in report.valid:
            if not can_see_district(user, parsed.district_id):
                raise NotFound("Page not found")
            family = _new_family(
                session,
                user=user,
                district_id=parsed.district_id,
                details=parsed.details,
                source="import",
            )
            family.programme_phase = parsed.phase
            family.discretion_reason = parsed.discretion_reason.strip()
            family.previous_family_id = parsed.previous_id
            for code, (on, source) in parsed.criteria.items():
                session.add(
                    FamilyCriterion(
                        family_id=family.id,  # type: ignore[arg-type]
                        criterion=code,
                        evidence_date=on,  # type: ignore[arg-type]
                        evidence_source=source.strip(),
                        recorded_by_id=actor_id,
                    )
                )
            for kind, on in (
                (FamilyEventKind.CONSENT_MENTORING, parsed.consent_mentoring_on),
                (FamilyEventKind.CONSENT_SHARING, parsed.consent_sharing_on),
            ):
                if on is None:
                    continue
                name = CONSENT_FIELDS[kind]
                setattr(family, name, True)
                setattr(family, f"{name}_on", on)
                setattr(family, f"{name}_by_id", actor_id)
                session.add(
                    FamilyEvent(
                        family_id=family.id,  # type: ignore[arg-type]
                        kind=kind.value,
                        value="given",
                        happened_on=on,
                        reason="Imported",
                        recorded_by_id=actor_id,
                    )
                )
            if parsed.engagement != Engagement.IDENTIFIED:
                family.engagement = parsed.engagement.value
                session.add(
                    FamilyEvent(
                        family_id=family.id,  # type: ignore[arg-type]
                        kind=FamilyEventKind.ENGAGEMENT.value,
                        value=parsed.engagement.value,
                        happened_on=parsed.details.referred_on,
                        reason="Imported",
                        recorded_by_id=actor_id,
                    )
                )
            session.add(family)
            created.append(family)
        audit.record(
            session,
            "family.import",
            object_type="family",
            rows=len(created),
            rows_left_out=report.bad_rows,
        )
    report.imported = [f.reference for f in created]
    return created
