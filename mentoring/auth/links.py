"""Pages behind emailed links: accept an invitation, forgotten password, reset password.

The link's secret arrives in the path once; it moves into the session and the browser
goes to a page without it, so it is not left in the address bar, the history or a
Referer header. A bad link gets a page that says what happened and what to do, with a
4xx status, and nothing changes.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue

from mentoring.auth import bp
from mentoring.auth.forms import ChoosePasswordForm, ForgottenPasswordForm
from mentoring.auth.steps import client_address, second_step
from mentoring.db import get_session
from mentoring.exceptions import InvalidInput, LinkError
from mentoring.forms import show_errors
from mentoring.models import SignInMethod, TokenPurpose, User
from mentoring.security import public
from mentoring.services.accounts import invitations, passwords, tokens

LINK_STATUS = {"invalid": 404, "used": 410, "cancelled": 410, "expired": 410}
WAY_FORWARD = {
    TokenPurpose.INVITE: "Ask the person who invited you to send a new invitation.",
    TokenPurpose.RESET: "You can ask for a new link to reset your password.",
}


def _link_problem(err: LinkError, purpose: TokenPurpose) -> ResponseReturnValue:
    page = render_template(
        "auth/link_problem.html",
        message=str(err),
        way_forward=WAY_FORWARD[purpose],
        purpose=purpose.value,
    )
    return page, LINK_STATUS[err.reason]


def _keep_link(key: str, token: str, purpose: TokenPurpose, target: str) -> ResponseReturnValue:
    try:
        tokens.check(get_session(), raw=token, purpose=purpose)
    except LinkError as err:
        return _link_problem(err, purpose)
    session[key] = token
    return redirect(url_for(target))


# ---------------------------------------------------------------------------
# Invitations
# ---------------------------------------------------------------------------


@bp.route("/invitation/<token>")
@public
def invitation(token: str) -> ResponseReturnValue:
    """Open an invitation link: keep it and go to the page that asks for a password."""
    return _keep_link("invite_token", token, TokenPurpose.INVITE, "auth.accept_invitation")


@bp.route("/invitation", methods=["GET", "POST"])
@public
def accept_invitation() -> ResponseReturnValue:
    """Choose a password to accept an invitation; then sign in (with two-factor set-up
    where the role needs it)."""
    token = str(session.get("invite_token") or "")
    db = get_session()
    try:
        link = tokens.check(db, raw=token, purpose=TokenPurpose.INVITE)
    except LinkError as err:
        return _link_problem(err, TokenPurpose.INVITE)
    person = db.get(User, link.user_id)
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            user = invitations.accept(
                session=db,
                token=token,
                password=form.password.data or "",
                confirm=form.confirm.data or "",
            )
        except LinkError as err:
            return _link_problem(err, TokenPurpose.INVITE)
        except InvalidInput as err:
            show_errors(form, err, fallback="password")
        else:
            session.pop("invite_token", None)
            flash("Your password is saved.", "success")
            return second_step(user, next_url=None, method=SignInMethod.PASSWORD)
    return render_template("auth/accept_invitation.html", form=form, person=person)


# ---------------------------------------------------------------------------
# Forgotten and reset passwords
# ---------------------------------------------------------------------------


def _reset_throttled() -> bool:
    store = current_app.extensions["throttle"]
    count = store.hit(f"reset:{client_address()}", 3600)
    return bool(count > int(current_app.config["PASSWORD_RESET_MAX_PER_ADDRESS"]))


@bp.route("/forgotten-password", methods=["GET", "POST"])
@public
def forgotten_password() -> ResponseReturnValue:
    """Ask for a link to reset your password; the answer is the same for any address."""
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        if not _reset_throttled():
            passwords.request_reset(session=get_session(), email=form.email.data or "")
        else:
            current_app.logger.warning("reset throttled by address", extra={"event": "throttle"})
        return render_template("auth/check_email.html")
    return render_template("auth/forgotten_password.html", form=form)


@bp.route("/reset-password/<token>")
@public
def reset_link(token: str) -> ResponseReturnValue:
    """Open a reset link: keep it and go to the page that asks for the new password."""
    return _keep_link("reset_token", token, TokenPurpose.RESET, "auth.reset_password")


@bp.route("/reset-password", methods=["GET", "POST"])
@public
def reset_password() -> ResponseReturnValue:
    """Choose a new password; every session of the account ends."""
    token = str(session.get("reset_token") or "")
    db = get_session()
    try:
        tokens.check(db, raw=token, purpose=TokenPurpose.RESET)
    except LinkError as err:
        return _link_problem(err, TokenPurpose.RESET)
    form = ChoosePasswordForm()
    form.password.label.text = "New password"
    if form.validate_on_submit():
        try:
            passwords.reset(
                session=db,
                token=token,
                password=form.password.data or "",
                confirm=form.confirm.data or "",
            )
        except LinkError as err:
            return _link_problem(err, TokenPurpose.RESET)
        except InvalidInput as err:
            show_errors(form, err, fallback="password")
        else:
            session.clear()
            flash(
                "Your password has been changed and you have been signed out everywhere. "
                "Sign in with your new password.",
                "success",
            )
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form)
