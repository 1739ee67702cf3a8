"""The programme's rules for one family, pure: eligibility, results, tracking, waiting."""

import itertools
from datetime import date

import pytest

from mentoring.models import Family
from mentoring.services.common.dates import add_months
from mentoring.services.families import (
    assess_eligibility,
    assess_turned_around,
    family_days_waiting,
    mentoring_is_offered,
    offer_explained,
    tracking_until,
)
from tests.services.families.helpers import CHILDREN, CRIME, DA, EDUCATION, HEALTH, WORK
from tests.services.families.helpers import assess as _assess

# ---------------------------------------------------------------------------
# Eligibility (pure)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("discretion", ["", "Also a concern to housing"])
def test_phase1_family_meeting_all_three_criteria_must_be_included(discretion):
    result = _assess({CRIME, EDUCATION, WORK}, discretion=discretion)
    assert result.eligible
    assert result.rule == "phase1_all_three"
    assert "must be included" in result.reasons[0]


@pytest.mark.parametrize("pair", list(itertools.combinations([CRIME, EDUCATION, WORK], 2)))
def test_phase1_two_of_three_is_not_eligible_without_a_discretion_reason(pair):
    result = _assess(set(pair))
    assert not result.eligible
    assert result.rule == "phase1_two_needs_discretion"
    assert "local discretion" in result.reasons[0]


@pytest.mark.parametrize("pair", list(itertools.combinations([CRIME, EDUCATION, WORK], 2)))
def test_phase1_two_of_three_is_included_with_a_recorded_discretion_reason(pair):
    result = _assess(set(pair), discretion="Repeated housing complaints")
    assert result.eligible
    assert result.rule == "phase1_two_with_discretion"


def test_phase1_discretion_reason_of_only_spaces_does_not_count():
    assert not _assess({CRIME, WORK}, discretion="   \n ").eligible


@pytest.mark.parametrize("criteria", [set(), {CRIME}, {EDUCATION}, {WORK}])
def test_phase1_fewer_than_two_criteria_is_not_eligible_even_with_discretion(criteria):
    result = _assess(criteria, discretion="A concern to the council")
    assert not result.eligible
    assert result.rule == "phase1_too_few"


def test_phase2_criteria_do_not_count_in_phase1():
    result = _assess({CRIME, DA, HEALTH, CHILDREN}, discretion="A concern")
    assert not result.eligible
    assert result.rule == "phase1_too_few"
    assert any("does not count in phase 1" in r for r in result.reasons)


@pytest.mark.parametrize(
    ("criteria", "eligible"),
    [
        (set(), False),
        ({DA}, False),
        ({DA, HEALTH}, True),
        ({CRIME, CHILDREN}, True),
        ({CRIME, EDUCATION, WORK, DA, HEALTH, CHILDREN}, True),
    ],
)
def test_phase2_needs_at_least_two_of_six_headline_problems_by_default(criteria, eligible):
    result = _assess(criteria, phase=2)
    assert result.eligible is eligible
    assert result.rule == ("phase2_enough" if eligible else "phase2_too_few")


def test_phase2_minimum_is_configurable():
    assert not _assess({DA, HEALTH}, phase=2, minimum=3).eligible
    assert _assess({DA, HEALTH, WORK}, phase=2, minimum=3).eligible
    assert _assess({HEALTH}, phase=2, minimum=1).eligible


def test_phase2_ignores_discretion():
    assert not _assess({HEALTH}, phase=2, discretion="A concern").eligible


@pytest.mark.parametrize(
    "kwargs",
    [
        {"criteria": {"truancy"}, "phase": 1},
        {"criteria": set(), "phase": 3},
        {"criteria": set(), "phase": 2, "phase2_min_criteria": 0},
        {"criteria": set(), "phase": 2, "phase2_min_criteria": 7},
    ],
)
def test_eligibility_refuses_unknown_criteria_phases_and_minimums(kwargs):
    with pytest.raises(ValueError):
        assess_eligibility(discretion_reason="", **kwargs)


# ---------------------------------------------------------------------------
# Turned around, tracking, waiting (pure)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("criteria", "outcomes", "achieved"),
    [
        ({CRIME, EDUCATION, WORK}, {"offending_stopped", "school_attendance", "into_work"}, True),
        (
            {CRIME, EDUCATION, WORK},
            {"offending_stopped", "school_attendance", "work_pathway"},
            True,
        ),
        ({CRIME, EDUCATION, WORK}, {"offending_stopped", "school_attendance"}, False),
        ({CRIME, EDUCATION}, {"offending_stopped", "school_attendance"}, True),
        ({EDUCATION, WORK}, {"school_attendance"}, False),
        # Phase-2 outcomes do not stand in for phase-1 results.
        ({CRIME, EDUCATION}, {"offending_stopped", "health_improved"}, False),
        (set(), {"school_attendance"}, False),
    ],
)
def test_phase1_family_is_turned_around_when_each_of_its_problems_is_addressed(
    criteria, outcomes, achieved
):
    result = assess_turned_around(criteria=criteria, outcomes=outcomes, phase=1)
    assert result.achieved is achieved


def test_turned_around_lists_what_is_still_to_address():
    result = assess_turned_around(
        criteria={CRIME, EDUCATION, WORK}, outcomes={"school_attendance"}, phase=1
    )
    assert result.addressed == ["Exclusion or persistent truancy"]
    assert result.outstanding == ["Crime or anti-social behaviour", "Worklessness"]


def test_phase2_family_is_turned_around_by_every_problem_addressed_or_by_work():
    criteria = {DA, HEALTH, EDUCATION}
    partial = {"domestic_abuse_reduced", "health_improved"}
    assert not assess_turned_around(criteria=criteria, outcomes=partial, phase=2).achieved
    everything = partial | {"school_attendance"}
    assert assess_turned_around(criteria=criteria, outcomes=everything, phase=2).achieved
    assert assess_turned_around(criteria=criteria, outcomes={"into_work"}, phase=2).achieved
    # A pathway to work addresses worklessness but is not the employment result.
    assert not assess_turned_around(criteria=criteria, outcomes={"work_pathway"}, phase=2).achieved


def test_families_are_tracked_for_twelve_months_after_exit():
    assert tracking_until(None) is None
    assert tracking_until(date(2026, 3, 15)) == date(2027, 3, 15)
    assert tracking_until(date(2028, 2, 29)) == date(2029, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_days_waiting_count_from_consent_or_else_referral():
    family = Family(reference="X-1", district_id=1, number=1, referred_on=date(2026, 1, 1))
    assert family_days_waiting(family, date(2026, 1, 31)) == 30
    family.consent_mentoring = True
    family.consent_mentoring_on = date(2026, 1, 21)
    assert family_days_waiting(family, date(2026, 1, 31)) == 10
    # A withdrawn consent's date does not start the wait.
    family.consent_mentoring = False
    assert family_days_waiting(family, date(2026, 1, 31)) == 30
    assert family_days_waiting(family, date(2025, 12, 1)) == 0


@pytest.mark.parametrize(
    ("tranche", "offered", "expected"),
    [
        (3, None, True),
        (2, None, False),
        (1, None, False),
        (None, None, False),
        (2, True, True),
        (3, False, False),
    ],
)
def test_mentoring_is_offered_to_tranche_three_unless_the_coordinator_decides(
    tranche, offered, expected
):
    family = Family(reference="X-1", district_id=1, number=1, tranche=tranche)
    family.mentoring_offered = offered
    assert mentoring_is_offered(family) is expected


@pytest.mark.parametrize(
    ("tranche", "offered", "said"),
    [
        (3, None, "Offered (tranche 3)"),
        (2, None, "Not offered: a tranche 2 family is offered volunteer mentoring only if you"),
        (None, None, "Not offered yet: no tranche set"),
        (1, True, "Offered (decided by the coordinator)"),
        (3, False, "Not offered (decided by the coordinator)"),
    ],
)
def test_the_family_page_says_why_mentoring_is_or_is_not_offered(tranche, offered, said):
    family = Family(reference="X-1", district_id=1, number=1, tranche=tranche)
    family.mentoring_offered = offered
    assert offer_explained(family).startswith(said)
