"""The vetting gate on plain data: whether a mentor may be matched on a date, and why not.

Nothing here touches the database or the app: `facts.py` loads the facts and the policy,
then calls :func:`evaluate_gate`. Matchable means two satisfactory references; an in-date
DBS check at an accepted level, clear or cleared after a risk assessment; a passed
suitability interview (the latest); every active mandatory training module completed and
in date; stage ready; status active and not suspended by an open safeguarding allegation.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mentoring.models import (
    DbsDecision,
    DbsLevel,
    DbsResult,
    InterviewOutcome,
    MentorStatus,
    PipelineStage,
)
from mentoring.services.common.dates import add_months, long_date

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


# ---------------------------------------------------------------------------
# The facts the rule looks at
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
    # An allegation against them is open: suspended, whatever their status.
    suspended: bool = False


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

    @property
    def next_item(self) -> CheckItem | None:
        """The item to do next: the status if it blocks, else the first not done in order
        (references, DBS, interview, training, marking ready); None when all are done."""
        todo = [i for i in self.checklist if not i.done]
        return next((i for i in todo if i.key == "status"), todo[0] if todo else None)


# ---------------------------------------------------------------------------
# Dates: when a check or a completion stops being in date
# ---------------------------------------------------------------------------


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
    """Return the latest completion on or before the date."""
    done = [d for d in dates if d <= on]
    return max(done) if done else None


# ---------------------------------------------------------------------------
# The rule: one checklist item each
# ---------------------------------------------------------------------------


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
    label = "Active (not paused, suspended, withdrawn or rejected)"
    if facts.suspended:
        reason = "Suspended while a safeguarding matter is looked into"
        return CheckItem("status", label, False, "Suspended", reason)
    if facts.status == MentorStatus.ACTIVE.value:
        return CheckItem("status", label, True, "Active")
    reason = {
        MentorStatus.PAUSED.value: "Paused",
        MentorStatus.WITHDRAWN.value: "Withdrawn from the pipeline",
        MentorStatus.REJECTED.value: "Not accepted as a mentor",
    }.get(facts.status, facts.status)
    return CheckItem("status", label, False, reason, reason)


def _stage_item(facts: MentorFacts) -> CheckItem:
    label = "At the ready stage (reached by itself once every item above is done)"
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
