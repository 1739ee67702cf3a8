"""Single sign-on with a council's identity provider, against a real OpenID Connect provider.

The provider (tests/auth/oidc_provider.py) is Authlib's authorization server on a port of
its own: Mentor Match fetches its discovery document and keys and exchanges the code for
tokens over real HTTP. Nothing of Authlib is mocked.
"""

import logging
import time
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from sqlmodel import func, select

from mentoring.auth.sso import email_verified
from mentoring.extensions import register_council_client
from mentoring.models import AuditEvent, Role, SignInRecord, User, utcnow
from mentoring.services.accounts import two_factor
from tests.auth.oidc_provider import CLIENT_ID, closed_port

STAFF_EMAIL = "coordinator@council.gov.uk"
NO_ACCOUNT = "There is no Mentor Match account for this council account"


@pytest.fixture
def app_config(oidc):  # type: ignore[no-untyped-def]
    """Mentor Match set up for single sign-on with the test provider."""
    return oidc.settings()


@pytest.fixture
def staff(make_user, world):  # type: ignore[no-untyped-def]
    return make_user(Role.COORDINATOR, email=STAFF_EMAIL, districts=[world.dartford])


def signed_in(client) -> bool:  # type: ignore[no-untyped-def]
    return client.get("/").status_code == 200


def refused(response, status: int, reason: str) -> str:  # type: ignore[no-untyped-def]
    """Check a refusal page: its status, our reason, and the way back to sign in."""
    page = response.get_data(as_text=True)
    assert response.status_code == status, page[:2000]
    assert f'data-reason="{reason}"' in page
    assert 'href="/sign-in"' in page
    assert "Traceback" not in page
    return page


# ---------------------------------------------------------------------------
# Signing in
# ---------------------------------------------------------------------------


def test_staff_account_with_the_same_verified_email_signs_in(
    client, db, staff, oidc, council_sign_in
):
    oidc.sign_in_as("Coordinator@Council.GOV.uk")  # the case of an email does not matter
    response = council_sign_in()
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert signed_in(client)
    record = db.exec(select(SignInRecord).where(SignInRecord.user_id == staff.id)).one()
    assert record.method == "single_sign_on"
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "user.sign_in")).one()
    assert event.object_id == staff.id
    assert event.details["method"] == "single_sign_on"


def test_sign_in_uses_the_code_flow_with_pkce_state_and_nonce(staff, oidc, council_sign_in):
    oidc.sign_in_as(STAFF_EMAIL)
    council_sign_in()
    (asked,) = oidc.authorize_requests
    assert asked["response_type"] == "code"
    assert asked["client_id"] == CLIENT_ID
    assert asked["scope"] == "openid email profile"
    assert asked["code_challenge_method"] == "S256"
    assert asked["state"] and asked["nonce"] and asked["code_challenge"]
    assert asked["redirect_uri"] == oidc.client.redirect_uri
    (exchanged,) = oidc.token_requests
    assert exchanged["grant_type"] == "authorization_code"
    assert exchanged["code_verifier"]


@pytest.mark.parametrize(
    ("start", "lands_on"),
    [
        ("/sign-in/council?next=/account", "/account"),
        ("/sign-in/council?next=https://evil.example/", "/"),
        ("/sign-in/council?next=//evil.example/", "/"),
    ],
)
def test_only_a_local_next_page_is_kept_through_the_provider(
    staff, oidc, council_sign_in, start, lands_on
):
    oidc.sign_in_as(STAFF_EMAIL)
    assert council_sign_in(start).headers["Location"] == lands_on


def test_entra_verified_domain_claim_stands_in_for_email_verified(
    client, staff, oidc, council_sign_in
):
    # Microsoft Entra ID sends no email_verified for work accounts; xms_edov instead.
    oidc.sign_in_as(STAFF_EMAIL, email_verified=None, xms_edov=True)
    assert council_sign_in().status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize(
    ("claims", "verified"),
    [
        ({"email_verified": True}, True),
        ({"email_verified": "true"}, True),  # some providers send a string
        ({"email_verified": False, "xms_edov": True}, False),  # email_verified wins
        ({"xms_edov": True}, True),
        ({"xms_edov": "1"}, False),
        ({}, False),
    ],
)
def test_which_claims_vouch_for_the_email(claims, verified):
    assert email_verified(claims) is verified


# ---------------------------------------------------------------------------
# Accounts that single sign-on does not let in
# ---------------------------------------------------------------------------


def test_unknown_email_is_refused_and_no_account_is_created(client, db, oidc, council_sign_in):
    oidc.sign_in_as("newcomer@council.gov.uk")
    before = db.exec(select(func.count()).select_from(User)).one()
    db.rollback()  # read what the app wrote, not this session's snapshot
    page = refused(council_sign_in(), 403, "account")
    assert NO_ACCOUNT in page
    assert "Ask an administrator to invite you." in page
    assert db.exec(select(func.count()).select_from(User)).one() == before
    assert not signed_in(client)
    event = db.exec(
        select(AuditEvent).where(AuditEvent.action == "user.single_sign_on_refused")
    ).one()
    assert event.details == {"reason": "no_account"}  # ids and reasons, never the email


@pytest.mark.parametrize(
    "claims",
    [{"email_verified": False}, {"email_verified": None}, {"email_verified": None, "xms_edov": 0}],
    ids=["false", "not-sent", "entra-domain-not-verified"],
)
def test_email_not_verified_is_refused(client, staff, oidc, council_sign_in, claims):
    oidc.sign_in_as(STAFF_EMAIL, **claims)
    page = refused(council_sign_in(), 403, "account")
    assert "does not show a verified email address" in page
    assert not signed_in(client)


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("deactivated", NO_ACCOUNT),
        ("invited", NO_ACCOUNT),
        ("mentor", "Signing in with a council account is for staff"),
    ],
)
def test_deactivated_invited_or_mentor_account_is_refused(
    client, db, make_user, oidc, council_sign_in, state, message
):
    user = make_user(Role.MENTOR if state == "mentor" else Role.PROVIDER, email=STAFF_EMAIL)
    if state == "deactivated":
        user.is_enabled = False
        user.deactivated_at = utcnow()
    if state == "invited":
        user.password_hash = ""
    db.add(user)
    db.commit()
    oidc.sign_in_as(STAFF_EMAIL)
    assert message in refused(council_sign_in(), 403, "account")
    assert not signed_in(client)
    event = db.exec(
        select(AuditEvent).where(AuditEvent.action == "user.single_sign_on_refused")
    ).one()
    assert (event.object_id, event.details) == (user.id, {"reason": state})


# ---------------------------------------------------------------------------
# Answers from the provider that are refused
# ---------------------------------------------------------------------------


def test_tampered_state_is_refused(client, staff, oidc, to_callback):
    oidc.sign_in_as(STAFF_EMAIL)
    callback = urlsplit(to_callback())
    query = dict(parse_qsl(callback.query))
    query["state"] = query["state"][:-1] + ("A" if query["state"][-1] != "A" else "B")
    refused(client.get(f"{callback.path}?{urlencode(query)}"), 400, "state")
    assert oidc.token_requests == []  # the code was never exchanged
    assert not signed_in(client)


def test_return_without_starting_here_is_refused(client, oidc):
    response = client.get("/sign-in/council/callback?code=made-up&state=made-up")
    refused(response, 400, "state")


def test_return_from_the_provider_cannot_be_replayed(client, staff, oidc, to_callback):
    oidc.sign_in_as(STAFF_EMAIL)
    callback = to_callback()
    assert client.get(callback).status_code == 302
    client.post("/sign-out")
    refused(client.get(callback), 400, "state")


@pytest.mark.parametrize(
    "claims",
    [
        lambda now: {"nonce": "another-sign-in"},
        lambda now: {"aud": "another-client"},
        lambda now: {"aud": ["another-client"], "azp": CLIENT_ID},
        lambda now: {"iss": "https://login.example.com/another-tenant/v2.0"},
        lambda now: {"iat": now - 7200, "exp": now - 3600},
    ],
    ids=["wrong-nonce", "wrong-audience", "audience-missing-us", "wrong-issuer", "expired"],
)
def test_id_token_with_a_wrong_claim_is_refused(client, staff, oidc, council_sign_in, claims):
    oidc.sign_in_as(STAFF_EMAIL)
    oidc.id_token_claims = claims(int(time.time()))
    refused(council_sign_in(), 400, "token")
    assert not signed_in(client)


def test_id_token_signed_with_another_key_is_refused(client, staff, oidc, council_sign_in):
    oidc.sign_in_as(STAFF_EMAIL)
    oidc.signing_key = oidc.impostor_key  # same key id, not the key the provider publishes
    refused(council_sign_in(), 400, "token")
    assert not signed_in(client)


def test_provider_refusing_the_person_gives_a_clear_page(client, oidc, council_sign_in):
    oidc.identity = None  # the provider answers error=access_denied
    page = refused(council_sign_in(), 403, "denied")
    assert "You did not sign in with your council account" in page


def test_nothing_the_provider_sent_is_logged(app, client, oidc, to_callback):
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    app.logger.addHandler(handler)
    oidc.sign_in_as("someone@council.gov.uk")
    oidc.id_token_claims = {"aud": "another-client"}
    client.get(to_callback())
    query = urlencode({"error": "server_error", "error_description": "typed-by-someone"})
    refused(client.get(f"/sign-in/council/callback?{query}"), 400, "provider")
    logged = " ".join(str(vars(r)) for r in records)
    assert "sso_refused" in logged
    for sent in ("typed-by-someone", "someone@council.gov.uk", "server_error", "code="):
        assert sent not in logged


# ---------------------------------------------------------------------------
# Two-factor
# ---------------------------------------------------------------------------


def test_provider_two_factor_is_trusted_by_default(client, db, app, staff, oidc, council_sign_in):
    staff.totp_secret = two_factor.seal(two_factor.new_secret(), secret_key=app.secret_key)
    staff.totp_enabled_at = utcnow()
    db.add(staff)
    db.commit()
    oidc.sign_in_as(STAFF_EMAIL)
    assert council_sign_in().headers["Location"] == "/"
    assert signed_in(client)


@pytest.mark.parametrize(
    ("has_two_factor", "asked_at"),
    [(True, "/sign-in/code"), (False, "/sign-in/set-up-two-factor")],
    ids=["code", "set-up"],
)
def test_untrusted_provider_leaves_two_factor_to_us(
    client, db, app, staff, oidc, council_sign_in, has_two_factor, asked_at
):
    app.config["OIDC_TRUSTS_MFA"] = False
    app.config["MFA_REQUIRED_ROLES"] = frozenset({Role.COORDINATOR.value})
    if has_two_factor:
        staff.totp_secret = two_factor.seal(two_factor.new_secret(), secret_key=app.secret_key)
        staff.totp_enabled_at = utcnow()
        db.add(staff)
        db.commit()
    oidc.sign_in_as(STAFF_EMAIL)
    assert council_sign_in().headers["Location"] == asked_at
    assert client.get(asked_at).status_code == 200
    assert not signed_in(client)  # not until the code


# ---------------------------------------------------------------------------
# Set-up, and a provider that is not there
# ---------------------------------------------------------------------------


def test_council_button_is_on_the_sign_in_page_when_configured(app, client):
    app.config["OIDC_BUTTON_TEXT"] = "Sign in with your Kent account"
    page = client.get("/sign-in?next=/account").get_data(as_text=True)
    assert 'data-testid="sso"' in page
    assert "Sign in with your Kent account" in page
    assert 'href="/sign-in/council?next=/account"' in page


@pytest.mark.parametrize("app_config", [{}], ids=["not-configured"])
def test_no_council_button_or_routes_without_configuration(app, client):
    assert 'data-testid="sso"' not in client.get("/sign-in").get_data(as_text=True)
    assert client.get("/sign-in/council").status_code == 404
    assert client.get("/sign-in/council/callback?code=x&state=y").status_code == 404
    assert "council_sign_in" not in app.extensions


def test_unreachable_provider_gives_a_clean_error_page(app, client):
    app.config["OIDC_ISSUER"] = f"http://127.0.0.1:{closed_port()}"  # nothing listens there
    register_council_client(app)  # as the factory does with this setting
    page = refused(client.get("/sign-in/council"), 502, "unreachable")
    assert "not working at the moment" in page


def test_provider_failing_at_the_token_exchange_gives_a_clean_error_page(
    client, staff, oidc, council_sign_in
):
    oidc.sign_in_as(STAFF_EMAIL)
    oidc.token_status = 503
    refused(council_sign_in(), 502, "unreachable")
    assert not signed_in(client)
