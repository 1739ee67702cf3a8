"""Emailed links and Your account, through the pages (mentoring/auth/links.py, account.py)."""

import re

import pytest
from sqlmodel import select

from mentoring.models import Role, SignInRecord, User
from mentoring.services.accounts import invitations
from tests.auth.conftest import link_in
from tests.conftest import PASSWORD

NEW_PASSWORD = "plum-kettle-orbit-74-lantern"


def _invite(app, db, world, admin, role="coordinator"):
    with app.test_request_context():
        return invitations.invite_staff(
            session=db,
            email="invitee@example.org",
            name="Ivy Invitee",
            role=role,
            district_ids=[world.dartford.id] if role == "coordinator" else [],
            actor_id=admin.id,
        )


def test_accepting_an_invitation_signs_the_person_in(client, app, db, world, make_user, outbox):
    _invite(app, db, world, make_user(Role.ADMIN))
    path = link_in(outbox()[0][2], "/invitation/")
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"] == "/invitation"
    page = client.get("/invitation").get_data(as_text=True)
    assert "Ivy Invitee" in page and "invitee@example.org" in page
    response = client.post("/invitation", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert "Dartford" in client.get("/").get_data(as_text=True)
    # The link is used up.
    assert client.get(path).status_code == 410


def test_a_weak_password_on_the_invitation_page_is_refused_beside_the_field(
    client, app, db, world, make_user, outbox
):
    _invite(app, db, world, make_user(Role.ADMIN))
    client.get(link_in(outbox()[0][2], "/invitation/"))
    page = client.post("/invitation", data={"password": "password", "confirm": "password"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "govuk-error-summary" in text
    assert 'id="password-error"' in text
    assert db.exec(select(User).where(User.email == "invitee@example.org")).one().is_invited


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/invitation/not-a-real-token", 404, "not valid"),
        ("/reset-password/not-a-real-token", 404, "not valid"),
        ("/invitation", 404, "not valid"),
        ("/reset-password", 404, "not valid"),
    ],
)
def test_bad_links_get_a_clear_page_with_a_way_forward(client, path, status, says):
    response = client.get(path)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert says in page and "sign-in page" in page
    assert "Traceback" not in page


def test_an_expired_invitation_says_ask_for_a_new_one(client, app, db, world, make_user, outbox):
    from datetime import timedelta

    from mentoring.models import AccountToken, utcnow

    _invite(app, db, world, make_user(Role.ADMIN))
    row = db.exec(select(AccountToken)).one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.add(row)
    db.commit()
    response = client.get(link_in(outbox()[0][2], "/invitation/"))
    assert response.status_code == 410
    assert "This link has expired. Ask for a new one." in response.get_data(as_text=True)


def test_forgotten_password_answers_the_same_for_any_address(client, make_user, outbox):
    user = make_user(Role.PROVIDER)
    pages = [
        client.post("/forgotten-password", data={"email": email}).get_data(as_text=True)
        for email in (user.email, "nobody@example.org")
    ]
    same = [re.sub(r'nonce="[^"]*"', "", p) for p in pages]
    assert same[0] == same[1] and "Check your email" in pages[0]
    assert [to for to, _s, _b in outbox()] == [user.email]


def test_forgotten_password_needs_an_address(client):
    page = client.post("/forgotten-password", data={"email": ""}).get_data(as_text=True)
    assert "Enter your email address" in page


def test_resetting_ends_every_session_from_before(client, app, make_user, outbox):
    user = make_user(Role.PROVIDER)
    other = app.test_client()
    other.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert other.get("/account").status_code == 200
    client.post("/forgotten-password", data={"email": user.email})
    client.get(link_in(outbox()[0][2], "/reset-password/"))
    response = client.post(
        "/reset-password", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert other.get("/account").status_code == 302  # signed out
    assert (
        client.post("/sign-in", data={"email": user.email, "password": PASSWORD}).status_code == 200
    )
    assert (
        client.post("/sign-in", data={"email": user.email, "password": NEW_PASSWORD}).status_code
        == 302
    )
    assert outbox()[-1][1] == "Your Mentor Match password has been changed"


def test_your_account_shows_your_last_sign_ins(client, sign_in, make_user, db):
    user = make_user(Role.COORDINATOR, districts=[])
    for _ in range(12):
        sign_in(user)
    page = client.get("/account").get_data(as_text=True)
    assert user.email in page and "Off" in page
    assert page.count('<tr class="govuk-table__row">') == 11  # a heading and 10 sign-ins
    assert len(db.exec(select(SignInRecord)).all()) == 12


def test_changing_your_password_keeps_you_signed_in_here_only(client, app, sign_in, make_user):
    user = make_user(Role.PROVIDER)
    other = app.test_client()
    sign_in(user, test_client=other)
    sign_in(user)
    bad = client.post(
        "/account/password",
        data={"current": "wrong", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    ).get_data(as_text=True)
    assert "Your current password is not right" in bad
    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
