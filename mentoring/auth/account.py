"""Your account: your details, two-factor sign-in, your password and your last sign-ins."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user

from mentoring.auth import bp
from mentoring.auth.forms import ChangePasswordForm, TextRemindersForm
from mentoring.db import get_session
from mentoring.exceptions import InvalidInput, NotFound
from mentoring.forms import show_errors
from mentoring.models import Mentor, Role, User
from mentoring.security import roles_allowed
from mentoring.services.accounts import passwords, sign_ins, two_factor
from mentoring.services.mentors.records import set_text_reminders
from mentoring.services.users import to_signed_in


def _account_page(texts_form: TextRemindersForm | None = None) -> ResponseReturnValue:
    db = get_session()
    user = db.get(User, current_user.id)
    mentor = db.get(Mentor, current_user.mentor_id) if current_user.mentor_id else None
    if mentor is not None and texts_form is None:
        texts_form = TextRemindersForm(data={"texts": "yes" if mentor.text_reminders else "no"})
    return render_template(
        "auth/account.html",
        person=user,
        mentor=mentor,
        texts_form=texts_form,
        form=texts_form,
        sign_ins=sign_ins.recent(db, user_id=current_user.id, limit=10),
        codes_left=two_factor.recovery_codes_left(db, user_id=current_user.id),
    )


@bp.route("/account")
@roles_allowed(*Role)
def account() -> ResponseReturnValue:
    """Show your details, two-factor status and your last 10 sign-ins."""
    return _account_page()


@bp.route("/account/texts", methods=["POST"])
@roles_allowed(Role.MENTOR)
def text_reminders() -> ResponseReturnValue:
    """A mentor turns text-message reminders on or off (their consent is recorded)."""
    if current_user.mentor_id is None:
        raise NotFound("no mentor record")
    form = TextRemindersForm()
    if form.validate_on_submit():
        try:
            set_text_reminders(
                session=get_session(),
                mentor_id=current_user.mentor_id,
                wanted=form.texts.data == "yes",
            )
        except InvalidInput as err:
            show_errors(form, err, fallback="texts")
        else:
            flash(
                "Saved: "
                + ("we will text you too." if form.texts.data == "yes" else "no text messages."),
                "success",
            )
            return redirect(url_for("auth.account"))
    return _account_page(form)


@bp.route("/account/password", methods=["GET", "POST"])
@roles_allowed(*Role)
def change_password() -> ResponseReturnValue:
    """Change your password; you stay signed in here and are signed out everywhere else."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            user = passwords.change(
                session=db,
                user_id=current_user.id,
                current=form.current.data or "",
                password=form.password.data or "",
                confirm=form.confirm.data or "",
            )
        except InvalidInput as err:
            show_errors(form, err, fallback="password")
        else:
            # This session carries the new version; every other one is refused.
            started = session.get("signed_in_at")
            login_user(to_signed_in(session=db, user=user), remember=False)
            session["signed_in_at"] = started
            flash(
                "Your password has been changed. You have been signed out everywhere else.",
                "success",
            )
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)
