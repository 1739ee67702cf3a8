"""Keeping in date and the training catalogue (`mentoring/mentors/training_views.py`)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from mentoring.models import DbsCheck
from mentoring.services.common.dates import add_months
from tests.factories import vetted_mentor


def test_keeping_in_date_lists_expiring_and_expired_items(client, db, world, staff):
    mentor = vetted_mentor(db, world.dartford)
    dbs = db.exec(select(DbsCheck).where(DbsCheck.mentor_id == mentor.id)).one()
    dbs.issue_date = add_months(date.today(), -36) + timedelta(days=12)
    db.add(dbs)
    db.commit()
    page = client.get("/mentors/keeping-in-date").get_data(as_text=True)
    assert mentor.last_name in page and "Due in 12 days" in page
    assert "DBS check" in page
