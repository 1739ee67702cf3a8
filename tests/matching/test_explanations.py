"""Explanations: every assignment says why; every open slot says why not."""

from __future__ import annotations

from typing import Any

from matching import (
    SCORE_TERMS,
    ActiveMatch,
    Family,
    Mentor,
    Preference,
    Problem,
    Weights,
    solve,
)


def mentor(**kw: Any) -> Mentor:
    base: dict[str, Any] = {
        "id": "M1",
        "kind": "volunteer",
        "capacity": 1,
        "home_district": "Dartford",
    }
    base.update(kw)
    return Mentor(**base)


def family(**kw: Any) -> Family:
    base: dict[str, Any] = {"id": "F1", "district": "Dartford"}
    base.update(kw)
    return Family(**base)


def reasons(problem: Problem, fam: str = "F1", slot: str = "mentor") -> list[str]:
    solution = solve(problem)
    [u] = [u for u in solution.unmatched if u.family == fam and u.slot == slot]
    return u.reasons


def test_an_assignment_carries_its_score_by_term_and_plain_lines() -> None:
    m = mentor(
        skills=frozenset({"housing", "work_training"}),
        languages=frozenset({"English"}),
        availability=frozenset({"weekend"}),
        gender="female",
        domestic_abuse_trained=True,
    )
    f = family(
        needs=frozenset({"housing", "work_training", "parenting"}),
        languages=frozenset({"English"}),
        availability=frozenset({"weekend", "weekday_evening"}),
        waiting_days=84,
        criteria_met=2,
        domestic_abuse=True,
        gender_preference=Preference("female", False),
        history=("Previous mentor M-0012 left; needs handover",),
    )
    [a] = solve(Problem((m,), (f,))).assignments
    w = Weights()
    assert list(a.breakdown) == list(SCORE_TERMS)
    assert sum(a.breakdown.values()) == a.score
    assert a.breakdown["need_covered"] == 2 * w.need_covered
    assert a.explanation == [
        "Priority 487: tranche 3, waiting 12 weeks, 2 criteria met",
        "Covers 2 of 3 needs: housing, work and training (+20 points)",
        "Shares a language with the family: English (+6 points)",
        "Lives in Dartford, the family's district (+8 points)",
        "Available at the same times: weekends (+2 points)",
        "Is female, as the family wished (+5 points)",
        "Trained for domestic abuse, which this family needs",
        "Mentor's families after this run: 1 of 1",
        "Previous mentor M-0012 left; needs handover",
    ]


def test_travel_and_requirements_are_explained() -> None:
    m = mentor(
        home_district="Gravesham",
        travel_districts=frozenset({"Dartford"}),
        languages=frozenset({"Polish"}),
        gender="male",
    )
    f = family(
        language_preference=Preference("Polish", True),
        gender_preference=Preference("male", True),
    )
    [a] = solve(Problem((m,), (f,), neighbours={"Dartford": frozenset({"Gravesham"})})).assignments
    assert "Travels to Dartford, a neighbour of their home district Gravesham (+4 points)" in (
        a.explanation
    )
    assert "Speaks Polish, as the family requires" in a.explanation
    assert "Is male, as the family requires" in a.explanation


def test_no_mentor_serves_the_district() -> None:
    problem = Problem((mentor(home_district="Swale"),), (family(),))
    assert reasons(problem) == [
        "No volunteer mentor serves Dartford (as their home district or one they travel to)"
    ]


def test_no_role_model_serves_the_district() -> None:
    problem = Problem((mentor(),), (family(wants_role_model=True),))
    assert reasons(problem, slot="role_model") == [
        "No role model serves Dartford (as their home district or one they travel to)"
    ]


def test_no_mentor_trained_for_domestic_abuse_in_reach() -> None:
    problem = Problem((mentor(), mentor(id="M2")), (family(domestic_abuse=True),))
    assert reasons(problem) == ["No volunteer mentor trained for domestic abuse serves Dartford"]


def test_every_eligible_mentor_is_full_with_how_many() -> None:
    ms = (mentor(id="M1"), mentor(id="M2"))
    fs = (
        family(id="F1", tranche=2),
        family(id="F2", waiting_days=70),
        family(id="F3", waiting_days=140),
    )
    assert reasons(Problem(ms, fs)) == [
        "All 2 eligible volunteer mentors are full "
        "(2 taken by families of equal or higher priority in this run)"
    ]


def test_full_with_current_families() -> None:
    problem = Problem(
        (mentor(),),
        (family(id="F0"), family(id="F1")),
        active=(ActiveMatch("M1", "F0", "mentor"),),
    )
    assert reasons(problem) == [
        "The only eligible volunteer mentor is full (1 full with their current families)"
    ]


def test_a_required_gender_unmet() -> None:
    problem = Problem(
        (mentor(gender="male"), mentor(id="M2", gender="male")),
        (family(gender_preference=Preference("female", True)),),
    )
    assert reasons(problem) == [
        "No volunteer mentor serving Dartford is female, which the family requires"
    ]


def test_a_required_language_unmet_with_counts() -> None:
    problem = Problem(
        (mentor(languages=frozenset({"Polish"}), gender="male"), mentor(id="M2", gender="female")),
        (
            family(
                language_preference=Preference("Polish", True),
                gender_preference=Preference("female", True),
            ),
        ),
    )
    assert reasons(problem) == [
        "1 of the 2 volunteer mentors serving Dartford is not female, which the family requires",
        "1 of the 2 volunteer mentors serving Dartford is without Polish, which the family "
        "requires",
        "No volunteer mentor serving Dartford meets all of the family's requirements",
    ]


CONFLICT = (
    "1 volunteer mentor serving Dartford declared a conflict of interest (they know the family)"
)


def test_declared_conflicts() -> None:
    problem = Problem((mentor(conflicts=frozenset({"F1"})),), (family(),))
    assert reasons(problem) == [
        "1 volunteer mentor serving Dartford declared a conflict of interest (they know the family)"
    ]
    both = Problem(
        (mentor(conflicts=frozenset({"F1"})), mentor(id="M2", capacity=0)),
        (family(),),
    )
    assert reasons(both) == [
        CONFLICT,
        "The only eligible volunteer mentor is full (1 full with their current families)",
    ]


def test_history_is_carried_into_the_reasons() -> None:
    f = family(history=("Previous mentor M-0012 left; needs handover",))
    assert reasons(Problem((), (f,)))[-1] == "Previous mentor M-0012 left; needs handover"


def test_a_slot_of_priority_zero_is_left_open_when_filling_adds_nothing() -> None:
    zero = Weights(**{k: 0 for k in Weights().to_dict() if k != "balance"}, balance=1)
    problem = Problem((mentor(),), (family(),), zero)
    assert reasons(problem) == [
        "Left open: the slot has priority 0 and no mentor adds to the score, "
        "although 1 eligible volunteer mentor has room"
    ]


def test_unmatched_json_form() -> None:
    solution = solve(Problem((), (family(),)))
    assert solution.unmatched[0].to_json() == {
        "family": "F1",
        "slot": "mentor",
        "priority": 401,
        "reasons": [
            "No volunteer mentor serves Dartford (as their home district or one they travel to)"
        ],
    }
