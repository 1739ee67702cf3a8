"""Keeping in date (`mentoring/services/vetting/keeping.py`): what expires, reminder milestones."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from mentoring.models import DbsCheck, MentorStatus, TrainingModule, TrainingRecord
from mentoring.services import vetting
from mentoring.services.vetting import add_months
from tests.factories import vetted_mentor


def test_reminder_milestones():
    assert [vetting.milestone_for(d) for d in (60, 31, 30, 8, 7, 1, 0, -5)] == [
        "60",
        "60",
        "30",
        "30",
        "7",
        "7",
        "expired",
        "expired",
    ]


def test_expiring_items_lists_what_expires_within_the_window(db, world):
    today = date.today()
    soon = vetted_mentor(db, world.dartford)
    dbs = db.exec(select(DbsCheck).where(DbsCheck.mentor_id == soon.id)).one()
    dbs.issue_date = add_months(today, -36) + timedelta(days=20)
    db.add(dbs)
    gone = vetted_mentor(db, world.gravesham)
    withdrawn = vetted_mentor(db, world.gravesham)
    withdrawn.status = MentorStatus.WITHDRAWN.value
    db.add(withdrawn)
    info = db.exec(select(TrainingModule).where(TrainingModule.code == "information_sharing")).one()
    for m in (gone, withdrawn):
        record = db.exec(
            select(TrainingRecord).where(
                TrainingRecord.mentor_id == m.id, TrainingRecord.module_id == info.id
            )
        ).one()
        record.completed_on = add_months(today, -12) - timedelta(days=3)
        db.add(record)
    vetted_mentor(db, world.maidstone)  # nothing due
    db.commit()
    items = vetting.expiring_items(session=db, on=today, within_days=60)
    assert [(i.mentor_id, i.item, i.expired) for i in items] == [
        (gone.id, "training:information_sharing", True),
        (soon.id, "dbs", False),
    ]
    assert items[1].days_left == 20
    assert vetting.expiring_items(session=db, on=today, within_days=10)[0].mentor_id == gone.id
