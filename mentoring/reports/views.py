"""Report pages and their anonymised CSV files.

Who sees what:
- District dashboards: coordinators their own districts (another district answers 404, as
  a family of another district does), administrators every district.
- County overview, and outcomes and payment by results: coordinators and administrators.
  Coordinators see the county overview's other districts anonymised and the outcomes of
  their own districts only.
- Mentor programme: provider staff (who run recruitment) and administrators.
- Mentors see no reports.

On screen, figures are exact for districts whose families the viewer may see and
anonymised (small numbers suppressed) for others. Every CSV file is anonymised: no names,
no references, small numbers suppressed, whoever downloads it.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request, url_for
from flask_login import current_user
from sqlmodel import col, select

from mentoring import audit
from mentoring.csvutil import write_csv
from mentoring.db import get_session
from mentoring.models import District, Role, service_today
from mentoring.reports import bp, tables
from mentoring.reports.forms import PeriodForm
from mentoring.reports.present import Presenter
from mentoring.security import roles_allowed
from mentoring.services import reports as service
from mentoring.services.common.scope import can_see_district, visible_district_ids

FAMILY_REPORT_ROLES = (Role.ADMIN, Role.COORDINATOR)
MENTOR_REPORT_ROLES = (Role.ADMIN, Role.PROVIDER)


def _all_districts() -> list[District]:
    return list(get_session().exec(select(District).order_by(col(District.name))).all())


def _own_district_ids() -> set[int]:
    return set(visible_district_ids(current_user))


def _period_form() -> PeriodForm:
    """Read the period from the query string (a programme year by default)."""
    form = PeriodForm(formdata=request.args)
    form.validate()
    return form


def _presenter(anonymised: bool) -> Presenter:
    return Presenter(anonymised=anonymised, threshold=service.small_number_threshold())


def _csv(
    name: str, header: list[str], rows: list[list[Any]], *, district_id: int | None = None
) -> Response:
    """Send an anonymised CSV file, and record in the audit log who downloaded which report."""
    db = get_session()
    audit.record(
        db,
        "report.export",
        object_type="report",
        district_id=district_id,
        report=name,
        rows=len(rows),
    )
    db.commit()
    return Response(
        write_csv(rows, header),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _render(template: str, form: PeriodForm, **context: Any) -> Any:
    """Render a report page; a period that cannot be used answers 400 with its errors."""
    status = 200 if form.period is not None else 400
    threshold = service.small_number_threshold()
    return (
        render_template(template, form=form, period=form.period, threshold=threshold, **context),
        status,
    )


# ---------------------------------------------------------------------------
# The list of reports
# ---------------------------------------------------------------------------


@bp.route("/")
@roles_allowed(Role.ADMIN, Role.COORDINATOR, Role.PROVIDER)
def index():  # type: ignore[no-untyped-def]
    """List the reports the user may see."""
    districts = []
    if current_user.role in (Role.ADMIN.value, Role.COORDINATOR.value):
        own = _own_district_ids()
        districts = [d for d in _all_districts() if d.id in own]
    return render_template(
        "reports/index.html", districts=districts, threshold=service.small_number_threshold()
    )


# ---------------------------------------------------------------------------
# District dashboard
# ---------------------------------------------------------------------------


def _district_or_404(district_id: int) -> District:
    district = get_session().get(District, district_id)
    if district is None or not can_see_district(current_user, district_id):
        abort(404)
    return district


@bp.route("/districts/<int:district_id>")
@roles_allowed(*FAMILY_REPORT_ROLES)
def district(district_id: int):  # type: ignore[no-untyped-def]
    """Show a district's dashboard: the period's families against the target, and now."""
    row = _district_or_404(district_id)
    form = _period_form()
    context: dict[str, Any] = {"district": row}
    if form.period is not None:
        figures = service.district_figures(
            session=get_session(), district_ids={district_id}, period=form.period
        )[0]
        context.update(
            figures=figures,
            dashboard=tables.dashboard(figures, form.period, _presenter(False)),
            today=service_today(),
            no_contact_days=service.no_contact_days(),
            reminder_days=service.current_policy().reminder_days,
        )
    return _render("reports/district.html", form, **context)


@bp.route("/districts/<int:district_id>/download")
@roles_allowed(*FAMILY_REPORT_ROLES)
def district_csv(district_id: int):  # type: ignore[no-untyped-def]
    """Download a district's dashboard as an anonymised CSV file."""
    row = _district_or_404(district_id)
    form = _period_form()
    if form.period is None:
        return _render("reports/district.html", form, district=row)
    figures = service.district_figures(
        session=get_session(), district_ids={district_id}, period=form.period
    )[0]
    header, rows = tables.dashboard_csv(figures, form.period, _presenter(True))
    return _csv(
        f"dashboard-{row.code.lower()}-{form.period.slug}", header, rows, district_id=district_id
    )


# ---------------------------------------------------------------------------
# County overview
# ---------------------------------------------------------------------------


@bp.route("/county")
@roles_allowed(*FAMILY_REPORT_ROLES)
def county():  # type: ignore[no-untyped-def]
    """Show every district's figures in one sortable table, and a chart against targets."""
    form = _period_form()
    context: dict[str, Any] = {}
    if form.period is not None:
        figures = service.district_figures(
            session=get_session(),
            district_ids={d.id for d in _all_districts() if d.id is not None},
            period=form.period,
        )
        own = _own_district_ids()
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
def county_csv():  # type: ignore[no-untyped-def]
    """Download the county overview as an anonymised CSV file (one row a district)."""
    form = _period_form()
    if form.period is None:
        return _render("reports/county.html", form)
    figures = service.district_figures(
        session=get_session(),
        district_ids={d.id for d in _all_districts() if d.id is not None},
        period=form.period,
    )
    header, rows = tables.county_csv(figures, form.period, _presenter(True))
    return _csv(f"county-overview-{form.period.slug}", header, rows)


# ---------------------------------------------------------------------------
# Outcomes and payment by results
# ---------------------------------------------------------------------------


def _outcomes(form: PeriodForm) -> tuple[list[service.OutcomeRow], service.PaymentRates]:
    rates = service.payment_rates()
    rows = service.outcomes_report(
        session=get_session(),
        district_ids=_own_district_ids(),
        period=form.period,  # type: ignore[arg-type]
        rates=rates,
    )
    return rows, rates


@bp.route("/outcomes")
@roles_allowed(*FAMILY_REPORT_ROLES)
def outcomes():  # type: ignore[no-untyped-def]
    """Show results achieved, families turned around and the payments they imply."""
    form = _period_form()
    context: dict[str, Any] = {}
    if form.period is not None:
        rows, rates = _outcomes(form)
        context.update(
            rates=rates,
            report=tables.outcomes(rows, rates, _presenter(False)),
        )
    return _render("reports/outcomes.html", form, **context)


@bp.route("/outcomes/download")
@roles_allowed(*FAMILY_REPORT_ROLES)
def outcomes_csv():  # type: ignore[no-untyped-def]
    """Download outcomes and payment by results as an anonymised CSV file."""
    form = _period_form()
    if form.period is None:
        return _render("reports/outcomes.html", form)
    rows, rates = _outcomes(form)
    header, csv_rows = tables.outcomes_csv(rows, rates, form.period, _presenter(True))
    return _csv(f"outcomes-{form.period.slug}", header, csv_rows)


# ---------------------------------------------------------------------------
# Mentor programme
# ---------------------------------------------------------------------------


def _mentor_scope() -> tuple[set[int], District | None, list[District]]:
    """Read the optional home-district filter; an unknown district is a 404."""
    districts = _all_districts()
    raw = request.args.get("district", "")
    if not raw:
        return {d.id for d in districts if d.id is not None}, None, districts
    chosen = next((d for d in districts if str(d.id) == raw), None)
    if chosen is None or chosen.id is None:
        abort(404)
    return {chosen.id}, chosen, districts


@bp.route("/mentors")
@roles_allowed(*MENTOR_REPORT_ROLES)
def mentors():  # type: ignore[no-untyped-def]
    """Show the recruitment funnel, former participants, load and matches ended."""
    form = _period_form()
    ids, chosen, districts = _mentor_scope()
    context: dict[str, Any] = {"districts": districts, "chosen": chosen}
    if form.period is not None:
        programme = service.mentor_programme(
            session=get_session(), district_ids=ids, period=form.period
        )
        context.update(
            programme=programme,
            report=tables.mentor_programme(programme, form.period, _presenter(False)),
        )
    return _render("reports/mentors.html", form, **context)


@bp.route("/mentors/download")
@roles_allowed(*MENTOR_REPORT_ROLES)
def mentors_csv():  # type: ignore[no-untyped-def]
    """Download the mentor programme report as an anonymised CSV file."""
    form = _period_form()
    ids, chosen, districts = _mentor_scope()
    if form.period is None:
        return _render("reports/mentors.html", form, districts=districts, chosen=chosen)
    programme = service.mentor_programme(
        session=get_session(), district_ids=ids, period=form.period
    )
    header, rows = tables.mentor_programme_csv(
        programme, form.period, chosen.name if chosen else "All districts", _presenter(True)
    )
    scope = chosen.code.lower() if chosen else "all"
    return _csv(f"mentor-programme-{scope}-{form.period.slug}", header, rows)
