"""The safeguarding report: counts only, small numbers always suppressed, no CSV file.

Concern details are special-category data: this page counts concerns by category and
district, times to triage (median and 90th percentile) and referrals made. Whoever looks,
counts from 1 to the threshold less one show as "<5", and a median or percentile of fewer
concerns than the threshold is not shown.
"""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from mentoring import audit
from mentoring.db import get_session
from mentoring.models import Role
from mentoring.read import reports as read
from mentoring.reports import bp
from mentoring.reports.forms import PeriodForm
from mentoring.reports.present import Presenter
from mentoring.reports.tables import Column, Table
from mentoring.security import roles_allowed
from mentoring.services.reports import SafeguardingFigures, small_number_threshold


def _counts(
    caption: str,
    heading: str,
    rows: list[tuple[str, int]],
    p: Presenter,
    test_id: str,
    *,
    counted: str = "Concerns",
) -> Table:
    return Table(
        caption=caption,
        columns=[Column("name", heading, numeric=False), Column("count", counted)],
        rows=[[p.text(name), p.count(n)] for name, n in rows],
        test_id=test_id,
    )


def tables(figures: SafeguardingFigures, p: Presenter) -> dict[str, object]:
    """Lay out the report, anonymised."""
    timed = len(figures.triage_hours)
    return {
        "overview": [
            ("Concerns raised", p.count(figures.raised), ""),
            ("Of which, allegations against mentors", p.count(figures.allegations), ""),
            (
                "Median time to triage",
                p.average(figures.triage_median, of=timed, unit=" hours", decimals=1),
                f"Of the concerns triaged (not shown for fewer than {p.threshold}).",
            ),
            (
                "90th percentile time to triage",
                p.average(figures.triage_p90, of=timed, unit=" hours", decimals=1),
                "Nine in ten were triaged within this time.",
            ),
        ],
        "categories": _counts("By category", "Category", figures.by_category, p, "by-category"),
        "districts": _counts("By district", "District", figures.by_district, p, "by-district"),
        "referrals": _counts(
            "Referrals made in the period",
            "To",
            figures.referrals,
            p,
            "referrals",
            counted="Referrals",
        ),
    }


@bp.route("/safeguarding")
@roles_allowed(Role.SAFEGUARDING, Role.PROVIDER, Role.ADMIN)
def safeguarding() -> ResponseReturnValue:
    """Show the period's safeguarding counts: by category and district, triage, referrals."""
    form = PeriodForm(formdata=request.args)
    form.validate()
    threshold = small_number_threshold()
    context: dict[str, object] = {}
    if form.period is not None:
        db = get_session()
        figures = read.safeguarding(session=db, period=form.period)
        context = tables(figures, Presenter(anonymised=True, threshold=threshold))
        audit.record_access(db, "report.view", object_type="report", report="safeguarding")
    return (
        render_template(
            "reports/safeguarding.html",
            form=form,
            period=form.period,
            threshold=threshold,
            **context,
        ),
        200 if form.period is not None else 400,
    )
