"""Mentor journeys (issue 22, point 4): a recorded contact lands on its banner and is not
recorded twice, an answered offer's message links to the family, the offer email links to
the offer."""

from pathlib import Path

from sqlmodel import select

from mentoring.models import ContactLog, Notification, Role, utcnow
from mentoring.services.matches import assign_by_hand
from tests.factories import offered_match as _offer
from tests.factories import ready_family, refresh, vetted_mentor


def _offer_to_account(app, db, world, coordinator, make_user):
    """A mentor with an account is offered a family, so the offer reaches their home page."""
    mentor = vetted_mentor(db, world.dartford)
    user = make_user(Role.MENTOR, mentor_id=mentor.id)
    family = ready_family(db, world.dartford)
    with app.test_request_context():
        match = assign_by_hand(
            session=db,
            family_id=family.id,
            mentor_id=mentor.id,
            slot="mentor",
            actor_id=coordinator.id,
        )
    return user, match


def _contact(client, match_id, note="Walked to school together", minutes="45"):
    today = utcnow().date()
    return client.post(
        f"/my/families/{match_id}",
        data={
            "contact_on": [str(today.day), str(today.month), str(today.year)],
            "kind": "visit",
            "duration_minutes": minutes,
            "note": note,
        },
    )


def test_a_contact_lands_on_its_banner_and_the_same_one_is_refused_next(
    client, sign_in, db, world, make_user, app, coordinator
):
    mentor, _family, match = _offer(app, db, world, coordinator)
    sign_in(make_user(Role.MENTOR, mentor_id=mentor.id))
    client.post(f"/my/offers/{match.id}", data={"decision": "accept"})
    page = client.get(f"/my/families/{match.id}").get_data(as_text=True)
    assert "#record-contact" not in page  # the form posts to the page itself
    response = _contact(client, match.id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/my/families/{match.id}")
    banner = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Contact recorded: Visit on" in banner and "45 minutes" in banner
    again = _contact(client, match.id)
    assert again.status_code == 200
    assert "already recorded this contact" in again.get_data(as_text=True)
    refresh(db)
    assert len(db.exec(select(ContactLog)).all()) == 1
    assert _contact(client, match.id, minutes="30").status_code == 302
    refresh(db)
    assert len(db.exec(select(ContactLog)).all()) == 2


def test_an_answered_offers_message_links_to_the_family(
    client, sign_in, db, world, make_user, app, coordinator
):
    user, match = _offer_to_account(app, db, world, coordinator, make_user)
    sign_in(user)
    offer = db.exec(select(Notification).where(Notification.user_id == user.id)).one()
    assert offer.link == f"/my/offers/{match.id}"
    client.post(f"/my/offers/{match.id}", data={"decision": "accept"})
    refresh(db)
    message = db.get(Notification, offer.id)
    assert message.link == f"/my/families/{match.id}"
    assert client.get(message.link).status_code == 200
    home = client.get("/").get_data(as_text=True)
    assert f'href="/my/offers/{match.id}"' not in home


def test_a_declined_offers_message_links_to_the_mentors_families(
    client, sign_in, db, world, make_user, app, coordinator
):
    user, match = _offer_to_account(app, db, world, coordinator, make_user)
    sign_in(user)
    client.post(f"/my/offers/{match.id}", data={"decision": "decline", "reason": "Too far"})
    refresh(db)
    message = db.exec(select(Notification).where(Notification.user_id == user.id)).one()
    assert message.link == "/my/families"
    assert client.get(message.link).status_code == 200


def test_the_offer_email_links_to_the_offer(app, db, world, coordinator):
    _mentor, _family, match = _offer(app, db, world, coordinator)
    (email,) = Path(app.config["MAIL_OUTBOX"]).glob("*")
    body = email.read_text()
    assert "Sign in to Mentor Match" in body
    assert f"{app.config['SERVICE_URL']}/my/offers/{match.id}" in body
