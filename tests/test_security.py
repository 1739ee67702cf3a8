"""CSRF, security headers, cookies, request limits, error pages."""

import json
import logging
import secrets

import pytest

from mentoring import create_app
from mentoring.models import Role
from tests.conftest import PASSWORD


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def test_form_post_without_csrf_token_is_refused(csrf_app, make_user):
    user = make_user(Role.PROVIDER)
    client = csrf_app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)


def test_form_post_with_csrf_token_is_accepted(csrf_app, make_user):
    import re

    user = make_user(Role.PROVIDER)
    client = csrf_app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_sign_out_needs_csrf_token(csrf_app, make_user):
    user = make_user(Role.PROVIDER)
    client = csrf_app.test_client()
    csrf_app.config["WTF_CSRF_ENABLED"] = False
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    csrf_app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/sign-out").status_code == 400
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("path", ["/sign-in", "/no-such-page"])
def test_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "'nonce-" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_inline_script_carries_the_nonce(client):
    response = client.get("/sign-in")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in response.get_data(as_text=True)


def test_pages_with_personal_data_are_not_stored(client, make_user, sign_in):
    sign_in(make_user(Role.ADMIN))
    assert client.get("/admin/users").headers["Cache-Control"] == "no-store"


def test_session_cookie_flags(client, make_user):
    user = make_user(Role.PROVIDER)
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_secure_cookies_and_hsts_in_production(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("MENTORING_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": database_url})
    response = app.test_client().get("/sign-in")
    assert "Secure" in response.headers["Set-Cookie"]
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    app.extensions["db_engine"].dispose()


def test_request_size_is_limited(client):
    response = client.post("/sign-in", data={"email": "x" * (6 * 1024 * 1024), "password": "y"})
    assert response.status_code == 413


def test_not_found_is_a_styled_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert "govuk-template" in response.get_data(as_text=True)


def test_unexpected_error_shows_no_traceback(app, client, caplog):
    from mentoring.security import public

    @app.route("/boom")
    @public
    def boom():
        raise RuntimeError("family DAR-0001 secret detail")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page
    assert "Traceback" not in page
    assert "secret detail" not in page


def test_request_log_has_no_query_string(app, client):
    import io

    from mentoring.logs import JsonFormatter

    record = logging.makeLogRecord(
        {"msg": "request", "path": "/families", "status": 200, "family_name": "Smith"}
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/families"
    assert "family_name" not in line
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    app.logger.addHandler(handler)
    client.get("/sign-in?email=someone@example.org")
    err = stream.getvalue()
    assert "someone@example.org" not in err
    assert '"path": "/sign-in"' in err


def test_header_has_no_crown_or_gov_uk_branding(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert "govuk-header__logotype" not in page
    assert "GOV.UK" not in page
    assert "Mentor Match" in page
