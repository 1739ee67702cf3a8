"""People, for administrators: invite, change, deactivate and reactivate, reset two-factor.

Mentors' accounts are offered from the mentor's page by provider staff; administrators see
and can switch off every account. The districts pages are in ``district_views``.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from mentoring.admin import bp
from mentoring.admin.forms import ConfirmForm, InviteForm, PersonForm
from mentoring.db import get_session
from mentoring.exceptions import AccountError, InvalidInput
from mentoring.forms import choice_list, show_errors
from mentoring.models import Role
from mentoring.read import as_context
from mentoring.read import districts as district_read
from mentoring.read import users as read
from mentoring.security import roles_allowed
from mentoring.services.accounts import invitations, people


def _district_choices(form: PersonForm) -> None:
    form.districts.choices = choice_list(
        (d.id, d.name) for d in district_read.options(session=get_session())
    )


def _district_ids(form: PersonForm) -> list[int]:
    return [int(d) for d in form.districts.data or [] if str(d).isdigit()]


def _to_person(user_id: int) -> ResponseReturnValue:
    return redirect(url_for("admin.person", user_id=user_id))


@bp.route("/users")
@roles_allowed(Role.ADMIN)
def users() -> ResponseReturnValue:
    """Everyone who can sign in, invited or deactivated."""
    page = read.user_list(session=get_session())
    return render_template("admin/users.html", **as_context(page))


@bp.route("/users/new", methods=["GET", "POST"])
@roles_allowed(Role.ADMIN)
def new_user() -> ResponseReturnValue:
    """Invite a member of staff (no password: they choose it from the email)."""
    form = InviteForm()
    _district_choices(form)
    if form.validate_on_submit():
        try:
            invitation = invitations.invite_staff(
                session=get_session(),
                email=form.email.data or "",
                name=form.name.data or "",
                role=form.role.data or "",
                district_ids=_district_ids(form),
                actor_id=current_user.id,
            )
        except InvalidInput as err:
            show_errors(form, err, fallback="email")
        else:
            flash(f"An invitation has gone to {invitation.user.email}.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form)


@bp.route("/users/<int:user_id>")
@roles_allowed(Role.ADMIN)
def person(user_id: int) -> ResponseReturnValue:
    """One person's account: status, districts, two-factor, last sign-ins, actions."""
    page = read.person_page(session=get_session(), user_id=user_id)
    return render_template("admin/person.html", **as_context(page), form=ConfirmForm())


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_allowed(Role.ADMIN)
def edit_person(user_id: int) -> ResponseReturnValue:
    """Change a person's name, role and districts."""
    page = read.person_page(session=get_session(), user_id=user_id)
    if page.person.role == Role.MENTOR.value:
        abort(404)  # a mentor's details are their mentor record's
    form = PersonForm()
    _district_choices(form)
    if request.method == "GET":
        form.name.data, form.role.data = page.person.name, page.person.role
        form.districts.data = [str(d) for d in page.district_ids]
    if form.validate_on_submit():
        try:
            changed = people.update_person(
                session=get_session(),
                user_id=user_id,
                name=form.name.data or "",
                role=form.role.data or "",
                district_ids=_district_ids(form),
                actor_id=current_user.id,
            )
        except InvalidInput as err:
            show_errors(form, err, fallback="name")
        else:
            flash(
                "Saved: " + ", ".join(changed) if changed else "Nothing was changed.",
                "success",
            )
            return _to_person(user_id)
    return render_template("admin/person_form.html", form=form, person=page.person)


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@roles_allowed(Role.ADMIN)
def deactivate(user_id: int) -> ResponseReturnValue:
    """Deactivate a person (they are signed out at their next click), after a warning if
    they are the last coordinator of a district."""
    page = read.person_page(session=get_session(), user_id=user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            people.deactivate(session=get_session(), user_id=user_id, actor_id=current_user.id)
        except AccountError as err:
            flash(err.message, "info")
        else:
            flash(f"{page.person.name} has been deactivated and signed out.", "success")
        return _to_person(user_id)
    return render_template("admin/deactivate.html", **as_context(page), form=form)


def _account_action(user_id: int, name: str) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db, actor = get_session(), current_user.id
    actions = {
        "reactivate": (people.reactivate, "is active again"),
        "reset-two-factor": (people.reset_two_factor, "will set up two-factor sign-in again"),
        "resend": (invitations.resend, "has been sent a new invitation"),
    }
    try:
        if name == "cancel":
            email = invitations.cancel(session=db, user_id=user_id, actor_id=actor)
            flash(f"The invitation to {email} has been cancelled.", "success")
            return redirect(url_for("admin.users"))
        action, done = actions[name]
        action(session=db, user_id=user_id, actor_id=actor)
        flash(f"{read.person_page(session=db, user_id=user_id).person.name} {done}.", "success")
    except AccountError as err:
        flash(err.message, "info")
    return _to_person(user_id)


@bp.route(
    "/users/<int:user_id>/<any(reactivate, resend, cancel, 'reset-two-factor'):action>",
    methods=["POST"],
)
@roles_allowed(Role.ADMIN)
def account_action(user_id: int, action: str) -> ResponseReturnValue:
    """Reactivate, re-send or cancel an invitation, or reset two-factor."""
    read.person_page(session=get_session(), user_id=user_id)  # 404 if there is no one
    return _account_action(user_id, action)
