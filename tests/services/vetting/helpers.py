"""Helpers for the vetting tests: take one item away from a vetted mentor."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import select

from mentoring.models import (
    DbsCheck,
    Interview,
    Mentor,
    MentorStatus,
    Reference,
    TrainingModule,
    TrainingRecord,
)
from mentoring.services import vetting
from mentoring.services.vetting import add_months


def _break(db, mentor: Mentor, item: str) -> str:
    """Take away one item a mentor needs; return the reason the gate gives."""
    today = date.today()
    if item == "references":
        ref = db.exec(select(Reference).where(Reference.mentor_id == mentor.id)).first()
        ref.satisfactory = False
        db.add(ref)
        reason = "Only 1 of 2 satisfactory references"
    elif item == "dbs":
        dbs = db.exec(select(DbsCheck).where(DbsCheck.mentor_id == mentor.id)).one()
        dbs.issue_date = add_months(today, -36)
        db.add(dbs)
        reason = f"DBS check expired on {vetting.long_date(today)}"
    elif item == "dbs_decision":
        dbs = db.exec(select(DbsCheck).where(DbsCheck.mentor_id == mentor.id)).one()
        dbs.result = "disclosed"
        db.add(dbs)
        reason = "DBS check is waiting for a risk-assessment decision"
    elif item == "interview":
        interview = db.exec(select(Interview).where(Interview.mentor_id == mentor.id)).one()
        interview.outcome = "deferred"
        db.add(interview)
        reason = "No passed suitability interview"
    elif item == "training":
        module = db.exec(select(TrainingModule).where(TrainingModule.code == "safeguarding")).one()
        db.exec(
            sa.delete(TrainingRecord).where(
                TrainingRecord.mentor_id == mentor.id, TrainingRecord.module_id == module.id
            )
        )
        reason = "Mandatory training missing: Safeguarding children and adults"
    elif item == "paused":
        mentor.status = MentorStatus.PAUSED.value
        db.add(mentor)
        reason = "Paused"
    else:  # pragma: no cover
        raise AssertionError(item)
    db.commit()
    return reason


ITEMS = ["references", "dbs", "dbs_decision", "interview", "training", "paused"]
