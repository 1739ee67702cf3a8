"""Policy: which (mentor, family) pairs are allowed, their scores, priorities, reasons.

Two forms of the same rules:

- scalar functions (`rule_failures`, `score_breakdown`, `priority`) that judge
  one pair or one family, used for explanations and as the reference in tests;
- `matching.arrays.build_arrays`, which applies the same rules to every candidate
  pair at once with numpy; `matching.explain` turns them into sentences.

Hard rules: the mentor serves the family's district (home or a travel
district); a volunteer fills the mentor slot and a role model the role model
slot (only for a family that wants one); a family flagged for domestic abuse
only gets a mentor trained for it; a preference marked as a requirement
(gender, language) is met; no declared conflict of interest on either side.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

from matching.errors import SolverError
from matching.model import (
    SLOT_OF_KIND,
    Family,
    Mentor,
    Problem,
    SlotName,
    Weights,
)

I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
Bools = npt.NDArray[np.bool_]

Relation = Literal["home", "neighbour", "travel"]
RELATIONS: tuple[Relation, ...] = ("home", "neighbour", "travel")

# The hard rules, as codes (`rule_failures` returns them).
RULES: tuple[str, ...] = (
    "slot",
    "district",
    "domestic_abuse",
    "gender_required",
    "language_required",
    "conflict",
)

# Labels for the shared taxonomy; any other code is shown with spaces for underscores.
LABELS: Mapping[str, str] = {
    "debt_money": "debt and money management",
    "work_training": "work and training",
    "school_attendance": "school attendance",
    "parenting": "parenting",
    "housing": "housing",
    "alcohol_drugs": "alcohol and drugs",
    "health": "health and wellbeing",
    "domestic_abuse": "domestic abuse",
    "weekday_daytime": "weekday daytimes",
    "weekday_evening": "weekday evenings",
    "weekend": "weekends",
    "non_binary": "non-binary",
}

KIND_WORDS: Mapping[str, tuple[str, str]] = {
    "mentor": ("volunteer mentor", "volunteer mentors"),
    "role_model": ("role model", "role models"),
}


def label(code: str) -> str:
    """A code as a coordinator reads it."""
    return LABELS.get(code, code.replace("_", " "))


def join_words(words: Iterable[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(words)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


# --- Priority ------------------------------------------------------------------


def priority_terms(family: Family, weights: Weights) -> dict[str, int]:
    """The family's priority by term (see `Weights`)."""
    return {
        "base_priority": weights.base_priority,
        "tranche_3": weights.tranche_3 if family.tranche == 3 else 0,
        "waiting_week": weights.waiting_week
        * min(family.waiting_days // 7, weights.max_waiting_weeks),
        "criterion": weights.criterion * min(family.criteria_met, weights.max_criteria),
    }


def priority(family: Family, weights: Weights) -> int:
    """The integer weight of each of the family's slots: tranche 3, then waiting, then criteria."""
    return (
        weights.base_priority
        + (weights.tranche_3 if family.tranche == 3 else 0)
        + weights.waiting_week * min(family.waiting_days // 7, weights.max_waiting_weeks)
        + weights.criterion * min(family.criteria_met, weights.max_criteria)
    )


def _priorities(families: Sequence[Family], weights: Weights) -> I64:
    """`priority` of many families at once."""
    n = len(families)
    rows = np.array(
        [(f.tranche, f.waiting_days, f.criteria_met) for f in families], dtype=np.int64
    ).reshape(n, 3)
    return np.asarray(
        weights.base_priority
        + np.where(rows[:, 0] == 3, weights.tranche_3, 0)
        + weights.waiting_week * np.minimum(rows[:, 1] // 7, weights.max_waiting_weeks)
        + weights.criterion * np.minimum(rows[:, 2], weights.max_criteria),
        dtype=np.int64,
    )


def priority_line(family: Family, weights: Weights, value: int | None = None) -> str:
    """'Priority 487: tranche 3, waiting 12 weeks, 2 criteria met' (`value`: the priority,
    if already known)."""
    weeks = family.waiting_days // 7
    return (
        f"Priority {priority(family, weights) if value is None else value}: "
        f"tranche {family.tranche}, "
        f"waiting {weeks} {_plural(weeks, 'week', 'weeks')}, "
        f"{family.criteria_met} {_plural(family.criteria_met, 'criterion', 'criteria')} met"
    )


# --- Scalar rules and scores ------------------------------------------------------


def symmetric_neighbours(neighbours: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Neighbourhood as a symmetric relation: b neighbours a if either side lists it."""
    out: dict[str, set[str]] = defaultdict(set)
    for district, near in neighbours.items():
        for other in near:
            if other != district:
                out[district].add(other)
                out[other].add(district)
    return {k: frozenset(v) for k, v in out.items()}


def relation(
    mentor: Mentor, district: str, neighbours: Mapping[str, frozenset[str]]
) -> Relation | None:
    """How the mentor serves a district: home, a neighbouring travel district, another one."""
    if mentor.home_district == district:
        return "home"
    if district in mentor.travel_districts:
        near = neighbours.get(mentor.home_district, frozenset())
        return "neighbour" if district in near else "travel"
    return None


def rule_failures(
    mentor: Mentor,
    family: Family,
    slot: SlotName,
    neighbours: Mapping[str, frozenset[str]],
) -> list[str]:
    """The hard rules the pair breaks for this slot (codes from `RULES`); empty if allowed.

    `neighbours` must be symmetric (see `symmetric_neighbours`); it does not
    change eligibility, only the district score.
    """
    failures = []
    wanted = family.needs_mentor if slot == "mentor" else family.wants_role_model
    if SLOT_OF_KIND[mentor.kind] != slot or not wanted:
        failures.append("slot")
    if relation(mentor, family.district, neighbours) is None:
        failures.append("district")
    if family.domestic_abuse and not mentor.domestic_abuse_trained:
        failures.append("domestic_abuse")
    pref = family.gender_preference
    if pref is not None and pref.required and mentor.gender != pref.value:
        failures.append("gender_required")
    pref = family.language_preference
    if pref is not None and pref.required and pref.value not in mentor.languages:
        failures.append("language_required")
    if family.id in mentor.conflicts or mentor.id in family.conflicts:
        failures.append("conflict")
    return failures


def score_breakdown(
    mentor: Mentor,
    family: Family,
    weights: Weights,
    neighbours: Mapping[str, frozenset[str]],
) -> dict[str, int]:
    """The pair's score by term (every term of `SCORE_TERMS`); the score is their sum."""
    rel = relation(mentor, family.district, neighbours)
    gender = family.gender_preference
    language = family.language_preference
    overlap = len(family.availability & mentor.availability)
    return {
        "need_covered": weights.need_covered * len(family.needs & mentor.skills),
        "shared_language": weights.shared_language if family.languages & mentor.languages else 0,
        "same_district": weights.same_district if rel == "home" else 0,
        "neighbouring_district": weights.neighbouring_district if rel == "neighbour" else 0,
        "other_travel_district": weights.other_travel_district if rel == "travel" else 0,
        "availability_overlap": weights.availability_overlap
        * min(overlap, weights.availability_cap),
        "gender_wish": weights.gender_wish
        if gender is not None and not gender.required and mentor.gender == gender.value
        else 0,
        "language_wish": weights.language_wish
        if language is not None and not language.required and language.value in mentor.languages
        else 0,
    }


# Columns of `PolicyArrays.counts`: per slot, how many mentors of the slot's kind
# serve the family's district, how many of those break each rule, how many are eligible.
SERVING, DA_FAIL, GENDER_FAIL, LANGUAGE_FAIL, CONFLICT_FAIL, ELIGIBLE = range(6)


def open_slots(family: Family, filled: Mapping[str, frozenset[str]]) -> list[SlotName]:
    """The family's slots to fill: wanted, and not filled by an active match."""
    taken = filled.get(family.id, frozenset())
    out: list[SlotName] = []
    if family.needs_mentor and "mentor" not in taken:
        out.append("mentor")
    if family.wants_role_model and "role_model" not in taken:
        out.append("role_model")
    return out


def active_state(problem: Problem) -> tuple[dict[str, int], dict[str, frozenset[str]]]:
    """Each mentor's number of active matches, and each family's slots they fill."""
    load: dict[str, int] = defaultdict(int)
    filled: dict[str, set[str]] = defaultdict(set)
    for a in problem.active:
        load[a.mentor] += 1
        filled[a.family].add(a.slot)
    return dict(load), {k: frozenset(v) for k, v in filled.items()}


def check_breakdown(breakdown: Mapping[str, int], score: int, who: str) -> None:
    """Guard: the scalar breakdown must add up to the vectorised score."""
    if sum(breakdown.values()) != score:
        raise SolverError(
            f"internal error: score of {who} is {score} but its terms add up "
            f"to {sum(breakdown.values())}"
        )
