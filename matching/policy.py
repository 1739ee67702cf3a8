"""Policy: which (mentor, family) pairs are allowed, their scores, priorities, reasons.

Two forms of the same rules:

- scalar functions (`rule_failures`, `score_breakdown`, `priority`) that judge
  one pair or one family, used for explanations and as the reference in tests;
- `build_arrays`, which applies the same rules to every candidate pair at once
  with numpy (a district's families against the mentors serving it), so that a
  national problem is built without a Python loop per pair.

Hard rules: the mentor serves the family's district (home or a travel
district); a volunteer fills the mentor slot and a role model the role model
slot (only for a family that wants one); a family flagged for domestic abuse
only gets a mentor trained for it; a preference marked as a requirement
(gender, language) is met; no declared conflict of interest on either side.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from matching.errors import SolverError
from matching.model import (
    KIND_OF_SLOT,
    KINDS,
    SCORE_TERMS,
    SLOT_OF_KIND,
    SLOTS,
    Family,
    Mentor,
    Problem,
    SlotName,
    Weights,
    validate_problem,
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


def _points(n: int) -> str:
    return f"(+{n} point)" if n == 1 else f"(+{n} points)"


@lru_cache(maxsize=8192)
def _words(codes: frozenset[str]) -> str:
    """Codes as sorted labels: 'a', 'a and b', 'a, b and c'."""
    items = sorted([LABELS.get(c) or c.replace("_", " ") for c in codes])
    if len(items) <= 1:
        return "".join(items)
    if any(" and " in item for item in items):  # 'housing, work and training'
        return ", ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def explain_pair(
    mentor: Mentor,
    family: Family,
    weights: Weights,
    neighbours: Mapping[str, frozenset[str]],
    *,
    load_after: int,
    capacity: int,
    breakdown: Mapping[str, int] | None = None,
    priority_text: str | None = None,
) -> list[str]:
    """Plain-English lines on why this mentor suits this family, with the points of each.

    `breakdown` and `priority_text`, when given, save recomputing them.
    """
    b = breakdown if breakdown is not None else score_breakdown(mentor, family, weights, neighbours)
    lines = [priority_text or priority_line(family, weights)]
    needs = family.needs
    if needs:
        covered = needs & mentor.skills
        n = len(needs)
        noun = "need" if n == 1 else "needs"
        if covered:
            lines.append(
                f"Covers {len(covered)} of {n} {noun}: {_words(covered)} "
                f"{_points(b['need_covered'])}"
            )
        else:
            lines.append(f"Covers none of the family's {n} {noun}")
    shared = family.languages & mentor.languages
    if shared:
        lines.append(
            f"Shares a language with the family: {_words(shared)} {_points(b['shared_language'])}"
        )
    d, home = family.district, mentor.home_district
    if home == d:
        lines.append(f"Lives in {d}, the family's district {_points(b['same_district'])}")
    elif d in neighbours.get(home, ()):
        lines.append(
            f"Travels to {d}, a neighbour of their home district {home} "
            f"{_points(b['neighbouring_district'])}"
        )
    else:
        lines.append(f"Travels to {d} from {home} {_points(b['other_travel_district'])}")
    overlap = family.availability & mentor.availability
    if overlap:
        lines.append(
            f"Available at the same times: {_words(overlap)} {_points(b['availability_overlap'])}"
        )
    elif family.availability and mentor.availability:
        lines.append("No availability in common")
    gender = family.gender_preference
    if gender is not None:
        g = label(gender.value)
        if gender.required:
            lines.append(f"Is {g}, as the family requires")
        elif mentor.gender == gender.value:
            lines.append(f"Is {g}, as the family wished {_points(b['gender_wish'])}")
        else:
            lines.append(f"Is not {g}, the family's wish")
    language = family.language_preference
    if language is not None:
        lang = language.value
        if language.required:
            lines.append(f"Speaks {lang}, as the family requires")
        elif lang in mentor.languages:
            lines.append(f"Speaks {lang}, as the family wished {_points(b['language_wish'])}")
        else:
            lines.append(f"Does not speak {lang}, the family's wish")
    if family.domestic_abuse:
        lines.append("Trained for domestic abuse, which this family needs")
    lines.append(f"Mentor's families after this run: {load_after} of {capacity}")
    lines.extend(family.history)
    return lines


class PairLines:
    """`explain_pair` for many pairs of one problem, each kind of line made once.

    Pairs mostly share their sets (needs and skills, languages, availability), so
    each line is kept by what decides it; equal lines are then one string object
    (which also keeps results small to pass between processes). `terms` are the
    pair's score terms in `SCORE_TERMS` order. The output equals `explain_pair`'s.
    """

    def __init__(self, weights: Weights, neighbours: Mapping[str, frozenset[str]]) -> None:
        self.weights = weights
        self.neighbours = neighbours
        self._priority: dict[tuple[int, int, int, int], str] = {}
        self._needs: dict[tuple[frozenset[str], frozenset[str], int], str] = {}
        self._langs: dict[tuple[frozenset[str], frozenset[str], int], str | None] = {}
        self._district: dict[tuple[str, str, int], str] = {}
        self._avail: dict[tuple[frozenset[str], frozenset[str], int], str | None] = {}
        self._prefs: dict[tuple[str, str, bool, bool, int], str] = {}
        self._load: dict[tuple[int, int], str] = {}
        self._seen: dict[str, str] = {}  # equal lines made from different keys: one object

    def _one(self, line: str) -> str:
        return self._seen.setdefault(line, line)

    def priority(self, family: Family, value: int) -> str:
        """`priority_line(family, weights, value)`, one string per distinct line."""
        key = (value, family.tranche, family.waiting_days // 7, family.criteria_met)
        line = self._priority.get(key)
        if line is None:
            line = self._priority[key] = self._one(priority_line(family, self.weights, value))
        return line

    def lines(
        self,
        mentor: Mentor,
        family: Family,
        terms: Sequence[int],
        priority_text: str,
        load_after: int,
    ) -> list[str]:
        lines = [priority_text]
        needs = family.needs
        if needs:
            key = (needs, mentor.skills, terms[0])
            line = self._needs.get(key)
            if line is None:
                covered = needs & mentor.skills
                n = len(needs)
                noun = "need" if n == 1 else "needs"
                line = (
                    f"Covers {len(covered)} of {n} {noun}: {_words(covered)} {_points(terms[0])}"
                    if covered
                    else f"Covers none of the family's {n} {noun}"
                )
                line = self._needs[key] = self._one(line)
            lines.append(line)
        if family.languages:
            key = (family.languages, mentor.languages, terms[1])
            if key in self._langs:
                maybe = self._langs[key]
            else:
                shared = family.languages & mentor.languages
                maybe = self._langs[key] = (
                    self._one(
                        f"Shares a language with the family: {_words(shared)} {_points(terms[1])}"
                    )
                    if shared
                    else None
                )
            if maybe is not None:
                lines.append(maybe)
        d, home = family.district, mentor.home_district
        if home == d:
            kind, points = 0, terms[2]
        elif d in self.neighbours.get(home, ()):
            kind, points = 1, terms[3]
        else:
            kind, points = 2, terms[4]
        dkey = (d, home, points)
        line = self._district.get(dkey)
        if line is None:
            if kind == 0:
                line = f"Lives in {d}, the family's district {_points(points)}"
            elif kind == 1:
                line = (
                    f"Travels to {d}, a neighbour of their home district {home} {_points(points)}"
                )
            else:
                line = f"Travels to {d} from {home} {_points(points)}"
            line = self._district[dkey] = self._one(line)
        lines.append(line)
        if family.availability and mentor.availability:
            key = (family.availability, mentor.availability, terms[5])
            if key in self._avail:
                maybe = self._avail[key]
            else:
                overlap = family.availability & mentor.availability
                text = (
                    f"Available at the same times: {_words(overlap)} {_points(terms[5])}"
                    if overlap
                    else "No availability in common"
                )
                maybe = self._avail[key] = self._one(text)
            if maybe is not None:
                lines.append(maybe)
        gender = family.gender_preference
        if gender is not None:
            pkey = ("g", gender.value, gender.required, mentor.gender == gender.value, terms[6])
            line = self._prefs.get(pkey)
            if line is None:
                g = label(gender.value)
                if gender.required:
                    line = f"Is {g}, as the family requires"
                elif mentor.gender == gender.value:
                    line = f"Is {g}, as the family wished {_points(terms[6])}"
                else:
                    line = f"Is not {g}, the family's wish"
                line = self._prefs[pkey] = self._one(line)
            lines.append(line)
        language = family.language_preference
        if language is not None:
            lang = language.value
            speaks = lang in mentor.languages
            pkey = ("l", lang, language.required, speaks, terms[7])
            line = self._prefs.get(pkey)
            if line is None:
                if language.required:
                    line = f"Speaks {lang}, as the family requires"
                elif speaks:
                    line = f"Speaks {lang}, as the family wished {_points(terms[7])}"
                else:
                    line = f"Does not speak {lang}, the family's wish"
                line = self._prefs[pkey] = self._one(line)
            lines.append(line)
        if family.domestic_abuse:
            lines.append(_DA_LINE)
        lkey = (load_after, mentor.capacity)
        line = self._load.get(lkey)
        if line is None:
            line = self._load[lkey] = (
                f"Mentor's families after this run: {load_after} of {mentor.capacity}"
            )
        lines.append(line)
        lines.extend([self._one(h) for h in family.history])
        return lines


_DA_LINE = "Trained for domestic abuse, which this family needs"


# --- Reasons for a slot left open -----------------------------------------------------

# Columns of `PolicyArrays.counts`: per slot, how many mentors of the slot's kind
# serve the family's district, how many of those break each rule, how many are eligible.
SERVING, DA_FAIL, GENDER_FAIL, LANGUAGE_FAIL, CONFLICT_FAIL, ELIGIBLE = range(6)


def rule_reasons(family: Family, slot: SlotName, counts: Sequence[int]) -> list[str]:
    """Why the slot has few or no eligible mentors, from the rule counts of the slot."""
    one, many = KIND_WORDS[slot]
    d = family.district
    serving = int(counts[SERVING])
    eligible = int(counts[ELIGIBLE])
    if serving == 0:
        return [f"No {one} serves {d} (as their home district or one they travel to)"]
    lines: list[str] = []
    none_line = False

    def partial(n: int, what: str) -> str:
        return f"{n} of the {serving} {many} serving {d} {_plural(n, 'is', 'are')} {what}"

    if eligible == 0:
        da = int(counts[DA_FAIL])
        if family.domestic_abuse and da == serving:
            lines.append(f"No {one} trained for domestic abuse serves {d}")
            none_line = True
        elif da:
            lines.append(partial(da, "not trained for domestic abuse, which this family needs"))
        pref = family.gender_preference
        gf = int(counts[GENDER_FAIL])
        if pref is not None and pref.required:
            g = label(pref.value)
            if gf == serving:
                lines.append(f"No {one} serving {d} is {g}, which the family requires")
                none_line = True
            elif gf:
                lines.append(partial(gf, f"not {g}, which the family requires"))
        pref = family.language_preference
        lf = int(counts[LANGUAGE_FAIL])
        if pref is not None and pref.required:
            if lf == serving:
                lines.append(f"No {one} serving {d} speaks {pref.value}, which the family requires")
                none_line = True
            elif lf:
                lines.append(partial(lf, f"without {pref.value}, which the family requires"))
    conflicts = int(counts[CONFLICT_FAIL])
    if conflicts:
        lines.append(
            f"{conflicts} {_plural(conflicts, one, many)} serving {d} declared a conflict "
            "of interest (they know the family)"
        )
        if conflicts == serving:
            none_line = True
    if eligible == 0 and not none_line:
        lines.append(f"No {one} serving {d} meets all of the family's requirements")
    return lines


# --- Vectorised build ------------------------------------------------------------------


def _popcount(x: U64) -> I64:
    counter = getattr(np, "bitwise_count", None)
    if counter is not None:
        return np.asarray(counter(x), dtype=np.int64)
    as_bytes = x.view(np.uint8).reshape(*x.shape, 8)
    table = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)
    return np.asarray(table[as_bytes].sum(axis=-1), dtype=np.int64)


class _Interner:
    """Strings to bit positions."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self._seen: set[frozenset[str]] = set()

    def add(self, values: frozenset[str]) -> None:
        if values in self._seen:
            return
        self._seen.add(values)
        for v in sorted(values):
            if v not in self.index:
                self.index[v] = len(self.index)

    def words(self) -> int:
        return max(1, (len(self.index) + 63) // 64)

    def masks(self, sets: Sequence[frozenset[str]]) -> U64:
        """One row of 64-bit words per set."""
        w = self.words()
        index = self.index
        memo: dict[frozenset[str], int] = {}
        ints = []
        for s in sets:
            value = memo.get(s)
            if value is None:
                value = memo[s] = sum(1 << index[v] for v in s)
            ints.append(value)
        out = np.zeros((len(sets), w), dtype=np.uint64)
        low = (1 << 64) - 1
        for word in range(w):
            out[:, word] = np.fromiter(
                ((i >> (64 * word)) & low for i in ints), dtype=np.uint64, count=len(ints)
            )
        return out

    def bit(self, value: str | None) -> int:
        return -1 if value is None else self.index[value]


def _has_bit(masks: U64, rows: I32 | I64, bits: I64) -> Bools:
    """For each i: is bit bits[i] set in masks[rows[i]] (bits >= 0)?"""
    word = bits >> 6
    shift = (bits & 63).astype(np.uint64)
    values = masks[rows, word]
    return np.asarray(((values >> shift) & np.uint64(1)) == 1, dtype=np.bool_)


@dataclass(eq=False)
class _Attributes:
    """Mentor and family attributes as arrays, for the vectorised rules and scores."""

    m_da: Bools
    m_gender: I64
    m_skills: U64
    m_langs: U64
    m_avail: U64
    f_da: Bools
    f_needs: U64
    f_langs: U64
    f_avail: U64
    f_req_gender: I64
    f_wish_gender: I64
    f_req_lang: I64
    f_wish_lang: I64


@dataclass(eq=False)
class PolicyArrays:
    """Every slot and every eligible pair of a problem (or a part of one), as arrays.

    Mentors and families are sorted by id; slots by family then slot; pairs by
    slot then mentor. `counts[s]` holds the rule counts of slot s (see SERVING ...).
    """

    mentors: tuple[Mentor, ...]
    families: tuple[Family, ...]
    weights: Weights
    neighbours: Mapping[str, frozenset[str]]
    mentor_capacity: I64
    mentor_load: I64
    family_priority: I64
    slot_family: I32
    slot_kind: I8
    slot_priority: I64
    pair_slot: I32
    pair_mentor: I32
    pair_score: I64
    pair_relation: I8
    counts: I32
    attributes: _Attributes = field(repr=False)

    def terms(self) -> dict[str, I64]:
        """The score of every pair by term (recomputed; the score is their sum)."""
        cf = self.slot_family[self.pair_slot]
        return _score_terms(self.attributes, self.weights, cf, self.pair_mentor, self.pair_relation)


def _score_terms(a: _Attributes, w: Weights, cf: I32, cm: I32, rel: I8) -> dict[str, I64]:
    needs = _popcount(a.f_needs[cf] & a.m_skills[cm]).sum(axis=1)
    shared = (a.f_langs[cf] & a.m_langs[cm]).any(axis=1)
    overlap = _popcount(a.f_avail[cf] & a.m_avail[cm]).sum(axis=1)
    wish_g = a.f_wish_gender[cf]
    gender_ok = (wish_g >= 0) & (a.m_gender[cm] == wish_g)
    wish_l = a.f_wish_lang[cf]
    lang_ok = np.zeros(cf.shape[0], dtype=np.bool_)
    has = wish_l >= 0
    if has.any():
        lang_ok[has] = _has_bit(a.m_langs, cm[has], wish_l[has])
    district = np.array(
        [w.same_district, w.neighbouring_district, w.other_travel_district], dtype=np.int64
    )
    rel64 = rel.astype(np.int64)
    return {
        "need_covered": needs * w.need_covered,
        "shared_language": shared.astype(np.int64) * w.shared_language,
        "same_district": np.where(rel64 == 0, district[0], 0).astype(np.int64),
        "neighbouring_district": np.where(rel64 == 1, district[1], 0).astype(np.int64),
        "other_travel_district": np.where(rel64 == 2, district[2], 0).astype(np.int64),
        "availability_overlap": np.minimum(overlap, w.availability_cap) * w.availability_overlap,
        "gender_wish": gender_ok.astype(np.int64) * w.gender_wish,
        "language_wish": lang_ok.astype(np.int64) * w.language_wish,
    }


_BLOCK_CELLS = 2_000_000


def _bits(masks: U64, mentors: I64, bits: I64) -> Bools:
    """Matrix [family, mentor]: is bit bits[family] (>= 0) set in the mentor's mask?"""
    word = bits >> 6
    shift = (bits & 63).astype(np.uint64)
    values = masks[mentors].T[word]  # (families, mentors)
    return np.asarray(((values >> shift[:, None]) & np.uint64(1)) == 1, dtype=np.bool_)


def _count_bits(x: U64) -> npt.NDArray[np.integer[Any]]:
    """Bits set per word, in a small integer type (at most 64)."""
    counter = getattr(np, "bitwise_count", None)
    if counter is not None:
        return np.asarray(counter(x))
    return _popcount(x)


def _overlap(a: U64, b: U64, dtype: type[np.signedinteger[Any]]) -> npt.NDArray[Any]:
    """Matrix [row of a, row of b]: the number of bits both masks set."""
    total = _count_bits(a[:, 0][:, None] & b[:, 0][None, :]).astype(dtype)
    for w in range(1, a.shape[1]):
        total += _count_bits(a[:, w][:, None] & b[:, w][None, :]).astype(dtype)
    return total


def _intersects(a: U64, b: U64) -> Bools:
    """Matrix [row of a, row of b]: do the masks share a bit?"""
    out = (a[:, 0][:, None] & b[:, 0][None, :]) != 0
    for w in range(1, a.shape[1]):
        out |= (a[:, w][:, None] & b[:, w][None, :]) != 0
    return np.asarray(out, dtype=np.bool_)


def _score_dtype(w: Weights, need_bits: int, avail_bits: int) -> type[np.signedinteger[Any]]:
    """The smallest integer type that holds any score under these weights."""
    top = (
        w.need_covered * need_bits
        + w.shared_language
        + max(w.same_district, w.neighbouring_district, w.other_travel_district)
        + w.availability_overlap * min(avail_bits, w.availability_cap)
        + w.gender_wish
        + w.language_wish
    )
    for dtype in (np.int16, np.int32):
        if top <= np.iinfo(dtype).max:
            return dtype
    return np.int64


def _block(
    a: _Attributes,
    w: Weights,
    fam: I64,
    mentors: I64,
    rel: I8,
    conflict: Bools,
    dtype: type[np.signedinteger[Any]] = np.int64,
) -> tuple[Bools, npt.NDArray[Any], tuple[I64, I64, I64, I64]]:
    """Rules and scores of families x mentors: (eligible, score, failures per rule per row).

    Scores are of `dtype` (see `_score_dtype`); a preference is looked at only in the
    rows of families that state one.
    """
    shape = (fam.shape[0], mentors.shape[0])
    fail_da = a.f_da[fam][:, None] & ~a.m_da[mentors][None, :]
    m_gender = a.m_gender[mentors]
    req_g = a.f_req_gender[fam]
    fail_g = np.zeros(shape, dtype=np.bool_)
    rows = np.flatnonzero(req_g >= 0)
    if rows.size:
        fail_g[rows] = m_gender[None, :] != req_g[rows][:, None]
    req_l = a.f_req_lang[fam]
    fail_l = np.zeros(shape, dtype=np.bool_)
    rows = np.flatnonzero(req_l >= 0)
    if rows.size:
        fail_l[rows] = ~_bits(a.m_langs, mentors, req_l[rows])
    elig = ~(fail_da | fail_g | fail_l | conflict)
    zero = dtype(0)
    score = _overlap(a.f_needs[fam], a.m_skills[mentors], dtype)
    if w.need_covered != 1:
        score *= dtype(w.need_covered)
    if w.shared_language:
        shared = _intersects(a.f_langs[fam], a.m_langs[mentors])
        score += np.where(shared, dtype(w.shared_language), zero)
    district = np.array(
        [w.same_district, w.neighbouring_district, w.other_travel_district], dtype=dtype
    )
    score += district[rel.astype(np.intp)][None, :]
    if w.availability_overlap:
        overlap = _overlap(a.f_avail[fam], a.m_avail[mentors], dtype)
        np.minimum(overlap, dtype(w.availability_cap), out=overlap)
        if w.availability_overlap != 1:
            overlap *= dtype(w.availability_overlap)
        score += overlap
    wish_g = a.f_wish_gender[fam]
    rows = np.flatnonzero(wish_g >= 0)
    if rows.size and w.gender_wish:
        met = m_gender[None, :] == wish_g[rows][:, None]
        score[rows] += np.where(met, dtype(w.gender_wish), zero)
    wish_l = a.f_wish_lang[fam]
    rows = np.flatnonzero(wish_l >= 0)
    if rows.size and w.language_wish:
        met = _bits(a.m_langs, mentors, wish_l[rows])
        score[rows] += np.where(met, dtype(w.language_wish), zero)
    fails = (
        np.count_nonzero(fail_da, axis=1).astype(np.int64),
        np.count_nonzero(fail_g, axis=1).astype(np.int64),
        np.count_nonzero(fail_l, axis=1).astype(np.int64),
        np.count_nonzero(conflict, axis=1).astype(np.int64),
    )
    return elig, score, fails


def build_arrays(
    mentors: Sequence[Mentor],
    families: Sequence[Family],
    weights: Weights,
    neighbours: Mapping[str, frozenset[str]],
    *,
    load: Mapping[str, int] | None = None,
    filled: Mapping[str, frozenset[str]] | None = None,
) -> PolicyArrays:
    """Apply the rules and scores to every candidate pair (vectorised).

    `neighbours` must be symmetric. `load` counts each mentor's active matches
    (they use capacity); `filled` names the slots of each family that an active
    match already fills (they are not refilled).
    """
    load = load or {}
    filled = filled or {}
    ms = tuple(sorted(mentors, key=lambda m: m.id))
    fs = tuple(sorted(families, key=lambda f: f.id))
    n_m, n_f = len(ms), len(fs)
    m_index = {m.id: i for i, m in enumerate(ms)}
    f_index = {f.id: i for i, f in enumerate(fs)}

    # Data: interned attributes (one pass over the families, one over the mentors).
    needs = _Interner()
    langs = _Interner()
    avail = _Interner()
    genders: dict[str | None, int] = {None: -1}
    m_rows = []
    for m in ms:
        needs.add(m.skills)
        langs.add(m.languages)
        avail.add(m.availability)
        if m.gender not in genders:
            genders[m.gender] = len(genders) - 1
        m_rows.append((m.domestic_abuse_trained, genders[m.gender], m.capacity, load.get(m.id, 0)))
    f_rows = []
    lang_values: list[tuple[str | None, str | None]] = []
    for f in fs:
        needs.add(f.needs)
        langs.add(f.languages)
        avail.add(f.availability)
        gp, lp = f.gender_preference, f.language_preference
        req_g = wish_g = -1
        if gp is not None:
            if gp.value not in genders:
                genders[gp.value] = len(genders) - 1
            if gp.required:
                req_g = genders[gp.value]
            else:
                wish_g = genders[gp.value]
        req_l = wish_l = None
        if lp is not None:
            langs.add(frozenset([lp.value]))
            if lp.required:
                req_l = lp.value
            else:
                wish_l = lp.value
        lang_values.append((req_l, wish_l))
        f_rows.append((f.domestic_abuse, req_g, wish_g))
    m_arr = np.array(m_rows, dtype=np.int64).reshape(n_m, 4)
    f_arr = np.array(f_rows, dtype=np.int64).reshape(n_f, 3)
    lang_bits = np.array(
        [(langs.bit(r), langs.bit(w)) for r, w in lang_values], dtype=np.int64
    ).reshape(n_f, 2)
    attrs = _Attributes(
        m_da=m_arr[:, 0].astype(np.bool_),
        m_gender=m_arr[:, 1].copy(),
        m_skills=needs.masks([m.skills for m in ms]),
        m_langs=langs.masks([m.languages for m in ms]),
        m_avail=avail.masks([m.availability for m in ms]),
        f_da=f_arr[:, 0].astype(np.bool_),
        f_needs=needs.masks([f.needs for f in fs]),
        f_langs=langs.masks([f.languages for f in fs]),
        f_avail=avail.masks([f.availability for f in fs]),
        f_req_gender=f_arr[:, 1].copy(),
        f_wish_gender=f_arr[:, 2].copy(),
        f_req_lang=lang_bits[:, 0].copy(),
        f_wish_lang=lang_bits[:, 1].copy(),
    )
    mentor_load = m_arr[:, 3].copy()
    mentor_capacity = np.maximum(m_arr[:, 2] - mentor_load, 0)

    # Who serves what: (district, kind) -> mentors (in id order) and how they serve it.
    serving: dict[tuple[str, int], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for i, m in enumerate(ms):
        k = KINDS.index(m.kind)
        near = neighbours.get(m.home_district, frozenset())
        entry = serving[(m.home_district, k)]
        entry[0].append(i)
        entry[1].append(0)
        for d in sorted(m.travel_districts - {m.home_district}):
            entry = serving[(d, k)]
            entry[0].append(i)
            entry[1].append(1 if d in near else 2)

    # Slots: a family's open mentor slot, then its open role model slot.
    slot_family: list[int] = []
    slot_kind: list[int] = []
    slot_priority: list[int] = []
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    fam_priority = _priorities(fs, weights)
    for fi, (f, p) in enumerate(zip(fs, fam_priority.tolist(), strict=True)):
        for slot in open_slots(f, filled):
            k = SLOTS.index(slot)
            groups[(f.district, k)].append(len(slot_family))
            slot_family.append(fi)
            slot_kind.append(k)
            slot_priority.append(p)
    n_s = len(slot_family)
    s_family = np.array(slot_family, dtype=np.int32)

    # Conflicts of interest declared on either side, as (mentor, family) indices.
    conflict_pairs = sorted(
        {(m_index[mid], f_index[f.id]) for f in fs for mid in f.conflicts if mid in m_index}
        | {(i, f_index[fid]) for i, m in enumerate(ms) for fid in m.conflicts if fid in f_index}
    )
    conflict_m = np.array([c[0] for c in conflict_pairs], dtype=np.int64)
    conflict_f = np.array([c[1] for c in conflict_pairs], dtype=np.int64)
    row_of_family = np.full(n_f, -1, dtype=np.int64)
    col_of_mentor = np.full(n_m, -1, dtype=np.int64)

    # Each block of slots (one district and kind) against the mentors serving it:
    # rules and scores as matrices, the eligible cells kept in (slot, mentor) order.
    counts = np.zeros((n_s, 6), dtype=np.int32)
    blocks: list[tuple[I64, I32, npt.NDArray[Any], I8, I64]] = []
    dtype = _score_dtype(weights, len(needs.index), len(avail.index))
    for key in sorted(groups):
        slots = np.array(groups[key], dtype=np.int64)
        if key not in serving:
            continue
        m_idx, rels = serving[key]
        marr = np.array(m_idx, dtype=np.int64)
        rel = np.array(rels, dtype=np.int8)
        col_of_mentor[marr] = np.arange(marr.size)
        rows_per_block = max(1, _BLOCK_CELLS // max(1, marr.size))
        for lo in range(0, slots.size, rows_per_block):
            part = slots[lo : lo + rows_per_block]
            fam = s_family[part].astype(np.int64)
            conflict = np.zeros((part.size, marr.size), dtype=np.bool_)
            if conflict_pairs:
                row_of_family[fam] = np.arange(part.size)
                r = row_of_family[conflict_f]
                c = col_of_mentor[conflict_m]
                hit = (r >= 0) & (c >= 0)
                conflict[r[hit], c[hit]] = True
                row_of_family[fam] = -1
            elig, score, fails = _block(attrs, weights, fam, marr, rel, conflict, dtype)
            counts[part, SERVING] = marr.size
            for col, values in zip(
                (DA_FAIL, GENDER_FAIL, LANGUAGE_FAIL, CONFLICT_FAIL), fails, strict=True
            ):
                counts[part, col] = values
            per_row = np.count_nonzero(elig, axis=1)
            counts[part, ELIGIBLE] = per_row
            rows, cols = np.nonzero(elig)
            blocks.append(
                (
                    part[rows],
                    marr[cols].astype(np.int32),
                    score[rows, cols],
                    rel[cols],
                    per_row.astype(np.int64),
                )
            )
        col_of_mentor[marr] = -1

    # Pairs in slot order: each block's cells scattered to their slot's place.
    deg = counts[:, ELIGIBLE].astype(np.int64)
    start = np.concatenate(([0], np.cumsum(deg))).astype(np.int64)
    n_p = int(start[-1])
    ps = np.empty(n_p, dtype=np.int32)
    pm = np.empty(n_p, dtype=np.int32)
    score_out = np.empty(n_p, dtype=np.int64)
    pr = np.empty(n_p, dtype=np.int8)
    for b_slots, b_mentors, b_score, b_rel, per_row in blocks:
        row_first = np.concatenate(([0], np.cumsum(per_row)[:-1]))
        rank = np.arange(b_slots.size, dtype=np.int64) - np.repeat(row_first, per_row)
        where = start[b_slots] + rank
        ps[where] = b_slots
        pm[where] = b_mentors
        score_out[where] = b_score
        pr[where] = b_rel
    score = score_out
    return PolicyArrays(
        mentors=ms,
        families=fs,
        weights=weights,
        neighbours=neighbours,
        mentor_capacity=mentor_capacity,
        mentor_load=mentor_load,
        family_priority=fam_priority,
        slot_family=s_family,
        slot_kind=np.array(slot_kind, dtype=np.int8),
        slot_priority=np.array(slot_priority, dtype=np.int64),
        pair_slot=ps,
        pair_mentor=pm,
        pair_score=score,
        pair_relation=pr,
        counts=counts,
        attributes=attrs,
    )


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


@dataclass(frozen=True, slots=True)
class ScoredPair:
    """An allowed (mentor, family, slot) with its score by term."""

    mentor: str
    family: str
    slot: SlotName
    score: int
    breakdown: dict[str, int]


def eligible_pairs(problem: Problem) -> list[ScoredPair]:
    """Every allowed pair of the problem with its score, sorted by family, slot, mentor.

    Pairs with a mentor whose capacity is used up by active matches are listed
    too (they are allowed, just full).
    """
    validate_problem(problem)
    load, filled = active_state(problem)
    arrays = build_arrays(
        problem.mentors,
        problem.families,
        problem.weights,
        symmetric_neighbours(problem.neighbours),
        load=load,
        filled=filled,
    )
    terms = arrays.terms()
    out = []
    for p in range(arrays.pair_slot.shape[0]):
        s = int(arrays.pair_slot[p])
        out.append(
            ScoredPair(
                mentor=arrays.mentors[int(arrays.pair_mentor[p])].id,
                family=arrays.families[int(arrays.slot_family[s])].id,
                slot=SLOTS[int(arrays.slot_kind[s])],
                score=int(arrays.pair_score[p]),
                breakdown={t: int(terms[t][p]) for t in SCORE_TERMS},
            )
        )
    return out


def check_breakdown(breakdown: Mapping[str, int], score: int, who: str) -> None:
    """Guard: the scalar breakdown must add up to the vectorised score."""
    if sum(breakdown.values()) != score:
        raise SolverError(
            f"internal error: score of {who} is {score} but its terms add up "
            f"to {sum(breakdown.values())}"
        )


__all__ = [
    "KIND_OF_SLOT",
    "LABELS",
    "RULES",
    "PairLines",
    "PolicyArrays",
    "ScoredPair",
    "active_state",
    "build_arrays",
    "eligible_pairs",
    "explain_pair",
    "priority",
    "priority_line",
    "priority_terms",
    "relation",
    "rule_failures",
    "rule_reasons",
    "score_breakdown",
    "symmetric_neighbours",
]
