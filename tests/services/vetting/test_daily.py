"""The daily job (`mentoring/services/vetting/daily.py`), travelling in time by the `on` date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from mentoring.models import (
    AuditEvent,
    DbsCheck,
    Match,
    MatchStatus,
    Mentor,
    Notification,
    Role,
    TrainingModule,
    TrainingRecord,
    VettingReminder,
)
from mentoring.services import vetting
from mentoring.services.vetting import add_months
from tests.factories import ready_family, vetted_mentor


def _outbox(app) -> list[str]:
    from pathlib import Path

    folder = Path(app.config["MAIL_OUTBOX"])
    return sorted(p.read_text() for p in folder.glob("*.eml")) if folder.exists() else []


def test_daily_job_tells_coordinators_once_when_a_mentor_stops_being_matchable(
    app, db, world, make_user
):
    today = date.today()
    dartford_coordinator = make_user(Role.COORDINATOR, districts=[world.dartford])
    maidstone_coordinator = make_user(Role.COORDINATOR, districts=[world.maidstone])
    provider = make_user(Role.PROVIDER)
    mentor = vetted_mentor(db, world.dartford)
    family = ready_family(db, world.dartford)
    db.add(
        Match(
            family_id=family.id,
            mentor_id=mentor.id,
            slot="mentor",
            status=MatchStatus.ACTIVE.value,
            started_on=today,
        )
    )
    db.commit()
    with app.app_context():
        first = vetting.run_daily_checks(session=db, on=today)
    assert first.became_matchable == 1
    db.expire_all()
    assert db.get(Mentor, mentor.id).matchable_since == today

    expiry = add_months(today - timedelta(days=100), 36)  # the factory's DBS expires then
    with app.app_context():
        lapse = vetting.run_daily_checks(session=db, on=expiry)
        again = vetting.run_daily_checks(session=db, on=expiry)
        next_day = vetting.run_daily_checks(session=db, on=expiry + timedelta(days=1))
    assert (lapse.stopped_matchable, lapse.coordinators_told) == (1, 1)
    assert again.stopped_matchable == next_day.stopped_matchable == 0
    db.expire_all()
    assert db.get(Mentor, mentor.id).matchable_since is None
    told = db.exec(select(Notification).where(Notification.kind == "mentor_not_matchable")).all()
    by_user = {n.user_id: n for n in told}
    assert set(by_user) == {dartford_coordinator.id, provider.id}
    assert by_user[dartford_coordinator.id].urgent
    assert family.reference in by_user[dartford_coordinator.id].message
    assert maidstone_coordinator.id not in by_user
    emails = [e for e in _outbox(app) if dartford_coordinator.email in e]
    assert len(emails) == 1
    assert family.reference not in emails[0]  # no family details by email
    assert "DBS" not in emails[0]


def test_daily_job_sends_each_reminder_once_per_milestone(app, db, world):
    today = date.today()
    mentor = vetted_mentor(db, world.dartford)
    info = db.exec(select(TrainingModule).where(TrainingModule.code == "information_sharing")).one()
    record = db.exec(
        select(TrainingRecord).where(
            TrainingRecord.mentor_id == mentor.id, TrainingRecord.module_id == info.id
        )
    ).one()
    record.completed_on = add_months(today, -12) + timedelta(days=40)  # due in 40 days
    db.add(record)
    db.commit()
    with app.app_context():
        first = vetting.run_daily_checks(session=db, on=today)
        second = vetting.run_daily_checks(session=db, on=today)
        later = vetting.run_daily_checks(session=db, on=today + timedelta(days=15))
    assert (first.reminders_sent, second.reminders_sent, later.reminders_sent) == (1, 0, 1)
    milestones = db.exec(select(VettingReminder.milestone).order_by(VettingReminder.id)).all()
    assert milestones == ["60", "30"]
    to_mentor = [e for e in _outbox(app) if mentor.email in e]
    assert len(to_mentor) == 2
    assert "Information sharing and data protection training is due for renewal" in to_mentor[0]


def test_dbs_rationale_is_cleared_six_months_after_the_decision(app, db, world):
    mentor = vetted_mentor(db, world.dartford)
    dbs = db.exec(select(DbsCheck).where(DbsCheck.mentor_id == mentor.id)).one()
    decided = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)
    dbs.result, dbs.decision, dbs.decision_at = "disclosed", "proceed", decided
    dbs.decision_rationale = "Old minor offence, not relevant to the role"
    db.add(dbs)
    db.commit()
    with app.app_context():
        before = vetting.run_daily_checks(session=db, on=date(2026, 7, 14))
        db.expire_all()
        assert db.get(DbsCheck, dbs.id).decision_rationale != ""
        after = vetting.run_daily_checks(session=db, on=date(2026, 7, 15))
    assert (before.rationales_purged, after.rationales_purged) == (0, 1)
    db.expire_all()
    kept = db.get(DbsCheck, dbs.id)
    assert kept.decision_rationale == ""
    assert (kept.decision, kept.decision_at) == ("proceed", decided)
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "dbs.rationale_purged")).one()
    assert event.details == {"dbs_id": dbs.id, "fields": ["decision_rationale"]}
