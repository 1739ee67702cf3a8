"""Policy: each hard rule, the scores and their breakdown, the priority order."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given

from matching import (
    SCORE_TERMS,
    ActiveMatch,
    Family,
    Mentor,
    Preference,
    Problem,
    Weights,
    eligible_pairs,
    priority,
    rule_failures,
    score_breakdown,
    solve,
)
from matching.explain import (
    PairLines,
    explain_pair,
)
from matching.policy import (
    active_state,
    open_slots,
    symmetric_neighbours,
)
from tests.matching.helpers import SETTINGS, problems

NEAR = symmetric_neighbours({"Dartford": ["Gravesham"]})


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


def assigned(problem: Problem) -> set[tuple[str, str, str]]:
    return {(a.mentor, a.family, a.slot) for a in solve(problem).assignments}


# --- Hard rules, one by one -------------------------------------------------------------


def test_the_mentor_must_serve_the_district() -> None:
    f = family()
    assert rule_failures(mentor(), f, "mentor", NEAR) == []
    away = mentor(home_district="Swale")
    assert rule_failures(away, f, "mentor", NEAR) == ["district"]
    assert (
        rule_failures(
            dataclasses.replace(away, travel_districts=frozenset({"Dartford"})), f, "mentor", NEAR
        )
        == []
    )
    assert assigned(Problem((away,), (f,))) == set()


def test_domestic_abuse_needs_a_trained_mentor() -> None:
    f = family(domestic_abuse=True)
    assert rule_failures(mentor(), f, "mentor", NEAR) == ["domestic_abuse"]
    trained = mentor(id="M2", domestic_abuse_trained=True)
    assert rule_failures(trained, f, "mentor", NEAR) == []
    assert assigned(Problem((mentor(), trained), (f,))) == {("M2", "F1", "mentor")}


def test_a_required_gender_is_met_a_wish_is_only_scored() -> None:
    m = mentor(gender="male")
    required = family(gender_preference=Preference("female", True))
    wished = family(gender_preference=Preference("female", False))
    assert rule_failures(m, required, "mentor", NEAR) == ["gender_required"]
    assert rule_failures(mentor(gender=None), required, "mentor", NEAR) == ["gender_required"]
    assert rule_failures(m, wished, "mentor", NEAR) == []
    w = Weights()
    assert score_breakdown(mentor(gender="female"), wished, w, NEAR)["gender_wish"] == w.gender_wish
    assert score_breakdown(m, wished, w, NEAR)["gender_wish"] == 0
    assert score_breakdown(mentor(gender="female"), required, w, NEAR)["gender_wish"] == 0


def test_a_required_language_is_met() -> None:
    f = family(language_preference=Preference("Polish", True))
    assert rule_failures(mentor(), f, "mentor", NEAR) == ["language_required"]
    assert rule_failures(mentor(languages=frozenset({"Polish"})), f, "mentor", NEAR) == []
    wish = family(language_preference=Preference("Polish", False))
    w = Weights()
    speaks = mentor(languages=frozenset({"Polish"}))
    assert score_breakdown(speaks, wish, w, NEAR)["language_wish"] == w.language_wish


def test_declared_conflicts_on_either_side() -> None:
    f = family()
    assert rule_failures(mentor(conflicts=frozenset({"F1"})), f, "mentor", NEAR) == ["conflict"]
    assert rule_failures(mentor(), family(conflicts=frozenset({"M1"})), "mentor", NEAR) == [
        "conflict"
    ]
    assert assigned(Problem((mentor(conflicts=frozenset({"F1"})),), (f,))) == set()


def test_volunteers_fill_mentor_slots_role_models_role_model_slots() -> None:
    rm = mentor(id="R1", kind="role_model")
    f = family(wants_role_model=True)
    assert rule_failures(rm, f, "mentor", NEAR) == ["slot"]
    assert rule_failures(mentor(), f, "role_model", NEAR) == ["slot"]
    assert rule_failures(rm, f, "role_model", NEAR) == []
    assert rule_failures(rm, family(), "role_model", NEAR) == ["slot"]  # not wanted
    both = assigned(Problem((mentor(), rm), (f,)))
    assert both == {("M1", "F1", "mentor"), ("R1", "F1", "role_model")}
    assert assigned(Problem((rm,), (family(),))) == set()


def test_needs_mentor_false_means_no_mentor_slot() -> None:
    assert assigned(Problem((mentor(),), (family(needs_mentor=False),))) == set()


def test_active_matches_are_kept_use_capacity_and_fill_the_slot() -> None:
    m = mentor(capacity=2)
    f1, f2, f3 = family(id="F1"), family(id="F2"), family(id="F3")
    problem = Problem((m,), (f1, f2, f3), active=(ActiveMatch("M1", "F1", "mentor"),))
    solution = solve(problem)
    assert solution.kept == [ActiveMatch("M1", "F1", "mentor")]
    # One place left: F1's slot is not refilled, one of F2/F3 gets it.
    assert len(solution.assignments) == 1
    assert solution.assignments[0].family in {"F2", "F3"}
    assert {u.family for u in solution.unmatched} == {"F2", "F3"} - {solution.assignments[0].family}
    load, filled = active_state(problem)
    assert load == {"M1": 1} and open_slots(f1, filled) == []


def test_an_overfull_mentor_keeps_active_matches_and_takes_no_more() -> None:
    m = mentor(capacity=1)
    problem = Problem(
        (m,),
        (family(id="F1"), family(id="F2"), family(id="F3")),
        active=(ActiveMatch("M1", "F1", "mentor"), ActiveMatch("M1", "F2", "mentor")),
    )
    solution = solve(problem)
    assert solution.assignments == []
    assert [u.family for u in solution.unmatched] == ["F3"]


# --- Scores --------------------------------------------------------------------------------


def test_scores_by_term() -> None:
    w = Weights()
    m = mentor(
        skills=frozenset({"housing", "parenting"}),
        languages=frozenset({"English", "Polish"}),
        availability=frozenset({"weekend", "weekday_evening"}),
    )
    f = family(
        needs=frozenset({"housing", "parenting", "health"}),
        languages=frozenset({"Polish"}),
        availability=frozenset({"weekend"}),
    )
    b = score_breakdown(m, f, w, NEAR)
    assert list(b) == list(SCORE_TERMS)
    assert b["need_covered"] == 2 * w.need_covered
    assert b["shared_language"] == w.shared_language
    assert b["same_district"] == w.same_district
    assert b["availability_overlap"] == w.availability_overlap
    assert b["neighbouring_district"] == b["other_travel_district"] == 0


def test_same_district_beats_a_neighbour_beats_another_travel_district() -> None:
    w = Weights()
    f = family()
    home = score_breakdown(mentor(), f, w, NEAR)
    near = score_breakdown(
        mentor(home_district="Gravesham", travel_districts=frozenset({"Dartford"})), f, w, NEAR
    )
    far = score_breakdown(
        mentor(home_district="Thanet", travel_districts=frozenset({"Dartford"})), f, w, NEAR
    )
    assert sum(home.values()) > sum(near.values()) > sum(far.values())
    assert near["neighbouring_district"] == w.neighbouring_district
    assert far["other_travel_district"] == w.other_travel_district


def test_availability_overlap_is_capped() -> None:
    w = Weights(availability_cap=2)
    both = frozenset({"a", "b", "c"})
    b = score_breakdown(mentor(availability=both), family(availability=both), w, NEAR)
    assert b["availability_overlap"] == 2 * w.availability_overlap


def test_priority_is_tranche_3_then_waiting_then_criteria() -> None:
    w = Weights()
    t3 = family(tranche=3, waiting_days=0, criteria_met=0)
    t2_long = family(tranche=2, waiting_days=10_000, criteria_met=99)
    assert priority(t3, w) > priority(t2_long, w)
    long_wait = family(waiting_days=7 * 10, criteria_met=0)
    short_many = family(waiting_days=7 * 9, criteria_met=99)
    assert priority(long_wait, w) > priority(short_many, w)
    assert priority(family(criteria_met=3), w) > priority(family(criteria_met=2), w)
    # Waiting is counted in whole weeks and capped.
    assert priority(family(waiting_days=6), w) == priority(family(waiting_days=0), w)
    assert priority(family(waiting_days=7 * 60), w) == priority(family(waiting_days=7 * 52), w)


def test_the_higher_priority_family_is_matched_first() -> None:
    m = mentor()
    urgent = family(id="F1", tranche=3, waiting_days=70)
    other = family(id="F2", tranche=2, needs=frozenset({"housing"}))
    problem = Problem((dataclasses.replace(m, skills=frozenset({"housing"})),), (urgent, other))
    assert assigned(problem) == {("M1", "F1", "mentor")}


@SETTINGS
@given(problems())
def test_vectorised_rules_and_scores_equal_the_scalar_ones(problem: Problem) -> None:
    pairs = {(p.mentor, p.family, p.slot): p for p in eligible_pairs(problem)}
    near = symmetric_neighbours(problem.neighbours)
    _load, filled = active_state(problem)
    expected = set()
    for f in problem.families:
        for slot in open_slots(f, filled):
            for m in problem.mentors:
                if not rule_failures(m, f, slot, near):
                    expected.add((m.id, f.id, slot))
                    b = score_breakdown(m, f, problem.weights, near)
                    assert pairs[(m.id, f.id, slot)].breakdown == b
                    assert pairs[(m.id, f.id, slot)].score == sum(b.values())
    assert set(pairs) == expected


@SETTINGS
@given(problems())
def test_every_solution_keeps_every_hard_rule_and_capacity(problem: Problem) -> None:
    solution = solve(problem)
    assert solution.status == "OPTIMAL"
    near = symmetric_neighbours(problem.neighbours)
    mentors = {m.id: m for m in problem.mentors}
    families = {f.id: f for f in problem.families}
    load, filled = active_state(problem)
    used = dict(load)
    seen = set()
    for a in solution.assignments:
        assert rule_failures(mentors[a.mentor], families[a.family], a.slot, near) == []
        assert a.slot not in filled.get(a.family, frozenset())
        assert (a.family, a.slot) not in seen
        seen.add((a.family, a.slot))
        used[a.mentor] = used.get(a.mentor, 0) + 1
        assert sum(a.breakdown.values()) == a.score
    for mid, n in used.items():
        if mid in {a.mentor for a in solution.assignments}:
            assert n <= mentors[mid].capacity
    # Every open slot is either assigned or explained.
    wanted = {(f.id, s) for f in problem.families for s in open_slots(f, filled)}
    assert seen | {(u.family, u.slot) for u in solution.unmatched} == wanted
    assert not seen & {(u.family, u.slot) for u in solution.unmatched}
    assert solution.kept == sorted(problem.active, key=lambda a: (a.family, a.slot, a.mentor))


@SETTINGS
@given(problems())
def test_an_open_slot_lost_only_to_equal_or_higher_priority(problem: Problem) -> None:
    """Every eligible mentor of an open slot is full, with families of no lower priority."""
    solution = solve(problem)
    w = problem.weights
    fams = {f.id: f for f in problem.families}
    by_mentor: dict[str, list[int]] = {}
    for a in solution.assignments:
        by_mentor.setdefault(a.mentor, []).append(priority(fams[a.family], w))
    pairs = eligible_pairs(problem)
    for u in solution.unmatched:
        p = priority(fams[u.family], w)
        if p == 0:
            continue
        for pair in pairs:
            if pair.family == u.family and pair.slot == u.slot:
                assert all(q >= p for q in by_mentor.get(pair.mentor, []))


def test_weights_reject_unknown_and_negative() -> None:
    from matching import ProblemError

    assert Weights.from_dict({"balance": 0}).balance == 0
    with pytest.raises(ProblemError, match="unknown weight 'balanse'"):
        Weights.from_dict({"balanse": 1})
    with pytest.raises(ProblemError, match="need_covered must be a non-negative integer"):
        Weights.from_dict({"need_covered": -1})
    with pytest.raises(ProblemError, match="non-negative integer"):
        Weights.from_dict({"balance": 1.5})
    with pytest.raises(ProblemError, match="non-negative integer"):
        Weights.from_dict({"balance": True})
    assert Weights.from_dict(Weights().to_dict()) == Weights()


@SETTINGS
@given(problems())
def test_cached_explanation_lines_equal_explain_pair(problem: Problem) -> None:
    # The solver writes lines with PairLines (each line made once); they must be
    # exactly explain_pair's, for every eligible pair and any load.
    near = symmetric_neighbours(problem.neighbours)
    mentors = {m.id: m for m in problem.mentors}
    families = {f.id: f for f in problem.families}
    writer = PairLines(problem.weights, near)
    for p in eligible_pairs(problem):
        m, f = mentors[p.mentor], families[p.family]
        value = priority(f, problem.weights)
        for load_after in (0, m.capacity):
            expected = explain_pair(
                m, f, problem.weights, near, load_after=load_after, capacity=m.capacity
            )
            terms = [p.breakdown[t] for t in SCORE_TERMS]
            text = writer.priority(f, value)
            assert writer.lines(m, f, terms, text, load_after) == expected
