"""The vetting gate: whether a mentor may be matched on a date, and why not.

The rule itself (:func:`evaluate_gate`) works on plain data and knows nothing of the
database; :func:`check_gate` and :func:`matchable_mentor_ids` load rows (a fixed number of
queries, whatever the number of mentors) and call it. Everything else that decides or
changes whether a mentor can be matched lives here too: recording references, DBS checks,
interviews and training; the keeping-in-date list; the daily job that sends reminders,
tells coordinators when a mentor stops being matchable and purges DBS rationales.

Policy comes from the app's configuration (defaults in brackets):
``DBS_RECHECK_MONTHS`` (36) a DBS check is in date for this long after issue;
``DBS_STATUS_CHECK_MONTHS`` (12) for Update Service subscribers, a status check keeps it in
date for this long after the check; ``DBS_ACCEPTED_LEVELS`` (enhanced_children,
enhanced_both) levels that clear a mentor to work with families; ``VETTING_REMINDER_DAYS``
(60) how far ahead reminders go; ``DBS_RATIONALE_PURGE_MONTHS`` (6) after a risk-assessment
decision its rationale is cleared (the decision itself is kept).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlmodel import Session, col, select

from mentoring import audit
from mentoring.db import write_transaction
from mentoring.exceptions import VettingError
from mentoring.models import (
    SLOT_HOLDING_STATUSES,
    CoordinatorDistrict,
    DbsCheck,
    DbsDecision,
    DbsLevel,
    DbsResult,
    EndReason,
    Family,
    Interview,
    InterviewOutcome,
    Match,
    Mentor,
    MentorStatus,
    Need,
    Notification,
    PipelineStage,
    Reference,
    Role,
    TrainingModule,
    TrainingRecord,
    User,
    VettingReminder,
    utcnow,
)
from mentoring.services.common.dates import (
    add_months,
    long_date,
)
from mentoring.services.common.endings import release_matches
from mentoring.services.common.notify import (
    Outbox,
    link,
    users_of_role,
)

EARLIEST_DATE = date(2000, 1, 1)
STAGE_ORDER = [s.value for s in PipelineStage]


# ---------------------------------------------------------------------------
# Policy
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VettingPolicy:
    """The configurable rules of the gate and of keeping in date."""

    dbs_recheck_months: int = 36
    dbs_status_check_months: int = 12
    dbs_accepted_levels: frozenset[str] = frozenset(
        {DbsLevel.ENHANCED_CHILDREN.value, DbsLevel.ENHANCED_BOTH.value}
    )
    references_needed: int = 2
    reminder_days: int = 60
    rationale_purge_months: int = 6

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> VettingPolicy:
        default = cls()
        levels = config.get("DBS_ACCEPTED_LEVELS")
        if isinstance(levels, str):
            levels = {v.strip() for v in levels.split(",") if v.strip()}
        return cls(
            dbs_recheck_months=int(config.get("DBS_RECHECK_MONTHS", default.dbs_recheck_months)),
            dbs_status_check_months=int(
                config.get("DBS_STATUS_CHECK_MONTHS", default.dbs_status_check_months)
            ),
            dbs_accepted_levels=frozenset(levels) if levels else default.dbs_accepted_levels,
            reminder_days=int(config.get("VETTING_REMINDER_DAYS", default.reminder_days)),
            rationale_purge_months=int(
                config.get("DBS_RATIONALE_PURGE_MONTHS", default.rationale_purge_months)
            ),
        )


def current_policy() -> VettingPolicy:
    """Return the policy from the app's configuration (defaults outside an app)."""
    if has_app_context():
        return VettingPolicy.from_config(current_app.config)
    return VettingPolicy()


# ---------------------------------------------------------------------------
# The rule, on plain data
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceFacts:
    satisfactory: bool | None
    received_on: date | None


@dataclass(frozen=True)
class DbsFacts:
    id: int
    level: str
    issue_date: date
    result: str
    decision: str | None = None
    update_service_subscribed: bool = False
    last_status_check_on: date | None = None


@dataclass(frozen=True)
class InterviewFacts:
    held_on: date
    outcome: str


@dataclass(frozen=True)
class ModuleFacts:
    id: int
    code: str
    name: str
    validity_months: int | None
    mandatory: bool
    active: bool = True
    unlocks_need: str | None = None


@dataclass(frozen=True)
class MentorFacts:
    """Everything the gate looks at for one mentor."""

    mentor_id: int
    stage: str
    status: str
    references: tuple[ReferenceFacts, ...] = ()
    dbs_checks: tuple[DbsFacts, ...] = ()
    interviews: tuple[InterviewFacts, ...] = ()
    # module id -> dates the module was completed
    training: Mapping[int, tuple[date, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckItem:
    """One line of a mentor's checklist: done or not, and what to say about it."""

    key: str  # references, dbs, interview, training:<code>, status, stage
    label: str
    done: bool
    detail: str
    reason: str = ""  # the plain-English reason when not done (safe to show coordinators)
    due_on: date | None = None


@dataclass(frozen=True)
class GateResult:
    """Whether a mentor is matchable, the reasons if not, and the whole checklist."""

    matchable: bool
    reasons: list[str]
    checklist: list[CheckItem] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """The keys of the checklist items not done."""
        return [item.key for item in self.checklist if not item.done]

    def blocking(self, *, ignore: Collection[str] = ()) -> list[str]:
        """The reasons, leaving out the items with the given keys."""
        return [i.reason for i in self.checklist if not i.done and i.key not in ignore]


def current_dbs(checks: Iterable[DbsFacts], on: date) -> DbsFacts | None:
    """Return the latest DBS check issued on or before the date."""
    issued = [c for c in checks if c.issue_date <= on]
    return max(issued, key=lambda c: (c.issue_date, c.id)) if issued else None


def dbs_due_on(dbs: DbsFacts, policy: VettingPolicy, on: date | None = None) -> date:
    """Return the date a DBS check stops being in date.

    Three years (by default) after issue; for Update Service subscribers, a status check
    keeps it in date for a year (by default) after the check, whichever is later.
    """
    due = add_months(dbs.issue_date, policy.dbs_recheck_months)
    check = dbs.last_status_check_on
    if dbs.update_service_subscribed and check is not None and (on is None or check <= on):
        due = max(due, add_months(check, policy.dbs_status_check_months))
    return due


def dbs_uses_status_check(dbs: DbsFacts, policy: VettingPolicy) -> bool:
    """Tell whether the DBS check's due date comes from an Update Service status check."""
    return dbs_due_on(dbs, policy) > add_months(dbs.issue_date, policy.dbs_recheck_months)


def training_expires_on(completed_on: date, module: ModuleFacts) -> date | None:
    """Return the date a completion stops being in date (None: it never expires)."""
    if module.validity_months is None:
        return None
    return add_months(completed_on, module.validity_months)


def latest_completion(dates: Iterable[date], on: date) -> date | None:
    done = [d for d in dates if d <= on]
    return max(done) if done else None


def _references_item(facts: MentorFacts, policy: VettingPolicy) -> CheckItem:
    needed = policy.references_needed
    good = sum(1 for r in facts.references if r.satisfactory is True)
    label = f"{'Two' if needed == 2 else needed} satisfactory references"
    if good >= needed:
        return CheckItem("references", label, True, f"{good} satisfactory references received")
    waiting = sum(1 for r in facts.references if r.received_on is None)
    detail = f"{good} of {needed} satisfactory"
    if waiting:
        detail += f"; {waiting} requested, not yet received"
    if not facts.references:
        detail = "No referees recorded yet"
    reason = (
        f"Only {good} of {needed} satisfactory references"
        if good
        else f"No satisfactory references (needs {needed})"
    )
    return CheckItem("references", label, False, detail, reason)


def _dbs_item(facts: MentorFacts, on: date, policy: VettingPolicy) -> CheckItem:
    label = "An in-date enhanced DBS check, cleared"
    dbs = current_dbs(facts.dbs_checks, on)
    if dbs is None:
        return CheckItem("dbs", label, False, "No DBS check recorded", "No DBS check recorded")
    if dbs.level not in policy.dbs_accepted_levels:
        return CheckItem(
            "dbs",
            label,
            False,
            f"Level recorded: {DbsLevel(dbs.level).label}. A check with the children's barred "
            "list is needed to work with families.",
            "DBS check does not include the children's barred list",
        )
    if dbs.result == DbsResult.DISCLOSED.value and dbs.decision is None:
        return CheckItem(
            "dbs",
            label,
            False,
            "Information disclosed: record the risk-assessment decision",
            "DBS check is waiting for a risk-assessment decision",
        )
    if dbs.result == DbsResult.DISCLOSED.value and dbs.decision != DbsDecision.PROCEED.value:
        return CheckItem(
            "dbs",
            label,
            False,
            "Risk assessment decided not to proceed",
            "DBS check not cleared",
        )
    due = dbs_due_on(dbs, policy, on)
    if on >= due:
        what = (
            "DBS Update Service status check overdue since"
            if dbs.update_service_subscribed and dbs.last_status_check_on
            else "DBS check expired on"
        )
        return CheckItem(
            "dbs", label, False, f"{what} {long_date(due)}", f"{what} {long_date(due)}"
        )
    cleared = "Clear" if dbs.result == DbsResult.CLEAR.value else "Cleared after risk assessment"
    return CheckItem(
        "dbs",
        label,
        True,
        f"{cleared}; issued {long_date(dbs.issue_date)}, in date until {long_date(due)}",
        due_on=due,
    )


def _interview_item(facts: MentorFacts, on: date) -> CheckItem:
    label = "A passed suitability interview"
    held = [i for i in facts.interviews if i.held_on <= on]
    if not held:
        return CheckItem(
            "interview", label, False, "No interview recorded", "No passed suitability interview"
        )
    latest = max(held, key=lambda i: i.held_on)
    if latest.outcome == InterviewOutcome.PASSED.value:
        return CheckItem("interview", label, True, f"Passed on {long_date(latest.held_on)}")
    return CheckItem(
        "interview",
        label,
        False,
        f"Interview on {long_date(latest.held_on)}: {latest.outcome}",
        "No passed suitability interview",
    )


def _training_item(facts: MentorFacts, module: ModuleFacts, on: date) -> CheckItem:
    key, label = f"training:{module.code}", f"Training: {module.name}"
    completed = latest_completion(facts.training.get(module.id, ()), on)
    if completed is None:
        return CheckItem(
            key, label, False, "Not completed", f"Mandatory training missing: {module.name}"
        )
    expires = training_expires_on(completed, module)
    if expires is not None and on >= expires:
        text = f"Mandatory training expired on {long_date(expires)}: {module.name}"
        return CheckItem(key, label, False, f"Expired on {long_date(expires)}", text)
    detail = f"Completed {long_date(completed)}" + (
        f", in date until {long_date(expires)}" if expires else " (does not expire)"
    )
    return CheckItem(key, label, True, detail, due_on=expires)


def _status_item(facts: MentorFacts) -> CheckItem:
    label = "Active (not paused, withdrawn or rejected)"
    if facts.status == MentorStatus.ACTIVE.value:
        return CheckItem("status", label, True, "Active")
    reason = {
        MentorStatus.PAUSED.value: "Paused",
        MentorStatus.WITHDRAWN.value: "Withdrawn from the pipeline",
        MentorStatus.REJECTED.value: "Not accepted as a mentor",
    }.get(facts.status, facts.status)
    return CheckItem("status", label, False, reason, reason)


def _stage_item(facts: MentorFacts) -> CheckItem:
    label = "Marked ready by provider staff"
    if facts.stage == PipelineStage.READY.value:
        return CheckItem("stage", label, True, "Ready")
    stage = PipelineStage(facts.stage).label
    return CheckItem(
        "stage", label, False, f"At the {stage} stage", f"Not marked ready (at the {stage} stage)"
    )


def evaluate_gate(
    facts: MentorFacts,
    modules: Iterable[ModuleFacts],
    *,
    on: date,
    policy: VettingPolicy | None = None,
) -> GateResult:
    """Decide whether a mentor is matchable on a date, from plain data (no database).

    Matchable means: two satisfactory references; an in-date DBS check at an accepted
    level that is clear or cleared after a risk assessment; a passed suitability
    interview (the latest); every active mandatory training module completed and in date;
    stage ready; status active.
    """
    policy = policy or VettingPolicy()
    items = [
        _references_item(facts, policy),
        _dbs_item(facts, on, policy),
        _interview_item(facts, on),
    ]
    mandatory = sorted(
        (m for m in modules if m.mandatory and m.active), key=lambda m: (m.name, m.id)
    )
    items += [_training_item(facts, module, on) for module in mandatory]
    items += [_status_item(facts), _stage_item(facts)]
    # The status comes first among the reasons: it is what people need to know first.
    ordered = sorted(items, key=lambda i: i.key != "status")
    reasons = [i.reason for i in ordered if not i.done]
    return GateResult(matchable=not reasons, reasons=reasons, checklist=items)


def unlocked_needs(facts: MentorFacts, modules: Iterable[ModuleFacts], *, on: date) -> set[str]:
    """Return the need codes that in-date specialist training unlocks for a mentor."""
    out: set[str] = set()
    for module in modules:
        if not module.active or module.unlocks_need is None:
            continue
        completed = latest_completion(facts.training.get(module.id, ()), on)
        if completed is None:
            continue
        expires = training_expires_on(completed, module)
        if expires is None or on < expires:
            out.add(module.unlocks_need)
    return out


# ---------------------------------------------------------------------------
# Loading rows (a fixed number of queries for any number of mentors)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MentorInfo:
    """A mentor's identifying details, loaded beside the facts."""

    id: int
    reference: str
    first_name: str
    last_name: str
    email: str
    home_district_id: int
    stage: str
    status: str
    matchable_since: date | None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def load_modules(session: Session) -> list[ModuleFacts]:
    """Load the training catalogue as plain data."""
    needs = dict(session.exec(select(Need.id, Need.code)).all())
    return [
        ModuleFacts(
            id=m.id,  # type: ignore[arg-type]
            code=m.code,
            name=m.name,
            validity_months=m.validity_months,
            mandatory=m.mandatory,
            active=m.active,
            unlocks_need=needs.get(m.unlocks_need_id) if m.unlocks_need_id else None,
        )
        for m in session.exec(select(TrainingModule).order_by(col(TrainingModule.id))).all()
    ]


_CHUNK = 5000


def _id_filters(column: Any, mentor_ids: Collection[int] | None, where: Any) -> list[Any]:
    """Filters on a mentor id column: a list of ids (in chunks) or a subquery of mentors."""
    if mentor_ids is not None:
        ids = sorted(mentor_ids)
        return [column.in_(ids[i : i + _CHUNK]) for i in range(0, len(ids), _CHUNK)] or [
            column.in_([])
        ]
    query = select(Mentor.id)
    if where is not None:
        query = query.where(*where)
    return [column.in_(query)]


def _rows(session: Session, statement: Any) -> list[Any]:
    """Run a select of columns on the session's connection (no ORM bookkeeping: faster)."""
    return list(session.connection().execute(statement).all())


def load_facts(
    session: Session,
    *,
    mentor_ids: Collection[int] | None = None,
    where: list[Any] | None = None,
) -> tuple[dict[int, MentorFacts], dict[int, MentorInfo]]:
    """Load the gate's facts for some mentors: given ids, or those matching ``where``."""
    infos: dict[int, MentorInfo] = {}
    for id_filter in _id_filters(Mentor.id, mentor_ids, where):
        for row in _rows(
            session,
            select(
                Mentor.id,
                Mentor.reference,
                Mentor.first_name,
                Mentor.last_name,
                Mentor.email,
                Mentor.home_district_id,
                Mentor.stage,
                Mentor.status,
                Mentor.matchable_since,
            ).where(id_filter),
        ):
            infos[row[0]] = MentorInfo(*row)
    if not infos:
        return {}, {}
    references: dict[int, list[ReferenceFacts]] = defaultdict(list)
    checks: dict[int, list[DbsFacts]] = defaultdict(list)
    interviews: dict[int, list[InterviewFacts]] = defaultdict(list)
    training: dict[int, dict[int, list[date]]] = defaultdict(lambda: defaultdict(list))
    for id_filter in _id_filters(Reference.mentor_id, mentor_ids, where):
        for mid, satisfactory, received in _rows(
            session,
            select(Reference.mentor_id, Reference.satisfactory, Reference.received_on).where(
                id_filter
            ),
        ):
            references[mid].append(ReferenceFacts(satisfactory, received))
    for id_filter in _id_filters(DbsCheck.mentor_id, mentor_ids, where):
        for row in _rows(
            session,
            select(
                DbsCheck.mentor_id,
                DbsCheck.id,
                DbsCheck.level,
                DbsCheck.issue_date,
                DbsCheck.result,
                DbsCheck.decision,
                DbsCheck.update_service_subscribed,
                DbsCheck.last_status_check_on,
            ).where(id_filter),
        ):
            checks[row[0]].append(DbsFacts(*row[1:]))
    for id_filter in _id_filters(Interview.mentor_id, mentor_ids, where):
        for mid, held_on, outcome in _rows(
            session,
            select(Interview.mentor_id, Interview.held_on, Interview.outcome).where(id_filter),
        ):
            interviews[mid].append(InterviewFacts(held_on, outcome))
    for id_filter in _id_filters(TrainingRecord.mentor_id, mentor_ids, where):
        for mid, module_id, completed in _rows(
            session,
            select(
                TrainingRecord.mentor_id, TrainingRecord.module_id, TrainingRecord.completed_on
            ).where(id_filter),
        ):
            training[mid][module_id].append(completed)
    facts = {
        mid: MentorFacts(
            mentor_id=mid,
            stage=info.stage,
            status=info.status,
            references=tuple(references.get(mid, ())),
            dbs_checks=tuple(checks.get(mid, ())),
            interviews=tuple(interviews.get(mid, ())),
            training={k: tuple(v) for k, v in training.get(mid, {}).items()},
        )
        for mid, info in infos.items()
    }
    return facts, infos


def gate_results(
    session: Session,
    *,
    on: date,
    mentor_ids: Collection[int] | None = None,
    where: list[Any] | None = None,
) -> dict[int, GateResult]:
    """Evaluate the gate for many mentors at once."""
    facts, _infos = load_facts(session, mentor_ids=mentor_ids, where=where)
    modules = load_modules(session)
    policy = current_policy()
    return {mid: evaluate_gate(f, modules, on=on, policy=policy) for mid, f in facts.items()}


def check_gate(*, session: Session, mentor_id: int, on: date) -> GateResult:
    """Decide whether one mentor is matchable on a date, and why not."""
    result = gate_results(session, on=on, mentor_ids=[mentor_id]).get(mentor_id)
    if result is None:
        return GateResult(False, ["No such mentor"], [])
    return result


def _ready_and_active() -> list[Any]:
    return [
        Mentor.stage == PipelineStage.READY.value,
        Mentor.status == MentorStatus.ACTIVE.value,
    ]


def matchable_mentor_ids(*, session: Session, on: date) -> set[int]:
    """Return the ids of every mentor who passes the gate on a date."""
    results = gate_results(session, on=on, where=_ready_and_active())
    return {mid for mid, result in results.items() if result.matchable}


def mentor_unlocked_needs(
    *, session: Session, mentor_ids: Iterable[int], on: date
) -> dict[int, set[str]]:
    """Return, per mentor, the need codes unlocked by in-date specialist training."""
    ids = sorted(set(mentor_ids))
    out: dict[int, set[str]] = {mid: set() for mid in ids}
    modules = [m for m in load_modules(session) if m.active and m.unlocks_need]
    if not ids or not modules:
        return out
    training: dict[int, dict[int, list[date]]] = defaultdict(lambda: defaultdict(list))
    module_ids = [m.id for m in modules]
    for i in range(0, len(ids), _CHUNK):
        for mid, module_id, completed in session.exec(
            select(
                TrainingRecord.mentor_id, TrainingRecord.module_id, TrainingRecord.completed_on
            ).where(
                col(TrainingRecord.mentor_id).in_(ids[i : i + _CHUNK]),
                col(TrainingRecord.module_id).in_(module_ids),
            )
        ).all():
            training[mid][module_id].append(completed)
    for mid, by_module in training.items():
        facts = MentorFacts(
            mentor_id=mid,
            stage="",
            status="",
            training={k: tuple(v) for k, v in by_module.items()},
        )
        out[mid] = unlocked_needs(facts, modules, on=on)
    return out


# ---------------------------------------------------------------------------
# Keeping in date
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiringItem:
    """A check or training that expires soon or has expired."""

    mentor_id: int
    mentor_reference: str
    mentor_name: str
    mentor_email: str
    home_district_id: int
    stage: str
    status: str
    item: str  # "dbs" or "training:<code>"
    label: str
    due_on: date
    days_left: int  # negative once expired
    status_check: bool = False  # a DBS kept in date by Update Service status checks

    @property
    def expired(self) -> bool:
        return self.days_left <= 0


def _items_for(
    facts: MentorFacts,
    info: MentorInfo,
    modules: list[ModuleFacts],
    *,
    on: date,
    within_days: int,
    policy: VettingPolicy,
) -> list[ExpiringItem]:
    horizon = on + timedelta(days=within_days)
    found: list[ExpiringItem] = []

    def add(item: str, label: str, due: date, status_check: bool = False) -> None:
        if due <= horizon:
            found.append(
                ExpiringItem(
                    mentor_id=info.id,
                    mentor_reference=info.reference,
                    mentor_name=info.name,
                    mentor_email=info.email,
                    home_district_id=info.home_district_id,
                    stage=info.stage,
                    status=info.status,
                    item=item,
                    label=label,
                    due_on=due,
                    days_left=(due - on).days,
                    status_check=status_check,
                )
            )

    dbs = current_dbs(facts.dbs_checks, on)
    if dbs is not None and (
        dbs.result == DbsResult.CLEAR.value or dbs.decision == DbsDecision.PROCEED.value
    ):
        by_status_check = dbs.update_service_subscribed and dbs_uses_status_check(dbs, policy)
        add(
            "dbs",
            "DBS Update Service status check" if by_status_check else "DBS check",
            dbs_due_on(dbs, policy, on),
            status_check=bool(dbs.update_service_subscribed),
        )
    for module in modules:
        if not module.active or module.validity_months is None:
            continue
        completed = latest_completion(facts.training.get(module.id, ()), on)
        if completed is None:
            continue
        expires = training_expires_on(completed, module)
        if expires is not None:
            add(f"training:{module.code}", f"Training: {module.name}", expires)
    return found


def expiring_items(*, session: Session, on: date, within_days: int = 60) -> list[ExpiringItem]:
    """List the checks and training that expire within the days given, or have expired.

    Only mentors still with the provider (active or paused) are listed; the soonest first.
    """
    facts, infos = load_facts(
        session,
        where=[col(Mentor.status).in_([MentorStatus.ACTIVE.value, MentorStatus.PAUSED.value])],
    )
    modules = load_modules(session)
    policy = current_policy()
    items: list[ExpiringItem] = []
    for mid, f in facts.items():
        items += _items_for(f, infos[mid], modules, on=on, within_days=within_days, policy=policy)
    return sorted(items, key=lambda i: (i.due_on, i.mentor_reference, i.item))


# ---------------------------------------------------------------------------
# Becoming and stopping being matchable; stages moving on by themselves
# ---------------------------------------------------------------------------


def _tell_about_lapses(
    session: Session,
    lapsed: dict[int, GateResult],
    infos: Mapping[int, MentorInfo],
    *,
    on: date,
    outbox: Outbox,
    actor_id: int | None,
) -> int:
    """Tell coordinators (and provider staff) about mentors who stopped being matchable.

    Coordinators of the districts where the mentor has families (matches holding a slot)
    get an urgent notification and an email without names or reasons. Returns how many
    coordinators were told.
    """
    if not lapsed:
        return 0
    ids = sorted(lapsed)
    families: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for i in range(0, len(ids), _CHUNK):
        for mid, ref, district_id in session.exec(
            select(Match.mentor_id, Family.reference, Family.district_id)
            .join(Family, col(Family.id) == Match.family_id)
            .where(
                col(Match.mentor_id).in_(ids[i : i + _CHUNK]),
                col(Match.status).in_([s.value for s in SLOT_HOLDING_STATUSES]),
            )
            .order_by(col(Family.reference))
        ).all():
            families[mid].append((ref, district_id))
    district_ids = {d for rows in families.values() for _ref, d in rows}
    coordinators: dict[int, set[int]] = defaultdict(set)  # district -> user ids
    emails: dict[int, str] = {}
    if district_ids:
        for user_id, district_id, email in session.exec(
            select(CoordinatorDistrict.user_id, CoordinatorDistrict.district_id, User.email)
            .join(User, col(User.id) == CoordinatorDistrict.user_id)
            .where(
                col(CoordinatorDistrict.district_id).in_(district_ids),
                User.role == Role.COORDINATOR.value,
                col(User.is_enabled).is_(True),
            )
        ).all():
            coordinators[district_id].add(user_id)
            emails[user_id] = email
    told_mentors: dict[int, list[str]] = defaultdict(list)  # coordinator -> mentor refs
    providers = users_of_role(session, Role.PROVIDER)
    for mid in ids:
        info = infos[mid]
        result = lapsed[mid]
        what = (
            ", ".join(
                i.label.removeprefix("Training: ")
                + (" training" if i.key.startswith("training:") else "")
                for i in result.checklist
                if not i.done and i.key != "stage"
            )
            or "vetting"
        )
        rows = families.get(mid, [])
        by_user: dict[int, list[str]] = defaultdict(list)
        for ref, district_id in rows:
            for user_id in coordinators.get(district_id, ()):
                by_user[user_id].append(ref)
        for user_id, refs in by_user.items():
            session.add(
                Notification(
                    user_id=user_id,
                    kind="mentor_not_matchable",
                    urgent=True,
                    message=(
                        f"{info.reference} {info.name} can no longer be matched from "
                        f"{long_date(on)} (lapsed: {what}). Their matches have ended; "
                        "these families are back on the waiting list, needing a handover: "
                        f"{', '.join(refs)}."
                    )[:500],
                    link=link("coordination.matches"),
                )
            )
            told_mentors[user_id].append(info.reference)
        for provider in providers:
            session.add(
                Notification(
                    user_id=provider.id,  # type: ignore[arg-type]
                    kind="mentor_not_matchable",
                    urgent=bool(rows),
                    message=(
                        f"{info.reference} {info.name} can no longer be matched from "
                        f"{long_date(on)}: {'; '.join(result.reasons)}"
                    )[:500],
                    link=link("mentors.mentor", mentor_id=mid),
                )
            )
        audit.record(
            session,
            "mentor.not_matchable",
            object_type="mentor",
            object_id=mid,
            district_id=info.home_district_id,
            actor_id=actor_id,
            missing=result.missing,
            on=on.isoformat(),
            coordinators_told=sorted(by_user),
        )
    for user_id, refs in told_mentors.items():
        outbox.add(emails[user_id], "mentor_not_matchable", refs=refs, on=long_date(on))
    return len(told_mentors)


def refresh_matchable(
    session: Session,
    *,
    mentor_ids: Collection[int],
    on: date,
    outbox: Outbox,
    actor_id: int | None = None,
) -> dict[int, GateResult]:
    """Re-check the gate for mentors whose records changed; record and tell any change."""
    facts, infos = load_facts(session, mentor_ids=mentor_ids)
    modules = load_modules(session)
    policy = current_policy()
    results = {m: evaluate_gate(f, modules, on=on, policy=policy) for m, f in facts.items()}
    _apply_changes(session, results, infos, on=on, outbox=outbox, actor_id=actor_id)
    return results


def _apply_changes(
    session: Session,
    results: Mapping[int, GateResult],
    infos: Mapping[int, MentorInfo],
    *,
    on: date,
    outbox: Outbox,
    actor_id: int | None = None,
) -> tuple[list[int], list[int], int]:
    """Set or clear ``matchable_since``; tell about lapses. Return (became, lapsed, told)."""
    became = [m for m, r in results.items() if r.matchable and infos[m].matchable_since is None]
    lapsed = {
        m: r for m, r in results.items() if not r.matchable and infos[m].matchable_since is not None
    }
    for ids, value in ((became, on), (sorted(lapsed), None)):
        for i in range(0, len(ids), _CHUNK):
            session.exec(
                sa.update(Mentor)
                .where(col(Mentor.id).in_(ids[i : i + _CHUNK]))
                .values(matchable_since=value)
                .execution_options(synchronize_session="fetch")
            )
    for mid in became:
        audit.record(
            session,
            "mentor.matchable",
            object_type="mentor",
            object_id=mid,
            district_id=infos[mid].home_district_id,
            actor_id=actor_id,
            on=on.isoformat(),
        )
    told = _tell_about_lapses(session, lapsed, infos, on=on, outbox=outbox, actor_id=actor_id)
    _release_lapsed(session, lapsed, infos, on=on, actor_id=actor_id)
    return became, sorted(lapsed), told


def _release_lapsed(
    session: Session,
    lapsed: Mapping[int, GateResult],
    infos: Mapping[int, MentorInfo],
    *,
    on: date,
    actor_id: int | None,
) -> None:
    """End the matches of mentors who stopped being matchable: an uncleared mentor never
    keeps a family. The families wait again, flagged "needs handover" (coordinators were
    told by `_tell_about_lapses`)."""
    left = (MentorStatus.WITHDRAWN.value, MentorStatus.REJECTED.value)
    reasons = {
        mid: EndReason.MENTOR_LEFT.value
        if infos[mid].status in left
        else EndReason.MENTOR_NOT_MATCHABLE.value
        for mid in lapsed
    }
    release_matches(
        session,
        reasons,
        actor_id=actor_id,
        on=on,
        notify_coordinators=False,
    )


def advance_stage(
    session: Session, mentor: Mentor, *, on: date, actor_id: int | None
) -> str | None:
    """Move an active mentor on through the stages their records complete (never to ready).

    Returns the new stage's value if it moved.
    """
    if mentor.status != MentorStatus.ACTIVE.value or mentor.stage == PipelineStage.READY.value:
        return None
    assert mentor.id is not None  # noqa: S101 - a saved mentor
    result = check_gate(session=session, mentor_id=mentor.id, on=on)
    done = {i.key for i in result.checklist if i.done}
    has_referee = (
        session.exec(select(Reference.id).where(Reference.mentor_id == mentor.id)).first()
        is not None
    )
    steps = {
        PipelineStage.APPLIED.value: has_referee,
        PipelineStage.REFERENCES.value: "references" in done,
        PipelineStage.DBS.value: "dbs" in done,
        PipelineStage.INTERVIEW.value: "interview" in done,
    }
    start = stage = mentor.stage
    while steps.get(stage):
        stage = STAGE_ORDER[STAGE_ORDER.index(stage) + 1]
    if stage == start:
        return None
    mentor.stage = stage
    mentor.stage_changed_at = utcnow()
    mentor.updated_at = utcnow()
    session.add(mentor)
    audit.record(
        session,
        "mentor.stage",
        object_type="mentor",
        object_id=mentor.id,
        district_id=mentor.home_district_id,
        actor_id=actor_id,
        from_stage=start,
        to_stage=stage,
        automatic=True,
    )
    return stage


# ---------------------------------------------------------------------------
# Recording vetting (each change audited with field names, never DBS values)
# ---------------------------------------------------------------------------


def _mentor(session: Session, mentor_id: int, *, lock: bool = True) -> Mentor:
    query = select(Mentor).where(Mentor.id == mentor_id)
    if lock:
        query = query.with_for_update()
    mentor = session.exec(query).first()
    if mentor is None:
        raise VettingError("That volunteer does not exist")
    return mentor


def _check_date(
    value: date | None,
    *,
    field_name: str,
    what: str,
    on: date,
    required: bool = True,
    errors: dict[str, str],
) -> None:
    if value is None:
        if required:
            errors[field_name] = f"Enter the {what}"
        return
    if value > on:
        errors[field_name] = f"The {what} must be today or in the past"
    elif value < EARLIEST_DATE:
        errors[field_name] = f"The {what} must be a real date after 2000"


def _finish(
    session: Session, mentor: Mentor, *, on: date, actor_id: int | None, outbox: Outbox
) -> None:
    """After a vetting change: move the stage on, re-check the gate."""
    advance_stage(session, mentor, on=on, actor_id=actor_id)
    if mentor.id is not None:
        refresh_matchable(session, mentor_ids=[mentor.id], on=on, outbox=outbox, actor_id=actor_id)


def _changed(row: Any, values: Mapping[str, Any]) -> list[str]:
    """Apply values to a row; return the names of the fields that changed."""
    changed = []
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return changed


# References -----------------------------------------------------------------


def save_reference(
    *,
    session: Session,
    mentor_id: int,
    actor_id: int | None,
    on: date,
    referee_name: str,
    referee_contact: str = "",
    relationship: str = "",
    requested_on: date | None = None,
    received_on: date | None = None,
    satisfactory: bool | None = None,
    reference_id: int | None = None,
) -> Reference:
    """Add a referee, or update one (received, satisfactory or not)."""
    errors: dict[str, str] = {}
    referee_name = referee_name.strip()
    if not referee_name:
        errors["referee_name"] = "Enter the referee's name"
    elif len(referee_name) > 120:
        errors["referee_name"] = "The referee's name must be 120 characters or fewer"
    if len(referee_contact.strip()) > 254:
        errors["referee_contact"] = "The referee's contact details must be 254 characters or fewer"
    if len(relationship.strip()) > 120:
        errors["relationship"] = "The relationship must be 120 characters or fewer"
    _check_date(
        requested_on,
        field_name="requested_on",
        what="date requested",
        on=on,
        errors=errors,
        required=False,
    )
    _check_date(
        received_on,
        field_name="received_on",
        what="date received",
        on=on,
        errors=errors,
        required=False,
    )
    if received_on and requested_on and received_on < requested_on and "received_on" not in errors:
        errors["received_on"] = "The date received must be on or after the date requested"
    if satisfactory is not None and received_on is None and "received_on" not in errors:
        errors["received_on"] = "Enter the date the reference was received"
    if errors:
        raise VettingError(next(iter(errors.values())), errors=errors)
    outbox = Outbox()
    with write_transaction(session):
        mentor = _mentor(session, mentor_id)
        values = {
            "referee_name": referee_name,
            "referee_contact": referee_contact.strip(),
            "relationship_to_mentor": relationship.strip(),
            "requested_on": requested_on,
            "received_on": received_on,
            "satisfactory": satisfactory,
        }
        if reference_id is None:
            reference = Reference(mentor_id=mentor_id, recorded_by_id=actor_id, **values)
            changed = list(values)
            action = "reference.add"
        else:
            found = session.get(Reference, reference_id)
            if found is None or found.mentor_id != mentor_id:
                raise VettingError("That reference does not exist")
            reference = found
            changed = _changed(reference, values)
            reference.recorded_by_id = actor_id
            reference.recorded_at = utcnow()
            action = "reference.update"
        session.add(reference)
        session.flush()
        audit.record(
            session,
            action,
            object_type="mentor",
            object_id=mentor_id,
            district_id=mentor.home_district_id,
            reference_id=reference.id,
            fields=changed,
            actor_id=actor_id,
        )
        _finish(session, mentor, on=on, actor_id=actor_id, outbox=outbox)
    outbox.send()
    return reference


# DBS -------------------------------------------------------------------------


def normalise_certificate_number(value: str) -> str:
    """Remove the spaces and dashes people type inside a certificate number."""
    return "".join(ch for ch in value if ch not in " -")


def dbs_errors(
    *,
    level: str | None,
    certificate_number: str,
    issue_date: date | None,
    result: str | None,
    update_service_subscribed: bool,
    last_status_check_on: date | None,
    decision: str | None,
    decision_rationale: str,
    on: date,
) -> dict[str, str]:
    """Check a DBS record's fields; return field -> message for each problem."""
    errors: dict[str, str] = {}
    if level not in DbsLevel.values():
        errors["level"] = "Select the level of the DBS check"
    number = normalise_certificate_number(certificate_number or "")
    if not number:
        errors["certificate_number"] = "Enter the certificate number"
    elif not (len(number) == 12 and number.isascii() and number.isdigit()):
        errors["certificate_number"] = "The certificate number must be 12 digits, like 001234567890"
    _check_date(issue_date, field_name="issue_date", what="issue date", on=on, errors=errors)
    if result not in DbsResult.values():
        errors["result"] = "Select the result of the check"
    if last_status_check_on is not None:
        if not update_service_subscribed:
            errors["last_status_check_on"] = (
                "Only record a status check for someone who subscribes to the Update Service"
            )
        else:
            _check_date(
                last_status_check_on,
                field_name="last_status_check_on",
                what="date of the last status check",
                on=on,
                errors=errors,
            )
            if (
                "last_status_check_on" not in errors
                and issue_date is not None
                and last_status_check_on < issue_date
            ):
                errors["last_status_check_on"] = (
                    "The status check must be on or after the certificate's issue date"
                )
    if decision:
        if result != DbsResult.DISCLOSED.value:
            errors["decision"] = (
                "Record a risk-assessment decision only when information was disclosed"
            )
        elif decision not in DbsDecision.values():
            errors["decision"] = "Select whether to proceed"
        if result == DbsResult.DISCLOSED.value and not decision_rationale.strip():
            errors["decision_rationale"] = "Enter a short rationale for the decision"
    elif decision_rationale.strip() and result == DbsResult.DISCLOSED.value:
        errors["decision"] = "Select whether to proceed"
    if len(decision_rationale.strip()) > 1000:
        errors["decision_rationale"] = "Keep the rationale to 1,000 characters"
    return errors


def save_dbs_check(
    *,
    session: Session,
    mentor_id: int,
    actor_id: int | None,
    on: date,
    level: str | None,
    certificate_number: str,
    issue_date: date | None,
    result: str | None,
    update_service_subscribed: bool = False,
    last_status_check_on: date | None = None,
    decision: str | None = None,
    decision_rationale: str = "",
    dbs_id: int | None = None,
) -> DbsCheck:
    """Record a DBS check (or correct one): only what the DBS Code of Practice allows.

    Level, certificate number (12 digits), issue date, result; where information was
    disclosed, the risk-assessment decision with who made it (the actor), when and a short
    rationale; Update Service subscription and the last status check. Never the content.
    """
    decision = decision or None
    errors = dbs_errors(
        level=level,
        certificate_number=certificate_number,
        issue_date=issue_date,
        result=result,
        update_service_subscribed=update_service_subscribed,
        last_status_check_on=last_status_check_on,
        decision=decision,
        decision_rationale=decision_rationale,
        on=on,
    )
    number = normalise_certificate_number(certificate_number or "")
    if errors:
        raise VettingError(next(iter(errors.values())), errors=errors)
    outbox = Outbox()
    with write_transaction(session):
        mentor = _mentor(session, mentor_id)
        other = session.exec(
            select(DbsCheck.id).where(
                DbsCheck.certificate_number == number, DbsCheck.mentor_id != mentor_id
            )
        ).first()
        if other is not None:
            raise VettingError(
                "This certificate number is recorded for another volunteer: check it",
                field="certificate_number",
            )
        values: dict[str, Any] = {
            "level": level,
            "certificate_number": number,
            "issue_date": issue_date,
            "result": result,
            "update_service_subscribed": update_service_subscribed,
            "last_status_check_on": last_status_check_on if update_service_subscribed else None,
        }
        if dbs_id is None:
            check = DbsCheck(mentor_id=mentor_id, recorded_by_id=actor_id, **values)
            changed = list(values)
            action = "dbs.record"
        else:
            found = session.get(DbsCheck, dbs_id)
            if found is None or found.mentor_id != mentor_id:
                raise VettingError("That DBS check does not exist")
            check = found
            changed = _changed(check, values)
            action = "dbs.update"
        if result == DbsResult.CLEAR.value:
            changed += _changed(
                check, {"decision": None, "decision_rationale": "", "decision_by_id": None}
            )
            check.decision_at = None
        elif decision and (
            decision != check.decision or decision_rationale.strip() != check.decision_rationale
        ):
            _record_decision(check, decision, decision_rationale, actor_id)
            changed += ["decision", "decision_by_id", "decision_at", "decision_rationale"]
        check.recorded_by_id = actor_id
        check.recorded_at = utcnow()
        session.add(check)
        session.flush()
        audit.record(
            session,
            action,
            object_type="mentor",
            object_id=mentor_id,
            district_id=mentor.home_district_id,
            dbs_id=check.id,
            fields=sorted(set(changed)),
            actor_id=actor_id,
        )
        _finish(session, mentor, on=on, actor_id=actor_id, outbox=outbox)
    outbox.send()
    return check


def _record_decision(check: DbsCheck, decision: str, rationale: str, actor_id: int | None) -> None:
    check.decision = decision
    check.decision_rationale = rationale.strip()
    check.decision_by_id = actor_id
    check.decision_at = utcnow()


def record_dbs_decision(
    *,
    session: Session,
    mentor_id: int,
    dbs_id: int,
    decision: str | None,
    rationale: str,
    actor_id: int | None,
    on: date,
) -> DbsCheck:
    """Record the risk-assessment decision on a check that disclosed information."""
    errors: dict[str, str] = {}
    if decision not in DbsDecision.values():
        errors["decision"] = "Select whether to proceed"
    if not rationale.strip():
        errors["rationale"] = "Enter a short rationale for the decision"
    elif len(rationale.strip()) > 1000:
        errors["rationale"] = "Keep the rationale to 1,000 characters"
    if errors:
        raise VettingError(next(iter(errors.values())), errors=errors)
    outbox = Outbox()
    with write_transaction(session):
        mentor = _mentor(session, mentor_id)
        check = session.get(DbsCheck, dbs_id)
        if check is None or check.mentor_id != mentor_id:
            raise VettingError("That DBS check does not exist")
        if check.result != DbsResult.DISCLOSED.value:
            raise VettingError(
                "This check was clear: there is no decision to record", field="decision"
            )
        _record_decision(check, decision, rationale, actor_id)  # type: ignore[arg-type]
        session.add(check)
        audit.record(
            session,
            "dbs.decision",
            object_type="mentor",
            object_id=mentor_id,
            district_id=mentor.home_district_id,
            dbs_id=check.id,
            fields=["decision", "decision_by_id", "decision_at", "decision_rationale"],
            actor_id=actor_id,
        )
        _finish(session, mentor, on=on, actor_id=actor_id, outbox=outbox)
    outbox.send()
    return check


def record_status_check(
    *,
    session: Session,
    mentor_id: int,
    dbs_id: int,
    checked_on: date | None,
    actor_id: int | None,
    on: date,
) -> DbsCheck:
    """Record an Update Service status check that showed no new information."""
    errors: dict[str, str] = {}
    _check_date(
        checked_on, field_name="checked_on", what="date of the status check", on=on, errors=errors
    )
    if errors:
        raise VettingError(next(iter(errors.values())), errors=errors)
    outbox = Outbox()
    with write_transaction(session):
        mentor = _mentor(session, mentor_id)
        check = session.get(DbsCheck, dbs_id)
        if check is None or check.mentor_id != mentor_id:
            raise VettingError("That DBS check does not exist")
        if not check.update_service_subscribed:
            raise VettingError(
                "This volunteer does not subscribe to the Update Service", field="checked_on"
            )
        if checked_on < check.issue_date:  # type: ignore[operator]
            raise VettingError(
                "The status check must be on or after the certificate's issue date",
                field="checked_on",
            )
        check.last_status_check_on = checked_on
        session.add(check)
        audit.record(
            session,
            "dbs.status_check",
            object_type="mentor",
            object_id=mentor_id,
            district_id=mentor.home_district_id,
            dbs_id=check.id,
            fields=["last_status_check_on"],
            actor_id=actor_id,
        )
        _finish(session, mentor, on=on, actor_id=actor_id, outbox=outbox)
    outbox.send()
    return check


def record_dbs_view(session: Session, *, mentor: Mentor, dbs_ids: list[int]) -> None:
    """Log that the signed-in user viewed a mentor's DBS information."""
    audit.record(
        session,
        "dbs.view",
        object_type="mentor",
        object_id=mentor.id,
        district_id=mentor.home_district_id,
        dbs_ids=dbs_ids,
    )
    session.commit()


# Interviews --------------------------------------------------------------------


def record_interview(
    *,
    session: Session,
    mentor_id: int,
    held_on: date | None,
    interviewers: str,
    outcome: str | None,
    notes: str = "",
    actor_id: int | None,
    on: date,
) -> Interview:
    """Record a suitability interview."""
    errors: dict[str, str] = {}
    _check_date(held_on, field_name="held_on", what="date of the interview", on=on, errors=errors)
    if not interviewers.strip():
        errors["interviewers"] = "Enter who interviewed the volunteer"
    elif len(interviewers.strip()) > 200:
        errors["interviewers"] = "Interviewers must be 200 characters or fewer"
    if outcome not in InterviewOutcome.values():
        errors["outcome"] = "Select the outcome of the interview"
    if len(notes.strip()) > 2000:
        errors["notes"] = "Keep the notes to 2,000 characters"
    if errors:
        raise VettingError(next(iter(errors.values())), errors=errors)
    outbox = Outbox()
    with write_transaction(session):
        mentor = _mentor(session, mentor_id)
        interview = Interview(
            mentor_id=mentor_id,
            held_on=held_on,  # type: ignore[arg-type]
            interviewers=interviewers.strip(),
            outcome=outcome,  # type: ignore[arg-type]
            notes=notes.strip(),
            recorded_by_id=actor_id,
        )
        session.add(interview)
        session.flush()
        audit.record(
            session,
            "interview.record",
            object_type="mentor",
            object_id=mentor_id,
            district_id=mentor.home_district_id,
            interview_id=interview.id,
            fields=["held_on", "interviewers", "outcome", "notes"],
            actor_id=actor_id,
        )
        _finish(session, mentor, on=on, actor_id=actor_id, outbox=outbox)
    outbox.send()
    return interview


# Training ----------------------------------------------------------------------


def record_training(
    *,
    session: Session,
    mentor_id: int,
    module_id: int | None,
    completed_on: date | None,
    actor_id: int | None,
    on: date,
) -> TrainingRecord:
    """Record that a mentor completed a training module on a date."""
    errors: dict[str, str] = {}
    module = session.get(TrainingModule, module_id) if module_id else None
    if module is None or not module.active:
        errors["module"] = "Select the training module"
    _check_date(
        completed_on, field_name="completed_on", what="date completed", on=on, errors=errors
    )
    if errors:
        raise VettingError(next(iter(errors.values())), errors=errors)
    outbox = Outbox()
    with write_transaction(session):
        mentor = _mentor(session, mentor_id)
        record = TrainingRecord(
            mentor_id=mentor_id,
            module_id=module_id,  # type: ignore[arg-type]
            completed_on=completed_on,  # type: ignore[arg-type]
            recorded_by_id=actor_id,
        )
        session.add(record)
        session.flush()
        audit.record(
            session,
            "training.record",
            object_type="mentor",
            object_id=mentor_id,
            district_id=mentor.home_district_id,
            module=module.code,  # type: ignore[union-attr]
            training_record_id=record.id,
            fields=["completed_on"],
            actor_id=actor_id,
        )
        _finish(session, mentor, on=on, actor_id=actor_id, outbox=outbox)
    outbox.send()
    return record


def save_module(
    *,
    session: Session,
    name: str,
    validity_months: int | None,
    mandatory: bool,
    unlocks_need_id: int | None,
    active: bool = True,
    module_id: int | None = None,
) -> TrainingModule:
    """Add a training module to the catalogue, or change one."""
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = "Enter the module's name"
    elif len(name) > 120:
        errors["name"] = "The name must be 120 characters or fewer"
    if validity_months is not None and not 1 <= validity_months <= 120:
        errors["validity_months"] = "Enter a validity from 1 to 120 months, or leave it empty"
    if unlocks_need_id is not None and session.get(Need, unlocks_need_id) is None:
        errors["unlocks_need"] = "Select a need from the list"
    clash = session.exec(
        select(TrainingModule.id).where(
            sa.func.lower(TrainingModule.name) == name.lower(),
            TrainingModule.id != (module_id or -1),
        )
    ).first()
    if clash is not None and "name" not in errors:
        errors["name"] = "A module with this name already exists"
    if errors:
        raise VettingError(next(iter(errors.values())), errors=errors)
    with write_transaction(session):
        values = {
            "name": name,
            "validity_months": validity_months,
            "mandatory": mandatory,
            "unlocks_need_id": unlocks_need_id,
            "active": active,
        }
        if module_id is None:
            module = TrainingModule(code=_module_code(session, name), **values)
            changed = list(values)
            action = "training_module.create"
        else:
            found = session.get(TrainingModule, module_id)
            if found is None:
                raise VettingError("That training module does not exist")
            module = found
            changed = _changed(module, values)
            action = "training_module.update"
        session.add(module)
        session.flush()
        audit.record(
            session,
            action,
            object_type="training_module",
            object_id=module.id,
            fields=changed,
        )
    return module


def _module_code(session: Session, name: str) -> str:
    base = "".join(ch if ch.isalnum() else "_" for ch in name.lower()).strip("_")
    base = "_".join(part for part in base.split("_") if part)[:34] or "module"
    taken = set(session.exec(select(TrainingModule.code)).all())
    code, n = base, 2
    while code in taken:
        code = f"{base}_{n}"
        n += 1
    return code


# ---------------------------------------------------------------------------
# The daily job
# ---------------------------------------------------------------------------


@dataclass
class DailySummary:
    """What a run of the daily checks did."""

    on: date
    reminders_sent: int = 0
    became_matchable: int = 0
    stopped_matchable: int = 0
    coordinators_told: int = 0
    rationales_purged: int = 0
    emails_sent: int = 0
    emails_failed: int = 0

    def __str__(self) -> str:
        return (
            f"{self.on.isoformat()}: {self.reminders_sent} reminders sent; "
            f"{self.stopped_matchable} mentors stopped being matchable "
            f"({self.coordinators_told} coordinators told); "
            f"{self.became_matchable} became matchable; "
            f"{self.rationales_purged} DBS decision rationales cleared; "
            f"{self.emails_sent} emails sent, {self.emails_failed} failed."
        )


def milestone_for(days_left: int) -> str:
    """Which reminder an item is due: 60, 30 or 7 days ahead, or expired."""
    if days_left <= 0:
        return "expired"
    if days_left <= 7:
        return "7"
    if days_left <= 30:
        return "30"
    return "60"


def purge_dbs_rationales(session: Session, *, on: date, policy: VettingPolicy) -> int:
    """Clear risk-assessment rationales kept longer than policy allows after the decision.

    The decision itself (proceed or not), who made it and when are kept.
    """
    cutoff_day = add_months(on, -policy.rationale_purge_months) + timedelta(days=1)
    cutoff = datetime.combine(cutoff_day, time.min, tzinfo=UTC)
    rows = session.exec(
        select(DbsCheck.id, DbsCheck.mentor_id).where(
            col(DbsCheck.decision_at).is_not(None),
            col(DbsCheck.decision_at) < cutoff,
            DbsCheck.decision_rationale != "",
        )
    ).all()
    if not rows:
        return 0
    ids = [r[0] for r in rows]
    for i in range(0, len(ids), _CHUNK):
        session.exec(
            sa.update(DbsCheck)
            .where(col(DbsCheck.id).in_(ids[i : i + _CHUNK]))
            .values(decision_rationale="")
            .execution_options(synchronize_session="fetch")
        )
    for dbs_id, mentor_id in rows:
        audit.record(
            session,
            "dbs.rationale_purged",
            object_type="mentor",
            object_id=mentor_id,
            dbs_id=dbs_id,
            fields=["decision_rationale"],
        )
    return len(rows)


def _send_reminders(session: Session, *, on: date, policy: VettingPolicy, outbox: Outbox) -> int:
    items = expiring_items(session=session, on=on, within_days=policy.reminder_days)
    if not items:
        return 0
    mentor_ids = sorted({i.mentor_id for i in items})
    sent: set[tuple[int, str, date, str]] = set()
    for i in range(0, len(mentor_ids), _CHUNK):
        sent |= {
            tuple(row)
            for row in session.exec(
                select(
                    VettingReminder.mentor_id,
                    VettingReminder.item,
                    VettingReminder.due_on,
                    VettingReminder.milestone,
                ).where(col(VettingReminder.mentor_id).in_(mentor_ids[i : i + _CHUNK]))
            ).all()
        }
    new: list[ExpiringItem] = []
    for item in items:
        key = (item.mentor_id, item.item, item.due_on, milestone_for(item.days_left))
        if key in sent:
            continue
        sent.add(key)
        session.add(
            VettingReminder(
                mentor_id=item.mentor_id,
                item=item.item,
                due_on=item.due_on,
                milestone=key[3],
                sent_on=on,
            )
        )
        outbox.add(
            item.mentor_email,
            "vetting_reminder",
            key=key,
            first_name=item.mentor_name.split(" ")[0],
            when=long_date(item.due_on),
            item=item,
            module=item.label.removeprefix("Training: "),
        )
        new.append(item)
    if new:
        lines = [
            f"- {i.mentor_reference} {i.mentor_name}: {i.label}, "
            + (f"expired on {long_date(i.due_on)}" if i.expired else f"due {long_date(i.due_on)}")
            for i in new
        ]
        for provider in users_of_role(session, Role.PROVIDER):
            session.add(
                Notification(
                    user_id=provider.id,  # type: ignore[arg-type]
                    kind="keeping_in_date",
                    message=f"{len(new)} checks or training need renewing soon or have expired.",
                    link=link("mentors.keeping_in_date"),
                )
            )
            outbox.add(provider.email, "vetting_digest", lines=lines)
        audit.record(session, "vetting.reminders", count=len(new), on=on.isoformat())
    return len(new)


def run_daily_checks(*, session: Session, on: date) -> DailySummary:
    """The daily job: purge, re-check every mentor's gate, tell coordinators, send reminders.

    Safe to run more than once a day: a lapse is told once (``matchable_since`` is cleared
    when it is told), and each reminder (item, due date, 60/30/7 days or expired) is sent once.
    """
    policy = current_policy()
    summary = DailySummary(on=on)
    outbox = Outbox()
    with write_transaction(session):
        summary.rationales_purged = purge_dbs_rationales(session, on=on, policy=policy)
        facts, infos = load_facts(
            session,
            where=[
                sa.or_(
                    sa.and_(*_ready_and_active()),
                    col(Mentor.matchable_since).is_not(None),
                )
            ],
        )
        modules = load_modules(session)
        results = {m: evaluate_gate(f, modules, on=on, policy=policy) for m, f in facts.items()}
        became, lapsed, told = _apply_changes(session, results, infos, on=on, outbox=outbox)
        summary.became_matchable, summary.stopped_matchable = len(became), len(lapsed)
        summary.coordinators_told = told
        summary.reminders_sent = _send_reminders(session, on=on, policy=policy, outbox=outbox)
    summary.emails_sent, failed = outbox.send(strict=True)
    summary.emails_failed = len(failed)
    unsent = [key for key in failed if isinstance(key, tuple)]
    if unsent:
        # Forget reminders that could not be sent, so tomorrow's run tries again.
        with write_transaction(session):
            for mentor_id, item, due_on, milestone in unsent:
                session.exec(
                    sa.delete(VettingReminder).where(
                        VettingReminder.mentor_id == mentor_id,
                        VettingReminder.item == item,
                        VettingReminder.due_on == due_on,
                        VettingReminder.milestone == milestone,
                    )
                )
            summary.reminders_sent -= len(unsent)
    return summary
