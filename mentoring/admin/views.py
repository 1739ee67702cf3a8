"""Users, for administrators (districts are in ``district_views``)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from mentoring.admin import bp
from mentoring.admin.forms import UserForm
from mentoring.db import get_session
from mentoring.exceptions import UserError
from mentoring.forms import choice_list
from mentoring.models import Role
from mentoring.read import districts as district_read
from mentoring.read import users as read
from mentoring.security import roles_allowed
from mentoring.services.users import create_user


@bp.route("/users")
@roles_allowed(Role.ADMIN)
def users() -> ResponseReturnValue:
    """List everyone who can sign in."""
    page = read.user_list(session=get_session())
    return render_template(
        "admin/users.html",
        users=page.users,
        districts_by_user=page.districts_by_user,
        mentor_refs=page.mentor_refs,
    )


@bp.route("/users/new", methods=["GET", "POST"])
@roles_allowed(Role.ADMIN)
def new_user() -> ResponseReturnValue:
    """Create a user account."""
    db = get_session()
    form = UserForm()
    form.districts.choices = choice_list(
        (d.code, d.name) for d in district_read.options(session=db)
    )
    if form.validate_on_submit():
        try:
            user = create_user(
                session=db,
                email=form.email.data or "",
                name=form.name.data or "",
                password=form.password.data or "",
                role=Role(form.role.data),
                district_codes=form.districts.data or [],
                mentor_reference=form.mentor_reference.data or None,
            )
        except UserError as err:
            field = _field_for(str(err))
            getattr(form, field).errors.append(str(err)[0].upper() + str(err)[1:])
        else:
            flash(f"Account created for {user.name}.", "success")
            return redirect(url_for("admin.users"))
    form.password.data = ""
    return render_template("admin/user_form.html", form=form)


def _field_for(message: str) -> str:
    """Choose which field a service error belongs beside."""
    lowered = message.lower()
    if "password" in lowered or "guess" in lowered or "characters" in lowered:
        return "password"
    if "district" in lowered:
        return "districts"
    if "mentor" in lowered:
        return "mentor_reference"
    if "name" in lowered and "email" not in lowered:
        return "name"
    return "email"
