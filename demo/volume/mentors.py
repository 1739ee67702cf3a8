"""The volume data set's mentors: their vetting records and their stage changes (as the
vetting pages record them in the audit log), spread over the years."""
# ruff: noqa: S311

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, SQLModel

from demo.shared import district_weights, saved_id, stage_plan
from demo.volume.bulk import Writer, next_id, template, utc
from demo.volume.families import FamilyInfo
from mentoring.models import (
    AuditEvent,
    DbsCheck,
    DbsLevel,
    DbsResult,
    District,
    Interview,
    InterviewOutcome,
    Mentor,
    MentorKind,
    MentorStatus,
    PipelineStage,
    Reference,
    TrainingModule,
    TrainingRecord,
)
from mentoring.services.common.dates import add_months

STAGE_ORDER = [s.value for s in PipelineStage]


@dataclass
class MentorInfo:
    id: int
    district_id: int
    kind: str
    capacity: int
    ready_active: bool
    matchable_since: date | None


def add_mentors(
    writer: Writer,
    session: Session,
    rng: random.Random,
    today: date,
    first_day: date,
    span: int,
    districts: list[District],
    modules: list[TrainingModule],
    count: int,
    families: FamilyInfo,
) -> list[MentorInfo]:
    base = template(Mentor, reference="", first_name="", last_name="", email="", home_district_id=0)
    audit_base = template(AuditEvent, action="mentor.stage")
    ids: dict[type[SQLModel], int] = {
        m: next_id(session, m)
        for m in (Mentor, Reference, DbsCheck, Interview, TrainingRecord, AuditEvent)
    }

    def new_id(model: type[SQLModel]) -> int:
        value = ids[model]
        ids[model] = value + 1
        return value

    weights = district_weights([d.code for d in districts])
    plan = stage_plan(count)
    rng.shuffle(plan)
    mandatory = [m for m in modules if m.mandatory]
    out: list[MentorInfo] = []
    now = utc(today, 12)
    for n, (stage, status) in enumerate(plan):
        district = rng.choices(districts, weights)[0]
        district_id = saved_id(district)
        kind = MentorKind.ROLE_MODEL.value if rng.random() < 0.14 else MentorKind.VOLUNTEER.value
        applied_day = first_day + timedelta(days=rng.randrange(span))
        applied = utc(applied_day, rng.randint(8, 20))
        position = STAGE_ORDER.index(stage)
        # Stage changes spread between applying and today.
        changes: list[datetime] = []
        moment = applied
        for _ in range(position):
            moment = min(now, moment + timedelta(days=rng.randint(5, 40), hours=rng.randint(0, 9)))
            changes.append(moment)
        mentor_id = new_id(Mentor)
        former = None
        if kind == MentorKind.ROLE_MODEL.value and families.exited.get(district_id):
            former = rng.choice(families.exited[district_id])
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
            home_district_id=district_id,
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
                id=new_id(AuditEvent),
                at=at,
                action="mentor.stage",
                object_type="mentor",
                object_id=mentor_id,
                district_id=district_id,
                actor_role="system",
                details={"from_stage": previous, "to_stage": STAGE_ORDER[index]},
            )
            previous = STAGE_ORDER[index]
            writer.add(AuditEvent, event)
        _vetting(writer, rng, today, mentor_id, position, changes, mandatory, new_id)
        out.append(MentorInfo(mentor_id, district_id, kind, capacity, ready_active, matchable))
    return out


def _vetting(
    writer: Writer,
    rng: random.Random,
    today: date,
    mentor_id: int,
    position: int,
    changes: list[datetime],
    mandatory: list[TrainingModule],
    new_id: Callable[[type[SQLModel]], int],
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
                    "id": new_id(Reference),
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
                "id": new_id(DbsCheck),
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
                "id": new_id(Interview),
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
                    "id": new_id(TrainingRecord),
                    "mentor_id": mentor_id,
                    "module_id": module.id,
                    "completed_on": min(today, completed),
                    "recorded_by_id": None,
                    "recorded_at": changes[-1],
                },
            )
