"""Runs across roles (issue 22, points 1 and 2): a run started by one person never
supersedes another's undecided proposals, each coordinator decides every proposal in
their districts whoever ran it, and a proposal's load line counts what the gate counts."""

from sqlmodel import select

from mentoring.models import Match, MatchStatus, Notification, Role
from tests.factories import matching_run as _run
from tests.factories import proposals as _proposals
from tests.factories import ready_family, refresh, vetted_mentor


def test_admin_run_leaves_a_coordinators_open_proposals_alone(
    app, db, world, coordinator, make_user
):
    admin = make_user(Role.ADMIN)
    vetted_mentor(db, world.dartford, capacity=3, travel=(world.gravesham,))
    family = ready_family(db, world.dartford)
    other = ready_family(db, world.gravesham)
    mine = _proposals(db, _run(db, app, world, coordinator))[0]
    county = _run(db, app, world, admin, [world.dartford, world.gravesham, world.maidstone])
    refresh(db)
    assert db.get(Match, mine.id).status == MatchStatus.PROPOSED.value
    # The admin's run proposes nothing for the slot awaiting the coordinator, and says why.
    proposed = {p.family_id for p in _proposals(db, county)}
    assert family.id not in proposed and other.id in proposed
    held = [u for u in county.unmatched if u["family"] == family.reference]
    assert held and "waiting for a decision" in held[0]["reasons"][0]
    assert f"matching run {mine.run_id}" in held[0]["reasons"][0]


def test_own_earlier_proposals_still_give_way(app, db, world, coordinator):
    vetted_mentor(db, world.dartford)
    ready_family(db, world.dartford)
    first = _proposals(db, _run(db, app, world, coordinator))[0]
    second = _run(db, app, world, coordinator)
    refresh(db)
    assert db.get(Match, first.id).status == MatchStatus.REJECTED.value
    assert len(_proposals(db, second)) == 1


def test_coordinator_decides_proposals_of_a_county_wide_run(
    client, sign_in, app, db, world, coordinator, make_user
):
    admin = make_user(Role.ADMIN)
    vetted_mentor(db, world.dartford, capacity=3, travel=(world.maidstone,))
    dartford = ready_family(db, world.dartford)
    maidstone = ready_family(db, world.maidstone)
    run = _run(db, app, world, admin, [world.dartford, world.gravesham, world.maidstone])
    ours = db.exec(select(Match).where(Match.family_id == dartford.id)).one()
    theirs = db.exec(select(Match).where(Match.family_id == maidstone.id)).one()
    # The coordinator is told there are proposals of theirs to decide.
    (told,) = db.exec(select(Notification).where(Notification.user_id == coordinator.id)).all()
    assert "1 match in Dartford" in told.message and told.link == f"/matching/runs/{run.id}"
    assert db.exec(select(Notification).where(Notification.user_id == admin.id)).all() == []
    sign_in(coordinator)
    # The run lists it, and its page shows only the coordinator's districts.
    assert f"/matching/runs/{run.id}" in client.get("/matching/").get_data(as_text=True)
    page = client.get(f"/matching/runs/{run.id}").get_data(as_text=True)
    assert dartford.reference in page and maidstone.reference not in page
    assert 'data-testid="run-partial"' in page
    # The match page of the proposal has the decision on it.
    match_page = client.get(f"/matching/matches/{ours.id}").get_data(as_text=True)
    assert 'data-testid="proposal-decision"' in match_page
    response = client.post(f"/matching/proposals/{ours.id}/approve", data={"back": "match"})
    assert response.headers["Location"].endswith(f"/matching/matches/{ours.id}")
    refresh(db)
    assert db.get(Match, ours.id).status == MatchStatus.APPROVED.value
    # Another district's proposal in the same run stays out of reach.
    assert client.get(f"/matching/matches/{theirs.id}").status_code == 404
    assert client.post(f"/matching/proposals/{theirs.id}/approve").status_code == 404
    client.post(
        f"/matching/runs/{run.id}/bulk", data={"proposals": [str(theirs.id)], "action": "reject"}
    )
    refresh(db)
    assert db.get(Match, theirs.id).status == MatchStatus.PROPOSED.value


def test_load_line_counts_offered_and_active_matches(app, db, world, coordinator):
    mentor = vetted_mentor(db, world.dartford, capacity=3)
    held = ready_family(db, world.dartford, consent=False)
    db.add(Match(family_id=held.id, mentor_id=mentor.id, slot="mentor", status="active"))
    db.commit()
    ready_family(db, world.dartford)
    ready_family(db, world.dartford)
    proposals = _proposals(db, _run(db, app, world, coordinator))
    assert len(proposals) == 2
    for p in proposals:
        assert "Mentor's families after this run: 3 of 3" in p.explanation["lines"]
