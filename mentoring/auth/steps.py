"""The steps of signing in, shared by the password, invitation and single sign-on routes.

After the password (or an accepted invitation, or the identity provider), a person with
two-factor on is asked for a code; one whose role requires it and who has none sets it
up. Until then the session holds only a pending sign-in (the account and its session
version), valid for ``PENDING_MINUTES``: nothing is signed in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_user

from mentoring.db import get_session, saved_id
from mentoring.models import SignInMethod, User, utcnow
from mentoring.services.accounts import sign_ins
from mentoring.services.users import to_signed_in

PENDING = "pending_sign_in"
PENDING_MINUTES = 10


def client_address() -> str:
    """The client's address (behind trusted proxies, as ProxyFix sets it)."""
    return (request.remote_addr or "unknown")[:45]


def count_address_failure(address: str) -> None:
    """Count a failed sign-in from an address (only failures count towards its limit)."""
    current_app.extensions["throttle"].hit(
        f"signin:{address}", current_app.config["SIGNIN_ADDRESS_WINDOW_SECONDS"]
    )


def sso_enabled() -> bool:
    config = current_app.config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))


def two_factor_required(user: User) -> bool:
    """Tell whether the user's role must use two-factor sign-in (``MFA_REQUIRED_ROLES``)."""
    return user.role in current_app.config["MFA_REQUIRED_ROLES"]


def second_step(
    user: User, *, next_url: str | None, method: SignInMethod = SignInMethod.PASSWORD
) -> ResponseReturnValue:
    """Go on from a proved first factor: ask for a code, set one up, or sign in."""
    trusted = method is SignInMethod.SINGLE_SIGN_ON and current_app.config["OIDC_TRUSTS_MFA"]
    if not trusted and user.totp_enabled_at is not None:
        _set_pending(user, "code", next_url)
        return redirect(url_for("auth.two_factor_code"))
    if not trusted and two_factor_required(user):
        _set_pending(user, "set_up", next_url)
        return redirect(url_for("auth.two_factor_set_up"))
    return finish(user, method=method, next_url=next_url)


def _set_pending(user: User, step: str, next_url: str | None) -> None:
    session.clear()
    session[PENDING] = {
        "user_id": saved_id(user),
        "version": user.session_version,
        "step": step,
        "started": utcnow().isoformat(),
        "next": next_url or "",
    }


def pending_user(step: str) -> User | None:
    """The account a pending sign-in is for, if it is still waiting at this step."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("step") != step:
        return None
    try:
        started = datetime.fromisoformat(str(pending.get("started")))
    except ValueError:
        return None
    if utcnow() - started > timedelta(minutes=PENDING_MINUTES):
        session.pop(PENDING, None)
        return None
    user = get_session().get(User, pending.get("user_id"))
    if user is None or not user.is_enabled or user.session_version != pending.get("version"):
        return None
    return user


def pending_next() -> str | None:
    pending = session.get(PENDING)
    return (pending.get("next") or None) if isinstance(pending, dict) else None


def finish(user: User, *, method: SignInMethod, next_url: str | None) -> ResponseReturnValue:
    """Sign the person in: a fresh session, recorded with its time and address."""
    db = get_session()
    user = sign_ins.complete(
        session=db, user_id=saved_id(user), ip_address=client_address(), method=method
    )
    session.clear()  # a fresh session at sign-in
    login_user(to_signed_in(session=db, user=user), remember=False)
    now = utcnow().isoformat()
    session["signed_in_at"] = now
    session["last_seen"] = now
    session.permanent = True
    current_app.logger.info("signed in", extra={"event": "sign_in", "user_id": user.id})
    return redirect(next_url or url_for("main.home"))
