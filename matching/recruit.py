"""Recruitment planning: whom to recruit, and whom to train, to serve the most families.

`plan(problem, budget=k)` proposes up to k new mentors, one at a time, each the
candidate profile that raises the optimum the most (priority covered, then
score). Every figure it claims is the optimum of the problem extended with the
mentors proposed so far, found by the solver's own build and min-cost flow
(`matching.solver`): adding the mentors and calling `solve` gives the same
numbers (a property test checks it).

Candidate profiles are drawn once from the slots the current optimum leaves
waiting: for each kind and home district near waiting slots of that kind, a
mentor of capacity `capacity` who travels to at most 2 neighbouring districts
with waiting slots, trained for domestic abuse if a waiting family there needs
it, with the 2 languages, 3 skills and 2 availability periods the waiting
families there ask for most, and up to two variants of gender. No conflicts.

The greedy is lazy (coverage is close to submodular): a candidate's last exact
gain, or before its first evaluation the gain of simply giving it the waiting
slots it may take (a lower bound on its gain), orders the queue; the first
candidate whose gain was computed at the current step and is at least every
other key is chosen. The plan stops early when no profile raises the priority
covered (a recruit who would only raise the score is not worth recruiting).

`upskill` lists existing mentors with room who, once trained in a specialist
module (domestic abuse: the one training that the hard rules ask for), would
serve the most, each figure the optimum with that one change.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from matching.arrays import build_arrays
from matching.errors import ProblemError
from matching.graph import graph_from_arrays
from matching.jsonform import mentor_to_json
from matching.model import (
    KIND_OF_SLOT,
    SLOT_OF_KIND,
    SLOTS,
    Family,
    Mentor,
    Problem,
    SlotName,
    validate_problem,
)
from matching.optimiser import objective, optimise
from matching.policy import (
    active_state,
    open_slots,
    priority,
    rule_failures,
    score_breakdown,
    symmetric_neighbours,
)
from matching.solver import _Batch, _batches, _gc_paused

MAX_BUDGET = 50
MAX_CAPACITY = 10
DEFAULT_CAPACITY = 2
MAX_TRAVEL = 2
MAX_LANGUAGES = 2
MAX_SKILLS = 3
MAX_AVAILABILITY = 2
MAX_UPSKILL = 5
NEW_ID_PREFIX = "NEW-"
MODULE_DOMESTIC_ABUSE = "domestic_abuse"

Slot = tuple[str, SlotName]


@dataclass(frozen=True, slots=True)
class Optimum:
    """The optimum of one problem: its objective and the slots it fills."""

    priority_covered: int
    total_score: int
    served: frozenset[Slot]
    taken: Mapping[str, int]  # mentor id: families the optimum gives them

    @property
    def slots_filled(self) -> int:
        return len(self.served)

    def key(self) -> tuple[int, int]:
        return (self.priority_covered, self.total_score)

    def figures(self) -> dict[str, int]:
        return {
            "priority_covered": self.priority_covered,
            "slots_filled": self.slots_filled,
            "total_score": self.total_score,
        }


@dataclass(frozen=True, slots=True)
class Step:
    """A recruit, and the optimum with the recruits of this step and those before."""

    mentor: Mentor
    optimum: Optimum
    families: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "mentor": mentor_to_json(self.mentor),
            **self.optimum.figures(),
            "families": list(self.families),
        }


@dataclass(frozen=True, slots=True)
class Upskill:
    """An existing mentor trained in a module, and the optimum with that one change."""

    mentor: str
    module: str
    optimum: Optimum
    families: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "mentor": self.mentor,
            "module": self.module,
            **self.optimum.figures(),
            "families": list(self.families),
        }


@dataclass(frozen=True)
class Plan:
    """What `plan` returns; `to_json()` is the command line's output."""

    before: Optimum
    steps: tuple[Step, ...]
    upskill: tuple[Upskill, ...]
    candidates: int
    evaluations: int

    def to_json(self) -> dict[str, Any]:
        return {
            "status": "OPTIMAL",
            "before": self.before.figures(),
            "steps": [s.to_json() for s in self.steps],
            "upskill": [u.to_json() for u in self.upskill],
            "stats": {"candidates": self.candidates, "evaluations": self.evaluations},
        }


class Evaluator:
    """The optimum of a problem and its variants, part by part, with a cache.

    The problem is cut as `solve` cuts it (parts that share no mentor); a part
    whose mentors and families are unchanged is not solved again.
    """

    def __init__(self) -> None:
        self._cache: dict[tuple[Any, ...], Optimum] = {}
        self.evaluations = 0

    def optimum(self, problem: Problem) -> Optimum:
        self.evaluations += 1
        return _total(self._part(batch) for batch in _batches(problem))

    def _part(self, batch: _Batch) -> Optimum:
        """A part's optimum: its volunteers and mentor slots, and its role models and role
        model slots, never share a component of the flow, so each half is solved alone."""
        halves = (_half(batch, slot) for slot in SLOTS)
        return _total(self._solve(h) for h in halves if h is not None)

    def _solve(self, batch: _Batch) -> Optimum:
        key = (batch.mentors, tuple(f.id for f in batch.families))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        arrays = build_arrays(
            batch.mentors,
            batch.families,
            batch.weights,
            batch.neighbours,
            load=batch.load,
            filled=batch.filled,
        )
        graph = graph_from_arrays(arrays)
        result = optimise(graph)
        if result.status != "OPTIMAL":  # no deadline is given: cannot happen
            raise ProblemError("internal error: a part was not solved")
        obj = objective(graph, result.chosen)
        slots = graph.pair_slot[result.chosen]
        served = frozenset(
            (graph.family_ids[f], SLOTS[k])
            for f, k in zip(
                graph.slot_family[slots].tolist(), graph.slot_kind[slots].tolist(), strict=True
            )
        )
        counts = Counter(graph.pair_mentor[result.chosen].tolist())
        taken = {graph.mentor_ids[m]: n for m, n in counts.items()}
        out = Optimum(obj["priority_covered"], obj["total_score"], served, taken)
        self._cache[key] = out
        return out


def _total(parts: Iterable[Optimum]) -> Optimum:
    prio = score = 0
    served: set[Slot] = set()
    taken: dict[str, int] = {}
    for part in parts:
        prio += part.priority_covered
        score += part.total_score
        served |= part.served
        taken.update(part.taken)
    return Optimum(prio, score, frozenset(served), taken)


def _half(batch: _Batch, slot: SlotName) -> _Batch | None:
    """The part of a batch about one kind of slot: its mentors and the families with that
    slot open (the other slot counted as filled)."""
    kind = KIND_OF_SLOT[slot]
    other: SlotName = "role_model" if slot == "mentor" else "mentor"
    families = tuple(f for f in batch.families if slot in open_slots(f, batch.filled))
    if not families:
        return None
    mentors = tuple(m for m in batch.mentors if m.kind == kind)
    return _Batch(
        mentors=mentors,
        families=families,
        weights=batch.weights,
        neighbours=batch.neighbours,
        load={m.id: batch.load[m.id] for m in mentors if m.id in batch.load},
        filled={f.id: batch.filled.get(f.id, frozenset()) | {other} for f in families},
    )


def check_limits(budget: int, capacity: int) -> None:
    if isinstance(budget, bool) or not isinstance(budget, int) or not 0 <= budget <= MAX_BUDGET:
        raise ProblemError(f"budget must be a whole number from 0 to {MAX_BUDGET}, got {budget!r}")
    if (
        isinstance(capacity, bool)
        or not isinstance(capacity, int)
        or not 1 <= capacity <= MAX_CAPACITY
    ):
        raise ProblemError(
            f"capacity must be a whole number from 1 to {MAX_CAPACITY}, got {capacity!r}"
        )


def _top(counter: Counter[str], n: int, first: Sequence[str] = ()) -> frozenset[str]:
    """The n values counted most (ties by name), after those in `first`."""
    chosen = list(dict.fromkeys(first))[:n]
    for value, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
        if len(chosen) >= n:
            break
        if value not in chosen:
            chosen.append(value)
    return frozenset(chosen)


def waiting_slots(problem: Problem, optimum: Optimum) -> list[tuple[Family, SlotName]]:
    """The open slots the optimum leaves unfilled, by family id then slot."""
    _, filled = active_state(problem)
    out = []
    for f in sorted(problem.families, key=lambda f: f.id):
        for s in open_slots(f, filled):
            if (f.id, s) not in optimum.served:
                out.append((f, s))
    return out


def candidates(
    problem: Problem, waiting: Sequence[tuple[Family, SlotName]], capacity: int
) -> list[Mentor]:
    """Realistic mentor profiles drawn from the waiting slots (ids are placeholders)."""
    neighbours = symmetric_neighbours(problem.neighbours)
    weights = problem.weights
    by_area: dict[tuple[str, SlotName], list[Family]] = defaultdict(list)
    for f, s in waiting:
        by_area[(f.district, s)].append(f)
    districts = sorted(
        {f.district for f in problem.families} | {m.home_district for m in problem.mentors}
    )
    out: list[Mentor] = []
    for slot in SLOTS:
        for home in districts:
            near = sorted(neighbours.get(home, frozenset()))
            weight = {
                d: sum(priority(f, weights) for f in by_area.get((d, slot), [])) for d in near
            }
            travel = [d for d in sorted(near, key=lambda d: (-weight[d], d)) if weight[d] > 0]
            travel = travel[:MAX_TRAVEL]
            area = by_area.get((home, slot), []) + [f for d in travel for f in by_area[(d, slot)]]
            if not area:
                continue
            out.extend(_profiles(home, frozenset(travel), slot, area, capacity, weights))
    return out


def _profiles(
    home: str,
    travel: frozenset[str],
    slot: SlotName,
    area: Sequence[Family],
    capacity: int,
    weights: Any,
) -> list[Mentor]:
    needs: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    required: Counter[str] = Counter()
    availability: Counter[str] = Counter()
    genders: Counter[str] = Counter()
    for f in area:
        p = priority(f, weights)
        needs.update(dict.fromkeys(f.needs, p))
        languages.update(dict.fromkeys(f.languages, p))
        availability.update(dict.fromkeys(f.availability, p))
        pref = f.language_preference
        if pref is not None:
            (required if pref.required else languages).update({pref.value: p})
        if f.gender_preference is not None:
            genders.update({f.gender_preference.value: p})
    first = [v for v, _ in sorted(required.items(), key=lambda kv: (-kv[1], kv[0]))]
    base = Mentor(
        id=f"{NEW_ID_PREFIX}candidate",
        kind=KIND_OF_SLOT[slot],
        capacity=capacity,
        home_district=home,
        travel_districts=travel,
        skills=_top(needs, MAX_SKILLS),
        languages=_top(languages, MAX_LANGUAGES, first),
        availability=_top(availability, MAX_AVAILABILITY),
        domestic_abuse_trained=any(f.domestic_abuse for f in area),
    )
    ranked = [g for g, _ in sorted(genders.items(), key=lambda kv: (-kv[1], kv[0]))][:2]
    if not ranked:
        return [base]
    return [replace(base, gender=g) for g in ranked]


def _direct_gain(
    mentor: Mentor,
    waiting: Sequence[tuple[Family, SlotName]],
    spare: int,
    problem: Problem,
    neighbours: Mapping[str, frozenset[str]],
) -> tuple[int, int]:
    """Priority and score of the best `spare` waiting slots the mentor may take. Adding
    them to the current plan keeps it feasible, so the optimum rises by at least this
    (lexicographically)."""
    weights = problem.weights
    options = sorted(
        (
            (priority(f, weights), sum(score_breakdown(mentor, f, weights, neighbours).values()))
            for f, s in waiting
            if SLOT_OF_KIND[mentor.kind] == s and not rule_failures(mentor, f, s, neighbours)
        ),
        reverse=True,
    )[:spare]
    return (sum(p for p, _ in options), sum(sc for _, sc in options))


def _new_id(used: set[str], n: int) -> str:
    while True:
        n += 1
        candidate = f"{NEW_ID_PREFIX}{n:02d}"
        if candidate not in used:
            return candidate


def _with(problem: Problem, extra: Iterable[Mentor]) -> Problem:
    return replace(problem, mentors=problem.mentors + tuple(extra))


def _newly(before: Optimum, after: Optimum) -> tuple[str, ...]:
    """Families with a slot the second optimum fills and the first does not."""
    return tuple(sorted({f for f, _ in after.served - before.served}))


def _gain(a: Optimum, b: Optimum) -> tuple[int, int]:
    return (a.priority_covered - b.priority_covered, a.total_score - b.total_score)


def plan(
    problem: Problem,
    *,
    budget: int,
    capacity: int = DEFAULT_CAPACITY,
    upskill: int = MAX_UPSKILL,
    on_step: Callable[[int], None] | None = None,
) -> Plan:
    """Propose up to `budget` recruits (fewer when no profile raises the optimum) and up to
    `upskill` mentors to train. Deterministic: the same problem gives the same plan.
    `on_step(n)` is called after the n-th recruit is chosen (for a progress line)."""
    check_limits(budget, capacity)
    validate_problem(problem)
    with _gc_paused():
        ev = Evaluator()
        before = ev.optimum(problem)
        waiting = waiting_slots(problem, before)
        pool = candidates(problem, waiting, capacity)
        neighbours = symmetric_neighbours(problem.neighbours)
        used = {m.id for m in problem.mentors}
        # Queue entries: (-priority gain, -score gain, 0 if computed at this step else 1,
        # candidate, step it was computed at); a gain computed now wins ties.
        heap = []
        for i, m in enumerate(pool):
            gp, gs = _direct_gain(m, waiting, capacity, problem, neighbours)
            heap.append((-gp, -gs, 1, i, -1))
        heapq.heapify(heap)
        steps: list[Step] = []
        current, added = before, []
        best_of_step: dict[int, tuple[Mentor, Optimum]] = {}
        while len(steps) < budget and heap:
            k = len(steps)
            mentor_id = _new_id(used, k)
            neg_p, neg_s, _, i, at = heapq.heappop(heap)
            if at == k:
                if -neg_p <= 0:
                    break  # no profile serves more: a recruit only for a better score is not
                    # worth recruiting
                mentor, optimum = best_of_step.pop(i)
                steps.append(Step(mentor, optimum, _newly(current, optimum)))
                if on_step is not None:
                    on_step(len(steps))
                used.add(mentor.id)
                added.append(mentor)
                current = optimum
                best_of_step.clear()
                heap = [(p, sc, 1, j, a) for p, sc, _, j, a in heap]
                heapq.heapify(heap)
                heapq.heappush(heap, (neg_p, neg_s, 1, i, -1))  # a profile may come twice
                continue
            mentor = replace(pool[i], id=mentor_id)
            optimum = ev.optimum(_with(problem, [*added, mentor]))
            best_of_step[i] = (mentor, optimum)
            gp, gs = _gain(optimum, current)
            heapq.heappush(heap, (-gp, -gs, 0, i, k))
        trained = _upskill(problem, before, waiting, neighbours, ev, upskill)
        return Plan(before, tuple(steps), trained, len(pool), ev.evaluations)


def _upskill(
    problem: Problem,
    before: Optimum,
    waiting: Sequence[tuple[Family, SlotName]],
    neighbours: Mapping[str, frozenset[str]],
    ev: Evaluator,
    limit: int,
) -> tuple[Upskill, ...]:
    """Mentors with room who, trained for domestic abuse, would serve the most (lazily:
    each mentor's lower bound orders the queue, exact optima decide)."""
    if limit <= 0 or not any(f.domestic_abuse for f, _ in waiting):
        return ()
    load, _ = active_state(problem)
    heap = []
    for m in problem.mentors:
        spare = m.capacity - load.get(m.id, 0) - before.taken.get(m.id, 0)
        if m.domestic_abuse_trained or spare <= 0:
            continue
        gp, gs = _direct_gain(
            replace(m, domestic_abuse_trained=True), waiting, spare, problem, neighbours
        )
        if gp > 0:
            heap.append((-gp, -gs, 1, m.id))
    heapq.heapify(heap)
    found: list[Upskill] = []
    index = {m.id: i for i, m in enumerate(problem.mentors)}
    exact: dict[str, Optimum] = {}
    while heap and len(found) < limit:
        _, _, stale, mid = heapq.heappop(heap)
        if not stale:
            optimum = exact[mid]
            if optimum.priority_covered > before.priority_covered:
                found.append(Upskill(mid, MODULE_DOMESTIC_ABUSE, optimum, _newly(before, optimum)))
            continue
        mentors = list(problem.mentors)
        mentors[index[mid]] = replace(mentors[index[mid]], domestic_abuse_trained=True)
        optimum = ev.optimum(replace(problem, mentors=tuple(mentors)))
        exact[mid] = optimum
        gp, gs = _gain(optimum, before)
        heapq.heappush(heap, (-gp, -gs, 0, mid))
    return tuple(found)


def evaluate_set(
    problem: Problem, mentors: Sequence[Mentor], ev: Evaluator | None = None
) -> Optimum:
    """The optimum with these mentors added (ids made unique and unused), for comparisons."""
    ev = ev or Evaluator()
    used = {m.id for m in problem.mentors}
    extra = []
    for k, m in enumerate(mentors):
        new = _new_id(used, k)
        used.add(new)
        extra.append(replace(m, id=new))
    with _gc_paused():
        return ev.optimum(_with(problem, extra))


__all__ = [
    "DEFAULT_CAPACITY",
    "MAX_BUDGET",
    "MAX_CAPACITY",
    "Evaluator",
    "Optimum",
    "Plan",
    "Step",
    "Upskill",
    "candidates",
    "check_limits",
    "evaluate_set",
    "plan",
    "waiting_slots",
]
