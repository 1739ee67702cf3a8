"""Matching in the service: runs, approval, the mentor's side, monitoring and closure."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from mentoring.exceptions import MatchConflict, MatchError
from mentoring.models import (
    AuditEvent,
    Match,
    MatchStatus,
    MentorKind,
    MentorStatus,
    Notification,
    Role,
    utcnow,
)
from mentoring.services import matching as matching_service
from mentoring.services.matches import (
    approve,
    assign_by_hand,
    monitoring,
)
from tests.factories import matching_run as _run
from tests.factories import offered_match as _offer
from tests.factories import proposals as _proposals
from tests.factories import ready_family, refresh, vetted_mentor


def test_approving_offers_the_family_to_the_mentor(app, db, world, coordinator, make_user):
    mentor = vetted_mentor(db, world.dartford)
    user = make_user(Role.MENTOR, mentor_id=mentor.id)
    ready_family(db, world.dartford)
    run = _run(db, app, world, coordinator)
    proposal = _proposals(db, run)[0]
    with app.test_request_context():
        approve(session=db, match_id=proposal.id, actor_id=coordinator.id)
    refresh(db)
    assert db.get(Match, proposal.id).status == MatchStatus.APPROVED.value
    notes = db.exec(select(Notification).where(Notification.user_id == user.id)).all()
    assert [n.kind for n in notes] == ["offer"]
    outbox = list(Path(app.config["MAIL_OUTBOX"]).glob("*"))
    assert len(outbox) == 1
    actions = db.exec(select(AuditEvent.action)).all()
    assert "match.approve" in actions


def test_stale_proposal_is_refused_when_the_mentor_stops_being_matchable(
    app, db, world, coordinator
):
    mentor = vetted_mentor(db, world.dartford)
    ready_family(db, world.dartford)
    run = _run(db, app, world, coordinator)
    proposal = _proposals(db, run)[0]
    mentor.status = MentorStatus.WITHDRAWN.value
    db.add(mentor)
    db.commit()
    with app.test_request_context(), pytest.raises(MatchError, match="out of date"):
        approve(session=db, match_id=proposal.id, actor_id=coordinator.id)
    refresh(db)
    assert db.get(Match, proposal.id).status == MatchStatus.PROPOSED.value
    problems = matching_service.proposal_problems(
        session=db, proposals=[proposal], on=utcnow().date()
    )
    assert "no longer cleared" in problems[proposal.id][0]


def test_stale_proposal_is_refused_when_the_family_withdraws_consent(app, db, world, coordinator):
    vetted_mentor(db, world.dartford)
    family = ready_family(db, world.dartford)
    proposal = _proposals(db, _run(db, app, world, coordinator))[0]
    family.consent_mentoring = False
    db.add(family)
    db.commit()
    with app.test_request_context(), pytest.raises(MatchError, match="not ready"):
        approve(session=db, match_id=proposal.id, actor_id=coordinator.id)


def test_stale_proposal_is_refused_when_the_mentor_got_full(app, db, world, coordinator):
    mentor = vetted_mentor(db, world.dartford, capacity=1)
    ready_family(db, world.dartford)
    proposal = _proposals(db, _run(db, app, world, coordinator))[0]
    other = ready_family(db, world.gravesham)
    db.add(Match(family_id=other.id, mentor_id=mentor.id, slot="mentor", status="active"))
    db.commit()
    with app.test_request_context(), pytest.raises(MatchError, match="full"):
        approve(session=db, match_id=proposal.id, actor_id=coordinator.id)


def test_a_decided_proposal_cannot_be_approved_twice(app, db, world, coordinator):
    vetted_mentor(db, world.dartford)
    ready_family(db, world.dartford)
    proposal = _proposals(db, _run(db, app, world, coordinator))[0]
    with app.test_request_context():
        approve(session=db, match_id=proposal.id, actor_id=coordinator.id)
        with pytest.raises(MatchConflict):
            approve(session=db, match_id=proposal.id, actor_id=coordinator.id)


def test_hand_assignment_is_checked_against_the_rules(app, db, world, coordinator):
    untrained = vetted_mentor(db, world.dartford)
    family = ready_family(db, world.dartford, domestic_abuse=True)
    with app.test_request_context(), pytest.raises(MatchError, match="domestic abuse"):
        assign_by_hand(
            session=db,
            family_id=family.id,
            mentor_id=untrained.id,
            slot="mentor",
            actor_id=coordinator.id,
        )
    far_away = vetted_mentor(db, world.maidstone, domestic_abuse_trained=True)
    with app.test_request_context(), pytest.raises(MatchError, match="district"):
        assign_by_hand(
            session=db,
            family_id=family.id,
            mentor_id=far_away.id,
            slot="mentor",
            actor_id=coordinator.id,
        )
    role_model = vetted_mentor(db, world.dartford, kind=MentorKind.ROLE_MODEL)
    with app.test_request_context(), pytest.raises(MatchError, match="role model"):
        assign_by_hand(
            session=db,
            family_id=family.id,
            mentor_id=role_model.id,
            slot="mentor",
            actor_id=coordinator.id,
        )
    trained = vetted_mentor(db, world.dartford, domestic_abuse_trained=True)
    with app.test_request_context():
        match = assign_by_hand(
            session=db,
            family_id=family.id,
            mentor_id=trained.id,
            slot="mentor",
            actor_id=coordinator.id,
        )
    assert match.status == MatchStatus.APPROVED.value


def test_hand_assignment_refuses_a_second_mentor(app, db, world, coordinator):
    family = ready_family(db, world.dartford)
    first, second = vetted_mentor(db, world.dartford), vetted_mentor(db, world.dartford)
    with app.test_request_context():
        assign_by_hand(
            session=db,
            family_id=family.id,
            mentor_id=first.id,
            slot="mentor",
            actor_id=coordinator.id,
        )
        with pytest.raises(MatchError, match="already has a mentor"):
            assign_by_hand(
                session=db,
                family_id=family.id,
                mentor_id=second.id,
                slot="mentor",
                actor_id=coordinator.id,
            )


def test_monitoring_lists_what_needs_attention(app, db, world, coordinator):
    mentor, family, match = _offer(app, db, world, coordinator)
    match.offered_at = utcnow() - timedelta(days=8)
    db.add(match)
    quiet_mentor = vetted_mentor(db, world.dartford, capacity=1)
    quiet_family = ready_family(db, world.dartford)
    quiet = Match(
        family_id=quiet_family.id,
        mentor_id=quiet_mentor.id,
        slot="mentor",
        status="active",
        started_on=utcnow().date() - timedelta(days=30),
    )
    db.add(quiet)
    db.commit()
    report = monitoring(session=db, district_ids={world.dartford.id}, on=utcnow().date())
    assert [m.id for m, *_ in report.unanswered_offers] == [match.id]
    assert [m.id for m, *_ in report.no_recent_contact] == [quiet.id]
    assert quiet_mentor.id in [m.id for m, _ in report.mentors_near_capacity]
