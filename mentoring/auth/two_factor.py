"""Two-factor pages: the code after the password, and setting up an authenticator app.

Set-up happens at the first sign-in of anyone whose role requires it, and from "Your
account" for anyone who wants it. The QR code is drawn on the server as SVG and the
secret is shown as text for typing in; a code from the app confirms it, and 10 recovery
codes are shown once.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from mentoring.auth import bp
from mentoring.auth.forms import CodeForm, SetUpCodeForm
from mentoring.auth.steps import (
    client_address,
    finish,
    pending_next,
    pending_user,
)
from mentoring.db import get_session, saved_id
from mentoring.models import Role, SignInMethod, User
from mentoring.security import public, roles_allowed
from mentoring.services.accounts import sign_ins, two_factor

CODE_REFUSED = (
    "The code is not right, or has been used already. Enter the code your app shows now. "
    "After several wrong codes the account is locked for a while."
)


def _key() -> str:
    return str(current_app.config["SECRET_KEY"])


def _issuer() -> str:
    return f"{current_app.config['SERVICE_NAME']} ({current_app.config['ORGANISATION_NAME']})"


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public
def two_factor_code() -> ResponseReturnValue:
    """The second step of signing in: a code from the authenticator app (or a recovery
    code)."""
    user = pending_user("code")
    if user is None:
        flash("Sign in again to continue.", "info")
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        method = sign_ins.check_code(
            session=get_session(),
            user_id=saved_id(user),
            code=form.code.data or "",
            ip_address=client_address(),
            secret_key=_key(),
        )
        if method is not None:
            if method is SignInMethod.RECOVERY_CODE:
                flash(
                    "You used a recovery code: it will not work again. "
                    "If you have lost your phone, set up your authenticator again from "
                    "Your account.",
                    "info",
                )
            return finish(user, method=method, next_url=pending_next())
        form.code.errors = [*form.code.errors, CODE_REFUSED]
        form.code.data = ""
    return render_template("auth/two_factor_code.html", form=form)


SET_UP = "totp_set_up"


def _new_secret() -> str:
    """The secret being set up in this session (kept sealed in the session until the app
    confirms it, so an unfinished set-up changes nothing)."""
    sealed = session.get(SET_UP)
    secret = two_factor.unseal(sealed, secret_key=_key()) if isinstance(sealed, str) else None
    if secret is None:
        secret = two_factor.new_secret()
        session[SET_UP] = two_factor.seal(secret, secret_key=_key())
    return secret


def _set_up_page(user: User, form: SetUpCodeForm, *, signing_in: bool) -> ResponseReturnValue:
    secret = _new_secret()
    uri = two_factor.provisioning_uri(secret, email=user.email, issuer=_issuer())
    return render_template(
        "auth/two_factor_set_up.html",
        form=form,
        qr_svg=two_factor.qr_svg(uri),
        secret=two_factor.format_secret(secret),
        signing_in=signing_in,
    )


def _confirm(user: User, form: SetUpCodeForm) -> list[str] | None:
    codes = sign_ins.confirm_set_up(
        session=get_session(),
        user_id=saved_id(user),
        secret=_new_secret(),
        code=form.code.data or "",
        ip_address=client_address(),
        secret_key=_key(),
    )
    if codes is None:
        form.code.errors = [*form.code.errors, CODE_REFUSED]
        form.code.data = ""
    else:
        session.pop(SET_UP, None)
    return codes


@bp.route("/sign-in/set-up-two-factor", methods=["GET", "POST"])
@public
def two_factor_set_up() -> ResponseReturnValue:
    """Set up an authenticator at the first sign-in, where the role requires it."""
    user = pending_user("set_up")
    if user is None:
        flash("Sign in again to continue.", "info")
        return redirect(url_for("auth.sign_in"))
    form = SetUpCodeForm()
    if form.validate_on_submit() and (codes := _confirm(user, form)) is not None:
        next_url = pending_next()
        finish(user, method=SignInMethod.TWO_FACTOR, next_url=None)
        return render_template("auth/recovery_codes.html", codes=codes, next=next_url)
    return _set_up_page(user, form, signing_in=True)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@roles_allowed(*Role)
def account_two_factor() -> ResponseReturnValue:
    """Set up (or replace) your authenticator app from Your account."""
    db = get_session()
    user = db.get(User, current_user.id)
    if user is None:  # pragma: no cover - the loader checked
        return redirect(url_for("auth.sign_in"))
    form = SetUpCodeForm()
    if form.validate_on_submit() and (codes := _confirm(user, form)) is not None:
        return render_template("auth/recovery_codes.html", codes=codes, next=None)
    return _set_up_page(user, form, signing_in=False)
