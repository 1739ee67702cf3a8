"""What provider staff see of mentors: the board, a mentor's page, keeping in date, training.

Each function assembles one page in a fixed number of queries and returns plain
dataclasses (never ORM rows). A mentor that does not exist, or a record that is not that
mentor's, is `NotFound` (a 404), the same either way.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mentoring.exceptions import NotFound
from mentoring.models import (
    AuditEvent,
    DbsCheck,
    District,
    Family,
    Interview,
    Mentor,
    MentorSkill,
    MentorStatus,
    MentorTravelDistrict,
    Need,
    PipelineStage,
    Reference,
    TokenPurpose,
    TrainingModule,
    TrainingRecord,
    User,
)
from mentoring.services.accounts import tokens
from mentoring.services.accounts.invitations import mentor_can_be_invited
from mentoring.services.mentors import (
    ApplicationData,
    MentorFilters,
    application_from_mentor,
    days_since,
    load_mentor,
    mentor_conditions,
)
from mentoring.services.vetting import (
    ExpiringItem,
    GateResult,
    ModuleFacts,
    check_gate,
    current_policy,
    dbs_due_on,
    dbs_facts,
    expiring_items,
    gate_results,
    latest_completion,
    load_modules,
    saved_id,
    training_expires_on,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")
DUE_SOON_DAYS = 60
HISTORY_ROWS = 25


def _copy(cls: type[T], row: Any, **extra: Any) -> T:
    """Build a view dataclass from a row's attributes of the same names."""
    names = [f.name for f in dataclasses.fields(cls) if f.name not in extra]
    return cls(**{name: getattr(row, name) for name in names}, **extra)


# ---------------------------------------------------------------------------
# Choices for forms
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """The districts and needs an application form offers, as (value, label)."""

    districts: list[tuple[str, str]]
    needs: list[tuple[str, str]]  # need code, name


def district_choices(*, session: Session) -> list[tuple[str, str]]:
    """The districts as (id, name), by name."""
    districts = session.exec(select(District).order_by(col(District.name))).all()
    return [(str(d.id), d.name) for d in districts]


def application_choices(*, session: Session) -> Choices:
    """The districts (by name) and needs (in their order) for an application form."""
    needs = session.exec(select(Need).order_by(col(Need.sort_order), col(Need.name))).all()
    return Choices(
        districts=district_choices(session=session),
        needs=[(n.code, n.name) for n in needs],
    )


def need_choices_by_id(*, session: Session) -> list[tuple[str, str]]:
    """The needs as (id, name), in their order (a specialist module unlocks one)."""
    needs = session.exec(select(Need).order_by(col(Need.sort_order), col(Need.name))).all()
    return [(str(n.id), n.name) for n in needs]


# ---------------------------------------------------------------------------
# A mentor, for the forms about them
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MentorSummary:
    """Who a page or form is about."""

    id: int
    reference: str
    first_name: str
    last_name: str
    kind: str
    stage: str
    status: str
    home_district_id: int


def mentor_summary(*, session: Session, mentor_id: int) -> MentorSummary:
    """The mentor a form is about; NotFound if there is none."""
    return _copy(MentorSummary, load_mentor(session=session, mentor_id=mentor_id))


def edit_details(*, session: Session, mentor_id: int) -> tuple[MentorSummary, ApplicationData]:
    """The mentor and their details, to fill the edit form."""
    mentor = load_mentor(session=session, mentor_id=mentor_id)
    data = application_from_mentor(session=session, mentor=mentor)
    return _copy(MentorSummary, mentor), data


@dataclass(frozen=True)
class ReadyPage:
    mentor: MentorSummary
    gate: GateResult

    @property
    def blockers(self) -> list[str]:
        """What stops marking the mentor ready (the stage itself aside)."""
        return self.gate.blocking(ignore={"stage"})


def ready_page(*, session: Session, mentor_id: int, on: date) -> ReadyPage:
    """The checklist shown before marking a mentor ready."""
    mentor = mentor_summary(session=session, mentor_id=mentor_id)
    return ReadyPage(mentor, check_gate(session=session, mentor_id=mentor_id, on=on))


# ---------------------------------------------------------------------------
# Vetting records
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceRow:
    id: int
    referee_name: str
    referee_contact: str
    relationship_to_mentor: str
    requested_on: date | None
    received_on: date | None
    satisfactory: bool | None
    recorded_by_id: int | None


@dataclass(frozen=True)
class DbsRow:
    """A DBS check: only what the DBS Code of Practice allows, and when it is due."""

    id: int
    level: str
    certificate_number: str
    issue_date: date
    result: str
    decision: str | None
    decision_by_id: int | None
    decision_at: datetime | None
    decision_rationale: str
    update_service_subscribed: bool
    last_status_check_on: date | None
    recorded_by_id: int | None
    due_on: date


@dataclass(frozen=True)
class InterviewRow:
    held_on: date
    interviewers: str
    outcome: str
    notes: str


def _dbs_row(check: DbsCheck, on: date) -> DbsRow:
    due = dbs_due_on(dbs_facts(check), current_policy(), on)
    return _copy(DbsRow, check, due_on=due)


def reference_row(*, session: Session, mentor_id: int, reference_id: int) -> ReferenceRow:
    """One of a mentor's references; NotFound if it is missing or another mentor's."""
    row = session.get(Reference, reference_id)
    if row is None or row.mentor_id != mentor_id:
        raise NotFound("That reference does not exist")
    return _copy(ReferenceRow, row)


def dbs_row(*, session: Session, mentor_id: int, dbs_id: int, on: date) -> DbsRow:
    """One of a mentor's DBS checks; NotFound if it is missing or another mentor's."""
    check = session.get(DbsCheck, dbs_id)
    if check is None or check.mentor_id != mentor_id:
        raise NotFound("That DBS check does not exist")
    return _dbs_row(check, on)


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ModuleRow:
    """A module of the training catalogue."""

    id: int
    code: str
    name: str
    validity_months: int | None
    mandatory: bool
    active: bool
    unlocks_need_id: int | None


@dataclass(frozen=True)
class TrainingRow:
    """A module on a mentor's page: when last completed, when it expires, its state."""

    module: ModuleFacts
    last: date | None
    expires: date | None
    state: tuple[str, str]  # the tag's text and colour


@dataclass(frozen=True)
class ModulesPage:
    modules: list[ModuleRow]
    needs: dict[int, str]  # need id -> name


def modules_page(*, session: Session) -> ModulesPage:
    """The catalogue: modules in use first, then mandatory, then by name."""
    rows = session.exec(
        select(TrainingModule).order_by(
            col(TrainingModule.active).desc(),
            col(TrainingModule.mandatory).desc(),
            col(TrainingModule.name),
        )
    ).all()
    needs = {saved_id(i): name for i, name in session.exec(select(Need.id, Need.name)).all()}
    return ModulesPage([_copy(ModuleRow, m) for m in rows], needs)


def module_row(*, session: Session, module_id: int) -> ModuleRow:
    """One module of the catalogue; NotFound if there is none."""
    module = session.get(TrainingModule, module_id)
    if module is None:
        raise NotFound("That training module does not exist")
    return _copy(ModuleRow, module)


def modules_in_use(*, session: Session) -> list[ModuleRow]:
    """The modules a completion can be recorded for: mandatory first, then by name."""
    rows = session.exec(
        select(TrainingModule)
        .where(col(TrainingModule.active).is_(True))
        .order_by(col(TrainingModule.mandatory).desc(), col(TrainingModule.name))
    ).all()
    return [_copy(ModuleRow, m) for m in rows]


def _training_state(
    module: ModuleFacts, last: date | None, expires: date | None, on: date
) -> tuple[str, str]:
    if last is None:
        return ("Missing", "red") if module.mandatory else ("Not taken", "grey")
    if expires is not None and on >= expires:
        return ("Expired", "red")
    if expires is not None and (expires - on).days <= DUE_SOON_DAYS:
        return ("Due soon", "yellow")
    return ("In date", "green")


def _training_rows(session: Session, mentor_id: int, on: date) -> list[TrainingRow]:
    completions: dict[int, list[date]] = defaultdict(list)
    for module_id, completed in session.exec(
        select(col(TrainingRecord.module_id), col(TrainingRecord.completed_on)).where(
            TrainingRecord.mentor_id == mentor_id
        )
    ).all():
        completions[module_id].append(completed)
    rows = []
    modules = load_modules(session=session)
    for m in sorted(modules, key=lambda m: (not m.mandatory, m.name)):
        if not m.active and m.id not in completions:
            continue
        last = latest_completion(completions.get(m.id, []), on)
        expires = training_expires_on(last, m) if last else None
        rows.append(TrainingRow(m, last, expires, _training_state(m, last, expires, on)))
    return rows


# ---------------------------------------------------------------------------
# A mentor's page
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MentorDetails:
    """A mentor's own details, as their page shows them."""

    id: int
    reference: str
    kind: str
    first_name: str
    last_name: str
    email: str
    phone: str
    postcode: str
    home_district_id: int
    capacity: int
    gender: str | None
    languages: list[str]
    availability: list[str]
    experience: str
    stage: str
    stage_changed_at: datetime
    status: str
    status_reason: str
    source: str
    applied_at: datetime
    consent_to_checks_at: datetime | None
    matchable_since: date | None


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    actor_id: int | None
    actor_role: str
    action: str
    details: dict[str, Any]


@dataclass(frozen=True)
class AccountState:
    """The mentor's sign-in account: none, invited, active or deactivated."""

    user_id: int | None
    state: str  # "none", "invited", "active", "deactivated"
    since: datetime | None
    can_invite: str | None  # why not, or None when an invitation can be sent


def account_state(session: Session, mentor: Mentor) -> AccountState:
    """Whether the mentor has an account, and whether one can be offered."""
    user = session.exec(select(User).where(User.mentor_id == mentor.id)).first()
    if user is None:
        why = mentor_can_be_invited(session, mentor)
        return AccountState(None, "none", None, why)
    if not user.is_enabled:
        return AccountState(user.id, "deactivated", user.deactivated_at, None)
    if user.is_invited:
        link = tokens.open_link(session, user_id=int(user.id or 0), purpose=TokenPurpose.INVITE)
        return AccountState(user.id, "invited", link.created_at if link else None, None)
    return AccountState(user.id, "active", user.activated_at or user.created_at, None)


@dataclass(frozen=True)
class MentorPage:
    """Everything on a mentor's page: the checklist, details and every vetting record."""

    mentor: MentorDetails
    gate: GateResult
    references: list[ReferenceRow]
    checks: list[DbsRow]  # the current check first
    interviews: list[InterviewRow]
    training: list[TrainingRow]
    district: str
    travel: list[str]
    skills: list[str]
    former_family: str | None
    history: list[HistoryRow]
    users: dict[int, str]  # user id -> name, for "recorded by" and the history
    account: AccountState | None = None

    @property
    def ready_blockers(self) -> list[str]:
        return self.gate.blocking(ignore={"stage"})


def _names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    ids = sorted({u for u in user_ids if u})
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.name).where(col(User.id).in_(ids))).all()
    return {saved_id(i): name for i, name in rows}


def _history(session: Session, mentor_id: int) -> list[HistoryRow]:
    events = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "mentor",
            AuditEvent.object_id == mentor_id,
            AuditEvent.action != "dbs.view",
        )
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(HISTORY_ROWS)
    ).all()
    return [_copy(HistoryRow, e) for e in events]


def _places_and_skills(
    session: Session, mentor: Mentor
) -> tuple[str, list[str], list[str], str | None]:
    """The home district, travel districts, skills and former family of a mentor."""
    names = dict(session.exec(select(District.id, District.name)).all())
    travel = session.exec(
        select(MentorTravelDistrict.district_id).where(MentorTravelDistrict.mentor_id == mentor.id)
    ).all()
    skills = session.exec(
        select(Need.name)
        .join(MentorSkill, col(MentorSkill.need_id) == Need.id)
        .where(MentorSkill.mentor_id == mentor.id)
        .order_by(col(Need.sort_order))
    ).all()
    former = (
        session.exec(select(Family.reference).where(Family.id == mentor.former_family_id)).first()
        if mentor.former_family_id
        else None
    )
    return (
        names.get(mentor.home_district_id, ""),
        sorted(names[d] for d in travel),
        list(skills),
        former,
    )


def mentor_page(*, session: Session, mentor_id: int, on: date) -> MentorPage:
    """A mentor's page; NotFound if there is none."""
    mentor = load_mentor(session=session, mentor_id=mentor_id)
    references = session.exec(
        select(Reference).where(Reference.mentor_id == mentor_id).order_by(col(Reference.id))
    ).all()
    checks = session.exec(
        select(DbsCheck)
        .where(DbsCheck.mentor_id == mentor_id)
        .order_by(col(DbsCheck.issue_date).desc(), col(DbsCheck.id).desc())
    ).all()
    interviews = session.exec(
        select(Interview)
        .where(Interview.mentor_id == mentor_id)
        .order_by(col(Interview.held_on).desc())
    ).all()
    history = _history(session, mentor_id)
    users = _names(
        session,
        [
            *(r.recorded_by_id for r in references),
            *(c.decision_by_id for c in checks),
            *(c.recorded_by_id for c in checks),
            *(e.actor_id for e in history),
        ],
    )
    district, travel, skills, former_family = _places_and_skills(session, mentor)
    return MentorPage(
        account=account_state(session, mentor),
        mentor=_copy(MentorDetails, mentor),
        gate=check_gate(session=session, mentor_id=mentor_id, on=on),
        references=[_copy(ReferenceRow, r) for r in references],
        checks=[_dbs_row(c, on) for c in checks],
        interviews=[_copy(InterviewRow, i) for i in interviews],
        training=_training_rows(session, mentor_id, on),
        district=district,
        travel=travel,
        skills=skills,
        former_family=former_family,
        history=history,
        users=users,
    )


# ---------------------------------------------------------------------------
# The board
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRow:
    mentor: MentorSummary
    district: str
    days_in_stage: int
    matchable: bool | None  # None: not at the ready stage


@dataclass(frozen=True)
class BoardPage:
    rows: list[BoardRow]
    total: int
    page: int
    pages: int
    stage_counts: list[tuple[PipelineStage, int, int]]  # stage, count, longest days in stage
    status_counts: dict[str, int]


def _stage_counts(
    session: Session, base: list[Any], on: date
) -> list[tuple[PipelineStage, int, int]]:
    rows = session.exec(
        select(col(Mentor.stage), sa.func.count(), sa.func.min(col(Mentor.stage_changed_at)))
        .where(Mentor.status == MentorStatus.ACTIVE.value, *base)
        .group_by(col(Mentor.stage))
    ).all()
    by_stage = {s: (n, oldest) for s, n, oldest in rows}
    counts = []
    for s in PipelineStage:
        n, oldest = by_stage.get(s.value, (0, None))
        counts.append((s, n, days_since(oldest, on) if oldest else 0))
    return counts


def board_page(
    *, session: Session, on: date, filters: MentorFilters, page: int = 1, per_page: int = 25
) -> BoardPage:
    """The pipeline board: counts by stage and one page of mentors (longest waiting first)."""
    base = mentor_conditions(session=session, filters=filters, on=on, with_stage=False)
    status_counts: dict[str, int] = dict(
        session.exec(
            select(col(Mentor.status), sa.func.count()).where(*base).group_by(col(Mentor.status))
        ).all()
    )
    conditions = mentor_conditions(session=session, filters=filters, on=on)
    total = session.exec(select(sa.func.count()).select_from(Mentor).where(*conditions)).one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    mentors = session.exec(
        select(Mentor)
        .where(*conditions)
        .order_by(col(Mentor.stage_changed_at), col(Mentor.id))
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    names = dict(session.exec(select(District.id, District.name)).all())
    ready_ids = [
        saved_id(m.id)
        for m in mentors
        if m.stage == PipelineStage.READY.value and m.status == MentorStatus.ACTIVE.value
    ]
    gates = gate_results(session=session, on=on, mentor_ids=ready_ids) if ready_ids else {}
    rows = [
        BoardRow(
            mentor=_copy(MentorSummary, m),
            district=names.get(m.home_district_id, ""),
            days_in_stage=days_since(m.stage_changed_at, on),
            matchable=gates[m.id].matchable if m.id in gates else None,
        )
        for m in mentors
    ]
    return BoardPage(rows, total, page, pages, _stage_counts(session, base, on), status_counts)


# ---------------------------------------------------------------------------
# Keeping in date
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KeepingInDatePage:
    items: list[ExpiringItem]
    days: int
    districts: dict[int, str]  # district id -> name

    @property
    def expired(self) -> int:
        return sum(1 for i in self.items if i.expired)


def keeping_in_date_page(*, session: Session, on: date, days: int) -> KeepingInDatePage:
    """The checks and training that expire within the days given, or have expired."""
    items = expiring_items(session=session, on=on, within_days=days)
    names = {saved_id(i): n for i, n in session.exec(select(District.id, District.name)).all()}
    return KeepingInDatePage(items, days, names)
