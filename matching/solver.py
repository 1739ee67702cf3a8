"""solve(): a problem (or its explicit graph) in, a proven-optimal plan with reasons out.

A problem is cut into parts that share no mentor (districts linked by mentors
who travel between them); each part is built with the policy, optimised (see
`matching.optimiser`) and explained. Parts can be solved in worker processes.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matching.arrays import (
    build_arrays,
)
from matching.errors import ProblemError
from matching.graph import KIND_WORDS, Graph, graph_from_arrays
from matching.model import SLOTS, ActiveMatch, Family, Mentor, Problem, SlotName, Weights
from matching.model import validate_problem as _validate
from matching.optimiser import _ranges, objective, optimise
from matching.policy import (
    _plural,
    active_state,
    open_slots,
    symmetric_neighbours,
)

# A part of a problem is solved on its own once it has this many families.
BATCH_FAMILIES = 4000


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (restored after, if it was on).

    A solve makes millions of small acyclic objects (pairs of lists and tuples while
    building, assignments and their lines while explaining) beside a problem of
    millions more; each collection would walk them all again. Reference counting
    still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class Assignment:
    """A proposed match, its score by term and why, in plain English."""

    mentor: str
    family: str
    slot: SlotName
    score: int
    breakdown: dict[str, int]
    explanation: list[str]

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (type(self), tuple(getattr(self, f) for f in self.__slots__))

    def to_json(self) -> dict[str, Any]:
        return {
            "mentor": self.mentor,
            "family": self.family,
            "slot": self.slot,
            "score": self.score,
            "breakdown": dict(self.breakdown),
            "explanation": list(self.explanation),
        }


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A family slot left open, with the reasons a coordinator can act on."""

    family: str
    slot: SlotName
    reasons: list[str]
    priority: int = 0

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (type(self), tuple(getattr(self, f) for f in self.__slots__))

    def to_json(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "slot": self.slot,
            "priority": self.priority,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Solution:
    """The plan. `status` is OPTIMAL when every part was proven optimal.

    `objective`: priority_covered (sum of the priorities of the filled slots),
    total_score, balance_penalty (balance * ((active + new)**2 - active**2)
    summed over mentors). Timings are seconds summed over the parts: building
    the graph and flows, OR-Tools solving, writing explanations; `wall_seconds`
    is the elapsed time of the whole call.
    """

    status: str
    assignments: list[Assignment]
    unmatched: list[Unmatched]
    kept: list[ActiveMatch]
    objective: dict[str, int]
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    explain_seconds: float = 0.0
    wall_seconds: float = 0.0
    stats: dict[str, int] = field(default_factory=dict)
    message: str = ""

    def to_json(self, *, timings: bool = True) -> dict[str, Any]:
        """The JSON form; `timings=False` leaves out what varies between runs."""
        out: dict[str, Any] = {
            "status": self.status,
            "assignments": [a.to_json() for a in self.assignments],
            "unmatched": [u.to_json() for u in self.unmatched],
            "kept": [{"mentor": a.mentor, "family": a.family, "slot": a.slot} for a in self.kept],
            "objective": dict(self.objective),
            "stats": dict(self.stats),
        }
        if self.message:
            out["message"] = self.message
        if timings:
            out["timings"] = {
                "build_seconds": round(self.build_seconds, 6),
                "solve_seconds": round(self.solve_seconds, 6),
                "explain_seconds": round(self.explain_seconds, 6),
                "wall_seconds": round(self.wall_seconds, 6),
            }
        return out


@dataclass
class _Part:
    assignments: list[Assignment]
    unmatched: list[Unmatched]
    objective: dict[str, int]
    status: str
    build: float
    solve: float
    explain: float
    stats: dict[str, int]


def _fullness(one: str, many: str, n: int, before: int, taken: int, solved: bool) -> list[str]:
    """Why a slot with n eligible mentors is open: they are full (named by count)."""
    if n == 0:
        return []
    spare = n - before - taken
    if spare:
        if not solved:
            return ["Not solved: the time limit was reached before this part of the problem"]
        return [
            f"Left open: the slot has priority 0 and no mentor adds to the score, "
            f"although {spare} eligible {_plural(spare, one, many)} "
            f"{_plural(spare, 'has', 'have')} room"
        ]
    parts = []
    if taken:
        parts.append(f"{taken} taken by families of equal or higher priority in this run")
    if before:
        parts.append(f"{before} full with their current families")
    head = f"The only eligible {one} is full" if n == 1 else f"All {n} eligible {many} are full"
    return [f"{head} ({'; '.join(parts)})"]


def _explain(graph: Graph, chosen: Any, status: str) -> tuple[list[Assignment], list[Unmatched]]:
    n_m = graph.mentor_capacity.shape[0]
    n_s = graph.slot_family.shape[0]
    new_load = np.bincount(graph.pair_mentor[chosen], minlength=n_m).astype(np.int64)
    load_after = graph.mentor_load + new_load
    explainer = graph.explainer
    if explainer is not None:
        explained = explainer.many(graph, chosen, load_after)
    else:
        explained = [
            ({"score": int(graph.pair_score[p])}, [f"Score {int(graph.pair_score[p])}"])
            for p in chosen.tolist()
        ]
    slots = graph.pair_slot[chosen]
    mentor_ids, family_ids = graph.mentor_ids, graph.family_ids
    assignments = [
        Assignment(mentor_ids[m], family_ids[f], SLOTS[k], sc, breakdown, lines)
        for (breakdown, lines), m, f, k, sc in zip(
            explained,
            graph.pair_mentor[chosen].tolist(),
            graph.slot_family[slots].tolist(),
            graph.slot_kind[slots].tolist(),
            graph.pair_score[chosen].tolist(),
            strict=True,
        )
    ]
    filled = np.zeros(n_s, dtype=np.bool_)
    filled[graph.pair_slot[chosen]] = True
    # Per open slot: eligible mentors, those full before the run, those filled by it
    # (pairs are in slot order, so each slot's pairs are one run).
    open_ = np.flatnonzero(~filled)
    start = np.searchsorted(graph.pair_slot, np.arange(n_s + 1))
    deg = (start[open_ + 1] - start[open_]).astype(np.int64)
    owner = np.repeat(np.arange(open_.size, dtype=np.int64), deg)
    mentor_of = graph.pair_mentor[_ranges(start[open_].astype(np.int64), deg)]
    cap = graph.mentor_capacity
    full_before = cap == 0
    taken_now = ~full_before & (new_load >= cap)
    eligible = deg.tolist()
    before = np.bincount(owner[full_before[mentor_of]], minlength=open_.size).tolist()
    taken = np.bincount(owner[taken_now[mentor_of]], minlength=open_.size).tolist()
    solved = status == "OPTIMAL"
    unmatched: list[Unmatched] = []
    for o, s in enumerate(open_.tolist()):
        f = int(graph.slot_family[s])
        slot = SLOTS[int(graph.slot_kind[s])]
        one, many = KIND_WORDS[slot]
        reasons = explainer.notes(graph, s) if explainer is not None else []
        reasons += _fullness(one, many, eligible[o], before[o], taken[o], solved)
        if not reasons:
            reasons = [f"No eligible {one} for this family"]
        if explainer is not None:
            reasons.extend(explainer.history(graph, f))
        unmatched.append(
            Unmatched(
                family=graph.family_ids[f],
                slot=slot,
                reasons=reasons,
                priority=int(graph.family_priority[f]),
            )
        )
    return assignments, unmatched


def _solve_graph(graph: Graph, deadline: float | None) -> _Part:
    result = optimise(graph, deadline=deadline)
    started = time.perf_counter()
    assignments, unmatched = _explain(graph, result.chosen, result.status)
    explain = time.perf_counter() - started
    return _Part(
        assignments=assignments,
        unmatched=unmatched,
        objective=objective(graph, result.chosen),
        status=result.status,
        build=result.build_seconds,
        solve=result.solve_seconds,
        explain=explain,
        stats={
            "slots": int(graph.slot_family.shape[0]),
            "pairs": int(graph.pair_slot.shape[0]),
            "components": result.components,
            "flow_arcs": result.arcs,
            "score_flows": result.rounds,
        },
    )


@dataclass(frozen=True)
class _Batch:
    mentors: tuple[Mentor, ...]
    families: tuple[Family, ...]
    weights: Weights
    neighbours: dict[str, frozenset[str]]
    load: dict[str, int]
    filled: dict[str, frozenset[str]]


def _solve_batch(batch: _Batch, deadline: float | None) -> _Part:
    started = time.perf_counter()
    arrays = build_arrays(
        batch.mentors,
        batch.families,
        batch.weights,
        batch.neighbours,
        load=batch.load,
        filled=batch.filled,
    )
    graph = graph_from_arrays(arrays)
    policy_seconds = time.perf_counter() - started
    part = _solve_graph(graph, deadline)
    part.build += policy_seconds
    return part


def _solve_pickled(data: bytes, deadline: float | None) -> _Part:
    """`_solve_batch` in a helper process, on a pickled batch (unpickled with the
    collector paused)."""
    with _gc_paused():
        return _solve_batch(pickle.loads(data), deadline)  # noqa: S301 - from solve()


def _in_processes(
    pool: ProcessPoolExecutor, batches: list[_Batch], deadline: float | None, helpers: int
) -> list[_Part]:
    """Solve the batches with the pool's helper processes and this one; results in
    batch order.

    The largest batches go first (longest processing time first). The pool is kept
    three batches ahead per helper and this process solves the next batch
    meanwhile, so no helper waits for work while this one pickles, cuts up and
    gathers. When no batch is left, this process takes back the batches the
    helpers have not started (the smallest), so all finish close together; its own
    batches need no pickling.
    """
    order = sorted(range(len(batches)), key=lambda i: (-len(batches[i].families), i))
    results: dict[int, _Part] = {}
    pending: dict[Future[_Part], int] = {}
    queue = list(reversed(order))
    while True:
        if queue and len(pending) < 3 * helpers:
            i = queue.pop()
            data = pickle.dumps(batches[i], protocol=pickle.HIGHEST_PROTOCOL)
            pending[pool.submit(_solve_pickled, data, deadline)] = i
            continue
        if queue:
            i = queue.pop()
        else:
            for future in reversed(list(pending)):
                if future.cancel():
                    i = pending.pop(future)
                    break
            else:
                break
        results[i] = _solve_batch(batches[i], deadline)
        for future in [f for f in pending if f.done()]:
            results[pending.pop(future)] = future.result()
    for future, i in pending.items():
        results[i] = future.result()
    return [results[i] for i in range(len(batches))]


def _batches(problem: Problem) -> list[_Batch]:
    """Cut the problem into parts that share no mentor, in a canonical order."""
    neighbours = symmetric_neighbours(problem.neighbours)
    load, filled = active_state(problem)
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for m in problem.mentors:
        home = find(m.home_district)
        for d in m.travel_districts:
            other = find(d)
            if other != home:
                parent[max(home, other)] = min(home, other)
                home = min(home, other)
    families: dict[str, list[Family]] = {}
    for f in sorted(problem.families, key=lambda f: f.id):
        if open_slots(f, filled):
            families.setdefault(find(f.district), []).append(f)
    mentors: dict[str, list[Mentor]] = {}
    for m in sorted(problem.mentors, key=lambda m: m.id):
        root = find(m.home_district)
        if root in families:
            mentors.setdefault(root, []).append(m)
    batches: list[_Batch] = []
    current_m: list[Mentor] = []
    current_f: list[Family] = []

    def flush() -> None:
        if current_f:
            ids = {m.id for m in current_m}
            batches.append(
                _Batch(
                    mentors=tuple(current_m),
                    families=tuple(current_f),
                    weights=problem.weights,
                    neighbours=neighbours,
                    load={k: v for k, v in load.items() if k in ids},
                    filled={f.id: filled[f.id] for f in current_f if f.id in filled},
                )
            )
        current_m.clear()
        current_f.clear()

    for root in sorted(families):
        current_f.extend(families[root])
        current_m.extend(mentors.get(root, []))
        if len(current_f) >= BATCH_FAMILIES:
            flush()
    flush()
    return batches


def solve(
    problem: Problem | Graph,
    *,
    time_limit: float | None = None,
    workers: int = 1,
) -> Solution:
    """Solve a problem (or its explicit graph) to proven optimality, with explanations.

    `time_limit` (seconds) is checked between flows: parts not started by then
    are left unmatched with status TIME_LIMIT. `workers` > 1 solves independent
    parts of a problem in that many processes; the plan does not depend on it.
    """
    with _gc_paused():
        wall = time.perf_counter()
        deadline = time.time() + time_limit if time_limit is not None else None
        if workers < 1:
            raise ProblemError(f"workers must be at least 1, got {workers}")
        kept: list[ActiveMatch]
        if isinstance(problem, Graph):
            parts = [_solve_graph(problem, deadline)]
            kept = list(problem.kept)
        elif isinstance(problem, Problem):
            if workers > 1 and len(problem.families) > BATCH_FAMILIES:
                # Start the helper processes first: they load while the problem is cut up.
                spawned = multiprocessing.get_context("spawn")
                with ProcessPoolExecutor(max_workers=workers - 1, mp_context=spawned) as pool:
                    for _ in range(workers - 1):
                        pool.submit(int)
                    _validate(problem)
                    batches = _batches(problem)
                    if len(batches) > 1:
                        parts = _in_processes(pool, batches, deadline, workers - 1)
                    else:
                        parts = [_solve_batch(b, deadline) for b in batches]
            else:
                _validate(problem)
                parts = [_solve_batch(b, deadline) for b in _batches(problem)]
            kept = sorted(problem.active, key=lambda a: (a.family, a.slot, a.mentor))
        else:
            raise ProblemError(f"solve() needs a Problem or a Graph, got {type(problem).__name__}")
        return _merge(parts, kept, wall)


def _merge(parts: Sequence[_Part], kept: list[ActiveMatch], wall: float) -> Solution:
    assignments = sorted(
        (a for p in parts for a in p.assignments), key=lambda a: (a.family, a.slot)
    )
    unmatched = sorted((u for p in parts for u in p.unmatched), key=lambda u: (u.family, u.slot))
    total = {"priority_covered": 0, "total_score": 0, "balance_penalty": 0}
    stats = {"slots": 0, "pairs": 0, "components": 0, "flow_arcs": 0, "score_flows": 0}
    for p in parts:
        for k in total:
            total[k] += p.objective[k]
        for k in stats:
            stats[k] += p.stats[k]
    stats["parts"] = len(parts)
    stats["assigned"] = len(assignments)
    stats["unmatched"] = len(unmatched)
    limited = any(p.status != "OPTIMAL" for p in parts)
    return Solution(
        status="TIME_LIMIT" if limited else "OPTIMAL",
        assignments=assignments,
        unmatched=unmatched,
        kept=kept,
        objective=total,
        build_seconds=sum(p.build for p in parts),
        solve_seconds=sum(p.solve for p in parts),
        explain_seconds=sum(p.explain for p in parts),
        wall_seconds=time.perf_counter() - wall,
        stats=stats,
        message="the time limit was reached; some parts were not solved" if limited else "",
    )


__all__ = ["Assignment", "Solution", "Unmatched", "solve"]
