"""Signing in and out, sessions, throttling and passwords."""

from datetime import timedelta

import pytest
from sqlmodel import select

from mentoring.models import AuditEvent, Role, User, utcnow
from mentoring.security import hash_password, needs_rehash, password_problem
from tests.conftest import PASSWORD


def test_user_signs_in_and_lands_on_home(client, make_user, world):
    user = make_user(Role.COORDINATOR, districts=[world.dartford])
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Your districts" in page
    assert "Dartford" in page


def test_email_is_case_and_space_insensitive(client, make_user):
    make_user(Role.PROVIDER, email="staff@example.org")
    response = client.post("/sign-in", data={"email": "  Staff@Example.org ", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("email", "password"),
    [("nobody@example.org", PASSWORD), ("provider1@example.org", "wrong password entirely")],
)
def test_failed_sign_in_gives_one_generic_message(client, make_user, email, password):
    make_user(Role.PROVIDER, email="provider1@example.org")
    response = client.post("/sign-in", data={"email": email, "password": password})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a correct email address and password" in page
    assert "no account" not in page.lower()
    assert email in page  # what the user typed is kept
    assert password not in page  # the password is not sent back


def test_empty_fields_get_messages_beside_them(client):
    page = client.post("/sign-in", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "Enter your email address" in page
    assert "Enter your password" in page
    assert "govuk-error-summary" in page


def test_account_locks_after_repeated_failures(client, make_user, db):
    user = make_user(Role.PROVIDER)
    for _ in range(5):
        client.post("/sign-in", data={"email": user.email, "password": "not the password!"})
    # Even the right password is refused while locked, with the same generic message.
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, user.id).locked_until is not None


def test_lock_expires(client, make_user, db):
    user = make_user(Role.PROVIDER)
    user.locked_until = utcnow() - timedelta(minutes=1)
    db.add(user)
    db.commit()
    assert (
        client.post("/sign-in", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )


def test_sign_in_is_throttled_per_address(app, client, make_user):
    app.config["SIGNIN_MAX_PER_ADDRESS"] = 3
    for n in range(3):
        client.post("/sign-in", data={"email": f"x{n}@example.org", "password": "whatever12345"})
    response = client.post("/sign-in", data={"email": "y@example.org", "password": "whatever12345"})
    assert response.status_code == 429
    assert "too many attempts" in response.get_data(as_text=True)


def test_sign_in_renews_the_session(client, make_user):
    user = make_user(Role.PROVIDER)
    with client.session_transaction() as session:
        session["planted"] = "before sign-in"
    before = client.get_cookie("mentor_match_session").value
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    after = client.get_cookie("mentor_match_session").value
    assert before != after
    with client.session_transaction() as session:
        assert "signed_in_at" in session
        assert "planted" not in session


def test_cookie_captured_before_sign_out_is_refused_after(app, client, make_user):
    user = make_user(Role.PROVIDER)
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    stolen = client.get_cookie("mentor_match_session").value
    assert client.get("/").status_code == 200
    client.post("/sign-out")
    thief = app.test_client()
    thief.set_cookie("mentor_match_session", stolen)
    response = thief.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_sign_out_needs_a_post(client, make_user):
    user = make_user(Role.PROVIDER)
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert client.get("/sign-out").status_code == 405
    assert client.get("/").status_code == 200


def test_idle_session_times_out(client, make_user):
    user = make_user(Role.PROVIDER)
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    with client.session_transaction() as session:
        session["last_seen"] = (utcnow() - timedelta(minutes=31)).isoformat()
    response = client.get("/")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_session_has_an_absolute_limit(client, make_user):
    user = make_user(Role.PROVIDER)
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    with client.session_transaction() as session:
        session["signed_in_at"] = (utcnow() - timedelta(hours=13)).isoformat()
    assert client.get("/").status_code == 302


def test_disabled_user_cannot_sign_in_and_is_signed_out(client, make_user, db):
    user = make_user(Role.PROVIDER)
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    user.is_enabled = False
    db.add(user)
    db.commit()
    assert client.get("/").status_code == 302
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/admin/users", "/admin/users"),
        ("https://evil.example.com/", "/"),
        ("//evil.example.com/", "/"),
        ("/\\evil.example.com", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_only_local_next_redirects_are_followed(client, make_user, target, expected):
    user = make_user(Role.ADMIN)
    response = client.post(
        "/sign-in", query_string={"next": target}, data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == expected


def test_sign_in_and_out_are_audited(client, make_user, db):
    user = make_user(Role.PROVIDER)
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    client.post("/sign-out")
    actions = [e.action for e in db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert actions == ["user.sign_in", "user.sign_out"]


def test_passwords_are_hashed_with_argon2id():
    assert hash_password("a long enough password").startswith("$argon2id$")


def test_old_hash_parameters_are_upgraded_at_sign_in(client, make_user, db):
    from argon2 import PasswordHasher

    user = make_user(Role.PROVIDER)
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    db.add(user)
    db.commit()
    assert needs_rehash(user.password_hash)
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    db.expire_all()
    assert not needs_rehash(db.get(User, user.id).password_hash)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "12 characters"),
        ("password1234", "too common"),
        ("qwertyuiop123", "too common"),
        ("aaaaaaaaaaaaaaaa", "too common"),
        ("tulip-harbour-gravel-9", None),
    ],
)
def test_password_policy(password, problem):
    result = password_problem(password)
    if problem is None:
        assert result is None
    else:
        assert problem in result
