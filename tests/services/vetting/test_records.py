"""Recording DBS checks (`mentoring/services/vetting/records.py`).

Only the allowed fields, validated, audited without values.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from mentoring.exceptions import VettingError
from mentoring.models import AuditEvent, DbsCheck, Match, MatchStatus, Mentor, Notification, Role
from mentoring.services import vetting
from mentoring.services.vetting import add_months
from tests.factories import ready_family, vetted_mentor


def _dbs_args(**changes):
    args = {
        "level": "enhanced_children",
        "certificate_number": "001234567890",
        "issue_date": date.today() - timedelta(days=10),
        "result": "clear",
    }
    args.update(changes)
    return args


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"certificate_number": "12345"},
            "certificate_number",
            "The certificate number must be 12 digits, like 001234567890",
        ),
        (
            {"certificate_number": "00123456789O"},
            "certificate_number",
            "The certificate number must be 12 digits, like 001234567890",
        ),
        (
            {"certificate_number": "0012345678901"},
            "certificate_number",
            "The certificate number must be 12 digits, like 001234567890",
        ),
        (
            {"certificate_number": "１２３４５６７８９０１２"},
            "certificate_number",
            "The certificate number must be 12 digits, like 001234567890",
        ),
        ({"certificate_number": ""}, "certificate_number", "Enter the certificate number"),
        (
            {"issue_date": date.today() + timedelta(days=1)},
            "issue_date",
            "The issue date must be today or in the past",
        ),
        ({"issue_date": None}, "issue_date", "Enter the issue date"),
        (
            {"issue_date": date(1999, 1, 1)},
            "issue_date",
            "The issue date must be a real date after 2000",
        ),
        ({"level": "basic"}, "level", "Select the level of the DBS check"),
        ({"result": "unknown"}, "result", "Select the result of the check"),
        (
            {"last_status_check_on": date.today()},
            "last_status_check_on",
            "Only record a status check for someone who subscribes to the Update Service",
        ),
        (
            {"decision": "proceed", "decision_rationale": "x"},
            "decision",
            "Record a risk-assessment decision only when information was disclosed",
        ),
        (
            {"result": "disclosed", "decision": "proceed"},
            "decision_rationale",
            "Enter a short rationale for the decision",
        ),
    ],
)
def test_dbs_fields_are_validated(db, world, changes, field, message):
    mentor = vetted_mentor(db, world.dartford)
    with pytest.raises(VettingError) as caught:
        vetting.save_dbs_check(
            session=db, mentor_id=mentor.id, actor_id=None, on=date.today(), **_dbs_args(**changes)
        )
    assert caught.value.errors[field] == message
    assert len(db.exec(select(DbsCheck).where(DbsCheck.mentor_id == mentor.id)).all()) == 1


def test_dbs_check_is_saved_and_audited_without_its_values(db, world, make_user):
    staff = make_user(Role.PROVIDER)
    mentor = vetted_mentor(db, world.dartford)
    check = vetting.save_dbs_check(
        session=db,
        mentor_id=mentor.id,
        actor_id=staff.id,
        on=date.today(),
        **_dbs_args(
            certificate_number="0099 8877 6655",
            result="disclosed",
            decision="proceed",
            decision_rationale="Spent caution, unrelated to the role",
        ),
    )
    assert check.certificate_number == "009988776655"
    assert (check.decision_by_id, check.decision) == (staff.id, "proceed")
    assert check.decision_at is not None
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "dbs.record")).one()
    assert event.actor_id == staff.id and event.object_id == mentor.id
    assert "certificate_number" in event.details["fields"]
    flat = str(event.details)
    for value in ("009988776655", "disclosed", "proceed", "Spent caution", "enhanced_children"):
        assert value not in flat


def test_a_certificate_number_of_another_volunteer_is_refused(db, world):
    first = vetted_mentor(db, world.dartford)
    second = vetted_mentor(db, world.dartford)
    number = db.exec(
        select(DbsCheck.certificate_number).where(DbsCheck.mentor_id == first.id)
    ).one()
    with pytest.raises(VettingError) as caught:
        vetting.save_dbs_check(
            session=db,
            mentor_id=second.id,
            actor_id=None,
            on=date.today(),
            **_dbs_args(certificate_number=number),
        )
    assert "another volunteer" in caught.value.errors["certificate_number"]


def test_the_dbs_model_holds_only_what_the_code_of_practice_allows():
    allowed = {
        "id",
        "mentor_id",
        "level",
        "certificate_number",
        "issue_date",
        "result",
        "decision",
        "decision_by_id",
        "decision_at",
        "decision_rationale",
        "update_service_subscribed",
        "last_status_check_on",
        "recorded_by_id",
        "recorded_at",
    }
    assert set(DbsCheck.__table__.columns.keys()) == allowed


def test_a_status_check_renews_an_update_service_dbs(db, world):
    today = date.today()
    mentor = vetted_mentor(db, world.dartford)
    dbs = db.exec(select(DbsCheck).where(DbsCheck.mentor_id == mentor.id)).one()
    dbs.issue_date = add_months(today, -40)
    dbs.update_service_subscribed = True
    db.add(dbs)
    db.commit()
    assert not vetting.check_gate(session=db, mentor_id=mentor.id, on=today).matchable
    vetting.record_status_check(
        session=db, mentor_id=mentor.id, dbs_id=dbs.id, checked_on=today, actor_id=None, on=today
    )
    assert vetting.check_gate(session=db, mentor_id=mentor.id, on=today).matchable
    with pytest.raises(VettingError):
        vetting.record_status_check(
            session=db,
            mentor_id=mentor.id,
            dbs_id=dbs.id,
            checked_on=today + timedelta(days=1),
            actor_id=None,
            on=today,
        )


def test_recording_an_expired_dbs_on_a_ready_mentor_tells_their_coordinators(
    app, db, world, make_user
):
    today = date.today()
    coordinator = make_user(Role.COORDINATOR, districts=[world.dartford])
    mentor = vetted_mentor(db, world.dartford)
    family = ready_family(db, world.dartford)
    mentor.matchable_since = today - timedelta(days=30)
    db.add(mentor)
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
    with app.test_request_context():
        vetting.save_dbs_check(
            session=db,
            mentor_id=mentor.id,
            actor_id=None,
            on=today,
            **_dbs_args(certificate_number="000000000777", result="disclosed"),
        )
    db.expire_all()
    assert db.get(Mentor, mentor.id).matchable_since is None
    note = db.exec(select(Notification).where(Notification.user_id == coordinator.id)).one()
    assert note.urgent and family.reference in note.message
