"""Safeguarding cases in the service: what was raised is fixed, the chronology is
append-only, and the status flow refuses steps out of order."""

import pytest
import sqlalchemy as sa
from sqlmodel import select

from mentoring.exceptions import SafeguardingError
from mentoring.models import SafeguardingConcern, SafeguardingEntry
from mentoring.services.safeguarding import Raised, close, decide, raise_concern, triage
from tests.factories import active_match
from tests.safeguarding.helpers import RAISED


def _concern(app, db, world, coordinator):  # type: ignore[no-untyped-def]
    _mentor, _family, match = active_match(app, db, world, coordinator)
    with app.test_request_context():
        concern = raise_concern(
            session=db, match=match, actor_id=coordinator.id, raised=Raised(**RAISED)
        )
        triage(session=db, concern_id=concern.id, actor_id=coordinator.id, decision="Watch")
    return concern


def test_entries_cannot_be_changed_or_deleted_the_database_refuses(app, db, world, coordinator):
    concern = _concern(app, db, world, coordinator)
    entry = db.exec(select(SafeguardingEntry)).one()
    for statement in (
        sa.update(SafeguardingEntry).where(SafeguardingEntry.id == entry.id).values(text="x"),
        sa.delete(SafeguardingEntry).where(SafeguardingEntry.id == entry.id),
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db.exec(statement)
        db.rollback()
    assert concern.id is not None


def test_what_was_raised_is_fixed_and_a_concern_is_never_deleted(app, db, world, coordinator):
    concern = _concern(app, db, world, coordinator)
    table = SafeguardingConcern
    for statement in (
        sa.update(table).where(table.id == concern.id).values(details="Changed"),
        sa.update(table).where(table.id == concern.id).values(category="other"),
        sa.delete(table).where(table.id == concern.id),
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db.exec(statement)
        db.rollback()
    # Its status still moves on.
    db.exec(sa.update(table).where(table.id == concern.id).values(status="monitoring"))
    db.commit()


def test_a_case_closes_only_after_a_decision_and_with_a_family_outcome(app, db, world, coordinator):
    concern = _concern(app, db, world, coordinator)
    with app.test_request_context():
        with pytest.raises(SafeguardingError, match="record a referral or decision"):
            close(session=db, concern_id=concern.id, actor_id=1, outcome="early_help", reason="r")
        decide(
            session=db,
            concern_id=concern.id,
            actor_id=coordinator.id,
            status="monitoring",
            reason="Seen weekly",
        )
        with pytest.raises(SafeguardingError, match="Choose the outcome"):
            close(session=db, concern_id=concern.id, actor_id=1, outcome="unfounded", reason="r")
        with pytest.raises(SafeguardingError, match="already been triaged"):
            triage(session=db, concern_id=concern.id, actor_id=1, decision="Again")
        close(
            session=db,
            concern_id=concern.id,
            actor_id=coordinator.id,
            outcome="advice_given",
            reason="Family supported",
        )
    db.expire_all()
    assert db.get(SafeguardingConcern, concern.id).status == "closed"


def test_concerns_are_kept_by_the_daily_job_years_later(app, db, world, coordinator):
    from datetime import date, timedelta

    from mentoring.jobs.daily import run_daily

    concern = _concern(app, db, world, coordinator)
    with app.app_context():
        run_daily(session=db, on=date.today() + timedelta(days=3 * 365))
    db.expire_all()
    kept = db.get(SafeguardingConcern, concern.id)
    assert kept.details == RAISED["details"]
    assert db.exec(select(SafeguardingEntry)).all()
