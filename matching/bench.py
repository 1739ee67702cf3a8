"""Benchmark: `python -m matching.bench [--only district|county|national] [--seed N]`.

Generates seeded synthetic instances shaped like the programme and, for each,
prints the model build time, solve time, peak memory, proven status and the
objective beside two baselines solved in the same run: a greedy pass (best
scoring pair first) and scipy's linear_sum_assignment on the expanded matrix
where that matrix fits in memory (scipy is a development dependency).

Each instance runs in a fresh process so that its peak memory is its own: the
resident memory (RSS) of that process and its workers summed, sampled every
50 ms from the start (input generation included) until the solution with its
explanations is complete; the baselines run after that, outside the figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matching.arrays import (
    build_arrays,
)
from matching.graph import Graph, graph_from_arrays
from matching.model import ActiveMatch, Family, Mentor, Preference, Problem, Weights
from matching.optimiser import components
from matching.solver import _batches, solve

NEEDS = [
    "debt_money",
    "work_training",
    "school_attendance",
    "parenting",
    "housing",
    "alcohol_drugs",
    "health",
]
OTHER_LANGUAGES = [
    "Polish",
    "Romanian",
    "Lithuanian",
    "Urdu",
    "Punjabi",
    "Nepali",
    "Bengali",
    "Turkish",
    "Arabic",
    "Portuguese",
]
AVAILABILITY = ["weekday_daytime", "weekday_evening", "weekend"]

KENT: dict[str, list[str]] = {
    "Ashford": [
        "Canterbury",
        "Dover",
        "Folkestone & Hythe",
        "Maidstone",
        "Swale",
        "Tunbridge Wells",
    ],
    "Canterbury": ["Ashford", "Dover", "Swale", "Thanet"],
    "Dartford": ["Gravesham", "Sevenoaks"],
    "Dover": ["Ashford", "Canterbury", "Folkestone & Hythe", "Thanet"],
    "Folkestone & Hythe": ["Ashford", "Dover"],
    "Gravesham": ["Dartford", "Sevenoaks", "Tonbridge & Malling"],
    "Maidstone": ["Ashford", "Swale", "Tonbridge & Malling", "Tunbridge Wells"],
    "Sevenoaks": ["Dartford", "Gravesham", "Tonbridge & Malling", "Tunbridge Wells"],
    "Swale": ["Ashford", "Canterbury", "Maidstone"],
    "Thanet": ["Canterbury", "Dover"],
    "Tonbridge & Malling": ["Gravesham", "Maidstone", "Sevenoaks", "Tunbridge Wells"],
    "Tunbridge Wells": ["Ashford", "Maidstone", "Sevenoaks", "Tonbridge & Malling"],
}


@dataclass
class Shape:
    name: str
    families: int
    volunteers: int
    role_models: int
    areas: int
    family_per_locality: int  # 0: one locality per area unless the area is Kent


SHAPES = {
    "district": Shape("district", 1_000, 400, 60, 1, 0),
    "county": Shape("county", 9_000, 3_000, 450, 1, 0),
    "national": Shape("national", 400_000, 150_000, 22_500, 150, 350),
}


def _subset(rng: random.Random, items: Sequence[str], lo: int, hi: int) -> frozenset[str]:
    return frozenset(rng.sample(list(items), rng.randint(lo, hi)))


def _availability(rng: random.Random) -> frozenset[str]:
    chosen = frozenset(a for a in AVAILABILITY if rng.random() < 0.6)
    return chosen or frozenset([rng.choice(AVAILABILITY)])


def _area(
    rng: random.Random,
    prefix: str,
    districts: dict[str, list[str]],
    n_families: int,
    n_volunteers: int,
    n_role_models: int,
) -> tuple[list[Mentor], list[Family], list[ActiveMatch]]:
    """One area: districts with neighbours, its families and the mentors living there."""
    names = sorted(districts)
    weights = [rng.uniform(0.6, 1.4) for _ in names]
    mentors: list[Mentor] = []
    families: list[Family] = []
    by_district: dict[str, list[int]] = {d: [] for d in names}
    for i in range(n_families):
        d = rng.choices(names, weights)[0]
        da = rng.random() < 0.2
        langs = {"English"} if rng.random() < 0.92 else set()
        other = rng.choice(OTHER_LANGUAGES) if (not langs or rng.random() < 0.12) else None
        if other:
            langs.add(other)
        gender_pref = None
        if rng.random() < 0.3:
            gender_pref = Preference("female" if rng.random() < 0.8 else "male", rng.random() < 0.4)
        language_pref = None
        if other and rng.random() < 0.5:
            language_pref = Preference(other, rng.random() < 0.5)
        history: tuple[str, ...] = ()
        if rng.random() < 0.02:
            history = (
                f"Previous mentor {prefix}M-{rng.randint(1, 99999):05d} left; needs handover",
            )
        needs = set(_subset(rng, NEEDS, 1, 4))
        if da:
            needs.add("domestic_abuse")
        by_district[d].append(len(families))
        families.append(
            Family(
                id=f"{prefix}F-{i:06d}",
                district=d,
                needs=frozenset(needs),
                languages=frozenset(langs),
                availability=_availability(rng),
                tranche=rng.choices([3, 2, 1], [0.7, 0.2, 0.1])[0],
                waiting_days=rng.randint(0, 540),
                criteria_met=rng.randint(1, 6),
                domestic_abuse=da,
                wants_role_model=rng.random() < 0.2,
                gender_preference=gender_pref,
                language_preference=language_pref,
                history=history,
            )
        )
    active: list[ActiveMatch] = []
    for i in range(n_volunteers + n_role_models):
        role_model = i >= n_volunteers
        home = rng.choices(names, weights)[0]
        travel: set[str] = set()
        if districts[home] and rng.random() < 0.35:
            travel.update(rng.sample(districts[home], min(len(districts[home]), rng.randint(1, 2))))
        if len(names) > 2 and rng.random() < 0.05:
            travel.add(rng.choice(names))
        travel.discard(home)
        trained = rng.random() < (0.25 if role_model else 0.35)
        skills = set(_subset(rng, NEEDS, 2, 4))
        if trained:
            skills.add("domestic_abuse")
        langs = {"English"} if rng.random() < 0.97 else set()
        if not langs or rng.random() < 0.15:
            langs.add(rng.choice(OTHER_LANGUAGES))
        conflicts: frozenset[str] = frozenset()
        if by_district[home] and rng.random() < 0.01:
            conflicts = frozenset([families[rng.choice(by_district[home])].id])
        mid = f"{prefix}{'R' if role_model else 'M'}-{i:06d}"
        capacity = rng.randint(1, 2) if role_model else rng.randint(1, 3)
        mentors.append(
            Mentor(
                id=mid,
                kind="role_model" if role_model else "volunteer",
                capacity=capacity,
                home_district=home,
                travel_districts=frozenset(travel),
                skills=frozenset(skills),
                languages=frozenset(langs),
                availability=_availability(rng),
                gender=rng.choices(["female", "male", "non_binary"], [0.64, 0.34, 0.02])[0],
                domestic_abuse_trained=trained,
                conflicts=conflicts,
            )
        )
        # About 8% of volunteers already mentor a family at home (continuity).
        if not role_model and by_district[home] and rng.random() < 0.08:
            f = families[rng.choice(by_district[home])]
            if not any(a.family == f.id for a in active):
                active.append(ActiveMatch(mid, f.id, "mentor"))
    return mentors, families, active


def _localities(rng: random.Random, prefix: str, n: int) -> dict[str, list[str]]:
    """n localities on a ring, each also linked to one at random (chords)."""
    names = [f"{prefix}L{i:02d}" for i in range(n)]
    near: dict[str, set[str]] = {d: set() for d in names}
    if n > 1:
        for i, d in enumerate(names):
            near[d].add(names[(i + 1) % n])
            near[names[(i + 1) % n]].add(d)
        for d in names:
            if n > 3 and rng.random() < 0.5:
                other = rng.choice(names)
                if other != d:
                    near[d].add(other)
                    near[other].add(d)
    return {d: sorted(v) for d, v in near.items()}


def generate(which: str, seed: int = 1) -> Problem:
    """A seeded synthetic instance: 'district', 'county' or 'national'."""
    shape = SHAPES[which]
    rng = random.Random(f"{which}:{seed}")
    mentors: list[Mentor] = []
    families: list[Family] = []
    active: list[ActiveMatch] = []
    neighbours: dict[str, frozenset[str]] = {}
    parts: list[tuple[dict[str, list[str]], int, int, int, str]]
    if which == "district":
        parts = [({"Dartford": []}, shape.families, shape.volunteers, shape.role_models, "")]
    elif which == "county":
        parts = [(KENT, shape.families, shape.volunteers, shape.role_models, "")]
    else:
        sizes = np.random.default_rng(seed).lognormal(0.0, 0.5, shape.areas)
        sizes = sizes / sizes.sum()
        fam = np.floor(sizes * shape.families).astype(int)
        fam[: shape.families - int(fam.sum())] += 1
        vol = np.floor(sizes * shape.volunteers).astype(int)
        vol[: shape.volunteers - int(vol.sum())] += 1
        rm = np.floor(sizes * shape.role_models).astype(int)
        rm[: shape.role_models - int(rm.sum())] += 1
        parts = []
        for a in range(shape.areas):
            prefix = f"A{a:03d}-"
            n_loc = max(1, round(int(fam[a]) / shape.family_per_locality))
            parts.append(
                (_localities(rng, prefix, n_loc), int(fam[a]), int(vol[a]), int(rm[a]), prefix)
            )
    for districts, n_f, n_v, n_r, prefix in parts:
        m, f, act = _area(rng, prefix, districts, n_f, n_v, n_r)
        mentors += m
        families += f
        active += act
        for d, near in districts.items():
            neighbours[d] = frozenset(near)
    return Problem(tuple(mentors), tuple(families), Weights(), neighbours, tuple(active))


# --- Baselines ------------------------------------------------------------------------


def _graphs(problem: Problem) -> list[Graph]:
    return [
        graph_from_arrays(
            build_arrays(
                b.mentors, b.families, b.weights, b.neighbours, load=b.load, filled=b.filled
            )
        )
        for b in _batches(problem)
    ]


def _tuple(graph: Graph, chosen: np.ndarray[Any, Any]) -> tuple[int, int, int]:
    prio = graph.slot_priority()
    new = np.bincount(graph.pair_mentor[chosen], minlength=graph.mentor_capacity.size)
    load = graph.mentor_load
    penalty = int(((load + new) ** 2 - load**2).sum()) * graph.weights.balance
    return int(prio[graph.pair_slot[chosen]].sum()), int(graph.pair_score[chosen].sum()), penalty


def greedy(graph: Graph) -> tuple[int, int, int]:
    """Best-scoring pair first (ties: higher priority, then ids); (priority, score, penalty)."""
    prio = graph.slot_priority()
    ps, pm, sc = graph.pair_slot, graph.pair_mentor, graph.pair_score
    order = np.lexsort((pm, ps, -prio[ps], -sc))
    left = graph.mentor_capacity.copy().tolist()
    free_total = sum(left)
    taken = [False] * graph.slot_family.size
    chosen = []
    for p, s, m in zip(order.tolist(), ps[order].tolist(), pm[order].tolist(), strict=True):
        if not taken[s] and left[m] > 0:
            taken[s] = True
            left[m] -= 1
            free_total -= 1
            chosen.append(p)
            if free_total == 0:
                break
    return _tuple(graph, np.array(chosen, dtype=np.int64))


def _greedy_batch(graph_args: Any) -> tuple[int, int, int]:
    return greedy(graph_from_arrays(build_arrays(*graph_args[0], **graph_args[1])))


def lsa(graph: Graph, max_cells: int) -> tuple[tuple[int, int, int], int] | None:
    """scipy's linear_sum_assignment on the expanded matrix, per component.

    Rows are slots; columns are copies of each mentor (copy k costs the k-th
    balance increment) and one 'left open' column per slot. Values are the
    lexicographic objective as exact integers in floating point. Returns the
    (priority, score, penalty) total and the components solved, or None if
    scipy is missing or a matrix would exceed `max_cells`.
    """
    try:
        from scipy.optimize import linear_sum_assignment
    except ImportError:
        return None
    cap, load = graph.mentor_capacity, graph.mentor_load
    usable = np.nonzero(cap[graph.pair_mentor] > 0)[0]
    n_s, n_m = graph.slot_family.size, cap.size
    ps, pm = graph.pair_slot[usable].astype(np.int64), graph.pair_mentor[usable].astype(np.int64)
    labels = components(n_s + n_m, ps, n_s + pm)
    comp = labels[ps]
    prio = graph.slot_priority()
    bal = 1 if graph.weights.balance else 0
    total = [0, 0, 0]
    done = 0
    for c in np.unique(comp):
        sel = usable[comp == c]
        slots, ls = np.unique(graph.pair_slot[sel], return_inverse=True)
        mentors, lm = np.unique(graph.pair_mentor[sel], return_inverse=True)
        u = np.minimum(cap[mentors], np.bincount(lm.reshape(-1), minlength=mentors.size))
        cols = int(u.sum())
        if slots.size * (cols + slots.size) > max_cells:
            return None
        first = np.concatenate(([0], np.cumsum(u)[:-1]))
        incs = [
            2 * (int(load[m]) + j) - 1
            for m, uu in zip(mentors, u, strict=True)
            for j in range(1, int(uu) + 1)
        ]
        b_max = sum(incs) * bal
        best = np.zeros(slots.size, dtype=np.int64)
        np.maximum.at(best, ls.reshape(-1), graph.pair_score[sel])
        s_max = int(best.sum())
        m2 = b_max + 1
        m1 = s_max * m2 + b_max + 1
        value = np.full((slots.size, cols + slots.size), -np.inf)
        value[:, cols:] = 0.0
        for p, s_i, m_i in zip(
            sel.tolist(), ls.reshape(-1).tolist(), lm.reshape(-1).tolist(), strict=True
        ):
            for j in range(int(u[m_i])):
                value[s_i, first[m_i] + j] = (
                    float(prio[slots[s_i]]) * m1
                    + float(graph.pair_score[p]) * m2
                    - bal * incs[first[m_i] + j]
                )
        if abs(value[np.isfinite(value)]).max(initial=0) * slots.size >= 2**53:
            return None
        rows, cols_idx = linear_sum_assignment(value, maximize=True)
        new = np.zeros(mentors.size, dtype=np.int64)
        for r, col in zip(rows.tolist(), cols_idx.tolist(), strict=True):
            if col < cols and np.isfinite(value[r, col]):
                m_i = int(np.searchsorted(first, col, side="right") - 1)
                new[m_i] += 1
                total[0] += int(prio[slots[r]])
                p = sel[(ls.reshape(-1) == r) & (lm.reshape(-1) == m_i)][0]
                total[1] += int(graph.pair_score[p])
        a = load[mentors]
        total[2] += int(((a + new) ** 2 - a**2).sum()) * graph.weights.balance
        done += 1
    return (total[0], total[1], total[2]), done


# --- Measuring ---------------------------------------------------------------------------


def _memory(pid: int) -> int:
    """Resident memory of a process, bytes (shared libraries counted in each process, so
    the sum over processes is an upper bound)."""
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _tree(pid: int) -> list[int]:
    """The process and its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as handle:
                    todo += [int(c) for c in handle.read().split()]
        except OSError:
            pass
    return out


_SOLVED = "-- solved --"


def _run_measured(cmd: list[str]) -> tuple[int, str, str, float]:
    """Run a command, sampling the memory of its process tree every 50 ms; peak in MB."""
    peak = 0
    with subprocess.Popen(  # noqa: S603 - our own interpreter and module
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        out_chunks: list[str] = []
        err_chunks: list[str] = []
        solved = threading.Event()

        def drain(stream: Any, into: list[str]) -> None:
            into.append(stream.read())

        def watch(stream: Any, into: list[str]) -> None:
            for line in stream:
                if line.strip() == _SOLVED:
                    solved.set()
                else:
                    into.append(line)

        readers = [
            threading.Thread(target=drain, args=(proc.stdout, out_chunks)),
            threading.Thread(target=watch, args=(proc.stderr, err_chunks)),
        ]
        for r in readers:
            r.start()
        # The peak of the solve: sampling stops when the child says it has solved.
        while proc.poll() is None and not solved.is_set():
            peak = max(peak, sum(_memory(p) for p in _tree(proc.pid)))
            time.sleep(0.05)
        for r in readers:
            r.join()
    return proc.returncode, "".join(out_chunks), "".join(err_chunks), peak / 2**20


def measure(which: str, seed: int, workers: int, baselines: bool = True) -> dict[str, Any]:
    """Generate, solve and compare one instance; the figures as a dict."""
    started = time.perf_counter()
    problem = generate(which, seed)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    solution = solve(problem, workers=workers)
    wall = time.perf_counter() - started
    print(_SOLVED, file=sys.stderr, flush=True)
    out: dict[str, Any] = {
        "instance": which,
        "seed": seed,
        "families": len(problem.families),
        "mentors": len(problem.mentors),
        "slots": solution.stats["slots"],
        "pairs": solution.stats["pairs"],
        "components": solution.stats["components"],
        "status": solution.status,
        "generate_s": generated,
        "build_s": solution.build_seconds,
        "solve_s": solution.solve_seconds,
        "explain_s": solution.explain_seconds,
        "wall_s": wall,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "workers": workers,
        "objective": [
            solution.objective["priority_covered"],
            solution.objective["total_score"],
            solution.objective["balance_penalty"],
        ],
        "assigned": len(solution.assignments),
        "unmatched": len(solution.unmatched),
    }
    if baselines:
        started = time.perf_counter()
        if which == "national":
            from concurrent.futures import ProcessPoolExecutor
            from multiprocessing import get_context

            args = [
                (
                    (b.mentors, b.families, b.weights, b.neighbours),
                    {"load": b.load, "filled": b.filled},
                )
                for b in _batches(problem)
            ]
            with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
                parts_g: list[tuple[int, int, int]] = list(pool.map(_greedy_batch, args))
            out["greedy"] = [sum(p[i] for p in parts_g) for i in range(3)]
            out["lsa"] = None
            out["lsa_note"] = "expanded matrices fit, but 300 dense solves are too slow to run"
        else:
            graphs = _graphs(problem)
            greedy_parts = [greedy(g) for g in graphs]
            out["greedy"] = [sum(p[i] for p in greedy_parts) for i in range(3)]
            started_lsa = time.perf_counter()
            results = [lsa(g, max_cells=20_000_000) for g in graphs]
            if all(r is not None for r in results):
                out["lsa"] = [sum(r[0][i] for r in results if r) for i in range(3)]
                out["lsa_s"] = time.perf_counter() - started_lsa
            else:
                out["lsa"] = None
                out["lsa_note"] = "expanded matrix over 20 million cells"
        out["baselines_s"] = time.perf_counter() - started
    return out


TARGETS = {
    "district": "solve < 0.3 s",
    "county": "build + solve < 3 s, peak < 500 MB",
    "national": "wall < 30 s, peak < 2.5 GiB",
}


def _target_met(r: dict[str, Any]) -> bool:
    if r["instance"] == "district":
        return bool(r["solve_s"] < 0.3)
    if r["instance"] == "county":
        return bool(r["build_s"] + r["solve_s"] < 3 and r["peak_mb"] < 500)
    return bool(r["wall_s"] < 30 and r["peak_mb"] < 2.5 * 1024)


def _lex_ge(a: Sequence[int], b: Sequence[int]) -> bool:
    return (a[0], a[1], -a[2]) >= (b[0], b[1], -b[2])


def report(results: list[dict[str, Any]]) -> str:
    """The figures as a readable table."""
    rows = [
        (
            "instance",
            "families",
            "mentors",
            "pairs",
            "build s",
            "solve s",
            "explain s",
            "wall s",
            "peak MB",
            "status",
            "priority",
            "score",
            "balance",
        ),
    ]
    for r in results:
        p, s, b = r["objective"]
        rows.append(
            (
                r["instance"],
                f"{r['families']:,}",
                f"{r['mentors']:,}",
                f"{r['pairs']:,}",
                f"{r['build_s']:.3f}",
                f"{r['solve_s']:.3f}",
                f"{r['explain_s']:.3f}",
                f"{r['wall_s']:.3f}",
                f"{r['peak_mb']:.0f}",
                r["status"],
                f"{p:,}",
                f"{s:,}",
                f"{b:,}",
            )
        )
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.append("")
    for r in results:
        line = [
            f"{r['instance']}: target {TARGETS[r['instance']]}: "
            f"{'met' if _target_met(r) else 'MISSED'}"
        ]
        if "greedy" in r:
            g = r["greedy"]
            line.append(
                f"greedy priority {g[0]:,} score {g[1]:,} balance {g[2]:,} "
                f"({'optimum >= greedy' if _lex_ge(r['objective'], g) else 'WORSE'})"
            )
            if r.get("lsa"):
                lsa_o = r["lsa"]
                same = tuple(lsa_o) == tuple(r["objective"])
                line.append(
                    f"linear_sum_assignment priority {lsa_o[0]:,} score {lsa_o[1]:,} "
                    f"balance {lsa_o[2]:,} ({'equal' if same else 'DIFFERENT'}, "
                    f"{r['lsa_s']:.1f} s)"
                )
            else:
                line.append(f"linear_sum_assignment skipped: {r.get('lsa_note')}")
        lines.append("; ".join(line))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching.bench", description=__doc__)
    parser.add_argument("--only", choices=sorted(SHAPES), help="one instance")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    names = [args.only] if args.only else ["district", "county", "national"]
    if args.child:
        r = measure(names[0], args.seed, args.workers, not args.no_baselines)
        print(json.dumps(r))
        return 0
    results = []
    for name in names:
        cmd = [
            sys.executable,
            "-m",
            "matching.bench",
            "--child",
            "--only",
            name,
            "--seed",
            str(args.seed),
            "--workers",
            str(args.workers),
        ]
        if args.no_baselines:
            cmd.append("--no-baselines")
        code, out, err, peak = _run_measured(cmd)
        if code != 0:
            print(f"{name}: failed\n{err}", file=sys.stderr)
            return 1
        result = json.loads(out.strip().splitlines()[-1])
        result["peak_mb"] = peak
        results.append(result)
        if not args.json:
            print(f"{name} done", file=sys.stderr)
    print(json.dumps(results, indent=2) if args.json else report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
