"""The safeguarding step of the daily job: escalations and chases, each once."""

from datetime import date, timedelta

from sqlmodel import select

from mentoring.models import Notification, Role, SafeguardingConcern, SafeguardingEntry
from mentoring.services.safeguarding import (
    Raised,
    raise_allegation,
    raise_concern,
    record_referral,
    run_safeguarding_daily,
    triage,
)
from mentoring.services.safeguarding.daily import next_working_day
from tests.factories import active_match
from tests.safeguarding.helpers import RAISED, dsl


def _raise(app, db, world, coordinator):  # type: ignore[no-untyped-def]
    mentor, _family, match = active_match(app, db, world, coordinator)
    with app.test_request_context():
        concern = raise_concern(
            session=db, match=match, actor_id=coordinator.id, raised=Raised(**RAISED)
        )
    return mentor, concern


def _escalations(db, user_id):  # type: ignore[no-untyped-def]
    return db.exec(
        select(Notification).where(
            Notification.user_id == user_id, Notification.kind == "safeguarding_escalation"
        )
    ).all()


def test_untriaged_concern_escalates_once_to_the_lead_and_the_providers_managers(
    app, db, world, coordinator, make_user
):
    lead, manager = dsl(make_user), make_user(Role.PROVIDER)
    _mentor, concern = _raise(app, db, world, coordinator)
    today = date.today()
    with app.app_context():
        assert run_safeguarding_daily(session=db, on=today).escalated == 0  # not 24 hours yet
        first = run_safeguarding_daily(session=db, on=today + timedelta(days=1))
        again = run_safeguarding_daily(session=db, on=today + timedelta(days=2))
    assert (first.escalated, again.escalated) == (1, 0)
    for user in (lead, manager):
        (note,) = _escalations(db, user.id)
        assert note.urgent and concern.reference in note.message
    assert not _escalations(db, coordinator.id)
    db.expire_all()
    assert db.get(SafeguardingConcern, concern.id).escalated_at is not None
    entry = db.exec(select(SafeguardingEntry).where(SafeguardingEntry.kind == "action")).one()
    assert "Escalated" in entry.text


def test_a_triaged_concern_is_never_escalated(app, db, world, coordinator, make_user):
    dsl(make_user)
    _mentor, concern = _raise(app, db, world, coordinator)
    with app.test_request_context():
        triage(session=db, concern_id=concern.id, actor_id=coordinator.id, decision="Seen")
        summary = run_safeguarding_daily(session=db, on=date.today() + timedelta(days=3))
    assert summary.escalated == 0


def test_the_triage_hours_are_a_setting(app, db, world, coordinator, make_user):
    app.config["SAFEGUARDING_TRIAGE_HOURS"] = 72
    _mentor, _concern = _raise(app, db, world, coordinator)
    with app.app_context():
        summary = run_safeguarding_daily(session=db, on=date.today() + timedelta(days=2))
    assert summary.escalated == 0


def test_a_lado_referral_not_made_within_one_working_day_is_chased_daily_until_recorded(
    app, db, world, coordinator, make_user
):
    lead = dsl(make_user)
    mentor, _concern = _raise(app, db, world, coordinator)
    with app.test_request_context():
        allegation = raise_allegation(
            session=db, mentor_id=mentor.id, actor_id=lead.id, raised=Raised(**RAISED)
        )
        due = next_working_day(date.today())
        assert run_safeguarding_daily(session=db, on=due).lado_chased == 0
        late = due + timedelta(days=1)
        assert run_safeguarding_daily(session=db, on=late).lado_chased == 1
        assert run_safeguarding_daily(session=db, on=late).lado_chased == 0  # once a day
        triage(session=db, concern_id=allegation.id, actor_id=lead.id, decision="To LADO")
        record_referral(
            session=db,
            concern_id=allegation.id,
            actor_id=lead.id,
            agency="lado",
            reference="LADO-77",
            on=date.today(),
        )
        assert run_safeguarding_daily(session=db, on=late + timedelta(days=1)).lado_chased == 0


def test_next_working_day_skips_the_weekend():
    friday = date(2026, 12, 4)
    assert next_working_day(friday) == date(2026, 12, 7)
    assert next_working_day(date(2026, 12, 7)) == date(2026, 12, 8)


def test_the_daily_command_reports_the_safeguarding_step(runner, app, db, world, coordinator):
    _raise(app, db, world, coordinator)
    day = (date.today() + timedelta(days=2)).isoformat()
    result = runner.invoke(args=["send-reminders", "--date", day])
    assert result.exit_code == 0, result.output
    assert "safeguarding: 1 untriaged concern(s) escalated" in result.output
