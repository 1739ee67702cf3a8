"""Matching in the service: runs, approval, the mentor's side, monitoring and closure."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from mentoring.exceptions import MatchConflict, MatchError
from mentoring.models import (
    AuditEvent,
    ContactLog,
    EndReason,
    Family,
    Match,
    MatchingRun,
    MatchStatus,
    MentorKind,
    MentorStatus,
    Notification,
    Role,
    SafeguardingConcern,
    utcnow,
)
from mentoring.services import matching as matching_service
from mentoring.services.common.endings import release_mentor
from mentoring.services.matches import (
    approve,
    assign_by_hand,
    end_match,
    monitoring,
)
from tests.factories import ready_family, refresh, vetted_mentor


@pytest.fixture
def coordinator(make_user, world):
    return make_user(Role.COORDINATOR, districts=[world.dartford, world.gravesham])


def _run(db, app, world, coordinator, districts=None):
    with app.app_context():
        return matching_service.run_matching(
            session=db,
            district_ids={d.id for d in (districts or [world.dartford])},
            actor_id=coordinator.id,
        )


def _proposals(db, run):
    return db.exec(select(Match).where(Match.run_id == run.id).order_by(Match.id)).all()


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


def test_new_run_supersedes_open_proposals(app, db, world, coordinator):
    vetted_mentor(db, world.dartford)
    ready_family(db, world.dartford)
    first = _proposals(db, _run(db, app, world, coordinator))[0]
    _run(db, app, world, coordinator)
    refresh(db)
    old = db.get(Match, first.id)
    assert old.status == MatchStatus.REJECTED.value
    assert "Superseded" in old.rejection_reason


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


def test_hand_assignment_page_says_which_rule(client, sign_in, db, world, coordinator):
    untrained = vetted_mentor(db, world.dartford)
    family = ready_family(db, world.dartford, domestic_abuse=True)
    sign_in(coordinator)
    page = client.post(
        "/matching/assign",
        data={"family": str(family.id), "slot": "mentor", "mentor": untrained.reference},
    ).get_data(as_text=True)
    assert "govuk-error-summary" in page
    assert "domestic abuse" in page
    assert untrained.reference in page  # what the user typed is kept


# --- through the web ---------------------------------------------------------------------


def _offer(app, db, world, coordinator):
    mentor = vetted_mentor(db, world.dartford)
    family = ready_family(db, world.dartford)
    with app.test_request_context():
        match = assign_by_hand(
            session=db,
            family_id=family.id,
            mentor_id=mentor.id,
            slot="mentor",
            actor_id=coordinator.id,
        )
    return mentor, family, match


def test_coordinator_runs_and_approves_through_the_pages(client, sign_in, db, world, coordinator):
    vetted_mentor(db, world.dartford)
    family = ready_family(db, world.dartford)
    sign_in(coordinator)
    response = client.post("/matching/", data={"scope": str(world.dartford.id)})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert family.reference in page
    proposal = db.exec(select(Match).where(Match.family_id == family.id)).one()
    response = client.post(f"/matching/proposals/{proposal.id}/approve")
    assert response.status_code == 302
    refresh(db)
    assert db.get(Match, proposal.id).status == MatchStatus.APPROVED.value


def test_rejecting_needs_a_reason(client, sign_in, db, world, coordinator, app):
    vetted_mentor(db, world.dartford)
    ready_family(db, world.dartford)
    proposal = _proposals(db, _run(db, app, world, coordinator))[0]
    sign_in(coordinator)
    client.post(f"/matching/proposals/{proposal.id}/reject", data={"reason": ""})
    refresh(db)
    assert db.get(Match, proposal.id).status == MatchStatus.PROPOSED.value
    client.post(
        f"/matching/proposals/{proposal.id}/reject", data={"reason": "Lives on same street"}
    )
    refresh(db)
    assert db.get(Match, proposal.id).rejection_reason == "Lives on same street"


def test_bulk_approval(client, sign_in, db, world, coordinator, app):
    for _ in range(2):
        vetted_mentor(db, world.dartford, capacity=1)
        ready_family(db, world.dartford)
    run = _run(db, app, world, coordinator)
    ids = [str(p.id) for p in _proposals(db, run)]
    sign_in(coordinator)
    client.post(f"/matching/runs/{run.id}/bulk", data={"proposals": ids, "action": "approve"})
    refresh(db)
    assert {db.get(Match, int(i)).status for i in ids} == {MatchStatus.APPROVED.value}


def test_coordinator_of_another_district_gets_404(
    client, sign_in, db, world, make_user, app, coordinator
):
    vetted_mentor(db, world.dartford)
    ready_family(db, world.dartford)
    run = _run(db, app, world, coordinator)
    proposal = _proposals(db, run)[0]
    outsider = make_user(Role.COORDINATOR, districts=[world.maidstone])
    sign_in(outsider)
    assert client.get(f"/matching/runs/{run.id}").status_code == 404
    assert client.post(f"/matching/proposals/{proposal.id}/approve").status_code == 404
    assert client.get(f"/matching/matches/{proposal.id}").status_code == 404
    assert client.post("/matching/", data={"scope": str(world.dartford.id)}).status_code == 200
    assert db.exec(select(MatchingRun)).all() == [run]


def test_mentor_accepts_sees_family_and_records_a_contact(
    client, sign_in, db, world, make_user, app, coordinator
):
    mentor, family, match = _offer(app, db, world, coordinator)
    user = make_user(Role.MENTOR, mentor_id=mentor.id)
    sign_in(user)
    home = client.get("/").get_data(as_text=True)
    assert family.reference in home
    assert "Kim Keyworker" not in home  # not before accepting
    assert client.post(f"/my/offers/{match.id}", data={"decision": "accept"}).status_code == 302
    page = client.get(f"/my/families/{match.id}").get_data(as_text=True)
    for shown in (
        "Sam and Alex",
        "Kim Keyworker",
        "kim@kent.example.gov.uk",
        "Dog in the house",
        "Children at school on time",
    ):
        assert shown in page
    assert "Police data" not in page  # never the criteria evidence
    today = utcnow().date()
    response = client.post(
        f"/my/families/{match.id}",
        data={
            "contact_on": [str(today.day), str(today.month), str(today.year)],
            "kind": "visit",
            "duration_minutes": "45",
            "note": "Walked to school together",
        },
    )
    assert response.status_code == 302
    contact = db.exec(select(ContactLog)).one()
    assert contact.duration_minutes == 45
    sign_in(coordinator)
    page = client.get(f"/matching/matches/{match.id}").get_data(as_text=True)
    assert "Walked to school together" in page


def test_contact_in_the_future_is_refused_beside_the_field(
    client, sign_in, db, world, make_user, app, coordinator
):
    mentor, family, match = _offer(app, db, world, coordinator)
    match.status, match.started_on = "active", utcnow().date()
    db.add(match)
    db.commit()
    sign_in(make_user(Role.MENTOR, mentor_id=mentor.id))
    future = utcnow().date() + timedelta(days=3)
    page = client.post(
        f"/my/families/{match.id}",
        data={
            "contact_on": [str(future.day), str(future.month), str(future.year)],
            "kind": "visit",
            "duration_minutes": "30",
            "note": "kept note",
        },
    ).get_data(as_text=True)
    assert "today or in the past" in page
    assert "kept note" in page
    assert db.exec(select(ContactLog)).all() == []


def test_mentor_declines_and_the_family_waits_again(
    client, sign_in, db, world, make_user, app, coordinator
):
    mentor, family, match = _offer(app, db, world, coordinator)
    sign_in(make_user(Role.MENTOR, mentor_id=mentor.id))
    page = client.post(f"/my/offers/{match.id}", data={"decision": "decline"}).get_data(
        as_text=True
    )
    assert "Tell the coordinator why" in page
    client.post(f"/my/offers/{match.id}", data={"decision": "decline", "reason": "Too far"})
    refresh(db)
    assert db.get(Match, match.id).status == MatchStatus.DECLINED.value
    run = _run(db, app, world, coordinator)
    assert family.reference in [db.get(Family, p.family_id).reference for p in _proposals(db, run)]
    notes = db.exec(select(Notification).where(Notification.user_id == coordinator.id)).all()
    assert any("declined" in n.message for n in notes)


def test_mentor_gets_404_for_any_family_not_theirs(
    client, sign_in, db, world, make_user, app, coordinator
):
    mentor, family, match = _offer(app, db, world, coordinator)
    other_mentor, other_family, other_match = _offer(app, db, world, coordinator)
    sign_in(make_user(Role.MENTOR, mentor_id=mentor.id))
    assert client.get(f"/my/offers/{other_match.id}").status_code == 404
    assert (
        client.post(f"/my/offers/{other_match.id}", data={"decision": "accept"}).status_code == 404
    )
    assert client.get(f"/my/families/{other_match.id}").status_code == 404
    assert client.get(f"/my/families/{other_match.id}/concern").status_code == 404
    assert client.get(f"/my/families/{match.id}").status_code == 404  # not active yet
    assert client.get("/my/families/99999").status_code == 404
    assert client.get(f"/families/{family.id}").status_code in (403, 404)
    refresh(db)
    assert db.get(Match, other_match.id).status == MatchStatus.APPROVED.value


def test_safeguarding_concern_reaches_coordinators_urgently(
    client, sign_in, db, world, make_user, app, coordinator
):
    mentor, family, match = _offer(app, db, world, coordinator)
    match.status, match.started_on = "active", utcnow().date()
    db.add(match)
    db.commit()
    sign_in(make_user(Role.MENTOR, mentor_id=mentor.id))
    response = client.post(
        f"/my/families/{match.id}/concern", data={"details": "Bruises on a child"}
    )
    assert response.status_code == 302
    concern = db.exec(select(SafeguardingConcern)).one()
    note = db.exec(select(Notification).where(Notification.user_id == coordinator.id)).one()
    assert note.urgent and note.kind == "safeguarding"
    assert "concern.raise" in db.exec(select(AuditEvent.action)).all()
    sign_in(coordinator)
    assert "Bruises on a child" in client.get(f"/matching/concerns/{concern.id}").get_data(
        as_text=True
    )
    assert "Urgent" in client.get("/").get_data(as_text=True)


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


def _active_match(app, db, world, coordinator):
    mentor, family, match = _offer(app, db, world, coordinator)
    match.status, match.started_on = MatchStatus.ACTIVE.value, utcnow().date()
    db.add(match)
    db.commit()
    return mentor, family, match


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


def test_home_waiting_count_agrees_with_the_waiting_list(
    client, sign_in, db, world, app, coordinator
):
    import re

    ready_family(db, world.dartford)
    ready_family(db, world.dartford)
    ready_family(db, world.dartford, consent=False)  # open, but not ready: not waiting
    _active_match(app, db, world, coordinator)  # ready, with a mentor: not waiting
    sign_in(coordinator)
    home = client.get("/").get_data(as_text=True)
    row = re.search(r"Dartford</th>(.*?)</tr>", home, re.S).group(1)
    cells = [int(c) for c in re.findall(r">\s*(\d+)\s*<", row)]
    assert cells == [4, 1, 2]  # open families, with a mentor, waiting
    waiting = client.get("/families/?mentor=waiting").get_data(as_text=True)
    assert len(set(re.findall(r"DAR-\d{4}", waiting))) == 2


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


def test_messages_can_be_marked_read_by_their_owner_only(
    client, sign_in, db, world, app, make_user, coordinator
):
    mine = Notification(user_id=coordinator.id, kind="handover", message="Family needs you")
    other_user = make_user(Role.COORDINATOR, districts=[world.maidstone])
    theirs = Notification(user_id=other_user.id, kind="handover", message="Not for you")
    db.add_all([mine, theirs])
    db.commit()
    sign_in(coordinator)
    assert "Family needs you" in client.get("/").get_data(as_text=True)
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert client.post(f"/notifications/{mine.id}/read").status_code == 302
    assert "Family needs you" not in client.get("/").get_data(as_text=True)
    refresh(db)
    assert db.get(Notification, theirs.id).read_at is None
    sign_in(other_user)
    client.post("/notifications/read")
    refresh(db)
    assert db.get(Notification, theirs.id).read_at is not None


def test_assign_page_lists_cleared_mentors_with_room_in_my_districts_only(
    client, sign_in, db, world, app, coordinator
):
    near = vetted_mentor(db, world.gravesham, capacity=1)
    full = vetted_mentor(db, world.dartford, capacity=1)
    half, _, _ = _offer(app, db, world, coordinator)  # a mentor of capacity 2, one held
    far = vetted_mentor(db, world.maidstone)
    blocked = vetted_mentor(db, world.dartford)
    blocked.status = MentorStatus.PAUSED.value
    db.add(blocked)
    db.commit()
    with app.test_request_context():
        assign_by_hand(
            session=db,
            family_id=ready_family(db, world.dartford).id,
            mentor_id=full.id,
            slot="mentor",
            actor_id=coordinator.id,
        )
    sign_in(coordinator)
    page = client.get("/matching/assign").get_data(as_text=True)
    listed = page.split('data-testid="available-mentors"')[1].split("</table>")[0]
    assert near.reference in listed
    assert half.reference in listed  # 1 of 2: still room
    for absent in (full, far, blocked):
        assert absent.reference not in listed
