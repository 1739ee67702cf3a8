"""A mentor's vetting records through the views (`mentoring/mentors/vetting_views.py`)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from mentoring.models import AuditEvent, DbsCheck, Mentor, Reference, TrainingModule
from tests.factories import refresh, vetted_mentor
from tests.mentors.helpers import _applicant, _day, _stage


def test_staff_take_an_applicant_through_every_check_to_ready(client, db, world, staff):
    mentor = _applicant(db, world)
    today = date.today()
    base = f"/mentors/{mentor.id}"
    refused = client.post(f"{base}/ready", data={})
    assert refused.status_code == 422
    assert "No satisfactory references (needs 2)" in refused.get_data(as_text=True)

    for name in ("Ann Referee", "Bob Referee"):
        assert (
            client.post(
                f"{base}/references/new",
                data={
                    "referee_name": name,
                    "requested_on": _day(today - timedelta(days=10)),
                },
            ).status_code
            == 302
        )
    assert _stage(db, mentor.id) == "references"
    for ref in db.exec(select(Reference).where(Reference.mentor_id == mentor.id)).all():
        assert (
            client.post(
                f"{base}/references/{ref.id}",
                data={
                    "referee_name": ref.referee_name,
                    "requested_on": _day(today - timedelta(days=10)),
                    "received_on": _day(today),
                    "satisfactory": "yes",
                },
            ).status_code
            == 302
        )
    assert _stage(db, mentor.id) == "dbs"

    dbs_form = {
        "level": "enhanced_children",
        "certificate_number": "1234",
        "issue_date": _day(today),
        "result": "clear",
        "update_service_subscribed": "no",
    }
    bad = client.post(f"{base}/dbs/new", data=dbs_form).get_data(as_text=True)
    assert "The certificate number must be 12 digits, like 001234567890" in bad
    assert 'value="1234"' in bad
    dbs_form["certificate_number"] = "001234567890"
    assert client.post(f"{base}/dbs/new", data=dbs_form).status_code == 302
    assert _stage(db, mentor.id) == "interview"

    assert (
        client.post(
            f"{base}/interviews/new",
            data={
                "held_on": _day(today),
                "interviewers": "Priya Shah",
                "outcome": "passed",
            },
        ).status_code
        == 302
    )
    assert _stage(db, mentor.id) == "training"

    mandatory = db.exec(select(TrainingModule).where(col(TrainingModule.mandatory).is_(True))).all()
    for module in mandatory:
        assert (
            client.post(
                f"{base}/training/new",
                data={
                    "module": str(module.id),
                    "completed_on": _day(today),
                },
            ).status_code
            == 302
        )
    # The last mandatory module done: the mentor is ready at once, and can be matched.
    refresh(db)
    saved = db.get(Mentor, mentor.id)
    assert (saved.stage, saved.matchable_since) == ("ready", today)
    page = client.get(base).get_data(as_text=True)
    assert "Every check is done and in date" in page
    assert "Mark as ready" not in page
    stages = db.exec(
        select(AuditEvent.details)
        .where(AuditEvent.object_id == mentor.id, AuditEvent.action == "mentor.stage")
        .order_by(AuditEvent.id)
    ).all()
    assert [(d["to_stage"], d["automatic"]) for d in stages][-1] == ("ready", True)
    actions = db.exec(
        select(AuditEvent.action).where(AuditEvent.object_id == mentor.id).order_by(AuditEvent.id)
    ).all()
    assert {
        "reference.add",
        "reference.update",
        "dbs.record",
        "interview.record",
        "training.record",
        "mentor.stage",
        "mentor.matchable",
    } <= set(actions)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("issue_date", ["1", "1", "2999"], "The issue date must be today or in the past"),
        ("issue_date", ["31", "2", "2025"], "The issue date must be a real date"),
        ("issue_date", ["", "2", "2025"], "The issue date must include a day"),
        ("issue_date", ["", "", ""], "Enter the issue date"),
        ("certificate_number", "", "Enter the certificate number"),
        ("level", None, "Select the level of the DBS check"),
        (
            "last_status_check_on",
            ["1", "1", "2025"],
            "Only record a status check for someone who subscribes to the Update Service",
        ),
    ],
)
def test_dbs_form_shows_each_problem_beside_its_field(
    client, db, world, staff, field, value, message
):
    mentor = _applicant(db, world)
    data = {
        "level": "enhanced_children",
        "certificate_number": "001234567890",
        "issue_date": ["1", "1", "2025"],
        "result": "clear",
        "update_service_subscribed": "no",
    }
    if value is None:
        data.pop(field)
    else:
        data[field] = value
    response = client.post(f"/mentors/{mentor.id}/dbs/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert f'href="#{field}' in page  # the error summary links to the field
    assert db.exec(select(DbsCheck)).first() is None


def test_the_dbs_form_has_no_field_for_content_or_scans(client, db, world, staff):
    mentor = _applicant(db, world)
    page = client.get(f"/mentors/{mentor.id}/dbs/new").get_data(as_text=True)
    assert 'type="file"' not in page
    assert "enctype" not in page
    client.post(
        f"/mentors/{mentor.id}/dbs/new",
        data={
            "level": "enhanced_children",
            "certificate_number": "001234567890",
            "issue_date": ["1", "1", "2025"],
            "result": "clear",
            "update_service_subscribed": "no",
            "certificate_content": "Caution for theft, 2009",
        },
    )
    check = db.exec(select(DbsCheck)).one()
    assert "theft" not in str(check.model_dump())


def test_a_disclosed_check_needs_a_decision_by_a_named_person(client, db, world, staff):
    mentor = vetted_mentor(db, world.dartford)
    dbs = db.exec(select(DbsCheck).where(DbsCheck.mentor_id == mentor.id)).one()
    dbs.result = "disclosed"
    db.add(dbs)
    db.commit()
    url = f"/mentors/{mentor.id}/dbs/{dbs.id}/decision"
    assert "Enter a short rationale" in client.post(url, data={"decision": "proceed"}).get_data(
        as_text=True
    )
    assert (
        client.post(url, data={"decision": "proceed", "rationale": "Spent, unrelated"}).status_code
        == 302
    )
    refresh(db)
    saved = db.get(DbsCheck, dbs.id)
    assert (saved.decision, saved.decision_by_id) == ("proceed", staff.id)
    page = client.get(f"/mentors/{mentor.id}").get_data(as_text=True)
    assert f"Proceed, by {staff.name}" in page
