"""Matching runs: build the engine's input, solve, store the run and its proposals.

A run is stored with its exact input in the engine's replay form (without per-pair
breakdowns), so any run can be re-run and audited (`replay`).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

import matching
from mentoring import audit
from mentoring.db import write_transaction
from mentoring.models import (
    District,
    Match,
    MatchingRun,
    MatchStatus,
    RunStatus,
    service_today,
    utcnow,
)
from mentoring.services.common.notify import coordinators_by_district, link, notify
from mentoring.services.matching.engine_io import LOAD_LINE, EngineInput, build_input, load_line


def _quiet(done: int, total: int, label: str) -> None:
    """Progress nobody watches."""


def run_matching(
    *,
    session: Session,
    district_ids: set[int],
    actor_id: int,
    on: date | None = None,
    progress: Callable[[int, int, str], None] = _quiet,
) -> MatchingRun:
    """Run the optimiser for districts and store the run and its proposals.

    ``progress`` hears each step (reading, solving, saving), for a job's status page.
    """
    on = on or service_today()
    started = time.perf_counter()
    progress(0, 3, "Reading the families and mentors")
    engine_input = build_input(session=session, district_ids=district_ids, on=on, actor_id=actor_id)
    problem = engine_input.problem
    progress(
        1,
        3,
        f"Solving: {len(problem.families):,} families and {len(problem.mentors):,} mentors",
    )
    graph = matching.build_graph(problem)
    solution = matching.solve(graph)
    total = time.perf_counter() - started
    progress(2, 3, f"Saving {len(solution.assignments):,} proposals")
    with write_transaction(session):
        run = MatchingRun(
            started_by_id=actor_id,
            district_ids=sorted(district_ids),
            weights=matching.weights_to_dict(engine_input.problem.weights),
            # The replay form without per-pair score breakdowns: a third the size,
            # and it re-solves to the same proposals (the proposals keep theirs).
            input=graph.to_json(breakdowns=False),
            status=RunStatus.OPTIMAL.value
            if solution.status == "OPTIMAL"
            else RunStatus.FAILED.value,
            build_seconds=round(total - solution.solve_seconds, 4),
            solve_seconds=round(solution.solve_seconds, 4),
            objective=dict(solution.objective),
            # Slots left alone for someone else's open proposal are listed too, so the
            # run says why it proposed nothing for them.
            unmatched=[u.to_json() for u in solution.unmatched] + engine_input.held_back,
            finished_at=utcnow(),
        )
        session.add(run)
        session.flush()
        # Earlier open proposals of the same person for these families give way to this
        # run; anyone else's are left for them to decide (their slots were held back).
        family_row_ids = list(engine_input.family_ids.values())
        if family_row_ids:
            session.execute(
                sa.update(Match)
                .where(
                    col(Match.family_id).in_(family_row_ids),
                    col(Match.status) == MatchStatus.PROPOSED.value,
                    col(Match.created_by_id) == actor_id,
                )
                .values(
                    status=MatchStatus.REJECTED.value,
                    rejection_reason=f"Superseded by matching run {run.id}",
                    decided_at=utcnow(),
                )
            )
        new_load = Counter(a.mentor for a in solution.assignments)
        for a in solution.assignments:
            session.add(
                Match(
                    family_id=engine_input.family_ids[a.family],
                    mentor_id=engine_input.mentor_ids[a.mentor],
                    slot=a.slot,
                    status=MatchStatus.PROPOSED.value,
                    run_id=run.id,
                    score=a.score,
                    explanation={
                        "breakdown": dict(a.breakdown),
                        "lines": _with_whole_load(a, engine_input, new_load[a.mentor]),
                    },
                    created_by_id=actor_id,
                )
            )
        _tell_coordinators(session, run, engine_input, solution.assignments, actor_id)
        audit.record(
            session,
            "matching.run",
            object_type="matching_run",
            object_id=run.id,
            districts=sorted(district_ids),
            proposals=len(solution.assignments),
        )
    return run


def _tell_coordinators(
    session: Session,
    run: MatchingRun,
    engine_input: EngineInput,
    assignments: Any,
    actor_id: int,
) -> None:
    """Tell each district's coordinators (but the starter) of the run's proposals there: an
    administrator's county-wide run leaves them proposals to decide."""
    district_of = {f.id: f.district for f in engine_input.problem.families}
    ids = {code: d for d, code in engine_input.district_codes.items()}
    counts = Counter(ids[district_of[a.family]] for a in assignments)
    if not counts:
        return
    names = dict(
        session.exec(
            select(District.id, District.name).where(col(District.id).in_(sorted(counts)))
        ).all()
    )
    coordinators = coordinators_by_district(session, set(counts))
    for district_id, n in sorted(counts.items()):
        notify(
            session,
            [u.id for u in coordinators.get(district_id, []) if u.id != actor_id],
            kind="matching_run",
            message=f"Matching run {run.id} proposed {n} match{'es' if n != 1 else ''} "
            f"in {names.get(district_id, 'your district')} for you to decide.",
            link=link("coordination.run", run_id=run.id),
        )


def _with_whole_load(a: Any, engine_input: EngineInput, new: int) -> list[str]:
    """The explanation with the mentor's load counted as the gate counts it.

    The engine sees only the capacity left (what the mentor's offered, accepted and active
    matches leave), so its load line says "2 of 2" for a mentor holding 1 of 3: the line
    is said again over the whole capacity.
    """
    line = load_line(
        held=engine_input.held.get(a.mentor, 0),
        new=new,
        capacity=engine_input.capacity.get(a.mentor, new),
    )
    return [line if x.startswith(LOAD_LINE) else x for x in a.explanation]


def replay(run: MatchingRun) -> list[tuple[str, str, str, int]]:
    """Re-run a stored run's exact input; return its (mentor, family, slot, score) sorted."""
    solution = matching.solve(matching.load_problem(run.input))
    return sorted((a.mentor, a.family, a.slot, a.score) for a in solution.assignments)


def summarise_unmatched(run: MatchingRun) -> list[dict[str, Any]]:
    """The families a run left waiting, with their reasons."""
    return list(run.unmatched)
