"""The gate's facts, loaded from rows: a fixed number of queries for any number of mentors.

`gate_results` loads the facts and evaluates the pure gate (`gate.py`) for many mentors at
once; `check_gate`, `matchable_mentor_ids` and `mentor_unlocked_needs` are what the rest of
the service asks. Selects of columns run on the session's connection: no ORM bookkeeping,
which keeps ten thousand mentors fast.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app, has_app_context
from sqlmodel import Session, col, select

from mentoring.models import (
    ConcernStatus,
    ConcernSubject,
    DbsCheck,
    Interview,
    Mentor,
    MentorStatus,
    Need,
    PipelineStage,
    Reference,
    SafeguardingConcern,
    TrainingModule,
    TrainingRecord,
)
from mentoring.services.vetting.gate import (
    DbsFacts,
    GateResult,
    InterviewFacts,
    MentorFacts,
    ModuleFacts,
    ReferenceFacts,
    VettingPolicy,
    evaluate_gate,
    unlocked_needs,
)

CHUNK = 5000  # ids per IN (...) list, well under every database's limit


def current_policy() -> VettingPolicy:
    """Return the policy from the app's configuration (defaults outside an app)."""
    if has_app_context():
        return VettingPolicy.from_config(current_app.config)
    return VettingPolicy()


def saved_id(value: int | None) -> int:
    """Return a saved row's id (a row read from the database always has one)."""
    if value is None:
        raise ValueError("the row has not been saved")
    return value


def chunks(ids: Collection[int]) -> list[list[int]]:
    """Split ids, sorted, into lists short enough for one IN (...) each."""
    ordered = sorted(ids)
    return [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]


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


def load_modules(*, session: Session) -> list[ModuleFacts]:
    """Load the training catalogue as plain data."""
    needs = dict(session.exec(select(Need.id, Need.code)).all())
    return [
        ModuleFacts(
            id=saved_id(m.id),
            code=m.code,
            name=m.name,
            validity_months=m.validity_months,
            mandatory=m.mandatory,
            active=m.active,
            unlocks_need=needs.get(m.unlocks_need_id) if m.unlocks_need_id else None,
        )
        for m in session.exec(select(TrainingModule).order_by(col(TrainingModule.id))).all()
    ]


def dbs_facts(check: DbsCheck) -> DbsFacts:
    """Return a DBS check row as the gate's plain data."""
    return DbsFacts(
        id=saved_id(check.id),
        level=check.level,
        issue_date=check.issue_date,
        result=check.result,
        decision=check.decision,
        update_service_subscribed=check.update_service_subscribed,
        last_status_check_on=check.last_status_check_on,
    )


def _id_filters(column: Any, mentor_ids: Collection[int] | None, where: Any) -> list[Any]:
    """Filters on a mentor id column: a list of ids (in chunks) or a subquery of mentors."""
    if mentor_ids is not None:
        return [col(column).in_(ids) for ids in chunks(mentor_ids)] or [col(column).in_([])]
    query = select(Mentor.id)
    if where is not None:
        query = query.where(*where)
    return [col(column).in_(query)]


def _rows(session: Session, statement: Any) -> list[Any]:
    """Run a select of columns on the session's connection (no ORM bookkeeping: faster)."""
    return list(session.connection().execute(statement).all())


def _each(session: Session, columns: tuple[Any, ...], id_filters: list[Any]) -> Iterable[Any]:
    """Yield the rows of a select of columns, once per id filter."""
    for id_filter in id_filters:
        yield from _rows(session, select(*columns).where(id_filter))


def load_facts(
    *,
    session: Session,
    mentor_ids: Collection[int] | None = None,
    where: list[Any] | None = None,
) -> tuple[dict[int, MentorFacts], dict[int, MentorInfo]]:
    """Load the gate's facts for some mentors: given ids, or those matching ``where``."""

    def rows(*columns: Any) -> Iterable[Any]:
        return _each(session, columns, _id_filters(columns[0], mentor_ids, where))

    infos = {
        row[0]: MentorInfo(*row)
        for row in rows(
            Mentor.id,
            Mentor.reference,
            Mentor.first_name,
            Mentor.last_name,
            Mentor.email,
            Mentor.home_district_id,
            Mentor.stage,
            Mentor.status,
            Mentor.matchable_since,
        )
    }
    if not infos:
        return {}, {}
    references: dict[int, list[ReferenceFacts]] = defaultdict(list)
    checks: dict[int, list[DbsFacts]] = defaultdict(list)
    interviews: dict[int, list[InterviewFacts]] = defaultdict(list)
    training: dict[int, dict[int, list[date]]] = defaultdict(lambda: defaultdict(list))
    for mid, satisfactory, received in rows(
        Reference.mentor_id, Reference.satisfactory, Reference.received_on
    ):
        references[mid].append(ReferenceFacts(satisfactory, received))
    for row in rows(
        DbsCheck.mentor_id,
        DbsCheck.id,
        DbsCheck.level,
        DbsCheck.issue_date,
        DbsCheck.result,
        DbsCheck.decision,
        DbsCheck.update_service_subscribed,
        DbsCheck.last_status_check_on,
    ):
        checks[row[0]].append(DbsFacts(*row[1:]))
    for mid, held_on, outcome in rows(Interview.mentor_id, Interview.held_on, Interview.outcome):
        interviews[mid].append(InterviewFacts(held_on, outcome))
    for mid, module_id, completed in rows(
        TrainingRecord.mentor_id, TrainingRecord.module_id, TrainingRecord.completed_on
    ):
        training[mid][module_id].append(completed)
    # Suspended: an allegation against them is not yet closed.
    suspended = {
        mid
        for id_filter in _id_filters(SafeguardingConcern.mentor_id, mentor_ids, where)
        for (mid,) in _rows(
            session,
            select(SafeguardingConcern.mentor_id).where(
                id_filter,
                SafeguardingConcern.subject == ConcernSubject.MENTOR.value,
                SafeguardingConcern.status != ConcernStatus.CLOSED.value,
            ),
        )
    }
    facts = {
        mid: MentorFacts(
            mentor_id=mid,
            stage=info.stage,
            status=info.status,
            references=tuple(references.get(mid, ())),
            dbs_checks=tuple(checks.get(mid, ())),
            interviews=tuple(interviews.get(mid, ())),
            training={k: tuple(v) for k, v in training.get(mid, {}).items()},
            suspended=mid in suspended,
        )
        for mid, info in infos.items()
    }
    return facts, infos


def evaluate_all(
    *, session: Session, facts: dict[int, MentorFacts], on: date, policy: VettingPolicy
) -> dict[int, GateResult]:
    """Evaluate the gate for loaded facts, against the training catalogue."""
    modules = load_modules(session=session)
    return {mid: evaluate_gate(f, modules, on=on, policy=policy) for mid, f in facts.items()}


def gate_results(
    *,
    session: Session,
    on: date,
    mentor_ids: Collection[int] | None = None,
    where: list[Any] | None = None,
) -> dict[int, GateResult]:
    """Evaluate the gate for many mentors at once."""
    facts, _infos = load_facts(session=session, mentor_ids=mentor_ids, where=where)
    return evaluate_all(session=session, facts=facts, on=on, policy=current_policy())


def check_gate(*, session: Session, mentor_id: int, on: date) -> GateResult:
    """Decide whether one mentor is matchable on a date, and why not."""
    result = gate_results(session=session, on=on, mentor_ids=[mentor_id]).get(mentor_id)
    if result is None:
        return GateResult(False, ["No such mentor"], [])
    return result


def ready_and_active() -> list[Any]:
    """The SQL conditions: at the ready stage and active."""
    return [
        Mentor.stage == PipelineStage.READY.value,
        Mentor.status == MentorStatus.ACTIVE.value,
    ]


def matchable_mentor_ids(*, session: Session, on: date) -> set[int]:
    """Return the ids of every mentor who passes the gate on a date."""
    results = gate_results(session=session, on=on, where=ready_and_active())
    return {mid for mid, result in results.items() if result.matchable}


def mentor_unlocked_needs(
    *, session: Session, mentor_ids: Iterable[int], on: date
) -> dict[int, set[str]]:
    """Return, per mentor, the need codes unlocked by in-date specialist training."""
    ids = set(mentor_ids)
    out: dict[int, set[str]] = {mid: set() for mid in sorted(ids)}
    modules = [m for m in load_modules(session=session) if m.active and m.unlocks_need]
    if not ids or not modules:
        return out
    training: dict[int, dict[int, list[date]]] = defaultdict(lambda: defaultdict(list))
    module_ids = [m.id for m in modules]
    for some in chunks(ids):
        for mid, module_id, completed in session.exec(
            select(
                col(TrainingRecord.mentor_id),
                col(TrainingRecord.module_id),
                col(TrainingRecord.completed_on),
            ).where(
                col(TrainingRecord.mentor_id).in_(some),
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
