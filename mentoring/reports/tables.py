"""Report figures laid out as tables and charts for the pages, and as rows for CSV files.

The page and the file are built from the same figures by the same functions; only the
:class:`~mentoring.reports.present.Presenter` differs (files are always anonymised).
Files hold no names and no references: districts, measures and counts only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from mentoring.models import Outcome, PipelineStage
from mentoring.reports.charts import Chart, Row, Series, Value, bar_chart
from mentoring.reports.present import Cell, Presenter, pounds
from mentoring.services.reports import (
    FAMILIES_NOW_MEASURES,
    DistrictFigures,
    MentorProgramme,
    OutcomeRow,
    PaymentRates,
    Period,
    no_contact_days,
    total_figures,
    total_outcomes,
)


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    numeric: bool = True


@dataclass
class Table:
    caption: str
    columns: list[Column]
    rows: list[list[Cell]]
    foot: list[Cell] | None = None
    test_id: str = ""
    sort: str | None = None
    descending: bool = False

    @property
    def has_suppressed(self) -> bool:
        return any(c.suppressed for row in [*self.rows, self.foot or []] for c in row)


def _period_cells(period: Period) -> list[str]:
    return [period.start.isoformat(), period.end.isoformat()]


def _chart_value(cell: Cell) -> Value:
    """A bar for a cell: no bar when the figure is suppressed, its text beside it."""
    return Value(None if cell.suppressed else float(cell.sort), cell.text)


# ---------------------------------------------------------------------------
# The district dashboard
# ---------------------------------------------------------------------------

FAMILY_MEASURES: list[tuple[str, str]] = [
    ("identified", "Identified (referred in the period)"),
    ("engaged", "Engaged (worked with)"),
    ("turned_around", "Turned around"),
]


def _family_cells(f: DistrictFigures, p: Presenter) -> dict[str, Cell]:
    return {key: p.count(getattr(f.families, key)) for key, _label in FAMILY_MEASURES}


def _now_cells(f: DistrictFigures, p: Presenter) -> dict[str, Cell]:
    """The families now (``reports.families_now``), by measure key."""
    return {f"now_{key}": p.count(getattr(f.now, key)) for key, _label in FAMILIES_NOW_MEASURES}


@dataclass
class Dashboard:
    families: Table
    families_chart: Chart
    families_now: Table
    mentors: Table
    mentors_chart: Chart
    summary: list[tuple[str, Cell, str]] = field(default_factory=list)  # label, value, hint
    now: list[tuple[str, Cell, str]] = field(default_factory=list)


def dashboard(f: DistrictFigures, period: Period, p: Presenter) -> Dashboard:
    """Lay out one district's dashboard."""
    cells = _family_cells(f, p)
    rows = [[p.text("Target for the programme year"), p.plain(f.target)]]
    rows += [[p.text(label), cells[key]] for key, label in FAMILY_MEASURES]
    families = Table(
        caption=f"Families referred in {period.short_label}",
        columns=[Column("measure", "Measure", numeric=False), Column("families", "Families")],
        rows=rows,
        test_id="dashboard-families",
    )
    chart_rows = []
    if f.target is not None:
        chart_rows.append(Row("Target", [Value(float(f.target), f"{f.target:,}", "hatched")]))
    chart_rows += [
        Row(label.split(" (")[0], [_chart_value(cells[key])]) for key, label in FAMILY_MEASURES
    ]
    families_chart = bar_chart(
        chart_id="chart-families",
        title=f"{f.name}: families referred in {period.short_label} against the target",
        description="Bar chart of the target (hatched) and of the families identified, engaged "
        "and turned around. The table beside the chart has the same figures.",
        series=[Series("Families")],
        rows=chart_rows,
    )
    stage_rows = [
        [p.text(stage.label), p.count(f.mentors.by_stage[stage.value])] for stage in PipelineStage
    ]
    stage_rows += [
        [p.text("Paused"), p.count(f.mentors.paused)],
        [p.text("Withdrawn or not accepted"), p.count(f.mentors.left)],
    ]
    mentors = Table(
        caption="Mentors living in the district, by pipeline stage (now)",
        columns=[Column("stage", "Stage", numeric=False), Column("mentors", "Mentors")],
        rows=stage_rows,
        test_id="dashboard-mentors",
    )
    mentors_chart = bar_chart(
        chart_id="chart-mentors",
        title=f"{f.name}: mentors by pipeline stage now",
        description="Bar chart of the mentors at each stage from applied to ready. The table "
        "beside the chart has the same figures.",
        series=[Series("Mentors")],
        rows=[Row(row[0].text, [_chart_value(row[1])]) for row in stage_rows[: len(PipelineStage)]],
    )
    now_cells = _now_cells(f, p)
    families_now = Table(
        caption="Families now, whenever referred",
        columns=[Column("measure", "Measure", numeric=False), Column("families", "Families")],
        rows=[[p.text(label), now_cells[f"now_{key}"]] for key, label in FAMILIES_NOW_MEASURES],
        test_id="dashboard-families-now",
    )
    board = Dashboard(families, families_chart, families_now, mentors, mentors_chart)
    board.summary = [
        (
            "Engaged against the target",
            p.percent(f.families.engaged, f.target),
            "Targets are set per programme year" if period.programme_year is None else "",
        ),
        (
            "Average days from consent to an active match",
            p.average(f.to_match.average_days, of=f.to_match.families, unit=" days"),
            "Families whose first match started in the period: "
            + p.count(f.to_match.families).text,
        ),
    ]
    board.now = [
        (
            "Active matches",
            p.count(f.contact.active_matches),
            "",
        ),
        (
            f"Matches without contact in the last {no_contact_days()} days",
            p.count(f.contact.no_recent_contact),
            "",
        ),
        (
            "DBS checks due or expired",
            p.count(f.expiring.dbs_due),
            f"Of which expired: {p.count(f.expiring.dbs_expired).text}",
        ),
        (
            "Training due or expired",
            p.count(f.expiring.training_due),
            f"Of which expired: {p.count(f.expiring.training_expired).text}",
        ),
    ]
    return board


def dashboard_csv(
    f: DistrictFigures, period: Period, p: Presenter
) -> tuple[list[str], list[list[Any]]]:
    """A district's dashboard as CSV rows: period, district, section, measure, value."""
    board = dashboard(f, period, p)
    lead = [*_period_cells(period), f.name]
    rows: list[list[Any]] = []
    for row in board.families.rows:
        rows.append([*lead, "Families referred in the period", row[0].text, row[1].csv])
    for label, cell, _hint in board.summary:
        rows.append([*lead, "Families referred in the period", label, cell.csv])
    for row in board.families_now.rows:
        rows.append([*lead, "Families now", row[0].text, row[1].csv])
    for row in board.mentors.rows:
        rows.append([*lead, "Mentors now, by pipeline stage", row[0].text, row[1].csv])
    for label, cell, _hint in board.now:
        rows.append([*lead, "Now", label, cell.csv])
    rows.append(
        [
            *lead,
            "Families referred in the period",
            "Families whose first match started in the period",
            p.count(f.to_match.families).csv,
        ]
    )
    rows.append([*lead, "Now", "DBS checks expired", p.count(f.expiring.dbs_expired).csv])
    rows.append([*lead, "Now", "Training expired", p.count(f.expiring.training_expired).csv])
    return ["Period from", "Period to", "District", "Section", "Measure", "Value"], rows


# ---------------------------------------------------------------------------
# The county overview
# ---------------------------------------------------------------------------

COUNTY_COLUMNS = [
    Column("name", "District", numeric=False),
    Column("target", "Target"),
    Column("identified", "Identified"),
    Column("engaged", "Engaged"),
    Column("percent", "Of target"),
    Column("turned_around", "Turned around"),
    *(Column(f"now_{key}", label) for key, label in FAMILIES_NOW_MEASURES),
    Column("ready", "Mentors ready"),
    Column("vetting", "Mentors in vetting"),
    Column("due", "Checks and training due"),
    Column("no_contact", "No recent contact"),
    Column("days", "Days to a match"),
]
SORT_KEYS = {c.key for c in COUNTY_COLUMNS}


def _county_cells(f: DistrictFigures, p: Presenter) -> dict[str, Cell]:
    cells = _family_cells(f, p) | _now_cells(f, p)
    cells.update(
        name=p.text(f.name),
        target=p.plain(f.target),
        percent=p.percent(f.families.engaged, f.target),
        ready=p.count(f.mentors.ready),
        vetting=p.count(f.mentors.in_vetting),
        due=p.count(f.expiring.total),
        no_contact=p.count(f.contact.no_recent_contact),
        days=p.average(f.to_match.average_days, of=f.to_match.families),
    )
    return cells


def county(
    figures: list[DistrictFigures],
    *,
    presenter_for: Callable[[int], Presenter],
    with_total: bool,
    sort: str,
    descending: bool,
    link_for: Callable[[int], str | None],
) -> Table:
    """The county overview: a row a district, sorted by any column, and the county total.

    The total is left out when some districts are anonymised: with it, a suppressed figure
    could be worked out from the others.
    """
    sort = sort if sort in SORT_KEYS else "name"
    rows = []
    for f in figures:
        cells = _county_cells(f, presenter_for(f.district_id))
        link = link_for(f.district_id)
        if link:
            cells["name"] = replace(cells["name"], href=link)
        rows.append([cells[c.key] for c in COUNTY_COLUMNS])
    index = [c.key for c in COUNTY_COLUMNS].index(sort)
    name = [c.key for c in COUNTY_COLUMNS].index("name")
    rows.sort(key=lambda r: r[name].sort)
    rows.sort(key=lambda r: r[index].sort, reverse=descending)
    total = _county_cells(total_figures(figures), presenter_for(0)) if with_total else None
    return Table(
        caption="",
        columns=COUNTY_COLUMNS,
        rows=rows,
        foot=[total[c.key] for c in COUNTY_COLUMNS] if total else None,
        test_id="county-overview",
        sort=sort,
        descending=descending,
    )


@dataclass
class CountyChart:
    chart: Chart
    table: Table


def county_chart(
    figures: list[DistrictFigures], period: Period, presenter_for: Callable[[int], Presenter]
) -> CountyChart:
    """Target against families engaged, per district, with the same figures as a table."""
    rows = []
    table_rows = []
    for f in figures:
        p = presenter_for(f.district_id)
        target = p.plain(f.target)
        engaged = p.count(f.families.engaged)
        percent = p.percent(f.families.engaged, f.target)
        label = engaged.text + (f" ({percent.text})" if not percent.suppressed and f.target else "")
        rows.append(
            Row(
                f.name,
                [
                    Value(float(f.target) if f.target is not None else None, target.text),
                    Value(None if engaged.suppressed else float(f.families.engaged), label),
                ],
            )
        )
        table_rows.append([p.text(f.name), target, engaged])
    chart = bar_chart(
        chart_id="chart-county",
        title=f"Target against families engaged, by district, {period.short_label}",
        description="Bar chart with two bars a district: the target (hatched) and the families "
        "engaged (solid). The table beside the chart has the same figures.",
        series=[Series("Target", "hatched"), Series("Engaged", "solid")],
        rows=rows,
    )
    table = Table(
        caption="Target and families engaged",
        columns=[
            Column("name", "District", numeric=False),
            Column("target", "Target"),
            Column("engaged", "Engaged"),
        ],
        rows=table_rows,
        test_id="county-chart-data",
    )
    return CountyChart(chart, table)


COUNTY_CSV_HEADER = [
    "Period from",
    "Period to",
    "District",
    "Target",
    "Identified",
    "Engaged",
    "Engaged as a percentage of the target",
    "Turned around",
    *(f"Families now: {label}" for _key, label in FAMILIES_NOW_MEASURES),
    *(f"Mentors at stage: {s.label}" for s in PipelineStage),
    "Mentors paused",
    "Mentors withdrawn or not accepted",
    "DBS checks due or expired",
    "DBS checks expired",
    "Training due or expired",
    "Training expired",
    "Active matches",
    "Matches without recent contact",
    "Families whose first match started in the period",
    "Average days from consent to an active match",
]


def county_csv(
    figures: list[DistrictFigures], period: Period, p: Presenter
) -> tuple[list[str], list[list[Any]]]:
    """The county overview as CSV: a row a district (no total row: totals and small numbers
    together would let a suppressed figure be worked out)."""
    header = [
        f"Matches without contact in {no_contact_days()} days"
        if h == "Matches without recent contact"
        else h
        for h in COUNTY_CSV_HEADER
    ]
    rows = []
    for f in figures:
        cells = [
            p.plain(f.target),
            p.count(f.families.identified),
            p.count(f.families.engaged),
            p.percent(f.families.engaged, f.target),
            p.count(f.families.turned_around),
            *(p.count(getattr(f.now, key)) for key, _label in FAMILIES_NOW_MEASURES),
            *(p.count(f.mentors.by_stage[s.value]) for s in PipelineStage),
            p.count(f.mentors.paused),
            p.count(f.mentors.left),
            p.count(f.expiring.dbs_due),
            p.count(f.expiring.dbs_expired),
            p.count(f.expiring.training_due),
            p.count(f.expiring.training_expired),
            p.count(f.contact.active_matches),
            p.count(f.contact.no_recent_contact),
            p.count(f.to_match.families),
            p.average(f.to_match.average_days, of=f.to_match.families),
        ]
        rows.append([*_period_cells(period), f.name, *(c.csv for c in cells)])
    return header, rows


# ---------------------------------------------------------------------------
# Outcomes and payment by results
# ---------------------------------------------------------------------------


@dataclass
class OutcomesReport:
    results: Table
    payments: Table


def _outcome_tables(rows: list[OutcomeRow], rates: PaymentRates, p: Presenter) -> OutcomesReport:
    outcome_columns = [Column(o.value, o.label) for o in Outcome]
    results_columns = [
        Column("name", "District", numeric=False),
        Column("identified", "Families identified"),
        *outcome_columns,
        Column("turned_around", "Turned around"),
    ]
    payment_columns = [
        Column("name", "District", numeric=False),
        Column("attached", "Families worked with"),
        Column("attachment", f"Attachment fees ({pounds(rates.per_attachment)} each)"),
        Column("payable", "Worked with and turned around"),
        Column("results", f"Result payments ({pounds(rates.per_result)} each)"),
        Column("total", "Total"),
    ]

    def result_cells(r: OutcomeRow) -> list[Cell]:
        return [
            p.text(r.name),
            p.count(r.identified),
            *(p.count(r.outcomes[o.value]) for o in Outcome),
            p.count(r.turned_around),
        ]

    def payment_cells(r: OutcomeRow) -> list[Cell]:
        attachment = p.money(r.payments.attachment, count=r.attached, each=rates.per_attachment)
        results = p.money(r.payments.results, count=r.payable_results, each=rates.per_result)
        # The total would give a suppressed part away (the other part is shown).
        total = (
            Cell("–", "", -1, suppressed=True)
            if attachment.suppressed or results.suppressed
            else Cell(pounds(r.payments.total), r.payments.total, r.payments.total)
        )
        return [
            p.text(r.name),
            p.count(r.attached),
            attachment,
            p.count(r.payable_results),
            results,
            total,
        ]

    total = total_outcomes(rows, rates) if rows else None
    results = Table(
        caption="Results achieved and families turned around",
        columns=results_columns,
        rows=[result_cells(r) for r in rows],
        foot=result_cells(total) if total and len(rows) > 1 else None,
        test_id="outcomes-results",
    )
    payments = Table(
        caption="Payments implied, by district",
        columns=payment_columns,
        rows=[payment_cells(r) for r in rows],
        foot=payment_cells(total) if total and len(rows) > 1 else None,
        test_id="outcomes-payments",
    )
    return OutcomesReport(results, payments)


def outcomes(rows: list[OutcomeRow], rates: PaymentRates, p: Presenter) -> OutcomesReport:
    """Results per district and the payments they imply."""
    return _outcome_tables(rows, rates, p)


def outcomes_csv(
    rows: list[OutcomeRow], rates: PaymentRates, period: Period, p: Presenter
) -> tuple[list[str], list[list[Any]]]:
    """Outcomes and payments as CSV: a row a district (no total row)."""
    header = [
        "Period from",
        "Period to",
        "District",
        "Families identified",
        *(o.label for o in Outcome),
        "Turned around",
        "Families worked with",
        "Attachment fees (pounds)",
        "Worked with and turned around",
        "Result payments (pounds)",
        "Total (pounds)",
        "Attachment fee a family (pounds)",
        "Result payment a family (pounds)",
    ]
    report = _outcome_tables(rows, rates, p)
    out = []
    for result_row, payment_row in zip(report.results.rows, report.payments.rows, strict=True):
        out.append(
            [
                *_period_cells(period),
                result_row[0].text,
                *(c.csv for c in result_row[1:]),
                *(c.csv for c in payment_row[1:]),
                rates.per_attachment,
                rates.per_result,
            ]
        )
    return header, out


# ---------------------------------------------------------------------------
# The mentor programme
# ---------------------------------------------------------------------------


@dataclass
class MentorReport:
    funnel: Table
    funnel_chart: Chart
    former: list[tuple[str, Cell]]
    load: list[tuple[str, Cell]]
    ended: Table
    ended_chart: Chart


def mentor_programme(programme: MentorProgramme, period: Period, p: Presenter) -> MentorReport:
    """Lay out the mentor programme report."""
    funnel_rows = []
    for stage in programme.funnel:
        reached = p.count(stage.reached)
        funnel_rows.append(
            [
                p.text(stage.label),
                reached,
                p.count(stage.in_progress),
                p.count(stage.paused),
                p.count(stage.left),
                p.percent(stage.left, stage.reached),
                p.average(stage.median_days, of=len(stage.timed))
                if stage.stage != PipelineStage.READY.value
                else Cell("–", "", -1),
            ]
        )
    funnel = Table(
        caption=f"Volunteers who applied in {period.short_label}",
        columns=[
            Column("stage", "Stage", numeric=False),
            Column("reached", "Reached"),
            Column("in_progress", "At this stage now"),
            Column("paused", "Paused here"),
            Column("left", "Left at this stage"),
            Column("dropout", "Drop-out"),
            Column("median", "Median days in stage"),
        ],
        rows=funnel_rows,
        test_id="mentor-funnel",
    )
    funnel_chart = bar_chart(
        chart_id="chart-funnel",
        title=f"Recruitment funnel: volunteers who applied in {period.short_label}",
        description="Bar chart of how many of the volunteers who applied reached each stage, "
        "from applied to ready. The table beside the chart has the same figures.",
        series=[Series("Reached")],
        rows=[Row(r[0].text, [_chart_value(r[1])]) for r in funnel_rows],
    )
    former = [
        ("Former participants (role models) who applied", p.count(programme.role_models_applied)),
        ("Former participants who reached ready", p.count(programme.role_models_ready)),
        (
            "Linked to the family record they came from",
            p.count(programme.former_families),
        ),
    ]
    load = [
        ("Ready mentors now", p.count(programme.ready_now)),
        ("Families they have now", p.count(programme.held_now)),
        ("Places they offer (capacity)", p.count(programme.capacity_now)),
        (
            "Average load (families a ready mentor)",
            p.average(programme.average_load, of=programme.ready_now, decimals=1),
        ),
    ]
    ended_rows = [[p.text(e.label), p.count(e.count)] for e in programme.ended]
    ended = Table(
        caption=f"Matches ended in {period.short_label}",
        columns=[Column("reason", "Reason", numeric=False), Column("matches", "Matches")],
        rows=ended_rows,
        foot=[p.text("All reasons"), p.count(programme.ended_total)],
        test_id="mentor-ended",
    )
    ended_chart = bar_chart(
        chart_id="chart-ended",
        title=f"Matches ended in {period.short_label}, by reason",
        description="Bar chart of the matches that ended, by the reason recorded. The table "
        "beside the chart has the same figures.",
        series=[Series("Matches")],
        rows=[Row(r[0].text, [_chart_value(r[1])]) for r in ended_rows],
    )
    return MentorReport(funnel, funnel_chart, former, load, ended, ended_chart)


def mentor_programme_csv(
    programme: MentorProgramme, period: Period, scope: str, p: Presenter
) -> tuple[list[str], list[list[Any]]]:
    """The mentor programme report as CSV: period, home district, section, item, values."""
    report = mentor_programme(programme, period, p)
    lead = [*_period_cells(period), scope]
    rows: list[list[Any]] = []
    for row in report.funnel.rows:
        for column, cell in zip(report.funnel.columns[1:], row[1:], strict=True):
            rows.append([*lead, "Recruitment funnel", row[0].text, column.heading, cell.csv])
    for label, cell in report.former:
        rows.append([*lead, "Former participants", label, "", cell.csv])
    for label, cell in report.load:
        rows.append([*lead, "Load now", label, "", cell.csv])
    for row in report.ended.rows:
        rows.append([*lead, "Matches ended", row[0].text, "", row[1].csv])
    header = ["Period from", "Period to", "Home district", "Section", "Item", "Measure", "Value"]
    return header, rows
