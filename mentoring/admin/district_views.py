"""Districts: administrators add and change them; coordinators see their own, read only."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import col, select

from mentoring.admin import bp
from mentoring.admin.district_forms import DistrictForm, RemoveTargetForm, TargetForm
from mentoring.db import get_session
from mentoring.exceptions import DistrictError
from mentoring.forms import choice_list
from mentoring.models import District, Role, User
from mentoring.numbers import parse_id
from mentoring.security import roles_allowed
from mentoring.services import districts as service


def _visible_districts() -> list[District]:
    db = get_session()
    query = select(District).order_by(col(District.name))
    if current_user.role != Role.ADMIN.value:
        query = query.where(col(District.id).in_(sorted(current_user.district_ids)))
    return list(db.exec(query).all())


def _district_or_404(district_id: int) -> District:
    district = get_session().get(District, district_id)
    if district is None or (
        current_user.role != Role.ADMIN.value and district_id not in current_user.district_ids
    ):
        abort(404)
    return district


@bp.route("/districts")
@roles_allowed(Role.ADMIN, Role.COORDINATOR)
def districts():  # type: ignore[no-untyped-def]
    """List districts with neighbours and progress against this year's target."""
    db = get_session()
    rows = _visible_districts()
    names = {d.id: d.name for d in db.exec(select(District)).all()}
    year = request.args.get("year", type=int) or service.current_programme_year()
    if not 2000 <= year <= 2100:
        abort(404)
    neighbours = {
        d.id: sorted(names[n] for n in service.neighbour_ids(session=db, district_id=d.id))  # type: ignore[arg-type]
        for d in rows
    }
    return render_template(
        "admin/districts.html",
        districts=rows,
        neighbours=neighbours,
        progress=service.progress(
            session=db,
            district_ids={d.id for d in rows},  # type: ignore[misc]
            programme_year=year,
        ),
        year=year,
        year_label=service.programme_year_label(year),
        previous_label=service.programme_year_label(year - 1),
        next_label=service.programme_year_label(year + 1),
    )


def _district_form(district: District | None) -> DistrictForm:
    db = get_session()
    form = DistrictForm()
    form.neighbours.choices = choice_list(
        (d.id, d.name)
        for d in db.exec(select(District).order_by(col(District.name))).all()
        if district is None or d.id != district.id
    )
    form.coordinators.choices = choice_list(
        (u.id, f"{u.name} ({u.email})")
        for u in db.exec(
            select(User).where(User.role == Role.COORDINATOR.value).order_by(col(User.name))
        ).all()
    )
    return form


def _ids(values: list[str] | None) -> set[int]:
    return {i for v in values or [] if (i := parse_id(str(v))) is not None}


@bp.route("/districts/new", methods=["GET", "POST"])
@roles_allowed(Role.ADMIN)
def new_district():  # type: ignore[no-untyped-def]
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
            )
        except DistrictError as err:
            db.rollback()
            form[err.field].errors = [*form[err.field].errors, str(err)]
        else:
            flash(f"{district.name} added. Set its targets next.", "success")
            return redirect(url_for("admin.district", district_id=district.id))
    return render_template("admin/district_form.html", form=form, district=None)


@bp.route("/districts/<int:district_id>")
@roles_allowed(Role.ADMIN, Role.COORDINATOR)
def district(district_id: int):  # type: ignore[no-untyped-def]
    """Show a district: neighbours, coordinators, targets and progress by programme year."""
    row = _district_or_404(district_id)
    form = TargetForm()
    if request.method == "GET":
        form.programme_year.data = service.current_programme_year()
    return _district_page(row, form)


def _district_page(row: District, form: TargetForm, status: int = 200):  # type: ignore[no-untyped-def]
    db = get_session()
    assert row.id is not None  # noqa: S101
    names = {d.id: d.name for d in db.exec(select(District)).all()}
    coordinator_ids = service.coordinator_ids(session=db, district_id=row.id)
    coordinators = (
        db.exec(
            select(User).where(col(User.id).in_(sorted(coordinator_ids))).order_by(col(User.name))
        ).all()
        if coordinator_ids
        else []
    )
    target_rows = service.targets(session=db, district_id=row.id)
    this_year = service.current_programme_year()
    years = sorted({t.programme_year for t in target_rows} | {this_year}, reverse=True)
    by_year = {
        y: service.progress(session=db, district_ids={row.id}, programme_year=y)[row.id]
        for y in years
    }
    return (
        render_template(
            "admin/district.html",
            district=row,
            neighbours=sorted(
                names[n] for n in service.neighbour_ids(session=db, district_id=row.id)
            ),
            coordinators=coordinators,
            years=years,
            by_year=by_year,
            labels={y: service.programme_year_label(y) for y in years},
            this_year=this_year,
            form=form,
            remove_form=RemoveTargetForm(),
        ),
        status,
    )


@bp.route("/districts/<int:district_id>/edit", methods=["GET", "POST"])
@roles_allowed(Role.ADMIN)
def edit_district(district_id: int):  # type: ignore[no-untyped-def]
    """Change a district's code, name, neighbours and coordinators."""
    db = get_session()
    row = _district_or_404(district_id)
    form = _district_form(row)
    if request.method == "GET":
        form.code.data = row.code
        form.name.data = row.name
        form.neighbours.data = [
            str(i) for i in service.neighbour_ids(session=db, district_id=district_id)
        ]
        form.coordinators.data = [
            str(i) for i in service.coordinator_ids(session=db, district_id=district_id)
        ]
    if form.validate_on_submit():
        try:
            changed = service.update_district(
                session=db,
                district=row,
                code=form.code.data or "",
                name=form.name.data or "",
                neighbours=_ids(form.neighbours.data),
                coordinators=_ids(form.coordinators.data),
            )
        except DistrictError as err:
            db.rollback()
            form[err.field].errors = [*form[err.field].errors, str(err)]
        else:
            flash(
                f"{row.name} updated." if changed else "Nothing changed.",
                "success" if changed else "info",
            )
            return redirect(url_for("admin.district", district_id=district_id))
    return render_template("admin/district_form.html", form=form, district=row)


@bp.route("/districts/<int:district_id>/targets", methods=["POST"])
@roles_allowed(Role.ADMIN)
def set_district_target(district_id: int):  # type: ignore[no-untyped-def]
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
            db.rollback()
            form[err.field].errors = [*form[err.field].errors, str(err)]
        else:
            label = service.programme_year_label(form.programme_year.data)  # type: ignore[arg-type]
            flash(f"Target for {label} saved.", "success")
            return redirect(url_for("admin.district", district_id=district_id))
    # Show the district page again with the errors beside the target fields.
    return _district_page(row, form, 400)


@bp.route("/districts/<int:district_id>/targets/<int:year>/remove", methods=["POST"])
@roles_allowed(Role.ADMIN)
def remove_district_target(district_id: int, year: int):  # type: ignore[no-untyped-def]
    """Remove a district's target for a programme year."""
    db = get_session()
    row = _district_or_404(district_id)
    if not RemoveTargetForm().validate_on_submit():
        abort(400)
    if service.remove_target(session=db, district=row, programme_year=year):
        flash(f"Target for {service.programme_year_label(year)} removed.", "success")
    return redirect(url_for("admin.district", district_id=district_id))
