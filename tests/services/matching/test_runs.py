"""Matching in the service: runs, approval, the mentor's side, monitoring and closure."""

from mentoring.models import (
    Match,
    MatchingRun,
    MatchStatus,
    MentorStatus,
)
from mentoring.services import matching as matching_service
from tests.factories import matching_run as _run
from tests.factories import proposals as _proposals
from tests.factories import ready_family, refresh, vetted_mentor


def test_run_proposes_a_vetted_mentor_for_a_waiting_family(app, db, world, coordinator):
    mentor = vetted_mentor(db, world.dartford)
    family = ready_family(db, world.dartford)
    run = _run(db, app, world, coordinator)
    proposals = _proposals(db, run)
    assert [(p.mentor_id, p.family_id, p.status) for p in proposals] == [
        (mentor.id, family.id, MatchStatus.PROPOSED.value)
    ]
    assert proposals[0].explanation["lines"]
    assert proposals[0].explanation["breakdown"]
    assert run.status == "optimal"
    assert run.input["pairs"]  # the replay form is stored
    assert run.weights


def test_stored_run_replays_to_the_same_proposals(app, db, world, coordinator):
    for _ in range(3):
        vetted_mentor(db, world.dartford, capacity=1, travel=(world.gravesham,))
    for _ in range(5):
        ready_family(db, world.dartford)
    ready_family(db, world.gravesham)
    run = _run(db, app, world, coordinator, [world.dartford, world.gravesham])
    stored = sorted((p.mentor_id, p.family_id, p.slot, p.score) for p in _proposals(db, run))
    refs = matching_service.replay(db.get(MatchingRun, run.id))
    assert len(refs) == len(stored) == 3
    assert sorted(score for *_, score in refs) == sorted(score for *_, score in stored)


def test_mentor_failing_the_gate_is_never_proposed(app, db, world, coordinator):
    mentor = vetted_mentor(db, world.dartford)
    mentor.status = MentorStatus.PAUSED.value
    db.add(mentor)
    db.commit()
    ready_family(db, world.dartford)
    run = _run(db, app, world, coordinator)
    assert _proposals(db, run) == []
    assert run.unmatched and run.unmatched[0]["reasons"]


def test_family_without_consent_is_not_in_the_run(app, db, world, coordinator):
    vetted_mentor(db, world.dartford)
    ready_family(db, world.dartford, consent=False)
    run = _run(db, app, world, coordinator)
    assert _proposals(db, run) == []
    assert run.unmatched == []


def test_active_matches_use_capacity(app, db, world, coordinator):
    mentor = vetted_mentor(db, world.dartford, capacity=1)
    first, second = ready_family(db, world.dartford), ready_family(db, world.dartford)
    db.add(Match(family_id=first.id, mentor_id=mentor.id, slot="mentor", status="active"))
    db.commit()
    run = _run(db, app, world, coordinator)
    assert _proposals(db, run) == []
    assert [u["family"] for u in run.unmatched] == [second.reference]


def test_new_run_supersedes_open_proposals(app, db, world, coordinator):
    vetted_mentor(db, world.dartford)
    ready_family(db, world.dartford)
    first = _proposals(db, _run(db, app, world, coordinator))[0]
    _run(db, app, world, coordinator)
    refresh(db)
    old = db.get(Match, first.id)
    assert old.status == MatchStatus.REJECTED.value
    assert "Superseded" in old.rejection_reason
