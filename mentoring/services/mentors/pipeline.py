"""Moving a mentor along: marking ready (only when the gate passes), stages, status.

Whether a mentor may be matched is decided by the vetting gate. A mentor reaches ready by
themselves once every other item passes (`vetting.advance_stage`); staff can still mark one
ready, only when it passes (:func:`mark_ready`), after setting the stage back by hand. Every
change is audited and re-checks the gate, which tells coordinators if the mentor stops
being matchable.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlmodel import Session, select

from mentoring.db import write_transaction
from mentoring.exceptions import NotReadyError, VettingError
from mentoring.models import (
    ConcernOutcome,
    ConcernSubject,
    Mentor,
    MentorStatus,
    PipelineStage,
    SafeguardingConcern,
    utcnow,
)
from mentoring.services.accounts import people
from mentoring.services.common.notify import Outbox
from mentoring.services.mentors.applications import STAGES_BEFORE_READY
from mentoring.services.vetting import (
    advance_stage,
    audit_mentor,
    check_gate,
    locked_mentor,
    refresh_matchable,
)


def mark_ready(*, session: Session, mentor_id: int, actor_id: int | None, on: date) -> Mentor:
    """Mark a mentor ready to be matched; refused, with the gate's reasons, unless it passes."""
    with write_transaction(session):
        mentor = locked_mentor(session=session, mentor_id=mentor_id)
        result = check_gate(session=session, mentor_id=mentor_id, on=on)
        reasons = result.blocking(ignore={"stage"})
        if reasons:
            raise NotReadyError(reasons)
        before = mentor.stage
        mentor.stage = PipelineStage.READY.value
        if before != PipelineStage.READY.value:
            mentor.stage_changed_at = utcnow()
        mentor.matchable_since = mentor.matchable_since or on
        mentor.updated_at = utcnow()
        session.add(mentor)
        audit_mentor(
            session,
            "mentor.ready",
            mentor,
            actor_id=actor_id,
            from_stage=before,
            to_stage=PipelineStage.READY.value,
        )
    return mentor


def _change(
    session: Session,
    *,
    mentor_id: int,
    action: str,
    actor_id: int | None,
    on: date,
    apply: Callable[[Mentor], dict[str, Any]],
    advance: bool = False,
) -> Mentor:
    """Lock the mentor, apply a change (it returns the audit details), audit, re-check.

    With ``advance``, the stage then moves on as far as the records allow (a mentor made
    active again whose checks are all done is ready at once)."""
    outbox = Outbox()
    with write_transaction(session):
        mentor = locked_mentor(session=session, mentor_id=mentor_id)
        details = apply(mentor)
        mentor.updated_at = utcnow()
        session.add(mentor)
        audit_mentor(session, action, mentor, actor_id=actor_id, **details)
        if mentor.status in (MentorStatus.WITHDRAWN.value, MentorStatus.REJECTED.value):
            # A mentor who leaves, or is turned down, loses their account at once.
            people.deactivate_mentor_account(
                session, mentor_id=mentor_id, actor_id=actor_id, outbox=outbox
            )
        session.flush()
        if advance:
            advance_stage(session=session, mentor=mentor, on=on, actor_id=actor_id)
        refresh_matchable(session=session, mentor_ids=[mentor_id], on=on, outbox=outbox)
    outbox.send()
    return mentor


def change_stage(
    *, session: Session, mentor_id: int, stage: str, actor_id: int | None, on: date
) -> Mentor:
    """Move a mentor to another stage before ready (ready goes through :func:`mark_ready`)."""
    if stage == PipelineStage.READY.value:
        return mark_ready(session=session, mentor_id=mentor_id, actor_id=actor_id, on=on)
    if stage not in STAGES_BEFORE_READY:
        raise VettingError("Select a stage", field="stage")

    def apply(mentor: Mentor) -> dict[str, Any]:
        before = mentor.stage
        if before == stage:
            raise VettingError(
                f"{mentor.first_name} is already at the {PipelineStage(stage).label} stage",
                field="stage",
            )
        mentor.stage = stage
        mentor.stage_changed_at = utcnow()
        return {"from_stage": before, "to_stage": stage}

    return _change(
        session, mentor_id=mentor_id, action="mentor.stage", actor_id=actor_id, on=on, apply=apply
    )


def _status_reason_error(status: str, reason: str) -> VettingError | None:
    if status not in MentorStatus.values():
        return VettingError("Select what to do", field="status")
    if status in (MentorStatus.REJECTED.value, MentorStatus.WITHDRAWN.value) and not reason:
        return VettingError(
            "Enter the reason for rejecting the volunteer"
            if status == MentorStatus.REJECTED.value
            else "Enter the reason the volunteer withdrew",
            field="reason",
        )
    if len(reason) > 500:
        return VettingError("Keep the reason to 500 characters", field="reason")
    return None


def _removed_for_safeguarding(session: Session, mentor_id: int) -> bool:
    """Tell whether an allegation against the mentor was substantiated (they were removed)."""
    return (
        session.exec(
            select(SafeguardingConcern.id).where(
                SafeguardingConcern.mentor_id == mentor_id,
                SafeguardingConcern.subject == ConcernSubject.MENTOR.value,
                SafeguardingConcern.outcome == ConcernOutcome.SUBSTANTIATED.value,
            )
        ).first()
        is not None
    )


def change_status(
    *,
    session: Session,
    mentor_id: int,
    status: str,
    reason: str,
    actor_id: int | None,
    on: date,
) -> Mentor:
    """Pause, withdraw, reject (with a reason) or reactivate a mentor."""
    reason = reason.strip()
    error = _status_reason_error(status, reason)
    if error is not None:
        raise error

    def apply(mentor: Mentor) -> dict[str, Any]:
        before = mentor.status
        if before == status and status == MentorStatus.ACTIVE.value:
            raise VettingError(f"{mentor.first_name} is already active", field="status")
        if status == MentorStatus.ACTIVE.value and _removed_for_safeguarding(session, mentor_id):
            raise VettingError(
                f"{mentor.first_name} was removed after a substantiated safeguarding "
                "allegation and cannot be reactivated",
                field="status",
            )
        mentor.status = status
        mentor.status_reason = "" if status == MentorStatus.ACTIVE.value else reason
        return {
            "from_status": before,
            "to_status": status,
            "fields": ["status", "status_reason"],
        }

    return _change(
        session,
        mentor_id=mentor_id,
        action="mentor.status",
        actor_id=actor_id,
        on=on,
        apply=apply,
        advance=True,
    )
