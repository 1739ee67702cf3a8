"""What the Recruitment pages show: the districts a user may plan for, their latest plans,
and one stored plan (a background job's result: profiles, figures and counts, no people).

Provider staff recruit for the whole county, so they plan for every district; a
coordinator plans for their own districts and sees only plans within them; a plan outside
what the user may plan for is the same `NotFound` as a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from mentoring.exceptions import NotFound
from mentoring.models import BackgroundJob, JobStatus, Role
from mentoring.read.districts import DistrictOption, options

KIND = "recruitment_plan"
RECENT = 5


def plannable(session: Session, *, role: str, district_ids: list[int]) -> list[DistrictOption]:
    """The districts this user may plan recruitment for."""
    if role in (Role.PROVIDER.value, Role.ADMIN.value):
        return options(session=session)
    return options(session=session, only=district_ids)


@dataclass(frozen=True)
class PlanSummary:
    job_id: int
    status: str
    finished_at: datetime | None
    districts: str


@dataclass(frozen=True)
class StoredPlan:
    job_id: int
    finished_at: datetime | None
    plan: dict[str, Any]
    names: dict[str, str]  # district code: name
    ids: dict[str, int]  # district code: id


def _names(districts: list[DistrictOption], ids: list[int]) -> str:
    chosen = [d.name for d in districts if d.id in set(ids)]
    return "All districts" if len(chosen) == len(districts) > 1 else ", ".join(chosen)


def recent_plans(
    session: Session, *, user_id: int, districts: list[DistrictOption]
) -> list[PlanSummary]:
    """The user's latest plans (within the districts they may plan for), newest first."""
    allowed = {d.id for d in districts}
    rows = session.exec(
        select(BackgroundJob)
        .where(BackgroundJob.kind == KIND, BackgroundJob.created_by_id == user_id)
        .order_by(col(BackgroundJob.id).desc())
        .limit(RECENT * 4)
    ).all()
    out = []
    for row in rows:
        ids = [int(i) for i in row.params.get("district_ids", [])]
        if row.id is None or not ids or not set(ids) <= allowed:
            continue
        out.append(PlanSummary(row.id, row.status, row.finished_at, _names(districts, ids)))
    return out[:RECENT]


def stored_plan(session: Session, *, job_id: int, districts: list[DistrictOption]) -> StoredPlan:
    """A finished plan the user may see (else `NotFound`)."""
    row = session.get(BackgroundJob, job_id)
    if row is None or row.kind != KIND or row.status != JobStatus.DONE.value:
        raise NotFound("no such recruitment plan")
    plan = row.result.get("plan")
    allowed = {d.id for d in districts}
    if not isinstance(plan, dict) or not set(plan.get("district_ids", [])) <= allowed:
        raise NotFound("no such recruitment plan")
    everywhere = options(session=session)
    return StoredPlan(
        job_id=job_id,
        finished_at=row.finished_at,
        plan=plan,
        names={d.code: d.name for d in everywhere},
        ids={d.code: d.id for d in everywhere},
    )
