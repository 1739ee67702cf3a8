"""Recruitment planning: every figure claimed is the optimum of the extended problem."""

from __future__ import annotations

import io
import itertools
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given

from matching import Family, Mentor, Problem, ProblemError, Weights, problem_to_json, solve
from matching.__main__ import main
from matching.recruit import Evaluator, candidates, evaluate_set, plan, waiting_slots
from tests.matching.helpers import SETTINGS, problems


def _figures(problem: Problem, extra: list[Mentor]) -> tuple[int, int, int, set[str]]:
    solution = solve(replace(problem, mentors=problem.mentors + tuple(extra)))
    served = {(a.family, a.slot) for a in solution.assignments}
    return (
        solution.objective["priority_covered"],
        len(solution.assignments),
        solution.objective["total_score"],
        served,  # type: ignore[return-value]
    )


@SETTINGS
@given(problems(max_mentors=4, max_families=7))
def test_adding_the_proposed_mentors_and_solving_again_reproduces_every_figure(
    problem: Problem,
) -> None:
    result = plan(problem, budget=3).to_json()
    prio, filled, score, served = _figures(problem, [])
    assert result["before"] == {
        "priority_covered": prio,
        "slots_filled": filled,
        "total_score": score,
    }
    extra: list[Mentor] = []
    used = {m.id for m in problem.mentors}
    for step in result["steps"]:
        m = step["mentor"]
        assert m["id"] not in used and not m["conflicts"]
        used.add(m["id"])
        assert len(m["languages"]) <= 2 and len(m["skills"]) <= 3
        assert len(m["availability"]) <= 2 and 1 <= m["capacity"] <= 2
        near = {d for k, v in problem.neighbours.items() for d in v if k == m["home_district"]}
        near |= {k for k, v in problem.neighbours.items() if m["home_district"] in v}
        assert set(m["travel_districts"]) <= near
        extra.append(Mentor(**m))
        now_prio, now_filled, now_score, now_served = _figures(problem, extra)
        assert (step["priority_covered"], step["slots_filled"], step["total_score"]) == (
            now_prio,
            now_filled,
            now_score,
        )
        assert now_prio > prio  # each recruit serves more families
        assert step["families"] == sorted({f for f, _ in now_served - served})
        prio, score, served = now_prio, now_score, now_served
    for up in result["upskill"]:
        mentors = tuple(
            replace(x, domestic_abuse_trained=True) if x.id == up["mentor"] else x
            for x in problem.mentors
        )
        trained = solve(replace(problem, mentors=mentors))
        assert up["priority_covered"] == trained.objective["priority_covered"]
        assert up["slots_filled"] == len(trained.assignments)


@SETTINGS
@given(problems(max_mentors=3, max_families=6))
def test_the_first_recruit_is_the_best_single_candidate(problem: Problem) -> None:
    ev = Evaluator()
    before = ev.optimum(problem)
    pool = candidates(problem, waiting_slots(problem, before), 2)
    best = max(
        [(before.priority_covered, before.total_score)]
        + [evaluate_set(problem, [m], ev).key() for m in pool]
    )
    steps = plan(problem, budget=1).steps
    got = steps[0].optimum.key() if steps else (before.priority_covered, before.total_score)
    assert got[0] == best[0]


def _tiny() -> Problem:
    return Problem(
        mentors=(Mentor("M-0031", "volunteer", 2, "Swale"),),
        families=(
            Family("SW-1", "Swale", needs=frozenset({"housing"}), domestic_abuse=True),
            Family("SW-2", "Swale", needs=frozenset({"parenting"})),
            Family("SW-3", "Swale", needs=frozenset({"housing"})),
            Family("TH-1", "Thanet", needs=frozenset({"housing"}), waiting_days=70),
        ),
        weights=Weights(),
        neighbours={"Swale": frozenset({"Thanet"})},
    )


def test_a_plan_recruits_where_families_wait_and_trains_a_mentor_with_room() -> None:
    result = plan(_tiny(), budget=2)
    assert result.before.slots_filled == 2
    first = result.steps[0]
    assert first.families == ("SW-1", "TH-1")
    assert first.mentor.domestic_abuse_trained
    assert first.optimum.slots_filled == 4
    assert len(result.steps) == 1  # nobody is left waiting: the plan stops early
    assert [u.mentor for u in result.upskill] == []  # M-0031 is full


def test_a_mentor_with_room_is_suggested_for_domestic_abuse_training() -> None:
    problem = replace(_tiny(), mentors=(Mentor("M-0031", "volunteer", 3, "Swale"),))
    up = plan(problem, budget=0).upskill
    assert [(u.mentor, u.module, u.families) for u in up] == [
        ("M-0031", "domestic_abuse", ("SW-1",))
    ]


def test_the_same_problem_gives_the_same_plan() -> None:
    one = json.dumps(plan(_tiny(), budget=3).to_json())
    shuffled = replace(_tiny(), families=tuple(reversed(_tiny().families)))
    assert json.dumps(plan(shuffled, budget=3).to_json()) == one


@pytest.mark.parametrize(
    ("budget", "capacity", "message"),
    [(-1, 2, "budget"), (51, 2, "budget"), (2, 0, "capacity"), (2, 11, "capacity")],
)
def test_budget_and_capacity_out_of_range_are_refused(
    budget: int, capacity: int, message: str
) -> None:
    with pytest.raises(ProblemError, match=message):
        plan(_tiny(), budget=budget, capacity=capacity)


def test_profiles_keep_to_the_limits() -> None:
    problem = _tiny()
    pool = candidates(problem, waiting_slots(problem, Evaluator().optimum(problem)), 3)
    assert pool and all(m.capacity == 3 for m in pool)
    assert {m.home_district for m in pool} <= {"Swale", "Thanet"}
    assert all(m.travel_districts <= {"Swale", "Thanet"} - {m.home_district} for m in pool)
    assert not list(itertools.chain.from_iterable(m.conflicts for m in pool))


# --- The command line -------------------------------------------------------------------------


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_prints_the_plan_and_the_same_input_gives_the_same_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem_to_json(_tiny())))
    code, out, err = _cli(["recruit", str(path), "--budget", "2", "--capacity", "2"], capsys)
    assert code == 0 and err == ""
    result = json.loads(out)
    assert result["status"] == "OPTIMAL"
    assert result["before"]["priority_covered"] == 802
    assert result["steps"][0]["mentor"]["id"] == "NEW-01"
    assert result["steps"][0]["families"] == ["SW-1", "TH-1"]
    monkeypatch.setattr(sys, "stdin", io.StringIO(path.read_text()))
    code, again, _err = _cli(["recruit", "-", "--budget", "2"], capsys)
    assert code == 0 and again == out


@pytest.mark.parametrize(
    ("args", "content", "message"),
    [
        (["--budget", "2"], "{not json", "is not valid JSON"),
        (["--budget", "-1"], None, "budget must be a whole number from 0 to 50"),
        (["--budget", "51"], None, "budget must be a whole number from 0 to 50"),
        (["--budget", "two"], None, "invalid int value"),
        (["--budget", "2", "--capacity", "0"], None, "capacity must be a whole number"),
        (["--budget", "2", "--capacity", "11"], None, "capacity must be a whole number"),
        ([], None, "--budget"),
        (["--budget", "1"], '{"mentors": [], "families": [], "pairs": []}', "replay form"),
    ],
)
def test_cli_refuses_bad_input_in_one_line_with_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    content: str | None,
    message: str,
) -> None:
    path = tmp_path / "problem.json"
    path.write_text(content if content is not None else json.dumps(problem_to_json(_tiny())))
    try:
        code, out, err = _cli(["recruit", str(path), *args], capsys)
    except SystemExit as exit_:  # argparse usage errors
        code, (out, err) = int(str(exit_.code)), capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1
    assert message in err


def test_cli_unreadable_file_is_refused_as_a_process_without_a_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "matching", "recruit", "/nonexistent.json", "--budget", "1"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: cannot read") and "Traceback" not in done.stderr
