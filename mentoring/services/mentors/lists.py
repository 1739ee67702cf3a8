"""Lists of mentors: the board's filters as SQL, and the filtered list as CSV."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mentoring.csvutil import write_csv
from mentoring.models import (
    District,
    Gender,
    Mentor,
    MentorKind,
    MentorSkill,
    MentorStatus,
    MentorTravelDistrict,
    Need,
    PipelineStage,
)
from mentoring.services.mentors.importing import CSV_COLUMNS
from mentoring.services.vetting import matchable_mentor_ids

STATUS_LABELS = {
    MentorStatus.ACTIVE.value: "Active",
    MentorStatus.PAUSED.value: "Paused",
    MentorStatus.WITHDRAWN.value: "Withdrawn",
    MentorStatus.REJECTED.value: "Rejected",
}
GENDER_LABELS = {
    Gender.FEMALE.value: "Female",
    Gender.MALE.value: "Male",
    Gender.NON_BINARY.value: "Non-binary",
}
OFF_PIPELINE = [
    MentorStatus.PAUSED.value,
    MentorStatus.WITHDRAWN.value,
    MentorStatus.REJECTED.value,
]
BOARD_FILTERS: list[tuple[str, str]] = (
    [("", "In the pipeline")]
    + [(s.value, s.label) for s in PipelineStage]
    + [("not_matchable", "Ready but not matchable")]
    + [(s, STATUS_LABELS[s]) for s in OFF_PIPELINE]
    + [("all", "Everyone, including withdrawn and rejected")]
)
EXPORT_COLUMNS = ["reference", *CSV_COLUMNS, "status", "days_in_stage", "applied_on", "matchable"]


@dataclass(frozen=True)
class MentorFilters:
    """The board's filters: home district, stage (or status), kind, a search."""

    district_id: int | None = None
    stage: str = ""
    kind: str = ""
    q: str = ""


def days_since(moment: datetime, on: date) -> int:
    """Whole days from a moment to a date (0 if it is later)."""
    return max(0, (on - moment.date()).days)


def _search(q: str) -> Any:
    needle = q.lower()
    name = sa.func.lower(Mentor.first_name + " " + Mentor.last_name)
    return sa.or_(
        name.contains(needle, autoescape=True),
        sa.func.lower(Mentor.reference).contains(needle, autoescape=True),
        sa.func.lower(Mentor.email).contains(needle, autoescape=True),
    )


def _stage_conditions(session: Session, stage: str, *, on: date) -> list[Any]:
    if stage in PipelineStage.values():
        return [Mentor.stage == stage, Mentor.status == MentorStatus.ACTIVE.value]
    if stage in OFF_PIPELINE:
        return [Mentor.status == stage]
    if stage == "not_matchable":
        ready = set(
            session.exec(
                select(Mentor.id).where(
                    Mentor.stage == PipelineStage.READY.value,
                    Mentor.status == MentorStatus.ACTIVE.value,
                )
            ).all()
        )
        lapsed = sorted(i for i in ready - matchable_mentor_ids(session=session, on=on) if i)
        return [col(Mentor.id).in_(lapsed)]
    if stage != "all":
        return [col(Mentor.status).in_([MentorStatus.ACTIVE.value, MentorStatus.PAUSED.value])]
    return []


def mentor_conditions(
    *, session: Session, filters: MentorFilters, on: date, with_stage: bool = True
) -> list[Any]:
    """The SQL conditions the filters select (without the stage's, if asked)."""
    conditions: list[Any] = []
    if filters.district_id:
        conditions.append(Mentor.home_district_id == filters.district_id)
    if filters.kind in MentorKind.values():
        conditions.append(Mentor.kind == filters.kind)
    if filters.q.strip():
        conditions.append(_search(filters.q.strip()))
    if with_stage:
        conditions += _stage_conditions(session, filters.stage, on=on)
    return conditions


def export_csv(*, session: Session, on: date, filters: MentorFilters) -> tuple[str, int]:
    """Export the mentors the board's filters select, as CSV (no DBS details)."""
    conditions = mentor_conditions(session=session, filters=filters, on=on)
    mentors = session.exec(select(Mentor).where(*conditions).order_by(col(Mentor.reference))).all()
    codes = dict(session.exec(select(District.id, District.code)).all())
    travel: dict[int, list[str]] = defaultdict(list)
    skills: dict[int, list[str]] = defaultdict(list)
    for mid, did in session.exec(
        select(MentorTravelDistrict.mentor_id, MentorTravelDistrict.district_id)
    ).all():
        travel[mid].append(codes[did])
    for mid, code in session.exec(
        select(MentorSkill.mentor_id, Need.code).join(Need, col(Need.id) == MentorSkill.need_id)
    ).all():
        skills[mid].append(code)
    matchable = matchable_mentor_ids(session=session, on=on)
    rows = [
        [
            m.reference,
            m.first_name,
            m.last_name,
            m.email,
            m.phone,
            m.postcode,
            codes.get(m.home_district_id, ""),
            "; ".join(sorted(travel.get(m.id or 0, []))),
            m.kind,
            m.capacity,
            "; ".join(m.availability),
            "; ".join(m.languages),
            "; ".join(sorted(skills.get(m.id or 0, []))),
            m.gender or "",
            m.experience,
            m.stage,
            "yes" if m.consent_to_checks_at else "no",
            m.status,
            days_since(m.stage_changed_at, on),
            m.applied_at.date(),
            "yes" if m.id in matchable else "no",
        ]
        for m in mentors
    ]
    return write_csv(rows, EXPORT_COLUMNS), len(rows)
