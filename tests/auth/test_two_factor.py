"""Two-factor sign-in through the pages (mentoring/auth/two_factor.py, steps.py)."""

import re

import pytest

from mentoring.models import Role, User
from mentoring.services.accounts import two_factor
from tests.conftest import PASSWORD
from tests.factories import refresh


def _secret(page: str) -> str:
    found = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page)
    assert found, "the secret is shown as text"
    return found.group(1).replace(" ", "")


@pytest.fixture
def staff_need_two_factor(app):
    app.config["MFA_REQUIRED_ROLES"] = frozenset({"admin", "provider", "coordinator"})


def _password(client, user):
    return client.post("/sign-in", data={"email": user.email, "password": PASSWORD})


def test_a_required_role_sets_up_an_authenticator_at_first_sign_in(
    client, make_user, db, staff_need_two_factor, outbox
):
    user = make_user(Role.PROVIDER)
    response = _password(client, user)
    assert response.headers["Location"] == "/sign-in/set-up-two-factor"
    assert client.get("/").status_code == 302  # not signed in yet
    page = client.get("/sign-in/set-up-two-factor").get_data(as_text=True)
    assert "<svg" in page
    secret = _secret(page)
    wrong = client.post("/sign-in/set-up-two-factor", data={"code": "000000"})
    assert "The code is not right" in wrong.get_data(as_text=True)
    done = client.post(
        "/sign-in/set-up-two-factor", data={"code": two_factor.code_for(secret)}
    ).get_data(as_text=True)
    codes = re.findall(r"<code>([A-Z2-7-]{19})</code>", done)
    assert len(codes) == 10
    assert client.get("/").status_code == 200
    db.expire_all()
    assert db.get(User, user.id).totp_enabled_at is not None
    assert outbox()[-1][1] == "Two-factor sign-in is set up on your Mentor Match account"


def _enrolled(client, make_user, db, app):
    user = make_user(Role.COORDINATOR, districts=[])
    secret = two_factor.new_secret()
    user.totp_secret = two_factor.seal(secret, secret_key=app.config["SECRET_KEY"])
    from mentoring.models import utcnow

    user.totp_enabled_at = utcnow()
    db.add(user)
    db.commit()
    return user, secret


def test_with_two_factor_on_the_password_alone_signs_nobody_in(client, make_user, db, app):
    user, secret = _enrolled(client, make_user, db, app)
    assert _password(client, user).headers["Location"] == "/sign-in/code"
    assert client.get("/account").status_code == 302
    assert (
        client.post("/sign-in/code", data={"code": two_factor.code_for(secret)}).status_code == 302
    )
    assert client.get("/account").status_code == 200


def test_a_code_never_works_twice(client, app, make_user, db):
    user, secret = _enrolled(client, make_user, db, app)
    code = two_factor.code_for(secret)
    _password(client, user)
    client.post("/sign-in/code", data={"code": code})
    other = app.test_client()
    _password(other, user)
    page = other.post("/sign-in/code", data={"code": code}).get_data(as_text=True)
    assert "The code is not right, or has been used already" in page
    assert other.get("/account").status_code == 302


def test_wrong_codes_count_towards_the_lockout(client, app, make_user, db):
    user, secret = _enrolled(client, make_user, db, app)
    _password(client, user)
    for _ in range(5):
        client.post("/sign-in/code", data={"code": "123456"})
    # Locked now: even the right code is refused.
    assert (
        client.post("/sign-in/code", data={"code": two_factor.code_for(secret)}).status_code == 200
    )
    assert client.get("/account").status_code == 302


def test_a_recovery_code_signs_in_once(client, app, make_user, db):
    user, _secret_ = _enrolled(client, make_user, db, app)
    codes = two_factor.new_recovery_codes(db, user=user)
    db.commit()
    _password(client, user)
    assert client.post("/sign-in/code", data={"code": codes[0]}).status_code == 302
    other = app.test_client()
    _password(other, user)
    assert other.post("/sign-in/code", data={"code": codes[0]}).status_code == 200


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(client):
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in"
    assert client.get("/sign-in/set-up-two-factor").headers["Location"] == "/sign-in"


@pytest.mark.parametrize("code", ["", " ", "x" * 200, "12\x00345"])
def test_bad_codes_get_a_message_beside_the_field(client, app, make_user, db, code):
    user, _s = _enrolled(client, make_user, db, app)
    _password(client, user)
    response = client.post("/sign-in/code", data={"code": code})
    assert response.status_code == 200
    assert 'id="code-error"' in response.get_data(as_text=True)


def test_anyone_may_turn_two_factor_on_from_their_account(client, sign_in, make_user, db):
    user = make_user(Role.MENTOR)
    sign_in(user)
    secret = _secret(client.get("/account/two-factor").get_data(as_text=True))
    # An unfinished set-up changes nothing.
    refresh(db)
    assert db.get(User, user.id).totp_enabled_at is None
    client.post("/account/two-factor", data={"code": two_factor.code_for(secret)})
    refresh(db)
    assert db.get(User, user.id).totp_enabled_at is not None
