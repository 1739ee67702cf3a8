"""The public application (`mentoring/mentors/apply.py`): no sign-in, throttled, bots ignored."""

from __future__ import annotations

from sqlmodel import select

from mentoring.models import (
    AuditEvent,
    Mentor,
    MentorSkill,
    MentorTravelDistrict,
    Notification,
    Role,
)
from tests.mentors.helpers import _application, _outbox


def test_a_volunteer_applies_without_signing_in(app, client, db, world, make_user):
    provider = make_user(Role.PROVIDER)
    form = client.get("/volunteer").get_data(as_text=True)
    assert "Privacy notice" in form and 'type="file"' not in form
    response = client.post("/volunteer", data=_application(world))
    assert response.status_code == 302
    assert response.headers["Location"] == "/volunteer/done"
    done = client.get("/volunteer/done").get_data(as_text=True)
    mentor = db.exec(select(Mentor)).one()
    assert mentor.reference in done
    assert (mentor.first_name, mentor.email, mentor.postcode) == (
        "Robin",
        "Robin.Hart@example.org",
        "DA1 1AA",
    )
    assert (mentor.source, mentor.stage, mentor.status, mentor.capacity) == (
        "web",
        "applied",
        "active",
        2,
    )
    assert mentor.consent_to_checks_at is not None
    assert mentor.languages == ["English", "Tamil"]
    travel = db.exec(select(MentorTravelDistrict.district_id)).all()
    assert travel == [world.gravesham.id]  # home district is not a travel district
    assert len(db.exec(select(MentorSkill)).all()) == 2
    assert any("Thank you for applying" in e and mentor.reference in e for e in _outbox(app))
    note = db.exec(select(Notification).where(Notification.user_id == provider.id)).one()
    assert mentor.reference in note.message
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "mentor.create")).one()
    assert event.details == {"source": "web", "consent_to_checks": True}


def test_bad_application_shows_errors_and_keeps_what_was_typed(client, db, world):
    response = client.post(
        "/volunteer",
        data=_application(world, postcode="NOT A CODE", consent=None, capacity="9"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Enter a real postcode, like ME14 1XQ" in page
    assert "You must agree to the checks to apply" in page
    assert 'value="Robin"' in page
    assert db.exec(select(Mentor)).first() is None


def test_public_applications_are_throttled_per_address(app, client, world):
    app.config["APPLY_MAX_PER_ADDRESS"] = 2
    for n in range(2):
        data = _application(world, email=f"robin{n}@example.org")
        assert client.post("/volunteer", data=data).status_code == 302
    blocked = client.post("/volunteer", data=_application(world, email="robin9@example.org"))
    assert blocked.status_code == 429
    assert blocked.headers["Cache-Control"] == "no-store"


def test_a_bot_filling_the_hidden_field_saves_nothing(client, db, world):
    response = client.post("/volunteer", data=_application(world, website="http://spam"))
    assert response.status_code == 302
    assert db.exec(select(Mentor)).first() is None
