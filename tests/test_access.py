"""Deny by default: every route names its roles; the URL map proves it."""

import pytest

from mentoring.models import Role
from mentoring.security import PUBLIC, allowed_roles_for
from tests.routes import url_value

ALL_ROLES = list(Role)


def _urls(app):
    """Every (url, endpoint, methods) in the URL map, with 1 for each parameter."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        values = {name: url_value(rule, name) for name in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        methods = sorted(m for m in rule.methods if m in {"GET", "POST"})
        out.append((url, rule.endpoint, methods))
    return out


def test_every_route_states_its_roles(app):
    with app.app_context():
        missing = [
            rule.endpoint
            for rule in app.url_map.iter_rules()
            if allowed_roles_for(rule.endpoint) is None
        ]
    assert missing == []


def test_anonymous_users_are_sent_to_sign_in(app, client):
    checked = 0
    for url, endpoint, methods in _urls(app):
        with app.app_context():
            allowed = allowed_roles_for(endpoint)
        if PUBLIC in allowed:
            continue
        for method in methods:
            response = client.open(url, method=method)
            assert response.status_code == 302, (method, url)
            assert response.headers["Location"].startswith("/sign-in"), (method, url)
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("role", ALL_ROLES)
def test_wrong_roles_are_forbidden(app, make_user, sign_in, world, role):
    user = make_user(role, districts=[world.dartford] if role == Role.COORDINATOR else None)
    client = app.test_client()
    sign_in(user, test_client=client)
    checked = 0
    for url, endpoint, methods in _urls(app):
        with app.app_context():
            allowed = allowed_roles_for(endpoint)
        if PUBLIC in allowed or role.value in allowed:
            continue
        for method in methods:
            response = client.open(url, method=method)
            assert response.status_code == 403, (role, method, url, response.status_code)
            checked += 1
    if role != Role.ADMIN:
        assert checked > 0


def test_a_route_without_roles_is_refused(app, client):
    @app.route("/forgotten")
    def forgotten():  # pragma: no cover - never reached
        return "should not be served"

    assert client.get("/forgotten").status_code == 403


@pytest.mark.parametrize(
    ("role", "heading"),
    [
        (Role.ADMIN, "Overview"),
        (Role.PROVIDER, "Mentor recruitment"),
        (Role.COORDINATOR, "Your districts"),
        (Role.MENTOR, "Your families"),
    ],
)
def test_each_role_has_its_home_page(client, make_user, sign_in, world, role, heading):
    user = make_user(role, districts=[world.dartford] if role == Role.COORDINATOR else None)
    sign_in(user)
    page = client.get("/").get_data(as_text=True)
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in page


def test_coordinator_sees_only_their_districts(client, make_user, sign_in, world):
    user = make_user(Role.COORDINATOR, districts=[world.dartford])
    sign_in(user)
    page = client.get("/admin/districts").get_data(as_text=True)
    assert "Dartford" in page
    assert "Maidstone" not in page
