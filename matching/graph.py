"""The explicit bipartite graph the optimiser solves: also the JSON replay form.

Mentors (id, kind, remaining capacity, load from active matches), family slots
(a family's mentor slot and role model slot, each with the family's priority)
and eligible pairs with their scores. `build_graph(problem)` derives it with
the policy; `Graph.from_json` reads a stored one, so a run can be re-run exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from matching.arrays import (
    PolicyArrays,
    _score_terms,
    build_arrays,
)
from matching.errors import ProblemError, SolverError
from matching.explain import (
    PairLines,
    explain_pair,
    rule_reasons,
)
from matching.model import (
    KINDS,
    SCORE_TERMS,
    SLOT_OF_KIND,
    SLOTS,
    ActiveMatch,
    Kind,
    Problem,
    SlotName,
    Weights,
    validate_problem,
)
from matching.policy import (
    I8,
    I32,
    I64,
    KIND_WORDS,
    active_state,
    check_breakdown,
    open_slots,
    score_breakdown,
    symmetric_neighbours,
)


class Explainer(Protocol):
    """What the graph knows beyond its numbers, for explanations."""

    def pair(self, graph: Graph, pair: int, load_after: int) -> tuple[dict[str, int], list[str]]:
        """The pair's score by term and the lines explaining it."""
        ...

    def many(
        self, graph: Graph, pairs: I64, load_after: I64
    ) -> list[tuple[dict[str, int], list[str]]]:
        """`pair` for many pairs at once (`load_after` is per mentor)."""
        ...

    def notes(self, graph: Graph, slot: int) -> list[str]:
        """Rule reasons for the slot (why mentors serving it are not eligible)."""
        ...

    def history(self, graph: Graph, family: int) -> tuple[str, ...]:
        """Free text carried into the family's explanation."""
        ...

    def breakdowns(self, graph: Graph) -> list[dict[str, int]] | None:
        """Every pair's non-zero score terms (for the JSON form), if known."""
        ...


@dataclass(frozen=True, slots=True)
class GraphMentor:
    id: str
    kind: Kind
    capacity: int
    load: int


@dataclass(frozen=True, slots=True)
class GraphSlot:
    family: str
    slot: SlotName
    priority: int


@dataclass(frozen=True, slots=True)
class GraphPair:
    mentor: str
    family: str
    slot: SlotName
    score: int


@dataclass(frozen=True, eq=False)
class Graph:
    """Arrays of the bipartite graph, sorted: mentors and families by id, slots by
    family then slot (mentor before role model), pairs by slot then mentor.

    `mentor_capacity` is what is left after active matches; `mentor_load` is the
    number of active matches (it counts in the balance penalty).
    """

    mentor_ids: tuple[str, ...]
    mentor_kind: I8
    mentor_capacity: I64
    mentor_load: I64
    family_ids: tuple[str, ...]
    family_priority: I64
    slot_family: I32
    slot_kind: I8
    pair_slot: I32
    pair_mentor: I32
    pair_score: I64
    weights: Weights = Weights()
    kept: tuple[ActiveMatch, ...] = ()
    explainer: Explainer | None = field(default=None, repr=False)

    @property
    def mentors(self) -> list[GraphMentor]:
        return [
            GraphMentor(i, KINDS[int(k)], int(c), int(ld))
            for i, k, c, ld in zip(
                self.mentor_ids,
                self.mentor_kind,
                self.mentor_capacity,
                self.mentor_load,
                strict=True,
            )
        ]

    @property
    def slots(self) -> list[GraphSlot]:
        return [
            GraphSlot(self.family_ids[int(f)], SLOTS[int(k)], int(self.family_priority[int(f)]))
            for f, k in zip(self.slot_family, self.slot_kind, strict=True)
        ]

    @property
    def pairs(self) -> list[GraphPair]:
        slots = self.slots
        return [
            GraphPair(self.mentor_ids[int(m)], slots[int(s)].family, slots[int(s)].slot, int(sc))
            for s, m, sc in zip(self.pair_slot, self.pair_mentor, self.pair_score, strict=True)
        ]

    def slot_priority(self) -> I64:
        return np.asarray(self.family_priority[self.slot_family], dtype=np.int64)

    def to_json(self, *, breakdowns: bool = True) -> dict[str, Any]:
        """The replay form: re-solving it gives the same assignments (and, with the
        breakdowns, the same score terms; leave them out for a form about a third the size)."""
        history = {
            f: list(self.explainer.history(self, f)) if self.explainer else []
            for f in range(len(self.family_ids))
        }
        notes: dict[int, list[str]] = {}
        if self.explainer is not None:
            for s in range(self.slot_family.shape[0]):
                lines = self.explainer.notes(self, s)
                if lines:
                    notes[s] = lines
        families: list[dict[str, Any]] = []
        slot_lists: dict[int, list[int]] = {}
        for s, f in enumerate(self.slot_family.tolist()):
            slot_lists.setdefault(f, []).append(s)
        for f, fid in enumerate(self.family_ids):
            entry: dict[str, Any] = {
                "id": fid,
                "priority": int(self.family_priority[f]),
                "slots": [SLOTS[int(self.slot_kind[s])] for s in slot_lists.get(f, [])],
            }
            if history[f]:
                entry["history"] = history[f]
            slot_notes = {
                SLOTS[int(self.slot_kind[s])]: notes[s] for s in slot_lists.get(f, []) if s in notes
            }
            if slot_notes:
                entry["notes"] = slot_notes
            families.append(entry)
        terms = self.explainer.breakdowns(self) if self.explainer and breakdowns else None
        pairs: list[dict[str, Any]] = []
        fam_of_slot = self.slot_family.tolist()
        for p, (s, m, sc) in enumerate(
            zip(
                self.pair_slot.tolist(),
                self.pair_mentor.tolist(),
                self.pair_score.tolist(),
                strict=True,
            )
        ):
            item: dict[str, Any] = {
                "mentor": self.mentor_ids[m],
                "family": self.family_ids[fam_of_slot[s]],
                "score": sc,
            }
            if terms is not None:
                item["breakdown"] = terms[p]
            pairs.append(item)
        mentors: list[dict[str, Any]] = []
        for gm in self.mentors:
            mentry: dict[str, Any] = {"id": gm.id, "kind": gm.kind, "capacity": gm.capacity}
            if gm.load:
                mentry["load"] = gm.load
            mentors.append(mentry)
        return {
            "mentors": mentors,
            "families": families,
            "pairs": pairs,
            "weights": self.weights.to_dict(),
            "kept": [{"mentor": a.mentor, "family": a.family, "slot": a.slot} for a in self.kept],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Graph:
        """Read the replay form; `ProblemError` names the first problem found."""
        return _graph_from_json(data)


# --- Built from a problem ---------------------------------------------------------------


class PolicyExplainer:
    """Explanations from the problem's attributes (the graph was built by the policy)."""

    def __init__(self, arrays: PolicyArrays) -> None:
        self.arrays = arrays

    def pair(self, graph: Graph, pair: int, load_after: int) -> tuple[dict[str, int], list[str]]:
        a = self.arrays
        m_i = int(graph.pair_mentor[pair])
        mentor = a.mentors[m_i]
        family = a.families[int(graph.slot_family[int(graph.pair_slot[pair])])]
        breakdown = score_breakdown(mentor, family, a.weights, a.neighbours)
        check_breakdown(breakdown, int(graph.pair_score[pair]), f"{mentor.id}-{family.id}")
        lines = explain_pair(
            mentor,
            family,
            a.weights,
            a.neighbours,
            load_after=load_after,
            capacity=mentor.capacity,
        )
        return breakdown, lines

    def many(
        self, graph: Graph, pairs: I64, load_after: I64
    ) -> list[tuple[dict[str, int], list[str]]]:
        a = self.arrays
        slots = graph.pair_slot[pairs]
        fams = graph.slot_family[slots]
        ments = graph.pair_mentor[pairs]
        terms = _score_terms(a.attributes, a.weights, fams, ments, a.pair_relation[pairs])
        total = np.zeros(pairs.shape[0], dtype=np.int64)
        for values in terms.values():
            total += values
        if not np.array_equal(total, graph.pair_score[pairs]):
            raise SolverError("internal error: scores and their terms disagree")
        rows = np.column_stack([terms[t] for t in SCORE_TERMS]).tolist()
        writer = PairLines(a.weights, a.neighbours)
        priority_of: dict[int, str] = {}
        families, mentors = a.families, a.mentors
        loads = load_after.tolist()
        priorities = a.family_priority
        out = []
        for f_i, m_i, row in zip(fams.tolist(), ments.tolist(), rows, strict=True):
            family = families[f_i]
            text = priority_of.get(f_i)
            if text is None:
                text = priority_of[f_i] = writer.priority(family, int(priorities[f_i]))
            lines = writer.lines(mentors[m_i], family, row, text, loads[m_i])
            out.append((dict(zip(SCORE_TERMS, row, strict=True)), lines))
        return out

    def notes(self, graph: Graph, slot: int) -> list[str]:
        a = self.arrays
        family = a.families[int(graph.slot_family[slot])]
        return rule_reasons(family, SLOTS[int(graph.slot_kind[slot])], a.counts[slot].tolist())

    def history(self, graph: Graph, family: int) -> tuple[str, ...]:
        return self.arrays.families[family].history

    def breakdowns(self, graph: Graph) -> list[dict[str, int]] | None:
        terms = self.arrays.terms()
        columns = [(t, terms[t].tolist()) for t in SCORE_TERMS]
        return [{t: v[p] for t, v in columns if v[p]} for p in range(graph.pair_slot.shape[0])]


def graph_from_arrays(arrays: PolicyArrays, kept: Sequence[ActiveMatch] = ()) -> Graph:
    """Wrap the policy's arrays as a graph that explains itself from the attributes."""
    fam_priority = arrays.family_priority
    return Graph(
        mentor_ids=tuple(m.id for m in arrays.mentors),
        mentor_kind=np.array([KINDS.index(m.kind) for m in arrays.mentors], dtype=np.int8),
        mentor_capacity=arrays.mentor_capacity,
        mentor_load=arrays.mentor_load,
        family_ids=tuple(f.id for f in arrays.families),
        family_priority=fam_priority,
        slot_family=arrays.slot_family,
        slot_kind=arrays.slot_kind,
        pair_slot=arrays.pair_slot,
        pair_mentor=arrays.pair_mentor,
        pair_score=arrays.pair_score,
        weights=arrays.weights,
        kept=tuple(sorted(kept, key=lambda a: (a.family, a.slot, a.mentor))),
        explainer=PolicyExplainer(arrays),
    )


def build_graph(problem: Problem) -> Graph:
    """The explicit graph of a problem: eligible pairs, scores, capacities, priorities.

    Families with no open slot are left out; its `to_json()` is the replay form.
    """
    validate_problem(problem)
    load, filled = active_state(problem)
    arrays = build_arrays(
        problem.mentors,
        [f for f in problem.families if open_slots(f, filled)],
        problem.weights,
        symmetric_neighbours(problem.neighbours),
        load=load,
        filled=filled,
    )
    return graph_from_arrays(arrays, problem.active)


# --- Read from JSON ---------------------------------------------------------------------


class ReplayExplainer:
    """Explanations from what the replay form carries (breakdowns, notes, history)."""

    def __init__(
        self,
        history: Mapping[int, tuple[str, ...]],
        notes: Mapping[int, list[str]],
        breakdowns: Mapping[int, dict[str, int]],
        has_breakdowns: bool,
    ) -> None:
        self._history = history
        self._notes = notes
        self._breakdowns = breakdowns
        self._has_breakdowns = has_breakdowns

    def pair(self, graph: Graph, pair: int, load_after: int) -> tuple[dict[str, int], list[str]]:
        score = int(graph.pair_score[pair])
        breakdown = dict(self._breakdowns.get(pair, {"score": score}))
        check_breakdown(breakdown, score, f"pair {pair}")
        f = int(graph.slot_family[int(graph.pair_slot[pair])])
        m = int(graph.pair_mentor[pair])
        lines = [f"Priority {int(graph.family_priority[f])}"]
        for term, points in breakdown.items():
            lines.append(f"{TERM_LABELS.get(term, term.replace('_', ' ').capitalize())}: +{points}")
        capacity = int(graph.mentor_capacity[m] + graph.mentor_load[m])
        lines.append(f"Mentor's families after this run: {load_after} of {capacity}")
        lines.extend(self._history.get(f, ()))
        return breakdown, lines

    def many(
        self, graph: Graph, pairs: I64, load_after: I64
    ) -> list[tuple[dict[str, int], list[str]]]:
        m_of = graph.pair_mentor
        return [self.pair(graph, p, int(load_after[int(m_of[p])])) for p in pairs.tolist()]

    def notes(self, graph: Graph, slot: int) -> list[str]:
        return list(self._notes.get(slot, []))

    def history(self, graph: Graph, family: int) -> tuple[str, ...]:
        return self._history.get(family, ())

    def breakdowns(self, graph: Graph) -> list[dict[str, int]] | None:
        if not self._has_breakdowns:
            return None
        return [dict(self._breakdowns.get(p, {})) for p in range(graph.pair_slot.shape[0])]


TERM_LABELS: Mapping[str, str] = {
    "need_covered": "Needs covered by the mentor's skills",
    "shared_language": "Shared language",
    "same_district": "Lives in the family's district",
    "neighbouring_district": "Travels to a neighbouring district",
    "other_travel_district": "Travels to the family's district",
    "availability_overlap": "Availability in common",
    "gender_wish": "Gender as the family wished",
    "language_wish": "Language as the family wished",
    "score": "Score (no breakdown stored)",
}


def _obj(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ProblemError(f"{where}: must be an object, got {_type(value)}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ProblemError(f"{where}: must be a list, got {_type(value)}")
    return value


def _type(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _keys(obj: Mapping[str, Any], where: str, required: set[str], optional: set[str]) -> None:
    for key in obj:
        if key not in required and key not in optional:
            raise ProblemError(f"{where}: unknown field {key!r}")
    for key in sorted(required):
        if key not in obj:
            raise ProblemError(f"{where}: missing field {key!r}")


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ProblemError(f"{where}: must be a non-empty string, got {value!r}")
    return value


def _count(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProblemError(f"{where}: must be a non-negative integer, got {value!r}")
    return value


def _texts(value: Any, where: str) -> list[str]:
    items = _list(value, where)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise ProblemError(f"{where}[{i}]: must be a string, got {item!r}")
    return items


def _check_pair(
    i: int,
    raw: Any,
    m_index: Mapping[str, int],
    f_index: Mapping[str, int],
    raw_mentors: list[tuple[str, int, int, int]],
) -> None:
    """Check one pair in detail; raise `ProblemError` naming what is wrong."""
    where = f"pairs[{i}]"
    p = _obj(raw, where)
    _keys(p, where, {"mentor", "family", "score"}, {"breakdown", "slot"})
    mid = _str(p["mentor"], f"{where}.mentor")
    fid = _str(p["family"], f"{where}.family")
    if mid not in m_index:
        raise ProblemError(f"{where}.mentor: unknown mentor {mid!r}")
    if fid not in f_index:
        raise ProblemError(f"{where}.family: unknown family {fid!r}")
    kind = raw_mentors[m_index[mid]][1]
    if "slot" in p and p["slot"] != SLOT_OF_KIND[KINDS[kind]]:
        raise ProblemError(
            f"{where}.slot: a {KINDS[kind].replace('_', ' ')} fills the "
            f"{SLOT_OF_KIND[KINDS[kind]].replace('_', ' ')} slot, not {p['slot']!r}"
        )
    score = _count(p["score"], f"{where}.score")
    if score >= 2**62:
        raise ProblemError(f"{where}.score: too large ({score})")
    if "breakdown" in p:
        terms = _obj(p["breakdown"], f"{where}.breakdown")
        breakdown = {str(t): _count(v, f"{where}.breakdown.{t}") for t, v in terms.items()}
        if sum(breakdown.values()) != score:
            raise ProblemError(
                f"{where}.breakdown: terms add up to {sum(breakdown.values())}, "
                f"not the score {score}"
            )


def _graph_from_json(data: Mapping[str, Any]) -> Graph:
    data = _obj(data, "problem")
    _keys(data, "problem", {"mentors", "families", "pairs"}, {"weights", "kept"})
    weights = Weights.from_dict(_obj(data.get("weights", {}), "weights"))

    # Mentors.
    raw_mentors: list[tuple[str, int, int, int]] = []
    for i, raw in enumerate(_list(data["mentors"], "mentors")):
        where = f"mentors[{i}]"
        m = _obj(raw, where)
        _keys(m, where, {"id", "capacity", "kind"}, {"load"})
        mid = _str(m["id"], f"{where}.id")
        kind = m["kind"]
        if kind not in KINDS:
            raise ProblemError(f"{where}.kind: must be one of {list(KINDS)}, got {kind!r}")
        raw_mentors.append(
            (
                mid,
                KINDS.index(kind),
                _count(m["capacity"], f"{where}.capacity"),
                _count(m.get("load", 0), f"{where}.load"),
            )
        )
    raw_mentors.sort()
    for a, b in zip(raw_mentors, raw_mentors[1:], strict=False):
        if a[0] == b[0]:
            raise ProblemError(f"mentors: duplicate id {a[0]!r}")
    m_index = {m[0]: i for i, m in enumerate(raw_mentors)}

    # Families (slots decided after the pairs: see below).
    raw_families: list[tuple[str, int, Any, tuple[str, ...], Mapping[str, Any]]] = []
    for i, raw in enumerate(_list(data["families"], "families")):
        where = f"families[{i}]"
        f = _obj(raw, where)
        _keys(f, where, {"id", "priority"}, {"slots", "history", "notes"})
        fid = _str(f["id"], f"{where}.id")
        slots = f.get("slots")
        if slots is not None:
            slots = _texts(slots, f"{where}.slots")
            for name in slots:
                if name not in SLOTS:
                    raise ProblemError(f"{where}.slots: unknown slot {name!r} (use {list(SLOTS)})")
            if len(set(slots)) != len(slots):
                raise ProblemError(f"{where}.slots: a slot is listed twice")
        hist = tuple(_texts(f.get("history", []), f"{where}.history"))
        fnotes = _obj(f.get("notes", {}), f"{where}.notes")
        for key, lines in fnotes.items():
            if key not in SLOTS:
                raise ProblemError(f"{where}.notes: unknown slot {key!r}")
            _texts(lines, f"{where}.notes.{key}")
        raw_families.append((fid, _count(f["priority"], f"{where}.priority"), slots, hist, fnotes))
    raw_families.sort(key=lambda r: r[0])
    for fa, fb in zip(raw_families, raw_families[1:], strict=False):
        if fa[0] == fb[0]:
            raise ProblemError(f"families: duplicate id {fa[0]!r}")
    f_index = {f[0]: i for i, f in enumerate(raw_families)}

    # Pairs (a fast pass; a pair that fails it is checked again in detail for the message).
    raw_pairs: list[tuple[int, int, int, int, dict[str, int] | None]] = []
    has_breakdowns = False
    required, allowed = (
        {"mentor", "family", "score"},
        {"mentor", "family", "score", "breakdown", "slot"},
    )
    kinds = [m[1] for m in raw_mentors]
    for i, p in enumerate(_list(data["pairs"], "pairs")):
        try:
            ok = type(p) is dict and required <= p.keys() <= allowed
            mi = m_index.get(p["mentor"]) if ok else None
            fi = f_index.get(p["family"]) if ok else None
            score = p["score"] if ok else -1
        except TypeError:  # an unhashable id
            mi = fi = None
            score = -1
        if mi is None or fi is None or type(score) is not int or not 0 <= score < 2**62:
            _check_pair(i, p, m_index, f_index, raw_mentors)
            raise ProblemError(f"pairs[{i}]: not a valid pair")  # pragma: no cover
        if "slot" in p and p["slot"] != SLOT_OF_KIND[KINDS[kinds[mi]]]:
            _check_pair(i, p, m_index, f_index, raw_mentors)
        breakdown = None
        if "breakdown" in p:
            has_breakdowns = True
            terms = p["breakdown"]
            if (
                type(terms) is not dict
                or not all(type(v) is int and v >= 0 for v in terms.values())
                or sum(terms.values()) != score
            ):
                _check_pair(i, p, m_index, f_index, raw_mentors)
            breakdown = terms
        raw_pairs.append((fi, kinds[mi], mi, score, breakdown))

    # Slots: listed ones, else the mentor slot plus a role model slot if a role model is paired.
    with_role_model = {fi for fi, kind, *_ in raw_pairs if kind == 1}
    slot_family: list[int] = []
    slot_kind: list[int] = []
    slot_of: dict[tuple[int, int], int] = {}
    history: dict[int, tuple[str, ...]] = {}
    notes_by_slot: dict[int, list[str]] = {}
    for fi, (fid, _prio, listed, hist, fnotes) in enumerate(raw_families):
        names: list[str] = (
            listed
            if listed is not None
            else (["mentor", "role_model"] if fi in with_role_model else ["mentor"])
        )
        if hist:
            history[fi] = hist
        for kind_index, slot_name in enumerate(SLOTS):
            if slot_name in names:
                slot_of[(fi, kind_index)] = len(slot_family)
                if slot_name in fnotes:
                    notes_by_slot[len(slot_family)] = list(fnotes[slot_name])
                slot_family.append(fi)
                slot_kind.append(kind_index)
        for name in fnotes:
            if name not in names:
                raise ProblemError(f"family {fid!r}: notes for a slot it does not have ({name})")
    entries: list[tuple[int, int, int, dict[str, int] | None]] = []
    for i, (fi, kind, mi, score, breakdown) in enumerate(raw_pairs):
        if (fi, kind) not in slot_of:
            raise ProblemError(
                f"pairs[{i}]: family {raw_families[fi][0]!r} has no "
                f"{SLOTS[kind].replace('_', ' ')} slot"
            )
        entries.append((slot_of[(fi, kind)], mi, score, breakdown))
    entries.sort(key=lambda e: (e[0], e[1]))
    for a2, b2 in zip(entries, entries[1:], strict=False):
        if a2[0] == b2[0] and a2[1] == b2[1]:
            raise ProblemError(
                f"pairs: duplicate pair {raw_mentors[a2[1]][0]!r}-"
                f"{raw_families[slot_family[a2[0]]][0]!r}"
            )

    kept: list[ActiveMatch] = []
    for i, raw in enumerate(_list(data.get("kept", []), "kept")):
        where = f"kept[{i}]"
        km = _obj(raw, where)
        _keys(km, where, {"mentor", "family", "slot"}, set())
        kept.append(
            ActiveMatch(
                _str(km["mentor"], f"{where}.mentor"),
                _str(km["family"], f"{where}.family"),
                km["slot"],
            )
        )

    breakdowns = {p: e[3] for p, e in enumerate(entries) if e[3] is not None}
    return Graph(
        mentor_ids=tuple(m[0] for m in raw_mentors),
        mentor_kind=np.array([m[1] for m in raw_mentors], dtype=np.int8),
        mentor_capacity=np.array([m[2] for m in raw_mentors], dtype=np.int64),
        mentor_load=np.array([m[3] for m in raw_mentors], dtype=np.int64),
        family_ids=tuple(f[0] for f in raw_families),
        family_priority=np.array([f[1] for f in raw_families], dtype=np.int64),
        slot_family=np.array(slot_family, dtype=np.int32),
        slot_kind=np.array(slot_kind, dtype=np.int8),
        pair_slot=np.array([e[0] for e in entries], dtype=np.int32),
        pair_mentor=np.array([e[1] for e in entries], dtype=np.int32),
        pair_score=np.array([e[2] for e in entries], dtype=np.int64),
        weights=weights,
        kept=tuple(sorted(kept, key=lambda a: (a.family, a.slot, a.mentor))),
        explainer=ReplayExplainer(history, notes_by_slot, breakdowns, has_breakdowns),
    )


__all__ = ["KIND_WORDS", "Graph", "GraphMentor", "GraphPair", "GraphSlot", "build_graph"]
