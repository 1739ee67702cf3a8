"""No double assignment, ever: concurrent approvals on the real database."""

import threading

from sqlmodel import Session, col, select

from mentoring.exceptions import MatchError
from mentoring.models import Match, MatchStatus, Role
from mentoring.services.matches import approve
from tests.factories import ready_family, refresh, vetted_mentor

THREADS = 6


def _race(app, proposal_ids, actor_id):
    """Approve each proposal from its own thread and session, all released at once."""
    barrier = threading.Barrier(len(proposal_ids))
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(match_id):
        with app.app_context(), Session(app.extensions["db_engine"]) as session:
            barrier.wait()
            try:
                approve(session=session, match_id=match_id, actor_id=actor_id)
                result = "approved"
            except MatchError as err:
                result = f"refused: {err}"
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(pid,)) for pid in proposal_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def _holding(db, **where):
    query = select(Match).where(
        col(Match.status).in_([MatchStatus.APPROVED.value, MatchStatus.ACTIVE.value])
    )
    for key, value in where.items():
        query = query.where(getattr(Match, key) == value)
    return db.exec(query).all()


def test_concurrent_approvals_never_exceed_a_mentors_capacity(app, db, world, make_user):
    coordinator = make_user(Role.COORDINATOR, districts=[world.dartford])
    for round_ in range(3):
        mentor = vetted_mentor(db, world.dartford, capacity=2)
        proposals = []
        for _ in range(THREADS):
            family = ready_family(db, world.dartford)
            match = Match(family_id=family.id, mentor_id=mentor.id, slot="mentor")
            db.add(match)
            db.commit()
            proposals.append(match.id)
        outcomes = _race(app, proposals, coordinator.id)
        refresh(db)
        assert len(outcomes) == THREADS, round_
        assert outcomes.count("approved") == 2, outcomes
        assert len(_holding(db, mentor_id=mentor.id)) == 2
        assert all("full" in o or o == "approved" for o in outcomes), outcomes


def test_concurrent_approvals_never_give_a_family_two_mentors(app, db, world, make_user):
    coordinator = make_user(Role.COORDINATOR, districts=[world.dartford])
    for _ in range(3):
        family = ready_family(db, world.dartford)
        proposals = []
        for _ in range(THREADS):
            mentor = vetted_mentor(db, world.dartford, capacity=1)
            match = Match(family_id=family.id, mentor_id=mentor.id, slot="mentor")
            db.add(match)
            db.commit()
            proposals.append(match.id)
        outcomes = _race(app, proposals, coordinator.id)
        refresh(db)
        assert outcomes.count("approved") == 1, outcomes
        assert len(_holding(db, family_id=family.id)) == 1
