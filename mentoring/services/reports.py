"""Reports: district dashboards, the county overview, outcomes and payment by results, and
the mentor programme. Every figure is counted in SQL (GROUP BY), a fixed number of queries
for any number of districts and families.

What the figures mean (the README's "Reports" section says the same):

Period
  A programme year (1 April to 31 March, ``districts.programme_year_dates``) or a date
  range. Family figures count the families *referred* in the period, as they stand today:
  the same families a district's target counts (``districts.progress``). Mentor programme
  figures count the mentors who *applied* in the period. Matches ended and days to a match
  count matches that ended, or families whose first match started, in the period.
  "Now" figures (mentors by stage, checks expiring, matches without recent contact,
  mentors' load) are today's, whatever the period.

Families
  identified: referred in the period; engaged: worked with (engaged or exited, as
  ``progress`` counts them); waiting: ready for matching with no mentor
  (``families.ready_clause`` and not ``matched_clause``, the "Waiting for a mentor" list);
  matched: a mentor holds the family's slot now (``matched_clause``); turned around: the
  programme's results rule (``families.assess_turned_around``, here in SQL and tested
  against it).

Payment by results
  An attachment fee for each family worked with; a result payment for each of those turned
  around; together at most the cap a family (rates from ``PBR_ATTACHMENT_FEE``,
  ``PBR_RESULT_FEE``, ``PBR_MAX_PER_FAMILY``; defaults from the minutes: £3,200, £700,
  £4,000). The cap comes off the result payment.

Small numbers
  Counts from 1 to ``SMALL_NUMBER_THRESHOLD`` - 1 (default 5) show as "<5" in every export
  and on screen for districts whose families the viewer may not see; money worked out from
  a suppressed count shows as "less than" the threshold's worth, and an average or median of
  fewer families or mentors than the threshold is not shown. Zero is shown as 0.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from mentoring.exceptions import PeriodError
from mentoring.models import (
    PHASE1_CRITERIA,
    SLOT_HOLDING_STATUSES,
    UK_TIME,
    AuditEvent,
    ContactLog,
    Criterion,
    DbsCheck,
    DbsDecision,
    DbsResult,
    District,
    DistrictTarget,
    EndReason,
    Family,
    FamilyCriterion,
    FamilyOutcome,
    Match,
    MatchStatus,
    Mentor,
    MentorKind,
    MentorStatus,
    Outcome,
    PipelineStage,
    TrainingModule,
    TrainingRecord,
    service_today,
)
from mentoring.services.common.dates import add_months
from mentoring.services.common.endings import END_REASON_LABELS
from mentoring.services.districts import (
    WORKED_WITH,
    programme_year_dates,
    programme_year_label,
)
from mentoring.services.families import (
    RESULTS_FOR,
    matched_clause,
    phase2_min_criteria,
    ready_clause,
)
from mentoring.services.vetting import VettingPolicy, current_policy

HOLDING = [s.value for s in SLOT_HOLDING_STATUSES]
STAGES = list(PipelineStage)
LEFT_STATUSES = (MentorStatus.WITHDRAWN.value, MentorStatus.REJECTED.value)
# A range longer than this is refused (a typing slip, like 2062 for 2026).
MAX_RANGE_DAYS = 366 * 10
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


# ---------------------------------------------------------------------------
# Settings: small-number suppression and payment rates
# ---------------------------------------------------------------------------


def _setting(name: str, default: int) -> int:
    if has_app_context():
        return int(current_app.config.get(name, default))
    return default


def no_contact_days() -> int:
    """Return the days without contact after which an active match needs attention
    (``MONITOR_NO_CONTACT_DAYS``, as on the Matches page; default 14)."""
    return max(1, _setting("MONITOR_NO_CONTACT_DAYS", 14))


def small_number_threshold() -> int:
    """Return the smallest count shown as it is in anonymised output (default 5)."""
    return max(1, _setting("SMALL_NUMBER_THRESHOLD", 5))


def suppress(value: int, threshold: int) -> int | str:
    """Return a count for anonymised output: 1 to threshold - 1 become "<threshold"."""
    if 0 < value < threshold:
        return f"<{threshold}"
    return value


@dataclass(frozen=True)
class PaymentRates:
    """Payment-by-results rates in whole pounds."""

    attachment_fee: int = 3200
    result_fee: int = 700
    max_per_family: int = 4000

    @property
    def per_attachment(self) -> int:
        """The attachment fee a family earns (never more than the cap)."""
        return max(0, min(self.attachment_fee, self.max_per_family))

    @property
    def per_result(self) -> int:
        """The result payment a family earns: what the cap leaves after the attachment fee."""
        return max(0, min(self.result_fee, self.max_per_family - self.per_attachment))


def payment_rates() -> PaymentRates:
    """Return the configured rates (``PBR_ATTACHMENT_FEE``, ``PBR_RESULT_FEE``, ...)."""
    default = PaymentRates()
    return PaymentRates(
        attachment_fee=_setting("PBR_ATTACHMENT_FEE", default.attachment_fee),
        result_fee=_setting("PBR_RESULT_FEE", default.result_fee),
        max_per_family=_setting("PBR_MAX_PER_FAMILY", default.max_per_family),
    )


@dataclass(frozen=True)
class Payments:
    attachment: int
    results: int

    @property
    def total(self) -> int:
        return self.attachment + self.results


def payments(*, attached: int, results: int, rates: PaymentRates) -> Payments:
    """Work out the fees for families attached and the result payments for those turned around.

    ``results`` counts families both attached and turned around, so no family earns more
    than ``rates.max_per_family``.
    """
    if results > attached:
        raise ValueError("result payments are only for families attached to the programme")
    return Payments(attachment=attached * rates.per_attachment, results=results * rates.per_result)


# ---------------------------------------------------------------------------
# The period
# ---------------------------------------------------------------------------


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Period:
    """The days a report covers, first and last included."""

    start: date
    end: date
    programme_year: int | None = None

    @property
    def label(self) -> str:
        dates = f"{_long(self.start)} to {_long(self.end)}"
        if self.programme_year is not None:
            return f"programme year {programme_year_label(self.programme_year)} ({dates})"
        return dates

    @property
    def short_label(self) -> str:
        """The period in few words: 2026/27, or 1 May 2026 to 30 June 2026."""
        if self.programme_year is not None:
            return programme_year_label(self.programme_year)
        return f"{_long(self.start)} to {_long(self.end)}"

    @property
    def slug(self) -> str:
        """A name for files: 2026-27, or 2026-05-01-to-2026-06-30."""
        if self.programme_year is not None:
            return programme_year_label(self.programme_year).replace("/", "-")
        return f"{self.start.isoformat()}-to-{self.end.isoformat()}"

    def query_args(self) -> dict[str, Any]:
        """Return the query-string arguments that ask for this period again."""
        if self.programme_year is not None:
            return {"year": self.programme_year}
        return {
            "start": [str(self.start.day), str(self.start.month), str(self.start.year)],
            "end": [str(self.end.day), str(self.end.month), str(self.end.year)],
        }

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """Return the period as UTC times: from midnight (UK) on the first day to the next
        midnight after the last."""
        start = datetime.combine(self.start, time(), tzinfo=UK_TIME).astimezone(UTC)
        end = datetime.combine(self.end + timedelta(days=1), time(), tzinfo=UK_TIME)
        return start, end.astimezone(UTC)


def programme_year_period(year: int) -> Period:
    """Return a programme year as a period."""
    if not EARLIEST_YEAR <= year <= 2100:
        raise PeriodError("year", "Select a programme year from the list")
    first, last = programme_year_dates(year)
    return Period(first, last, programme_year=year)


def date_range_period(start: date | None, end: date | None) -> Period:
    """Return a date range as a period; say which date is wrong if it cannot be one."""
    if start is None:
        raise PeriodError("start", "Enter the first date of the period, like 1 4 2026")
    if end is None:
        raise PeriodError("end", "Enter the last date of the period, like 31 3 2027")
    if start.year < EARLIEST_YEAR:
        raise PeriodError("start", f"The first date must be in {EARLIEST_YEAR} or later")
    if end.year > LATEST_YEAR:
        raise PeriodError("end", f"The last date must be in {LATEST_YEAR} or earlier")
    if end < start:
        raise PeriodError("end", "The last date must be the same as or after the first date")
    if (end - start).days > MAX_RANGE_DAYS:
        raise PeriodError("end", "The period must be 10 years or shorter")
    return Period(start, end)


# ---------------------------------------------------------------------------
# SQL helpers
# ---------------------------------------------------------------------------


class days_between(FunctionElement[float]):  # noqa: N801 - reads as a SQL function
    """SQL: the days from one date to a later one (``later - earlier``)."""

    type = sa.Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element: Any, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


def _count_if(condition: Any) -> Any:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _rows(session: Session, statement: Any) -> list[Any]:
    """Run a select of columns on the session's connection (no ORM bookkeeping)."""
    return list(session.connection().execute(statement).all())


def _no_jit(session: Session) -> None:
    """Turn PostgreSQL's JIT compilation off for this transaction: for these short
    aggregate queries compiling takes longer (about 50 ms) than running them."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL jit = off")


# Bits for the turned-around rule in SQL: one per problem, and one for "an adult into work".
CRITERION_BIT = {c.value: 1 << i for i, c in enumerate(Criterion)}
INTO_WORK_BIT = 1 << len(CRITERION_BIT)
ALL_PROBLEMS = sum(CRITERION_BIT.values())
PHASE1_PROBLEMS = sum(CRITERION_BIT[c.value] for c in PHASE1_CRITERIA)


def criteria_mask() -> Any:
    """SQL: the family's problems as bits (``CRITERION_BIT``), one correlated lookup."""
    bit = sa.case(
        *((FamilyCriterion.criterion == code, b) for code, b in CRITERION_BIT.items()), else_=0
    )
    return (
        select(sa.func.coalesce(sa.func.sum(bit), 0))
        .where(FamilyCriterion.family_id == Family.id)
        .correlate(Family)
        .scalar_subquery()
    )


def results_mask() -> Any:
    """SQL: the problems the family's results address as bits, plus ``INTO_WORK_BIT``."""
    parts = [
        sa.func.max(
            sa.case(
                # OR of equalities: SQLite builds a table for an IN list on every lookup.
                (
                    sa.or_(*(FamilyOutcome.outcome == r for r in sorted(results))),
                    CRITERION_BIT[c.value],
                ),
                else_=0,
            )
        )
        for c, results in RESULTS_FOR.items()
    ]
    parts.append(
        sa.func.max(
            sa.case((FamilyOutcome.outcome == Outcome.INTO_WORK.value, INTO_WORK_BIT), else_=0)
        )
    )
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return (
        select(sa.func.coalesce(total, 0))
        .where(FamilyOutcome.family_id == Family.id)
        .correlate(Family)
        .scalar_subquery()
    )


def turned_around_rule(phase: Any, criteria: Any, results: Any) -> Any:
    """SQL: ``families.assess_turned_around`` on a family's phase and its two masks.

    Turned around: the family has at least one counted problem (phase 1 counts only the
    phase 1 criteria) and every one has a result that addresses it, or, in phase 2, an
    adult moved into work.
    """
    counted = sa.case((phase == 1, PHASE1_PROBLEMS), else_=ALL_PROBLEMS)
    problems = criteria.bitwise_and(counted)
    return sa.and_(
        problems != 0,
        sa.or_(
            problems.bitwise_and(results) == problems,
            sa.and_(phase == 2, results.bitwise_and(INTO_WORK_BIT) != 0),
        ),
    )


def turned_around_clause() -> Any:
    """SQL: the family is turned around (``families.assess_turned_around``)."""
    return turned_around_rule(Family.programme_phase, criteria_mask(), results_mask())


def lazy_and(clause: Any) -> Any:
    """SQL: the same as an ``and_`` of conditions, but later ones are only worked out when
    the earlier ones hold (a CASE, which databases evaluate in order: SQLite otherwise
    runs every correlated subquery of an AND in a select list). NULL counts as false."""
    conditions = list(getattr(clause, "clauses", [clause]))
    expression = conditions[-1]
    for condition in reversed(conditions[:-1]):
        expression = sa.case((condition, expression), else_=sa.false())
    return expression


def _in_districts(column: Any, district_ids: Iterable[int]) -> Any:
    return column.in_(sorted(district_ids))


# ---------------------------------------------------------------------------
# Families
# ---------------------------------------------------------------------------


@dataclass
class FamilyCounts:
    """The families referred in a period, as they stand today."""

    identified: int = 0
    engaged: int = 0
    waiting: int = 0
    matched: int = 0
    turned_around: int = 0
    # Turned around and worked with: the families that earn a result payment.
    turned_around_engaged: int = 0


def family_counts(
    *, session: Session, district_ids: set[int], period: Period
) -> dict[int, FamilyCounts]:
    """Count each district's families referred in the period (two queries).

    Each family's lookups are made once, in a materialised CTE: readiness and mentor for
    every family; criteria and results only for the families with a result (no other
    family can be turned around).
    """
    if not district_ids:
        return {}
    in_period = [
        _in_districts(Family.district_id, district_ids),
        col(Family.referred_on) >= period.start,
        col(Family.referred_on) <= period.end,
    ]
    worked = col(Family.engagement).in_(WORKED_WITH)
    cohort = (
        select(
            col(Family.district_id).label("district_id"),
            worked.label("worked"),
            lazy_and(ready_clause(phase2_min_criteria())).label("ready"),
            matched_clause().label("matched"),
        )
        .where(*in_period)
        .cte("cohort")
        .prefix_with("MATERIALIZED")
    )
    c = cohort.c
    matched = c.matched.is_(True)
    out = {d: FamilyCounts() for d in district_ids}
    for district_id, *counts in _rows(
        session,
        select(
            c.district_id,
            sa.func.count(),
            _count_if(c.worked.is_(True)),
            _count_if(sa.and_(c.ready.is_(True), ~matched)),
            _count_if(matched),
        ).group_by(c.district_id),
    ):
        out[district_id] = FamilyCounts(*(int(n) for n in counts))
    with_results = (
        select(
            col(Family.district_id).label("district_id"),
            worked.label("worked"),
            col(Family.programme_phase).label("phase"),
            criteria_mask().label("criteria"),
            results_mask().label("results"),
        )
        .where(
            *in_period,
            # Only a family with a result can be turned around (the index answers this).
            select(FamilyOutcome.family_id)
            .where(FamilyOutcome.family_id == Family.id)
            .correlate(Family)
            .exists(),
        )
        .cte("with_results")
        .prefix_with("MATERIALIZED")
    )
    r = with_results.c
    turned = turned_around_rule(r.phase, r.criteria, r.results)
    for district_id, turned_around, turned_around_engaged in _rows(
        session,
        select(
            r.district_id, _count_if(turned), _count_if(sa.and_(turned, r.worked.is_(True)))
        ).group_by(r.district_id),
    ):
        out[district_id].turned_around = int(turned_around)
        out[district_id].turned_around_engaged = int(turned_around_engaged)
    return out


def outcome_counts(
    *, session: Session, district_ids: set[int], period: Period
) -> dict[int, dict[str, int]]:
    """Count, per district and result, the period's families who achieved it (one query)."""
    out: dict[int, dict[str, int]] = {d: dict.fromkeys(Outcome.values(), 0) for d in district_ids}
    if not district_ids:
        return out
    for district_id, outcome, count in _rows(
        session,
        select(Family.district_id, FamilyOutcome.outcome, sa.func.count())
        .join(Family, col(Family.id) == FamilyOutcome.family_id)
        .where(
            _in_districts(Family.district_id, district_ids),
            col(Family.referred_on) >= period.start,
            col(Family.referred_on) <= period.end,
        )
        .group_by(col(Family.district_id), FamilyOutcome.outcome),
    ):
        out[district_id][outcome] = int(count)
    return out


def targets(*, session: Session, district_ids: set[int], period: Period) -> dict[int, int]:
    """Return the districts' targets for the period's programme year (none for date ranges)."""
    if period.programme_year is None or not district_ids:
        return {}
    return dict(
        _rows(
            session,
            select(DistrictTarget.district_id, DistrictTarget.target_families).where(
                _in_districts(DistrictTarget.district_id, district_ids),
                DistrictTarget.programme_year == period.programme_year,
            ),
        )
    )


@dataclass
class DaysToMatch:
    """Families whose first match started in the period, and the average days from consent."""

    families: int = 0
    average_days: float | None = None


def days_to_match(
    *, session: Session, district_ids: set[int], period: Period
) -> dict[int, DaysToMatch]:
    """Average the days from consent to mentoring to a family's first active match (one query).

    A match is active from the day the mentor accepts it (``Match.started_on``); families
    whose first match started in the period count, when their consent date is recorded.
    """
    out = {d: DaysToMatch() for d in district_ids}
    if not district_ids:
        return out
    first = (
        select(Match.family_id, sa.func.min(Match.started_on).label("started"))
        .where(col(Match.started_on).is_not(None))
        .group_by(col(Match.family_id))
        .subquery()
    )
    days = days_between(first.c.started, Family.consent_mentoring_on)
    for district_id, families, average in _rows(
        session,
        select(Family.district_id, sa.func.count(), sa.func.avg(days))
        .join(first, first.c.family_id == Family.id)
        .where(
            _in_districts(Family.district_id, district_ids),
            col(Family.consent_mentoring_on).is_not(None),
            first.c.started >= period.start,
            first.c.started <= period.end,
            first.c.started >= Family.consent_mentoring_on,
        )
        .group_by(col(Family.district_id)),
    ):
        out[district_id] = DaysToMatch(int(families), float(average))
    return out


# ---------------------------------------------------------------------------
# Now: mentors, checks expiring, contact
# ---------------------------------------------------------------------------


@dataclass
class MentorCounts:
    """A district's mentors (by home district) today: active ones by stage, and the rest."""

    by_stage: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(PipelineStage.values(), 0)
    )
    paused: int = 0
    left: int = 0

    @property
    def ready(self) -> int:
        return self.by_stage[PipelineStage.READY.value]

    @property
    def in_vetting(self) -> int:
        return sum(v for k, v in self.by_stage.items() if k != PipelineStage.READY.value)


def mentor_counts(*, session: Session, district_ids: set[int]) -> dict[int, MentorCounts]:
    """Count each district's mentors by stage and status (one query)."""
    out = {d: MentorCounts() for d in district_ids}
    if not district_ids:
        return out
    for district_id, stage, status, count in _rows(
        session,
        select(Mentor.home_district_id, Mentor.stage, Mentor.status, sa.func.count())
        .where(_in_districts(Mentor.home_district_id, district_ids))
        .group_by(col(Mentor.home_district_id), Mentor.stage, Mentor.status),
    ):
        counts = out[district_id]
        if status == MentorStatus.ACTIVE.value:
            counts.by_stage[stage] = counts.by_stage.get(stage, 0) + int(count)
        elif status == MentorStatus.PAUSED.value:
            counts.paused += int(count)
        else:
            counts.left += int(count)
    return out


@dataclass
class ExpiringCounts:
    """Checks and training of a district's mentors due within the reminder days, or expired."""

    dbs_due: int = 0
    dbs_expired: int = 0
    training_due: int = 0
    training_expired: int = 0

    @property
    def total(self) -> int:
        return self.dbs_due + self.training_due


def last_day_due_by(horizon: date, months: int) -> date:
    """Return the latest day whose date ``months`` later is on or before ``horizon``.

    ``add_months`` never goes backwards, so "add_months(day, months) <= horizon" is the
    same as "day <= last_day_due_by(horizon, months)": the rule becomes a date comparison
    the database can make.
    """
    day = add_months(horizon, -months)
    while add_months(day + timedelta(days=1), months) <= horizon:
        day += timedelta(days=1)
    return day


def expiring_counts(
    *,
    session: Session,
    district_ids: set[int],
    on: date,
    within_days: int | None = None,
    policy: VettingPolicy | None = None,
) -> dict[int, ExpiringCounts]:
    """Count what ``vetting.expiring_items`` lists, by home district (two queries).

    Mentors still with the provider (active or paused); their current DBS check (the latest
    issued by ``on``) when clear or cleared after a risk assessment, due three years after
    issue or a year after an Update Service status check, whichever is later; and the latest
    completion of each active training module that expires.
    """
    policy = policy or current_policy()
    within = policy.reminder_days if within_days is None else within_days
    horizon = on + timedelta(days=within)
    out = {d: ExpiringCounts() for d in district_ids}
    if not district_ids:
        return out
    with_provider = [
        _in_districts(Mentor.home_district_id, district_ids),
        col(Mentor.status).in_([MentorStatus.ACTIVE.value, MentorStatus.PAUSED.value]),
    ]

    # DBS: the latest check issued by `on`, per mentor.
    latest = (
        select(
            DbsCheck.mentor_id,
            DbsCheck.issue_date,
            DbsCheck.result,
            DbsCheck.decision,
            DbsCheck.update_service_subscribed,
            DbsCheck.last_status_check_on,
            sa.func.row_number()
            .over(
                partition_by=DbsCheck.mentor_id,
                order_by=(col(DbsCheck.issue_date).desc(), col(DbsCheck.id).desc()),
            )
            .label("n"),
        )
        .where(DbsCheck.issue_date <= on)
        .subquery()
    )

    def dbs_due_by(day: date) -> Any:
        # due = max(issue + recheck, status check + status months when subscribed and done)
        by_status_check = sa.and_(
            latest.c.update_service_subscribed.is_(True),
            latest.c.last_status_check_on.is_not(None),
            latest.c.last_status_check_on <= on,
            latest.c.last_status_check_on > last_day_due_by(day, policy.dbs_status_check_months),
        )
        return sa.and_(
            latest.c.issue_date <= last_day_due_by(day, policy.dbs_recheck_months),
            ~by_status_check,
        )

    for district_id, due, expired in _rows(
        session,
        select(Mentor.home_district_id, _count_if(dbs_due_by(horizon)), _count_if(dbs_due_by(on)))
        .join(latest, latest.c.mentor_id == Mentor.id)
        .where(
            *with_provider,
            latest.c.n == 1,
            sa.or_(
                latest.c.result == DbsResult.CLEAR.value,
                latest.c.decision == DbsDecision.PROCEED.value,
            ),
        )
        .group_by(col(Mentor.home_district_id)),
    ):
        out[district_id].dbs_due = int(due)
        out[district_id].dbs_expired = int(expired)

    # Training: the latest completion (by `on`) of each active module that expires.
    modules = dict(
        _rows(
            session,
            select(TrainingModule.id, TrainingModule.validity_months).where(
                col(TrainingModule.active).is_(True),
                col(TrainingModule.validity_months).is_not(None),
            ),
        )
    )
    if not modules:
        return out

    def training_due_by(day: date, module: Any, completed: Any) -> Any:
        return sa.or_(
            *(
                sa.and_(module == module_id, completed <= last_day_due_by(day, months))
                for module_id, months in sorted(modules.items())
            )
        )

    latest_completed = sa.func.max(TrainingRecord.completed_on)
    # Only the (mentor, module) pairs due by the horizon come out of the grouping.
    last = (
        select(
            TrainingRecord.mentor_id,
            TrainingRecord.module_id,
            latest_completed.label("completed"),
        )
        .where(
            col(TrainingRecord.completed_on) <= on,
            col(TrainingRecord.module_id).in_(sorted(modules)),
        )
        .group_by(col(TrainingRecord.mentor_id), TrainingRecord.module_id)
        .having(training_due_by(horizon, TrainingRecord.module_id, latest_completed))
        .subquery()
    )
    for district_id, due, expired in _rows(
        session,
        select(
            Mentor.home_district_id,
            sa.func.count(),
            _count_if(training_due_by(on, last.c.module_id, last.c.completed)),
        )
        .join(last, last.c.mentor_id == Mentor.id)
        .where(*with_provider)
        .group_by(col(Mentor.home_district_id)),
    ):
        out[district_id].training_due = int(due)
        out[district_id].training_expired = int(expired)
    return out


@dataclass
class ContactCounts:
    active_matches: int = 0
    no_recent_contact: int = 0


def contact_counts(
    *,
    session: Session,
    district_ids: set[int],
    on: date,
    days: int | None = None,
) -> dict[int, ContactCounts]:
    """Count active matches, and those with no contact in the last days (one query).

    The same rule as ``matches.monitoring``: the last contact, or else the start of the
    match, is before ``on`` minus the days.
    """
    out = {d: ContactCounts() for d in district_ids}
    if not district_ids:
        return out
    last_contact = (
        select(sa.func.max(ContactLog.contact_on))
        .where(ContactLog.match_id == Match.id)
        .correlate(Match)
        .scalar_subquery()
    )
    cutoff = on - timedelta(days=no_contact_days() if days is None else days)
    for district_id, active, stale in _rows(
        session,
        select(
            Family.district_id,
            sa.func.count(),
            _count_if(sa.func.coalesce(last_contact, Match.started_on) < cutoff),
        )
        .join(Family, col(Family.id) == Match.family_id)
        .where(
            Match.status == MatchStatus.ACTIVE.value,
            _in_districts(Family.district_id, district_ids),
        )
        .group_by(col(Family.district_id)),
    ):
        out[district_id] = ContactCounts(int(active), int(stale))
    return out


# ---------------------------------------------------------------------------
# A district's figures: the dashboard and a row of the county overview
# ---------------------------------------------------------------------------


@dataclass
class DistrictFigures:
    """Everything a district dashboard shows, for one district."""

    district_id: int
    code: str
    name: str
    target: int | None
    families: FamilyCounts
    mentors: MentorCounts
    expiring: ExpiringCounts
    contact: ContactCounts
    to_match: DaysToMatch

    @property
    def percent_of_target(self) -> int | None:
        """Families worked with as a share of the target (as ``districts.Progress``)."""
        if not self.target:
            return None
        return round(100 * self.families.engaged / self.target)


def district_figures(
    *, session: Session, district_ids: set[int], period: Period, on: date | None = None
) -> list[DistrictFigures]:
    """Return the figures of the districts, by name (a fixed number of queries)."""
    on = on or service_today()
    ids = set(district_ids)
    if not ids:
        return []
    _no_jit(session)
    districts = _rows(
        session,
        select(District.id, District.code, District.name)
        .where(_in_districts(District.id, ids))
        .order_by(col(District.name)),
    )
    ids = {d for d, *_ in districts}
    goal = targets(session=session, district_ids=ids, period=period)
    families = family_counts(session=session, district_ids=ids, period=period)
    mentors = mentor_counts(session=session, district_ids=ids)
    expiring = expiring_counts(session=session, district_ids=ids, on=on)
    contact = contact_counts(session=session, district_ids=ids, on=on)
    to_match = days_to_match(session=session, district_ids=ids, period=period)
    return [
        DistrictFigures(
            district_id=d,
            code=code,
            name=name,
            target=goal.get(d),
            families=families[d],
            mentors=mentors[d],
            expiring=expiring[d],
            contact=contact[d],
            to_match=to_match[d],
        )
        for d, code, name in districts
    ]


def total_figures(rows: list[DistrictFigures]) -> DistrictFigures:
    """Add up districts' figures (the average days weighted by families)."""

    def add(objects: list[Any], cls: type) -> Any:
        total = cls()
        for obj in objects:
            for name, value in vars(obj).items():
                if isinstance(value, dict):
                    bucket = getattr(total, name)
                    for key, n in value.items():
                        bucket[key] = bucket.get(key, 0) + n
                elif isinstance(value, int):
                    setattr(total, name, getattr(total, name) + value)
        return total

    matched = sum(r.to_match.families for r in rows)
    days = sum((r.to_match.average_days or 0) * r.to_match.families for r in rows)
    targets_known = [r.target for r in rows if r.target is not None]
    return DistrictFigures(
        district_id=0,
        code="",
        name="All districts",
        target=sum(targets_known) if targets_known else None,
        families=add([r.families for r in rows], FamilyCounts),
        mentors=add([r.mentors for r in rows], MentorCounts),
        expiring=add([r.expiring for r in rows], ExpiringCounts),
        contact=add([r.contact for r in rows], ContactCounts),
        to_match=DaysToMatch(matched, days / matched if matched else None),
    )


# ---------------------------------------------------------------------------
# Outcomes and payment by results
# ---------------------------------------------------------------------------


@dataclass
class OutcomeRow:
    district_id: int
    code: str
    name: str
    identified: int
    attached: int
    outcomes: dict[str, int]
    turned_around: int
    payable_results: int
    payments: Payments


def outcomes_report(
    *, session: Session, district_ids: set[int], period: Period, rates: PaymentRates
) -> list[OutcomeRow]:
    """Per district: the period's families, results achieved, turned around, fees implied."""
    if not district_ids:
        return []
    _no_jit(session)
    districts = _rows(
        session,
        select(District.id, District.code, District.name)
        .where(_in_districts(District.id, district_ids))
        .order_by(col(District.name)),
    )
    ids = {d for d, *_ in districts}
    families = family_counts(session=session, district_ids=ids, period=period)
    outcomes = outcome_counts(session=session, district_ids=ids, period=period)
    rows = []
    for d, code, name in districts:
        f = families[d]
        rows.append(
            OutcomeRow(
                district_id=d,
                code=code,
                name=name,
                identified=f.identified,
                attached=f.engaged,
                outcomes=outcomes[d],
                turned_around=f.turned_around,
                payable_results=f.turned_around_engaged,
                payments=payments(attached=f.engaged, results=f.turned_around_engaged, rates=rates),
            )
        )
    return rows


def total_outcomes(rows: list[OutcomeRow], rates: PaymentRates) -> OutcomeRow:
    attached = sum(r.attached for r in rows)
    payable = sum(r.payable_results for r in rows)
    outcomes = dict.fromkeys(Outcome.values(), 0)
    for r in rows:
        for key, n in r.outcomes.items():
            outcomes[key] += n
    return OutcomeRow(
        district_id=0,
        code="",
        name="All districts",
        identified=sum(r.identified for r in rows),
        attached=attached,
        outcomes=outcomes,
        turned_around=sum(r.turned_around for r in rows),
        payable_results=payable,
        payments=payments(attached=attached, results=payable, rates=rates),
    )


# ---------------------------------------------------------------------------
# The mentor programme
# ---------------------------------------------------------------------------


@dataclass
class FunnelStage:
    """How far the period's applicants got: one pipeline stage."""

    stage: str
    label: str
    reached: int = 0
    in_progress: int = 0  # active and at this stage now
    paused: int = 0
    left: int = 0  # withdrew or were turned down at this stage
    timed: list[float] = field(default_factory=list, repr=False)

    @property
    def dropout_percent(self) -> int | None:
        if not self.reached:
            return None
        return round(100 * self.left / self.reached)

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.timed) if self.timed else None


@dataclass
class EndedCount:
    reason: str
    label: str
    count: int


@dataclass
class MentorProgramme:
    applied: int
    funnel: list[FunnelStage]
    role_models_applied: int
    role_models_ready: int
    former_families: int  # role models linked to the family record they came from
    ready_now: int
    held_now: int
    capacity_now: int
    ended: list[EndedCount]

    @property
    def ready(self) -> int:
        return self.funnel[-1].reached if self.funnel else 0

    @property
    def average_load(self) -> float | None:
        return self.held_now / self.ready_now if self.ready_now else None

    @property
    def ended_total(self) -> int:
        return sum(e.count for e in self.ended)


def _stage_durations(
    session: Session, cohort: Any, applied_at: dict[int, datetime]
) -> dict[str, list[float]]:
    """Return the days each of the cohort's mentors spent in each stage they have left.

    From the audit log's stage changes (``mentor.stage``: from, to, when). A mentor enters
    "applied" when they apply and a later stage on the first change to it; they leave a
    stage on the first change from it.
    """
    from_stage = AuditEvent.details["from_stage"].as_string()
    to_stage = AuditEvent.details["to_stage"].as_string()
    entered: dict[tuple[int, str], datetime] = {}
    left: dict[tuple[int, str], datetime] = {}
    for mentor_id, source, target, at in _rows(
        session,
        select(AuditEvent.object_id, from_stage, to_stage, AuditEvent.at).where(
            AuditEvent.action == "mentor.stage",
            AuditEvent.object_type == "mentor",
            col(AuditEvent.object_id).in_(cohort),
        ),
    ):
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        if target and ((mentor_id, target) not in entered or at < entered[(mentor_id, target)]):
            entered[(mentor_id, target)] = at
        if source and ((mentor_id, source) not in left or at < left[(mentor_id, source)]):
            left[(mentor_id, source)] = at
    for mentor_id, applied in applied_at.items():
        entered[(mentor_id, PipelineStage.APPLIED.value)] = applied
    durations: dict[str, list[float]] = defaultdict(list)
    for (mentor_id, stage), leaving in left.items():
        start = entered.get((mentor_id, stage))
        if start is not None and leaving >= start:
            durations[stage].append((leaving - start).total_seconds() / 86400)
    return durations


def mentor_programme(
    *,
    session: Session,
    district_ids: set[int],
    period: Period,
) -> MentorProgramme:
    """Recruitment funnel, former participants, load and endings (a fixed number of queries).

    The funnel counts mentors who applied in the period (by home district); a mentor has
    reached every stage up to their current one. Load and capacity are today's, of active
    ready mentors. Matches ended count matches ended in the period, by the mentor's home
    district.
    """
    ids = sorted(district_ids)
    _no_jit(session)
    start, end = period.utc_bounds()
    in_cohort = [
        col(Mentor.home_district_id).in_(ids),
        col(Mentor.applied_at) >= start,
        col(Mentor.applied_at) < end,
    ]
    funnel = [FunnelStage(stage=s.value, label=s.label) for s in STAGES]
    index = {s.value: i for i, s in enumerate(STAGES)}
    applied = role_models_applied = role_models_ready = 0
    for kind, stage, status, count in _rows(
        session,
        select(Mentor.kind, Mentor.stage, Mentor.status, sa.func.count())
        .where(*in_cohort)
        .group_by(col(Mentor.kind), Mentor.stage, Mentor.status),
    ):
        count = int(count)
        applied += count
        position = index[stage]
        for reached in funnel[: position + 1]:
            reached.reached += count
        here = funnel[position]
        if status == MentorStatus.ACTIVE.value:
            here.in_progress += count
        elif status == MentorStatus.PAUSED.value:
            here.paused += count
        else:
            here.left += count
        if kind == MentorKind.ROLE_MODEL.value:
            role_models_applied += count
            if stage == PipelineStage.READY.value:
                role_models_ready += count
    former_families = int(
        session.exec(
            select(sa.func.count())
            .select_from(Mentor)
            .where(*in_cohort, col(Mentor.former_family_id).is_not(None))
        ).one()
    )
    cohort = select(Mentor.id).where(*in_cohort)
    applied_at = {
        mid: (at if at.tzinfo else at.replace(tzinfo=UTC))
        for mid, at in _rows(session, select(Mentor.id, Mentor.applied_at).where(*in_cohort))
    }
    for stage, days in _stage_durations(session, cohort, applied_at).items():
        if stage in index:
            funnel[index[stage]].timed = days

    ready_active = [
        col(Mentor.home_district_id).in_(ids),
        Mentor.stage == PipelineStage.READY.value,
        Mentor.status == MentorStatus.ACTIVE.value,
    ]
    ready_now, capacity_now = _rows(
        session,
        select(sa.func.count(), sa.func.coalesce(sa.func.sum(Mentor.capacity), 0)).where(
            *ready_active
        ),
    )[0]
    held_now = int(
        session.exec(
            select(sa.func.count())
            .select_from(Match)
            .join(Mentor, col(Mentor.id) == Match.mentor_id)
            .where(*ready_active, col(Match.status).in_(HOLDING))
        ).one()
    )
    ended_counts = dict(
        _rows(
            session,
            select(Match.end_reason, sa.func.count())
            .join(Mentor, col(Mentor.id) == Match.mentor_id)
            .where(
                col(Mentor.home_district_id).in_(ids),
                Match.status == MatchStatus.ENDED.value,
                col(Match.ended_on) >= period.start,
                col(Match.ended_on) <= period.end,
            )
            .group_by(col(Match.end_reason)),
        )
    )
    ended = [
        EndedCount(
            reason.value, END_REASON_LABELS[reason.value], int(ended_counts.pop(reason.value, 0))
        )
        for reason in EndReason
    ]
    for reason, count in sorted(ended_counts.items(), key=lambda kv: str(kv[0])):
        ended.append(EndedCount(reason or "", "Not recorded" if not reason else reason, int(count)))
    return MentorProgramme(
        applied=applied,
        funnel=funnel,
        role_models_applied=role_models_applied,
        role_models_ready=role_models_ready,
        former_families=former_families,
        ready_now=int(ready_now),
        held_now=held_now,
        capacity_now=int(capacity_now),
        ended=ended,
    )
