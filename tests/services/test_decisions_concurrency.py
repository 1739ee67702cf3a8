"""Decisions on a proposal are taken once, however many arrive at the same moment.

Threads, each with its own session and connection, fire approvals and rejections at the
same proposal through a barrier, over many rounds, on PostgreSQL (SQLite takes the write
lock at BEGIN, so it cannot race; its single-decision rule is tested in test_matches.py).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from mentoring.exceptions import MatchConflict, MatchError
from mentoring.models import AuditEvent, Match, MatchStatus, Role
from mentoring.services.matches import approve, reject
from tests.factories import matching_run, proposals, ready_family, vetted_mentor

ROUNDS = 12
THREADS = 8


@pytest.fixture
def postgres_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("a race needs PostgreSQL's row locks (SQLite serialises at BEGIN)")


def _decide_at_once(app, match_id: int, actors: list[int]) -> list[str]:
    """Each thread approves (even) or rejects (odd) the proposal; return what each got."""
    barrier = threading.Barrier(len(actors))
    outcomes: list[str] = [""] * len(actors)

    def decide(i: int, actor_id: int) -> None:
        with app.test_request_context(), Session(app.extensions["db_engine"]) as session:
            barrier.wait()
            try:
                if i % 2 == 0:
                    approve(session=session, match_id=match_id, actor_id=actor_id)
                    outcomes[i] = "approved"
                else:
                    reject(session=session, match_id=match_id, actor_id=actor_id, reason="No")
                    outcomes[i] = "rejected"
            except MatchConflict as err:
                outcomes[i] = "lost: " + err.message
            except MatchError as err:  # pragma: no cover - would fail the test below
                outcomes[i] = "error: " + err.message

    threads = [threading.Thread(target=decide, args=(i, actor)) for i, actor in enumerate(actors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_concurrent_approvals_and_rejections_decide_each_proposal_once(
    app, db, world, make_user, postgres_only
):
    coordinators = [make_user(Role.COORDINATOR, districts=[world.dartford]) for _ in range(THREADS)]
    actors = [c.id for c in coordinators]
    outbox = Path(app.config["MAIL_OUTBOX"])
    for round_number in range(ROUNDS):
        mentor = vetted_mentor(db, world.dartford)
        make_user(Role.MENTOR, mentor_id=mentor.id)
        ready_family(db, world.dartford)
        run = matching_run(db, app, world, coordinators[0])
        proposal = next(p for p in proposals(db, run) if p.mentor_id == mentor.id)
        emails_before = len(list(outbox.glob("*"))) if outbox.exists() else 0

        outcomes = _decide_at_once(app, proposal.id, actors)

        winners = [o for o in outcomes if o in ("approved", "rejected")]
        assert len(winners) == 1, (round_number, outcomes)
        losers = [o for o in outcomes if o.startswith("lost: ")]
        assert len(losers) == THREADS - 1, outcomes
        assert all(f"already {winners[0]} by Test" in o for o in losers), outcomes
        db.expire_all()
        match = db.get(Match, proposal.id)
        assert match.status == (
            MatchStatus.APPROVED.value if winners[0] == "approved" else MatchStatus.REJECTED.value
        )
        audits = db.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.object_id == proposal.id,
                AuditEvent.action.in_(("match.approve", "match.reject")),  # type: ignore[attr-defined]
            )
        ).one()
        assert audits == 1, outcomes
        emails = len(list(outbox.glob("*"))) - emails_before
        assert emails == (1 if winners[0] == "approved" else 0), outcomes
        # The approved mentor is now full (capacity 1): end the round's matches cleanly.
        if match.status == MatchStatus.APPROVED.value:
            match.status = MatchStatus.ENDED.value
            db.add(match)
            db.commit()
