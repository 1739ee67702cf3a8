"""The mentor programme: the recruitment funnel of a period's applicants (with the median
days at each stage, from the stage changes in the audit log), former participants
recruited as role models, today's load, and matches ended by reason."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mentoring.models import (
    AuditEvent,
    EndReason,
    Match,
    MatchStatus,
    Mentor,
    MentorKind,
    MentorStatus,
    PipelineStage,
)
from mentoring.services.common.endings import END_REASON_LABELS
from mentoring.services.common.holding import HOLDING
from mentoring.services.reports.period import Period
from mentoring.services.reports.sql import no_jit, rows

STAGES = list(PipelineStage)


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
    for mentor_id, source, target, at in rows(
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
    no_jit(session)
    start, end = period.utc_bounds()
    in_cohort = [
        col(Mentor.home_district_id).in_(ids),
        col(Mentor.applied_at) >= start,
        col(Mentor.applied_at) < end,
    ]
    funnel = [FunnelStage(stage=s.value, label=s.label) for s in STAGES]
    index = {s.value: i for i, s in enumerate(STAGES)}
    applied = role_models_applied = role_models_ready = 0
    for kind, stage, status, count in rows(
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
        for mid, at in rows(session, select(Mentor.id, Mentor.applied_at).where(*in_cohort))
    }
    for stage, days in _stage_durations(session, cohort, applied_at).items():
        if stage in index:
            funnel[index[stage]].timed = days

    ready_active = [
        col(Mentor.home_district_id).in_(ids),
        col(Mentor.stage) == PipelineStage.READY.value,
        col(Mentor.status) == MentorStatus.ACTIVE.value,
    ]
    ready_now, capacity_now = rows(
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
        rows(
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
