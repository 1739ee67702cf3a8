"""The programme's rules for one family, pure: no database, no request.

Eligibility (`assess_eligibility`)
  Phase 1 counts three criteria: crime or anti-social behaviour; education (exclusion,
  or more than 3 unauthorised absences in a year); worklessness. All three: the family
  must be included. Two of three: included only with a recorded local-discretion reason
  (the family is also a concern to the council or partners). Fewer: not eligible.
  Phase-2 criteria recorded for a phase-1 family do not count.
  Phase 2 counts the six headline problems (adding domestic abuse, health, and children
  who need help or protection); a family is eligible with at least N of them. N is the
  setting ``FAMILY_PHASE2_MIN_CRITERIA`` (default 2, the national rule).

Turned around (`assess_turned_around`)
  Each problem has the result that addresses it: crime or anti-social behaviour by
  offending stopped; education by school attendance restored; worklessness by an adult
  into work or on a pathway to work; domestic abuse by abuse reduced; health by health
  problems addressed; children by no longer needing help or protection.
  Phase 1: turned around when every phase-1 problem the family has is addressed.
  Phase 2: when every headline problem the family has is addressed, or an adult has
  moved into work (the national continuous-employment result).
  A family with no recorded criteria is never turned around.

Ready for matching (`readiness_problems`; the same rule in SQL is `clauses.ready_clause`)
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

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app, has_app_context

from mentoring.models import (
    PHASE1_CRITERIA,
    Criterion,
    Engagement,
    Family,
    FamilyEventKind,
    Outcome,
    Tranche,
)
from mentoring.services.common.dates import add_months

PHASE2_SETTING = "FAMILY_PHASE2_MIN_CRITERIA"
PHASE2_MIN_CRITERIA_DEFAULT = 2
MENTORING_TRANCHE = int(Tranche.CHAOTIC)
TRACKING_MONTHS = 12

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
GENDER_LABELS = {"female": "Female", "male": "Male", "non_binary": "Non-binary"}
# Each consent: the family's column and how people say it.
CONSENT_FIELDS = {
    FamilyEventKind.CONSENT_MENTORING: "consent_mentoring",
    FamilyEventKind.CONSENT_SHARING: "consent_sharing",
}
CONSENT_LABELS = {
    FamilyEventKind.CONSENT_MENTORING: "consent to mentoring",
    FamilyEventKind.CONSENT_SHARING: "consent to information sharing",
}
CRITERION_ORDER = {c.value: i for i, c in enumerate(Criterion)}
OUTCOME_ORDER = {o.value: i for i, o in enumerate(Outcome)}


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


def engagement_since(*, engagement: str, changed_on: date, exited_on: date | None) -> date:
    """Return the day the family's engagement took its current value.

    For an exited family that is its exit date, so "Exited since" and "Exited on" are one
    date whichever field an older record or an import filled in.
    """
    if engagement == Engagement.EXITED.value and exited_on is not None:
        return exited_on
    return changed_on


def tracking_until(exited_on: date | None) -> date | None:
    """Return the last day a family is tracked after exit (12 months), or None."""
    return add_months(exited_on, TRACKING_MONTHS) if exited_on else None


def offered(*, mentoring_offered: bool | None, tranche: int | None) -> bool:
    """Tell whether volunteer mentoring is offered: tranche 3, unless the coordinator decided."""
    if mentoring_offered is not None:
        return bool(mentoring_offered)
    return tranche == MENTORING_TRANCHE


def mentoring_is_offered(family: Family) -> bool:
    """Tell whether volunteer mentoring is offered to a family (see `offered`)."""
    return offered(mentoring_offered=family.mentoring_offered, tranche=family.tranche)


def offer_explained(family: Family) -> str:
    """Say whether volunteer mentoring is offered to a family, and why (for its page)."""
    if family.mentoring_offered is not None:
        verdict = "Offered" if family.mentoring_offered else "Not offered"
        return f"{verdict} (decided by the coordinator)"
    if family.tranche == MENTORING_TRANCHE:
        return f"Offered (tranche {MENTORING_TRANCHE})"
    if family.tranche is None:
        return f"Not offered yet: no tranche set (it is offered to tranche {MENTORING_TRANCHE})"
    return (
        f"Not offered: a tranche {family.tranche} family is offered volunteer mentoring only "
        "if you choose to offer it"
    )


def days_waiting(
    *, consent_mentoring: bool, consent_mentoring_on: date | None, referred_on: date, on: date
) -> int:
    """Return the days from consent to mentoring (or else referral) to ``on``."""
    start = consent_mentoring_on if consent_mentoring and consent_mentoring_on else referred_on
    return max(0, (on - start).days)


def family_days_waiting(family: Family, on: date) -> int:
    """Return the days a family has waited by ``on`` (see `days_waiting`)."""
    return days_waiting(
        consent_mentoring=family.consent_mentoring,
        consent_mentoring_on=family.consent_mentoring_on,
        referred_on=family.referred_on,
        on=on,
    )


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
