"""Matching in the service: runs, approval, the mentor's side, monitoring and closure."""

from datetime import timedelta

from sqlmodel import select

from mentoring.models import (
    ContactLog,
    Family,
    Match,
    MatchStatus,
    Notification,
    Role,
    utcnow,
)
from tests.factories import matching_run as _run
from tests.factories import offered_match as _offer
from tests.factories import proposals as _proposals
from tests.factories import refresh


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
