"""Single sign-on with the council's identity provider (OpenID Connect, through Authlib).

``/sign-in/council`` sends the browser to the provider: the authorization code flow with
PKCE (S256), a state and a nonce, all kept in the session by Authlib. The provider sends
the browser back to ``/sign-in/council/callback`` with a code, which Authlib exchanges for
tokens over the back channel; it checks the ID token's signature against the provider's
published keys (JWKS), its issuer, its audience (this client), the nonce and the expiry.
The email the token vouches for signs in an existing account only
(`services.accounts.sso`), through the same second step as a password.

Whatever goes wrong gives a page that says what happened and links back to the sign-in
page, with a 4xx status (502 when the provider cannot be reached or answers nonsense).
Nothing the provider or the person sent is logged: only our own name for the problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from joserfc.errors import JoseError

from mentoring.auth import bp
from mentoring.auth.steps import second_step, sso_enabled
from mentoring.auth.views import safe_next
from mentoring.db import get_session
from mentoring.exceptions import AccountError
from mentoring.extensions import COUNCIL_CLIENT
from mentoring.models import SignInMethod
from mentoring.security import public
from mentoring.services.accounts import sso

NEXT = "sso_next"
TRY_AGAIN = (
    "Go back to the sign-in page and try again, or sign in with your email address and password."
)
# Our name for each problem: its status, the page's heading, and what to do.
PROBLEMS = {
    "denied": (403, "You did not sign in with your council account", TRY_AGAIN),
    "provider": (400, "Your council account could not sign you in", TRY_AGAIN),
    "state": (
        400,
        "Your sign-in expired or came from another page",
        "Go back to the sign-in page and start again.",
    ),
    "token": (
        400,
        "Your council's sign-in could not be checked",
        "Go back to the sign-in page and try again. If it happens again, tell your "
        "IT service desk.",
    ),
    "unreachable": (
        502,
        "Your council's sign-in service is not working at the moment",
        "Try again in a few minutes, or sign in with your email address and password.",
    ),
    "account": (403, "You cannot sign in with this council account", ""),
}
# The provider cannot be reached, or answers with something that is not OpenID Connect.
PROVIDER_FAILED = (requests.RequestException, RuntimeError, ValueError)


def _client() -> Any:
    """The app's OpenID Connect client (404 when single sign-on is not configured)."""
    client = current_app.extensions.get(COUNCIL_CLIENT)
    if client is None or not sso_enabled():
        abort(404)
    return client


def _problem(reason: str, message: str = "") -> ResponseReturnValue:
    status, title, way_forward = PROBLEMS[reason]
    current_app.logger.warning(
        "single sign-on refused", extra={"event": "sso_refused", "reason": reason}
    )
    session.pop(NEXT, None)
    page = render_template(
        "auth/sso_problem.html", title=title, message=message or way_forward, reason=reason
    )
    return page, status


def _claims_options() -> dict[str, Any]:
    """The ID token must come from our issuer and name this client among its audience."""
    config = current_app.config
    return {
        "iss": {"essential": True, "value": config["OIDC_ISSUER"]},
        "aud": {"essential": True, "value": config["OIDC_CLIENT_ID"]},
    }


def email_verified(claims: Mapping[str, Any]) -> bool:
    """Tell whether the identity provider vouches for the email address.

    ``email_verified`` where the provider sends it. Microsoft Entra ID does not send it
    for work accounts; there the optional claim ``xms_edov`` (the email's domain is
    verified by the tenant, which the issuer check pins to the council's) stands in.
    """
    verified = claims.get("email_verified")
    if verified is None:
        verified = claims.get("xms_edov")
    return verified is True or (isinstance(verified, str) and verified.lower() == "true")


@bp.route("/sign-in/council")
@public
def sso_start() -> ResponseReturnValue:
    """Send the browser to the council's identity provider to sign in."""
    client = _client()
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    session[NEXT] = safe_next(request.args.get("next")) or ""
    callback = current_app.config["SERVICE_URL"] + url_for("auth.sso_callback")
    try:
        response: ResponseReturnValue = client.authorize_redirect(callback)
    except PROVIDER_FAILED:
        return _problem("unreachable")
    return response


@bp.route("/sign-in/council/callback")
@public
def sso_callback() -> ResponseReturnValue:
    """Come back from the identity provider: check what it says, then sign in."""
    client = _client()
    try:
        token = client.authorize_access_token(claims_options=_claims_options())
    except MismatchingStateError:
        return _problem("state")
    except OAuthError as err:
        if "error" not in request.args:
            return _problem("token")  # the token endpoint refused the code
        return _problem("denied" if err.error == "access_denied" else "provider")
    except (JoseError, AuthlibBaseError):
        return _problem("token")  # the ID token's signature or claims are wrong
    except PROVIDER_FAILED:
        return _problem("unreachable")
    claims = token.get("userinfo")
    if not claims:
        return _problem("token")  # no ID token came with the access token
    try:
        user = sso.user_for_identity(
            session=get_session(),
            email=str(claims.get("email") or ""),
            email_verified=email_verified(claims),
        )
    except AccountError as err:
        return _problem("account", err.message)
    next_url = safe_next(session.pop(NEXT, None))
    return second_step(user, next_url=next_url, method=SignInMethod.SINGLE_SIGN_ON)
