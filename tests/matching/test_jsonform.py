"""The JSON forms (attribute and replay) and the command line."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from matching import (
    Graph,
    Problem,
    ProblemError,
    build_graph,
    load_problem,
    problem_to_json,
    solve,
)
from matching.__main__ import main
from tests.matching.helpers import SETTINGS, problems

REPLAY: dict[str, Any] = {
    "mentors": [
        {"id": "m1", "capacity": 2, "kind": "volunteer"},
        {"id": "r1", "capacity": 1, "kind": "role_model"},
    ],
    "families": [{"id": "f1", "priority": 3}, {"id": "f2", "priority": 1}],
    "pairs": [
        {"mentor": "m1", "family": "f1", "score": 57},
        {"mentor": "r1", "family": "f1", "score": 20},
    ],
    "weights": {"balance": 0},
}

ATTRIBUTES: dict[str, Any] = {
    "mentors": [
        {
            "id": "M-0001",
            "kind": "volunteer",
            "capacity": 2,
            "home_district": "Dartford",
            "travel_districts": ["Gravesham"],
            "skills": ["housing"],
            "languages": ["English"],
            "availability": ["weekend"],
            "gender": "female",
            "domestic_abuse_trained": True,
            "conflicts": [],
        },
        {"id": "R-0001", "kind": "role_model", "capacity": 1, "home_district": "Gravesham"},
    ],
    "families": [
        {
            "id": "DAR-0001",
            "district": "Dartford",
            "needs": ["housing", "parenting"],
            "tranche": 3,
            "waiting_days": 30,
            "criteria_met": 2,
            "domestic_abuse": True,
            "wants_role_model": True,
            "gender_preference": {"value": "female", "required": True},
            "history": ["Previous mentor M-0012 left; needs handover"],
        },
        {"id": "GRA-0002", "district": "Gravesham", "wants_role_model": True},
    ],
    "weights": {"balance": 1, "need_covered": 12},
    "neighbours": {"Dartford": ["Gravesham"]},
    "active": [],
}


def test_the_minimal_replay_form_solves_as_in_the_issue() -> None:
    solution = solve(load_problem(REPLAY))
    out = solution.to_json()
    assert out["status"] == "OPTIMAL"
    assert [(a["mentor"], a["family"], a["slot"], a["score"]) for a in out["assignments"]] == [
        ("m1", "f1", "mentor", 57),
        ("r1", "f1", "role_model", 20),
    ]
    assert out["objective"]["priority_covered"] == 6  # f1's priority once per slot filled
    assert out["objective"]["total_score"] == 77
    assert [(u["family"], u["slot"]) for u in out["unmatched"]] == [("f2", "mentor")]
    assert out["unmatched"][0]["reasons"]


def test_the_attribute_form_round_trips() -> None:
    problem = load_problem(ATTRIBUTES)
    assert isinstance(problem, Problem)
    assert load_problem(problem_to_json(problem)) == problem
    out = solve(problem).to_json()
    assert {(a["mentor"], a["family"], a["slot"]) for a in out["assignments"]} == {
        ("M-0001", "DAR-0001", "mentor"),
        ("M-0001", "GRA-0002", "mentor"),
        ("R-0001", "GRA-0002", "role_model"),
    }
    # R-0001 does not serve Dartford; DAR-0001's role model slot is explained.
    [u] = out["unmatched"]
    assert u["family"] == "DAR-0001" and u["slot"] == "role_model"
    assert u["reasons"][-1] == "Previous mentor M-0012 left; needs handover"


@SETTINGS
@given(problems())
def test_every_problem_round_trips_through_json(problem: Problem) -> None:
    data = json.loads(json.dumps(problem_to_json(problem)))
    assert load_problem(data) == problem
    graph_json = json.loads(json.dumps(build_graph(problem).to_json()))
    again = load_problem(graph_json)
    assert isinstance(again, Graph)
    assert again.to_json() == graph_json


def test_the_replay_form_without_breakdowns_gives_the_same_plan() -> None:
    problem = load_problem(ATTRIBUTES)
    assert isinstance(problem, Problem)
    lean = build_graph(problem).to_json(breakdowns=False)
    assert all("breakdown" not in p for p in lean["pairs"])
    replayed = solve(load_problem(lean))
    direct = solve(problem)
    assert [(a.mentor, a.family, a.slot, a.score) for a in replayed.assignments] == [
        (a.mentor, a.family, a.slot, a.score) for a in direct.assignments
    ]
    assert all(a.breakdown == {"score": a.score} for a in replayed.assignments)


def _broken(path: str, value: Any, base: dict[str, Any] | None = None) -> dict[str, Any]:
    data = copy.deepcopy(base if base is not None else REPLAY)
    target: Any = data
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is _DELETE:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "problem: must be an object"),
        (_broken("pairs.0.mentor", "m9"), "pairs[0].mentor: unknown mentor 'm9'"),
        (_broken("pairs.0.family", "f9"), "pairs[0].family: unknown family 'f9'"),
        (_broken("mentors.1.id", "m1"), "mentors: duplicate id 'm1'"),
        (_broken("families.1.id", "f1"), "families: duplicate id 'f1'"),
        (_broken("mentors.0.capacity", -1), "mentors[0].capacity: must be a non-negative integer"),
        (_broken("mentors.0.capacity", "2"), "mentors[0].capacity: must be a non-negative integer"),
        (_broken("mentors.0.kind", "staff"), "mentors[0].kind: must be one of"),
        (_broken("families.0.priority", 1.5), "families[0].priority: must be a non-negative"),
        (_broken("pairs.0.score", None), "pairs[0].score: must be a non-negative integer"),
        (_broken("pairs.0.score", 2**70), "pairs[0].score: too large"),
        (_broken("pairs.0.mentor", ["m1"]), "pairs[0].mentor: must be a non-empty string"),
        (
            _broken("pairs.0.breakdown", {"need_covered": 50}),
            "pairs[0].breakdown: terms add up to 50, not the score 57",
        ),
        (_broken("pairs", {}), "pairs: must be a list"),
        (_broken("weights", {"balanse": 1}), "weights: unknown weight 'balanse'"),
        (_broken("mentors.0.capcity", 2), "mentors[0]: unknown field 'capcity'"),
        (_broken("mentors.0.id", _DELETE), "mentors[0]: missing field 'id'"),
        (
            _broken("families.1.slots", ["mentor"], _broken("pairs.1.family", "f2")),
            "pairs[1]: family 'f2' has no role model slot",
        ),
        (_broken("families.0.slots", ["tutor"]), "families[0].slots: unknown slot 'tutor'"),
        (
            _broken("pairs.1", {"mentor": "m1", "family": "f1", "score": 3}),
            "pairs: duplicate pair 'm1'-'f1'",
        ),
        (
            _broken("mentors.0.capacity", -2, ATTRIBUTES),
            "mentors[0].capacity: must be a non-negative integer",
        ),
        (_broken("families.0.tranche", 4, ATTRIBUTES), "families[0].tranche: must be 1, 2 or 3"),
        (
            _broken("families.0.needs", "housing", ATTRIBUTES),
            "families[0].needs: must be a list",
        ),
        (
            _broken("families.1.id", "DAR-0001", ATTRIBUTES),
            "duplicate family id 'DAR-0001'",
        ),
        (
            _broken(
                "active", [{"mentor": "M-9", "family": "DAR-0001", "slot": "mentor"}], ATTRIBUTES
            ),
            "active match: unknown mentor 'M-9'",
        ),
        (
            _broken(
                "active", [{"mentor": "R-0001", "family": "DAR-0001", "slot": "mentor"}], ATTRIBUTES
            ),
            "a role model cannot fill the mentor slot",
        ),
        (
            _broken(
                "families.0.gender_preference", {"value": "female", "required": "yes"}, ATTRIBUTES
            ),
            "families[0].gender_preference.required: must be true or false",
        ),
    ],
)
def test_bad_input_names_the_problem(data: Any, message: str) -> None:
    with pytest.raises(ProblemError) as raised:
        load_problem(data)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


# --- The command line -------------------------------------------------------------------------


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_solves_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(REPLAY))
    code, out, err = _run(["solve", str(path)], capsys)
    assert code == 0 and err == ""
    result = json.loads(out)
    assert result["status"] == "OPTIMAL"
    assert result["objective"]["priority_covered"] == 6
    assert set(result["timings"]) == {
        "build_seconds",
        "solve_seconds",
        "explain_seconds",
        "wall_seconds",
    }


def test_cli_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(ATTRIBUTES)))
    code, out, _err = _run(["solve", "-", "--compact", "--no-timings"], capsys)
    assert code == 0
    assert "timings" not in json.loads(out)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON: Expecting property name enclosed in double quotes"),
        ("", "is not valid JSON"),
        (json.dumps(_broken("pairs.0.mentor", "m9")), "unknown mentor 'm9'"),
        (json.dumps(_broken("mentors.1.id", "m1")), "duplicate id 'm1'"),
        (json.dumps(_broken("mentors.0.capacity", -1)), "capacity: must be a non-negative"),
        (json.dumps(_broken("mentors", "m1")), "mentors: must be a list"),
        ("[" * 100_000, "is not valid JSON"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    code, out, err = _run(["solve", str(path)], capsys)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1
    assert message in err


def test_cli_missing_file_and_bad_usage(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run(["solve", "/nonexistent/problem.json"], capsys)
    assert code == 2 and err.startswith("error: cannot read") and err.count("\n") == 1
    with pytest.raises(SystemExit) as raised:
        main(["frobnicate"])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_cli_as_a_process_never_shows_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"mentors": [{"id": 1}], "families": [], "pairs": []}')
    done = subprocess.run(
        [sys.executable, "-m", "matching", "solve", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
    good = tmp_path / "good.json"
    good.write_text(json.dumps(REPLAY))
    done = subprocess.run(
        [sys.executable, "-m", "matching", "solve", str(good)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "OPTIMAL"
