"""Matching in the service: runs, approval, the mentor's side, monitoring and closure."""

from sqlmodel import select

from mentoring.models import (
    Match,
    MatchingRun,
    MatchStatus,
    MentorStatus,
    Role,
)
from mentoring.services.matches import (
    assign_by_hand,
)
from tests.factories import matching_run as _run
from tests.factories import offered_match as _offer
from tests.factories import proposals as _proposals
from tests.factories import ready_family, refresh, vetted_mentor


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
