"""Signing in as deployed: Redis down, behind a proxy, and locks strangers cannot use
against the owner (issue 21)."""

import socket

import pytest

from mentoring import create_app
from mentoring.models import Role
from tests.conftest import PASSWORD


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _app(database_url, tmp_path, **config):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-" + "x" * 32,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "MAIL_OUTBOX": str(tmp_path / "outbox"),
            "WTF_CSRF_ENABLED": False,
            **config,
        }
    )
    return app


def test_sign_in_works_with_redis_unreachable_and_readyz_says_degraded(
    database_url, tmp_path, make_user, capsys
):
    user = make_user(Role.PROVIDER)
    app = _app(database_url, tmp_path, REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0")
    client = app.test_client()
    assert (
        client.post("/sign-in", data={"email": user.email, "password": "wrong!"}).status_code == 200
    )
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    warnings = capsys.readouterr().err
    assert warnings.count("Redis unavailable") == 1  # once a minute, not once a request
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["status"] == "degraded"
    assert ready.get_json()["checks"]["redis"] == "degraded"
    app.extensions["db_engine"].dispose()


def _fail(client, email, address_header=None, times=1):
    headers = {"X-Forwarded-For": address_header} if address_header else {}
    for _ in range(times):
        client.post("/sign-in", data={"email": email, "password": "not-it"}, headers=headers)


def test_with_trusted_proxies_two_clients_behind_one_proxy_are_throttled_apart(
    database_url, tmp_path, make_user
):
    app = _app(database_url, tmp_path, TRUSTED_PROXIES=1, SIGNIN_MAX_PER_ADDRESS=3)
    client = app.test_client()
    _fail(client, "nobody@example.org", "203.0.113.7", times=3)
    blocked = client.post(
        "/sign-in",
        data={"email": "x@example.org", "password": "y"},
        headers={"X-Forwarded-For": "203.0.113.7"},
    )
    assert blocked.status_code == 429
    other = client.post(
        "/sign-in",
        data={"email": "x@example.org", "password": "y"},
        headers={"X-Forwarded-For": "198.51.100.9"},
    )
    assert other.status_code == 200
    app.extensions["db_engine"].dispose()


def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(
    database_url, tmp_path, make_user
):
    app = _app(database_url, tmp_path, SIGNIN_MAX_PER_ADDRESS=3)
    client = app.test_client()
    for n in range(3):
        _fail(client, "nobody@example.org", f"203.0.113.{n}")
    response = client.post(
        "/sign-in",
        data={"email": "x@example.org", "password": "y"},
        headers={"X-Forwarded-For": "198.51.100.99"},
    )
    assert response.status_code == 429  # all from the one real address
    app.extensions["db_engine"].dispose()


def test_failures_from_a_stranger_do_not_stop_the_owner_from_their_own_address(
    database_url, tmp_path, make_user
):
    owner = make_user(Role.COORDINATOR, districts=[])
    app = _app(database_url, tmp_path, TRUSTED_PROXIES=1)
    client = app.test_client()
    home = {"X-Forwarded-For": "192.0.2.10"}
    assert (
        client.post(
            "/sign-in", data={"email": owner.email, "password": PASSWORD}, headers=home
        ).status_code
        == 302
    )
    client.post("/sign-out", headers=home)
    stranger = app.test_client()
    _fail(stranger, owner.email, "203.0.113.66", times=6)
    # The stranger is locked out, even with the right password ...
    locked = stranger.post(
        "/sign-in",
        data={"email": owner.email, "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.66"},
    )
    assert locked.status_code == 200
    # ... and the owner, from the address they use, is not.
    back = app.test_client()
    assert (
        back.post(
            "/sign-in", data={"email": owner.email, "password": PASSWORD}, headers=home
        ).status_code
        == 302
    )
    app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("password", ["mentormatch2026", "demo-mentor-match-2026"])
def test_service_words_and_the_demo_password_are_refused(password):
    from mentoring.security import password_problem

    assert password_problem(password, ["someone@example.org", "Some One"])


def test_the_organisations_name_and_the_persons_own_words_are_refused_beside_the_field(
    app, client, make_user
):
    from mentoring.security import password_problem

    with app.app_context():  # ORGANISATION_NAME is Kent County Council
        assert password_problem("Kent2026Kent!", [])
        assert password_problem("jo.smith2026!", ["jo.smith@example.org", "Jo Smith"])
        assert password_problem("plum-kettle-orbit-74-lantern", ["jo@example.org"]) is None
