"""The JSON form of a problem: attributes (mentors, families, weights) or the replay graph.

`load_problem` reads either (a `pairs` key means the replay form) and raises
`ProblemError` with one line naming the first problem; `problem_to_json`
writes the attribute form back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matching.errors import ProblemError
from matching.graph import Graph, _count, _keys, _list, _obj, _str, _texts
from matching.model import (
    ActiveMatch,
    Family,
    Mentor,
    Preference,
    Problem,
    Weights,
    validate_problem,
)

_MENTOR_FIELDS = {
    "travel_districts",
    "skills",
    "languages",
    "availability",
    "gender",
    "domestic_abuse_trained",
    "conflicts",
}
_FAMILY_FIELDS = {
    "needs",
    "languages",
    "availability",
    "tranche",
    "waiting_days",
    "criteria_met",
    "domestic_abuse",
    "wants_role_model",
    "needs_mentor",
    "gender_preference",
    "language_preference",
    "conflicts",
    "history",
}


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ProblemError(f"{where}: must be true or false, got {value!r}")
    return value


def _pref(value: Any, where: str) -> Preference | None:
    if value is None:
        return None
    obj = _obj(value, where)
    _keys(obj, where, {"value"}, {"required"})
    return Preference(
        _str(obj["value"], f"{where}.value"), _bool(obj.get("required", False), f"{where}.required")
    )


def _mentor(data: Any, where: str) -> Mentor:
    m = _obj(data, where)
    _keys(m, where, {"id", "kind", "capacity", "home_district"}, _MENTOR_FIELDS)
    gender = m.get("gender")
    if gender is not None:
        gender = _str(gender, f"{where}.gender")
    kind = m["kind"]
    if kind not in ("volunteer", "role_model"):
        raise ProblemError(f"{where}.kind: must be 'volunteer' or 'role_model', got {kind!r}")
    return Mentor(
        id=_str(m["id"], f"{where}.id"),
        kind=kind,
        capacity=_count(m["capacity"], f"{where}.capacity"),
        home_district=_str(m["home_district"], f"{where}.home_district"),
        travel_districts=frozenset(
            _texts(m.get("travel_districts", []), f"{where}.travel_districts")
        ),
        skills=frozenset(_texts(m.get("skills", []), f"{where}.skills")),
        languages=frozenset(_texts(m.get("languages", []), f"{where}.languages")),
        availability=frozenset(_texts(m.get("availability", []), f"{where}.availability")),
        gender=gender,
        domestic_abuse_trained=_bool(
            m.get("domestic_abuse_trained", False), f"{where}.domestic_abuse_trained"
        ),
        conflicts=frozenset(_texts(m.get("conflicts", []), f"{where}.conflicts")),
    )


def _family(data: Any, where: str) -> Family:
    f = _obj(data, where)
    _keys(f, where, {"id", "district"}, _FAMILY_FIELDS)
    tranche = f.get("tranche", 3)
    if not isinstance(tranche, int) or isinstance(tranche, bool) or tranche not in (1, 2, 3):
        raise ProblemError(f"{where}.tranche: must be 1, 2 or 3, got {tranche!r}")
    return Family(
        id=_str(f["id"], f"{where}.id"),
        district=_str(f["district"], f"{where}.district"),
        needs=frozenset(_texts(f.get("needs", []), f"{where}.needs")),
        languages=frozenset(_texts(f.get("languages", []), f"{where}.languages")),
        availability=frozenset(_texts(f.get("availability", []), f"{where}.availability")),
        tranche=tranche,
        waiting_days=_count(f.get("waiting_days", 0), f"{where}.waiting_days"),
        criteria_met=_count(f.get("criteria_met", 0), f"{where}.criteria_met"),
        domestic_abuse=_bool(f.get("domestic_abuse", False), f"{where}.domestic_abuse"),
        wants_role_model=_bool(f.get("wants_role_model", False), f"{where}.wants_role_model"),
        needs_mentor=_bool(f.get("needs_mentor", True), f"{where}.needs_mentor"),
        gender_preference=_pref(f.get("gender_preference"), f"{where}.gender_preference"),
        language_preference=_pref(f.get("language_preference"), f"{where}.language_preference"),
        conflicts=frozenset(_texts(f.get("conflicts", []), f"{where}.conflicts")),
        history=tuple(_texts(f.get("history", []), f"{where}.history")),
    )


def _problem(data: Mapping[str, Any]) -> Problem:
    _keys(data, "problem", {"mentors", "families"}, {"weights", "neighbours", "active"})
    mentors = tuple(
        _mentor(m, f"mentors[{i}]") for i, m in enumerate(_list(data["mentors"], "mentors"))
    )
    families = tuple(
        _family(f, f"families[{i}]") for i, f in enumerate(_list(data["families"], "families"))
    )
    weights = Weights.from_dict(_obj(data.get("weights", {}), "weights"))
    neighbours = {
        _str(k, "neighbours"): frozenset(_texts(v, f"neighbours.{k}"))
        for k, v in _obj(data.get("neighbours", {}), "neighbours").items()
    }
    active = []
    for i, a in enumerate(_list(data.get("active", []), "active")):
        where = f"active[{i}]"
        obj = _obj(a, where)
        _keys(obj, where, {"mentor", "family", "slot"}, set())
        slot = obj["slot"]
        if slot not in ("mentor", "role_model"):
            raise ProblemError(f"{where}.slot: must be 'mentor' or 'role_model', got {slot!r}")
        active.append(
            ActiveMatch(
                _str(obj["mentor"], f"{where}.mentor"), _str(obj["family"], f"{where}.family"), slot
            )
        )
    problem = Problem(mentors, families, weights, neighbours, tuple(active))
    validate_problem(problem)
    return problem


def load_problem(data: Any) -> Problem | Graph:
    """Read a problem from its JSON form (decoded): attribute form, or replay form if it
    has `pairs`. Raises `ProblemError` (one line, naming the problem) on bad input."""
    obj = _obj(data, "problem")
    if "pairs" in obj:
        return Graph.from_json(obj)
    return _problem(obj)


def mentor_to_json(m: Mentor) -> dict[str, Any]:
    """A mentor in the attribute form."""
    return {
        "id": m.id,
        "kind": m.kind,
        "capacity": m.capacity,
        "home_district": m.home_district,
        "travel_districts": sorted(m.travel_districts),
        "skills": sorted(m.skills),
        "languages": sorted(m.languages),
        "availability": sorted(m.availability),
        "gender": m.gender,
        "domestic_abuse_trained": m.domestic_abuse_trained,
        "conflicts": sorted(m.conflicts),
    }


def problem_to_json(problem: Problem) -> dict[str, Any]:
    """The attribute form of a problem (what `load_problem` reads)."""

    def pref(p: Preference | None) -> dict[str, Any] | None:
        return None if p is None else {"value": p.value, "required": p.required}

    return {
        "mentors": [mentor_to_json(m) for m in problem.mentors],
        "families": [
            {
                "id": f.id,
                "district": f.district,
                "needs": sorted(f.needs),
                "languages": sorted(f.languages),
                "availability": sorted(f.availability),
                "tranche": f.tranche,
                "waiting_days": f.waiting_days,
                "criteria_met": f.criteria_met,
                "domestic_abuse": f.domestic_abuse,
                "wants_role_model": f.wants_role_model,
                "needs_mentor": f.needs_mentor,
                "gender_preference": pref(f.gender_preference),
                "language_preference": pref(f.language_preference),
                "conflicts": sorted(f.conflicts),
                "history": list(f.history),
            }
            for f in problem.families
        ],
        "weights": problem.weights.to_dict(),
        "neighbours": {k: sorted(v) for k, v in sorted(problem.neighbours.items())},
        "active": [
            {"mentor": a.mentor, "family": a.family, "slot": a.slot} for a in problem.active
        ],
    }


__all__ = ["load_problem", "mentor_to_json", "problem_to_json"]
