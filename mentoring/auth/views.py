"""Sign-in and sign-out views, and the session rules behind them."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user

from mentoring import audit
from mentoring.auth import bp
from mentoring.auth.forms import SignInForm
from mentoring.auth.steps import (
    client_address,
    count_address_failure,
    second_step,
    sso_enabled,
)
from mentoring.db import get_session
from mentoring.extensions import login_manager
from mentoring.models import Role, utcnow
from mentoring.security import address_throttled, public, roles_allowed
from mentoring.services.accounts import sign_ins
from mentoring.services.users import SignedInUser, end_all_sessions, load_signed_in_user

SIGN_IN_FAILED = (
    "Enter a correct email address and password. After several failed attempts an "
    "account is locked for a while."
)


def _load_user(user_id: str) -> SignedInUser | None:
    return load_signed_in_user(session=get_session(), user_id=user_id)


login_manager.user_loader(_load_user)


def safe_next(target: str | None) -> str | None:
    """Return target if it is a local path on this site, else None."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


def check_session_age() -> ResponseReturnValue | None:
    """Sign out a session idle for too long or older than the absolute limit (before_request)."""
    if not current_user.is_authenticated:
        return None
    now = utcnow()
    signed_in = session.get("signed_in_at")
    last_seen = session.get("last_seen")
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    if (
        not isinstance(signed_in, str)
        or not isinstance(last_seen, str)
        or now - datetime.fromisoformat(last_seen) > idle
        or now - datetime.fromisoformat(signed_in) > absolute
    ):
        logout_user()
        session.clear()
        flash("You were signed out because your session timed out. Sign in again.", "info")
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
    # Write the time at most once a minute, to keep the cookie stable.
    if now - datetime.fromisoformat(last_seen) > timedelta(minutes=1):
        session["last_seen"] = now.isoformat()
    return None


def session_expires_in() -> int | None:
    """Seconds until the signed-in session times out for being idle (None if signed out).

    The page's timeout warning counts down from this (the server's own clock and
    ``last_seen``, which is written at most once a minute).
    """
    if not current_user.is_authenticated:
        return None
    last_seen = session.get("last_seen")
    if not isinstance(last_seen, str):
        return None
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    left = datetime.fromisoformat(last_seen) + idle - utcnow()
    return max(0, int(left.total_seconds()))


@bp.route("/session/keep-alive", methods=["POST"])
@roles_allowed(*Role)
def keep_alive() -> ResponseReturnValue:
    """ "Stay signed in" in the timeout warning: the session's idle time starts again."""
    session["last_seen"] = utcnow().isoformat()
    return jsonify(expires_in=session_expires_in())


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in() -> ResponseReturnValue:
    """Sign in with email and password; a second step follows where two-factor is on."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    error = None
    status = 200
    if form.validate_on_submit():
        address = client_address()
        if address_throttled(address):
            error = (
                "There have been too many attempts to sign in from your network. "
                "Wait 15 minutes and try again."
            )
            status = 429
            current_app.logger.warning("sign-in throttled by address", extra={"event": "throttle"})
        else:
            result = sign_ins.check_password(
                session=get_session(),
                email=form.email.data or "",
                password=form.password.data or "",
                ip_address=address,
            )
            if result.user is None:
                count_address_failure(address)
                error = SIGN_IN_FAILED
            else:
                return second_step(result.user, next_url=safe_next(request.args.get("next")))
        form.password.data = ""
    elif request.method == "POST":
        status = 400 if form.errors.get("csrf_token") else 200
    return render_template("auth/sign_in.html", form=form, error=error, sso=sso_enabled()), status


@bp.route("/sign-out", methods=["POST"])
@roles_allowed(*Role)
def sign_out() -> ResponseReturnValue:
    """Sign out: this cookie, and any copy of it, stops working."""
    db = get_session()
    end_all_sessions(session=db, user_id=current_user.id)
    audit.record_access(db, "user.sign_out", object_type="user", object_id=current_user.id)
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))
