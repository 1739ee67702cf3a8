"""Explanations: the lines that say why a mentor was proposed for a family, and why a slot
was left open. They read the same rules as `matching.policy` and add no rule of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from matching.model import (
    Family,
    Mentor,
    SlotName,
    Weights,
)
from matching.policy import (
    CONFLICT_FAIL,
    DA_FAIL,
    ELIGIBLE,
    GENDER_FAIL,
    KIND_WORDS,
    LABELS,
    LANGUAGE_FAIL,
    SERVING,
    _plural,
    label,
    priority_line,
    score_breakdown,
)


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


# --- Reading an explanation: strengths apart from weaknesses ---------------------------

# The lines below (made by `PairLines.lines` and `explain_pair`) count against a pair: a
# family's need, time or wish the mentor does not meet. The priority, the load and the
# history are context; every other line is a strength.
NO_NEEDS_COVERED = "Covers none of the family's"
WEAKNESS_STARTS = (NO_NEEDS_COVERED, "No availability in common", "Is not ", "Does not speak ")
CONTEXT_STARTS = ("Priority ", "Mentor's families after this run", "Needs handover")


@dataclass(frozen=True)
class Reading:
    """An explanation's lines, sorted: context, strengths and weaknesses."""

    context: tuple[str, ...]
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]

    @property
    def weak(self) -> bool:
        """A weak match: it covers none of the family's needs, or misses two of its wishes."""
        return len(self.weaknesses) >= 2 or any(
            w.startswith(NO_NEEDS_COVERED) for w in self.weaknesses
        )


def read_explanation(lines: Iterable[str]) -> Reading:
    """Sort a stored explanation's lines into context, strengths and weaknesses."""
    context, strengths, weaknesses = [], [], []
    for line in lines:
        if line.startswith(CONTEXT_STARTS):
            context.append(line)
        elif line.startswith(WEAKNESS_STARTS):
            weaknesses.append(line)
        else:
            strengths.append(line)
    return Reading(tuple(context), tuple(strengths), tuple(weaknesses))


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
