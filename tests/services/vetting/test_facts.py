"""The gate on the database (`mentoring/services/vetting/facts.py`): one mentor, everyone, fast."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from mentoring.models import DbsCheck, Interview, Mentor, Reference, TrainingModule, TrainingRecord
from mentoring.services import vetting
from mentoring.services.vetting import add_months
from tests.factories import vetted_mentor
from tests.services.vetting.helpers import ITEMS, _break


def test_vetted_mentor_passes_the_gate_on_the_database(db, world):
    mentor = vetted_mentor(db, world.dartford)
    result = vetting.check_gate(session=db, mentor_id=mentor.id, on=date.today())
    assert result.matchable, result.reasons
    assert mentor.id in vetting.matchable_mentor_ids(session=db, on=date.today())


@pytest.mark.parametrize("item", ITEMS)
def test_mentor_missing_any_one_item_is_not_matchable(db, world, item):
    mentor = vetted_mentor(db, world.dartford)
    other = vetted_mentor(db, world.dartford)
    reason = _break(db, mentor, item)
    result = vetting.check_gate(session=db, mentor_id=mentor.id, on=date.today())
    assert not result.matchable
    assert result.reasons == [reason]
    assert vetting.matchable_mentor_ids(session=db, on=date.today()) == {other.id}


def test_matchable_mentor_ids_uses_a_fixed_number_of_queries(app, db, world):
    engine = app.extensions["db_engine"]
    counted: list[str] = []

    def count(*_args):
        counted.append("q")

    for _ in range(2):
        vetted_mentor(db, world.dartford)
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        vetting.matchable_mentor_ids(session=db, on=date.today())
        few = len(counted)
        for _ in range(12):
            vetted_mentor(db, world.gravesham)
        counted.clear()
        ids = vetting.matchable_mentor_ids(session=db, on=date.today())
        many = len(counted)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(ids) == 14
    assert many == few <= 9


def test_matchable_mentor_ids_over_thousands_of_mentors_leaves_out_the_expired(db, world):
    """Correctness at bulk scale, in chunks; its speed is a benchmark (make bench-reports)."""
    today = date.today()
    count = 3_000
    modules = db.exec(select(TrainingModule).where(col(TrainingModule.mandatory).is_(True))).all()
    now = datetime.now(UTC)
    db.execute(
        sa.insert(Mentor),
        [
            {
                "reference": f"B-{i:05d}",
                "kind": "volunteer",
                "first_name": "Bulk",
                "last_name": str(i),
                "email": f"bulk{i}@example.org",
                "phone": "",
                "postcode": "",
                "home_district_id": world.dartford.id,
                "capacity": 1,
                "languages": ["English"],
                "availability": ["weekend"],
                "experience": "",
                "stage": "ready",
                "stage_changed_at": now,
                "status": "active",
                "status_reason": "",
                "source": "staff",
                "applied_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(count)
        ],
    )
    ids = db.exec(select(Mentor.id).order_by(Mentor.id)).all()
    db.execute(
        sa.insert(Reference),
        [
            {
                "mentor_id": m,
                "referee_name": "R",
                "referee_contact": "",
                "relationship_to_mentor": "",
                "received_on": today,
                "satisfactory": True,
                "recorded_at": now,
            }
            for m in ids
            for _ in range(2)
        ],
    )
    db.execute(
        sa.insert(DbsCheck),
        [
            {
                "mentor_id": m,
                "level": "enhanced_children",
                "certificate_number": f"{m:012d}",
                "issue_date": today - timedelta(days=30 if m % 10 else 1200),
                "result": "clear",
                "decision_rationale": "",
                "update_service_subscribed": False,
                "recorded_at": now,
            }
            for m in ids
        ],
    )
    db.execute(
        sa.insert(Interview),
        [
            {
                "mentor_id": m,
                "held_on": today,
                "interviewers": "A",
                "outcome": "passed",
                "notes": "",
                "recorded_at": now,
            }
            for m in ids
        ],
    )
    db.execute(
        sa.insert(TrainingRecord),
        [
            {"mentor_id": m, "module_id": mod.id, "completed_on": today, "recorded_at": now}
            for m in ids
            for mod in modules
        ],
    )
    db.commit()
    matchable = vetting.matchable_mentor_ids(session=db, on=today)
    assert len(matchable) == count - count // 10  # every tenth has an expired DBS


def test_mentor_unlocked_needs_from_in_date_specialist_training(db, world):
    trained = vetted_mentor(db, world.dartford, domestic_abuse_trained=True)
    untrained = vetted_mentor(db, world.dartford)
    today = date.today()
    unlocked = vetting.mentor_unlocked_needs(
        session=db, mentor_ids=[trained.id, untrained.id], on=today
    )
    assert unlocked == {trained.id: {"domestic_abuse"}, untrained.id: set()}
    later = vetting.mentor_unlocked_needs(
        session=db, mentor_ids=[trained.id], on=add_months(today, 25)
    )
    assert later == {trained.id: set()}
