"""Typed input checks, and the benchmark's generator and baselines (at a small size)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from matching import (
    ActiveMatch,
    Family,
    Mentor,
    Preference,
    Problem,
    ProblemError,
    bench,
    build_graph,
    solve,
    validate_problem,
)


def test_mentor_and_family_check_their_fields() -> None:
    m = Mentor("M1", "volunteer", 2, "Dartford", skills=["housing"])  # type: ignore[arg-type]
    assert m.skills == frozenset({"housing"})
    with pytest.raises(ProblemError, match="mentor 'M1': capacity must be a non-negative integer"):
        Mentor("M1", "volunteer", -1, "Dartford")
    with pytest.raises(ProblemError, match="kind must be one of"):
        Mentor("M1", "staff", 1, "Dartford")  # type: ignore[arg-type]
    with pytest.raises(ProblemError, match="skills must be a list of strings"):
        Mentor("M1", "volunteer", 1, "Dartford", skills="housing")  # type: ignore[arg-type]
    with pytest.raises(ProblemError, match="tranche must be 1, 2 or 3"):
        Family("F1", "Dartford", tranche=0)
    with pytest.raises(ProblemError, match="waiting_days must be a non-negative integer"):
        Family("F1", "Dartford", waiting_days=-3)
    with pytest.raises(ProblemError, match="value must be a non-empty string"):
        Preference("", True)
    with pytest.raises(ProblemError, match="slot must be one of"):
        ActiveMatch("M1", "F1", "tutor")  # type: ignore[arg-type]


def test_problem_checks_ids_and_active_matches() -> None:
    m = Mentor("M1", "volunteer", 1, "Dartford")
    f = Family("F1", "Dartford")
    with pytest.raises(ProblemError, match="duplicate mentor id 'M1'"):
        solve(Problem((m, m), (f,)))
    with pytest.raises(ProblemError, match="duplicate family id 'F1'"):
        validate_problem(Problem((m,), (f, f)))
    with pytest.raises(ProblemError, match="unknown family 'F9'"):
        solve(Problem((m,), (f,), active=(ActiveMatch("M1", "F9", "mentor"),)))
    with pytest.raises(ProblemError, match="two active matches"):
        validate_problem(
            Problem(
                (m, dataclasses.replace(m, id="M2")),
                (f,),
                active=(ActiveMatch("M1", "F1", "mentor"), ActiveMatch("M2", "F1", "mentor")),
            )
        )
    with pytest.raises(ProblemError, match="needs a Problem or a Graph"):
        solve({"mentors": []})  # type: ignore[arg-type]


def _small(seed: int) -> Problem:
    problem = bench.generate("county", seed)
    fams = problem.families[:400]
    ids = {f.id for f in fams}
    districts = {f.district for f in fams}
    mentors = tuple(m for m in problem.mentors if m.home_district in districts)[:150]
    mids = {m.id for m in mentors}
    return dataclasses.replace(
        problem,
        mentors=mentors,
        families=fams,
        active=tuple(a for a in problem.active if a.family in ids and a.mentor in mids),
    )


def test_generated_instances_have_the_stated_shape() -> None:
    district = bench.generate("district", 1)
    assert len(district.families) == 1000
    assert sum(m.kind == "volunteer" for m in district.mentors) == 400
    assert sum(m.kind == "role_model" for m in district.mentors) == 60
    assert {m.capacity for m in district.mentors if m.kind == "volunteer"} == {1, 2, 3}
    assert bench.generate("district", 1) == district  # seeded


def test_optimum_is_never_worse_than_greedy_and_equals_scipy() -> None:
    problem = _small(5)
    solution = solve(problem)
    graph = build_graph(problem)
    mine = (
        solution.objective["priority_covered"],
        solution.objective["total_score"],
        solution.objective["balance_penalty"],
    )
    greedy = bench.greedy(graph)
    assert bench._lex_ge(mine, greedy)
    lsa = bench.lsa(graph, max_cells=20_000_000)
    assert lsa is not None
    assert lsa[0] == mine


def test_bench_report_and_child_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--child", "--only", "district", "--no-baselines", "--workers", "1"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "OPTIMAL"
    assert result["families"] == 1000
    result["greedy"] = [1, 1, 0]
    result["lsa"] = None
    result["lsa_note"] = "skipped"
    text = bench.report([result])
    assert "district: target solve < 0.3 s" in text
    assert "optimum >= greedy" in text
