"""A large invented data set for measuring the reports: `flask --app mentoring load-volume`.

Families, mentors, their vetting, matches, contacts, results and stage changes, spread over
the last few programme years across Kent's 12 districts, inserted in bulk (core inserts
with explicit ids, many rows a statement). Everything is invented; nobody real is in it.
Seeded pseudo-random data, not security.
"""
# ruff: noqa: S311

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from mentoring.demo import DISTRICTS, NEIGHBOURS, _stage_plan
from mentoring.models import (
    AuditEvent,
    ContactKind,
    ContactLog,
    Criterion,
    DbsCheck,
    DbsLevel,
    DbsResult,
    District,
    DistrictNeighbour,
    DistrictTarget,
    EndReason,
    Engagement,
    Family,
    FamilyCriterion,
    FamilyNeed,
    FamilyOutcome,
    Interview,
    InterviewOutcome,
    Match,
    MatchStatus,
    Mentor,
    MentorKind,
    MentorStatus,
    Need,
    PipelineStage,
    Reference,
    Slot,
    TrainingModule,
    TrainingRecord,
    service_today,
)
from mentoring.services.common.dates import add_months
from mentoring.services.districts import WORKED_WITH, programme_year_dates, programme_year_of
from mentoring.services.families import RESULTS_FOR

BATCH = 5000
STAGE_ORDER = [s.value for s in PipelineStage]
PHASE1 = [Criterion.CRIME_ASB.value, Criterion.EDUCATION.value, Criterion.WORKLESSNESS.value]
ALL_CRITERIA = Criterion.values()


class VolumeError(RuntimeError):
    """The data set cannot be loaded into this database."""


@dataclass
class VolumeSummary:
    rows: dict[str, int]
    seconds: float

    def __str__(self) -> str:
        counts = ", ".join(f"{n:,} {name}" for name, n in self.rows.items())
        return f"Loaded in {self.seconds:.1f} s: {counts}."


def _template(model: type[SQLModel], **required: Any) -> dict[str, Any]:
    """Return a row of a table with the model's defaults, to copy for each new row."""
    row = model(**required).model_dump()
    row.pop("id", None)
    return row


def _next_id(session: Session, model: type[SQLModel]) -> int:
    return int(session.exec(select(sa.func.coalesce(sa.func.max(model.id), 0))).one()) + 1  # type: ignore[attr-defined]


class _Writer:
    """Collect rows per table and insert them in batches (executemany)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.pending: dict[type[SQLModel], list[dict[str, Any]]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, model: type[SQLModel], row: dict[str, Any]) -> None:
        rows = self.pending[model]
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Insert every pending row, parent tables first (foreign keys are on)."""
        order = {t.name: i for i, t in enumerate(SQLModel.metadata.sorted_tables)}
        for model in sorted(self.pending, key=lambda m: order[m.__tablename__]):
            rows = self.pending.pop(model)
            if rows:
                table = model.__table__  # type: ignore[attr-defined]
                self.session.connection().execute(sa.insert(table), rows)
                self.counts[table.name] += len(rows)


def _utc(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _reset_sequences(session: Session, models: list[type[SQLModel]]) -> None:
    """Move PostgreSQL's id sequences past the ids given explicitly."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        table = model.__table__.name  # type: ignore[attr-defined]
        session.connection().execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608 - table names from the model
                f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
            )
        )


def _districts(session: Session, families_per_year: int, years: list[int]) -> list[District]:
    """Return the districts, adding Kent's 12 (with neighbours) when there are none, and
    targets in proportion to the volume for the years without one."""
    rows = list(session.exec(select(District).order_by(col(District.id))).all())
    if not rows:
        by_code = {}
        for code, name, *_targets in DISTRICTS:
            district = District(code=code, name=name)
            session.add(district)
            by_code[code] = district
        session.flush()
        for code, others in NEIGHBOURS.items():
            for other in others:
                session.add(
                    DistrictNeighbour(
                        district_id=by_code[code].id,  # type: ignore[arg-type]
                        neighbour_id=by_code[other].id,  # type: ignore[arg-type]
                    )
                )
        rows = list(by_code.values())
    weights = _weights(rows)
    total = sum(weights)
    for district, weight in zip(rows, weights, strict=True):
        have = set(
            session.exec(
                select(DistrictTarget.programme_year).where(
                    DistrictTarget.district_id == district.id
                )
            ).all()
        )
        for year in years:
            if year not in have:
                session.add(
                    DistrictTarget(
                        district_id=district.id,  # type: ignore[arg-type]
                        programme_year=year,
                        target_families=round(families_per_year * 0.9 * weight / total),
                    )
                )
    session.flush()
    return rows


def _weights(districts: list[District]) -> list[int]:
    known = {code: target for code, _name, _prev, target in DISTRICTS}
    return [known.get(d.code, 60) for d in districts]


def load_volume(
    session: Session,
    *,
    families: int = 50_000,
    mentors: int = 10_000,
    years: int = 3,
    seed: int = 7,
    on: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> VolumeSummary:
    """Load a large invented data set into a database that has no families or mentors yet."""
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    if families < 0 or mentors < 0:
        raise VolumeError("--families and --mentors must be 0 or more")
    if not 1 <= years <= 10:
        raise VolumeError("--years must be between 1 and 10")
    if session.exec(select(Family.id).limit(1)).first() is not None or (
        session.exec(select(Mentor.id).limit(1)).first() is not None
    ):
        raise VolumeError(
            "The database already has families or mentors: load the volume data set into an "
            "empty database (after `flask --app mentoring db upgrade`)"
        )
    rng = random.Random(seed)
    today = on or service_today()
    this_year = programme_year_of(today)
    year_list = list(range(this_year - years + 1, this_year + 1))
    first_day = programme_year_dates(year_list[0])[0]
    span = max(1, (today - first_day).days)
    districts = _districts(session, families // years, year_list)
    needs = dict(session.exec(select(Need.code, Need.id)).all())
    modules = list(session.exec(select(TrainingModule)).all())
    writer = _Writer(session)

    say(f"Families: {families:,}")
    family_info = _families(
        writer, session, rng, today, first_day, span, districts, needs, families
    )
    writer.flush()
    say(f"Mentors: {mentors:,}")
    mentor_info = _mentors(
        writer, session, rng, today, first_day, span, districts, modules, mentors, family_info
    )
    writer.flush()
    say("Matches and contacts")
    _matches(writer, session, rng, today, mentor_info, family_info)
    writer.flush()
    for district in districts:
        district.next_family_number = family_info.next_number[district.id]  # type: ignore[index]
        session.add(district)
    _reset_sequences(
        session,
        [
            Family,
            FamilyCriterion,
            FamilyOutcome,
            Mentor,
            Reference,
            DbsCheck,
            Interview,
            TrainingRecord,
            Match,
            ContactLog,
            AuditEvent,
        ],
    )
    session.commit()
    return VolumeSummary(dict(writer.counts), time.perf_counter() - started)


# ---------------------------------------------------------------------------
# Families
# ---------------------------------------------------------------------------


@dataclass
class _FamilyInfo:
    # per district: ids of families engaged and consenting (for matches), and of exited ones
    engaged: dict[int, list[tuple[int, bool, date]]]
    exited: dict[int, list[int]]
    next_number: dict[int, int]


def _families(
    writer: _Writer,
    session: Session,
    rng: random.Random,
    today: date,
    first_day: date,
    span: int,
    districts: list[District],
    needs: dict[str, int],
    count: int,
) -> _FamilyInfo:
    base = _template(Family, reference="", district_id=0, number=0)
    criterion_base = _template(
        FamilyCriterion, family_id=0, criterion="crime_asb", evidence_date=today, evidence_source=""
    )
    outcome_base = _template(
        FamilyOutcome, family_id=0, outcome="into_work", achieved_on=today, evidence=""
    )
    family_id = _next_id(session, Family)
    criterion_id = _next_id(session, FamilyCriterion)
    outcome_id = _next_id(session, FamilyOutcome)
    weights = _weights(districts)
    need_ids = [i for code, i in sorted(needs.items()) if code != "domestic_abuse"]
    numbers = {d.id: d.next_family_number for d in districts}
    info = _FamilyInfo(defaultdict(list), defaultdict(list), {})
    engagements = [e.value for e in Engagement]
    for _ in range(count):
        district = rng.choices(districts, weights)[0]
        number = numbers[district.id]
        numbers[district.id] = number + 1
        referred = first_day + timedelta(days=rng.randrange(span))
        engagement = rng.choices(engagements, [10, 12, 60, 6, 12])[0]
        consenting = engagement in WORKED_WITH
        consent_on = min(today, referred + timedelta(days=rng.randint(3, 30)))
        phase = 1 if rng.random() < 0.1 else 2
        exited_on = (
            min(today, referred + timedelta(days=rng.randint(60, 500)))
            if engagement == Engagement.EXITED.value
            else None
        )
        row = dict(base)
        row.update(
            id=family_id,
            reference=f"{district.code}-{number:04d}",
            district_id=district.id,
            number=number,
            programme_phase=phase,
            key_worker_name="Invented key worker",
            key_worker_agency="Early Help",
            tranche=rng.choices([1, 2, 3], [25, 35, 40])[0],
            wants_role_model=rng.random() < 0.3,
            consent_mentoring=consenting,
            consent_mentoring_on=consent_on if consenting else None,
            consent_sharing=consenting,
            consent_sharing_on=consent_on if consenting else None,
            engagement=engagement,
            engagement_changed_on=min(today, referred + timedelta(days=rng.randint(0, 30))),
            referred_on=referred,
            exited_on=exited_on,
            created_at=_utc(referred),
            updated_at=_utc(referred),
            languages=["English"],
            availability=["weekday_evening"],
        )
        if phase == 1:
            met = rng.sample(PHASE1, rng.choice([2, 3, 3]))
            if len(met) == 2:
                row["discretion_reason"] = "Also a concern to the council."
        else:
            met = rng.sample(ALL_CRITERIA, rng.randint(2, 4))
        writer.add(Family, row)
        for criterion in met:
            c = dict(criterion_base)
            c.update(
                id=criterion_id,
                family_id=family_id,
                criterion=criterion,
                evidence_date=referred - timedelta(days=rng.randint(1, 60)),
                evidence_source="Troubled Families data",
            )
            criterion_id += 1
            writer.add(FamilyCriterion, c)
        for need_id in rng.sample(need_ids, rng.randint(1, 3)):
            writer.add(FamilyNeed, {"family_id": family_id, "need_id": need_id})
        if consenting and rng.random() < 0.45:
            results: set[str] = set()
            for criterion in met:
                if rng.random() < 0.7:
                    results.add(rng.choice(sorted(RESULTS_FOR[Criterion(criterion)])))
            for outcome in sorted(results):
                o = dict(outcome_base)
                o.update(
                    id=outcome_id,
                    family_id=family_id,
                    outcome=outcome,
                    achieved_on=min(today, referred + timedelta(days=rng.randint(60, 400))),
                    evidence="Invented evidence",
                )
                outcome_id += 1
                writer.add(FamilyOutcome, o)
        if engagement == Engagement.ENGAGED.value:
            info.engaged[district.id].append((family_id, row["wants_role_model"], consent_on))  # type: ignore[index]
        elif engagement == Engagement.EXITED.value:
            info.exited[district.id].append(family_id)  # type: ignore[index]
        family_id += 1
    info.next_number = numbers  # type: ignore[assignment]
    return info


# ---------------------------------------------------------------------------
# Mentors, their vetting and their stage changes
# ---------------------------------------------------------------------------


@dataclass
class _MentorInfo:
    id: int
    district_id: int
    kind: str
    capacity: int
    ready_active: bool
    matchable_since: date | None


def _mentors(
    writer: _Writer,
    session: Session,
    rng: random.Random,
    today: date,
    first_day: date,
    span: int,
    districts: list[District],
    modules: list[TrainingModule],
    count: int,
    families: _FamilyInfo,
) -> list[_MentorInfo]:
    base = _template(
        Mentor, reference="", first_name="", last_name="", email="", home_district_id=0
    )
    audit_base = _template(AuditEvent, action="mentor.stage")
    ids = {
        m: _next_id(session, m)
        for m in (Mentor, Reference, DbsCheck, Interview, TrainingRecord, AuditEvent)
    }

    def next_id(model: type[SQLModel]) -> int:
        value = ids[model]
        ids[model] = value + 1
        return value

    weights = _weights(districts)
    plan = _stage_plan(count)
    rng.shuffle(plan)
    mandatory = [m for m in modules if m.mandatory]
    out: list[_MentorInfo] = []
    now = _utc(today, 12)
    for n, (stage, status) in enumerate(plan):
        district = rng.choices(districts, weights)[0]
        kind = MentorKind.ROLE_MODEL.value if rng.random() < 0.14 else MentorKind.VOLUNTEER.value
        applied_day = first_day + timedelta(days=rng.randrange(span))
        applied = _utc(applied_day, rng.randint(8, 20))
        position = STAGE_ORDER.index(stage)
        # Stage changes spread between applying and today.
        changes: list[datetime] = []
        moment = applied
        for _ in range(position):
            moment = min(now, moment + timedelta(days=rng.randint(5, 40), hours=rng.randint(0, 9)))
            changes.append(moment)
        mentor_id = next_id(Mentor)
        former = None
        if kind == MentorKind.ROLE_MODEL.value and families.exited.get(district.id):  # type: ignore[arg-type]
            former = rng.choice(families.exited[district.id])  # type: ignore[index]
        capacity = rng.choice([1, 1, 2, 2, 2, 3, 4]) if kind == "volunteer" else rng.choice([1, 2])
        ready_active = stage == PipelineStage.READY.value and status == MentorStatus.ACTIVE.value
        matchable = (changes[-1].date() if changes else applied_day) if ready_active else None
        row = dict(base)
        row.update(
            id=mentor_id,
            reference=f"V-{n + 1:05d}",
            kind=kind,
            first_name="Invented",
            last_name=f"Volunteer {n + 1}",
            email=f"volunteer{n + 1}@volume.example.org",
            home_district_id=district.id,
            capacity=capacity,
            languages=["English"],
            availability=["weekday_evening"],
            stage=stage,
            stage_changed_at=changes[-1] if changes else applied,
            status=status,
            applied_at=applied,
            consent_to_checks_at=applied,
            former_family_id=former,
            matchable_since=matchable,
            created_at=applied,
            updated_at=changes[-1] if changes else applied,
        )
        writer.add(Mentor, row)
        previous = STAGE_ORDER[0]
        for index, at in enumerate(changes, start=1):
            event = dict(audit_base)
            event.update(
                id=next_id(AuditEvent),
                at=at,
                action="mentor.stage",
                object_type="mentor",
                object_id=mentor_id,
                district_id=district.id,
                actor_role="system",
                details={"from_stage": previous, "to_stage": STAGE_ORDER[index]},
            )
            previous = STAGE_ORDER[index]
            writer.add(AuditEvent, event)
        _vetting(writer, rng, today, mentor_id, position, changes, mandatory, next_id)
        out.append(
            _MentorInfo(mentor_id, district.id, kind, capacity, ready_active, matchable)  # type: ignore[arg-type]
        )
    return out


def _vetting(
    writer: _Writer,
    rng: random.Random,
    today: date,
    mentor_id: int,
    position: int,
    changes: list[datetime],
    mandatory: list[TrainingModule],
    next_id: Callable[[type[SQLModel]], int],
) -> None:
    """Add the vetting records a mentor at this stage has (bulk rows, no ORM)."""

    def day(index: int) -> date:
        return changes[index - 1].date() if index - 1 < len(changes) else today

    if position >= 1:
        for k in range(2):
            received = position >= 2
            writer.add(
                Reference,
                {
                    "id": next_id(Reference),
                    "mentor_id": mentor_id,
                    "referee_name": f"Referee {k + 1}",
                    "referee_contact": "",
                    "relationship_to_mentor": "Employer",
                    "requested_on": day(1),
                    "received_on": day(2) if received else None,
                    "satisfactory": True if received else None,
                    "recorded_by_id": None,
                    "recorded_at": changes[0],
                },
            )
    if position >= 3:
        issued = day(3)
        if rng.random() < 0.05:  # some checks coming up for renewal
            issued = today - timedelta(days=3 * 365 - rng.randint(-20, 70))
        writer.add(
            DbsCheck,
            {
                "id": next_id(DbsCheck),
                "mentor_id": mentor_id,
                "level": DbsLevel.ENHANCED_CHILDREN.value,
                "certificate_number": f"{mentor_id:012d}",
                "issue_date": issued,
                "result": DbsResult.CLEAR.value,
                "decision": None,
                "decision_by_id": None,
                "decision_at": None,
                "decision_rationale": "",
                "update_service_subscribed": rng.random() < 0.4,
                "last_status_check_on": None,
                "recorded_by_id": None,
                "recorded_at": changes[2],
            },
        )
    if position >= 4:
        writer.add(
            Interview,
            {
                "id": next_id(Interview),
                "mentor_id": mentor_id,
                "held_on": day(4),
                "interviewers": "Provider staff",
                "outcome": InterviewOutcome.PASSED.value,
                "notes": "",
                "recorded_by_id": None,
                "recorded_at": changes[3],
            },
        )
        for module in mandatory:
            if position == 4 and rng.random() < 0.5:
                continue
            completed = day(5) if position >= 5 else day(4)
            if module.validity_months:
                lapses = add_months(completed, module.validity_months)
                if rng.random() < 0.04:  # coming up for renewal, or just lapsed
                    completed = add_months(today, -module.validity_months) + timedelta(
                        days=rng.randint(-20, 60)
                    )
                elif lapses <= today:  # renewed since, as most mentors do
                    completed = today - timedelta(
                        days=rng.randint(0, module.validity_months * 30 - 70)
                    )
            writer.add(
                TrainingRecord,
                {
                    "id": next_id(TrainingRecord),
                    "mentor_id": mentor_id,
                    "module_id": module.id,
                    "completed_on": min(today, completed),
                    "recorded_by_id": None,
                    "recorded_at": changes[-1],
                },
            )


# ---------------------------------------------------------------------------
# Matches and contacts
# ---------------------------------------------------------------------------


def _matches(
    writer: _Writer,
    session: Session,
    rng: random.Random,
    today: date,
    mentors: list[_MentorInfo],
    families: _FamilyInfo,
) -> None:
    base = _template(Match, family_id=0, mentor_id=0, slot="mentor")
    match_id = _next_id(session, Match)
    contact_id = _next_id(session, ContactLog)
    pools = {d: list(rows) for d, rows in families.engaged.items()}
    for pool in pools.values():
        rng.shuffle(pool)
    held: set[tuple[int, str]] = set()
    reasons = [r.value for r in EndReason]
    kinds = [k.value for k in ContactKind]

    def contacts(match: int, start: date, until: date, number: int) -> Iterator[dict[str, Any]]:
        nonlocal contact_id
        for k in range(number):
            day = start + timedelta(days=rng.randint(5, 12) * (k + 1))
            if day > until:
                return
            contact_id += 1
            yield {
                "id": contact_id - 1,
                "match_id": match,
                "contact_on": day,
                "kind": rng.choice(kinds),
                "duration_minutes": 60,
                "note": "",
                "recorded_by_id": None,
                "created_at": _utc(day),
            }

    for mentor in mentors:
        if not mentor.ready_active or mentor.matchable_since is None:
            continue
        slot = Slot.MENTOR.value if mentor.kind == "volunteer" else Slot.ROLE_MODEL.value
        pool = pools.get(mentor.district_id, [])
        # Matches that ended, then the families the mentor has now.
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            if not pool:
                break
            family_id, _wants, consent_on = pool.pop()
            start = max(consent_on, mentor.matchable_since) + timedelta(days=rng.randint(5, 60))
            end = start + timedelta(days=rng.randint(30, 240))
            if end >= today:
                continue
            row = dict(base)
            row.update(
                id=match_id,
                family_id=family_id,
                mentor_id=mentor.id,
                slot=slot,
                status=MatchStatus.ENDED.value,
                explanation={},
                created_at=_utc(start),
                offered_at=_utc(start),
                answered_at=_utc(start),
                started_on=start,
                ended_on=end,
                end_reason=rng.choices(reasons, [50, 20, 12, 3, 10, 5])[0],
                ending_checklist={},
            )
            writer.add(Match, row)
            for contact in contacts(match_id, start, end, rng.randint(2, 6)):
                writer.add(ContactLog, contact)
            match_id += 1
        for _ in range(rng.randint(0, mentor.capacity)):
            candidates = [f for f in pool[-20:] if slot == "mentor" or f[1]]
            if not candidates:
                break
            family_id, _wants, consent_on = candidates[-1]
            pool.remove(candidates[-1])
            if (family_id, slot) in held:
                continue
            held.add((family_id, slot))
            start = min(
                today,
                max(consent_on, mentor.matchable_since) + timedelta(days=rng.randint(5, 60)),
            )
            row = dict(base)
            row.update(
                id=match_id,
                family_id=family_id,
                mentor_id=mentor.id,
                slot=slot,
                status=MatchStatus.ACTIVE.value,
                explanation={},
                created_at=_utc(start),
                offered_at=_utc(start),
                answered_at=_utc(start),
                started_on=start,
                ending_checklist={},
            )
            writer.add(Match, row)
            # Most mentors keep in touch: a contact every week or two up to recently.
            recent = max(start, today - timedelta(days=rng.choice([2, 5, 9, 12, 20, 40, 90])))
            for contact in contacts(match_id, start, recent, rng.randint(1, 6)):
                writer.add(ContactLog, contact)
            if recent > start:
                contact_id += 1
                writer.add(
                    ContactLog,
                    {
                        "id": contact_id - 1,
                        "match_id": match_id,
                        "contact_on": recent,
                        "kind": rng.choice(kinds),
                        "duration_minutes": 45,
                        "note": "",
                        "recorded_by_id": None,
                        "created_at": _utc(recent),
                    },
                )
            match_id += 1
