"""Benchmark of recruitment planning: `python -m matching.bench_recruit [--seed N]`.

* county: the county instance of `matching.bench` (9,000 families, 3,000
  volunteers, 450 role models over Kent's 12 districts), budget 10: the time
  of the whole plan (target: under 60 s), exact evaluations, the optimum
  before and after;
* small: seeded instances of three neighbouring Kent districts (60 families,
  14 mentors) where exhaustive search over the candidate profiles (every
  multiset of k profiles, each solved exactly) is possible: the greedy plan's
  gain in priority covered against the best, at k = 1, 2 and 3.

Figures only: no assertion, no timed test.
"""

from __future__ import annotations

import argparse
import itertools
import random
import time
from typing import Any

from matching.bench import _area, generate
from matching.model import Problem, Weights
from matching.recruit import Evaluator, candidates, evaluate_set, plan, waiting_slots

SMALL = {
    "Dartford": ["Gravesham", "Sevenoaks"],
    "Gravesham": ["Dartford", "Sevenoaks"],
    "Sevenoaks": ["Dartford", "Gravesham"],
}


def small(seed: int) -> Problem:
    """Three districts, 60 families, 12 volunteers and 2 role models."""
    rng = random.Random(f"recruit-small:{seed}")
    mentors, families, active = _area(rng, "", SMALL, 60, 12, 2)
    neighbours = {d: frozenset(n) for d, n in SMALL.items()}
    return Problem(tuple(mentors), tuple(families), Weights(), neighbours, tuple(active))


def county(seed: int, budget: int) -> dict[str, Any]:
    problem = generate("county", seed)
    started = time.perf_counter()
    result = plan(problem, budget=budget)
    seconds = time.perf_counter() - started
    last = result.steps[-1].optimum if result.steps else result.before
    return {
        "seconds": round(seconds, 1),
        "candidates": result.candidates,
        "evaluations": result.evaluations,
        "steps": len(result.steps),
        "before": result.before.figures(),
        "after": last.figures(),
        "upskill": len(result.upskill),
    }


def compare(seed: int, max_k: int = 3) -> list[dict[str, Any]]:
    """Greedy against exhaustive search over the same candidate profiles, k = 1..max_k."""
    problem = small(seed)
    ev = Evaluator()
    before = ev.optimum(problem)
    pool = candidates(problem, waiting_slots(problem, before), 2)
    greedy = plan(problem, budget=max_k)
    rows = []
    for k in range(1, max_k + 1):
        best = before.priority_covered
        for combo in itertools.combinations_with_replacement(pool, k):
            best = max(best, evaluate_set(problem, list(combo), ev).priority_covered)
        steps = greedy.steps[:k]
        got = steps[-1].optimum.priority_covered if steps else before.priority_covered
        gain_best = best - before.priority_covered
        gain_got = got - before.priority_covered
        rows.append(
            {
                "seed": seed,
                "k": k,
                "candidates": len(pool),
                "greedy_gain": gain_got,
                "best_gain": gain_best,
                "ratio": round(gain_got / gain_best, 4) if gain_best else 1.0,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching.bench_recruit", description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=int, default=10)
    parser.add_argument("--small", type=int, default=5, help="small instances to compare")
    parser.add_argument("--no-county", action="store_true")
    args = parser.parse_args(argv)
    print("Recruitment planning: greedy against exhaustive search (gain in priority covered)")
    print("| seed | k | profiles | greedy | exhaustive | ratio |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for seed in range(args.seed, args.seed + args.small):
        for r in compare(seed):
            print(
                f"| {r['seed']} | {r['k']} | {r['candidates']} | {r['greedy_gain']:,} "
                f"| {r['best_gain']:,} | {r['ratio']} |"
            )
    if not args.no_county:
        r = county(args.seed, args.budget)
        met = "met" if r["seconds"] < 60 else "MISSED"
        print(
            f"county, budget {args.budget}: {r['seconds']} s (target under 60 s: {met}); "
            f"{r['candidates']} profiles, {r['evaluations']} exact evaluations, "
            f"{r['steps']} recruits, {r['upskill']} to train; priority covered "
            f"{r['before']['priority_covered']:,} -> {r['after']['priority_covered']:,}, "
            f"slots filled {r['before']['slots_filled']:,} -> {r['after']['slots_filled']:,}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
