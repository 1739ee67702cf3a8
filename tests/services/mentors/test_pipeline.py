"""Marking a mentor ready (`mentoring/services/mentors/pipeline.py`): only when the gate passes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from mentoring.exceptions import NotReadyError
from mentoring.models import AuditEvent, Mentor, PipelineStage, Role
from mentoring.services.mentors import mark_ready
from tests.factories import refresh, vetted_mentor
from tests.services.vetting.helpers import ITEMS, _break


@pytest.mark.parametrize("item", ITEMS)
def test_mentor_missing_any_one_item_cannot_be_marked_ready(db, world, item):
    mentor = vetted_mentor(db, world.dartford)
    mentor.stage = PipelineStage.TRAINING.value
    db.add(mentor)
    db.commit()
    reason = _break(db, mentor, item)
    with pytest.raises(NotReadyError) as caught:
        mark_ready(session=db, mentor_id=mentor.id, actor_id=None, on=date.today())
    assert caught.value.reasons == [reason]
    db.expire_all()
    assert db.get(Mentor, mentor.id).stage == PipelineStage.TRAINING.value


def test_marking_ready_sets_the_stage_and_is_audited(db, world, make_user):
    staff = make_user(Role.PROVIDER)
    mentor = vetted_mentor(db, world.dartford)
    mentor.stage = PipelineStage.TRAINING.value
    db.add(mentor)
    db.commit()
    mark_ready(session=db, mentor_id=mentor.id, actor_id=staff.id, on=date.today())
    db.expire_all()
    saved = db.get(Mentor, mentor.id)
    assert saved.stage == PipelineStage.READY.value
    assert saved.matchable_since == date.today()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "mentor.ready")).one()
    assert (event.actor_id, event.object_id) == (staff.id, mentor.id)
    assert event.details["from_stage"] == "training"


def test_a_paused_mentor_with_every_check_done_is_ready_once_active_again(db, world):
    from mentoring.models import MentorStatus
    from mentoring.services.mentors import change_status

    mentor = vetted_mentor(db, world.dartford)
    mentor.stage = PipelineStage.TRAINING.value
    mentor.status = MentorStatus.PAUSED.value
    db.add(mentor)
    db.commit()
    change_status(
        session=db, mentor_id=mentor.id, status="active", reason="", actor_id=None, on=date.today()
    )
    refresh(db)
    saved = db.get(Mentor, mentor.id)
    assert (saved.stage, saved.matchable_since) == (PipelineStage.READY.value, date.today())
