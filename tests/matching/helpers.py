"""Strategies and reference solvers for the matching engine's tests."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from matching import (
    ActiveMatch,
    Family,
    Graph,
    Mentor,
    Preference,
    Problem,
    Solution,
    Weights,
)

# Hypothesis keeps a cache of its own; keep it out of the repository.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "mentor-match-hypothesis")

# No example database, no deadline.
SETTINGS = settings(
    database=None,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

DISTRICTS = ["Dartford", "Gravesham", "Sevenoaks"]
NEEDS = ["housing", "parenting", "debt_money", "work_training"]
LANGUAGES = ["English", "Polish", "Urdu"]
AVAILABILITY = ["weekday_daytime", "weekday_evening", "weekend"]
GENDERS = ["female", "male"]


def subsets(items: list[str], max_size: int | None = None) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(items), max_size=max_size or len(items))


@st.composite
def mentors(draw: st.DrawFn, index: int) -> Mentor:
    kind = draw(st.sampled_from(["volunteer", "volunteer", "role_model"]))
    home = draw(st.sampled_from(DISTRICTS))
    return Mentor(
        id=f"{'R' if kind == 'role_model' else 'M'}{index}",
        kind=kind,
        capacity=draw(st.integers(0, 3)),
        home_district=home,
        travel_districts=draw(subsets(DISTRICTS, 2)),
        skills=draw(subsets(NEEDS)),
        languages=draw(subsets(LANGUAGES, 2)),
        availability=draw(subsets(AVAILABILITY)),
        gender=draw(st.sampled_from([*GENDERS, None])),
        domestic_abuse_trained=draw(st.booleans()),
    )


@st.composite
def preferences(draw: st.DrawFn, values: list[str]) -> Preference | None:
    if draw(st.integers(0, 2)) == 0:
        return None
    return Preference(draw(st.sampled_from(values)), draw(st.booleans()))


@st.composite
def families(draw: st.DrawFn, index: int) -> Family:
    return Family(
        id=f"F{index}",
        district=draw(st.sampled_from(DISTRICTS)),
        needs=draw(subsets(NEEDS)),
        languages=draw(subsets(LANGUAGES, 2)),
        availability=draw(subsets(AVAILABILITY)),
        tranche=draw(st.integers(1, 3)),
        waiting_days=draw(st.integers(0, 400)),
        criteria_met=draw(st.integers(0, 7)),
        domestic_abuse=draw(st.integers(0, 3)) == 0,
        wants_role_model=draw(st.booleans()),
        needs_mentor=draw(st.integers(0, 5)) > 0,
        gender_preference=draw(preferences(GENDERS)),
        language_preference=draw(preferences(LANGUAGES)),
        history=draw(st.sampled_from([(), ("Previous mentor M-0012 left; needs handover",)])),
    )


# Small weights make many equal scores, so ties are exercised.
weights_strategy = st.builds(
    Weights,
    need_covered=st.integers(0, 3),
    shared_language=st.integers(0, 2),
    same_district=st.integers(0, 2),
    neighbouring_district=st.integers(0, 2),
    other_travel_district=st.integers(0, 1),
    availability_overlap=st.integers(0, 2),
    gender_wish=st.integers(0, 2),
    language_wish=st.integers(0, 2),
    base_priority=st.integers(0, 2),
    tranche_3=st.integers(0, 5),
    waiting_week=st.integers(0, 1),
    max_waiting_weeks=st.integers(0, 4),
    criterion=st.integers(0, 1),
    max_criteria=st.integers(0, 3),
    balance=st.sampled_from([0, 1, 3]),
)


@st.composite
def problems(draw: st.DrawFn, max_mentors: int = 6, max_families: int = 8) -> Problem:
    """Random problems over three districts, with conflicts and active matches."""
    ms = [draw(mentors(i)) for i in range(draw(st.integers(0, max_mentors)))]
    fs = [draw(families(i)) for i in range(draw(st.integers(0, max_families)))]
    if ms and fs:
        conflicts = draw(
            st.lists(
                st.tuples(st.integers(0, len(ms) - 1), st.integers(0, len(fs) - 1)), max_size=3
            )
        )
        for i, j in conflicts:
            if draw(st.booleans()):
                ms[i] = _replace(ms[i], conflicts=ms[i].conflicts | {fs[j].id})
            else:
                fs[j] = _replace(fs[j], conflicts=fs[j].conflicts | {ms[i].id})
    active: list[ActiveMatch] = []
    if ms and fs:
        for m, f in draw(st.lists(st.tuples(st.sampled_from(ms), st.sampled_from(fs)), max_size=3)):
            slot = "mentor" if m.kind == "volunteer" else "role_model"
            if not any(a.family == f.id and a.slot == slot for a in active):
                active.append(ActiveMatch(m.id, f.id, slot))
    near = draw(st.sampled_from([{}, {"Dartford": ["Gravesham"]}, {"Gravesham": ["Sevenoaks"]}]))
    return Problem(
        tuple(ms),
        tuple(fs),
        draw(weights_strategy),
        {k: frozenset(v) for k, v in near.items()},
        tuple(active),
    )


def _replace(obj: Any, **changes: Any) -> Any:
    import dataclasses

    return dataclasses.replace(obj, **changes)


@st.composite
def graphs(
    draw: st.DrawFn, max_slots: int = 5, max_mentors: int = 4, density: float = 0.6
) -> dict[str, Any]:
    """The replay form of a random graph (each slot a family's mentor or role model slot)."""
    n_m = draw(st.integers(1, max_mentors))
    mentors_json = []
    for i in range(n_m):
        kind = draw(st.sampled_from(["volunteer", "volunteer", "role_model"]))
        entry: dict[str, Any] = {"id": f"m{i}", "kind": kind, "capacity": draw(st.integers(0, 3))}
        load = draw(st.integers(0, 2))
        if load:
            entry["load"] = load
        mentors_json.append(entry)
    n_f = draw(st.integers(1, max_slots))
    fams = []
    pairs = []
    slots_left = max_slots
    for i in range(n_f):
        if slots_left <= 0:
            break
        wanted = draw(
            st.sampled_from([["mentor"], ["mentor"], ["role_model"], ["mentor", "role_model"]])
        )
        wanted = wanted[:slots_left]
        slots_left -= len(wanted)
        fams.append({"id": f"f{i}", "priority": draw(st.integers(0, 6)), "slots": wanted})
        for m in mentors_json:
            slot = "mentor" if m["kind"] == "volunteer" else "role_model"
            if slot in wanted and draw(st.floats(0, 1)) < density:
                pairs.append(
                    {"mentor": m["id"], "family": f"f{i}", "score": draw(st.integers(0, 5))}
                )
    return {
        "mentors": mentors_json,
        "families": fams,
        "pairs": pairs,
        "weights": {"balance": draw(st.sampled_from([0, 1, 2]))},
    }


def objective_tuple(solution: Solution) -> tuple[int, int, int]:
    o = solution.objective
    return (o["priority_covered"], o["total_score"], -o["balance_penalty"])


def brute_force(graph: Graph) -> tuple[int, int, int]:
    """The lexicographic optimum (priority, score, -penalty) by trying every assignment."""
    prio = graph.slot_priority()
    n_s = graph.slot_family.shape[0]
    options: list[list[tuple[int, int] | None]] = [[None] for _ in range(n_s)]
    for p in range(graph.pair_slot.shape[0]):
        m = int(graph.pair_mentor[p])
        if graph.mentor_capacity[m] > 0:
            options[int(graph.pair_slot[p])].append((m, int(graph.pair_score[p])))
    best = (-1, -1, -(10**9))
    cap = graph.mentor_capacity.tolist()
    load = graph.mentor_load.tolist()
    prios = prio.tolist()
    balance = graph.weights.balance
    for choice in itertools.product(*options):
        used = [0] * len(cap)
        p_sum = s_sum = 0
        for s, c in enumerate(choice):
            if c is not None:
                used[c[0]] += 1
                p_sum += prios[s]
                s_sum += c[1]
        if any(u > k for u, k in zip(used, cap, strict=True)):
            continue
        penalty = sum((a + u) ** 2 - a * a for a, u in zip(load, used, strict=True)) * balance
        best = max(best, (p_sum, s_sum, -penalty))
    return best


def lsa_optimum(graph: Graph) -> tuple[int, int, int]:
    """The optimum by scipy's linear_sum_assignment on the expanded matrix.

    Rows are slots; columns are capacity copies of each mentor (copy k costs the
    k-th balance increment) and one 'left open' column per slot; the value of a
    cell is priority * M1 + score * M2 - increment, exact in floating point.
    """
    from scipy.optimize import linear_sum_assignment

    prio = graph.slot_priority()
    n_s = graph.slot_family.shape[0]
    cap, load = graph.mentor_capacity, graph.mentor_load
    bal = 1 if graph.weights.balance else 0
    copies: list[tuple[int, int]] = []  # (mentor, increment)
    for m in range(cap.shape[0]):
        for j in range(1, int(cap[m]) + 1):
            copies.append((m, 2 * (int(load[m]) + j) - 1))
    b_max = sum(inc for _, inc in copies) * bal
    s_max = int(graph.pair_score.sum()) if graph.pair_score.size else 0
    m2 = b_max + 1
    m1 = s_max * m2 + b_max + 1
    value = np.full((n_s, len(copies) + n_s), -np.inf)
    value[:, len(copies) :] = 0.0
    score_of: dict[tuple[int, int], int] = {}
    for p in range(graph.pair_slot.shape[0]):
        s, m, sc = int(graph.pair_slot[p]), int(graph.pair_mentor[p]), int(graph.pair_score[p])
        score_of[(s, m)] = sc
        for c, (cm, inc) in enumerate(copies):
            if cm == m:
                value[s, c] = float(prio[s]) * m1 + float(sc) * m2 - bal * inc
    assert abs(value[np.isfinite(value)]).max(initial=0) * max(n_s, 1) < 2**53
    rows, cols = linear_sum_assignment(value, maximize=True)
    used = np.zeros(cap.shape[0], dtype=np.int64)
    p_sum = s_sum = 0
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        if c < len(copies) and np.isfinite(value[r, c]):
            m = copies[c][0]
            used[m] += 1
            p_sum += int(prio[r])
            s_sum += score_of[(r, m)]
    penalty = int(((load + used) ** 2 - load**2).sum()) * graph.weights.balance
    return (p_sum, s_sum, -penalty)
