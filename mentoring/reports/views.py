"""Report pages and their anonymised CSV files.

Who sees what:
- District dashboards: coordinators their own districts (another district answers 404, as
  a family of another district does), administrators every district.
- County overview, and outcomes and payment by results: coordinators and administrators.
  Coordinators see the county overview's other districts anonymised and the outcomes of
  their own districts only.
- Mentor programme: provider staff (who run recruitment) and administrators.
- Safeguarding: counts only (`reports/safeguarding.py`), for the safeguarding lead,
  provider staff and administrators; small numbers always suppressed; no CSV file.
- Mentors see no reports.

On screen, figures are exact for districts whose families the viewer may see and
anonymised (small numbers suppressed) for others. Every CSV file is anonymised: no names,
no references, small numbers suppressed, whoever downloads it.
"""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from mentoring import audit
from mentoring.csvutil import write_csv
from mentoring.db import get_session
from mentoring.models import District, Role
from mentoring.read import reports as read
from mentoring.reports import bp, tables
from mentoring.reports.forms import PeriodForm
from mentoring.reports.present import Presenter
from mentoring.security import roles_allowed
from mentoring.services.common.scope import load_visible, visible_district_ids
from mentoring.services.reports import small_number_threshold

FAMILY_REPORT_ROLES = (Role.ADMIN, Role.COORDINATOR)
MENTOR_REPORT_ROLES = (Role.ADMIN, Role.PROVIDER)


def _period_form() -> PeriodForm:
    """Read the period from the query string (a programme year by default)."""
    form = PeriodForm(formdata=request.args)
    form.validate()
    return form


def _presenter(anonymised: bool) -> Presenter:
    return Presenter(anonymised=anonymised, threshold=small_number_threshold())


def _csv(
    name: str, header: list[str], rows: list[list[Any]], *, district_id: int | None = None
) -> Response:
    """Send an anonymised CSV file, and record in the audit log who downloaded which report."""
    audit.record_access(
        get_session(),
        "report.export",
        object_type="report",
        district_id=district_id,
        report=name,
        rows=len(rows),
    )
    return Response(
        write_csv(rows, header),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _render(template: str, form: PeriodForm, **context: Any) -> ResponseReturnValue:
    """Render a report page; a period that cannot be used answers 400 with its errors."""
    status = 200 if form.period is not None else 400
    threshold = small_number_threshold()
    return (
        render_template(template, form=form, period=form.period, threshold=threshold, **context),
        status,
    )


# ---------------------------------------------------------------------------
# The list of reports
# ---------------------------------------------------------------------------


@bp.route("/")
@roles_allowed(Role.ADMIN, Role.COORDINATOR, Role.PROVIDER, Role.SAFEGUARDING)
def index() -> ResponseReturnValue:
    """List the reports the user may see."""
    own = visible_district_ids(current_user)
    districts = read.districts(session=get_session(), only=own) if own else []
    return render_template(
        "reports/index.html", districts=districts, threshold=small_number_threshold()
    )


# ---------------------------------------------------------------------------
# District dashboard
# ---------------------------------------------------------------------------


@bp.route("/districts/<int:district_id>")
@roles_allowed(*FAMILY_REPORT_ROLES)
def district(district_id: int) -> ResponseReturnValue:
    """Show a district's dashboard: the period's families against the target, and now."""
    db = get_session()
    row = load_visible(District, district_id, current_user, session=db)
    form = _period_form()
    context: dict[str, Any] = {"district": row}
    if form.period is not None:
        page = read.dashboard(session=db, district_id=district_id, period=form.period)
        context.update(
            figures=page.figures,
            dashboard=tables.dashboard(page.figures, form.period, _presenter(False)),
            today=page.today,
            no_contact_days=page.no_contact_days,
            reminder_days=page.reminder_days,
        )
    return _render("reports/district.html", form, **context)


@bp.route("/districts/<int:district_id>/download")
@roles_allowed(*FAMILY_REPORT_ROLES)
def district_csv(district_id: int) -> ResponseReturnValue:
    """Download a district's dashboard as an anonymised CSV file."""
    db = get_session()
    row = load_visible(District, district_id, current_user, session=db)
    form = _period_form()
    if form.period is None:
        return _render("reports/district.html", form, district=row)
    figures = read.dashboard(session=db, district_id=district_id, period=form.period).figures
    header, rows = tables.dashboard_csv(figures, form.period, _presenter(True))
    return _csv(
        f"dashboard-{row.code.lower()}-{form.period.slug}", header, rows, district_id=district_id
    )


# ---------------------------------------------------------------------------
# County overview
# ---------------------------------------------------------------------------


@bp.route("/county")
@roles_allowed(*FAMILY_REPORT_ROLES)
def county() -> ResponseReturnValue:
    """Show every district's figures in one sortable table, and a chart against targets."""
    form = _period_form()
    context: dict[str, Any] = {}
    if form.period is not None:
        figures = read.county(session=get_session(), period=form.period)
        own = visible_district_ids(current_user)
        others = {f.district_id for f in figures} - own
        period_args = form.period.query_args()
        overview = tables.county(
            figures,
            presenter_for=lambda d: _presenter(d in others),
            with_total=not others,
            sort=request.args.get("sort", "name"),
            descending=request.args.get("order") == "desc",
            link_for=lambda d: (
                url_for("reports.district", district_id=d, **period_args) if d in own else None
            ),
        )
        context.update(
            overview=overview,
            chart=tables.county_chart(figures, form.period, lambda d: _presenter(d in others)),
            anonymised_others=bool(others),
        )
    return _render("reports/county.html", form, **context)


@bp.route("/county/download")
@roles_allowed(*FAMILY_REPORT_ROLES)
def county_csv() -> ResponseReturnValue:
    """Download the county overview as an anonymised CSV file (one row a district)."""
    form = _period_form()
    if form.period is None:
        return _render("reports/county.html", form)
    figures = read.county(session=get_session(), period=form.period)
    header, rows = tables.county_csv(figures, form.period, _presenter(True))
    return _csv(f"county-overview-{form.period.slug}", header, rows)


# ---------------------------------------------------------------------------
# Outcomes and payment by results
# ---------------------------------------------------------------------------


@bp.route("/outcomes")
@roles_allowed(*FAMILY_REPORT_ROLES)
def outcomes() -> ResponseReturnValue:
    """Show results achieved, families turned around and the payments they imply."""
    form = _period_form()
    context: dict[str, Any] = {}
    if form.period is not None:
        page = read.outcomes(
            session=get_session(),
            district_ids=visible_district_ids(current_user),
            period=form.period,
        )
        context.update(
            rates=page.rates,
            report=tables.outcomes(page.rows, page.rates, _presenter(False)),
        )
    return _render("reports/outcomes.html", form, **context)


@bp.route("/outcomes/download")
@roles_allowed(*FAMILY_REPORT_ROLES)
def outcomes_csv() -> ResponseReturnValue:
    """Download outcomes and payment by results as an anonymised CSV file."""
    form = _period_form()
    if form.period is None:
        return _render("reports/outcomes.html", form)
    page = read.outcomes(
        session=get_session(), district_ids=visible_district_ids(current_user), period=form.period
    )
    header, csv_rows = tables.outcomes_csv(page.rows, page.rates, form.period, _presenter(True))
    return _csv(f"outcomes-{form.period.slug}", header, csv_rows)


# ---------------------------------------------------------------------------
# Mentor programme
# ---------------------------------------------------------------------------


def _mentor_scope() -> read.MentorScope:
    """Read the optional home-district filter; an unknown district is a 404."""
    return read.mentor_scope(session=get_session(), district=request.args.get("district", ""))


@bp.route("/mentors")
@roles_allowed(*MENTOR_REPORT_ROLES)
def mentors() -> ResponseReturnValue:
    """Show the recruitment funnel, former participants, load and matches ended."""
    form = _period_form()
    scope = _mentor_scope()
    context: dict[str, Any] = {"districts": scope.districts, "chosen": scope.chosen}
    if form.period is not None:
        programme = read.mentor_programme(session=get_session(), scope=scope, period=form.period)
        context.update(
            programme=programme,
            report=tables.mentor_programme(programme, form.period, _presenter(False)),
        )
    return _render("reports/mentors.html", form, **context)


@bp.route("/mentors/download")
@roles_allowed(*MENTOR_REPORT_ROLES)
def mentors_csv() -> ResponseReturnValue:
    """Download the mentor programme report as an anonymised CSV file."""
    form = _period_form()
    scope = _mentor_scope()
    if form.period is None:
        return _render("reports/mentors.html", form, districts=scope.districts, chosen=scope.chosen)
    programme = read.mentor_programme(session=get_session(), scope=scope, period=form.period)
    header, rows = tables.mentor_programme_csv(programme, form.period, scope.name, _presenter(True))
    return _csv(f"mentor-programme-{scope.slug}-{form.period.slug}", header, rows)
