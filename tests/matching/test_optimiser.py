"""The optimiser: optimal (brute force, scipy), deterministic, exact in every code path."""

from __future__ import annotations

import dataclasses
import random
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import matching.optimiser as optimiser
from matching import Graph, build_graph, load_problem, solve
from matching.optimiser import components
from tests.matching.helpers import (
    SETTINGS,
    brute_force,
    graphs,
    lsa_optimum,
    objective_tuple,
    problems,
)


@pytest.fixture
def sparse_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every component take the sparse path (best pairs, then the potentials proof)."""
    monkeypatch.setattr(optimiser, "SPARSE_FROM", 0)
    monkeypatch.setattr(optimiser, "SPARSE_PER_SLOT", 1)
    monkeypatch.setattr(optimiser, "SLACK", 0)


def _check_feasible(graph: Graph, data: dict[str, Any]) -> None:
    solution = solve(graph)
    assert solution.status == "OPTIMAL"
    used: dict[str, int] = {}
    seen = set()
    kinds = {m["id"]: m["kind"] for m in data["mentors"]}
    caps = {m["id"]: m["capacity"] for m in data["mentors"]}
    allowed = {(p["mentor"], p["family"]) for p in data["pairs"]}
    for a in solution.assignments:
        assert (a.mentor, a.family) in allowed
        assert a.slot == ("mentor" if kinds[a.mentor] == "volunteer" else "role_model")
        assert (a.family, a.slot) not in seen
        seen.add((a.family, a.slot))
        used[a.mentor] = used.get(a.mentor, 0) + 1
    for mentor, n in used.items():
        assert n <= caps[mentor]


@SETTINGS
@given(graphs())
def test_equals_the_brute_force_optimum(data: dict[str, Any]) -> None:
    graph = Graph.from_json(data)
    _check_feasible(graph, data)
    assert objective_tuple(solve(graph)) == brute_force(graph)


@SETTINGS
@given(graphs())
def test_sparse_path_equals_the_brute_force_optimum(data: dict[str, Any]) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(optimiser, "SPARSE_FROM", 0)
        mp.setattr(optimiser, "SPARSE_PER_SLOT", 1)
        mp.setattr(optimiser, "SLACK", 0)
        graph = Graph.from_json(data)
        assert objective_tuple(solve(graph)) == brute_force(graph)


@SETTINGS
@given(graphs(max_slots=24, max_mentors=8, density=0.5))
def test_equals_linear_sum_assignment(data: dict[str, Any]) -> None:
    graph = Graph.from_json(data)
    _check_feasible(graph, data)
    assert objective_tuple(solve(graph)) == lsa_optimum(graph)


@SETTINGS
@given(graphs(max_slots=24, max_mentors=8, density=0.7))
def test_sparse_path_equals_linear_sum_assignment(data: dict[str, Any]) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(optimiser, "SPARSE_FROM", 0)
        mp.setattr(optimiser, "SPARSE_PER_SLOT", 2)
        mp.setattr(optimiser, "SLACK", 0)
        graph = Graph.from_json(data)
        assert objective_tuple(solve(graph)) == lsa_optimum(graph)


@SETTINGS
@given(problems(max_mentors=4, max_families=4))
def test_problem_equals_the_brute_force_optimum(problem: Any) -> None:
    graph = build_graph(problem)
    if graph.slot_family.shape[0] > 6:
        return
    assert objective_tuple(solve(problem)) == brute_force(graph)


@SETTINGS
@given(problems())
def test_problem_equals_linear_sum_assignment(problem: Any) -> None:
    assert objective_tuple(solve(problem)) == lsa_optimum(build_graph(problem))


def test_bad_cost_range_is_reported_not_hidden() -> None:
    """A component too large for exact integer costs raises SolverError, never a wrong plan."""
    data = {
        "mentors": [{"id": "m", "kind": "volunteer", "capacity": 2}],
        "families": [{"id": "a", "priority": 1}, {"id": "b", "priority": 1}],
        "pairs": [
            {"mentor": "m", "family": "a", "score": 2**61},
            {"mentor": "m", "family": "b", "score": 1},
        ],
    }
    from matching import SolverError

    with pytest.raises(SolverError, match="too large"):
        solve(Graph.from_json(data))


def _solution_key(solution: Any) -> Any:
    return solution.to_json(timings=False)


@SETTINGS
@given(problems(), st.randoms(use_true_random=False))
def test_same_input_same_output_whatever_the_order(problem: Any, rnd: random.Random) -> None:
    first = _solution_key(solve(problem))
    assert _solution_key(solve(problem)) == first
    shuffled = dataclasses.replace(
        problem,
        mentors=tuple(rnd.sample(problem.mentors, len(problem.mentors))),
        families=tuple(rnd.sample(problem.families, len(problem.families))),
        active=tuple(rnd.sample(problem.active, len(problem.active))),
    )
    assert _solution_key(solve(shuffled)) == first


@SETTINGS
@given(problems())
def test_replay_gives_the_same_plan(problem: Any) -> None:
    """Solving the stored graph (replay form) gives exactly the plan of the problem."""
    direct = solve(problem)
    replayed = solve(load_problem(build_graph(problem).to_json()))

    def plan(s: Any) -> list[tuple[str, str, str, int]]:
        return [(a.mentor, a.family, a.slot, a.score) for a in s.assignments]

    assert plan(replayed) == plan(direct)
    assert replayed.objective == direct.objective
    assert [(u.family, u.slot) for u in replayed.unmatched] == [
        (u.family, u.slot) for u in direct.unmatched
    ]
    # The replay form carries the breakdowns and the reasons too.
    assert [a.breakdown for a in replayed.assignments] == [
        {k: v for k, v in a.breakdown.items() if v} for a in direct.assignments
    ]
    assert [u.reasons for u in replayed.unmatched] == [u.reasons for u in direct.unmatched]


def test_replay_gives_the_same_plan_on_a_sparse_sized_instance(sparse_always: None) -> None:
    from matching.bench import generate

    problem = generate("district", 7)
    problem = dataclasses.replace(
        problem,
        mentors=problem.mentors[:60],
        families=problem.families[:150],
        active=tuple(
            a
            for a in problem.active
            if a.family in {f.id for f in problem.families[:150]}
            and a.mentor in {m.id for m in problem.mentors[:60]}
        ),
    )
    direct = solve(problem)
    replayed = solve(load_problem(build_graph(problem).to_json()))
    assert [(a.mentor, a.family, a.slot) for a in replayed.assignments] == [
        (a.mentor, a.family, a.slot) for a in direct.assignments
    ]


def _two_districts() -> Any:
    from matching.bench import generate

    base = generate("district", 3)
    fams = base.families[:120]
    ments = tuple(m for m in base.mentors if m.kind == "volunteer")[:50]
    copies = [
        dataclasses.replace(m, id="S" + m.id, home_district="Swale", conflicts=frozenset())
        for m in ments
    ]
    fcopies = [dataclasses.replace(f, id="S" + f.id, district="Swale") for f in fams]
    return dataclasses.replace(
        base,
        mentors=ments + tuple(copies),
        families=fams + tuple(fcopies),
        active=(),
    )


def test_workers_do_not_change_the_plan() -> None:
    from matching import solver

    problem = _two_districts()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(solver, "BATCH_FAMILIES", 50)
        one = solve(problem)
        two = solve(problem, workers=2)
    assert one.stats["parts"] == 2
    assert one.to_json(timings=False) == two.to_json(timings=False)
    # Parts are independent: batching does not change the plan either.
    assert (
        solve(problem).to_json(timings=False)["assignments"]
        == one.to_json(timings=False)["assignments"]
    )


def test_time_limit_leaves_unsolved_parts_open() -> None:
    from matching.bench import generate

    problem = generate("district", 2)
    solution = solve(problem, time_limit=0.0)
    assert solution.status == "TIME_LIMIT"
    assert solution.assignments == []
    assert any("time limit" in r for u in solution.unmatched for r in u.reasons)


@SETTINGS
@given(st.integers(1, 40), st.lists(st.tuples(st.integers(0, 39), st.integers(0, 39)), max_size=60))
def test_components_match_a_plain_search(n: int, edges: list[tuple[int, int]]) -> None:
    edges = [(u % n, v % n) for u, v in edges]
    u = np.array([e[0] for e in edges], dtype=np.int64)
    v = np.array([e[1] for e in edges], dtype=np.int64)
    labels = components(n, u, v)
    # Reference: repeated relaxation to the smallest reachable node.
    ref = list(range(n))
    changed = True
    while changed:
        changed = False
        for a, b in edges:
            low = min(ref[a], ref[b])
            if ref[a] != low or ref[b] != low:
                ref[a] = ref[b] = low
                changed = True
    assert labels.tolist() == ref


def test_lexicographic_priority_beats_score_and_score_beats_balance() -> None:
    # m1 can take one family: the higher priority wins even with a lower score.
    data = {
        "mentors": [{"id": "m1", "kind": "volunteer", "capacity": 1}],
        "families": [{"id": "a", "priority": 5}, {"id": "b", "priority": 4}],
        "pairs": [
            {"mentor": "m1", "family": "a", "score": 1},
            {"mentor": "m1", "family": "b", "score": 100},
        ],
    }
    assert [a.family for a in solve(Graph.from_json(data)).assignments] == ["a"]
    # Two slots over two mentors: score first (both to m1), balance only breaks ties.
    data = {
        "mentors": [
            {"id": "m1", "kind": "volunteer", "capacity": 2},
            {"id": "m2", "kind": "volunteer", "capacity": 2},
        ],
        "families": [{"id": "a", "priority": 1}, {"id": "b", "priority": 1}],
        "pairs": [
            {"mentor": "m1", "family": "a", "score": 3},
            {"mentor": "m2", "family": "a", "score": 2},
            {"mentor": "m1", "family": "b", "score": 3},
            {"mentor": "m2", "family": "b", "score": 3},
        ],
        "weights": {"balance": 1},
    }
    solution = solve(Graph.from_json(data))
    assert solution.objective == {"priority_covered": 2, "total_score": 6, "balance_penalty": 2}
    assert {(a.family, a.mentor) for a in solution.assignments} == {("a", "m1"), ("b", "m2")}
    data["weights"] = {"balance": 0}
    assert solve(Graph.from_json(data)).objective["total_score"] == 6


def test_balance_counts_active_matches() -> None:
    # m1 already has two families: the new one goes to m2 (same score).
    data = {
        "mentors": [
            {"id": "m1", "kind": "volunteer", "capacity": 1, "load": 2},
            {"id": "m2", "kind": "volunteer", "capacity": 1},
        ],
        "families": [{"id": "a", "priority": 1}],
        "pairs": [
            {"mentor": "m1", "family": "a", "score": 4},
            {"mentor": "m2", "family": "a", "score": 4},
        ],
        "weights": {"balance": 2},
    }
    solution = solve(Graph.from_json(data))
    assert [a.mentor for a in solution.assignments] == ["m2"]
    assert solution.objective["balance_penalty"] == 2
