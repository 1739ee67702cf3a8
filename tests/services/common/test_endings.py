"""Matching in the service: runs, approval, the mentor's side, monitoring and closure."""

from datetime import timedelta

from sqlmodel import select

from mentoring.models import (
    AuditEvent,
    EndReason,
    Family,
    Match,
    MatchStatus,
    MentorStatus,
    Notification,
    Role,
    utcnow,
)
from mentoring.services.common.endings import release_mentor
from mentoring.services.matches import (
    end_match,
)
from tests.factories import active_match as _active_match
from tests.factories import matching_run as _run
from tests.factories import offered_match as _offer
from tests.factories import proposals as _proposals
from tests.factories import refresh, vetted_mentor


def test_ending_because_the_mentor_left_puts_the_family_back_with_history(
    app, db, world, coordinator
):
    mentor, family, match = _offer(app, db, world, coordinator)
    with app.test_request_context():
        end_match(
            session=db,
            match_id=match.id,
            actor_id=coordinator.id,
            reason=EndReason.MENTOR_LEFT.value,
            checklist={"family_told": True},
        )
    refresh(db)
    assert db.get(Family, family.id).needs_handover
    ended = db.get(Match, match.id)
    assert ended.ending_checklist["family_told"] is True
    assert ended.ending_checklist["closing_session"] is False
    vetted_mentor(db, world.dartford)
    run = _run(db, app, world, coordinator)
    proposal = [p for p in _proposals(db, run) if p.family_id == family.id][0]
    assert any("handover" in line.lower() for line in proposal.explanation["lines"])


def test_released_mentor_frees_their_families(app, db, world, coordinator):
    mentor, family, match = _offer(app, db, world, coordinator)
    with app.test_request_context():
        release_mentor(session=db, mentor_id=mentor.id, reason=EndReason.MENTOR_NOT_MATCHABLE.value)
    refresh(db)
    assert db.get(Match, match.id).status == MatchStatus.ENDED.value
    assert db.get(Family, family.id).needs_handover


def test_daily_job_ends_the_matches_of_a_mentor_whose_dbs_lapsed(app, db, world, coordinator):
    from mentoring.services.vetting import run_daily_checks

    mentor, family, match = _active_match(app, db, world, coordinator)
    today = utcnow().date()
    with app.app_context():
        assert run_daily_checks(session=db, on=today).became_matchable == 1
        # The DBS check (issued 100 days ago) is out of date three years on.
        lapse = run_daily_checks(session=db, on=today + timedelta(days=3 * 365))
    assert lapse.stopped_matchable == 1
    refresh(db)
    ended = db.get(Match, match.id)
    assert (ended.status, ended.end_reason) == (
        MatchStatus.ENDED.value,
        EndReason.MENTOR_NOT_MATCHABLE.value,
    )
    assert db.get(Family, family.id).needs_handover
    note = db.exec(select(Notification).where(Notification.user_id == coordinator.id)).all()
    assert any(family.reference in n.message and "waiting list" in n.message for n in note)
    assert "match.end" in db.exec(select(AuditEvent.action)).all()


def test_withdrawing_a_mentor_puts_their_families_back_for_handover(app, db, world, coordinator):
    from mentoring.services.mentors import change_status

    mentor, family, match = _active_match(app, db, world, coordinator)
    with app.app_context():
        from mentoring.services.vetting import run_daily_checks

        run_daily_checks(session=db, on=utcnow().date())
        change_status(
            session=db,
            mentor_id=mentor.id,
            status=MentorStatus.WITHDRAWN.value,
            reason="Moved abroad",
            actor_id=None,
            on=utcnow().date(),
        )
    refresh(db)
    assert db.get(Match, match.id).end_reason == EndReason.MENTOR_LEFT.value
    assert db.get(Family, family.id).needs_handover
    replacement = vetted_mentor(db, world.dartford)
    run = _run(db, app, world, coordinator)
    proposal = [p for p in _proposals(db, run) if p.family_id == family.id][0]
    assert proposal.mentor_id == replacement.id
    assert any(mentor.reference in line for line in proposal.explanation["lines"])


def test_withdrawn_consent_ends_the_match_and_the_mentor_loses_sight_of_the_family(
    client, sign_in, db, world, app, make_user, coordinator
):
    mentor, family, match = _active_match(app, db, world, coordinator)
    mentor_user = make_user(Role.MENTOR, mentor_id=mentor.id)
    today = utcnow().date()
    when = [str(today.day), str(today.month), str(today.year)]
    sign_in(coordinator)
    response = client.post(
        f"/families/{family.id}/consent",
        data={
            "consent_mentoring": "not_given",
            "consent_mentoring_on": when,
            "consent_sharing": "given",
            "consent_sharing_on": when,
        },
        follow_redirects=True,
    )
    assert "match ended and the mentor was told" in response.get_data(as_text=True)
    refresh(db)
    ended = db.get(Match, match.id)
    assert (ended.status, ended.end_reason) == ("ended", EndReason.FAMILY_WITHDREW.value)
    assert not db.get(Family, family.id).needs_handover  # not waiting for a new mentor
    told = db.exec(select(Notification).where(Notification.user_id == mentor_user.id)).all()
    assert any("has ended" in n.message for n in told)
    sign_in(mentor_user)
    assert client.get(f"/my/families/{match.id}").status_code == 404
