"""Optimiser: the lexicographically best assignment over the explicit graph.

Objective, in order: (1) the sum of the priorities of the filled slots, (2) the
total score, (3) the least balance penalty, where a mentor's k-th family (active
matches included) costs balance * (2k - 1), so a load of n costs balance * n**2.

Method (OR-Tools min-cost flow, integer costs, optimality proven by the solver):

Stage 1 finds how many slots of each priority level an optimal plan fills.
The slots a plan can fill together form a transversal matroid, so every plan
with the greatest priority sum fills the same number of slots at each level,
and that number depends only on the order of the priorities. Stage 1 is thus
a flow with costs -rank(level), on a graph where slots with the same set of
eligible mentors are merged into one node (exact: they are interchangeable).

Stage 2 then fixes those counts (a level node supplies exactly its count; a
level filled completely makes each of its slots a source of one unit; a level
with count 0 is dropped) and minimises -score * M + balance increments, with
M one more than the largest possible difference of the balance penalty between
two plans of the same size, so score comes strictly before balance. As the
balance is third, only whether it is positive matters: increments are 2k - 1.

The graph is split into connected components (mentors and slots linked by
pairs), one pair of flows each; a component with a single slot is decided
directly (its best mentor). The order of nodes and arcs within a component is
canonical (ids sorted), so equal-objective ties are resolved the same way on
every run and machine, and a component gets the same plan whether it is
solved from the problem or from its replay form.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from matching.errors import SolverError
from matching.graph import Graph
from matching.policy import I64, U64, Bools

Ints = npt.NDArray[np.integer[Any]]  # indices, int32 or int64

_INT64_MAX = 2**63 - 1


@dataclass
class FlowResult:
    """The chosen pairs (indices into the graph's pairs) and how the solve went."""

    chosen: I64
    status: str
    build_seconds: float
    solve_seconds: float
    flows: int
    components: int
    arcs: int
    rounds: int = 0


def components(n: int, u: Ints, v: Ints) -> I64:
    """Connected components: for each node, the smallest node of its component.

    Hook-and-compress on arrays: every round each component with an edge to
    another merges, so there are O(log n) rounds of vectorised work.
    """
    parent = np.arange(n, dtype=np.int64)
    if u.size == 0:
        return parent
    while True:
        pu = parent[u]
        pv = parent[v]
        diff = pu != pv
        if not diff.any():
            return parent
        lo = np.minimum(pu[diff], pv[diff])
        hi = np.maximum(pu[diff], pv[diff])
        np.minimum.at(parent, hi, lo)
        while True:
            nxt = parent[parent]
            if np.array_equal(nxt, parent):
                break
            parent = nxt


def _ranges(starts: I64, lengths: I64) -> I64:
    """Concatenated ranges [starts[i], starts[i] + lengths[i])."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return np.asarray(np.arange(total, dtype=np.int64) + offsets, dtype=np.int64)


def _mix(x: U64, seed: int) -> U64:
    """splitmix64: a fixed pseudo-random 64-bit value per index (for set hashing)."""
    z = x + np.uint64((seed * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return np.asarray(z ^ (z >> np.uint64(31)), dtype=np.uint64)


class _Flow:
    """One OR-Tools min-cost flow, built from arrays; arcs and timings are kept."""

    def __init__(self) -> None:
        self.smcf = min_cost_flow.SimpleMinCostFlow()
        self.build = 0.0
        self.solve_time = 0.0
        self.parts: list[tuple[I64, I64, I64, I64]] = []

    @property
    def arcs(self) -> int:
        return sum(p[0].shape[0] for p in self.parts)

    def add(self, tails: Ints, heads: Ints, caps: I64, costs: I64) -> I64:
        started = time.perf_counter()
        first = self.arcs
        self.smcf.add_arcs_with_capacity_and_unit_cost(
            np.ascontiguousarray(tails, dtype=np.int32),
            np.ascontiguousarray(heads, dtype=np.int32),
            np.ascontiguousarray(caps, dtype=np.int64),
            np.ascontiguousarray(costs, dtype=np.int64),
        )
        self.parts.append(
            (
                np.asarray(tails, dtype=np.int64),
                np.asarray(heads, dtype=np.int64),
                np.asarray(caps, dtype=np.int64),
                np.asarray(costs, dtype=np.int64),
            )
        )
        self.build += time.perf_counter() - started
        return np.arange(first, first + tails.shape[0], dtype=np.int64)

    def run(self, nodes: I64, supplies: I64, what: str) -> None:
        started = time.perf_counter()
        self.smcf.set_nodes_supplies(
            np.ascontiguousarray(nodes, dtype=np.int32),
            np.ascontiguousarray(supplies, dtype=np.int64),
        )
        self.build += time.perf_counter() - started
        started = time.perf_counter()
        status = self.smcf.solve()
        self.solve_time += time.perf_counter() - started
        if status != self.smcf.OPTIMAL:
            name = getattr(status, "name", str(status))
            hint = (
                " (the costs are too large for one flow: split the problem into smaller areas)"
                if name == "BAD_COST_RANGE"
                else ""
            )
            raise SolverError(f"min-cost flow ({what}) ended with status {name}{hint}")

    def flows(self, arcs: I64) -> I64:
        if arcs.size == 0:
            return np.zeros(0, dtype=np.int64)
        return np.asarray(self.smcf.flows(arcs), dtype=np.int64)

    def potentials(self, n_nodes: int, max_rounds: int) -> I64 | None:
        """Node potentials proving the flow optimal: shortest distances in its residual
        graph from a virtual root joined to every node (Bellman-Ford on arrays).

        Returns None if they do not settle within `max_rounds` rounds.
        """
        tails = np.concatenate([p[0] for p in self.parts])
        heads = np.concatenate([p[1] for p in self.parts])
        caps = np.concatenate([p[2] for p in self.parts])
        costs = np.concatenate([p[3] for p in self.parts])
        flows = self.flows(np.arange(tails.shape[0], dtype=np.int64))
        fwd = flows < caps
        bwd = flows > 0
        t = np.concatenate((tails[fwd], heads[bwd]))
        h = np.concatenate((heads[fwd], tails[bwd]))
        c = np.concatenate((costs[fwd], -costs[bwd]))
        # Residual arcs grouped by tail: a round relaxes only the arcs leaving nodes whose
        # distance fell in the round before (the others would offer nothing new). Rounds
        # are as in plain Bellman-Ford: each reads the distances of the one before.
        order = np.argsort(t, kind="stable")
        t, h, c = t[order], h[order], c[order]
        first = np.searchsorted(t, np.arange(n_nodes + 1))
        out_deg = np.diff(first)
        dist = np.zeros(n_nodes, dtype=np.int64)
        rt, rh, rc = t, h, c  # the first round: every node's distance has just been set
        for _ in range(max_rounds):
            offer = dist[rt] + rc
            better = offer < dist[rh]
            if not better.any():
                return dist
            new = dist.copy()
            np.minimum.at(new, rh[better], offer[better])
            fell = np.flatnonzero(new < dist)
            dist = new
            arcs = _ranges(first[fell], out_deg[fell])
            rt, rh, rc = t[arcs], h[arcs], c[arcs]
        return None


@dataclass
class _Chunk:
    chosen: I64
    build: float
    solve: float
    arcs: int
    rounds: int = 0


def slot_groups(pm: Ints, start: I64, n_m: int) -> tuple[I64, I64]:
    """Slots with the same set of mentors, as groups numbered by their first slot.

    `pm` lists each slot's mentors (sorted) in slot order; `start` delimits the
    slots. Returns the group of each slot (-1 for a slot with no pair) and the
    first slot of each group. Sets are compared by a 64-bit hash and then checked
    exactly; on a collision every slot is its own group.
    """
    n_s = start.shape[0] - 1
    deg = np.diff(start)
    group = np.full(n_s, -1, dtype=np.int64)
    has = np.nonzero(deg > 0)[0]
    if has.size == 0:
        return group, np.zeros(0, dtype=np.int64)
    h = np.add.reduceat(_mix(np.arange(n_m, dtype=np.uint64), 1)[pm], start[has])
    d = deg[has]
    order = np.lexsort((has, h, d))
    new = np.ones(order.size, dtype=np.bool_)
    new[1:] = (d[order][1:] != d[order][:-1]) | (h[order][1:] != h[order][:-1])
    # Number groups by their first slot (canonical, whatever the hash values).
    first_of_run = has[order[new]]
    rank = np.empty(first_of_run.size, dtype=np.int64)
    rank[np.argsort(first_of_run, kind="stable")] = np.arange(first_of_run.size)
    run = np.cumsum(new) - 1
    group[has[order]] = rank[run]
    rep = np.sort(first_of_run)
    # Check: every slot's mentors equal its group's first slot's, place by place.
    shift = start[rep[group[has]]] - start[has]  # per slot: where its group's list starts
    moved = np.nonzero(shift)[0]
    ok = True
    if moved.size:
        slots = has[moved]
        pairs = _ranges(start[slots], deg[slots])
        ok = bool((pm[pairs] == pm[pairs + np.repeat(shift[moved], deg[slots])]).all())
    if not ok:
        group[has] = np.arange(has.size)
        rep = has
    return group, rep


def _level_counts(
    prio: I64, cap: I64, pm: Ints, start: I64, group_of: I64, reps: I64
) -> tuple[I64, I64, I64, _Flow | None]:
    """Stage 1: for each positive priority level, how many of its slots an optimum fills.

    Returns the level of each slot (-1 for priority 0), the count per level, the
    pairs (indices) of one plan with those counts, and the flow.
    """
    n_s = prio.shape[0]
    n_m = cap.shape[0]
    deg = np.diff(start)
    level = np.full(n_s, -1, dtype=np.int64)
    positive = np.nonzero(prio > 0)[0]
    if positive.size == 0:
        return level, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), None
    _values, lv = np.unique(prio[positive], return_inverse=True)
    lv = lv.reshape(-1).astype(np.int64)
    level[positive] = lv
    k = int(lv.max()) + 1

    # Data: the groups (same eligible mentors) that have a slot of positive priority.
    used, group = np.unique(group_of[positive], return_inverse=True)
    group = group.reshape(-1).astype(np.int64)
    rep = reps[used]
    n_g = int(rep.shape[0])
    size = np.bincount(group, minlength=n_g)
    # Variables: arcs source -> (group, level), group -> mentor, mentor -> sink, a bypass.
    source, sink = 0, 1
    key = group * k + lv
    combos, combo_count = np.unique(key, return_counts=True)
    combo_level = combos % k
    rep_len = deg[rep]
    rep_pairs = _ranges(start[rep], rep_len)
    rep_group = np.repeat(np.arange(n_g, dtype=np.int64), rep_len)
    rep_mentor = pm[rep_pairs]
    flow = _Flow()
    # Objective: each filled slot earns its level's rank (the order is all that matters).
    level_arcs = flow.add(
        np.full(combos.size, source, dtype=np.int64),
        2 + combos // k,
        combo_count.astype(np.int64),
        -(combo_level + 1),
    )
    group_arcs = flow.add(
        2 + rep_group,
        2 + n_g + rep_mentor,
        np.minimum(size[rep_group], cap[rep_mentor]),
        np.zeros(rep_mentor.size, dtype=np.int64),
    )
    # Constraints: mentor capacity; a slot may stay open (the bypass).
    flow.add(
        2 + n_g + np.arange(n_m, dtype=np.int64),
        np.full(n_m, sink, dtype=np.int64),
        cap,
        np.zeros(n_m, dtype=np.int64),
    )
    n_pos = int(positive.size)
    flow.add(
        np.array([source], dtype=np.int64),
        np.array([sink], dtype=np.int64),
        np.array([n_pos], dtype=np.int64),
        np.zeros(1, dtype=np.int64),
    )
    flow.run(
        np.array([source, sink], dtype=np.int64),
        np.array([n_pos, -n_pos], dtype=np.int64),
        "priority stage",
    )
    level_flow = flow.flows(level_arcs)
    counts = np.zeros(k, dtype=np.int64)
    np.add.at(counts, combo_level, level_flow)

    # One plan behind the flow: in each (group, level) its first members, paired in
    # group order with the group's units of flow to mentors.
    members = np.lexsort((positive, lv, group))  # by group, level, slot
    m_key = key[members]
    block_start = np.asarray(np.searchsorted(m_key, combos), dtype=np.int64)
    take = _ranges(block_start, level_flow)
    slots_taken = positive[members[take]]  # grouped by group
    units = np.repeat(rep_mentor, flow.flows(group_arcs))  # grouped by group
    plan = _find_pairs(pm, start, slots_taken, units)
    return level, counts, np.sort(plan), flow


def _find_pairs(pm: Ints, start: I64, slots: I64, mentors: Ints) -> I64:
    """Index of each pair (slot, mentor): a binary search in each slot's sorted mentors."""
    lo = start[slots].astype(np.int64)
    hi = start[slots + 1].astype(np.int64)
    while True:
        open_ = lo < hi
        if not open_.any():
            return lo
        mid = (lo + hi) // 2
        mid_safe = np.minimum(mid, pm.shape[0] - 1)
        below = open_ & (pm[mid_safe] < mentors)
        above = open_ & ~below
        lo = np.where(below, mid + 1, lo)
        hi = np.where(above, mid, hi)


# Stage 2 first solves a sparse flow (each slot's best-scoring pairs plus one feasible plan)
# when a component has more pairs than this, then proves it optimal for all pairs with
# potentials, adding any pair with a negative reduced cost and solving again.
SPARSE_FROM = 100_000
SPARSE_PER_SLOT = 20
POTENTIAL_ROUNDS = 2_000
SLACK = 3


def _best_pairs(slot: Ints, score: I64, n_slots: int, per_slot: int) -> Bools:
    """Each slot's pairs scoring at least its `per_slot`-th best score (ties kept)."""
    top = int(score.max(initial=0)) + 1
    if n_slots * top > 20_000_000:
        return np.ones(slot.shape[0], dtype=np.bool_)
    hist = np.bincount(slot * top + score, minlength=n_slots * top).reshape(n_slots, top)
    at_least = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1]  # at_least[s, v]: pairs scoring >= v
    threshold = np.maximum((at_least >= per_slot).sum(axis=1) - 1, 0)
    return np.asarray(score >= threshold[slot], dtype=np.bool_)


def _solve_chunk(
    prio: I64,
    cap: I64,
    load: I64,
    ps: Ints,
    pm: Ints,
    score: I64,
    balance: bool,
    group_of: I64,
    reps: I64,
) -> _Chunk:
    """Both stages on one component; `ps`/`pm` are local indices sorted by (slot, mentor),
    `group_of`/`reps` its slot groups (see `slot_groups`)."""
    n_s = prio.shape[0]
    n_m = cap.shape[0]
    if n_s == 1:
        # One slot: its best mentor by score, then smallest balance increment, then id;
        # a slot of priority 0 is filled only if that raises the score.
        inc = 2 * load[pm] + 1 if balance else np.zeros(pm.size, dtype=np.int64)
        best = int(np.lexsort((pm, inc, -score))[0])
        take = prio[0] > 0 or score[best] > 0
        return _Chunk(np.array([best] if take else [], dtype=np.int64), 0.0, 0.0, 0)
    deg = np.bincount(ps, minlength=n_s).astype(np.int64)
    start = np.concatenate(([0], np.cumsum(deg))).astype(np.int64)
    level, counts, plan, stage1 = _level_counts(prio, cap, pm, start, group_of, reps)
    build = stage1.build if stage1 else 0.0
    solve = stage1.solve_time if stage1 else 0.0
    arcs = stage1.arcs if stage1 else 0

    # Data: which slots stage 2 keeps, and how.
    k = counts.shape[0]
    at_level = np.bincount(level[level >= 0], minlength=k).astype(np.int64)
    full_level = (counts == at_level) & (counts > 0)
    partial_level = (counts > 0) & (counts < at_level)
    zero = level < 0
    safe_level = np.where(level >= 0, level, 0)
    pad = np.zeros(1, dtype=np.bool_)  # a level to index when there is none (all priority 0)
    forced = ~zero & np.concatenate((full_level, pad))[safe_level]
    partial = ~zero & np.concatenate((partial_level, pad))[safe_level]
    kept_slot = forced | partial | zero
    if bool(kept_slot.all()):
        kept_pairs = np.arange(ps.shape[0], dtype=np.int64)
        kp_slot, kp_mentor, kp_score = ps, pm, score
    else:
        kept_pairs = np.nonzero(kept_slot[ps])[0]
        kp_slot, kp_mentor, kp_score = ps[kept_pairs], pm[kept_pairs], score[kept_pairs]
    if kept_pairs.size == 0:
        return _Chunk(np.zeros(0, dtype=np.int64), build, solve, arcs)
    slots2 = np.nonzero(kept_slot)[0]
    new_slot = np.full(n_s, -1, dtype=np.int64)
    new_slot[slots2] = np.arange(slots2.size)
    partial_levels = np.nonzero(partial_level)[0]
    level_node = np.full(k, -1, dtype=np.int64)
    level_node[partial_levels] = 2 + np.arange(partial_levels.size)
    sink, pool = 0, 1
    base_s = 2 + int(partial_levels.size)
    base_m = base_s + int(slots2.size)
    n_nodes = base_m + n_m

    # Balance increments: the j-th new family of a mentor with `load` active costs 2(load+j)-1.
    deg_m = np.bincount(kp_mentor, minlength=n_m).astype(np.int64)
    usable = np.minimum(cap, deg_m)
    mentors = np.nonzero(usable > 0)[0]
    if balance:
        inc_mentor = np.repeat(mentors, usable[mentors])
        j = _ranges(np.ones(mentors.size, dtype=np.int64), usable[mentors])
        inc = 2 * (load[inc_mentor] + j) - 1
        inc_cap = np.ones(inc.size, dtype=np.int64)
    else:
        inc_mentor = mentors
        inc = np.zeros(mentors.size, dtype=np.int64)
        inc_cap = usable[mentors]
    n_forced = int(forced.sum())
    n_zero = int(zero.sum())
    need = n_forced + int(counts[partial_levels].sum())
    # M: one more than the widest possible gap in balance penalty between two plans
    # that fill between `need` and `need + n_zero` slots.
    if balance and inc.size:
        s_inc = np.sort(inc)
        top = int(s_inc[max(0, s_inc.size - (need + n_zero)) :].sum())
        bottom = int(s_inc[: min(need, s_inc.size)].sum())
        big_m = max(top - bottom, 0) + 1
    else:
        big_m = 1
    divisor = int(np.gcd.reduce(kp_score)) if kp_score.size and kp_score.any() else 1
    kp_units = kp_score // divisor
    pair_cost = -kp_units * big_m
    worst = max(int(np.abs(pair_cost).max(initial=0)), int(inc.max(initial=0)))
    if worst > _INT64_MAX // (2 * (n_nodes + 1)):
        raise SolverError(
            f"a component with {n_nodes} nodes has costs up to {worst}: too large for one "
            "exact flow; split the problem into smaller areas"
        )
    zero_slots = np.nonzero(zero[slots2])[0]
    partial_slots = np.nonzero(partial[slots2])[0]
    forced_slots = np.nonzero(forced[slots2])[0]
    nodes = np.concatenate(([sink, pool], level_node[partial_levels], base_s + forced_slots))
    supplies = np.concatenate(
        (
            [-(need + n_zero), n_zero],
            counts[partial_levels],
            np.ones(forced_slots.size, dtype=np.int64),
        )
    )
    tail_of = (base_s + new_slot[kp_slot]).astype(np.int32)
    head_of = (base_m + kp_mentor).astype(np.int32)

    def stage2(subset: I64) -> _Flow:
        flow = _Flow()
        # Variables: optional zero-priority slots, partial levels, pairs, balance increments.
        flow.add(
            np.full(zero_slots.size, pool, dtype=np.int64),
            base_s + zero_slots,
            np.ones(zero_slots.size, dtype=np.int64),
            np.zeros(zero_slots.size, dtype=np.int64),
        )
        flow.add(
            level_node[level[slots2[partial_slots]]],
            base_s + partial_slots,
            np.ones(partial_slots.size, dtype=np.int64),
            np.zeros(partial_slots.size, dtype=np.int64),
        )
        flow.add(
            tail_of[subset],
            head_of[subset],
            np.ones(subset.size, dtype=np.int64),
            pair_cost[subset],
        )
        flow.add(base_m + inc_mentor, np.full(inc.size, sink, dtype=np.int64), inc_cap, inc)
        flow.add(
            np.array([pool], dtype=np.int64),
            np.array([sink], dtype=np.int64),
            np.array([n_zero], dtype=np.int64),
            np.zeros(1, dtype=np.int64),
        )
        # Constraints: forced slots send one unit, partial levels their count, the pool
        # what it may; the sink takes them all.
        flow.run(nodes.astype(np.int64), supplies.astype(np.int64), "score and balance stage")
        return flow

    first_pair_arc = int(zero_slots.size + partial_slots.size)
    rounds = 0
    if kept_pairs.size < SPARSE_FROM:
        subset = np.arange(kept_pairs.size, dtype=np.int64)
    else:
        in_subset = _best_pairs(new_slot[kp_slot], kp_units, int(slots2.size), SPARSE_PER_SLOT)
        in_subset[np.searchsorted(kept_pairs, plan)] = True
        subset = np.nonzero(in_subset)[0]
    del kp_slot, kp_score
    while True:
        rounds += 1
        flow = stage2(subset)
        build += flow.build
        solve += flow.solve_time
        arcs += flow.arcs
        if subset.size == kept_pairs.size:
            break
        started = time.perf_counter()
        dist = flow.potentials(n_nodes, POTENTIAL_ROUNDS)
        outside = np.ones(kept_pairs.size, dtype=np.bool_)
        outside[subset] = False
        if dist is None:  # no potentials: solve with every pair
            violated = outside
        else:
            # Reduced cost of every pair left out: none below 0 proves the plan optimal.
            reduced = pair_cost + dist[tail_of]
            reduced -= dist[head_of]
            proven = not bool((outside & (reduced < 0)).any())
            # Otherwise add those below 0 and those within SLACK points (likely next).
            violated = outside & (reduced < SLACK * big_m)
            del reduced
            if proven:
                solve += time.perf_counter() - started
                break
        solve += time.perf_counter() - started
        subset = np.nonzero(~outside | violated)[0]
    used = flow.flows(np.arange(first_pair_arc, first_pair_arc + subset.size, dtype=np.int64))
    chosen = kept_pairs[subset[used > 0]]

    # Check: the plan keeps every capacity and the level counts of stage 1.
    per_slot = np.bincount(ps[chosen], minlength=n_s)
    per_mentor = np.bincount(pm[chosen], minlength=n_m)
    filled_levels = np.bincount(level[ps[chosen]][level[ps[chosen]] >= 0], minlength=k)
    if (
        per_slot.max(initial=0) > 1
        or bool((per_mentor > cap).any())
        or not np.array_equal(filled_levels, counts)
        or bool((per_slot[forced] != 1).any())
    ):
        raise SolverError("internal error: the flow broke a capacity or a priority count")
    return _Chunk(chosen.astype(np.int64), build, solve, arcs, rounds)


def optimise(graph: Graph, *, deadline: float | None = None) -> FlowResult:
    """Choose the pairs of the lexicographically best plan (see the module docstring).

    `deadline` (a `time.time()` value) is checked before each flow; flows not
    started by then are skipped and the status is TIME_LIMIT.
    """
    started = time.perf_counter()
    cap = graph.mentor_capacity
    prio = graph.slot_priority()
    n_s = int(graph.slot_family.shape[0])
    n_m = int(cap.shape[0])
    usable_mask = cap[graph.pair_mentor] > 0
    if bool(usable_mask.all()):
        usable = None
        ps = graph.pair_slot
        pm = graph.pair_mentor
        score = graph.pair_score
    else:
        usable = np.nonzero(usable_mask)[0]
        ps = graph.pair_slot[usable]
        pm = graph.pair_mentor[usable]
        score = graph.pair_score[usable]
    del usable_mask
    start = np.searchsorted(ps, np.arange(n_s + 1)).astype(np.int64)
    deg = np.diff(start)
    # Slots with the same mentors are grouped; components join a group's first slot to
    # its mentors (the other members add nothing), hooked on the group's first mentor.
    group_of, reps = slot_groups(pm, start, n_m)
    rep_pairs = _ranges(start[reps], deg[reps])
    rep_first = np.repeat(pm[start[reps]], deg[reps])
    labels = components(n_m, pm[rep_pairs], rep_first)
    has = np.nonzero(deg > 0)[0]
    comp_slot = np.full(n_s, -1, dtype=np.int64)
    comp_slot[has] = labels[pm[start[has]]]
    roots = np.unique(comp_slot[has])
    dense = np.full(n_m, -1, dtype=np.int64)
    dense[roots] = np.arange(roots.size)
    comp_slot[has] = dense[comp_slot[has]]
    comp_mentor = dense[labels]  # -1: a mentor with no usable pair
    # Components in the order of their first slot; slots and mentors grouped by component.
    first_slot = np.full(roots.size, n_s, dtype=np.int64)
    np.minimum.at(first_slot, comp_slot[has], has)
    rank = np.empty(roots.size, dtype=np.int64)
    rank[np.argsort(first_slot, kind="stable")] = np.arange(roots.size)
    comp_slot[has] = rank[comp_slot[has]]
    with_pairs = comp_mentor >= 0
    comp_mentor[with_pairs] = rank[comp_mentor[with_pairs]]
    slot_order = has[np.argsort(comp_slot[has], kind="stable")]
    slot_bounds = np.searchsorted(comp_slot[slot_order], np.arange(roots.size + 1))
    mentor_ids = np.nonzero(with_pairs)[0]
    mentor_order = mentor_ids[np.argsort(comp_mentor[mentor_ids], kind="stable")]
    mentor_bounds = np.searchsorted(comp_mentor[mentor_order], np.arange(roots.size + 1))
    local_group = np.full(reps.size, -1, dtype=np.int64)
    local_mentor = np.full(n_m, -1, dtype=np.int64)
    prep = time.perf_counter() - started

    chosen: list[I64] = []
    build = solve = 0.0
    arcs = rounds = 0
    status = "OPTIMAL"
    balance = graph.weights.balance > 0
    for c in range(int(roots.size)):
        if deadline is not None and time.time() > deadline:
            status = "TIME_LIMIT"
            break
        t0 = time.perf_counter()
        slots = slot_order[slot_bounds[c] : slot_bounds[c + 1]]
        mentors = mentor_order[mentor_bounds[c] : mentor_bounds[c + 1]]
        if slots.size == n_s and mentors.size == n_m:  # the whole graph: no copies
            pairs = np.arange(ps.shape[0], dtype=np.int64)
            local_s, local_m, local_score = ps, pm, score
        else:
            pairs = _ranges(start[slots], deg[slots])
            local_mentor[mentors] = np.arange(mentors.size)
            local_s = np.repeat(np.arange(slots.size, dtype=np.int32), deg[slots])
            local_m = local_mentor[pm[pairs]].astype(np.int32)
            local_mentor[mentors] = -1
            local_score = score[pairs]
        groups_c = group_of[slots]
        used_groups = np.unique(groups_c)  # sorted: by first slot, as local slots are
        local_group[used_groups] = np.arange(used_groups.size)
        local_groups = local_group[groups_c]
        local_reps = np.searchsorted(slots, reps[used_groups])
        local_group[used_groups] = -1
        prep += time.perf_counter() - t0
        part = _solve_chunk(
            prio[slots],
            cap[mentors],
            graph.mentor_load[mentors],
            local_s,
            local_m,
            local_score,
            balance,
            local_groups,
            local_reps,
        )
        picked_c = pairs[part.chosen]
        chosen.append(picked_c if usable is None else usable[picked_c])
        build += part.build
        solve += part.solve
        arcs += part.arcs
        rounds += part.rounds
    picked = np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)
    return FlowResult(
        chosen=picked.astype(np.int64),
        status=status,
        build_seconds=prep + build,
        solve_seconds=solve,
        flows=int(roots.size),
        components=int(roots.size),
        arcs=arcs,
        rounds=rounds,
    )


def objective(graph: Graph, chosen: I64) -> dict[str, int]:
    """Priority covered, total score and balance penalty of a set of chosen pairs."""
    prio = graph.slot_priority()
    slots = graph.pair_slot[chosen]
    mentors = graph.pair_mentor[chosen]
    new = np.bincount(mentors, minlength=graph.mentor_capacity.shape[0]).astype(np.int64)
    load = graph.mentor_load
    penalty = int(((load + new) ** 2 - load**2).sum()) * graph.weights.balance
    return {
        "priority_covered": int(prio[slots].sum()),
        "total_score": int(graph.pair_score[chosen].sum()),
        "balance_penalty": penalty,
    }


__all__ = ["FlowResult", "components", "objective", "optimise"]
