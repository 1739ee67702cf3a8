"""Districts: administrators add and change them; coordinators see their own, read only."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from mentoring.admin import bp
from mentoring.admin.district_forms import DistrictForm, RemoveTargetForm, TargetForm
from mentoring.db import get_session
from mentoring.exceptions import DistrictError
from mentoring.forms import choice_list
from mentoring.models import District, Role
from mentoring.numbers import parse_id
from mentoring.read import districts as read
from mentoring.security import roles_allowed
from mentoring.services import districts as service
from mentoring.services.common.scope import load_visible, visible_district_ids


def _district_or_404(district_id: int) -> District:
    return load_visible(District, district_id, current_user, session=get_session())


@bp.route("/districts")
@roles_allowed(Role.ADMIN, Role.COORDINATOR)
def districts() -> ResponseReturnValue:
    """List districts with neighbours and progress against this year's target."""
    year = request.args.get("year", type=int) or service.current_programme_year()
    if not 2000 <= year <= 2100:
        abort(404)
    page = read.district_list(
        session=get_session(),
        district_ids=visible_district_ids(current_user),
        programme_year=year,
    )
    return render_template(
        "admin/districts.html",
        districts=page.districts,
        neighbours=page.neighbours,
        progress=page.progress,
        year=year,
        year_label=service.programme_year_label(year),
        previous_label=service.programme_year_label(year - 1),
        next_label=service.programme_year_label(year + 1),
    )


def _district_form(district: District | None) -> DistrictForm:
    choices = read.district_choices(
        session=get_session(), district_id=district.id if district else None
    )
    form = DistrictForm()
    form.neighbours.choices = choice_list(choices.neighbours)
    form.coordinators.choices = choice_list(choices.coordinators)
    return form


def _ids(values: list[str] | None) -> set[int]:
    return {i for v in values or [] if (i := parse_id(str(v))) is not None}


@bp.route("/districts/new", methods=["GET", "POST"])
@roles_allowed(Role.ADMIN)
def new_district() -> ResponseReturnValue:
    """Add a district."""
    db = get_session()
    form = _district_form(None)
    if form.validate_on_submit():
        try:
            district = service.create_district(
                session=db,
                code=form.code.data or "",
                name=form.name.data or "",
                neighbours=_ids(form.neighbours.data),
                coordinators=_ids(form.coordinators.data),
                mash_phone=form.mash_phone.data or "",
            )
        except DistrictError as err:
            _show_error(form, err)
        else:
            flash(f"{district.name} added. Set its targets next.", "success")
            return redirect(url_for("admin.district", district_id=district.id))
    return render_template("admin/district_form.html", form=form, district=None)


@bp.route("/districts/<int:district_id>")
@roles_allowed(Role.ADMIN, Role.COORDINATOR)
def district(district_id: int) -> ResponseReturnValue:
    """Show a district: neighbours, coordinators, targets and progress by programme year."""
    row = _district_or_404(district_id)
    form = TargetForm()
    if request.method == "GET":
        form.programme_year.data = service.current_programme_year()
    return _district_page(row, form)


def _district_page(row: District, form: TargetForm, status: int = 200) -> ResponseReturnValue:
    if row.id is None:  # pragma: no cover - loaded from the database
        abort(404)
    page = read.district_page(session=get_session(), district_id=row.id)
    return (
        render_template(
            "admin/district.html",
            district=row,
            neighbours=page.neighbours,
            coordinators=page.coordinators,
            years=page.years,
            by_year=page.by_year,
            labels=page.labels,
            this_year=page.this_year,
            form=form,
            remove_form=RemoveTargetForm(),
        ),
        status,
    )


def _show_error(form: DistrictForm | TargetForm, err: DistrictError) -> None:
    """Show a service's refusal beside the field it names."""
    field = form[err.field or "code"]
    field.errors = [*field.errors, str(err)]


@bp.route("/districts/<int:district_id>/edit", methods=["GET", "POST"])
@roles_allowed(Role.ADMIN)
def edit_district(district_id: int) -> ResponseReturnValue:
    """Change a district's code, name, neighbours and coordinators."""
    db = get_session()
    row = _district_or_404(district_id)
    form = _district_form(row)
    if request.method == "GET":
        links = read.district_links(session=db, district_id=district_id)
        form.code.data = row.code
        form.name.data = row.name
        form.mash_phone.data = row.mash_phone
        form.neighbours.data = [str(i) for i in links.neighbour_ids]
        form.coordinators.data = [str(i) for i in links.coordinator_ids]
    if form.validate_on_submit():
        try:
            changed = service.update_district(
                session=db,
                district=row,
                code=form.code.data or "",
                name=form.name.data or "",
                neighbours=_ids(form.neighbours.data),
                coordinators=_ids(form.coordinators.data),
                mash_phone=form.mash_phone.data or "",
            )
        except DistrictError as err:
            _show_error(form, err)
        else:
            flash(
                f"{row.name} updated." if changed else "Nothing changed.",
                "success" if changed else "info",
            )
            return redirect(url_for("admin.district", district_id=district_id))
    return render_template("admin/district_form.html", form=form, district=row)


@bp.route("/districts/<int:district_id>/targets", methods=["POST"])
@roles_allowed(Role.ADMIN)
def set_district_target(district_id: int) -> ResponseReturnValue:
    """Set a district's target for a programme year."""
    db = get_session()
    row = _district_or_404(district_id)
    form = TargetForm()
    if form.validate_on_submit():
        try:
            service.set_target(
                session=db,
                district=row,
                programme_year=form.programme_year.data,
                target_families=form.target_families.data,
            )
        except DistrictError as err:
            _show_error(form, err)
        else:
            label = service.programme_year_label(int(form.programme_year.data or 0))
            flash(f"Target for {label} saved.", "success")
            return redirect(url_for("admin.district", district_id=district_id))
    # Show the district page again with the errors beside the target fields.
    return _district_page(row, form, 400)


@bp.route("/districts/<int:district_id>/targets/<int:year>/remove", methods=["POST"])
@roles_allowed(Role.ADMIN)
def remove_district_target(district_id: int, year: int) -> ResponseReturnValue:
    """Remove a district's target for a programme year."""
    db = get_session()
    row = _district_or_404(district_id)
    if not RemoveTargetForm().validate_on_submit():
        abort(400)
    if service.remove_target(session=db, district=row, programme_year=year):
        flash(f"Target for {service.programme_year_label(year)} removed.", "success")
    return redirect(url_for("admin.district", district_id=district_id))
