"""Sign-in and sign-out views, and the session rules behind them."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from mentoring import audit
from mentoring.auth import bp
from mentoring.auth.forms import SignInForm
from mentoring.db import get_session
from mentoring.extensions import login_manager
from mentoring.models import Role, utcnow
from mentoring.security import address_throttled, public, roles_allowed
from mentoring.services.users import (
    SignedInUser,
    authenticate,
    end_all_sessions,
    load_signed_in_user,
    to_signed_in,
)

SIGN_IN_FAILED = (
    "Enter a correct email address and password. After several failed attempts an "
    "account is locked for a while."
)


@login_manager.user_loader
def _load_user(user_id: str) -> SignedInUser | None:
    return load_signed_in_user(session=get_session(), user_id=user_id)


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


def check_session_age() -> object | None:
    """Sign out a session idle for too long or older than the absolute limit (before_request)."""
    if not current_user.is_authenticated:
        return None
    now = utcnow()
    signed_in = session.get("signed_in_at")
    last_seen = session.get("last_seen")
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    expired = (
        signed_in is None
        or last_seen is None
        or now - datetime.fromisoformat(last_seen) > idle
        or now - datetime.fromisoformat(signed_in) > absolute
    )
    if expired:
        logout_user()
        session.clear()
        flash("You were signed out because your session timed out. Sign in again.", "info")
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
    # Write the time at most once a minute, to keep the cookie stable.
    if now - datetime.fromisoformat(last_seen) > timedelta(minutes=1):
        session["last_seen"] = now.isoformat()
    return None


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():  # type: ignore[no-untyped-def]
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    error = None
    status = 200
    if form.validate_on_submit():
        db = get_session()
        if address_throttled(request.remote_addr or "unknown"):
            error = (
                "There have been too many attempts to sign in from your network. "
                "Wait 15 minutes and try again."
            )
            status = 429
            current_app.logger.warning("sign-in throttled by address", extra={"event": "throttle"})
        else:
            result = authenticate(
                session=db,
                email=form.email.data or "",
                password=form.password.data or "",
                max_failures=current_app.config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"],
                lockout_minutes=current_app.config["SIGNIN_LOCKOUT_MINUTES"],
            )
            if result.user is None:
                error = SIGN_IN_FAILED
                status = 200
                audit.record(db, "user.sign_in_failed", details_locked=result.locked)
                db.commit()
            else:
                signed_in = to_signed_in(session=db, user=result.user)
                next_url = safe_next(request.args.get("next"))
                session.clear()  # a fresh session at sign-in
                login_user(signed_in, remember=False)
                now = utcnow().isoformat()
                session["signed_in_at"] = now
                session["last_seen"] = now
                session.permanent = True
                audit.record(
                    db,
                    "user.sign_in",
                    object_type="user",
                    object_id=signed_in.id,
                    actor_id=signed_in.id,
                    actor_role=signed_in.role,
                )
                db.commit()
                current_app.logger.info(
                    "signed in", extra={"event": "sign_in", "user_id": signed_in.id}
                )
                return redirect(next_url or url_for("main.home"))
        form.password.data = ""
    elif request.method == "POST":
        status = 400 if form.errors.get("csrf_token") else 200
    return render_template("auth/sign_in.html", form=form, error=error), status


@bp.route("/sign-out", methods=["POST"])
@roles_allowed(Role.ADMIN, Role.PROVIDER, Role.COORDINATOR, Role.MENTOR)
def sign_out():  # type: ignore[no-untyped-def]
    """Sign out: this cookie, and any copy of it, stops working."""
    db = get_session()
    end_all_sessions(session=db, user_id=current_user.id)
    audit.record(db, "user.sign_out", object_type="user", object_id=current_user.id)
    db.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))
