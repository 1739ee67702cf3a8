"""Recruitment planning in the service: the engine's plan for some districts, as counts.

`plan_recruitment` builds the same problem a matching run would (`build_input`), asks the
engine whom to recruit and train (`matching.recruit.plan`, every figure an exact optimum)
and keeps only what a plan page needs: the recruits' profiles (no person), figures,
families newly matched counted by district and need, and the references of mentors to
train. No family reference or name leaves this module.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from sqlmodel import Session

import matching
from matching.recruit import plan, waiting_slots
from mentoring.services.matching.engine_io import build_input

BUDGET = 10  # the page shows the plan for 1 to 10 recruits

Progress = Callable[[int, int, str], None]


def _counts(families: Iterable[str], by_id: dict[str, matching.Family]) -> dict[str, Any]:
    district: Counter[str] = Counter()
    need: Counter[str] = Counter()
    for ref in families:
        family = by_id[ref]
        district[family.district] += 1
        need.update(family.needs or {"none"})
    return {"families": sum(district.values()), "districts": dict(district), "needs": dict(need)}


def _profile(mentor: matching.Mentor) -> dict[str, Any]:
    return {
        "kind": mentor.kind,
        "capacity": mentor.capacity,
        "home_district": mentor.home_district,
        "travel_districts": sorted(mentor.travel_districts),
        "skills": sorted(mentor.skills),
        "languages": sorted(mentor.languages),
        "availability": sorted(mentor.availability),
        "gender": mentor.gender,
        "domestic_abuse_trained": mentor.domestic_abuse_trained,
    }


def plan_recruitment(
    *, session: Session, district_ids: set[int], on: date, progress: Progress | None = None
) -> dict[str, Any]:
    """Plan up to `BUDGET` recruits and the mentors to train for these districts (JSON)."""
    report = progress or (lambda done, total, label: None)
    total = BUDGET + 2
    report(0, total, "Reading the mentors and the families waiting")
    problem = build_input(session=session, district_ids=district_ids, on=on).problem
    report(1, total, f"Planning up to {BUDGET} recruits")
    result = plan(
        problem,
        budget=BUDGET,
        on_step=lambda n: report(1 + n, total, f"Recruit {n} of {BUDGET} chosen"),
    )
    by_id = {f.id: f for f in problem.families}
    waiting = {f.id for f, _slot in waiting_slots(problem, result.before)}
    return {
        "district_ids": sorted(district_ids),
        "budget": BUDGET,
        "before": result.before.figures(),
        "waiting": _counts(sorted(waiting), by_id),
        "steps": [
            {
                "profile": _profile(step.mentor),
                **step.optimum.figures(),
                "served": _counts(step.families, by_id),
            }
            for step in result.steps
        ],
        "upskill": [
            {
                "mentor": u.mentor,
                "module": u.module,
                **u.optimum.figures(),
                "served": _counts(u.families, by_id),
            }
            for u in result.upskill
        ],
    }
